"""Conformance of the cases stored in the database: logs read in bulk, each distinct trace aligned once.

Cases that took the same path share one alignment and one token replay (the verdicts are the same);
role checks stay per case. The figures are those of audits.conformance.check_log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from processes.case_logs import iter_case_logs
from processes.catalog import deployed_versions
from processes.db import Database
from processes.organisation import actor_roles

from .alignments import Aligner
from .conformance import CaseConformance, ModelCatalog, ProcedureConformance, ProcedureModel, check_log
from .replay import TokenReplayer

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


def stored_models(db: Database) -> ModelCatalog:
    """Every deployed version of every procedure, ready for checking (each trace aligned once)."""
    with db.read() as conn:
        rows = deployed_versions(conn)
    models = []
    for r in rows:
        model = ProcedureModel.from_xml(r.bpmn_xml, r.version, r.process_id)
        # The proxies answer every attribute of what they wrap, so they stand in for it.
        model.aligner = cast(Aligner, _Once(model.aligner, "align"))
        model.replayer = cast(TokenReplayer, _Once(model.replayer, "replay"))
        models.append(model)
    return ModelCatalog(models)


def check_cases(db: Database, case_ids: Iterable[int] | None = None,
                models: ModelCatalog | None = None) -> tuple[dict[str, ProcedureConformance], list[CaseConformance]]:
    """Conformance of the given cases (all without) to the versions they ran on; roles as recorded at each step."""
    models = models or stored_models(db)
    with db.read() as conn:
        roles = actor_roles(conn)
        logs = dict(iter_case_logs(conn, case_ids, lifecycles=CONFORMANCE_LIFECYCLES, times=False,
                                   keys=CONFORMANCE_KEYS))
    return check_log(logs, models, roles)
