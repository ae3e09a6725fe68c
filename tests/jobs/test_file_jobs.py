"""Imports, the external log check and the mail outbox as jobs (issue 11 item 5): the file is kept for the worker,
the job reports progress and its result, the upload is deleted once done; temporary passwords of a staff import
are the job's file, never its record; the CLI starts them with --file and follows them with a progress bar."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from cli.main import main
from jobs import submit
from jobs.file_kinds import stash
from jobs.runner import execute
from processes import cchc_plan, jobs
from processes.clock import SystemClock
from processes.errors import InvalidInput
from processes.jobs_schema import jobs as jobs_table
from processes.schema import users
from tests.jobs.workers import database_url, wait_until, worker, worker_env
from tests.oversight import plan_book
from tests.oversight.test_plan_import import YEAR, district  # noqa: F401 - a fixture
from tests.processes.test_staff_import import GOOD, _csv


def _user(db, username: str):
    with db.read() as conn:
        return conn.execute(select(users).where(users.c.username == username)).first()


class Sent:
    def __init__(self) -> None:
        self.sent: list[tuple[int, int]] = []

    def send(self, job_id: int, attempt: int) -> None:
        self.sent.append((job_id, attempt))


@pytest.fixture
def jobs_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUYTRINH_JOBS_DIR", str(tmp_path / "jobs"))
    monkeypatch.delenv("QUYTRINH_REDIS_URL", raising=False)
    monkeypatch.delenv("QUYTRINH_BROKER_URL", raising=False)
    return tmp_path / "jobs"


def _run(db, kind: str, params: dict, owner: str = "admin") -> jobs.Job:
    job = submit(db, SystemClock(), Sent(), kind, params, owner)
    assert execute(db, job.id, job.attempt) in ("done", "failed")
    return jobs.get(db, job.id)


def test_a_staff_import_job_previews_then_applies_and_offers_the_passwords_only_as_its_file(org, jobs_dir):
    preview = _run(org, "staff_import", {"upload": stash(_csv(GOOD), "can_bo.csv"), "actor": "admin"})
    assert preview.title == "Xem trước danh sách cán bộ từ tệp can_bo.csv"
    assert preview.status == "done" and preview.result["create"] == ["tv.bao"] and not preview.result["applied"]
    assert preview.file_path is None and _user(org, "tv.bao") is None
    assert not list((jobs_dir / "uploads").rglob("*.csv"))  # the upload is deleted once done

    done = _run(org, "staff_import", {"upload": stash(_csv(GOOD), "can_bo.csv"), "actor": "admin", "apply": "1"})
    assert done.status == "done" and done.result["created"] == ["tv.bao"]
    rows = list(csv.reader(io.StringIO(jobs.file_of(done).read_text("utf-8-sig"))))
    assert rows[0] == ["Tên đăng nhập", "Mật khẩu tạm thời"] and rows[1][0] == "tv.bao" and len(rows[1][1]) >= 12
    with org.read() as conn:
        stored = " ".join(str(v) for row in conn.execute(jobs_table.select()) for v in row)
    assert rows[1][1] not in stored  # the password is in the file, never in the database


def test_a_wrong_staff_list_fails_with_its_rows_in_vietnamese_and_creates_nobody(org, jobs_dir):
    bad = _csv([[1, "Trần Văn Bảo", "tv.bao", "khong-phai-email", "", "H01.KTHT", "chuyen_vien_ktht"]])
    failed = _run(org, "staff_import", {"upload": stash(bad, "can_bo.csv"), "actor": "admin", "apply": "1"})
    assert failed.status == "failed" and "Dòng 2" in json.dumps(failed.result, ensure_ascii=False)
    assert _user(org, "tv.bao") is None


def test_a_plan_import_job_stores_the_plan(district, jobs_dir):  # noqa: F811 - the fixture
    upload = stash(plan_book.build(), "phu-luc.xlsx")
    job = _run(district, "plan_import", {"upload": upload, "year": YEAR, "actor": "cv.nv", "apply": "1"}, "cv.nv")
    assert job.status == "done" and job.result["stored"] and job.result["items"] == len(plan_book.rows())
    assert len(cchc_plan.plan_items(district, YEAR)) == len(plan_book.rows())


def test_bad_params_are_refused_before_anything_is_queued(org, jobs_dir):
    queue = Sent()
    for kind, params in (("staff_import", {"actor": "admin"}), ("plan_import", {"upload": "../../etc/passwd"}),
                         ("log_check", {"upload": stash(b"x", "a.csv")})):
        with pytest.raises(InvalidInput):
            submit(org, SystemClock(), queue, kind, params, "admin")
    assert queue.sent == []


def test_the_mail_job_sends_the_outbox_and_says_how_much(org, jobs_dir, monkeypatch):
    monkeypatch.delenv("QUYTRINH_SMTP_HOST", raising=False)
    job = _run(org, "mail", {})
    assert job.status == "done" and job.title == "Gửi thư và tin nhắn trong hộp thư đi"
    assert set(job.result) == {"citizen_sent", "officer_sent", "digests_sent", "failed"}


@pytest.mark.slow
def test_the_cli_starts_an_import_with_its_file_and_follows_it_with_a_progress_bar(org, jobs_dir, tmp_path):
    listing = tmp_path / "can_bo.csv"
    listing.write_bytes(_csv(GOOD))
    log = tmp_path / "worker.log"
    with worker(worker_env(org, jobs_dir), log):
        result = CliRunner().invoke(main, ["--database", database_url(org), "jobs", "start", "staff_import",
                                           "--file", str(listing), "--param", "apply=1", "--as", "admin", "--wait"])
        assert result.exit_code == 0, result.output + log.read_text(errors="replace")[-2000:]
    assert "done" in result.output and "mat-khau-tam-thoi.csv" in result.output
    assert "Đang" in result.stderr  # the bar's label, on stderr
    wait_until(lambda: _user(org, "tv.bao") is not None, 5, "the account exists")
