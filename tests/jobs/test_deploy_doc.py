"""docs/deploy.md gives only commands the tests exercise (issue 11 item 9): every `quytrinh …` line of the page (its
shell blocks and the systemd units' ExecStart) is parsed by the real command line, so an option or a choice the
CLI no longer has fails here; the job commands are then run as written against the demo district with a real
worker; the server commands run, with the same options, in test_end_to_end.py (serve --workers --threads, run-all,
serve --dev) and the worker tests (worker)."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys

import click
import pytest

from cli.main import main
from jobs.runner import execute
from processes import jobs
from processes.clock import SystemClock
from tests.conftest import ROOT
from tests.jobs.test_file_jobs import _user
from tests.jobs.workers import database_url, worker, worker_env
from tests.oversight import plan_book
from tests.oversight.test_plan_import import district  # noqa: F401 - a fixture
from tests.processes.test_staff_import import GOOD, _csv

DOC = ROOT / "docs" / "deploy.md"
# Exercised elsewhere with these very options (a server runs until stopped).
SERVERS = {"run-all": "test_end_to_end.py", "serve": "test_end_to_end.py", "worker": "workers.py"}


def commands() -> list[list[str]]:
    """The arguments of every `quytrinh` command the page gives, comments dropped, in page order."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```(?:sh|ini)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("ExecStart="):
                line = "quytrinh " + line.split("/quytrinh ", 1)[1]
            if line.startswith("quytrinh "):
                found.append(shlex.split(line)[1:])
    return found


def test_the_page_gives_the_commands_we_know():
    names = [" ".join(args[:2]) if args[0] == "jobs" else args[0] for args in commands()]
    assert set(names) == {"init-db", "run-all", "serve", "worker", "jobs start", "jobs list", "jobs show",
                          "jobs retry"}, names


@pytest.mark.parametrize("args", commands(), ids=lambda args: " ".join(args))
def test_every_command_of_the_page_parses(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the files the page names exist where it runs
    for i, arg in enumerate(args[:-1]):
        if arg == "--file":
            (tmp_path / args[i + 1]).write_bytes(b"")
    # make_context checks every option, choice and argument of each level without running the command.
    command, rest, ctx = main, list(args), None
    while True:
        ctx = command.make_context(command.name or "quytrinh", rest, parent=ctx)
        if not isinstance(command, click.Group):
            break
        name, command, rest = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])  # click 8.2
        assert command is not None, name
    if args[0] in SERVERS:
        assert " ".join(args[:1]) in (ROOT / "tests" / "jobs" / SERVERS[args[0]]).read_text()


@pytest.mark.slow
def test_the_job_commands_of_the_page_run_as_written(district, tmp_path, monkeypatch):  # noqa: F811 - fixture
    jobs_dir = tmp_path / "jobs"
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(jobs_dir))
    env = worker_env(district, jobs_dir)
    (tmp_path / "can_bo.csv").write_bytes(_csv(GOOD))
    (tmp_path / "phu-luc.xlsx").write_bytes(plan_book.build())
    failed = jobs.create(district, SystemClock(), "migration", "Chuyển hồ sơ", {"code": "QT-XD-01", "source": 1,
                                                                               "target": 9, "actor": "danhgia"},
                         "danhgia")
    assert execute(district, failed.id, 1) == "failed"

    def run(args: list[str]) -> subprocess.CompletedProcess:
        args = [str(failed.id) if a == "12" else a for a in args]  # the page's example job id
        done = subprocess.run([sys.executable, "-m", "cli", "--database", database_url(district), *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{args}: {done.stdout}{done.stderr}"
        return done

    with worker(env, tmp_path / "worker.log"):
        for args in commands():
            if args[0] in SERVERS or args[:3] == ["jobs", "start", "demo"]:
                continue  # servers run elsewhere; the demo year is queued last (it takes minutes)
            done = run(args)
            if args[:2] == ["jobs", "show"]:
                assert json.loads(done.stdout)["status"] == "failed"
            if "staff_import" in args:
                assert "mat-khau-tam-thoi.csv" in done.stdout and _user(district, "tv.bao") is not None
        run(next(a for a in commands() if a[:3] == ["jobs", "start", "demo"]))
    kinds = [j.kind for j in jobs.list_for(district, None, 50)]
    assert {"demo", "report", "staff_import", "plan_import", "mail", "migration"} <= set(kinds)
