"""Web latency with a large dossier table: p50/p95 of the inbox page, the task page and a step completion over
HTTP on loopback, against a trivial health endpoint measured in the same run.

Setup: a SQLite file with the demo organisation and QT-XD-01; `--real` dossiers received through the use case
(their appraisal steps are completed during the run), then `--dossiers` filler dossiers inserted in bulk
(cases, dossier rows, one step each: `--open` of them still open, spread over the district's roles, the rest
completed). The app runs in a werkzeug server thread of the bench's own process (`--server thread`, the default:
client and server then share one interpreter), or under `quytrinh serve` (`--server gunicorn`: gunicorn in its
own processes, with its default workers and threads, as an agency runs it); requests go through http.client with
a logged-in session.

    python bench/web_latency.py [--dossiers 100000] [--open 0.2] [--real 120] [--samples 120]
                                [--keep FILE | --reuse FILE] [--server thread|gunicorn]

--keep FILE copies the freshly built database (before any request) to FILE; --reuse FILE measures a copy of it
instead of building, so two builds of the code are compared on the same data (the copy is taken again each run:
the run completes the real dossiers' steps).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import logging
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

os.environ.setdefault("QUYTRINH_SQLITE_SYNCHRONOUS", "NORMAL")  # faster bulk setup; the same for every probe

from sqlalchemy import insert, select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from processes import catalog, reception  # noqa: E402
from processes.clock import SystemClock  # noqa: E402
from processes.db import Database  # noqa: E402
from processes.notice_schema import dossier_terms  # noqa: E402
from processes.schema import definitions, dossiers, human_tasks, instances, units  # noqa: E402
from processes.search_terms import words  # noqa: E402
from processes.setup import initialise, load_demo_organisation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ROLES = ("chuyen_vien_ktht", "lanh_dao_phong_ktht", "mot_cua", "van_thu", "lanh_dao_ubnd")
FORM = {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa", "so_giay_chung_nhan_qsdd": "CS 1",
        "dien_tich_xay_dung": 100, "so_tang": 3}
NAMES = ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang",
         "Nguyễn Thị Hồng Nhung", "Đỗ Đức Anh")


def setup(folder: Path, filler: int, open_share: float, real: int) -> tuple[Database, list[str]]:
    """Build the database; return it and the codes of the dossiers received for real."""
    db = Database(f"sqlite:///{folder / 'bench.sqlite'}")
    clock = SystemClock()
    initialise(db, clock)
    load_demo_organisation(db, clock)
    catalog.deploy_file(db, ROOT / "bpmn" / "QT-XD-01.bpmn", clock, "iso")
    codes = []
    for i in range(real):
        counter = reception.Counter(reception.Applicant(NAMES[i % len(NAMES)], f"0012030{i:05d}"), form=dict(FORM))
        codes.append(reception.receive(db, "QT-XD-01", counter, "accepted", "motcua", clock).ref)
    _bulk(db, filler, open_share)
    return db, codes


def _bulk(db: Database, count: int, open_share: float, batch: int = 5000) -> None:
    """Insert filler dossiers in batches (their cases are never loaded: state is a placeholder)."""
    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    with db.read() as conn:
        definition = conn.execute(select(definitions.c.id)).scalar_one()
        agency = conn.execute(select(units.c.id).where(units.c.code == "H01")).scalar_one()
        next_id = (conn.execute(select(instances.c.id).order_by(instances.c.id.desc())).scalar() or 0) + 1
    for start in range(0, count, batch):
        cases, rows, steps, terms = [], [], [], []
        for n in range(start, min(count, start + batch)):
            case_id = next_id + n
            received = now - dt.timedelta(days=rng.uniform(0, 400))
            is_open = rng.random() < open_share
            due = received + dt.timedelta(days=rng.uniform(1, 20))
            code = f"B01-{received:%y%m%d}-{n:06d}"
            cases.append({"id": case_id, "business_key": code, "definition_id": definition, "unit_id": agency,
                          "status": "running" if is_open else "completed", "state": "{}", "state_version": "bench",
                          "lock_version": 1, "started_by": "motcua", "event_count": 0, "event_head": "",
                          "created_at": received, "updated_at": received,
                          "completed_at": None if is_open else received + dt.timedelta(days=5)})
            rows.append({"instance_id": case_id, "code": code, "procedure": "QT-XD-01", "unit_id": agency,
                         "channel": "truc_tiep", "applicant_name": rng.choice(NAMES),
                         "applicant_id_number": f"0790{n:08d}", "status_code": 4 if is_open else 10,
                         "deadline": "P15D", "received_at": received, "counted_from": received, "due_at": due,
                         "appointment_at": due, "original_appointment_at": due, "supplement_count": 0,
                         "paused_minutes": 0, "late_marked": False, "new_date_set": False,
                         "result": None if is_open else rng.choice(("early", "on_time", "late")),
                         "done_at": None if is_open else received + dt.timedelta(days=5),
                         "soon_at": due - dt.timedelta(days=1), "updated_at": received})
            # the folded search words the listener writes for a received dossier (processes/search_terms.py)
            terms.extend({"term": w, "instance_id": case_id}
                         for w in dict.fromkeys(words(f"{code} {rows[-1]['applicant_name']} "
                                                      f"{rows[-1]['applicant_id_number']}")))
            role = rng.choice(ROLES)
            steps.append({"task_uuid": str(uuid.uuid4()), "instance_id": case_id, "element_id": "Task_ThamDinh",
                          "name": "Thẩm định hồ sơ, kiểm tra thực địa", "roles": role, "unit_id": agency,
                          "assignee": None, "state": "ready" if is_open else "completed", "due_duration": "P9D",
                          "created_at": received, "due_at": due, "soon_at": due - dt.timedelta(days=1),
                          "completed_at": None if is_open else received + dt.timedelta(days=3),
                          "completed_by": None if is_open else "cv.ktht",
                          "result": None if is_open else "on_time"})
        with db.write() as conn:
            conn.execute(insert(instances), cases)
            conn.execute(insert(dossiers), rows)
            conn.execute(insert(human_tasks), steps)
            conn.execute(insert(dossier_terms), terms)


def keep(db: Database, folder: Path, codes: list[str], target: Path) -> None:
    """Copy the built database (closed first) and the codes of its real dossiers next to it."""
    db.dispose()
    shutil.copyfile(folder / "bench.sqlite", target)
    target.with_suffix(".codes.json").write_text(json.dumps(codes))


def reuse(folder: Path, source: Path) -> tuple[Database, list[str]]:
    """A copy of a database saved by --keep, and its real dossiers' codes."""
    shutil.copyfile(source, folder / "bench.sqlite")
    return Database(f"sqlite:///{folder / 'bench.sqlite'}"), json.loads(source.with_suffix(".codes.json").read_text())


