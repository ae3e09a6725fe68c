"""The event log for process-mining tools: XES (IEEE 1849-2016) and CSV.

One trace per case (concept:name = the dossier code), one event per step lifecycle transition:
concept:name is the step's name, time:timestamp its instant (Vietnam time with offset),
lifecycle:transition the XES standard transition (complete by default; with every_transition also
schedule, assign and withdraw), org:resource the user. The element id is kept as
`quytrinh:element`; case attributes carry the procedure, its version, the unit, the channel, the
dossier status and result. Gateways and start/end events are left out: they are not activities.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Collection, Iterator
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from processes.case_logs import iter_case_logs
from processes.db import Database
from processes.keys import VN
from processes.records import case_attributes

STEP_TRANSITIONS = ("schedule", "assign", "complete", "withdraw")
CSV_COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition", "org:resource",
               "quytrinh:element", "case:procedure", "case:version", "case:unit", "case:channel", "case:result")


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(VN).isoformat(timespec="milliseconds")


def _cases(db: Database, procedure: str | None) -> list[dict[str, Any]]:
    with db.read() as conn:
        return case_attributes(conn, procedure)


def _keep(ev: dict[str, Any], transitions: tuple[str, ...]) -> bool:
    if ev["lifecycle"] not in transitions:
        return False
    kind = (ev["payload"] or {}).get("kind", "")
    return not (kind.endswith("Event") or kind.endswith("Gateway"))


def traces(db: Database, procedure: str | None = None, every_transition: bool = False,
           agencies: Collection[str] | None = None) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """(case attributes, its exported events) for every case (of one procedure; of the agencies with these
    codes), in case order."""
    transitions = STEP_TRANSITIONS if every_transition else ("complete",)
    cases = {c["id"]: c for c in _cases(db, procedure) if agencies is None or c["unit"] in agencies}
    with db.read() as conn:
        for case_id, rows in iter_case_logs(conn, list(cases)):
            kept = [{"name": ev["activity_name"] or ev["activity"], "element": ev["activity"], "at": ev["at"],
                     "lifecycle": ev["lifecycle"], "resource": ev["actor"]} for ev in rows if _keep(ev, transitions)]
            yield cases[case_id], kept


def _attr(kind: str, key: str, value: Any) -> str:
    return f'<{kind} key={quoteattr(key)} value={quoteattr(str(value))}/>'


def write_xes(db: Database, out: IO[str], procedure: str | None = None, every_transition: bool = False,
              agencies: Collection[str] | None = None) -> int:
    """Write the log as XES to a text stream; return the number of traces."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n'
              '<log xes.version="1849.2016" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">\n'
              '<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>\n'
              '<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>\n'
              '<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>\n'
              '<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>\n'
              '<global scope="trace">' + _attr("string", "concept:name", "") + '</global>\n'
              '<global scope="event">' + _attr("string", "concept:name", "") + _attr("date", "time:timestamp",
                                                                                     "1970-01-01T00:00:00.000+00:00")
              + _attr("string", "lifecycle:transition", "complete") + '</global>\n'
              '<classifier name="Activity" keys="concept:name"/>\n'
              '<classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>\n'
              + _attr("string", "concept:name", f"quytrinh {procedure or 'all procedures'}") + "\n")
    count = 0
    for case, evs in traces(db, procedure, every_transition, agencies):
        parts = ["<trace>", _attr("string", "concept:name", case["business_key"]),
                 _attr("string", "procedure", case["code"]), _attr("int", "version", case["version"]),
                 _attr("string", "procedure_name", case["name"]), _attr("string", "unit", case["unit"]),
                 _attr("string", "case_status", case["status"])]
        if case["channel"] is not None:
            parts += [_attr("string", "channel", case["channel"]), _attr("int", "dossier_status", case["status_code"])]
        if case["result"]:
            parts.append(_attr("string", "result", case["result"]))
        for ev in evs:
            parts.append("<event>" + _attr("string", "concept:name", ev["name"])
                         + _attr("date", "time:timestamp", _stamp(ev["at"]))
                         + _attr("string", "lifecycle:transition", ev["lifecycle"])
                         + (_attr("string", "org:resource", ev["resource"]) if ev["resource"] else "")
                         + _attr("string", "quytrinh:element", ev["element"]) + "</event>")
        parts.append("</trace>\n")
        out.write("".join(parts))
        count += 1
    out.write("</log>\n")
    return count


def write_csv(db: Database, out: IO[str], procedure: str | None = None, every_transition: bool = False,
              agencies: Collection[str] | None = None) -> int:
    """Write the log as CSV (one event per row, XES column names); return the number of events."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for case, evs in traces(db, procedure, every_transition, agencies):
        for ev in evs:
            writer.writerow((case["business_key"], ev["name"], _stamp(ev["at"]), ev["lifecycle"], ev["resource"] or "",
                             ev["element"], case["code"], case["version"], case["unit"], case["channel"] or "",
                             case["result"] or ""))
            count += 1
    return count


def export_text(db: Database, fmt: str, procedure: str | None = None, every_transition: bool = False,
                agencies: Collection[str] | None = None) -> str:
    """The whole log as text in `fmt` (xes or csv), optionally of the agencies with these codes only."""
    buffer = io.StringIO()
    {"xes": write_xes, "csv": write_csv}[fmt](db, buffer, procedure, every_transition, agencies)
    return buffer.getvalue()
