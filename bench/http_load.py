"""HTTP load on `quytrinh serve` (gunicorn): concurrent officers reading their inbox and completing steps.

For each worker count asked for, a fresh set of dossiers is received through the counter's use case (their
appraisal step, role chuyen_vien_ktht, is what the clients complete), `quytrinh serve --workers W` starts on
the database, CLIENTS logged-in clients each loop "GET /tasks, POST /tasks/<id>" on their own share of the
steps for SECONDS seconds, and a probe reads /health every 50 ms meanwhile. Printed: completions/s, p50/p95/p99
of completions, of inbox reads and of the health probe, and the throughput ratio between worker counts.

    python bench/http_load.py [--database URL] [--workers 1,2] [--threads 4] [--clients 8] [--seconds 20] [--rounds 4]

With several rounds the worker counts alternate (1,2 then 2,1 …) so that a noisy neighbour hurts both. Also
printed per run: CPU seconds of the server's processes (and per completion), of this load generator, and how
many cores the whole machine was busy: on a small shared machine that shows where the ceiling is.

Without --database, a SQLite file in a temporary folder (synchronous=NORMAL, as web_latency.py); a PostgreSQL
URL gets a schema of its own, dropped afterwards. Loopback only; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("QUYTRINH_SQLITE_SYNCHRONOUS", "NORMAL")

from sqlalchemy import create_engine, select, text  # noqa: E402

from processes import catalog, reception  # noqa: E402
from processes.clock import SystemClock  # noqa: E402
from processes.db import Database  # noqa: E402
from processes.schema import human_tasks, instances  # noqa: E402
from processes.setup import initialise, load_demo_organisation  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FORM = {"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Xã An Hòa", "so_giay_chung_nhan_qsdd": "CS 1",
        "dien_tich_xay_dung": 100, "so_tang": 3}
APPRAISAL = {"ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": "Đủ điều kiện"}


def receive(db: Database, count: int) -> list[str]:
    """Receive `count` building-permit dossiers; return their open appraisal steps."""
    clock, refs = SystemClock(), []
    for i in range(count):
        counter = reception.Counter(reception.Applicant("Nguyễn Văn An", f"0012{i:08d}"), form=dict(FORM))
        refs.append(reception.receive(db, "QT-XD-01", counter, "accepted", "motcua", clock).ref)
    with db.read() as conn:
        return [r.task_uuid for r in conn.execute(
            select(human_tasks.c.task_uuid).join(instances, instances.c.id == human_tasks.c.instance_id)
            .where(instances.c.business_key.in_(refs), human_tasks.c.state == "ready"))]


class Client:
    """A logged-in officer over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        content = reply.read().decode("utf-8", "replace")
        if cookie := reply.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        return reply.status, content

    def token(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.request("GET", path)[1]).group(1)

    def login(self, username: str) -> None:
        status, _ = self.request("POST", "/login", {"username": username, "password": "demo1234",
                                                   "csrf_token": self.token("/login")})
        assert status == 302, f"login as {username}: HTTP {status}"


@dataclass
class Tally:
    completions: list[float] = field(default_factory=list)
    inbox: list[float] = field(default_factory=list)
    health: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_cpu: float = 0.0
    split: list[float] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), 0 for no values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else 0.0


def officer(port: int, steps: list[str], until: float, tally: Tally, lock: threading.Lock) -> None:
    """Read the inbox, complete the next step of this client's share; until time is up or the share is done."""
    client = Client(port)
    client.login("cv.ktht")
    token = client.token("/tasks")
    for step in steps:
        if time.monotonic() >= until:
            return
        t0 = time.perf_counter()
        status, _ = client.request("GET", "/tasks")
        t1 = time.perf_counter()
        done, _ = client.request("POST", f"/tasks/{step}", {"csrf_token": token, **APPRAISAL})
        t2 = time.perf_counter()
        with lock:
            tally.inbox.append((t1 - t0) * 1000)
            if status != 200 or done != 302:
                tally.errors.append(f"inbox {status}, completion {done}")
            else:
                tally.completions.append((t2 - t1) * 1000)


def probe(port: int, until: float, tally: Tally) -> None:
    """GET /health every 50 ms."""
    client = Client(port)
    while time.monotonic() < until:
        t0 = time.perf_counter()
        client.request("GET", "/health")
        tally.health.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, workers: int, threads: int, port: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, QUYTRINH_DATABASE_URL=url, QUYTRINH_LOGIN_RATE_LIMIT="10000 per minute")
    with log.open("ab") as out:
        server = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                                   "--workers", str(workers), "--threads", str(threads)],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    # Starting takes seconds on a quiet machine, over a minute on a 2-core one at load average 20.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if Client(port).request("GET", "/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    # The log is in a temporary folder removed on the way out: its end is printed here.
    raise SystemExit("the server did not start:\n" + log.read_text(errors="replace")[-3000:])


TICK = os.sysconf("SC_CLK_TCK")


