"""The `sign` property in the modeler's side panel (issue 16): the quality manager chooses what a step's
performer signs from a list of plain words, the draft saved with it; a value that is not a kind is
refused at deploy with a Vietnamese problem on the element.

Screenshot: test-artifacts/browser/sign-panel.png.
"""

from __future__ import annotations

from .canvas import click_element
from .conftest import login, open_modeler, shot

CODE = "QT-KD-01"
STEP = "Task_KyThongBaoTuChoi"  # QT-KD-01's refusal notice, signed by the head of the department


def test_sign_is_chosen_in_the_panel_saved_and_checked(page, live_server):
    server = live_server
    login(page, server, "iso")
    versions = page.context.request.get(f"{server.url}/api/procedures/{CODE}/versions").json()
    effective = max(v["version"] for v in versions if v["status"] == "effective")
    open_modeler(page, server, f"/quality/procedures/{CODE}/versions/{effective}/edit")
    click_element(page, STEP)
    select = "select[name='task.sign']"
    options = page.eval_on_selector_all(f"{select} option", "os => os.map(o => o.textContent)")
    assert options[0] == "— không ký số —" and "phiếu từ chối tiếp nhận giải quyết hồ sơ" in options
    assert "Ký số tại bước này" in page.inner_text(".qt-panel-body")
    page.select_option(select, "refusal")
    page.wait_for_timeout(150)
    xml = page.evaluate("() => window.quytrinhModeler.currentXml()")
    assert '<camunda:property name="sign" value="refusal" />' in xml
    shot(page, "sign-panel")
    page.fill("input[name=note]", "Ký số thông báo từ chối")
    page.click("button[name=save]")
    page.wait_for_function("() => document.querySelector('#qt-status').textContent.includes('Đã lưu')")
    draft = page.evaluate("window.quytrinhModeler.state.version")
    saved = page.context.request.get(f"{server.url}/api/procedures/{CODE}/versions/{draft}/bpmn").text()
    assert 'name="sign" value="refusal"' in saved

    # A value that is no kind (typed into the XML elsewhere): shown as it is, refused by the check.
    bad = saved.replace('name="sign" value="refusal"', 'name="sign" value="chu_ky_tay"')
    page.evaluate("x => window.quytrinhModeler.importXml(x)", bad)
    page.evaluate("() => window.quytrinhModeler.validate()")
    page.wait_for_selector("#qt-problem-list li.qt-error")
    listed = page.inner_text("#qt-problem-list")
    assert "chu_ky_tay" in listed, listed
    click_element(page, STEP)
    assert page.eval_on_selector("select[name='task.sign']", "s => s.value") == "chu_ky_tay"
    shot(page, "sign-panel-refused")
