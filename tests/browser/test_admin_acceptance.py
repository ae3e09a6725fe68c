"""Issue 12 acceptance, in Chromium: an administrator adds a role and a user holding it, the quality manager
uploads a procedure whose appraisal lane needs that role (issued on paper, so in force at once), and the new
user — after choosing a password — completes the appraisal; deactivation ends an open session; a password
change refuses the old password, accepts the new one and ends the other sessions."""

from __future__ import annotations

import datetime as dt
import re

from processes import reception
from processes.clock import SystemClock

from .conftest import ROOT, login, shot

ROLE, USER = "tham_dinh_xd", "nv.thamdinh"
NEW_PASSWORD = "cây bàng đầu ngõ 2026"


def _flash(page) -> str:
    page.wait_for_selector(".flash")
    return page.inner_text("main")


def _procedure_with_the_new_role(tmp_path):
    text = (ROOT / "bpmn" / "QT-XD-01.bpmn").read_text(encoding="utf-8")
    text = text.replace('value="QT-XD-01"', 'value="QT-XD-09"').replace('id="QT_XD_01"', 'id="QT_XD_09"')
    text = text.replace('bpmnElement="QT_XD_01"', 'bpmnElement="QT_XD_09"')
    text = text.replace('<camunda:property name="role" value="chuyen_vien_ktht" />',
                        f'<camunda:property name="role" value="{ROLE}" />')
    path = tmp_path / "QT-XD-09.bpmn"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_role_and_user_staff_a_new_procedure(page, live_server, tmp_path):
    server = live_server
    login(page, server, "admin", next_path="/admin/roles")
    page.fill("#r-code", ROLE)
    page.fill("#r-name", "Cán bộ thẩm định xây dựng")
    page.click("button:has-text('Thêm vai trò')")
    assert "Đã thêm vai trò." in _flash(page)
    page.goto(f"{server.url}/admin/users")
    page.fill("#u-name", USER)
    page.fill("#u-full", "Hoàng Văn Thẩm")
    page.click("form button:has-text('Tạo tài khoản')")
    password = re.search(rf"Mật khẩu tạm thời của {re.escape(USER)}: (\S+) ", _flash(page)).group(1)
    row = page.locator("#users tr", has_text=USER)
    row.locator("select[name=role]").select_option(ROLE)
    row.locator("select[name=unit]").select_option("H01.KTHT")
    row.locator("button:has-text('Cấp vai trò')").click()
    assert "Đã cấp vai trò." in _flash(page)
    held = page.locator("#users tr", has_text=USER).inner_text()
    assert "Cán bộ thẩm định xây dựng (Phòng Kinh tế – Hạ tầng)" in held
    shot(page, "admin-01-user-with-new-role")

    page.context.clear_cookies()
    login(page, server, "iso", next_path="/quality/procedures")
    upload = page.locator("form", has=page.locator("input[name=bpmn]"))
    upload.locator("input[name=bpmn]").set_input_files(str(_procedure_with_the_new_role(tmp_path)))
    upload.locator("input[name=issue_date]").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    upload.locator("input[name=approved_by]").fill("pct")
    upload.locator("button:has-text('Tải lên')").click()
    assert "Đã thêm quy trình từ tệp BPMN." in _flash(page)
    counter = reception.Counter(reception.Applicant("Vũ Thị Lan", "001203008888"),
                                form={"loai_giay_phep": "xay_dung_moi", "dia_diem_xay_dung": "Thôn Đông",
                                      "so_giay_chung_nhan_qsdd": "CS 999", "dien_tich_xay_dung": 90, "so_tang": 2})
    code = reception.receive(server.db, "QT-XD-09", counter, "accepted", "motcua", SystemClock()).ref

    page.context.clear_cookies()
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/account$"))  # a temporary password leads to choosing one
    page.fill("#p-current", password)
    page.fill("#p-new", NEW_PASSWORD)
    page.fill("#p-again", NEW_PASSWORD)
    page.click("button:has-text('Đổi mật khẩu')")
    assert "Đã đổi mật khẩu" in _flash(page)
    login(page, server, USER, NEW_PASSWORD, next_path="/tasks")
    page.fill("input[name=q]", code)
    page.click("form.filters button[type=submit]")
    page.locator("table.inbox a", has_text="Thẩm định hồ sơ").first.click()
    page.wait_for_selector("h1")
    page.locator("[name='ket_qua_tham_dinh']").select_option("dat")
    shot(page, "admin-02-new-user-step")
    page.click("button[value=complete]")
    assert "Đã hoàn thành" in _flash(page) or "đã" in page.inner_text(".flash").lower()
    with server.db.read() as conn:
        from sqlalchemy import select

        from processes.schema import human_tasks
        done = conn.execute(select(human_tasks.c.completed_by).where(human_tasks.c.element_id == "Task_ThamDinh",
                                                                      human_tasks.c.state == "completed")).scalars()
        assert USER in set(done)


def test_deactivation_logs_the_user_out_of_an_open_session(chromium, live_server):
    server = live_server
    officer = chromium.new_context(locale="vi-VN").new_page()
    login(officer, server, "cv.tp", next_path="/tasks")
    administrator = chromium.new_context(locale="vi-VN").new_page()
    login(administrator, server, "admin", next_path="/admin/users")
    administrator.locator("#users tr", has_text="cv.tp").locator("button:has-text('Khóa')").click()
    assert "Đã khóa tài khoản." in _flash(administrator)
    officer.goto(f"{server.url}/tasks")
    assert "/login" in officer.url  # the next request finds the session ended
    officer.context.close()
    administrator.context.close()


def test_a_password_change_refuses_the_old_one_and_ends_other_sessions(chromium, live_server):
    server = live_server
    other = chromium.new_context(locale="vi-VN").new_page()
    login(other, server, "cv.tckh", next_path="/tasks")
    page = chromium.new_context(locale="vi-VN").new_page()
    login(page, server, "cv.tckh", next_path="/account")
    page.fill("#p-current", "demo1234")
    page.fill("#p-new", NEW_PASSWORD)
    page.fill("#p-again", NEW_PASSWORD)
    page.click("button:has-text('Đổi mật khẩu')")
    assert "Đã đổi mật khẩu" in _flash(page)
    other.goto(f"{server.url}/tasks")
    assert "/login" in other.url
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", "cv.tckh")
    page.fill("input[name=password]", "demo1234")
    page.click("button[type=submit]")
    assert "/login" in page.url and "Sai tên đăng nhập hoặc mật khẩu." in page.inner_text("main")
    login(page, server, "cv.tckh", NEW_PASSWORD, next_path="/tasks")
    other.context.close()
    page.context.close()
