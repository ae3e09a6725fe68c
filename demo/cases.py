"""What the simulation keeps: the year's tallies, and each dossier's own random stream and story so far.

Both are pickled in the checkpoints of demo/checkpoint.py, so they hold plain data only.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from . import profiles as P


@dataclass
class DemoSummary:
    """What a generated year contains, and how long it took."""

    year: int
    scale: float
    seed: int
    dossiers: int = 0
    by_procedure: dict[str, int] = field(default_factory=dict)
    counter_visits: int = 0  # counter visits that ended without a dossier (supplement advice, refusal)
    online: int = 0
    completed: int = 0
    refused: int = 0
    withdrawn: int = 0
    running: int = 0
    supplements: int = 0
    second_supplements: int = 0
    apologies: int = 0
    apology_failures: int = 0
    ratings: int = 0
    attachments: int = 0
    steps: int = 0
    deviations: int = 0  # steps a leader recorded as handled outside the system (demo/year.py)
    signed: int = 0  # documents signed at a signing step (demo/signed_steps.py)
    use_cases: int = 0
    seconds: float = 0.0
    ends_at: dt.datetime | None = None  # the demo's "today": the simulation stopped there
    resumed_at_day: int | None = None  # the simulated day an interrupted run was resumed from
    already_done: bool = False  # the year was generated before; nothing was done


@dataclass
class Case:
    profile: P.Profile
    rng: random.Random
    agency: str
    applicant: tuple[str, str]
    channel: str
    visits: Counter = field(default_factory=Counter)
    steps: int = 0
    supplements: int = 0
    apology: str = ""  # "", "asked", "skipped"
    culprit: str = ""  # the step that will make this dossier late ("" when it will be on time)
    stalled: bool = False  # its culprit step is still waiting on the demo's "today" (demo/timing.py)
    desk: str = ""  # the step it waits at on the demo's "today" (profiles.DESK), its earlier ones done at once
    code: str = ""
    ending: str = ""
    signed: str = ""  # the content hash of its result signed at a signing step (returned as the e-result)


def tally(summary: DemoSummary, cases: list[Case]) -> DemoSummary:
    """Add the endings of the year's dossiers to `summary`."""
    for case in cases:
        summary.supplements += case.supplements
        summary.second_supplements += case.supplements >= 2
        summary.completed += case.ending == "done"
        summary.refused += case.ending == "refused"
        summary.withdrawn += case.ending == "withdrawn"
        summary.running += case.ending == ""
    return summary
