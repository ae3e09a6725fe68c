"""The statutory one-stop forms (receipt, supplement request, refusal, apology, stop notice,
process-control sheet, tracking book) generated from dossier data as PDF or DOCX."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import vn
from .data import DossierData, form_context
from .layout import Document
from .pdf import render_pdf
from .templates import compose, template_for
from .word import render_docx

DOSSIER_FORMS = ("receipt", "supplement_request", "refusal", "apology", "stop_notice", "control_sheet")
FORMATS = ("pdf", "docx")


def render(doc: Document, fmt: str = "pdf") -> bytes:
    """A Document as 'pdf' or 'docx' bytes."""
    if fmt == "pdf":
        return render_pdf(doc)
    if fmt == "docx":
        return render_docx(doc)
    raise ValueError(f"unknown format {fmt!r} (pdf or docx)")


def document_date(form: str, dossier: DossierData, today: dt.date | None = None) -> dt.date:
    """The date a form bears: as given on the dossier, the reception date for a receipt, else today."""
    if dossier.document_date:
        return dossier.document_date
    if form == "receipt" and dossier.received_at:
        return vn.as_date(dossier.received_at)
    return today or vn.as_date(dt.datetime.now(dt.UTC))


def build_form(form: str, dossier: DossierData, base_url: str = "", on_date: dt.date | None = None) -> Document:
    """One statutory form for a dossier, from the template version in force on the document's date."""
    if form not in DOSSIER_FORMS:
        raise ValueError(f"unknown form {form!r}; one of {', '.join(DOSSIER_FORMS)}")
    day = on_date or document_date(form, dossier)
    template = template_for(form, day)
    return compose(template, form_context(dossier, base_url, day))


def render_form(form: str, dossier: DossierData, fmt: str = "pdf", base_url: str = "",
                on_date: dt.date | None = None) -> bytes:
    """One statutory form for a dossier as PDF or DOCX bytes."""
    return render(build_form(form, dossier, base_url, on_date), fmt)


def tracking_row(dossier: DossierData) -> dict[str, Any]:
    """One line of the tracking book for a dossier."""
    transferred = dossier.steps[0].handed_over_at if dossier.steps else None
    return {**form_context(dossier), "transferred_at": transferred}


def build_tracking_book(dossiers: list[DossierData], start: dt.date, end: dt.date, agency: str = "",
                        receiving_unit: str = "Bộ phận Một cửa", parent_agency: str = "",
                        on_date: dt.date | None = None) -> Document:
    """The tracking book (sổ theo dõi hồ sơ) of the dossiers received from `start` to `end`, landscape A4."""
    inside = [d for d in dossiers if d.received_at is None or start <= vn.as_date(d.received_at) <= end]
    inside.sort(key=lambda d: (d.received_at or dt.datetime.min.replace(tzinfo=dt.UTC), d.code))
    day = on_date or end
    first = inside[0] if inside else None
    context = {
        "agency": agency or (first.agency if first else ""), "parent_agency": parent_agency,
        "receiving_unit": receiving_unit, "period_from": start, "period_to": end, "document_date": day,
        "dossiers": [tracking_row(d) for d in inside], "dossier_count": str(len(inside)),
    }
    return compose(template_for("tracking_book", day), context)


def render_tracking_book(dossiers: list[DossierData], start: dt.date, end: dt.date, fmt: str = "pdf",
                         **kwargs: Any) -> bytes:
    """The tracking book for a date range as PDF or DOCX bytes."""
    return render(build_tracking_book(dossiers, start, end, **kwargs), fmt)
