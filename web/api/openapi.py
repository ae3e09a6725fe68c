"""The OpenAPI 3 document, built from the marshmallow schemas and the routes."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import schemas

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
]


def spec_document() -> dict:
    """The OpenAPI document as a dict."""
    spec = APISpec(title="quytrinh API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in ("ErrorSchema", "TaskSchema", "TaskDetailSchema", "CompleteSchema", "StartSchema",
                 "MovedSchema", "MeSchema"):
        spec.components.schema(name.removesuffix("Schema"), schema=getattr(schemas, name))
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
