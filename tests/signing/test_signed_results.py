"""QĐ 766 criterion 6.1 counts results signed at a `sign="result"` step; the annual report lists electronic
results issued without one (issue 16)."""

from __future__ import annotations

import datetime as dt

from audits import index766
from audits.periods import parse_period
from audits.report_tables import sections
from audits.unsigned_results import unsigned_results, unsigned_section
from processes import attachments, instances
from processes.records import load_dossiers
from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from tests.processes.conftest import APPROVE

from .test_step_signature import at_approval, head  # noqa: F401 - fixtures


def test_a_result_signed_at_its_step_counts_and_an_unsigned_one_is_listed(at_approval, clock, monkeypatch,  # noqa: F811
                                                                          pki, trust, receipt, head):  # noqa: F811
    db, case, task, root = at_approval
    monkeypatch.setenv("QUYTRINH_TRUST_ROOTS", str(pki.root_file))
    db.attachments_root = root
    attachments.attach(db, root, case, "giay-phep.pdf", sign_pdf(receipt, Pkcs12Key(head.p12("x"), "x"), trust),
                       "tp.ktht", clock, task)
    assert instances.complete(db, task, APPROVE, "tp.ktht", clock).status == "completed"
    with db.read() as conn:
        [fact] = [f for f in load_dossiers(conn) if f.instance_id == case]
    assert fact.signed_result and fact.done_at is not None

    unsigned = type(fact)(**{**fact.__dict__, "instance_id": 0, "code": "H01-UNSIGNED", "signed_result": False,
                             "e_result": True})
    year = parse_period(str(fact.done_at.year))
    values, counts = index766.measures([fact, unsigned], year, index766.rules_for(dt.date(2026, 1, 1)))
    assert (counts["e_result_signed"], values["signed_e_result_share"]) == (1, 0.5)
    rules = index766.rules_for(dt.date(2026, 1, 1))
    [c61] = [c for g in rules["groups"] for c in g["criteria"] if c["code"] == "6.1"]
    assert c61["measure"] == "signed_e_result_share"  # from 2026; the 2022 rules keep their proxy
    assert [c for g in index766.rules_for(dt.date(2025, 12, 31))["groups"] for c in g["criteria"]
            if c["code"] == "6.1"][0]["measure"] == "e_result_share"

    listed = unsigned_results([fact, unsigned], year)
    assert [f.code for f in listed] == ["H01-UNSIGNED"]
    paragraphs, columns, rows = unsigned_section(listed)
    assert "1 hồ sơ: H01-UNSIGNED." in paragraphs and rows[0][-1] == "1"


def test_the_annual_report_has_the_section():
    from audits.report_data import AnnualReport, headline

    period = parse_period("2026")
    report = AnnualReport(2026, period, "UBND huyện", dt.datetime(2027, 1, 5, tzinfo=dt.UTC))
    report.headline = headline([], period)
    titles = [s.title for s in sections(report)]
    assert "12. Kết quả giải quyết điện tử chưa có chữ ký số hợp lệ" in titles
    [section] = [s for s in sections(report) if s.title.startswith("12.")]
    assert section.paragraphs[0].startswith("Mọi kết quả giải quyết điện tử trong năm đều được ký số")
