"""The OpenAPI 3 document, built from the marshmallow schemas and the routes."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from . import admin_schemas, audit_schemas, procedure_schemas, schemas, what_if_schemas, workspace_schemas

ROUTES = [
    ("/api/me", "get", "The caller and their roles", None, "MeSchema"),
    ("/api/procedures", "get", "Every procedure version (a list)", None, "DefinitionSchema"),
    ("/api/tasks", "get", "The caller's inbox", None, "TaskSchema"),
    ("/api/tasks/{task_id}", "get", "A task with its form (JSON Schema)", None, "TaskDetailSchema"),
    ("/api/tasks/{task_id}/complete", "post", "Complete a task", "CompleteSchema", "MovedSchema"),
    ("/api/tasks/{task_id}/claim", "post", "Take a task", None, None),
    ("/api/tasks/{task_id}/unclaim", "post", "Release a task", None, None),
    ("/api/cases", "post", "Start a case (receive a dossier)", "StartSchema", "MovedSchema"),
    ("/api/cases/{ref}/history", "get", "A case's event log (a list)", None, "EventSchema"),
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
    ("/api/procedures/{code}/migrations", "get", "Every migration with per-case outcomes (a list)", None,
     "MigrationSchema"),
    ("/api/procedures/{code}/migrations/{migration_id}/revert", "post", "Put moved cases back exactly", None,
     "RevertResultSchema"),
    # The what-if (web/api/what_if_api.py): the quality manager simulates a version beside the one in force.
    ("/api/procedures/{code}/versions/{version}/what-if", "post",
     "Simulate a year on this version beside the one in force, as a job (422: draft errors); 201",
     "WhatIfRequestSchema", "WhatIfJobSchema"),
    ("/api/what-if/{job_id}", "get", "A what-if job: its progress, then its result", None, "WhatIfJobSchema"),
    # The officer workspace (web/api/workspace_api.py, personal_api.py, public_api.py).
    ("/api/inbox", "get", "My steps and my units' queues (?scope=&procedure=&sla=&q=&sort=&page=&per_page=)", None,
     "InboxPageSchema"),
    ("/api/tasks/{task_id}/assign", "post", "A leader hands a step to an officer", "AssignSchema", None),
    ("/api/tasks/{task_id}/override", "post", "A leader records a step as handled outside the system, or moves "
     "the case past it, with a reason", "OverrideSchema", "MovedSchema"),
    ("/api/receptions", "post", "Receive a dossier at the counter (accept, supplement, refuse); 201", "ReceptionSchema",
     "ReceivedSchema"),
    ("/api/receptions/{ref}", "get", "A counter record (dossier or slip)", None, "ReceptionRecordSchema"),
    ("/api/dossiers", "get", "Search dossiers (?code=&applicant=&procedure=&status=&unit=&from=&to=&sla=&page=)", None,
     "DossierPageSchema"),
    ("/api/dossiers/{code}", "get", "A dossier with steps, counter record, attachments, comments", None,
     "DossierDetailSchema"),
    ("/api/dossiers/{code}/timeline", "get", "Every event of a dossier with step results", None,
     "TimelineEntrySchema"),
    ("/api/dossiers/{code}/comments", "get", "A dossier's comments (a list)", None, "CommentSchema"),
    ("/api/dossiers/{code}/comments", "post", "Comment on a dossier; 201", "CommentInSchema", "CommentSchema"),
    ("/api/dossiers/{code}/attachments", "get", "A dossier's attachments (a list)", None, "AttachmentSchema"),
    ("/api/dossiers/{code}/attachments", "post", "Attach a file (base64; PDF, PNG, JPEG, TIFF ≤ 10 MB); 201",
     "UploadSchema", "AttachmentSchema"),
    ("/api/attachments/{attachment_id}", "get", "An attachment's bytes", None, None),
    ("/api/dossiers/{code}/apology", "post", "Ask for an apology and a new appointment; 201", "ApologyInSchema",
     "ApologySchema"),
    ("/api/dossiers/{code}/withdraw", "post", "The applicant withdrew the dossier (status 7)", "ReasonSchema",
     "DossierViewSchema"),
    ("/api/dossiers/{code}/stop", "post", "Stop handling the dossier (status 8; leaders)", "ReasonSchema",
     "DossierViewSchema"),
    ("/api/apologies", "get", "Apologies waiting for my signature (a list)", None, "ApologySchema"),
    ("/api/apologies/{apology_id}/sign", "post", "Sign an apology (the appointment moves once)", "ApologySignSchema",
     "ApologySchema"),
    ("/api/apologies/{apology_id}/dismiss", "post", "Decline an apology request", None, "ApologySchema"),
    ("/api/dashboard", "get", "Leader dashboard figures (?from=&to=&period=)", None, "DashboardSchema"),
    ("/api/substitutes", "get", "My delegations given and received (a list)", None, "SubstituteSchema"),
    ("/api/substitutes", "post", "Name a substitute for a date range; 201", "SubstituteInSchema", "SubstituteSchema"),
    ("/api/substitutes/{substitution_id}/revoke", "post", "End a delegation early", None, "SubstituteSchema"),
    ("/api/notifications", "get", "My notifications, newest first (a list; ?unread=1)", None, "NotificationSchema"),
    ("/api/notifications/read", "post", "Mark notifications read", "MarkReadSchema", None),
    ("/api/public/lookup", "post", "Citizen lookup by code AND ID number (no login; rate limited; 404 alike)",
     "LookupSchema", "PublicDossierSchema"),
    ("/api/public/rating", "post", "Citizen rating of a finished dossier, once (no login; rate limited); 201",
     "RatingSchema", None),
    # The internal audit programme (web/api/audit_programme_api.py).
    ("/api/audit/programme", "get", "The year's audit plans and the units they covered (?year=)", None,
     "AuditProgrammeSchema"),
    ("/api/audit/programme", "post", "Plan an audit (independent auditors) and draw its sample; 201",
     "AuditPlanInSchema", "AuditPlanViewSchema"),
    ("/api/audit/programme/{code}", "get", "An audit: sample, checklist, findings", None, "AuditPlanViewSchema"),
    ("/api/audit/programme/{code}/answers", "post", "Answer a checklist item with evidence", "ChecklistAnswerInSchema",
     "ChecklistItemSchema"),
    ("/api/audit/programme/{code}/findings", "post", "Record a finding (a nonconformity starts QT-CAPA-01); 201",
     "AuditFindingInSchema", "AuditFindingMadeSchema"),
    ("/api/audit/programme/{code}/close", "post", "Close an audit (every item answered)", None, "AuditPlanSchema"),
    # Administration (web/api/admin_api.py, admin_records_api.py): administrators (quan_tri) within their units.
    ("/api/admin/roles", "get", "Every role with its number of holders (a list; ?retired=1)", None, "RoleSchema"),
    ("/api/admin/roles", "post", "Add a role; 201", "RoleInSchema", "RoleSchema"),
    ("/api/admin/roles/{code}/rename", "post", "Rename a role (its code stays)", "NameSchema", "RoleSchema"),
    ("/api/admin/roles/{code}/retire", "post", "Retire a role (409 while in force in a procedure or held)", None,
     "RoleSchema"),
    ("/api/admin/users", "get", "The accounts this administrator manages (a list; ?active=1)", None, "UserSchema"),
    ("/api/admin/users", "post", "Create an account with a temporary password (shown once); 201", "UserInSchema",
     "PasswordGivenSchema"),
    ("/api/admin/users/{username}", "get", "An account with its roles", None, "UserSchema"),
    ("/api/admin/users/{username}", "patch", "Change full name, email or phone", "UserEditSchema", "UserSchema"),
    ("/api/admin/users/{username}/deactivate", "post", "Deactivate an account (409 while it holds claimed steps)",
     None, "UserSchema"),
    ("/api/admin/users/{username}/reactivate", "post", "Reactivate an account", None, "UserSchema"),
    ("/api/admin/users/{username}/reset-password", "post", "A temporary password, changed at the next login", None,
     "PasswordGivenSchema"),
    ("/api/admin/memberships", "post", "Grant a role in a unit (changed: false when held already)",
     "MembershipInSchema", "MembershipSchema"),
    ("/api/admin/memberships/revoke", "post", "Revoke a role in a unit", "MembershipInSchema", "MembershipSchema"),
    ("/api/admin/units", "get", "The unit tree with roles and holders (a list)", None, "UnitEntrySchema"),
    ("/api/admin/delegations", "get", "Delegations of people in these units (a list; ?all=1)", None,
     "DelegationSchema"),
    ("/api/admin/tokens", "get", "Tokens of the accounts managed (a list; ?username=)", None, "TokenSchema"),
    ("/api/admin/tokens", "post", "Issue a token for an account (shown once); 201", "TokenInSchema",
     "IssuedTokenSchema"),
    ("/api/admin/tokens/{token_id}/revoke", "post", "Revoke anyone's token within these units", None,
     "RevokedSchema"),
    ("/api/admin/staff-import/preview", "post", "What a staff list would do, and its wrong rows", "StaffFileSchema",
     "StaffPlanSchema"),
    ("/api/admin/staff-import", "post", "Import a staff list, all or nothing (422 per wrong row)", "StaffFileSchema",
     "StaffPlanSchema"),
    ("/api/admin/history", "get", "The administration log, newest first (a list; ?limit=&before=)", None,
     "AdminEventSchema"),
    ("/api/me/tokens", "get", "My API tokens (a list)", None, "TokenSchema"),
    ("/api/me/tokens/{token_id}/revoke", "post", "Revoke one of my tokens", None, "RevokedSchema"),
    ("/api/me/password", "post", "Change my password; my sessions end", "PasswordChangeSchema", None),
]


# The operations that answer a JSON array of their schema (the others answer one object).
LISTS = {("/api/procedures", "get"), ("/api/tasks", "get"), ("/api/cases/{ref}/history", "get"),
         ("/api/procedures/{code}/versions", "get"), ("/api/procedures/{code}/migrations", "get"),
         ("/api/dossiers/{code}/timeline", "get"), ("/api/dossiers/{code}/comments", "get"),
         ("/api/dossiers/{code}/attachments", "get"), ("/api/apologies", "get"), ("/api/substitutes", "get"),
         ("/api/notifications", "get"), ("/api/admin/roles", "get"), ("/api/admin/users", "get"),
         ("/api/admin/units", "get"), ("/api/admin/delegations", "get"), ("/api/admin/tokens", "get"),
         ("/api/admin/history", "get"), ("/api/me/tokens", "get")}
ID = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}  # ids are 32-bit (web/guards.py IdConverter)
TEXT, DAY = {"type": "string"}, {"type": "string", "format": "date"}
PAGE = {"page": {"type": "integer", "minimum": 1, "maximum": 100_000},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}
SLA = {"type": "string", "enum": ["due_soon", "overdue"]}
# Query parameters (web/request_args.py reads them; unreadable filters are dropped, pages out of range are 400).
QUERY: dict[tuple[str, str], dict[str, dict]] = {
    ("/api/inbox", "get"): {"scope": {"type": "string", "enum": ["all", "mine", "queue"]}, "procedure": TEXT,
                            "sla": SLA, "q": TEXT, "sort": TEXT, **PAGE},
    ("/api/dossiers", "get"): {"code": TEXT, "applicant": TEXT, "procedure": TEXT, "status": {"type": "integer"},
                               "unit": TEXT, "from": DAY, "to": DAY, "sla": SLA, "sort": TEXT, **PAGE},
    ("/api/dashboard", "get"): {"from": DAY, "to": DAY,
                                "period": {"type": "string", "enum": ["week", "month", "quarter", "year"]}},
    ("/api/notifications", "get"): {"unread": TEXT},
    ("/api/procedures/{code}/diff", "get"): {"from": ID, "to": ID},
    ("/api/procedures/{code}/versions/{version}/bpmn", "get"): {"download": TEXT},
    ("/api/audit/programme", "get"): {"year": {"type": "integer", "minimum": 2000, "maximum": 2100}},
    ("/api/admin/roles", "get"): {"retired": TEXT},
    ("/api/admin/users", "get"): {"active": TEXT},
    ("/api/admin/delegations", "get"): {"all": TEXT},
    ("/api/admin/tokens", "get"): {"username": TEXT},
    ("/api/admin/history", "get"): {"limit": {"type": "integer", "minimum": 1, "maximum": 1000}, "before": ID},
}


def spec_document() -> dict:
    """The OpenAPI document as a dict."""
    spec = APISpec(title="quytrinh API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name in ("ErrorSchema", "DefinitionSchema", "EventSchema", "TaskSchema", "TaskDetailSchema", "CompleteSchema",
                 "StartSchema", "MovedSchema", "MeSchema"):
        spec.components.schema(name.removesuffix("Schema"), schema=getattr(schemas, name))
    for name in procedure_schemas.__all__:
        if name.removesuffix("Schema") not in spec.components.schemas:  # nested ones register themselves
            spec.components.schema(name.removesuffix("Schema"), schema=getattr(procedure_schemas, name))
    for name, schema in workspace_schemas.SCHEMAS.items():
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
    for name, schema in {**audit_schemas.SCHEMAS, **admin_schemas.SCHEMAS, **what_if_schemas.SCHEMAS}.items():
        if name not in spec.components.schemas:
            spec.components.schema(name, schema=schema)
    for path, method, summary, body, reply in ROUTES:
        shape: dict | str = reply.removesuffix("Schema") if reply else ""
        if shape and (path, method) in LISTS:
            shape = {"type": "array", "items": {"$ref": f"#/components/schemas/{shape}"}}
        status = "201" if summary.endswith("; 201") else "200"  # a creation answers 201 with the same body
        op: dict = {"summary": summary, "security": [{"bearer": []}], "responses": {
            status: {"description": "OK", **({"content": {"application/json": {"schema": shape}}} if shape else {})},
            "default": {"description": "Error", "content": {"application/json": {"schema": "Error"}}}}}
        if body:
            content = {"application/json": {"schema": body.removesuffix("Schema")}}
            op["requestBody"] = {"required": True, "content": content}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        op["parameters"] = [{"name": p, "in": "path", "required": True,
                             "schema": ID if p.endswith("_id") or p == "version" else {"type": "string"}}
                            for p in params] + [{"name": n, "in": "query", "schema": t} for n, t in
                                                QUERY.get((path, method), {}).items()]
        if not op["parameters"]:
            del op["parameters"]
        if path.startswith("/api/public/"):
            op["security"] = []  # the citizen's endpoints need no login
        spec.path(path=path, operations={method: op})
    return spec.to_dict()
