"""Conformance verdicts of closed cases, computed once and kept (table case_conformance).

A case that is over (completed or cancelled) cannot change, so its verdict is computed the first time a
report or page asks for it and stored with the key of the model it was checked against: a hash of that
version's BPMN and of CHECKER. A verdict whose key differs (the version's model or the checker changed)
is computed again. Running cases are checked every time and never stored. Reading the stored verdicts
of 100,000 cases is one query; computing them reads the cases' whole event logs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from processes.audit_schema import case_conformance
from processes.db import Database

from .conformance import CaseConformance, ProcedureModel
from .deviations import Deviation

# Raise when what conformance computes changes (alignment costs, deviation kinds, the net translation):
# every stored verdict is then computed again the next time it is asked for.
CHECKER = "2026-12-06.1"
CLOSED = ("completed", "cancelled")


def model_key(bpmn_xml: str) -> str:
    """The key of a version's model as conformance checks it."""
    return hashlib.sha256(f"{CHECKER}\n{bpmn_xml}".encode()).hexdigest()


def load_verdicts(conn: Connection, cases: Mapping[int, tuple[int, str]], keys: Mapping[int, str],
                  models: Mapping[int, ProcedureModel]) -> dict[int, CaseConformance]:
    """The stored verdicts of closed cases (case id → (definition id, status)) whose model key is current."""
    wanted = {cid for cid, (_, status) in cases.items() if status in CLOSED}
    out: dict[int, CaseConformance] = {}
    if not wanted:
        return out
    t = case_conformance.c
    # A period's cases are nearly contiguous ids: one range read, the few others in it skipped, costs less
    # than lists of ids bound 900 at a time. Cases that took the same path share their decoded trace and
    # deviations (the verdicts are immutable).
    traces: dict[str, tuple[str, ...]] = {}
    found: dict[str, tuple[Deviation, ...]] = {}
    token_sets: dict[str | None, tuple[int, ...] | None] = {None: None, "": None}
    query = select(t.case_id, t.definition_id, t.model_key, t.status, t.fitness, t.token_fitness, t.cost,
                   t.worst_cost, t.tokens, t.trace, t.deviations).where(t.case_id.between(min(wanted), max(wanted)))
    # All rows fetched at once and unpacked (rows are tuples): per-row fetches and attribute lookups were half
    # the time.
    for case_id, definition, key, status, fitness, token_fitness, cost, worst, tokens, trace_text, found_text in (
            conn.execute(query).all()):
        if case_id not in wanted:
            continue
        model = models.get(definition)
        if model is None or keys.get(definition) != key:
            continue
        trace = traces.get(trace_text)
        if trace is None:
            trace = traces[trace_text] = tuple(json.loads(trace_text))
        deviations = found.get(found_text)
        if deviations is None:
            deviations = found[found_text] = tuple(Deviation(*d) for d in json.loads(found_text))
        if tokens not in token_sets:
            counted = tuple(int(x) for x in tokens.split(","))
            token_sets[tokens] = counted if len(counted) == 4 else None
        out[case_id] = CaseConformance(case_id, model.process_id, model.version, status, trace, fitness,
                                       token_fitness, deviations, cost, worst,
                                       token_sets[tokens])  # type: ignore[arg-type]
    return out


def store_verdicts(db: Database, verdicts: Iterable[CaseConformance], cases: Mapping[int, tuple[int, str]],
                   keys: Mapping[int, str], now: dt.datetime) -> int:
    """Keep the verdicts of closed cases (replacing stale ones); the number kept."""
    rows = []
    for v in verdicts:
        definition, status = cases.get(v.case_id, (None, ""))
        if definition is None or status not in CLOSED or definition not in keys:
            continue
        rows.append({"case_id": v.case_id, "definition_id": definition, "model_key": keys[definition],
                     "status": v.status, "fitness": v.fitness, "token_fitness": v.token_fitness, "cost": v.cost,
                     "worst_cost": v.worst_cost, "tokens": ",".join(map(str, v.tokens)) if v.tokens else None,
                     "trace": json.dumps(list(v.trace)),
                     "deviations": json.dumps([[d.kind, d.activity, d.position, d.detail] for d in v.deviations],
                                              ensure_ascii=False),
                     "checked_at": now})
    if not rows:
        return 0
    with db.write() as conn:
        ids = [r["case_id"] for r in rows]
        for i in range(0, len(ids), 900):
            conn.execute(delete(case_conformance).where(case_conformance.c.case_id.in_(ids[i:i + 900])))
        for i in range(0, len(rows), 1000):
            conn.execute(insert(case_conformance), rows[i:i + 1000])
    return len(rows)
