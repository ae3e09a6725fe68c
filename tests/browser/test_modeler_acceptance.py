"""Acceptance (issue 5), in a real browser: the quality manager changes QT-XD-01 in the modeler, sees a
validation error on the element, fixes it, sends the draft for approval; the head and the leader
approve it (QT-ISO-01); the new version is effective, the old superseded; a dossier starts on the new one.

Screenshots of each stage: test-artifacts/browser/acceptance-*.png. The approvals go through the JSON API as
the head (tp.nv) and the leader (pct); the dossier is started through the API as the one-stop officer.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from demo.signing_keys import DEMO_KEY_PASSWORD
from processes.schema import definitions, instances

from .canvas import add_user_task_on_flow, click_element, commit
from .conftest import PASSWORD, login, open_modeler, shot
from .signing_steps import demo_keys

CODE = "QT-XD-01"
CONTRACT = ("/api/procedures/<code>/versions", "/api/procedures/<code>/versions/<int:version>/bpmn",
            "/api/procedures/<code>/draft", "/api/procedures/validate", "/api/procedures/<code>/diff",
            "/api/procedures/<code>/versions/<int:version>/submit")
# Who approves in QT-ISO-01, and what they answer (the step's form).
APPROVALS = (
    ("iso", "Task_SoanThao", {"hanh_dong": "trinh_duyet", "tom_tat_sua_doi": "Thêm bước lưu hồ sơ cấp phép"}),
    ("tp.nv", "Task_XemXet", {"ket_qua_xem_xet": "dong_y", "y_kien_xem_xet": "Đồng ý"}),
    ("pct", "Task_PheDuyet", {"ket_qua_phe_duyet": "phe_duyet", "y_kien_phe_duyet": "Ban hành"}),
)


@pytest.fixture
def backend(live_server):
    """The quality API this page calls (web/api/quality.py): every route of the contract is served."""
    missing = [rule for rule in CONTRACT if not live_server.has_route(rule)]
    assert not missing, f"the quality API does not serve {', '.join(missing)}"
    return live_server


def api_as(chromium, server, username):
    """A logged-in browser profile for another person, used through its API request context."""
    context = chromium.new_context()
    page = context.new_page()
    login(page, server, username, PASSWORD)
    return context


def versions(context, server) -> dict[int, dict]:
    reply = context.request.get(f"{server.url}/api/procedures/{CODE}/versions")
    assert reply.ok, reply.text()
    return {v["version"]: v for v in reply.json()}


def wait_status(page, text: str) -> str:
    page.wait_for_function("t => document.querySelector('#qt-status').textContent.includes(t)", arg=text)
    return page.inner_text("#qt-status")


def error_overlays(page) -> list[str]:
    return page.eval_on_selector_all(".qt-problem-badge.qt-error", "nodes => nodes.map(n => n.dataset.elementId)")


def approve(chromium, server, done: set[str]) -> None:
    """Each approver completes their QT-ISO-01 step through the API, as themselves, in order."""
    demo_keys(server.db, ["pct"])  # the approver's demo key, as `quytrinh demo-org` gives it
    for username, element_id, data in APPROVALS:
        context = api_as(chromium, server, username)
        try:
            tasks = context.request.get(f"{server.url}/api/tasks").json()
            mine = [t for t in tasks if t["element_id"] == element_id and t.get("state") != "completed"]
            if username == "iso" and not mine:
                continue  # submitting may already have completed the drafting step
            assert mine, f"{username} has no {element_id} task: {tasks}"
            body: dict[str, object] = {"data": data}
            if element_id == "Task_PheDuyet":  # approving signs the ISO document with pct's stored key (issue 16)
                body["signing_password"] = DEMO_KEY_PASSWORD
            reply = context.request.post(f"{server.url}/api/tasks/{mine[0]['id']}/complete", data=body)
            assert reply.ok, f"{username} could not complete {element_id}: {reply.status} {reply.text()}"
            done.add(element_id)
        finally:
            context.close()


def test_quality_manager_changes_approves_and_uses_a_new_version(page, chromium, backend):
    server = backend
    login(page, server, "iso")
    before = versions(page.context, server)
    effective = [n for n, v in before.items() if v["status"] == "effective"]
    assert effective, f"{CODE} has an effective version: {before}"
    old = max(effective)
    open_modeler(page, server, f"/quality/procedures/{CODE}/versions/{old}/edit")
    assert page.is_visible(".bjs-powered-by"), "the bpmn.io watermark stays visible"

    # Add a step with a role and a time limit, save.
    step = add_user_task_on_flow(page, "Flow_VaoSoDongDau_TraKetQua", "Lưu hồ sơ cấp phép")
    commit(page, "input[name='task.dueDate']", "P0.5D")
    commit(page, "input[name='task.candidateGroups']", "van_thu")
    page.fill("input[name=note]", "Thêm bước lưu hồ sơ cấp phép")
    page.click("button[name=save]")
    wait_status(page, "Đã lưu")
    draft = page.evaluate("window.quytrinhModeler.state.version")
    assert draft > old and error_overlays(page) == []
    assert f"/versions/{draft}/edit" in page.url
    shot(page, "acceptance-1-step-added")

    # Something wrong: a gateway branch without a condition → the error is shown at the element.
    click_element(page, "Gateway_KetQuaThamDinh")
    page.click("ul.qt-flows a:has-text('Bổ sung')")
    commit(page, "textarea[name='flow.condition']", "")
    page.click("button[name=save]")
    wait_status(page, "lỗi")
    assert set(error_overlays(page)) & {"Gateway_KetQuaThamDinh", "Flow_KetQuaThamDinh_TiepNhanBoSung"}
    bubble = page.eval_on_selector(".qt-problem-badge.qt-error .qt-problem-bubble", "n => n.textContent")
    assert bubble.strip(), "the overlay carries the message"
    assert page.locator("#qt-problem-list li.qt-error").count() >= 1
    click_element(page, "Gateway_KetQuaThamDinh")
    shot(page, "acceptance-2-error-on-element")

    # Fix it, save, send for approval.
    click_element(page, "Flow_KetQuaThamDinh_TiepNhanBoSung")
    commit(page, "textarea[name='flow.condition']", "ket_qua_tham_dinh == 'bo_sung'")
    page.click("button[name=save]")
    wait_status(page, "Đã lưu")
    assert error_overlays(page) == []
    page.click("button[name=submit]")
    wait_status(page, "Đã gửi")
    shot(page, "acceptance-3-submitted")

    done: set[str] = set()
    approve(chromium, server, done)
    assert {"Task_XemXet", "Task_PheDuyet"} <= done

    after = versions(page.context, server)
    assert after[draft]["status"] == "effective", after
    assert after[old]["status"] == "superseded", after

    # The page says so too, and the diff shows the added step.
    open_modeler(page, server, f"/quality/procedures/{CODE}/versions/{old}/edit")
    assert page.inner_text("#qt-title-status") == "Hết hiệu lực (thay thế)"  # VersionStatus.SUPERSEDED.label
    open_modeler(page, server, f"/quality/procedures/{CODE}/versions/{draft}/edit")
    assert page.inner_text("#qt-title-status") == "Đang hiệu lực"
    page.click("button[name=diff]")
    page.wait_for_selector(f".qt-diff-list li.qt-diff-added[data-element-id='{step}']")
    assert page.locator(f".qt-diff-right .djs-element.qt-diff-added[data-element-id='{step}']").count() == 1
    shot(page, "acceptance-4-diff")

    # A dossier starts on the new version.
    officer = api_as(chromium, server, "motcua")
    try:
        reply = officer.request.post(f"{server.url}/api/cases", data={
            "procedure": CODE, "data": {"ten_nguoi_nop": "Nguyễn Văn A", "so_giay_to": "001200012345"}})
        assert reply.status == 201, reply.text()
        instance_id = reply.json()["instance"]
    finally:
        officer.close()
    with server.db.read() as conn:
        xml = conn.execute(select(definitions.c.bpmn_xml).join(instances, instances.c.definition_id == definitions.c.id)
                           .where(instances.c.id == instance_id)).scalar_one()
    assert f'id="{step}"' in xml, "the dossier runs on the new version (it has the added step)"
