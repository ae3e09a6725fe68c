"""Conformance of an event log exported by another one-stop system, against a procedure version of ours.

The log is XES or CSV. A CSV names its columns as it likes: a mapping says which column is the case,
the activity, the timestamp and (optionally) the resource; without one the XES names, then
case_id/activity/timestamp, are looked for. Activities are matched to the version's steps by element
id or by step name (case, accents and spacing ignored). Every row is checked first; a file with any
wrong row (missing column, unparsable date, unknown activity, empty case) gets the list of those rows
in Vietnamese and no figures. Nothing is ever stored: the verdicts are those audits.conformance gives
quytrinh's own cases, with no role checks (the other system's people hold no roles here).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field

from processes.catalog import deployed_versions
from processes.db import Database
from processes.errors import InvalidInput, NotFound

from .conformance import CaseConformance, ModelCatalog, ProcedureConformance, ProcedureModel, check_log
from .eventlogs import ACTIVITY_KEY, CASE_KEY, LIFECYCLE_KEY, RESOURCE_KEY, TIMESTAMP_KEY, read_xes

ROLES = ("case", "activity", "timestamp", "resource")
DEFAULT_COLUMNS = {"case": (CASE_KEY, "case_id", "case"), "activity": (ACTIVITY_KEY, "activity"),
                   "timestamp": (TIMESTAMP_KEY, "timestamp", "time"), "resource": (RESOURCE_KEY, "resource")}
ROLE_NAMES = {"case": "mã hồ sơ (case)", "activity": "bước (activity)", "timestamp": "thời điểm (timestamp)",
              "resource": "người thực hiện (resource)"}
# Dates as Vietnamese systems export them, after ISO 8601.
DATE_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S")
MAX_PROBLEMS = 200  # a wholly wrong file is reported by its first rows, not by all of them


@dataclass(frozen=True)
class RowProblem:
    """What is wrong in one row of the file (line number of a CSV, or trace/event of an XES)."""

    row: str
    column: str
    value: str
    message: str


@dataclass
class ExternalCheck:
    """The result of checking a log: its figures, or the rows that stop it from being checked."""

    file_name: str
    procedure: str
    version: int
    cases: int = 0
    events: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    figures: ProcedureConformance | None = None
    verdicts: list[CaseConformance] = field(default_factory=list)
    step_names: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every row could be read and the log was checked."""
        return not self.problems


def parse_mapping(text: str | None) -> dict[str, str]:
    """'case=Mã hồ sơ,activity=Bước' → {"case": "Mã hồ sơ", "activity": "Bước"}; unknown roles refused."""
    out: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        role, sep, column = part.partition("=")
        role = role.strip().lower()
        if not sep or role not in ROLES or not column.strip():
            raise InvalidInput.of("log_mapping_invalid", part=part.strip(), roles=", ".join(ROLES))
        out[role] = column.strip()
    return out


