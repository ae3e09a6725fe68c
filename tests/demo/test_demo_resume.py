"""An interrupted demo year is finished by the next run, and the result is the year an uninterrupted run
makes (same seed); a finished year is not generated again (issue 11 item 5, issue 13 item 12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

import pytest
from sqlalchemy import func, select

import demo.year
from demo import generate_year, run_demo_audits, saved_run
from processes import eventlog, instances
from processes.audit_schema import audit_plans
from processes.db import Database
from processes.keys import VN
from processes.schema import definitions, dossiers, events
from processes.schema import instances as cases
from tests.demo.demo_data import demo_copy, demo_year, prepared

YEAR, SCALE, SEED = 2025, 0.6, 11
UNTIL = dt.datetime(YEAR, 2, 14, 17, tzinfo=VN)


class Interrupted(Exception):
    """Stands for a crash: the process stops in the middle of its work."""


def _year(db: Database, root, progress=None):
    return generate_year(db, YEAR, SCALE, SEED, attachments_root=root, until=UNTIL, progress=progress)


def _made(db: Database) -> dict[str, object]:
    """What a year is made of, without what is random by design (task uuids, hashes)."""
    with db.read() as conn:
        assert eventlog.verify(conn) == []
        return {
            "by_procedure_status": sorted(conn.execute(
                select(definitions.c.code, cases.c.status, func.count()).join(definitions)
                .group_by(definitions.c.code, cases.c.status)).all()),
            "dossiers": list(conn.execute(select(
                dossiers.c.code, dossiers.c.procedure, dossiers.c.channel, dossiers.c.received_at,
                dossiers.c.status_code, dossiers.c.result, dossiers.c.done_at).order_by(dossiers.c.code))),
            "events": list(conn.execute(select(
                cases.c.business_key, events.c.seq, events.c.activity, events.c.lifecycle, events.c.actor,
                events.c.at).join(cases, cases.c.id == events.c.case_id).order_by(events.c.id)))}


def _tallies(summary) -> dict[str, object]:
    return {k: v for k, v in asdict(summary).items() if k not in ("seconds", "resumed_at_day", "already_done")}


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("whole")
    db = prepared(f"sqlite:///{folder / 'demo.sqlite'}")
    summary = _year(db, folder)
    made = _made(db)
    db.dispose()
    assert made["dossiers"] and summary.resumed_at_day is None
    return summary, made


def test_a_crash_in_the_middle_of_a_day_is_rolled_back_and_the_next_run_finishes_the_year(
        tmp_path, monkeypatch, uninterrupted):
    monkeypatch.setattr(demo.year, "CHUNK_SECONDS", 0.0)  # commit every simulated day
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    real, calls = instances.complete, {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 120:  # some days in, in the middle of a day's work
            raise Interrupted
        return real(*args, **kwargs)

    monkeypatch.setattr(instances, "complete", crashing)
    with pytest.raises(Interrupted):
        _year(db, tmp_path)
    monkeypatch.setattr(instances, "complete", real)
    stopped = saved_run(db, YEAR, SCALE, SEED, tmp_path, UNTIL)
    assert stopped is not None and not stopped.finished and stopped.days > 3
    summary = _year(db, tmp_path)
    assert summary.resumed_at_day == stopped.days
    assert _tallies(summary) == _tallies(uninterrupted[0])
    assert _made(db) == uninterrupted[1]


def test_a_crash_after_a_commit_resumes_from_the_next_day(tmp_path, monkeypatch, uninterrupted):
    monkeypatch.setattr(demo.year, "CHUNK_SECONDS", 0.0)
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")

    def stop_on_day_20(done: int, total: int) -> None:
        if done >= 20:
            raise Interrupted

    with pytest.raises(Interrupted):
        _year(db, tmp_path, stop_on_day_20)
    summary = _year(db, tmp_path)
    assert summary.resumed_at_day is not None and summary.resumed_at_day >= 20
    assert _tallies(summary) == _tallies(uninterrupted[0])
    assert _made(db) == uninterrupted[1]


def test_a_finished_year_is_not_generated_again(tmp_path):
    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    until = dt.datetime(YEAR, 1, 10, 17, tzinfo=VN)
    first = generate_year(db, YEAR, SCALE, SEED, attachments_root=tmp_path, until=until)
    before = _made(db)
    again = generate_year(db, YEAR, SCALE, SEED, attachments_root=tmp_path, until=until)
    assert again.already_done and not first.already_done
    assert _tallies(again) == _tallies(first) and _made(db) == before


def test_the_year_s_audits_are_made_once(tmp_path):
    _, _, audits = demo_year()
    db = demo_copy(tmp_path)
    with db.read() as conn:
        before = _made(db), conn.execute(select(func.count()).select_from(audit_plans)).scalar()
    again = run_demo_audits(db, YEAR)
    with db.read() as conn:
        after = _made(db), conn.execute(select(func.count()).select_from(audit_plans)).scalar()
    assert again.plans == audits.plans and after == before


def test_a_crash_is_rolled_back_and_finished_on_every_backend(org, deployed, tmp_path, monkeypatch):
    for name in ("QT-CT-01", "QT-HT-01", "QT-KD-01", "QT-XD-01", "QT-VB-01", "QT-TDKT-01"):
        deployed(f"{name}.bpmn")
    until = dt.datetime(YEAR, 1, 24, 17, tzinfo=VN)
    reference = prepared(f"sqlite:///{tmp_path / 'whole.sqlite'}")
    whole = generate_year(reference, YEAR, SCALE, SEED, tmp_path / "whole", until)
    monkeypatch.setattr(demo.year, "CHUNK_SECONDS", 0.0)
    real, calls = instances.complete, {"n": 0}

    def crashing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 40:
            raise Interrupted
        return real(*args, **kwargs)

    monkeypatch.setattr(instances, "complete", crashing)
    with pytest.raises(Interrupted):
        generate_year(org, YEAR, SCALE, SEED, tmp_path / "files", until)
    monkeypatch.setattr(instances, "complete", real)
    resumed = generate_year(org, YEAR, SCALE, SEED, tmp_path / "files", until)
    assert resumed.resumed_at_day and _tallies(resumed) == _tallies(whole)
    assert _made(org)["dossiers"] == _made(reference)["dossiers"]


def test_the_checkpoint_keeps_the_random_stream_of_dossiers_in_flight_only(tmp_path):
    import random

    db = prepared(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    _year(db, tmp_path)
    saved = saved_run(db, YEAR, SCALE, SEED, tmp_path, UNTIL)
    db.dispose()
    assert saved is not None and saved.finished
    cases, queue = saved.state["cases"], saved.state["queue"]
    spent = random.Random(0).getstate()
    kept = {iid for iid, case in cases.items() if case.rng.getstate() != spent}
    in_flight = {args[0] for _, _, kind, args in queue if kind != "arrive"}
    # A checkpoint is written at every chunk: it grows with the dossiers still moving, not with the whole year.
    assert kept and kept <= in_flight
    assert len(kept) < len(cases) / 2
