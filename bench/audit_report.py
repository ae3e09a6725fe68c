"""Time the annual report over 100k dossiers (~1M events) and conformance over 10k cases, against pm4py.

(1) Setup: a template year of the demo district is worked through the engine (demo.generate_year at a small
    scale); its rows (cases, dossiers, steps, events, scans, ratings, apologies) are then cloned in
    bulk with new ids and codes and a shift of whole weeks inside the year until there are
    --dossiers dossiers. Cloned hash chains are not re-chained (the report does not verify them).
(2) The annual report: gather (SLA, conformance of every case of the year, QĐ 766 per quarter, CCHC,
    audit programme, pictures), then render PDF and XLSX.
(3) Conformance over --cases completed cases: quytrinh's check_log (alignments + token replay + role
    checks) on logs read from the database; then token replay and alignments alone on the same step
    traces, by quytrinh and by pm4py in the same run. pm4py (AGPL-3.0) is never imported here: it runs
    in a subprocess with the interpreter given by --pm4py-python (default /tmp/pm4pyenv/bin/python),
    and that part is skipped when it is missing. A share --noise of the traces get one step deleted,
    repeated or swapped. pm4py groups traces by variant; quytrinh does too in this comparison, so both
    compute each variant once.

    python bench/audit_report.py [--dossiers 100000] [--cases 10000] [--template-scale 0.4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from audits.conformance import ModelCatalog, ProcedureModel, check_log, step_trace  # noqa: E402
from audits.report_data import build_annual_report  # noqa: E402
from audits.reports import render_report  # noqa: E402
from demo import generate_year  # noqa: E402
from processes.audit_schema import case_conformance, step_rollup_months, step_rollups  # noqa: E402
from processes.case_logs import iter_case_logs  # noqa: E402
from processes.db import Database  # noqa: E402
from processes.organisation import actor_roles  # noqa: E402
from processes.schema import UTCDateTime, definitions, instances, metadata  # noqa: E402
from tests.demo.demo_data import prepared  # noqa: E402

YEAR = 2025
CLONED = {"instances": "id", "dossiers": "instance_id", "human_tasks": "instance_id", "events": "case_id",
          "attachments": "instance_id", "ratings": "instance_id", "apologies": "dossier_id"}
PM4PY_SCRIPT = r'''
import json, sys, time
from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
from pm4py.algo.conformance.tokenreplay.variants import token_replay
from pm4py.objects.log.obj import Event, EventLog, Trace
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to
job = json.load(open(sys.argv[1]))
out = {"replay": 0.0, "align": 0.0, "fitness": {}}
for name, item in job.items():
    pm = PetriNet(name)
    places = {p: PetriNet.Place(p) for p in item["places"]}
    trans = {t: PetriNet.Transition(t, label) for t, label in item["transitions"].items()}
    pm.places.update(places.values()); pm.transitions.update(trans.values())
    for t, p, w in item["pre"]:
        add_arc_from_to(places[p], trans[t], pm, weight=w)
    for t, p, w in item["post"]:
        add_arc_from_to(trans[t], places[p], pm, weight=w)
    im = Marking({places[p]: n for p, n in item["initial"].items()})
    fm = Marking({places[p]: n for p, n in item["final"].items()})
    log = EventLog([Trace([Event({"concept:name": a}) for a in t]) for t in item["traces"]])
    params = {"show_progress_bar": False}
    t0 = time.perf_counter(); replayed = token_replay.apply(log, pm, im, fm, parameters=params)
    out["replay"] += time.perf_counter() - t0
    t0 = time.perf_counter(); aligned = alignments.apply(log, pm, im, fm, parameters=params)
    out["align"] += time.perf_counter() - t0
    out["fitness"][name] = [sum(r["trace_fitness"] for r in replayed) / len(replayed),
                            sum(a["fitness"] for a in aligned) / len(aligned)]
print(json.dumps(out))
'''


_DAYS: dict[tuple[str, int], str] = {}


def _stamp(text: str | None, days: int) -> str | None:
    """A stored timestamp moved by whole days (only its date part changes)."""
    if text is None:
        return None
    key = (text[:10], days)
    day = _DAYS.get(key)
    if day is None:
        day = _DAYS[key] = (dt.date.fromisoformat(text[:10]) + dt.timedelta(days=days)).isoformat()
    return day + text[10:]


def clone(path: Path, target: int, seed: int) -> int:
    """Clone the template cases until the database holds `target` dossiers; return the dossier count."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    shifted = {t: {c.name for c in metadata.tables[t].columns if isinstance(c.type, UTCDateTime)} for t in CLONED}
    columns = {t: [r[1] for r in con.execute(f"PRAGMA table_info({t})")] for t in CLONED}
    template = [r[0] for r in con.execute("SELECT instance_id FROM dossiers ORDER BY instance_id")]
    received = dict(con.execute("SELECT instance_id, received_at FROM dossiers"))
    rows = {t: {} for t in CLONED}
    for t, key in CLONED.items():
        column = "dossier_id" if t == "apologies" else key
        for row in con.execute(f"SELECT * FROM {t}"):
            record = dict(zip(columns[t], row, strict=True))
            owner = record[column]
            rows[t].setdefault(owner, []).append(record)
    dossier_of = {r["instance_id"]: r["id"] for rs in rows["dossiers"].values() for r in rs}
    next_id = {t: (con.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0] or 0) for t in CLONED}
    count, copy = len(template), 0
    while count < target:
        copy += 1
        batch: dict[str, list[tuple]] = {t: [] for t in CLONED}
        for case in template:
            if count >= target:
                break
            day = dt.datetime.fromisoformat(received[case])
            low = -((day - dt.datetime(YEAR, 1, 1)).days // 7)
            high = (dt.datetime(YEAR, 12, 31) - day).days // 7
            days = 7 * rng.randint(low, high)
            next_id["instances"] += 1
            new_case = next_id["instances"]
            new_dossier = None
            for t in CLONED:
                owner = dossier_of.get(case) if t == "apologies" else case
                for r in rows[t].get(owner, []):
                    r = dict(r)
                    for c in shifted[t]:
                        r[c] = _stamp(r[c], days)
                    if t == "instances":
                        r["id"], r["business_key"] = new_case, f"{r['business_key']}-{copy}"
                    else:
                        next_id[t] += 1
                        r["id"] = next_id[t]
                    if t == "dossiers":
                        new_dossier = r["id"]
                        r["code"] = f"{r['code']}-{copy}"
                    if t in ("dossiers", "human_tasks", "attachments", "ratings"):
                        r["instance_id"] = new_case
                    if t == "events":
                        r["case_id"] = new_case
                    if t == "human_tasks":
                        r["task_uuid"] = str(uuid.UUID(int=rng.getrandbits(128)))
                        # A shifted step may now span a holiday: its office time is computed again by the
                        # first report (processes/step_times.py), as after an upgrade.
                        r["worked_seconds"] = None
                    if t == "apologies":
                        r["dossier_id"] = new_dossier
                    batch[t].append(tuple(r[c] for c in columns[t]))
            count += 1
        for t in CLONED:
            if batch[t]:
                marks = ",".join("?" * len(columns[t]))
                con.executemany(f"INSERT INTO {t} ({','.join(columns[t])}) VALUES ({marks})", batch[t])
        con.commit()
    con.close()
    return count


def _timed(label: str, fn):
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<46} {seconds:8.2f} s")
    return value, seconds


