"""The event log exported as XES and CSV reads back (audits/eventlogs.py) to exactly what the database holds."""

from __future__ import annotations

import datetime as dt
import io

from lxml import etree
from sqlalchemy import select

from audits.eventlogs import read_csv_text, read_xes
from audits.export import export_text, write_xes
from processes.case_logs import iter_case_logs
from processes.schema import instances
from tests.demo.demo_data import demo_copy


def _expected(db, transitions=("complete",), procedure=None):
    with db.read() as conn:
        keys = {r.id: r.business_key for r in conn.execute(select(instances.c.id, instances.c.business_key))}
        out = {}
        for case_id, rows in iter_case_logs(conn):
            out[keys[case_id]] = [
                (r["activity_name"] or r["activity"], r["at"].replace(microsecond=r["at"].microsecond // 1000 * 1000),
                 r["actor"], r["lifecycle"]) for r in rows
                if r["lifecycle"] in transitions
                and not str(r["payload"].get("kind", "")).endswith(("Event", "Gateway"))]
    return out


def _read(traces):
    return {t.case_id: [(e.activity, e.timestamp.astimezone(dt.UTC), e.resource, e.lifecycle) for e in t.events]
            for t in traces}


def test_xes_round_trip(tmp_path):
    db = demo_copy(tmp_path)
    text = export_text(db, "xes")
    root = etree.fromstring(text.encode())
    assert root.tag == "{http://www.xes-standard.org/}log"
    assert {e.get("prefix") for e in root.iter("{*}extension")} == {"concept", "time", "lifecycle", "org"}
    assert _read(read_xes(text.encode())) == _expected(db)


def test_csv_round_trip_equals_xes(tmp_path):
    db = demo_copy(tmp_path)
    from_csv = _read(read_csv_text(export_text(db, "csv")))
    assert {k: v for k, v in from_csv.items()} == {k: v for k, v in _expected(db).items() if v}


def test_every_transition_and_one_procedure(tmp_path):
    db = demo_copy(tmp_path)
    out = io.StringIO()
    count = write_xes(db, out, "QT-XD-01", every_transition=True)
    traces = read_xes(out.getvalue().encode())
    assert count == len(traces) > 0
    assert all(t.case_id.startswith("H01-") for t in traces)
    lifecycles = {e.lifecycle for t in traces for e in t.events}
    assert {"schedule", "complete"} <= lifecycles
    expected = _expected(db, ("schedule", "assign", "complete", "withdraw"))
    assert _read(traces) == {k: expected[k] for k in (t.case_id for t in traces)}
    assert "procedure" in out.getvalue() and 'key="result"' in out.getvalue()