def _fold(text: str) -> str:
    """Lower case, no accents (đ → d), single spaces: how a person would still recognise a step's name."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", plain).strip().lower()


def parse_time(text: str) -> dt.datetime | None:
    """An ISO 8601 or dd/mm/yyyy [HH:MM[:SS]] instant (naive: Vietnam time), None when it is neither."""
    value = text.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _rows(name: str, data: bytes, mapping: dict[str, str]) -> tuple[list[tuple[str, dict[str, str]]], list[RowProblem]]:
    """(row label, {role: value}) of every event, or the problem of a file that cannot be read at all."""
    if name.lower().endswith((".xes", ".xes.gz")):
        try:
            traces = read_xes(data)
        except Exception as exc:  # lxml's and gzip's errors alike: the file is not a log
            return [], [RowProblem("—", "", "", f"Không đọc được tệp XES: {exc}")]
        out = []
        for t, trace in enumerate(traces, 1):
            for e, ev in enumerate(trace.events, 1):
                if ev.lifecycle not in (None, "", "complete"):
                    continue  # start/suspend events say nothing of what was done
                out.append((f"vết {t}, sự kiện {e}", {
                    "case": trace.case_id, "activity": ev.activity, "resource": ev.resource or "",
                    "timestamp": ev.timestamp.isoformat() if ev.timestamp else ""}))
        return out, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowProblem("—", "", "", "Tệp CSV phải được lưu bằng mã UTF-8.")]
    first = text.split("\n", 1)[0]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",") else ",")
    columns = reader.fieldnames or []
    chosen: dict[str, str] = {}
    problems = []
    for role in ROLES:
        column = mapping.get(role) or next((c for c in DEFAULT_COLUMNS[role] if c in columns), None)
        if column is not None and column in columns:
            chosen[role] = column
        elif role != "resource" or role in mapping:
            problems.append(RowProblem("1", column or "", "", f"Thiếu cột {ROLE_NAMES[role]}"
                                       + (f" '{column}'" if column else "") + f"; các cột của tệp: "
                                       f"{', '.join(columns) or 'không có'}."))
    if problems:
        return [], problems
    lifecycle = LIFECYCLE_KEY if LIFECYCLE_KEY in columns else None
    out = []
    for line, row in enumerate(reader, 2):
        if lifecycle and (row.get(lifecycle) or "complete").strip().lower() != "complete":
            continue
        out.append((str(line), {role: (row.get(column) or "").strip() for role, column in chosen.items()}))
    return out, []


def _version(db: Database, code: str, version: int | None) -> tuple[int, ProcedureModel]:
    with db.read() as conn:
        rows = [r for r in deployed_versions(conn) if r.code == code]
    if not rows:
        raise NotFound.of("log_procedure_unknown", procedure=code)
    chosen = rows[-1] if version is None else next((r for r in rows if r.version == version), None)
    if chosen is None:
        raise NotFound.of("log_version_unknown", procedure=code, version=version)
    return chosen.version, ProcedureModel.from_xml(chosen.bpmn_xml, chosen.version, chosen.process_id)


def check_external_log(db: Database, file_name: str, data: bytes, procedure: str, version: int | None = None,
                       mapping: dict[str, str] | None = None) -> ExternalCheck:
    """Read and check a log against a procedure version (its latest without `version`); stores nothing."""
    number, model = _version(db, procedure, version)
    result = ExternalCheck(file_name, procedure, number, step_names=dict(model.names))
    rows, result.problems = _rows(file_name, data, mapping or {})
    steps = {sid: sid for sid in model.translation.activities}
    steps.update({_fold(model.names.get(sid, sid)): sid for sid in model.translation.activities})
    events: dict[str, list[tuple[dt.datetime, int, str, str]]] = {}
    for order, (label, row) in enumerate(rows):
        if len(result.problems) >= MAX_PROBLEMS:
            break
        case, activity, stamp = row.get("case", ""), row.get("activity", ""), row.get("timestamp", "")
        at = parse_time(stamp) if stamp else None
        step = steps.get(activity) or steps.get(_fold(activity))
        if not case:
            result.problems.append(RowProblem(label, "case", case, "Dòng không có mã hồ sơ."))
        if at is None:
            result.problems.append(RowProblem(label, "timestamp", stamp, "Không đọc được thời điểm (ghi theo "
                                              "ISO 8601, ví dụ 2025-03-14T09:30:00+07:00, hoặc 14/03/2025 09:30)."))
        if step is None:
            result.problems.append(RowProblem(label, "activity", activity, f"Bước '{activity}' không có trong "
                                              f"quy trình {procedure} (lần ban hành {number})."))
        if case and at is not None and step is not None:
            events.setdefault(case, []).append((at, order, step, row.get("resource", "")))
    if not rows and not result.problems:
        result.problems.append(RowProblem("—", "", "", "Tệp không có sự kiện nào."))
    if result.problems:
        return result
    logs = {}
    for case, items in events.items():
        items.sort()  # by time; rows at the same instant keep their order in the file
        logs[case] = ([{"activity": model.process_id, "lifecycle": "case_start", "actor": None,
                        "payload": {"version": number}}]
                      + [{"activity": step, "lifecycle": "complete", "actor": who or None, "payload": {}}
                         for _, _, step, who in items]
                      + [{"activity": model.process_id, "lifecycle": "case_complete", "actor": None, "payload": {}}])
    figures, result.verdicts = check_log(logs, ModelCatalog([model]))
    result.figures = figures.get(model.code)
    result.cases, result.events = len(logs), sum(len(v) for v in events.values())
    return result
