"""Field messages: what is wrong with one value a person typed, each with a stable code and its params.

A FieldError reads as its English text (API replies keep that text, logs and the CLI show it) and carries
`code` and `params`, so web/ says it in the reader's language from the .po catalogs without reading the
English back. Error dicts map field names to FieldErrors; a plain string there is either a bare code
("required") or a message nobody has coded yet (shown as it is).
"""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, str] = {
    # engine/forms.py: a step's form
    "required": "this field is required",
    "whole_number": "must be a whole number",
    "at_least": "must be at least {min}",
    "at_most": "must be at most {max}",
    "min_length": "must have at least {min} characters",
    "max_length": "must have at most {max} characters",
    "date": "must be a date written YYYY-MM-DD",
    "one_of": "must be one of: {allowed}",
    "boolean": "must be true or false",
    "text": "must be text",
    "unknown_field": "unknown field for this step",
    "identifier": "field names must be identifiers",
    "not_object": "completion data must be a JSON object",
    "data_too_large": "completion data is too large",
    # engine/form_rules.py: conditional rules (other: a field's label or a fact_* error naming a case fact)
    "not_before": "must not be before {other} ({date})",
    "not_after": "must not be after {other} ({date})",
    "not_future": "must not be in the future",
    "pattern": "does not have the required form",
    "fact_received_at": "the reception date (received_at)",
    "fact_notified_at": "the supplement request date (notified_at)",
    "fact_today": "today's date",
    # processes/attachments.py: an uploaded file
    "file_empty": "empty file",
    "file_too_large": "at most {mb} MB",
    "file_type": "accepted: {types}",
    "file_content": "not a real .{ext} file",
    "in_file": "{name}: {problem}",  # problem: the FieldError of the file called name
    # processes/comments.py, substitutes.py, ratings.py
    "too_long": "at most {max} characters",
    "self_substitute": "a user cannot stand in for themselves",
    "range_reversed": "the range ends before it starts",
    "delegation_too_long": "a delegation lasts at most {days} days",
    "range_over": "the range is already over",
    "no_active_user": "no active user with this name",
    "other_agency": "must work in the same agency",
    "score": "choose one of the five levels",
    # web/: what a page asks for
    "period_too_long": "at most one year after from",
    # processes/reception.py: the counter form
    "id_number": "6-20 letters or digits (CCCD: 12 digits)",
    "phone": "not a phone number",
    "email": "not an e-mail address",
    "channel": "choose how the dossier was submitted",
    "missing_items": "say what is missing",
    "refusal_reason": "say why the dossier is refused",
    "papers_too_many": "at most {max} papers",
    "paper_name": "name the paper (at most {max} characters)",
    "paper_kind": "kind must be one of {allowed}",
    "paper_sets": "{min} to {max} sets",
}


class FieldError(str):
    """A field message: its English text, with `code` and `params` for translation."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> FieldError:
        self = super().__new__(cls, TEMPLATES[code].format(**params))
        self.code = code
        self.params = dict(params)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own reduction would rebuild from the English text, which is not a code.
        return _rebuild, (self.code, self.params)


def _rebuild(code: str, params: dict[str, Any]) -> FieldError:
    return FieldError(code, **params)


class BadValue(ValueError):
    """A value a field cannot take; `error` says why, coded."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.error = FieldError(code, **params)
        super().__init__(str(self.error))
