"""Which parts of the duration model to keep, chosen on the demo's training months only (issue 18).

Each variant of the model (simulation.fit.fit_traces switches) is fitted on January-April 2025 and predicts
the dossiers received May-July, followed to 31 August (all before the backtest's split): the variant holding
most checks there (then the smallest mean worst error) is the one kept. The backtest period itself
(September to the demo's backlog, followed to 31 December) is printed beside it for the record, not to choose.

    python bench/simulation_demo_variants.py --demo-db sqlite:////tmp/demo.sqlite [--seeds 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
if str(_HERE.parent) not in sys.path:
    sys.path.insert(0, str(_HERE.parent))

from processes.db import Database  # noqa: E402
from simulation.backtest import actual, compare, loss, predict  # noqa: E402

VARIANTS = {
    "each step on its own (before)": {"dependence": False, "repeats_apart": False, "overrun": False},
    "+ dossier pace (copula)": {"dependence": True, "repeats_apart": False, "overrun": False},
    "+ second visits apart": {"dependence": False, "repeats_apart": True, "overrun": False},
    "+ overruns kept": {"dependence": False, "repeats_apart": False, "overrun": True},
    "pace + second visits": {"dependence": True, "repeats_apart": True, "overrun": False},
    "all three": {"dependence": True, "repeats_apart": True, "overrun": True},
}
LIMIT_DAYS = 5.0


def compare_variants(db: Database, seeds: int) -> None:
    """Print, per variant, the checks held on the inner validation and on the backtest period."""
    from demo import checkpoint, profiles
    from processes import organisation
    from simulation.fit_db import fit_log, read_log

    with db.read() as conn:
        agencies = sorted({(u.code, u.path) for u in organisation.unit_tree(conn) if u.path == u.agency_path})
    logs = []
    for unit, path in agencies:
        log = read_log(db, unit, path, dt.date(2025, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 12, 31))
        if log.traces:
            logs.append((log, fit_log(log)[1]))

    def at(log, year: int, month: int, day: int) -> float:  # noqa: ANN001
        return log.axis.at(dt.datetime(year, month, day, tzinfo=log.axis.tz))

    periods = {"inner (fit Jan-Apr, predict May-Jul)": lambda log: (at(log, 2025, 5, 1), at(log, 2025, 8, 1),
                                                                       at(log, 2025, 9, 1)),
               "backtest (fit Jan-Aug, predict Sep-Nov)": lambda log: (
                   at(log, 2025, 9, 1), log.axis.at(checkpoint.end_of(2025, None) - profiles.BACKLOG_WINDOW),
                   at(log, 2026, 1, 1))}
    for period, bounds in periods.items():
        print(f"\n{period}, {seeds} runs each; actual / predicted, * missed")
        for name, switches in VARIANTS.items():
            held = total = 0
            worst, lines = [], []
            for log, roster in logs:
                split, until, end = bounds(log)
                train = {c: [t for t in ts if t.received < split] for c, ts in log.traces.items()}
                found = predict(log.graphs, train, roster, log.axis, split, end, LIMIT_DAYS,
                                seeds=tuple(range(1, seeds + 1)), received_until=until, **switches)
                for code, figures in sorted(found.items()):
                    test = [t for t in log.traces[code] if split <= t.received < until]
                    if len(test) < 10:
                        continue
                    checks = compare(actual(log.graphs[code], test, log.axis, LIMIT_DAYS, end), figures)
                    held += sum(bool(c.holds) for c in checks)
                    total += len(checks)
                    worst.append(loss(actual(log.graphs[code], test, log.axis, LIMIT_DAYS, end), figures))
                    if code in ("QT-KD-01", "QT-VB-01", "QT-XD-01"):
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
    compare_variants(Database(args.demo_db), args.seeds)
