"""Reading event logs (XES, CSV) into traces: a case id and its events in order."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

CASE_KEY = "case:concept:name"
ACTIVITY_KEY = "concept:name"
TIMESTAMP_KEY = "time:timestamp"
RESOURCE_KEY = "org:resource"
LIFECYCLE_KEY = "lifecycle:transition"
# Column names other tools write for the same three things (pm4py notebooks, plain exports).
_PLAIN_COLUMNS = ("case_id", "activity", "timestamp")


@dataclass(frozen=True)
class LogEvent:
    """One event of a trace: the activity, when, by whom, and its lifecycle transition."""

    activity: str
    timestamp: dt.datetime | None = None
    resource: str | None = None
    lifecycle: str | None = None


@dataclass
class Trace:
    """The events of one case, in the order they happened."""

    case_id: str
    events: list[LogEvent] = field(default_factory=list)

    @property
    def activities(self) -> tuple[str, ...]:
        """The activity of each event, in order (the trace's variant)."""
        return tuple(e.activity for e in self.events)


def parse_timestamp(text: str | None) -> dt.datetime | None:
    """An ISO 8601 timestamp (XES or CSV style); naive ones are taken as UTC."""
    if not text or not text.strip():
        return None
    value = dt.datetime.fromisoformat(text.strip())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _sort_by_time(traces: list[Trace]) -> None:
    # Stable sort: events with equal (or missing) timestamps keep their file order, as pm4py's
    # format_dataframe does with its index tie-breaker.
    floor = dt.datetime.min.replace(tzinfo=dt.UTC)
    for trace in traces:
        trace.events.sort(key=lambda e: e.timestamp or floor)


def read_xes(source: str | Path | bytes, sort_by_time: bool = False) -> list[Trace]:
    """Read an XES (IEEE 1849) log, plain or gzipped; events keep file order unless asked to sort."""
    raw = source if isinstance(source, bytes) else Path(source).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    traces: list[Trace] = []
    events = etree.iterparse(io.BytesIO(raw), events=("end",), tag=("{*}trace",),
                             resolve_entities=False, load_dtd=False, no_network=True, huge_tree=True)
    for _, trace_el in events:
        attrs = _direct_attributes(trace_el)
        trace = Trace(attrs.get(ACTIVITY_KEY) or str(len(traces)))
        for ev in trace_el:
            if etree.QName(ev).localname != "event":
                continue
            a = _direct_attributes(ev)
            trace.events.append(LogEvent(a.get(ACTIVITY_KEY, ""), parse_timestamp(a.get(TIMESTAMP_KEY)),
                                         a.get(RESOURCE_KEY), a.get(LIFECYCLE_KEY)))
        traces.append(trace)
        trace_el.clear()
    if sort_by_time:
        _sort_by_time(traces)
    return traces


def _direct_attributes(el: etree._Element) -> dict[str, str]:
    # Only the element's own attributes: nested ones (XES 2.0 lists, containers, meta-attributes)
    # may reuse keys such as concept:name and must not override the event's.
    out: dict[str, str] = {}
    for child in el:
        if not isinstance(child.tag, str):
            continue
        key = child.get("key")
        if key is not None and etree.QName(child).localname not in ("trace", "event"):
            out.setdefault(key, child.get("value", ""))
    return out


def read_csv(source: str | Path, case_key: str | None = None, activity_key: str | None = None,
             timestamp_key: str | None = None, sep: str | None = None, sort_by_time: bool = True) -> list[Trace]:
    """Read a CSV log (one event per row); cases appear in first-seen order, events sorted by time."""
    text = Path(source).read_text(encoding="utf-8-sig")
    return read_csv_text(text, case_key, activity_key, timestamp_key, sep, sort_by_time)


def read_csv_text(text: str, case_key: str | None = None, activity_key: str | None = None,
                  timestamp_key: str | None = None, sep: str | None = None,
                  sort_by_time: bool = True) -> list[Trace]:
    """Read CSV text; column names default to the XES ones, else case_id/activity/timestamp."""
    first = text.split("\n", 1)[0]
    sep = sep or (";" if first.count(";") > first.count(",") else ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=sep)
    columns = reader.fieldnames or []
    plain = not {CASE_KEY, ACTIVITY_KEY} <= set(columns) and set(_PLAIN_COLUMNS) <= set(columns)
    case_key = case_key or (_PLAIN_COLUMNS[0] if plain else CASE_KEY)
    activity_key = activity_key or (_PLAIN_COLUMNS[1] if plain else ACTIVITY_KEY)
    timestamp_key = timestamp_key or (_PLAIN_COLUMNS[2] if plain else TIMESTAMP_KEY)
    missing = [c for c in (case_key, activity_key) if c not in columns]
    if missing:
        raise ValueError(f"CSV log has no column {', '.join(missing)} (columns: {', '.join(columns)})")
    return traces_from_rows(reader, case_key, activity_key, timestamp_key, sort_by_time)


def traces_from_rows(rows: Iterable[dict[str, str]], case_key: str, activity_key: str, timestamp_key: str,
                     sort_by_time: bool = True) -> list[Trace]:
    """Group event rows (dicts) into traces by case id."""
    by_case: dict[str, Trace] = {}
    for row in rows:
        case = row[case_key]
        trace = by_case.get(case)
        if trace is None:
            trace = by_case[case] = Trace(case)
        trace.events.append(LogEvent(row[activity_key], parse_timestamp(row.get(timestamp_key)),
                                     row.get(RESOURCE_KEY) or None, row.get(LIFECYCLE_KEY) or None))
    traces = list(by_case.values())
    if sort_by_time:
        _sort_by_time(traces)
    return traces


def read_log(path: str | Path) -> list[Trace]:
    """Read a log by its file name: .xes, .xes.gz or .csv."""
    name = str(path).lower()
    if name.endswith((".xes", ".xes.gz")):
        return read_xes(path)
    if name.endswith(".csv"):
        return read_csv(path)
    raise ValueError(f"unknown log format: {path}")
