"""The side panel writes the dialect (docs/dialect.md): a procedure drawn from the empty diagram with the
mouse and the Vietnamese panel compiles in the engine and says what was typed."""

from __future__ import annotations

from lxml import etree

from engine.lint import lint
from engine.parsing import compile_procedure

from .canvas import click_element, commit, screen_point, selected_id
from .conftest import login, open_modeler, shot

NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": "http://camunda.org/schema/1.0/bpmn"}
C = "{http://camunda.org/schema/1.0/bpmn}"


def append(page, source_id: str, action: str, name: str | None = None) -> str:
    """Append an element through the source's context pad; type its label when one is given."""
    click_element(page, source_id)
    page.click(f".djs-context-pad .entry[data-action='{action}']")
    page.wait_for_function("id => window.quytrinhModeler.modeler.get('selection').get()[0]?.id !== id", arg=source_id)
    new_id = selected_id(page)
    if name is not None:
        page.wait_for_function("window.quytrinhModeler.modeler.get('directEditing').isActive()")
        page.keyboard.type(name)
    if name is None:
        page.keyboard.press("Escape")
    else:
        page.mouse.click(*_empty_spot(page))
    return new_id


def _empty_spot(page) -> tuple[float, float]:
    box = page.locator("#qt-canvas").bounding_box()
    return box["x"] + box["width"] - 60, box["y"] + 30


def replace(page, element_id: str, target: str) -> str:
    click_element(page, element_id)
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(f".djs-popup [data-id='replace-with-{target}']")
    page.wait_for_timeout(100)
    return selected_id(page)


