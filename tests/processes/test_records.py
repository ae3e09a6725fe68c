"""The query functions audits and demo read processes' tables through, checked against plain SQL on a demo year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from processes import catalog, organisation, records
from processes.case_logs import event_at, first_seq
from processes.keys import VN
from processes.schema import apologies, definitions, dossiers, events, human_tasks, instances, units
from tests.demo.demo_data import YEAR, demo_copy


class _Year:
    first_instant = dt.datetime(YEAR, 1, 1, tzinfo=VN).astimezone(dt.UTC)
    end_instant = dt.datetime(YEAR + 1, 1, 1, tzinfo=VN).astimezone(dt.UTC)


def test_dossier_lookups(tmp_path):
    db = demo_copy(tmp_path)
    with db.read() as conn:
        rows = conn.execute(select(dossiers.c.instance_id, dossiers.c.code).order_by(dossiers.c.instance_id)).all()
        first = rows[0]
        assert records.find_dossier(conn, first.code) == records.DossierRef(first.instance_id, first.code)
        assert records.find_dossier(conn, str(first.instance_id)) == records.DossierRef(first.instance_id, first.code)
        assert records.find_dossier(conn, "no-such-code") is None
        assert records.dossier_codes(conn, [r.instance_id for r in rows[:5]]) == {r.instance_id: r.code
                                                                                  for r in rows[:5]}
        state = records.dossier_state(conn, first.instance_id)
        assert state is not None and state.status_code == conn.execute(
            select(dossiers.c.status_code).where(dossiers.c.instance_id == first.instance_id)).scalar()
        ids = [r.instance_id for r in rows]
        late = records.late_dossiers(conn, ids)
        assert [d.instance_id for d in late] == list(conn.execute(
            select(dossiers.c.instance_id).where(dossiers.c.result == "late").order_by(dossiers.c.instance_id))
            .scalars())
        signed = set(conn.execute(select(dossiers.c.instance_id)
                                  .join(apologies, apologies.c.dossier_id == dossiers.c.id)
                                  .where(apologies.c.state == "signed")).scalars())
        assert {d.instance_id for d in late if d.apologised} == signed & {d.instance_id for d in late}


def test_dossiers_by_unit_and_agency(tmp_path):
    db = demo_copy(tmp_path)
    with db.read() as conn:
        unit = conn.execute(select(units.c.id, units.c.path).where(units.c.parent_id.is_(None))).first()
        received = records.procedures_received(conn, unit.id, _Year())
        assert received and received == sorted(set(conn.execute(
            select(dossiers.c.procedure).where(dossiers.c.unit_id == unit.id)).scalars()))
        ids = records.received_in_agency(conn, unit.path, received[:1], _Year())
        assert ids and ids == sorted(ids)
        assert set(conn.execute(select(dossiers.c.procedure).where(dossiers.c.instance_id.in_(ids))).scalars()) \
            == {received[0]}


def test_cases_steps_and_events(tmp_path):
    db = demo_copy(tmp_path)
    with db.read() as conn:
        some = list(conn.execute(select(instances.c.id).order_by(instances.c.id).limit(3)).scalars())
        summaries = records.case_summaries(conn, some)
        assert sorted(summaries) == some and all(s.instance_id == i for i, s in summaries.items())
        case = some[0]
        seq = first_seq(conn, case, "case_start")
        assert seq is not None
        ev = event_at(conn, case, seq)
        assert ev is not None and ev.lifecycle == "case_start"
        assert event_at(conn, case, 10_000) is None
        assert first_seq(conn, case, "no_such_lifecycle") is None
        waiting = conn.execute(select(human_tasks.c.instance_id, func.count()).where(
            human_tasks.c.state.in_(records.OPEN_STEP_STATES)).group_by(human_tasks.c.instance_id)).first()
        if waiting is not None:
            assert len(records.open_steps(conn, waiting.instance_id)) == waiting[1]
        assert conn.execute(select(func.count()).select_from(events)).scalar() > 0


def test_organisation_and_catalog_readers(tmp_path):
    db = demo_copy(tmp_path)
    with db.read() as conn:
        tree = organisation.unit_tree(conn)
        assert {u.id: u.code for u in tree} == organisation.unit_codes(conn)
        assert set(organisation.unit_names(conn)) == {u.code for u in tree}
        holders = organisation.role_holders(conn)
        paths = {u.code: u.path for u in tree}
        assert holders and all(paths[h.unit_code] == h.unit_path for h in holders)
        leaders_unit = next(u for u in tree if any(h.unit_code == u.code and h.role_kind == "leader" for h in holders))
        held = organisation.roles_held_in(conn, leaders_unit.id, ("leader",))
        assert held == {h.role_code for h in holders if h.unit_code == leaders_unit.code and h.role_kind == "leader"}
        active = catalog.active_versions(conn)
        assert [(v.definition_id, v.code, v.version) for v in active] == [tuple(r) for r in conn.execute(
            select(definitions.c.id, definitions.c.code, definitions.c.version)
            .where(definitions.c.status == "active").order_by(definitions.c.code, definitions.c.version))]
