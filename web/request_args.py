"""What a request asks for, read from its query string or form: inbox filters, dossier search, dashboard
period, the counter form, a step's form, dates typed on forms. Pages and the JSON API read them the same way;
unreadable filters are dropped, unreadable form values refused with a coded field message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from engine.field_errors import FieldError
from processes import attachments, queries, reception
from processes.errors import InvalidInput
from processes.keys import VN

from .ui import UiField

SCOPES = ("all", "mine", "queue")
SLA_FILTERS = ("due_soon", "overdue")
MAX_PERIOD = dt.timedelta(days=3660)  # ten years: enough for any report, small enough to answer quickly
MAX_ID = 2**31 - 1  # ids are 32-bit integer columns: a larger number would overflow in PostgreSQL (a 500)
MAX_PAGE_NO = 100_000  # far beyond any list; the offset page × size must stay a 64-bit integer


class ArgumentOutOfRange(BadRequest):
    """A number in the query string beyond what any list or table holds: 400, with the field named."""

    def __init__(self, name: str) -> None:
        super().__init__(_("Giá trị của “%(name)s” quá lớn.", name=name))


def whole_number(args: Mapping[str, str], name: str, default: int, high: int = MAX_ID) -> int:
    """A whole number from the query string, else the default; above `high`, ArgumentOutOfRange (400)."""
    try:
        value = int(args.get(name, default))
    except ValueError:
        return default
    if value > high:
        raise ArgumentOutOfRange(name)
    return value


def page_number(args: Mapping[str, str]) -> int:
    """The page asked for (1 when unreadable or below 1); ArgumentOutOfRange beyond MAX_PAGE_NO."""
    return max(1, whole_number(args, "page", 1, MAX_PAGE_NO))


EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)  # a day after 9999-12-31 overflows (a 500)


def date_arg(text: str | None) -> dt.date | None:
    """An ISO date between EARLIEST and LATEST, else None."""
    try:
        day = dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is None or EARLIEST <= day <= LATEST else None


def inbox_args(args: Mapping[str, str]) -> dict[str, Any]:
    """The inbox filters from a query string, unknown values dropped."""
    return {"scope": args.get("scope") if args.get("scope") in SCOPES else "all",
            "procedure": args.get("procedure") or None,
            "sla_filter": args.get("sla") if args.get("sla") in SLA_FILTERS else None,
            "q": (args.get("q") or "").strip()[:100] or None,
            "sort": args.get("sort") if args.get("sort") in queries.TASK_SORTS else "due",
            "page": page_number(args),
            "per_page": min(queries.MAX_PAGE, max(1, whole_number(args, "per_page", 20)))}


def dossier_filter(args: Mapping[str, str]) -> queries.DossierFilter:
    """The search form's fields as a filter (unreadable values ignored)."""
    status = args.get("status")
    return queries.DossierFilter(
        code=(args.get("code") or "").strip()[:60] or None,
        applicant=(args.get("applicant") or "").strip()[:100] or None,
        procedure=args.get("procedure") or None,
        status=int(status) if status and status.isdigit() and len(status) < 4 else None,  # a 20-digit one overflows
        unit=args.get("unit") or None, received_from=date_arg(args.get("from")), received_to=date_arg(args.get("to")),
        sla=args.get("sla") if args.get("sla") in SLA_FILTERS else None)


def dossier_sort(args: Mapping[str, str]) -> str:
    """The dossier list's sort order (newest received first unless a known one is asked)."""
    return args.get("sort") if args.get("sort") in queries.DOSSIER_SORTS else "-received"  # type: ignore[return-value]


def _refuse_out_of_range(args: Mapping[str, str]) -> None:
    """A date typed as a date but outside EARLIEST..LATEST (issue 12 defect 4: 0001-01-01 … 9999-12-31): 400."""
    for name in ("from", "to"):
        text = args.get(name) or ""
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            continue  # not a date at all: the preset stands, as for an empty box
        if date_arg(text) is None:
            raise BadRequest(_("Ngày “%(day)s” nằm ngoài khoảng cho phép (từ năm 1900 đến năm 2999).", day=text))


def period(args: Mapping[str, str], today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for (from / to, or a preset), this month by default; a typed range of more than ten
    years, or a date outside EARLIEST..LATEST, is refused (400) rather than silently shortened."""
    preset = args.get("period", "month")
    _refuse_out_of_range(args)
    since, until = date_arg(args.get("from")), date_arg(args.get("to"))
    if since is not None and until is not None and abs(until - since) > MAX_PERIOD:
        raise BadRequest(_("Khoảng thời gian dài nhất là mười năm; hãy chọn khoảng ngắn hơn."))
    if (args.get("from") and since is None) or (args.get("to") and until is None):
        since = until = None  # one unreadable end: the whole range is unreadable
    if since is not None and until is None:
        until = max(since, today)
    elif until is not None and since is None:
        since = until.replace(day=1)
    if since is None or until is None:
        if preset == "year":
            since, until = today.replace(month=1, day=1), today
        elif preset == "quarter":
            since, until = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
        elif preset == "week":
            since, until = today - dt.timedelta(days=today.weekday()), today
        else:
            since, until = today.replace(day=1), today
    if until < since:
        since, until = until, since
    return max(since, until - MAX_PERIOD), until


def counter_form(form: Any, files: Any) -> tuple[reception.Counter, str]:
    """The counter form as a Counter and the chosen outcome."""
    applicant = reception.Applicant(**{k: (form.get(f"applicant.{k}") or "").strip()
                                       for k in ("name", "id_number", "address", "phone", "email", "channel")})
    documents = []
    for i in range(60):
        if form.get(f"doc.{i}.name") is None:
            continue
        if form.get(f"doc.{i}.present") or (form.get(f"doc.{i}.extra") and form.get(f"doc.{i}.name", "").strip()):
            documents.append({"name": form.get(f"doc.{i}.name", ""), "kind": form.get(f"doc.{i}.kind", "original"),
                              "sets": form.get(f"doc.{i}.sets") or 1})
    uploads = [reception.Upload(f.filename, f.read(attachments.MAX_BYTES + 1))
               for f in files.getlist("files") if f and f.filename]
    data = {k[5:]: v for k, v in form.items() if k.startswith("form.") and v.strip() != ""}
    return reception.Counter(applicant, documents, data, form.get("note", ""), uploads), form.get("outcome", "")


def form_values(fields: list[UiField], form: MultiDict) -> dict[str, Any]:
    """The submitted values as completion data: empty inputs left out, checkboxes true/false."""
    data: dict[str, Any] = {}
    for f in fields:
        if f.readonly:
            continue
        if f.input == "checkbox":
            data[f.id] = form.get(f.id) in ("on", "true", "1")
            continue
        value = (form.get(f.id) or "").strip()
        if value != "":
            data[f.id] = value
    return data


def form_date(form: Any, name: str) -> dt.date:
    """A date typed on a form (YYYY-MM-DD); InvalidInput naming the field otherwise."""
    try:
        return dt.date.fromisoformat(form.get(name) or "")
    except ValueError:
        raise InvalidInput(_("Ngày không hợp lệ."), {name: FieldError("date")}) from None


def office_day_end(form: Any, name: str) -> dt.datetime | None:
    """A date typed on a form as the end of that office day (17:00 Vietnam time), None when left empty."""
    if not form.get(name):
        return None
    return dt.datetime.combine(form_date(form, name), dt.time(17, 0), tzinfo=VN).astimezone(dt.UTC)