def test_a_procedure_drawn_in_the_browser_compiles_with_what_was_typed(page, live_server):
    login(page, live_server, "iso")
    open_modeler(page, live_server, "/quality/procedures/new")
    assert page.is_visible(".bjs-powered-by"), "the bpmn.io watermark stays visible"
    assert page.get_attribute(".djs-palette .entry[data-action='create.task']", "aria-label") == "Thêm bước"

    # Process properties (nothing selected: the panel shows the process).
    commit(page, "input[name='process.name']", "Chứng thực bản sao từ bản chính")
    commit(page, "input[name='process.code']", "QT-TEST-01")
    commit(page, "input[name='process.deadline']", "P1D")
    page.select_option("select[name='process.level']", "xa")
    commit(page, "input[name='process.field']", "Chứng thực")
    commit(page, "textarea[name='process.legal_basis']", "Nghị định 23/2015/NĐ-CP")
    commit(page, "input[name='process.cutoff']", "15:30")
    assert page.inner_text("#qt-title-code") == "QT-TEST-01"

    # The lane's role.
    lane = screen_point(page, "Lane_1")
    page.mouse.click(lane["x"] + 200, lane["y"] + 60)
    assert selected_id(page) == "Lane_1"
    commit(page, "input[name='lane.role']", "cong_chuc_tphc")
    assert "Công chức Tư pháp" in page.inner_text("#qt-panel")

    # A step with a time limit and a form: an enum with two choices (required), a bounded number.
    task = replace(page, append(page, "Start_1", "append.append-task", "Chứng thực bản sao"), "user-task")
    commit(page, "input[name='task.dueDate']", "P0.5D")
    page.click("button[name='form.add']")
    commit(page, "input[name='form.0.id']", "ket_qua")
    commit(page, "input[name='form.0.label']", "Kết quả")
    page.select_option("select[name='form.0.type']", "enum")
    page.check("input[name='form.0.required']")
    for i, (code, label) in enumerate([("dat", "Đạt"), ("tu_choi", "Từ chối")]):
        page.click("button[name='form.0.value.add']")
        commit(page, f"input[name='form.0.value.{i}.id']", code)
        commit(page, f"input[name='form.0.value.{i}.name']", label)
    page.click("button[name='form.add']")
    commit(page, "input[name='form.1.id']", "so_ban")
    page.select_option("select[name='form.1.type']", "long")
    commit(page, "input[name='form.1.min']", "1")
    commit(page, "input[name='form.1.max']", "50")

    # A gateway: one branch on a condition, the other the default; an automatic step on it.
    gateway = append(page, task, "append.gateway")
    done = append(page, gateway, "append.end-event", "Đã chứng thực")
    notify = replace(page, append(page, gateway, "append.append-task", "Thông báo từ chối"), "service-task")
    commit(page, "input[name='service.topic']", "gui_thong_bao")
    append(page, notify, "append.end-event", "Từ chối")
    click_element(page, gateway)
    flows = page.evaluate("id => window.quytrinhModeler.modeler.get('elementRegistry').get(id).outgoing"
                          ".map(f => [f.id, f.target.id])", gateway)
    to_done = next(f for f, target in flows if target == done)
    to_notify = next(f for f, target in flows if target == notify)
    page.select_option("select[name='gateway.default']", to_notify)
    click_element(page, to_done)
    commit(page, "textarea[name='flow.condition']", "ket_qua == 'dat'")
    click_element(page, task)
    shot(page, "panel-built-procedure")

    xml = page.evaluate("window.quytrinhModeler.currentXml()")
    procedure = compile_procedure(xml, handlers=["gui_thong_bao"])
    assert procedure.code == "QT-TEST-01"
    assert [f.message for f in lint(xml, ["gui_thong_bao"]) if f.severity == "error"] == []

    root = etree.fromstring(xml.encode())
    props = {p.get("name"): p.get("value") for p in root.findall(
        "bpmn:process/bpmn:extensionElements/camunda:properties/camunda:property", NS)}
    assert props == {"code": "QT-TEST-01", "deadline": "P1D", "level": "xa", "field": "Chứng thực",
                     "legal_basis": "Nghị định 23/2015/NĐ-CP", "cutoff": "15:30"}
    assert root.find("bpmn:process", NS).get("name") == "Chứng thực bản sao từ bản chính"
    assert root.find("bpmn:collaboration/bpmn:participant", NS).get("name") == "Chứng thực bản sao từ bản chính"
    assert root.find(".//bpmn:lane[@id='Lane_1']//camunda:property[@name='role']", NS).get("value") == "cong_chuc_tphc"
    step = root.find(f".//bpmn:userTask[@id='{task}']", NS)
    assert step.get(f"{C}dueDate") == "P0.5D" and step.get("name") == "Chứng thực bản sao"
    enum, number = step.findall(".//camunda:formField", NS)
    assert (enum.get("id"), enum.get("label"), enum.get("type")) == ("ket_qua", "Kết quả", "enum")
    choices = [(v.get("id"), v.get("name")) for v in enum.findall("camunda:value", NS)]
    assert choices == [("dat", "Đạt"), ("tu_choi", "Từ chối")]
    assert [c.get("name") for c in enum.findall(".//camunda:constraint", NS)] == ["required"]
    limits = {c.get("name"): c.get("config") for c in number.findall(".//camunda:constraint", NS)}
    assert limits == {"min": "1", "max": "50"}
    assert root.find(f".//bpmn:exclusiveGateway[@id='{gateway}']", NS).get("default") == to_notify
    assert root.find(f".//bpmn:sequenceFlow[@id='{to_done}']/bpmn:conditionExpression", NS).text == "ket_qua == 'dat'"
    service = root.find(f".//bpmn:serviceTask[@id='{notify}']", NS)
    assert (service.get(f"{C}type"), service.get(f"{C}topic")) == ("external", "gui_thong_bao")
    assert page.js_errors == []


def test_undo_reverts_a_panel_edit(page, live_server):
    login(page, live_server, "iso")
    open_modeler(page, live_server, "/quality/procedures/new")
    commit(page, "input[name='process.code']", "QT-UNDO-01")
    commit(page, "input[name='process.deadline']", "P3D")
    page.evaluate("window.quytrinhModeler.modeler.get('commandStack').undo()")
    page.wait_for_function("document.querySelector(\"input[name='process.deadline']\").value === ''")
    assert page.input_value("input[name='process.code']") == "QT-UNDO-01"
    assert "deadline" not in page.evaluate("window.quytrinhModeler.currentXml()")
