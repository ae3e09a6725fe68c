"""Conformance of the cases stored in the database: logs read in bulk, each distinct trace aligned once.

Cases that took the same path share one alignment and one token replay (the verdicts are the same);
role checks stay per case. The figures are those of audits.conformance.check_log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from processes.case_logs import iter_case_logs
from processes.catalog import deployed_versions
from processes.db import Database
from processes.organisation import actor_roles
from processes.records import Span, case_definitions, received_cases

from .alignments import Aligner
from .conformance import CaseConformance, ModelCatalog, ProcedureConformance, ProcedureModel, check_log, summarise
from .replay import TokenReplayer
from .stored_conformance import load_verdicts, model_key, store_verdicts

# What conformance checking reads (audits/conformance.py, deviations.py): these lifecycles, these payload keys.
CONFORMANCE_LIFECYCLES = ("case_start", "case_complete", "case_cancel", "schedule", "assign", "complete")
CONFORMANCE_KEYS = ("version", "task", "roles", "assignee", "kind", "held", "for")


class _Once:
    """Wraps an aligner or a token replayer so that each distinct call is computed once."""

    def __init__(self, inner: Any, method: str) -> None:
        self._inner, self._method = inner, getattr(inner, method)
        self._seen: dict[tuple, Any] = {}
        setattr(self, method, self._call)

    def _call(self, trace: Sequence[str], *args: Any, **kwargs: Any) -> Any:
        key = (tuple(trace), args, tuple(sorted(kwargs.items())))
        if key not in self._seen:
            self._seen[key] = self._method(trace, *args, **kwargs)
        return self._seen[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class StoredModels(ModelCatalog):
    """The deployed versions' models, also by definition id with the key of each (stored_conformance)."""

    def __init__(self) -> None:
        super().__init__()
        self.by_definition: dict[int, ProcedureModel] = {}
        self.keys: dict[int, str] = {}


def stored_models(db: Database) -> StoredModels:
    """Every deployed version of every procedure, ready for checking (each trace aligned once)."""
    with db.read() as conn:
        rows = deployed_versions(conn)
    catalog = StoredModels()
    for r in rows:
        model = ProcedureModel.from_xml(r.bpmn_xml, r.version, r.process_id)
        # The proxies answer every attribute of what they wrap, so they stand in for it.
        model.aligner = cast(Aligner, _Once(model.aligner, "align"))
        model.replayer = cast(TokenReplayer, _Once(model.replayer, "replay"))
        catalog.add(model)
        catalog.by_definition[r.definition_id] = model
        catalog.keys[r.definition_id] = model_key(r.bpmn_xml)
    return catalog


def check_cases(db: Database, case_ids: Iterable[int] | None = None, models: ModelCatalog | None = None,
                stored: bool = True, cases: Mapping[int, tuple[int, str]] | None = None,
                ) -> tuple[dict[str, ProcedureConformance], list[CaseConformance]]:
    """Conformance of the given cases (all without) to the versions they ran on; roles as recorded at each step.
    `cases` (case id → (definition id, status), as records.received_cases reads them) stands for `case_ids`.

    With `stored`, closed cases' verdicts are read from case_conformance where their model is unchanged
    and kept there once computed (audits/stored_conformance.py); without, every case is checked afresh."""
    models = models or stored_models(db)
    if cases is not None:
        case_ids = list(cases)
    if not stored or not isinstance(models, StoredModels) or case_ids is None:
        with db.read() as conn:
            roles = actor_roles(conn)
            logs = dict(iter_case_logs(conn, case_ids, lifecycles=CONFORMANCE_LIFECYCLES, times=False,
                                       keys=CONFORMANCE_KEYS))
        return check_log(logs, models, roles)
    with db.read() as conn:
        cases = cases if cases is not None else case_definitions(conn, case_ids)
        kept = load_verdicts(conn, cases, models.keys, models.by_definition)
        todo = [cid for cid in cases if cid not in kept]
        roles = actor_roles(conn) if todo else {}
        logs = dict(iter_case_logs(conn, todo, lifecycles=CONFORMANCE_LIFECYCLES, times=False,
                                   keys=CONFORMANCE_KEYS)) if todo else {}
    _, fresh = check_log(logs, models, roles)
    store_verdicts(db, fresh, cases, models.keys, dt.datetime.now(dt.UTC))
    verdicts = sorted([*kept.values(), *fresh], key=lambda v: v.case_id)
    by_code: dict[str, list[tuple[ProcedureModel, CaseConformance]]] = {}
    for verdict in verdicts:
        model = models.by_definition.get(cases[verdict.case_id][0])
        if model is not None:
            by_code.setdefault(model.code, []).append((model, verdict))
    return {code: summarise(code, items) for code, items in by_code.items()}, verdicts


def conformance_in(db: Database, period: Span, agencies: Iterable[str] | None = None, stored: bool = True,
                   ) -> tuple[dict[str, ProcedureConformance], list[CaseConformance]]:
    """Conformance of the dossiers received in the period, as the annual report counts them (optionally only
    those of the agencies with these codes; `stored=False`: every case checked afresh)."""
    with db.read() as conn:
        cases = received_cases(conn, period, agencies)
    return check_cases(db, cases=cases, stored=stored)