def worker_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each gunicorn worker (the children of the server process `pid`)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return {int(child): tree_cpu(int(child)) for child in children}


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by `pid` and its living descendants (gunicorn's workers)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / TICK
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return own + sum(tree_cpu(int(child)) for child in children)


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of every core since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def run(db: Database, url: str, workers: int, args: argparse.Namespace, log: Path) -> Tally:
    """One measured run with `workers` gunicorn workers; the tally carries CPU seconds used meanwhile by the
    server (all its processes), by this load generator, and by the whole machine (all sessions on it)."""
    steps = receive(db, args.dossiers)
    port, tally, lock = free_port(), Tally(), threading.Lock()
    server = serve(url, workers, args.threads, port, log)
    try:
        server_cpu, client_cpu, (busy, total) = tree_cpu(server.pid), time.process_time(), machine_busy()
        per_worker = worker_cpu(server.pid)
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=officer, args=(port, steps[i::args.clients], until, tally, lock))
                   for i in range(args.clients)] + [threading.Thread(target=probe, args=(port, until, tally))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        busy_after, total_after = machine_busy()
        tally.server_cpu = tree_cpu(server.pid) - server_cpu
        # How the work fell on the workers: keep-alive connections stay with the worker that accepted them.
        tally.split = sorted((cpu - per_worker.get(pid, 0.0) for pid, cpu in worker_cpu(server.pid).items()),
                             reverse=True)
        tally.client_cpu = time.process_time() - client_cpu
        cores = os.cpu_count() or 1
        tally.machine_cpu = (busy_after - busy) / max(1, total_after - total) * cores * args.seconds
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--workers", default="1,2", help="gunicorn worker counts to compare")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--dossiers", type=int, default=1500, help="steps received for each run")
    parser.add_argument("--rounds", type=int, default=1,
                        help="repeat the comparison, alternating the order of worker counts (ABBA…)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="quytrinh-load-") as tmp:
        schema = None
        if args.database and not args.database.startswith("sqlite"):
            schema = f"load_{uuid.uuid4().hex[:8]}"
            with create_engine(args.database, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            url = f"{args.database}?options=-csearch_path%3D{schema}"
            db = Database(args.database, schema=schema)
        else:
            url = args.database or f"sqlite:///{Path(tmp) / 'load.sqlite'}"
            db = Database(url)
        try:
            initialise(db, SystemClock())
            load_demo_organisation(db, SystemClock())
            catalog.deploy_file(db, ROOT / "bpmn" / "QT-XD-01.bpmn", SystemClock(), "iso")
            counts = [int(x) for x in args.workers.split(",")]
            rounds: list[dict[int, Tally]] = []
            for number in range(args.rounds):
                order = counts if number % 2 == 0 else counts[::-1]
                rounds.append({w: run(db, url, w, args, Path(tmp) / "server.log") for w in order})
        finally:
            db.dispose()
            if schema:
                with create_engine(args.database, isolation_level="AUTOCOMMIT").connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(f"{'backend':10} {db.url.split(':')[0]:>10}  clients {args.clients}, {args.threads} threads/worker, "
          f"{args.seconds:g} s per run")
    print(f"{'round':>5} {'workers':>7} {'compl/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} | {'inbox p95':>9} | "
          f"{'health p50':>10} {'p95':>7} | {'server CPU s':>12} {'ms CPU/compl':>12} {'client CPU s':>12} "
          f"{'machine busy':>12} | errors")
    ratios: list[float] = []
    for number, results in enumerate(rounds, 1):
        first = len(results[counts[0]].completions) / args.seconds
        for workers in counts:
            tally = results[workers]
            rate = len(tally.completions) / args.seconds
            c, i, h = tally.completions, tally.inbox, tally.health
            per = tally.server_cpu / max(1, len(c)) * 1000
            print(f"{number:>5} {workers:>7} {rate:8.1f} {percentile(c, 50):7.1f} {percentile(c, 95):7.1f} "
                  f"{percentile(c, 99):7.1f} | {percentile(i, 95):9.1f} | {percentile(h, 50):10.1f} "
                  f"{percentile(h, 95):7.1f} | {tally.server_cpu:12.1f} {per:12.1f} {tally.client_cpu:12.1f} "
                  f"{tally.machine_cpu / args.seconds:11.2f}c | {len(tally.errors)}"
                  f"   ({rate / first:.2f}x {counts[0]} worker(s); CPU s per worker "
                  f"{' / '.join(f'{x:.1f}' for x in tally.split)})")
            for error in tally.errors[:3]:
                print("   ", error)
        if len(counts) > 1:
            ratios.append(len(results[counts[-1]].completions) / max(1, len(results[counts[0]].completions)))
    if ratios:
        ordered = sorted(ratios)
        print(f"{counts[-1]} workers / {counts[0]}: median {ordered[len(ordered) // 2]:.2f}x over {len(ratios)} "
              f"round(s) (min {ordered[0]:.2f}, max {ordered[-1]:.2f}); machine busy is in cores "
              f"(of {os.cpu_count()}), every process on the machine")


if __name__ == "__main__":
    main()
