"""The demo year signs for real (issue 16): QT-KD-01's certificate step is marked sign="result", so each
household business certificate is signed by the head of the finance office with the demo key that
`quytrinh demo-org` made and stored, the signature verifies under the demo CA the installation trusts, and
the year's report counts those results as signed and lists only the other procedures' unsigned ones."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from audits import index766
from audits.periods import parse_period
from audits.report_data import build_annual_report
from demo.signing_keys import CA_NAME
from processes.attachments import blob_path
from processes.organisation import user_by_name
from processes.paths import trust_dir
from processes.schema import human_tasks
from processes.signatures import configured_trust
from processes.workspace_schema import attachments
from signing.verify import VALID, verify_pdf
from tests.demo.demo_data import YEAR, demo_copy, demo_year

STEP = "Task_KyGiayChungNhan"


def _signed_steps(db):
    with db.read() as conn:
        steps = conn.execute(select(human_tasks.c.task_uuid, human_tasks.c.completed_by).where(
            human_tasks.c.element_id == STEP, human_tasks.c.state == "completed")).all()
        files = conn.execute(select(attachments.c.task_uuid, attachments.c.filename, attachments.c.sha256).where(
            attachments.c.task_uuid.in_([s.task_uuid for s in steps]))).all()
        names = {s.completed_by: user_by_name(conn, s.completed_by).full_name for s in steps}
    return steps, files, names


def test_each_certificate_of_the_demo_year_is_signed_by_the_leader_who_completed_the_step(tmp_path):
    path, summary, _ = demo_year()
    db = demo_copy(tmp_path)
    steps, files, names = _signed_steps(db)
    assert steps and summary.signed == len(steps)
    trust = configured_trust()  # the trust folder holds the demo CA demo/signing_keys.py made
    for step in steps:
        mine = sorted((f.filename, f.sha256) for f in files if f.task_uuid == step.task_uuid)
        assert [name for name, _ in mine] == ["ket-qua-giai-quyet-da-ky-so.pdf", "ket-qua-giai-quyet.pdf"]
        [report] = verify_pdf(blob_path(path.parent / "attachments", mine[0][1]).read_bytes(), trust)
        assert (report.status, report.signer, report.issuer) == (VALID, names[step.completed_by], CA_NAME)
        assert not verify_pdf(blob_path(path.parent / "attachments", mine[1][1]).read_bytes(), trust)  # kept unsigned


def test_the_demo_report_counts_the_signed_results_and_lists_only_unsigned_ones(tmp_path):
    _, summary, _ = demo_year()
    db = demo_copy(tmp_path)
    report = build_annual_report(db, YEAR, pictures=False)
    listed = {f.procedure for f in report.unsigned_results}
    assert listed and "QT-KD-01" not in listed  # section 12: the other procedures still issue unsigned files
    whole = index766.index766(db, parse_period(str(YEAR)))[-1]  # every agency together
    assert whole.figures["e_result_signed"] == summary.signed > 0  # what criterion 6.1 counts from 2026


def test_pdfsig_agrees_that_a_demo_certificate_is_signed_validly(tmp_path):
    path, _, _ = demo_year()
    steps, files, _ = _signed_steps(demo_copy(tmp_path))
    signed = next(f for f in files if f.filename.endswith("-da-ky-so.pdf"))
    for tool in ("pdfsig", "certutil"):
        if subprocess.run(["which", tool], capture_output=True).returncode:
            pytest.skip(f"{tool} is not installed (poppler-utils, libnss3-tools)")
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    roots = sorted(trust_dir().glob("quytrinh-demo-ca-*.pem"))
    for n, root in enumerate(roots):
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", f"demo-{n}", "-t", "CT,C,C", "-i", str(root)],
                       check=True, capture_output=True)
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(blob_path(path.parent / "attachments",
                                                                            signed.sha256))],
                         capture_output=True, text=True).stdout
    assert "Signature is Valid." in out and "Certificate is Trusted." in out

