"""`quytrinh jobs`: an administrator starts a job from the shell (the demo year has no page), follows it and
retries a failed one; the job itself runs as a worker runs it (jobs.runner.execute)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import main
from jobs.runner import execute
from processes.clock import SystemClock
from tests.jobs.workers import database_url


def test_start_list_show_and_retry_a_job_from_the_shell(org, tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))  # the embedded queue too
    monkeypatch.delenv("QUYTRINH_REDIS_URL", raising=False)
    monkeypatch.delenv("QUYTRINH_BROKER_URL", raising=False)

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, ["--database", database_url(org), "jobs", *args])
        assert result.exit_code == code, result.output
        return result.output

    started = json.loads(run("start", "report", "--param", "year=2026", "--param", "fmt=xlsx", "--as", "danhgia",
                             "--json"))
    assert (started["status"], started["title"]) == ("queued", "Báo cáo đánh giá nội bộ năm 2026 (XLSX)")
    assert "năm không hợp lệ" in run("start", "demo", "--param", "year=sau", "--as", "admin", code=6).lower()
    assert execute(org, started["id"], 1, SystemClock()) == "done"
    shown = json.loads(run("show", str(started["id"]), "--json"))
    assert shown["status"] == "done" and shown["file"].endswith("bao-cao-danh-gia-noi-bo-nam-2026.xlsx")

    failing = json.loads(run("start", "migration", "--param", "code=QT-XD-01", "--param", "source=1",
                             "--param", "target=2", "--param", "actor=danhgia", "--as", "danhgia", "--json"))
    assert execute(org, failing["id"], 1, SystemClock()) == "failed"
    assert "failed" in run("list")
    again = json.loads(run("retry", str(failing["id"]), "--json"))
    assert (again["status"], again["attempt"]) == ("queued", 2)
    assert [j["id"] for j in json.loads(run("list", "--user", "danhgia", "--json"))] == [failing["id"],
                                                                                       started["id"]]
