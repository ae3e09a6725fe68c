"""Reading logs (XES, gzipped XES, CSV in two dialects) and PNML nets."""

from __future__ import annotations

import datetime as dt

import pytest

from audits.eventlogs import read_csv_text, read_log, read_xes
from audits.petrinet import read_pnml


def test_xes_with_timestamps_resources_and_case_ids(eventlogs):
    log = read_log(eventlogs / "running-example" / "running-example.xes")
    assert len(log) == 6 and sum(len(t.events) for t in log) == 42
    first = log[0].events[0]
    assert first.activity == "register request" and first.resource
    assert first.timestamp.tzinfo is not None


def test_gzipped_xes_without_timestamps(eventlogs):
    log = read_log(eventlogs / "synthetic-a12" / "a12f0n00.xes.gz")
    assert len(log) == 1000 and [t.case_id for t in log[1:3]] == ["1", "2"]
    assert log[0].activities[0] == "S" and log[0].events[0].timestamp is None


def test_nested_xes_attributes_do_not_override_the_event_s_own(eventlogs):
    log = read_xes(eventlogs / "misc" / "xes_20.xes")
    assert len(log) == 1 and len(log[0].events) == 1
    assert log[0].events[0].activity == "" and log[0].case_id == "0"


def test_csv_dialects_agree(eventlogs):
    plain = read_log(eventlogs / "running-example" / "notebook_running_example.csv")
    xes_style = read_log(eventlogs / "running-example" / "running-example.csv")
    assert {t.case_id: t.activities for t in plain} == {t.case_id: t.activities for t in xes_style}


def test_csv_events_are_sorted_by_time_stably_within_each_case():
    text = ("case:concept:name,concept:name,time:timestamp\n"
            "1,b,2024-01-01 10:00:00+07:00\n1,a,2024-01-01 09:00:00+07:00\n"
            "2,x,2024-01-01T03:00:00Z\n2,y,2024-01-01 10:00:00+07:00\n1,c,2024-01-01 10:00:00+07:00\n")
    log = read_csv_text(text)
    assert [(t.case_id, t.activities) for t in log] == [("1", ("a", "b", "c")), ("2", ("x", "y"))]
    assert log[1].events[0].timestamp == dt.datetime(2024, 1, 1, 3, tzinfo=dt.UTC)
    assert read_csv_text(text, sort_by_time=False)[0].activities == ("b", "a", "c")


def test_csv_semicolons_and_missing_columns():
    assert read_csv_text("case_id;activity;timestamp\n7;go;\n")[0].activities == ("go",)
    with pytest.raises(ValueError, match="no column"):
        read_csv_text("id,what\n1,x\n")
    with pytest.raises(ValueError, match="unknown log format"):
        read_log("log.json")


def test_pnml_silent_transitions_and_final_markings(eventlogs):
    net = read_pnml(eventlogs / "synthetic-a12" / "a12.pnml")
    assert net.initial == {"n1": 1} and sum(net.final.values()) == 1
    silent = [t for t in net.transitions.values() if t.silent]
    assert silent and all(t.label is None for t in silent)
    assert {"S", "E"} <= net.labels()
    derived = read_pnml(eventlogs / "derived" / "running_example_inductive_pm4py-2.7.23.11.pnml")
    assert derived.final == {"sink": 1} and derived.places["p_11"] == "p_11"


def test_pnml_without_final_marking_ends_in_its_sinks():
    net = read_pnml(b"""<pnml><net id="n"><page id="p">
      <place id="i"><initialMarking><text>1</text></initialMarking></place><place id="o"/>
      <transition id="t"><name><text>go</text></name></transition>
      <arc id="a1" source="i" target="t"/>
      <arc id="a2" source="t" target="o"><inscription><text>2</text></inscription></arc>
    </page></net></pnml>""")
    assert net.final == {"o": 1} and net.post["t"] == {"o": 2}
    assert net.fire("t", net.initial) == {"o": 2}
    with pytest.raises(ValueError, match="must join"):
        net.add_arc("i", "o")
