"""What each kind of job does: the reports, the event-log export, the demo year, a bulk migration.

A kind takes the job's params and a `progress(done, total, message)` callback and returns what it made
(a file to offer, a summary). `describe` gives the title pages show and checks params before anything is
queued, so a bad request is refused at once instead of failing in the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import demo
from audits.export import export_text
from audits.report_data import build_annual_report
from audits.report_diagrams import bundled
from audits.reports import render_report
from processes import catalog, migration
from processes.clock import Clock
from processes.db import Database
from processes.errors import InvalidInput
from processes.setup import initialise, load_demo_organisation
from simulation import job as what_if_job

Progress = Callable[[int, int, str], None]

REPORT_TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
REPORT_NAMES = {"annual": "Báo cáo đánh giá nội bộ", "review": "Hồ sơ xem xét của lãnh đạo",
                "cchc": "Số liệu báo cáo cải cách hành chính"}
LOG_TYPES = {"xes": "application/xml", "csv": "text/csv; charset=utf-8"}
BPMN_DIR = Path(__file__).resolve().parent.parent / "bpmn"


@dataclass
class Made:
    """What a job produced: optionally a file (bytes, the name offered, its type), and a JSON summary."""

    content: bytes | None = None
    file_name: str | None = None
    content_type: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


def _year(params: dict[str, Any]) -> int:
    try:
        year = int(params["year"])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("year must be a number", {"year": "Năm không hợp lệ"}) from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("year out of range", {"year": "Năm không hợp lệ"})
    return year


def report_params(params: dict[str, Any]) -> tuple[int, str, str]:
    """(year, format, kind) of a report job, checked."""
    fmt, kind = params.get("fmt", "pdf"), params.get("kind", "annual")
    if fmt not in REPORT_TYPES or kind not in REPORT_NAMES:
        raise InvalidInput("unknown report", {"fmt": "Loại báo cáo không hợp lệ"})
    return _year(params), fmt, kind


def report_agencies(params: dict[str, Any]) -> list[str] | None:
    """The agencies a report job covers (those its reader oversees), or None: every agency (the CLI's jobs)."""
    found = params.get("agencies")
    if found is None:
        return None
    if not isinstance(found, list) or not all(isinstance(a, str) for a in found):
        raise InvalidInput("agencies must be a list of codes", {"agencies": "Đơn vị không hợp lệ"})
    return sorted(found)


# Vietnamese file names of what a report job makes (the audit page's direct downloads use them too).
REPORT_FILES = {"annual": "bao-cao-danh-gia-noi-bo-nam", "review": "ho-so-xem-xet-cua-lanh-dao-nam",
                "cchc": "bao-cao-cai-cach-hanh-chinh-nam"}
EVENT_LOG_FILE = "nhat-ky-su-kien"


def run_report(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """The annual report, the management-review pack or the CCHC figures as HTML, PDF or XLSX."""
    year, fmt, kind = report_params(params)
    progress(0, 3, f"Đang tổng hợp số liệu năm {year}…")
    built = build_annual_report(db, year, pictures=kind == "annual", png=fmt != "html",
                                agencies=report_agencies(params))
    progress(1, 3, f"Đang dựng tệp {fmt.upper()}…")
    body = render_report(built, fmt, kind, bundled() if fmt == "html" else None)  # a saved file: the viewer inline
    progress(2, 3, "Đang lưu tệp…")
    return Made(body, f"{REPORT_FILES[kind]}-{year}.{fmt}", REPORT_TYPES[fmt], {"headline": built.headline})


def run_event_log(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """The event log as XES or CSV, optionally of one procedure."""
    fmt, procedure = params.get("fmt"), params.get("procedure") or None
    if fmt not in LOG_TYPES:
        raise InvalidInput("format must be xes or csv")
    progress(0, 1, "Đang xuất nhật ký sự kiện…")
    body = export_text(db, fmt, procedure).encode("utf-8")
    return Made(body, f"{EVENT_LOG_FILE}{'-' + procedure if procedure else ''}.{fmt}", LOG_TYPES[fmt])


def run_demo(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """A simulated year of the demo district, then that year's internal audits."""
    year = _year(params)
    progress(0, 1, "Đang nạp tổ chức và quy trình mẫu…")
    initialise(db, clock)
    load_demo_organisation(db, clock)
    for path in sorted(Path(params.get("bpmn_dir") or BPMN_DIR).glob("*.bpmn")):
        catalog.deploy_file(db, path, clock, "iso")
    demo.fill_iso_metadata(db, clock)
    summary = demo.generate_year(db, year, float(params.get("scale", 1.0)), int(params.get("seed", 2025)),
                                 progress=lambda done, total: progress(done, total + 1,
                                                                       f"Đang mô phỏng ngày {done}/{total}…"))
    progress(1, 1, "Đang chạy các cuộc đánh giá nội bộ mẫu…")
    audits = demo.run_demo_audits(db, year)
    return Made(result={"dossiers": summary.dossiers, "completed": summary.completed, "plans": audits.plans,
                        "capa_cases": audits.capa_cases})


def run_migration(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """Move the running cases of a procedure from one version to another (one transaction: all or none)."""
    progress(0, 1, "Đang chuyển các hồ sơ sang phiên bản mới…")
    result = migration.migrate(db, clock, params["actor"], params["code"], int(params["source"]),
                               int(params["target"]), params.get("filters") or None)
    return Made(result=result)


def run_what_if(db: Database, clock: Clock, params: dict[str, Any], progress: Progress) -> Made:
    """A year simulated on the version in force and on a draft or another version (issue 18)."""
    return Made(result=what_if_job.run_what_if(db, params, progress))


RUNNERS: dict[str, Callable[[Database, Clock, dict[str, Any], Progress], Made]] = {
    "report": run_report, "event_log": run_event_log, "demo": run_demo, "migration": run_migration,
    "what_if": run_what_if}


def describe(kind: str, params: dict[str, Any]) -> str:
    """The title of a job of `kind` with `params` (Vietnamese); InvalidInput when they make no sense."""
    if kind == "report":
        year, fmt, which = report_params(params)
        return f"{REPORT_NAMES[which]} năm {year} ({fmt.upper()})"
    if kind == "event_log":
        if params.get("fmt") not in LOG_TYPES:
            raise InvalidInput("format must be xes or csv")
        return f"Nhật ký sự kiện ({str(params['fmt']).upper()})" + (
            f" – {params['procedure']}" if params.get("procedure") else "")
    if kind == "demo":
        return f"Dữ liệu mô phỏng năm {_year(params)}"
    if kind == "migration":
        missing = [k for k in ("actor", "code", "source", "target") if params.get(k) in (None, "")]
        if missing:
            raise InvalidInput(f"missing {', '.join(missing)}")
        return f"Chuyển hồ sơ {params['code']} từ phiên bản {params['source']} sang {params['target']}"
    if kind == "what_if":
        return what_if_job.describe(params)
    raise InvalidInput(f"unknown job kind {kind!r}")