class Browser:
    """A logged-in HTTP client over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        """One request (a form when `form` is given); keeps the session cookie; (status, body, headers)."""
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        text = reply.read().decode("utf-8", "replace")
        cookie = reply.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return reply.status, text, dict(reply.getheaders())

    def csrf(self, path: str) -> str:
        """The CSRF token of a page."""
        return re.search(r'name="csrf_token" value="([^"]+)"', self.request("GET", path)[1]).group(1)

    def login(self, username: str) -> None:
        """Log in as a demo user."""
        token = self.csrf("/login")
        status, _, _ = self.request("POST", "/login", {"username": username, "password": "demo1234",
                                                      "csrf_token": token})
        assert status == 302, f"login as {username} failed ({status})"


def timed(call: Callable[[], Any], samples: int) -> list[float]:
    """Milliseconds of `samples` calls (after two warm-up calls)."""
    for _ in range(2):
        call()
    found = []
    for _ in range(samples):
        t = time.perf_counter()
        call()
        found.append((time.perf_counter() - t) * 1000)
    return found


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main() -> None:
    """Build, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--open", type=float, default=0.2, help="share of filler dossiers with an open step")
    parser.add_argument("--real", type=int, default=120, help="dossiers received for real (completed in the run)")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="save the built database to this file (and its real codes)")
    parser.add_argument("--reuse", type=Path, help="measure a copy of a database saved by --keep")
    parser.add_argument("--server", choices=["thread", "gunicorn"], default="thread",
                        help="werkzeug in a thread of this process, or `quytrinh serve` (gunicorn) in its own")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    from web import create_app

    with tempfile.TemporaryDirectory(prefix="quytrinh-bench-") as tmp:
        t0 = time.perf_counter()
        if args.reuse:
            db, codes = reuse(Path(tmp), args.reuse)
            print(f"reused {args.reuse} ({len(codes)} real dossiers)")
        else:
            db, codes = setup(Path(tmp), args.dossiers, args.open, args.real)
            print(f"setup: {args.dossiers} filler + {args.real} real dossiers in {time.perf_counter() - t0:.1f} s")
            if args.keep:
                keep(db, Path(tmp), codes, args.keep)
        if args.server == "gunicorn":
            with gunicorn_server(Path(tmp)) as port:
                report(Browser(port), db, codes, args.samples)
            db.dispose()
            return
        app = create_app({"DATABASE": db, "SECRET_KEY": "bench", "LOGIN_RATE_LIMIT": "1000 per minute",
                          "ATTACHMENTS_DIR": str(Path(tmp) / "attachments")})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            report(Browser(server.server_port), db, codes, args.samples)
        finally:
            server.shutdown()
            db.dispose()


