"""Conformance of quytrinh's own cases to the procedure version each one ran on.

Each case's completed steps form a trace; it is aligned (optimally) to the workflow net of its BPMN
version to find deviations, replayed with tokens for pm4py-comparable fitness, and its completions
are checked against the roles each step was scheduled for. Running and cancelled cases are aligned
as prefixes: what they have done so far is judged, not what they have yet to do.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.model import read_process
from engine.xml import BPMN_NS, load_xml

from .alignments import Aligner
from .bpmn_to_petri import FLOW_NODES, Translation, translate
from .deviations import Deviation, control_flow_deviations, role_deviations
from .replay import TokenReplayer, TraceReplay

COMPLETE, RUNNING, CANCELLED = "complete", "running", "cancelled"


@dataclass
class ProcedureModel:
    """One version of a procedure, ready for conformance checking."""

    process_id: str
    code: str
    version: int | None
    translation: Translation
    names: dict[str, str]  # step element id -> step name
    roles: dict[str, tuple[str, ...]]  # step element id -> roles it asks for
    elements: frozenset[str]  # every flow node id of the process
    replayer: TokenReplayer = field(init=False)
    aligner: Aligner = field(init=False)

    def __post_init__(self) -> None:
        self.replayer = TokenReplayer(self.translation.net)
        self.aligner = Aligner(self.translation.net)

    @classmethod
    def from_xml(cls, xml: str | bytes, version: int | None = None, process_id: str | None = None) -> ProcedureModel:
        """Build from BPMN text (the process with flow nodes, or `process_id`)."""
        tree = load_xml(xml)
        translation = translate(tree, process_id, label_by="id")
        process = next(p for p in tree.getroot().iter(f"{{{BPMN_NS}}}process")
                       if p.get("id") == translation.process_id)
        info, _ = read_process(process, {})
        elements = frozenset(eid for el in process.iter() if isinstance(el.tag, str)
                             and etree.QName(el).localname in FLOW_NODES and (eid := el.get("id")) is not None)
        names = {sid: step.name for sid, step in info.steps.items()}
        for el in process.iter():
            if isinstance(el.tag, str) and (eid := el.get("id")) is not None and eid in translation.activities:
                names.setdefault(eid, (el.get("name") or eid).strip())
        roles = {sid: step.roles for sid, step in info.steps.items()}
        return cls(translation.process_id, info.code, version, translation, names, roles, elements)


@dataclass(frozen=True)
class CaseConformance:
    """The verdict on one case."""

    case_id: Any
    process_id: str
    version: int | None
    status: str
    trace: tuple[str, ...]
    fitness: float | None  # alignment-based; None when the alignment exceeded its budget
    token_fitness: float | None  # token-based replay; completed cases only
    deviations: tuple[Deviation, ...]
    cost: int | None = None  # the alignment's cost (audits.alignments units); None without an alignment
    worst_cost: int | None = None  # every event a log move plus the model's cheapest run
    tokens: tuple[int, int, int, int] | None = None  # token replay: missing, consumed, remaining, produced

    @property
    def fits(self) -> bool:
        """True when the case followed its procedure: no deviation of any kind."""
        return not self.deviations and self.fitness is not None


@dataclass
class DeviationCount:
    """How often one kind of deviation happened at one step, with example cases."""

    kind: str
    activity: str
    name: str
    count: int = 0
    examples: list[Any] = field(default_factory=list)


@dataclass
class ProcedureConformance:
    """Figures for one procedure (all its versions)."""

    code: str
    cases: int = 0
    completed: int = 0
    fitting: int = 0
    log_fitness: float | None = None  # token-based replay over completed cases (pm4py's formula)
    alignment_fitness: float | None = None  # 1 − Σ cost / Σ worst-case cost over completed cases
    deviations: list[DeviationCount] = field(default_factory=list)  # most frequent first

    @property
    def share_fitting(self) -> float:
        """Share (0–1) of cases without any deviation."""
        return self.fitting / self.cases if self.cases else 0.0


ModelLookup = Callable[[str, int | None], ProcedureModel | None]


class ModelCatalog:
    """Procedure models by process id and version (a version-less entry serves any version)."""

    def __init__(self, models: Iterable[ProcedureModel] = ()) -> None:
        self._models: dict[tuple[str, int | None], ProcedureModel] = {}
        for m in models:
            self.add(m)

    def add(self, model: ProcedureModel) -> None:
        """Register a model under its process id and version."""
        self._models[(model.process_id, model.version)] = model

    def __call__(self, process_id: str, version: int | None) -> ProcedureModel | None:
        return self._models.get((process_id, version)) or self._models.get((process_id, None))


def case_status(events: Sequence[Mapping]) -> str:
    """complete, cancelled or running, from the case's lifecycle events."""
    lifecycles = {e["lifecycle"] for e in events}
    return COMPLETE if "case_complete" in lifecycles else CANCELLED if "case_cancel" in lifecycles else RUNNING


