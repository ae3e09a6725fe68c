"""Marshmallow schemas of the workspace's JSON API (inbox, reception, dossiers, dashboard, citizen lookup).

The output schemas dump the views of processes/ (dataclasses) as they are: datetimes are real DateTime
fields (ISO 8601 with the timezone offset, `format: date-time` in the OpenAPI document), formatted here only.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

# The dashboard's, the personal and the citizens' schemas live in modules of their own; imported here so SCHEMAS
# (the OpenAPI list) has them.
from .dashboard_schemas import CountsSchema, DashboardSchema, OverdueDossierSchema, OverdueStepSchema  # noqa: F401
from .personal_schemas import MarkReadSchema, NotificationSchema, SubstituteInSchema, SubstituteSchema  # noqa: F401
from .public_schemas import LookupSchema, PublicDossierSchema, RatingSchema  # noqa: F401

CHANNELS = ("truc_tiep", "truc_tuyen", "buu_chinh")


class InboxItemSchema(Schema):
    """A step in an inbox with its dossier and SLA state."""

    id = fields.String(required=True)
    element_id = fields.String()
    name = fields.String()
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    sla_state = fields.String(allow_none=True, metadata={"enum": ["on_track", "due_soon", "overdue"]})
    instance_id = fields.Integer()
    code = fields.String()
    procedure = fields.String()
    procedure_name = fields.String()
    applicant_name = fields.String(allow_none=True)
    appointment_at = fields.DateTime(allow_none=True)


class InboxPageSchema(Schema):
    """One page of an inbox. `total` counts the inbox's steps up to 1,000: when `more` is true the inbox holds
    more than `total` steps (and `pages` is at least the next page while this page is full)."""

    items = fields.List(fields.Nested(InboxItemSchema))
    total = fields.Integer()
    more = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class AssignSchema(Schema):
    """Body of a reassignment."""

    assignee = fields.String(required=True, validate=validate.Length(min=1, max=80))


class OverrideSchema(Schema):
    """Body of a step handled outside the system ("outside") or passed over ("skip"): the reason is required,
    the step's values (what the next gateway reads) optional; the use case checks each in Vietnamese."""

    kind = fields.String(load_default="outside", metadata={"enum": ["outside", "skip"]})
    reason = fields.String(load_default="")
    data = fields.Dict(load_default=dict)


class ApplicantSchema(Schema):
    """Who brings the dossier."""

    name = fields.String(required=True)
    id_number = fields.String(required=True)
    address = fields.String(load_default="")
    phone = fields.String(load_default="")
    email = fields.String(load_default="")
    channel = fields.String(load_default="truc_tiep", validate=validate.OneOf(CHANNELS))


class DocumentItemSchema(Schema):
    """One paper of the checklist."""

    name = fields.String(required=True)
    kind = fields.String(load_default="original",
                         validate=validate.OneOf(("original", "certified", "photocopy", "electronic")))
    sets = fields.Integer(load_default=1, validate=validate.Range(min=1, max=20))


class UploadSchema(Schema):
    """A file sent inside JSON."""

    filename = fields.String(required=True)
    content_base64 = fields.String(required=True)
    task = fields.String(load_default=None, allow_none=True)


class ReceptionSchema(Schema):
    """Body of a reception at the counter."""

    procedure = fields.String(required=True)
    outcome = fields.String(load_default="accepted", validate=validate.OneOf(("accepted", "supplement", "refused")))
    applicant = fields.Nested(ApplicantSchema, required=True)
    documents = fields.List(fields.Nested(DocumentItemSchema), load_default=list)
    form = fields.Dict(load_default=dict)
    note = fields.String(load_default="")
    unit = fields.String(load_default=None, allow_none=True)
    uploads = fields.List(fields.Nested(UploadSchema), load_default=list)


class ReceivedSchema(Schema):
    """What the counter issued."""

    reception_id = fields.Integer()
    ref = fields.String()
    outcome = fields.String()
    instance = fields.Integer(allow_none=True)
    appointment_at = fields.DateTime(allow_none=True)
    receipt_url = fields.String(allow_none=True)
    lookup_url = fields.String(allow_none=True)


class ReceptionRecordSchema(Schema):
    """A counter record: the accepted dossier's reception, or the slip of a supplement or a refusal."""

    id = fields.Integer()
    ref = fields.String()
    instance_id = fields.Integer(allow_none=True)
    procedure = fields.String()
    unit_id = fields.Integer()
    outcome = fields.String()
    applicant = fields.Nested(ApplicantSchema)
    documents = fields.List(fields.Dict())
    note = fields.String()
    officer = fields.String()
    created_at = fields.DateTime()


