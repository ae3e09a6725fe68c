"""Issue 13 item 8: the dashboard says the period chosen, shows a monthly trend, exports XLSX, clips no label,
and speaks of trước hạn / đúng hạn / quá hạn like the audit pages and reports."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from tests.web.test_dashboard import scenario
from web.charts import CHAR_WIDTH, stacked_bars


def test_a_custom_range_is_named_as_such_and_a_preset_as_itself(xd, user, org, clock):
    pct = user("pct")
    custom = pct.get("/dashboard?from=2025-01-01&to=2025-12-31").get_data(as_text=True)
    selected = re.findall(r"<option value=\"(\w+)\" selected", custom)
    assert selected == ["custom"] and "Khoảng ngày đã chọn" in custom and "01/01/2025" in custom
    month = pct.get("/dashboard?period=quarter").get_data(as_text=True)
    assert re.findall(r"<option value=\"(\w+)\" selected", month) == ["quarter"]


def test_monthly_trend_and_one_vocabulary(xd, user, org, clock):
    scenario(user, org, clock)
    html = user("pct").get("/dashboard?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    assert "Xu hướng theo tháng" in html and "01/2026" in html and "02/2026" in html
    for word in ("Sớm hạn", "Trễ hạn", "sớm hạn", "trễ hạn"):
        assert word not in html, word
    assert "Trước hạn" in html and "Quá hạn" in html
    audit = user("iso").get("/audit").get_data(as_text=True)
    assert "Trước hạn" in audit and "Sớm hạn" not in audit


def test_xlsx_export_of_the_same_period(xd, user, org, clock):
    scenario(user, org, clock)
    reply = user("pct").get("/dashboard.xlsx?from=2026-01-01&to=2026-02-28")
    assert reply.status_code == 200 and reply.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(reply.data))
    assert book.sheetnames == ["Theo thủ tục", "Theo cơ quan", "Các bước theo đơn vị", "Theo tháng"]
    procedures = list(book["Theo thủ tục"].iter_rows(values_only=True))
    assert "01/01/2026" in procedures[0][0] and procedures[1][5:8] == ("Trước hạn", "Đúng hạn", "Quá hạn")
    assert procedures[2][0] == "QT-XD-01" and procedures[2][2] == 3 and procedures[2][7] == 1
    months = list(book["Theo tháng"].iter_rows(values_only=True))
    assert [r[0] for r in months[2:]] == ["01/2026", "02/2026"] and months[2][1] == 3
    assert user("motcua").get("/dashboard.xlsx").status_code == 403


def test_a_long_first_label_fits_left_of_its_bar():
    label = "Kiểm soát sự không phù hợp và thực hiện hành động khắc phục, cải tiến"
    svg = str(stacked_bars([(label, {"early": 1})], ("early",), "t", label_width=230))
    shown = re.search(r"</title>([^<]*)</text>", svg).group(1)
    assert shown.startswith("Kiểm soát") and shown.endswith("…")
    assert len(shown) * CHAR_WIDTH <= 230 - 8  # right-aligned at 222: it starts at x >= 0


def test_overdue_steps_name_their_officer_and_the_lists_share_the_width(xd, user, org, clock):
    """The overdue steps' table said the username (cv.ktht), and squeezed into a third of the page it wrapped a
    step's name a word a line and pushed the deadline past the card."""
    from processes import tasks
    from tests.web.workspace_helpers import open_task

    still_open = scenario(user, org, clock)[2]
    tasks.claim(org, open_task(org, still_open), "cv.ktht", clock)
    html = user("pct").get("/dashboard?from=2026-01-01&to=2026-02-28").get_data(as_text=True)
    steps = html.split("Bước xử lý quá hạn", 1)[1].split("</section>", 1)[0]
    assert "Phạm Minh Đức" in steps and "cv.ktht" not in steps
    assert '<div class="split even">' in html


def test_a_period_word_the_box_does_not_know_is_shown_as_this_month(xd, user):
    """?period=2025 computed this month but the box said "Khoảng ngày đã chọn" over empty dates."""
    html = user("pct").get("/dashboard?period=2025").get_data(as_text=True)
    assert re.findall(r"<option value=\"(\w+)\" selected", html) == ["month"]
