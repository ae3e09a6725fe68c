"""The link between the officer pages and documents/: statutory forms of a dossier or a counter slip."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, request

from documents import DOSSIER_FORMS, DocumentItem, DossierData, render_form, render_tracking_book
from processes import reception
from processes.document_data import build_dossier_document_data, tracking_book_data

from .context import database

MIMETYPES = {"pdf": "application/pdf",
             "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def _with_counter(data: DossierData, counter: reception.ReceptionView | None) -> DossierData:
    """Add what only the counter record knows: contact details, the checklist, who received it."""
    if counter is None:
        return data
    a = counter.applicant
    data.applicant_name = data.applicant_name or a.name
    data.applicant_id = data.applicant_id or a.id_number
    data.applicant_address = a.address or data.applicant_address
    data.applicant_phone = a.phone or data.applicant_phone
    data.applicant_email = a.email or data.applicant_email
    data.channel = a.channel or data.channel
    if counter.documents:
        data.documents = [DocumentItem(d["name"], d.get("kind", "original"), int(d.get("sets", 1)))
                          for d in counter.documents]
    names = reception.names_of(database(), counter)
    data.officer_name = names["officer"] or data.officer_name
    if names["receiving_unit"]:
        data.receiving_unit = names["receiving_unit"]
    if counter.outcome != "accepted" and counter.note:
        data.reasons = [line.strip() for line in counter.note.splitlines() if line.strip()]
    return data


# The saved file's name in Vietnamese (no diacritics): "giay-tiep-nhan-H01-….pdf", not "receipt-….pdf".
FORM_FILES = {"receipt": "giay-tiep-nhan", "control_sheet": "phieu-kiem-soat", "supplement_request":
              "phieu-yeu-cau-bo-sung", "refusal": "phieu-tu-choi", "apology": "phieu-xin-loi",
              "stop_notice": "thong-bao-dung-xu-ly"}


def _reply(body: bytes, form: str, code: str, fmt: str) -> Response:
    reply = Response(body, mimetype=MIMETYPES[fmt])
    disposition = "inline" if fmt == "pdf" else "attachment"
    reply.headers["Content-Disposition"] = f"{disposition}; filename={FORM_FILES.get(form, form)}-{code}.{fmt}"
    reply.headers["X-Content-Type-Options"] = "nosniff"
    return reply


def dossier_document(instance_id: int, form: str, fmt: str) -> Response:
    """A statutory form of an accepted dossier (the caller checked the user may see it)."""
    if form not in DOSSIER_FORMS or fmt not in MIMETYPES:
        abort(404)
    data = build_dossier_document_data(database(), instance_id)
    data = _with_counter(data, reception.of_case(database(), instance_id))
    return _reply(render_form(form, data, fmt, base_url=request.url_root), form, data.code, fmt)


def slip_document(view: reception.ReceptionView, fmt: str) -> Response:
    """The supplement request or refusal handed over at the counter without receiving the dossier."""
    form = {"supplement": "supplement_request", "refused": "refusal"}.get(view.outcome)
    if form is None or fmt not in MIMETYPES:
        abort(404)
    names = reception.names_of(database(), view)
    data = DossierData(code=view.ref, procedure_name=names["procedure"], procedure_code=view.procedure,
                       agency=names["agency"], parent_agency=names["parent_agency"], received_at=view.created_at,
                       status=form)
    data = _with_counter(data, view)
    return _reply(render_form(form, data, fmt, base_url=request.url_root), form, view.ref, fmt)


def tracking_book(unit_id: int, agency: str, start: dt.date, end: dt.date, fmt: str) -> Response:
    """The tracking book (sổ theo dõi hồ sơ) of an agency's dossiers received from `start` to `end`."""
    if fmt not in MIMETYPES:
        abort(404)
    rows = tracking_book_data(database(), start, end, unit_id)
    body = render_tracking_book(rows, start, end, fmt, agency=agency)
    return _reply(body, "so-theo-doi", f"{start:%Y%m%d}-{end:%Y%m%d}", fmt)