def conformance_bench(db: Database, cases: int, seed: int, pm4py_python: str, noise: float) -> None:
    """check_log on `cases` completed cases, then replay and alignments alone vs pm4py on the same traces
    (a share `noise` of them with one step deleted, repeated or swapped)."""
    with db.read() as conn:
        ids = [r.id for r in conn.execute(select(instances.c.id).where(instances.c.status == "completed"))]
        models = [ProcedureModel.from_xml(r.bpmn_xml, r.version, r.process_id) for r in conn.execute(
            select(definitions.c.bpmn_xml, definitions.c.version, definitions.c.process_id))]
        roles = actor_roles(conn)
    chosen = sorted(random.Random(seed).sample(ids, min(cases, len(ids))))
    print(f"conformance over {len(chosen)} completed cases")

    def load() -> dict[int, list[dict]]:
        """The chosen cases' logs."""
        with db.read() as conn:
            return dict(iter_case_logs(conn, chosen))

    logs, _ = _timed("read logs from the database", load)
    catalog = ModelCatalog(models)
    (figures, _), full = _timed("quytrinh check_log (align + replay + roles)", lambda: check_log(logs, catalog, roles))
    by_model: dict[str, tuple[ProcedureModel, list[tuple[str, ...]]]] = {}
    rng = random.Random(seed)
    for events in logs.values():
        model = catalog(events[0]["activity"], (events[0]["payload"] or {}).get("version"))
        trace = list(step_trace(model, events)[0])
        if trace and rng.random() < noise:  # a deleted, repeated or swapped step, as in a careless record
            k = rng.randrange(len(trace))
            op = rng.choice("drs")
            if op == "d":
                del trace[k]
            elif op == "r":
                trace.insert(k, trace[k])
            elif k + 1 < len(trace):
                trace[k], trace[k + 1] = trace[k + 1], trace[k]
        by_model.setdefault(model.process_id, (model, []))[1].append(tuple(trace))

    def ours(kind: str) -> dict[str, float]:
        """Mean fitness per procedure, each distinct trace replayed or aligned once."""
        out = {}
        for name, (model, traces) in by_model.items():
            cache: dict[tuple[str, ...], float] = {}
            for t in traces:
                if t not in cache:
                    cache[t] = model.replayer.replay(t).fitness if kind == "replay" else model.aligner.align(t).fitness
            out[name] = sum(cache[t] for t in traces) / len(traces)
        return out

    mine_replay, replay_s = _timed("quytrinh token replay (per variant)", lambda: ours("replay"))
    mine_align, align_s = _timed("quytrinh alignments (per variant)", lambda: ours("align"))
    if not Path(pm4py_python).is_file():
        print(f"  pm4py: no interpreter at {pm4py_python}; comparison skipped")
        return
    job = {}
    for name, (model, traces) in by_model.items():
        net = model.translation.net
        job[name] = {"places": list(net.places), "transitions": {t: v.label for t, v in net.transitions.items()},
                     "pre": [(t, p, w) for t, ins in net.pre.items() for p, w in ins.items()],
                     "post": [(t, p, w) for t, outs in net.post.items() for p, w in outs.items()],
                     "initial": net.initial, "final": net.final, "traces": [list(t) for t in traces]}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(job, f)
    script = Path(f.name).with_suffix(".py")
    script.write_text(PM4PY_SCRIPT)
    done = subprocess.run([pm4py_python, str(script), f.name], capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  {'pm4py token replay':<46} {theirs['replay']:8.2f} s")
    print(f"  {'pm4py alignments':<46} {theirs['align']:8.2f} s")
    for name in sorted(job):
        pr, pa = theirs["fitness"][name]
        print(f"    {name:<12} fitness replay {mine_replay[name]:.4f} (pm4py {pr:.4f}), "
              f"alignment {mine_align[name]:.4f} (pm4py {pa:.4f})")
    print(f"ratio quytrinh/pm4py: token replay {replay_s / max(theirs['replay'], 1e-9):.2f}, "
          f"alignments {align_s / max(theirs['align'], 1e-9):.2f}, "
          f"check_log on the stored logs vs pm4py replay+alignments on the perturbed traces "
          f"{full / max(theirs['replay'] + theirs['align'], 1e-9):.2f}")
    del figures


def demo_bench(path: str, year: int, rounds: int = 5) -> None:
    """On a demo-year database (quytrinh demo --year Y): the annual report PDF and the /audit?year page, each
    the way it was before issue 14 item 6 (every case checked afresh, every step row read; the page checked every
    case of every year) and now (stored verdicts, monthly step rollups; the page checks the year's dossiers), in
    the same run; medians of `rounds`."""
    import statistics

    from audits import drawing_cache, pictures
    from audits.casecheck import check_cases, conformance_in
    from audits.indicators import sla_report
    from audits.periods import parse_period
    from web import create_app

    db = Database(f"sqlite:///{path}")
    period = parse_period(str(year))

    def median(fn) -> float:
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    print(f"demo year {year} ({path}), medians of {rounds}")
    # Before: every case checked afresh and every picture drawn by Graphviz (no drawing kept between reports).
    before = median(lambda: (pictures._RASTERS.clear(), drawing_cache.clear(),
                             render_report(build_annual_report(db, year, stored=False), "pdf")))
    build_annual_report(db, year)  # the first report keeps the verdicts
    after = median(lambda: render_report(build_annual_report(db, year), "pdf"))
    print(f"  annual report PDF (gather + render): before {before:.2f} s, now {after:.2f} s, "
          f"ratio {after / before:.2f}")
    page_before = median(lambda: (check_cases(db, stored=False), sla_report(db, period, rollups=False)))
    page_data = median(lambda: (conformance_in(db, period), sla_report(db, period)))
    app = create_app({"DATABASE": db, "TESTING": True, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "100 per minute"})
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"username": "iso", "password": "demo1234", "csrf_token": token})
    whole = median(lambda: client.get(f"/audit?year={year}"))
    print(f"  /audit?year={year}: data before {page_before * 1000:.0f} ms, now {page_data * 1000:.0f} ms "
          f"(ratio {page_data / page_before:.2f}); whole page now {whole * 1000:.0f} ms")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--template-scale", type=float, default=0.4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pm4py-python", default="/tmp/pm4pyenv/bin/python")
    parser.add_argument("--noise", type=float, default=0.1, help="Share of traces perturbed for the comparison.")
    parser.add_argument("--keep", default=None, help="Folder to keep the database in.")
    parser.add_argument("--reuse", action="store_true", help="Reuse the database kept in --keep.")
    parser.add_argument("--no-report", action="store_true", help="Only the conformance comparison.")
    parser.add_argument("--demo-db", default=None,
                        help="Only time the demo year's annual report and /audit page on this SQLite file.")
    args = parser.parse_args()
    if args.demo_db:
        demo_bench(args.demo_db, YEAR)
        return
    folder = Path(args.keep or tempfile.mkdtemp(prefix="qt-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite"
    print(f"database {path}")
    if not (args.reuse and path.is_file()):
        path.unlink(missing_ok=True)
        db = prepared(f"sqlite:///{path}")
        summary, _ = _timed(f"template year through the engine (scale {args.template_scale})",
                            lambda: generate_year(db, YEAR, args.template_scale, args.seed, folder / "files"))
        db.dispose()
        total, _ = _timed(f"bulk clone to {args.dossiers} dossiers", lambda: clone(path, args.dossiers, args.seed))
        print(f"  {total} dossiers ({summary.dossiers} worked by the engine)")
    con = sqlite3.connect(path)
    print("  {} dossiers, {} events".format(*(con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                                              for t in ("dossiers", "events"))))
    con.close()
    db = Database(f"sqlite:///{path}")
    if not args.no_report:
        print("annual report")
        # Same run: every case checked afresh and every step row read (as before issue 14 item 6), then the
        # verdicts kept in case_conformance and the months' step rollups filled once, then read back (what every
        # later report does).
        _, fresh = _timed("gather, conformance afresh, step rows read",
                          lambda: build_annual_report(db, YEAR, stored=False))
        with db.write() as conn:
            conn.execute(case_conformance.delete())
            conn.execute(step_rollups.delete())
            conn.execute(step_rollup_months.delete())
        _, fill = _timed("gather, verdicts and rollups stored (first report)",
                         lambda: build_annual_report(db, YEAR))
        report, build = _timed("gather, stored verdicts and step rollups",
                               lambda: build_annual_report(db, YEAR))
        _, pdf = _timed("render PDF", lambda: render_report(report, "pdf"))
        _, xlsx = _timed("render XLSX", lambda: render_report(report, "xlsx"))
        print(f"  total {build + pdf + xlsx:.1f} s for {report.headline['received']} dossiers received in {YEAR}")
        print(f"ratio gather stored/afresh {build / fresh:.2f}, first report/afresh {fill / fresh:.2f}")
    conformance_bench(db, args.cases, args.seed, args.pm4py_python, args.noise)


if __name__ == "__main__":
    main()
