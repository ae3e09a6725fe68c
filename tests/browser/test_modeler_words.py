"""Issue 13 items 2 and 6 in the modeler: time limits typed as people say them ("0,5 ngày", "15 ngày làm việc")
are stored as ISO and shown in words; a field's conditional rules are edited in the panel."""

from __future__ import annotations

from lxml import etree

from engine.parsing import compile_procedure

from .canvas import commit, selected_id
from .conftest import login, open_modeler, shot
from .test_modeler_panel import NS, append, replace

C = "{http://camunda.org/schema/1.0/bpmn}"


def test_time_limits_in_words_and_form_rules_in_the_panel(page, live_server):
    login(page, live_server, "iso")
    open_modeler(page, live_server, "/quality/procedures/new")
    assert "ISO" not in page.inner_text("#qt-panel")
    commit(page, "input[name='process.code']", "QT-WORDS-01")
    commit(page, "input[name='process.deadline']", "15 ngày làm việc")
    assert page.input_value("input[name='process.deadline']") == "15 ngày làm việc"

    task = replace(page, append(page, "Start_1", "append.append-task", "Thẩm định"), "user-task")
    append(page, task, "append.end-event", "Xong")
    page.evaluate("id => window.quytrinhModeler.modeler.get('selection')"
                  ".select(window.quytrinhModeler.modeler.get('elementRegistry').get(id))", task)
    assert selected_id(page) == task
    commit(page, "input[name='task.dueDate']", "0,5 ngày")
    assert page.input_value("input[name='task.dueDate']") == "0,5 ngày làm việc"
    page.click("button[name='form.add']")
    commit(page, "input[name='form.0.id']", "ket_qua")
    page.select_option("select[name='form.0.type']", "enum")
    page.click("button[name='form.0.value.add']")
    commit(page, "input[name='form.0.value.0.id']", "bo_sung")
    page.click("button[name='form.add']")
    commit(page, "input[name='form.1.id']", "noi_dung")
    commit(page, "input[name='form.1.required_if']", "ket_qua == 'bo_sung'")
    commit(page, "input[name='form.1.pattern']", "[A-Z].*")
    page.click("button[name='form.add']")
    commit(page, "input[name='form.2.id']", "ngay_nhan")
    page.select_option("select[name='form.2.type']", "date")
    commit(page, "input[name='form.2.not_before']", "received_at")
    page.check("input[name='form.2.not_future']")
    shot(page, "modeler-words-rules")

    xml = page.evaluate("window.quytrinhModeler.currentXml()")
    root = etree.fromstring(xml.encode())
    deadline = root.find(".//bpmn:process/bpmn:extensionElements//camunda:property[@name='deadline']", NS)
    assert deadline.get("value") == "P15D"
    step = root.find(f".//bpmn:userTask[@id='{task}']", NS)
    assert step.get(f"{C}dueDate") == "P0.5D"
    rules = {(f.get("id"), c.get("name")): c.get("config") for f in step.findall(".//camunda:formField", NS)
             for c in f.findall(".//camunda:constraint", NS)}
    assert rules == {("noi_dung", "required_if"): "ket_qua == 'bo_sung'", ("noi_dung", "pattern"): "[A-Z].*",
                     ("ngay_nhan", "not_before"): "received_at", ("ngay_nhan", "not_future"): None}
    form = next(iter(compile_procedure(xml).steps.values())).form
    assert form.fields[1].constraints["required_if"] == "ket_qua == 'bo_sung'"
    assert page.js_errors == []
