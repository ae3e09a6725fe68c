"""Which parts of the duration model to keep, chosen on the demo's training months only (issue 18).

Each variant of the model (simulation.fit.fit_traces switches) is fitted on January-April 2025 and predicts
the dossiers received May-July, followed to 31 August (all before the backtest's split): the variant holding
most checks there (then the smallest mean worst error) is the one kept. The backtest period itself
(September to the demo's backlog, followed to 31 December) is printed beside it for the record, not to choose.

    python bench/simulation_demo_variants.py --demo-db sqlite:////tmp/demo.sqlite [--seeds 100]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(_HERE.parent) not in sys.path:
    sys.path.insert(0, str(_HERE.parent))

# bench/ is not on sys.path but the repository is: the backtest is imported once, as bench.what_if_backtest.
from bench import what_if_backtest  # noqa: E402
from processes.db import Database  # noqa: E402
from simulation.axis import TimeAxis  # noqa: E402
from simulation.backtest import Figures, compare, loss, predict  # noqa: E402

VARIANTS = {
    "each step on its own (before)": {"dependence": False, "repeats_apart": False, "overrun": False},
    "+ dossier pace (copula)": {"dependence": True, "repeats_apart": False, "overrun": False},
    "+ second visits apart": {"dependence": False, "repeats_apart": True, "overrun": False},
    "+ overruns kept": {"dependence": False, "repeats_apart": False, "overrun": True},
    "pace + second visits": {"dependence": True, "repeats_apart": True, "overrun": False},
    "all three": what_if_backtest.SHIPPED,  # the default (what ships)
}
SHOWN = ("QT-KD-01", "QT-VB-01", "QT-XD-01")  # procedures whose figures are printed under each variant


def inner_period(axis: TimeAxis) -> tuple[float, float, float]:
    """Fit on January-April 2025, measure the dossiers received May-July, followed to 31 August."""
    on_day = what_if_backtest.on_day
    return on_day(axis, 2025, 5, 1), on_day(axis, 2025, 8, 1), on_day(axis, 2025, 9, 1)


def compare_variants(logs: list, seeds: int, known: Mapping[str, Mapping[str, Figures]] | None = None) -> None:
    """Print, per variant, the checks held on the inner validation and on the backtest period.

    `logs`: what_if_backtest.demo_logs; `known`: the default model's predictions on the backtest period with as many
    seeds (what_if_backtest.demo_backtest's), not simulated again."""
    bench = what_if_backtest
    periods = {"inner (fit Jan-Apr, predict May-Jul)": (inner_period, None),
               "backtest (fit Jan-Aug, predict Sep-Nov)": (bench.backtest_period, known)}
    for period, (bounds, reused) in periods.items():
        cohorts = bench.demo_cohorts(logs, bounds)
        print(f"\n{period}, {seeds} runs each; actual / predicted, * missed")
        for name, switches in VARIANTS.items():
            held = total = 0
            worst, lines = [], []
            for cohort in cohorts:
                if switches == bench.SHIPPED and reused is not None and cohort.unit in reused:
                    found = reused[cohort.unit]
                else:
                    found = predict(cohort.log.graphs, cohort.train, cohort.roster, cohort.log.axis, cohort.split,
                                    cohort.end, bench.LIMIT_DAYS, seeds=tuple(range(1, seeds + 1)),
                                    received_until=cohort.until, **switches)
                for code, (test, real) in cohort.tests.items():
                    if code not in found:
                        continue
                    checks = compare(real, found[code])
                    held += sum(bool(c.holds) for c in checks)
                    total += len(checks)
                    worst.append(loss(real, found[code]))
                    if code in SHOWN:
                        lines.append(f"      {code} ({len(test)}) " + "  ".join(
                            f"{c.label} {c.actual:.3f}/{c.predicted:.3f}{'' if c.holds else '*'}" for c in checks
                            if c.actual is not None and c.predicted is not None))
            print(f"  {name:<30} holds {held}/{total}, mean worst error {sum(worst) / len(worst):.2f} x target")
            print("\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo-db", required=True)
    parser.add_argument("--seeds", type=int, default=100)
    args = parser.parse_args()
    compare_variants(what_if_backtest.demo_logs(Database(args.demo_db)), args.seeds)
