"""The leader dashboard: SQL figures per procedure, agency and unit, overdue lists, inline SVG charts."""

from __future__ import annotations

import datetime as dt
import re

from processes import stats
from tests.web.workspace_helpers import finish, receive_ok, rows, texts


def scenario(user, org, clock) -> list[str]:
    """Three dossiers received Mon 5/1/2026: one returned early, one returned late, one left open and overdue."""
    c = user("motcua")
    codes = [receive_ok(c) for _ in range(3)]
    finish(org, clock, codes[0])  # same day: early
    clock.set(dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC))  # Mon 2/2: past the 26/1 appointment
    finish(org, clock, codes[1])
    return codes


def test_only_leaders_quality_and_auditors_see_it(xd, user):
    for name, status in (("pct", 200), ("tp.ktht", 200), ("iso", 200), ("admin", 200), ("motcua", 403),
                         ("cv.ktht", 403)):
        assert user(name).get("/dashboard").status_code == status, name
        assert user(name).get("/api/dashboard").status_code == status, name


def test_figures_rates_and_overdue_lists(xd, user, org, clock):
    early, late, still_open = scenario(user, org, clock)
    board = stats.dashboard(org, "pct", clock, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    t = board.total
    assert (t.received, t.open, t.done, t.early, t.on_time, t.late, t.overdue) == (3, 1, 2, 1, 0, 1, 1)
    assert t.rate("late") == 0.5
    [xd01] = board.by_procedure
    assert (xd01.key, xd01.label, xd01.received) == ("QT-XD-01", "Cấp giấy phép xây dựng nhà ở riêng lẻ", 3)
    assert [a.key for a in board.by_agency] == ["H01"]
    assert [d["code"] for d in board.overdue_dossiers] == [still_open]
    assert [s["code"] for s in board.overdue_steps] == [still_open]
    units = {u.key: u for u in board.steps_by_unit}
    assert units["H01.KTHT"].done == 4 and units["H01.MC"].done == 5  # appraisal + review; 3 receptions, 2 returns
    assert (units["H01.KTHT"].early, units["H01.KTHT"].late) == (3, 1)
    assert units["H01.KTHT"].overdue == 0  # the open appraisal is not claimed by anyone yet
    january = stats.dashboard(org, "pct", clock, dt.date(2026, 1, 1), dt.date(2026, 1, 31)).total
    assert (january.received, january.done, january.early, january.late) == (3, 1, 1, 0)


def test_page_shows_kpis_tables_and_inline_svg_charts(xd, user, org, clock):
    early, late, still_open = scenario(user, org, clock)
    page = user("pct").get("/dashboard?from=2026-01-01&to=2026-02-28")
    html = page.get_data(as_text=True)
    # The charts need no script: the page's only one is the site-wide static/ui.js (the period select).
    scripts = re.findall(r"<script[^>]*>", html)
    assert page.status_code == 200 and html.count("<svg") == 4 and all("/static/ui.js" in t for t in scripts)
    assert "Kết quả giải quyết theo thủ tục" in html and "<title>Quá hạn: 1</title>" in html
    assert still_open in rows(html) and "50,0%" in texts(html.encode()) and "50.0%" not in texts(html.encode())
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere (no CDN)
    api = user("pct").get("/api/dashboard?from=2026-01-01&to=2026-02-28").json
    assert api["total"]["late"] == 1 and api["total"]["late_rate"] == 0.5
    assert api["overdue_dossiers"][0]["code"] == still_open


def test_a_commune_leader_sees_only_the_commune(xd, user, org, clock):
    scenario(user, org, clock)
    board = stats.dashboard(org, "xa.ct", clock, dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    assert board.total.received == 0 and board.overdue_dossiers == []
    assert board.agencies == ["UBND xã An Hòa (demo)"]


def test_period_presets(xd, user, clock):
    from web.request_args import period

    today = dt.date(2026, 5, 14)  # a Thursday
    assert period({}, today) == (dt.date(2026, 5, 1), today)
    assert period({"period": "week"}, today) == (dt.date(2026, 5, 11), today)
    assert period({"period": "quarter"}, today) == (dt.date(2026, 4, 1), today)
    assert period({"period": "year"}, today) == (dt.date(2026, 1, 1), today)
    assert period({"from": "2026-03-10", "to": "2026-03-01"}, today) == (dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    assert period({"from": "nonsense", "to": "2026-03-01"}, today) == (dt.date(2026, 5, 1), today)
    assert period({"from": "2025-01-01"}, today) == (dt.date(2025, 1, 1), today)
    assert period({"to": "2026-03-20"}, today) == (dt.date(2026, 3, 1), dt.date(2026, 3, 20))
