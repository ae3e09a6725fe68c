"""Issue 12 defect 10: the annual report prints the latest checkpoint of the event log signed outside the database."""

from __future__ import annotations

from audits.report_data import build_annual_report
from audits.report_tables import sections
from processes import anchors
from processes.eventlog import Tampering


def _scope_paragraphs(db) -> list[str]:
    report = build_annual_report(db, 2026, pictures=False, png=False)
    return sections(report)[0].paragraphs


def test_the_annual_report_prints_the_latest_checkpoint(org, clock):
    assert "chưa được neo" in _scope_paragraphs(org)[-1]
    private, public = anchors.generate_key()
    key = anchors.load_private_key(private)
    data = anchors.anchor(org, key, clock.now(), "cli:auditor")
    text = _scope_paragraphs(org)[-1]
    assert f"ký bằng khóa {anchors.key_id(key.public_key())}" in text and "05/01/2026 lúc 08:00" in text
    with org.read() as conn:  # noting the checkpoint in the administration log rewrote nothing it signed
        assert anchors.check(conn, anchors.read_checkpoint(data, anchors.load_public_key(public))) == \
            list[Tampering]()
