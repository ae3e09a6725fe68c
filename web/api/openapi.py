"""The OpenAPI 3 document, built from the marshmallow schemas and the routes."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import procedure_schemas, schemas

ROUTES = [
    ("/api/me", "get", "The caller and their roles", None, "MeSchema"),
    ("/api/procedures", "get", "Every procedure version", None, None),
    ("/api/tasks", "get", "The caller's inbox", None, "TaskSchema"),
    ("/api/tasks/{task_id}", "get", "A task with its form (JSON Schema)", None, "TaskDetailSchema"),
    ("/api/tasks/{task_id}/complete", "post", "Complete a task", "CompleteSchema", "MovedSchema"),
    ("/api/tasks/{task_id}/claim", "post", "Take a task", None, None),
    ("/api/tasks/{task_id}/unclaim", "post", "Release a task", None, None),
    ("/api/cases", "post", "Start a case (receive a dossier)", "StartSchema", "MovedSchema"),
    ("/api/cases/{ref}/history", "get", "A case's event log", None, None),
    # The quality manager's API (web/api/quality.py), shared with the modeler page.
    ("/api/procedures/{code}", "get", "A procedure's ISO metadata and versions", None, "ProcedureSchema"),
    ("/api/procedures/{code}/versions", "get", "Every version of a procedure (a list)", None, "VersionSchema"),
    ("/api/procedures/{code}/versions/{version}/bpmn", "get", "A version's BPMN (application/xml)", None, None),
    ("/api/procedures/{code}/draft", "put", "Save the one open draft (422: malformed XML)", "DraftSchema",
     "SavedDraftSchema"),
    ("/api/procedures/validate", "post", "Validator problems and design lint of a BPMN", "ValidateSchema",
     "ProblemsSchema"),
    ("/api/procedures/{code}/diff", "get", "Elements added, removed, changed (?from=&to=)", None, "DiffSchema"),
    ("/api/procedures/{code}/versions/{version}/submit", "post", "Send a draft for approval (422: lint errors)",
     "SubmitSchema", "SubmittedSchema"),
    ("/api/procedures/{code}/migrations/dry-run", "post", "Which running cases could move, and why not",
     "MigrationRequestSchema", "MigrationResultSchema"),
    ("/api/procedures/{code}/migrations", "post", "Move running cases to a newer version",
     "MigrationRequestSchema", "MigrationResultSchema"),
    ("/api/procedures/{code}/migrations", "get", "Every migration with per-case outcomes", None, None),
    ("/api/procedures/{code}/migrations/{migration_id}/revert", "post", "Put moved cases back exactly", None,
     "RevertResultSchema"),
]


def spec_document() -> dict:
    """The OpenAPI document as a dict."""
    spec = APISpec(title="quytrinh API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in ("ErrorSchema", "TaskSchema", "TaskDetailSchema", "CompleteSchema", "StartSchema",
                 "MovedSchema", "MeSchema"):
        spec.components.schema(name.removesuffix("Schema"), schema=getattr(schemas, name))
    for name in procedure_schemas.__all__:
        if name.removesuffix("Schema") not in spec.components.schemas:  # nested ones register themselves
            spec.components.schema(name.removesuffix("Schema"), schema=getattr(procedure_schemas, name))
    for path, method, summary, body, reply in ROUTES:
        op: dict = {"summary": summary, "security": [{"bearer": []}], "responses": {
            "200": {"description": "OK", **({"content": {"application/json": {"schema": reply.removesuffix("Schema")}}}
                                            if reply else {})},
            "default": {"description": "Error", "content": {"application/json": {"schema": "Error"}}}}}
        if body:
            content = {"application/json": {"schema": body.removesuffix("Schema")}}
            op["requestBody"] = {"required": True, "content": content}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                for p in params]
        spec.path(path=path, operations={method: op})
    return spec.to_dict()
