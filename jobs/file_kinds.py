"""Jobs that work on an uploaded file (staff import, CCHC plan import, external log check) and the mail job.

A page or the CLI first keeps the uploaded file under the jobs folder (`stash`: QUYTRINH_JOBS_DIR/uploads/,
shared storage when several machines run, like the job files), then starts the job with the file's place
in its params. The worker reads it from there; the file is deleted once the job is done (a failed job keeps
it for "Thử lại"; processes/job_files.py removes what is left after the keeping time).

Temporary passwords of accounts a staff import creates are never put in the job's record (the database):
they are the job's file, offered to the administrator who started it, deleted with the other job files.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import uuid
from pathlib import Path
from typing import Any

from audits.external_log import check_external_log, parse_mapping
from oversight import plan_import
from processes import jobs, mail_outbox, staff_import
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput

from .kinds import Made, Progress

UPLOADS = "uploads"
MAX_UPLOAD = 25 * 1024 * 1024  # as the web app's MAX_CONTENT_LENGTH


def stash(data: bytes, file_name: str) -> str:
    """Keep an uploaded file for a job; its place relative to the jobs folder (the job's `upload` param)."""
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("file too large", {"file": "Tệp lớn hơn 25 MB"})
    name = Path(file_name or "tep").name or "tep"
    relative = f"{UPLOADS}/{uuid.uuid4().hex}/{name}"
    target = jobs.jobs_dir() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return relative


def _upload(params: dict[str, Any]) -> tuple[str, bytes]:
    relative = str(params.get("upload") or "")
    parts = Path(relative).parts
    if len(parts) != 3 or parts[0] != UPLOADS or ".." in parts:
        raise InvalidInput("no uploaded file", {"file": "Thiếu tệp tải lên"})
    path = jobs.jobs_dir() / relative
    if not path.is_file():
        raise InvalidInput("uploaded file gone", {"file": "Tệp tải lên không còn; hãy tải lên lại"})
    return parts[2], path.read_bytes()


def _forget(params: dict[str, Any]) -> None:
    path = jobs.jobs_dir() / str(params["upload"])
    path.unlink(missing_ok=True)
    path.parent.rmdir()


def run_staff_import(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """The staff list (XLSX/CSV): a preview, or (apply=1) the accounts created, contacts updated, roles granted."""
    name, data = _upload(params)
    progress(0, 2, "Đang đọc danh sách cán bộ…")
    apply = str(params.get("apply", "")) in ("1", "true", "yes")
    actor = str(params.get("actor") or "")
    done = (staff_import.apply(db, actor, name, data, clock) if apply
            else staff_import.preview(db, actor, name, data))
    progress(1, 2, "Đang ghi kết quả…")
    result = {"applied": apply, "create": done.create, "update": sorted(done.update), "grant": done.grant,
              "unchanged": done.unchanged, "problems": staff_import.report(done.problems)}
    _forget(params)
    if not done.created:
        return Made(result=result)
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(["Tên đăng nhập", "Mật khẩu tạm thời"])
    for account in done.created:
        writer.writerow([account.username, account.temporary_password])
    return Made(("\ufeff" + sheet.getvalue()).encode("utf-8"), "mat-khau-tam-thoi.csv", "text/csv; charset=utf-8",
                {**result, "created": [a.username for a in done.created]})


def run_plan_import(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """The CCHC plan appendix of a year: a preview, or (apply=1) stored with a QT-CCHC-01 case per item."""
    name, data = _upload(params)
    year = int(params["year"])
    progress(0, 2, f"Đang đọc kế hoạch cải cách hành chính năm {year}…")
    if str(params.get("apply", "")) in ("1", "true", "yes"):
        made = plan_import.import_plan(db, data, year, str(params.get("actor") or ""), clock, name)
    else:
        made = plan_import.preview(db, data, year)
    progress(1, 2, "Đang ghi kết quả…")
    _forget(params)
    return Made(result={"stored": made.stored, "items": len(made.items), "budget": str(made.budget_total),
                        "errors": [f"Dòng {e.row}: {e.column}: {e.message}" for e in made.errors]})


def run_log_check(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """An event log exported by another system checked against a procedure version; nothing is kept but the
    figures (the page shows them as the synchronous check did)."""
    name, data = _upload(params)
    progress(0, 2, "Đang đọc và đối chiếu nhật ký…")
    version = params.get("version")
    mapping = params.get("mapping")
    check = check_external_log(db, name, data, str(params.get("procedure") or ""),
                               int(version) if version not in (None, "") else None,
                               mapping if isinstance(mapping, dict) else parse_mapping(mapping))
    progress(1, 2, "Đang ghi kết quả…")
    _forget(params)
    figures = None
    if check.figures is not None:
        figures = {**dataclasses.asdict(check.figures), "share_fitting": check.figures.share_fitting}
    return Made(result={"check": {
        "file_name": check.file_name, "procedure": check.procedure, "version": check.version, "ok": check.ok,
        "cases": check.cases, "events": check.events, "figures": figures,
        "problems": [dataclasses.asdict(p) for p in check.problems]}})


def run_mail(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """Send what the notification outbox holds now (immediate mails, due digests, citizens' messages); the
    worker's scheduler also does this every minute."""
    progress(0, 1, "Đang gửi thư và tin nhắn trong hộp thư đi…")
    sent = mail_outbox.drain(db, clock)
    return Made(result=dataclasses.asdict(sent))


def describe_upload(kind: str, params: dict[str, Any]) -> str:
    """The title of an upload job (Vietnamese); InvalidInput when its params make no sense."""
    _upload(params)
    name = Path(str(params["upload"])).name
    applying = str(params.get("apply", "")) in ("1", "true", "yes")
    if kind == "staff_import":
        if not params.get("actor"):
            raise InvalidInput("missing actor")
        return f"{'Nhập' if applying else 'Xem trước'} danh sách cán bộ từ tệp {name}"
    if kind == "plan_import":
        try:
            year = int(params["year"])
        except (KeyError, TypeError, ValueError):
            raise InvalidInput("year must be a number", {"year": "Năm không hợp lệ"}) from None
        if applying and not params.get("actor"):
            raise InvalidInput("missing actor")
        return f"{'Nhập' if applying else 'Xem trước'} kế hoạch cải cách hành chính năm {year} từ tệp {name}"
    if not params.get("procedure"):
        raise InvalidInput("missing procedure", {"procedure": "Hãy chọn quy trình"})
    return f"Đối chiếu nhật ký {name} với quy trình {params['procedure']}"


RUNNERS = {"staff_import": run_staff_import, "plan_import": run_plan_import, "log_check": run_log_check,
           "mail": run_mail}
UPLOAD_KINDS = ("staff_import", "plan_import", "log_check")
