"""The data a statutory form is generated from: a plain dossier record, independent of the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import quote

from . import vn


@dataclass
class DocumentItem:
    """One paper of the dossier checklist: its name, the kind of copy and how many sets."""

    name: str
    kind: str = "original"  # original | certified | photocopy | electronic
    sets: int = 1


@dataclass
class StepRecord:
    """One step the dossier went through: who held it, when it came and went, and how it did."""

    name: str
    role: str = ""
    officer: str = ""
    received_at: dt.datetime | None = None
    handed_over_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    result: str | None = None  # early | on_time | late
    note: str = ""


@dataclass
class DossierData:
    """Everything the statutory forms print about one dossier (missing values print as dots)."""

    code: str
    procedure_name: str = ""
    procedure_code: str = ""
    agency: str = ""
    parent_agency: str = ""
    receiving_unit: str = "Bộ phận Một cửa"
    place: str = ""
    applicant_name: str = ""
    applicant_id: str = ""
    applicant_address: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    channel: str = "truc_tiep"
    deadline: str = ""  # statutory time limit, ISO 8601 working time (P15D) or same_day
    received_at: dt.datetime | None = None
    appointment_at: dt.datetime | None = None
    new_appointment_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    documents: list[DocumentItem] = field(default_factory=list)
    steps: list[StepRecord] = field(default_factory=list)
    officer_name: str = ""
    head_name: str = ""
    head_title: str = "CHỦ TỊCH"
    handling_unit: str = ""
    reasons: list[str] = field(default_factory=list)
    apology_reason: str = ""
    status: str = ""
    result: str | None = None
    document_number: str = ""
    document_date: dt.date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DossierData:
        """Build from a plain dict (documents and steps as lists of dicts; ISO date strings accepted)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["documents"] = [d if isinstance(d, DocumentItem) else DocumentItem(**d)
                               for d in data.get("documents", [])]
        values["steps"] = [s if isinstance(s, StepRecord) else StepRecord(**_times(s)) for s in data.get("steps", [])]
        values.update(_times({k: values[k] for k in _TIME_FIELDS if k in values}))
        if isinstance(values.get("document_date"), str):
            values["document_date"] = dt.date.fromisoformat(values["document_date"])
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for JSON APIs and tests)."""
        return asdict(self)


_TIME_FIELDS = ("received_at", "appointment_at", "new_appointment_at", "done_at", "returned_at",
                "handed_over_at", "due_at")


def _times(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in _TIME_FIELDS:
        if isinstance(out.get(key), str):
            out[key] = dt.datetime.fromisoformat(out[key])
    return out


def lookup_url(base_url: str, code: str) -> str:
    """The citizen lookup address printed as a QR code on the receipt."""
    return f"{base_url.rstrip('/')}/tra-cuu?ma={quote(code, safe='')}"


def handovers(dossier: DossierData) -> list[dict[str, Any]]:
    """The process-control sheet's rows: each hand-over from one step to the next, with its result."""
    rows = []
    steps = dossier.steps
    for i, step in enumerate(steps):
        if step.handed_over_at is None:
            continue
        nxt = steps[i + 1] if i + 1 < len(steps) else None
        receiver = nxt.role if nxt else "Tổ chức, cá nhân"
        rows.append({
            "giver": step.role, "giver_officer": step.officer, "receiver": receiver,
            "receiver_officer": nxt.officer if nxt else dossier.applicant_name,
            "at": step.handed_over_at, "step": step.name, "result": step.result, "note": step.note,
        })
    return rows


def form_context(dossier: DossierData, base_url: str = "", on_date: dt.date | None = None) -> dict[str, Any]:
    """The flat context templates are filled from (dossier fields plus derived values)."""
    context = {f.name: getattr(dossier, f.name) for f in fields(dossier)}
    context.update(dossier.extra)
    context["document_date"] = on_date or dossier.document_date or vn.as_date(
        dossier.received_at or dt.datetime.now(vn.VN_TZ))
    context["lookup_url"] = lookup_url(base_url, dossier.code) if base_url else ""
    context["reason_items"] = [{"text": r} for r in dossier.reasons]
    context["handovers"] = handovers(dossier)
    # "Số lượng hồ sơ (bộ)": the dossier is as many sets as its most-copied paper asks for; adding up every
    # paper's copies printed "4 (bộ)" for two papers in two sets each (issue 13)
    context["total_sets"] = max((d.sets for d in dossier.documents), default=0) or None
    context.setdefault("receipt_number", dossier.document_number)
    context["channel_text"] = vn.channel_label(dossier.channel)
    context["agency_upper"] = vn.nfc(dossier.agency).upper()
    context.setdefault("return_place", f"{dossier.receiving_unit} – {dossier.agency}".strip(" –"))
    return context