class DossierRowSchema(Schema):
    """A dossier in a search result."""

    instance_id = fields.Integer()
    code = fields.String()
    procedure = fields.String()
    procedure_name = fields.String()
    unit = fields.String()
    applicant_name = fields.String(allow_none=True)
    applicant_id_number = fields.String(allow_none=True)
    channel = fields.String()
    status_code = fields.Integer()
    status = fields.String()
    received_at = fields.DateTime()
    appointment_at = fields.DateTime(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    result = fields.String(allow_none=True)
    sla_state = fields.String(allow_none=True)
    current_steps = fields.String()


class DossierPageSchema(Schema):
    """One page of a dossier search. `total` counts up to 1,000: when `more` is true more dossiers match."""

    items = fields.List(fields.Nested(DossierRowSchema))
    total = fields.Integer()
    more = fields.Boolean()
    page = fields.Integer()
    per_page = fields.Integer()
    pages = fields.Integer()


class AnswerSchema(Schema):
    """One value a step's form took, with its label in the BPMN (an enum's option name as text)."""

    field = fields.String()
    label = fields.String()
    type = fields.String()
    value = fields.Raw()
    text = fields.String()


class StepFileSchema(Schema):
    """A file attached while a step was open."""

    id = fields.Integer()
    filename = fields.String()


class DecisionSchema(Schema):
    """A completed step with what it entered."""

    seq = fields.Integer()
    at = fields.DateTime()
    task = fields.String(allow_none=True)
    element_id = fields.String()
    step = fields.String()
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(AnswerSchema))
    files = fields.List(fields.Nested(StepFileSchema))


class TimelineEntrySchema(Schema):
    """One event of a dossier's timeline."""

    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True)
    lifecycle = fields.String()
    activity = fields.String()
    activity_name = fields.String()
    task = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    due_at = fields.String(allow_none=True, metadata={"description": "the step's due time as the event recorded it"})
    details = fields.Dict()
    answers = fields.List(fields.Nested(AnswerSchema), metadata={"description": "a completed step's values"})


class CommentInSchema(Schema):
    """Body of a new comment."""

    text = fields.String(required=True)
    task = fields.String(load_default=None, allow_none=True)


class CommentSchema(Schema):
    """A comment."""

    id = fields.Integer()
    instance_id = fields.Integer()
    task_uuid = fields.String(allow_none=True)
    author = fields.String()
    text = fields.String()
    created_at = fields.DateTime()


class AttachmentSchema(Schema):
    """An attachment (its file at /api/attachments/{id})."""

    id = fields.Integer()
    instance_id = fields.Integer()
    task_uuid = fields.String(allow_none=True)
    sha256 = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class DossierViewSchema(Schema):
    """A dossier with its SLA state at the moment asked (also the answer to a withdrawal or a stop)."""

    instance_id = fields.Integer()
    code = fields.String()
    procedure = fields.String()
    status_code = fields.Integer()
    status = fields.String()
    channel = fields.String()
    applicant_name = fields.String(allow_none=True)
    applicant_id_number = fields.String(allow_none=True)
    received_at = fields.DateTime()
    counted_from = fields.DateTime()
    appointment_at = fields.DateTime(allow_none=True)
    original_appointment_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    supplement_count = fields.Integer()
    paused_minutes = fields.Integer()
    late_marked = fields.Boolean()
    new_date_set = fields.Boolean()
    result = fields.String(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    returned_at = fields.DateTime(allow_none=True)
    sla_state = fields.String(allow_none=True)


class StepSchema(Schema):
    """A step of a dossier as its task row records it."""

    task = fields.String()
    element_id = fields.String()
    name = fields.String()
    state = fields.String()
    assignee = fields.String(allow_none=True)
    created_at = fields.DateTime()
    due_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)
    result = fields.String(allow_none=True)


class DossierDetailSchema(Schema):
    """A dossier with its steps, counter record, attachments and comments."""

    dossier = fields.Nested(DossierViewSchema, allow_none=True)
    counter = fields.Nested(ReceptionRecordSchema, allow_none=True)
    steps = fields.List(fields.Nested(StepSchema))
    decisions = fields.List(fields.Nested(DecisionSchema), metadata={"description": "what each step entered"})
    attachments = fields.List(fields.Nested(AttachmentSchema))
    comments = fields.List(fields.Nested(CommentSchema))


class ReasonSchema(Schema):
    """Body of a withdrawal or a stop."""

    reason = fields.String(load_default="", validate=validate.Length(max=500))


class ApologyInSchema(Schema):
    """Body of an apology request."""

    reason = fields.String(required=True)
    proposed_at = fields.AwareDateTime(load_default=None, allow_none=True)


class ApologySignSchema(Schema):
    """Body of a signature (the new date, else the proposed one)."""

    new_appointment_at = fields.AwareDateTime(load_default=None, allow_none=True)


class ApologySchema(Schema):
    """An apology request."""

    id = fields.Integer()
    dossier = fields.String()
    state = fields.String()
    reason = fields.String()
    appointment_at = fields.DateTime()
    proposed_at = fields.DateTime()
    requested_by = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    new_appointment_at = fields.DateTime(allow_none=True)


SCHEMAS = {name.removesuffix("Schema"): cls for name, cls in list(globals().items())
           if name.endswith("Schema") and isinstance(cls, type) and issubclass(cls, Schema) and cls is not Schema}