def step_trace(model: ProcedureModel, events: Sequence[Mapping]) -> tuple[list[str], dict[int, int]]:
    """The completed steps in order, and each such event's index → its trace position.

    Completions of start/end events and gateways are left out (they are silent in the net); a
    completion of an element the process does not have is kept, so it shows as a deviation.
    """
    trace: list[str] = []
    positions: dict[int, int] = {}
    for index, ev in enumerate(events):
        if ev["lifecycle"] != "complete":
            continue
        activity = ev["activity"]
        if activity in model.elements and activity not in model.translation.activities:
            continue
        positions[index] = len(trace)
        trace.append(activity)
    return trace, positions


def check_case(model: ProcedureModel, case_id: Any, events: Sequence[Mapping],
               actor_roles: Mapping[str, Collection[str]] | None = None) -> CaseConformance:
    """Check one case's events (log rows in order: activity, lifecycle, actor, payload)."""
    status = case_status(events)
    trace, positions = step_trace(model, events)
    alignment = model.aligner.align(trace, prefix=status != COMPLETE)
    found: list[Deviation] = []
    if alignment is not None:
        found = control_flow_deviations(alignment, model.translation.activities)
    if actor_roles is not None:
        found.extend(role_deviations(events, positions, model.roles, actor_roles))
    found.sort(key=lambda d: (d.position, d.kind))
    replay = model.replayer.replay(trace) if status == COMPLETE else None
    fitness = None if alignment is None else alignment.fitness
    return CaseConformance(case_id, model.process_id, model.version, status, tuple(trace),
                           fitness, None if replay is None else replay.fitness, tuple(found),
                           None if alignment is None else alignment.cost, None if alignment is None else alignment.bwc,
                           None if replay is None else _tokens(replay))


def _version(events: Sequence[Mapping]) -> int | None:
    for ev in events:
        if ev["lifecycle"] == "case_start":
            return (ev.get("payload") or {}).get("version")
    return None


def _process_id(events: Sequence[Mapping]) -> str | None:
    return next((ev["activity"] for ev in events if ev["lifecycle"] == "case_start"), None)


def check_log(cases: Mapping[Any, Sequence[Mapping]], models: ModelLookup,
              actor_roles: Mapping[str, Collection[str]] | None = None,
              examples: int = 3) -> tuple[dict[str, ProcedureConformance], list[CaseConformance]]:
    """Check every case (case id → its events in order); return figures per procedure code and per case.

    Cases whose procedure version has no model are skipped (they appear in neither result).
    """
    results: list[CaseConformance] = []
    by_code: dict[str, list[tuple[ProcedureModel, CaseConformance]]] = {}
    for case_id, events in cases.items():
        process_id = _process_id(events)
        model = models(process_id, _version(events)) if process_id else None
        if model is None:
            continue
        verdict = check_case(model, case_id, events, actor_roles)
        results.append(verdict)
        by_code.setdefault(model.code, []).append((model, verdict))
    return {code: summarise(code, items, examples) for code, items in by_code.items()}, results


def _tokens(replay: TraceReplay) -> tuple[int, int, int, int]:
    return replay.missing, replay.consumed, replay.remaining, replay.produced


def summarise(code: str, items: list[tuple[ProcedureModel, CaseConformance]],
              examples: int = 3) -> ProcedureConformance:
    """A procedure's figures from its cases' verdicts, each with the model it was checked against."""
    out = ProcedureConformance(code, cases=len(items))
    done = [(m, c) for m, c in items if c.status == COMPLETE]
    out.completed = len(done)
    out.fitting = sum(c.fits for _, c in items)
    if done:
        # Token counts are summed per case, so versions with different nets can share one figure.
        # Token counts are kept with each verdict (stored ones too): the same figure without replaying again.
        tallies = [c.tokens or _tokens(m.replayer.replay(c.trace)) for m, c in done]
        lost, used, left, made = (sum(t[k] for t in tallies) for k in range(4))
        out.log_fitness = 0.5 * (1 - lost / used) + 0.5 * (1 - left / made) if used and made else 0.0
        # Log level, as pm4py: a long case weighs more than a short one, as its deviations could be more.
        worst = sum(c.worst_cost or 0 for _, c in done if c.cost is not None)
        cost = sum(c.cost or 0 for _, c in done if c.cost is not None)
        out.alignment_fitness = 1.0 - cost / worst if worst else None
    counts: dict[tuple[str, str], DeviationCount] = {}
    for model, case in items:
        for dev in case.deviations:
            entry = counts.get((dev.kind, dev.activity))
            if entry is None:
                entry = counts[(dev.kind, dev.activity)] = DeviationCount(
                    dev.kind, dev.activity, model.names.get(dev.activity, dev.activity))
            entry.count += 1
            if len(entry.examples) < examples and case.case_id not in entry.examples:
                entry.examples.append(case.case_id)
    out.deviations = sorted(counts.values(), key=lambda d: (-d.count, d.kind, d.activity))
    return out

