"""Dependence between the step durations of one dossier: a one-factor Gaussian copula fitted from the log.

In a real office a dossier that waits at one step tends to wait at the next (a hard case, a file put aside,
an officer on leave): its step durations are correlated. Drawing each step's duration on its own from the
step's distribution keeps every step right and the dossier's total too narrow. Here each simulated dossier
gets a *pace* P ~ N(0, 1); a step's duration is the quantile Φ(λ·P + √(1−λ²)·ε) of that step's durations in
the log (ε ~ N(0, 1) new at each step), so every step keeps exactly its own distribution (the quantile is
uniform whatever λ) while two steps of the same dossier are correlated by ρ = λ² in normal scores.

ρ is fitted from the log: each duration is turned into its normal score within its step (mid-ranks, ties
averaged), and ρ is the mean product of the scores of two different step visits of the same case (the
scores having mean 0 and variance about 1). Pauses for the applicant are left out (the applicant's time,
not the office's). A ρ within two standard errors of 0 (or negative) is taken as 0: the draws are then
independent, as before, and cost nothing more.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Mapping, Sequence
from statistics import NormalDist
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
_NORMAL = NormalDist()
_ROOT2 = math.sqrt(2.0)
MIN_VISITS = 5  # a step seen fewer times has no ranks worth the name: its durations are drawn on their own


def normal_scores(values: Sequence[float]) -> list[float]:
    """Φ⁻¹ of each value's mid-rank (r + ½) / n within `values`, ties sharing their average rank."""
    n = len(values)
    order = sorted(range(n), key=lambda k: values[k])
    scores = [0.0] * n
    i = 0
    while i < n:
        j = i
        while j + 1 < n and values[order[j + 1]] == values[order[i]]:
            j += 1
        z = _NORMAL.inv_cdf(((i + j) / 2 + 0.5) / n)
        for k in order[i:j + 1]:
            scores[k] = z
        i = j + 1
    return scores


def fit_rho(visits: Sequence[Sequence[tuple[K, int]]], durations: Mapping[K, Sequence[float]],
            weights: Sequence[int] | None = None) -> float:
    """The correlation ρ (normal scores) between two step visits of the same case.

    `visits`: per case, its (key, index into durations[key]) of the office's steps, a key naming the list a
    visit's duration is in (a step, or its second visits); `weights`: how many times each case counts (recency
    copies; its durations are already repeated that many times).
    """
    scores = {s: normal_scores(v) for s, v in durations.items() if len(v) >= MIN_VISITS}
    products = pairs = seen = 0.0
    for c, case in enumerate(visits):
        z = [scores[s][k] for s, k in case if s in scores]
        if len(z) < 2:
            continue
        w = 1 if weights is None else weights[c]
        total = sum(z)
        products += w * (total * total - sum(x * x for x in z)) / 2
        pairs += w * len(z) * (len(z) - 1) / 2
        seen += len(z) * (len(z) - 1) / 2
    if not pairs:
        return 0.0
    rho = products / pairs
    # Within about two standard errors of 0 (1/√pairs, pairs taken as independent): no dependence worth the draws.
    return min(1.0, rho) if rho > 2 / math.sqrt(seen) else 0.0


def pace(rng: random.Random, rho: float) -> float | None:
    """A dossier's pace (None when its steps are independent)."""
    return rng.gauss(0.0, 1.0) if rho > 0 else None


def quantile_of(rng: random.Random, rho: float, dossier_pace: float) -> float:
    """The quantile (0 ≤ u < 1) of a step's duration for a dossier of this pace (a dossier without one draws
    rng.random() itself, simulation.model._duration)."""
    z = math.sqrt(rho) * dossier_pace + math.sqrt(1.0 - rho) * rng.gauss(0.0, 1.0)
    return min(0.5 * (1.0 + math.erf(z / _ROOT2)), 1.0 - 1e-12)