@contextlib.contextmanager
def gunicorn_server(folder: Path) -> Iterator[int]:
    """`quytrinh serve` on the bench's database, in its own processes; yields its port once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, QUYTRINH_DATABASE_URL=f"sqlite:///{folder / 'bench.sqlite'}", QUYTRINH_SECRET_KEY="bench",
               QUYTRINH_ATTACHMENTS_DIR=str(folder / "attachments"))
    log = folder / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port)], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"quytrinh serve did not start: {log.read_text()[-2000:]}") from exc
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(30)


def report(browser: Browser, db: Database, codes: list[str], samples: int) -> None:
    """Measure the four requests and print p50/p95 with ratios to the health check."""
    browser.login("cv.ktht")
    with db.read() as conn:
        tasks = [r.task_uuid for r in conn.execute(
            select(human_tasks.c.task_uuid).join(instances, instances.c.id == human_tasks.c.instance_id)
            .where(instances.c.business_key.in_(codes), human_tasks.c.state == "ready"))]
        open_steps = conn.execute(select(human_tasks.c.id).where(human_tasks.c.state == "ready",
                                                                 human_tasks.c.roles == "chuyen_vien_ktht")).all()
    print(f"cv.ktht's inbox holds {len(open_steps) + len(tasks)} open steps")

    def check(status: int, expected: int = 200) -> None:
        """Fail loudly on an unexpected status."""
        assert status == expected, f"HTTP {status}"

    results = {
        "GET /health": timed(lambda: check(browser.request("GET", "/health")[0]), samples),
        "GET /tasks (inbox page)": timed(lambda: check(browser.request("GET", "/tasks")[0]), samples),
        "GET /tasks (overdue filter, page 3)": timed(
            lambda: check(browser.request("GET", "/tasks?sla=overdue&page=3")[0]), samples),
        # issue 13 item 7: unaccented search through the folded word index, over every dossier
        "GET /dossiers?applicant=hong nhung": timed(
            lambda: check(browser.request("GET", "/dossiers?applicant=hong+nhung")[0]), samples),
        "GET /dossiers?applicant=<one ID number>": timed(
            lambda: check(browser.request("GET", "/dossiers?applicant=079000012345")[0]), samples),
        "GET /tasks?q=nguyen thi": timed(lambda: check(browser.request("GET", "/tasks?q=nguyen+thi")[0]), samples),
        "GET /tasks/<id> (task page)": timed(lambda: check(browser.request("GET", f"/tasks/{tasks[0]}")[0]), samples),
    }
    token = browser.csrf("/tasks")
    todo = iter(tasks[1:])

    def complete() -> None:
        """Complete the next real dossier's appraisal through the task page."""
        status, body, headers = browser.request("POST", f"/tasks/{next(todo)}", {
            "csrf_token": token, "ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": "Đủ điều kiện"})
        check(status, 302)

    results["POST /tasks/<id> (completion)"] = timed(complete, min(samples, len(tasks) - 3))
    base = statistics.median(results["GET /health"])
    print(f"{'request':38} {'p50 ms':>8} {'p95 ms':>8} {'p50 / health':>13}")
    for name, values in results.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{name:38} {p50:8.1f} {p95:8.1f} {p50 / base:12.1f}x")


if __name__ == "__main__":
    main()
