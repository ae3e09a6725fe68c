"""Broken and hostile input: each is refused with a message that says why, and nothing is stored."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from processes import catalog, instances, tasks
from processes.errors import InvalidInput, NotFound, PermissionDenied

from .conftest import BPMN, CODE, RECEIVE, dump_all, single_task, start_case, task_rows, verify

BODY = BPMN.split("?>", 1)[1]  # the document without its XML declaration


def _deploy_refused(db, clock, xml) -> ModelInvalid:
    before = dump_all(db)
    with pytest.raises(ModelInvalid) as info:
        catalog.deploy(db, xml, clock, "iso")
    assert dump_all(db) == before
    return info.value


def _messages(exc: ModelInvalid) -> str:
    return "\n".join(str(p) for p in exc.problems)


# --- BPMN documents ------------------------------------------------------------------------

MALFORMED = [
    ("<bpmn:definitions", "malformed XML"),
    ("", "malformed XML"),
    ("not xml at all", "malformed XML"),
    ('<?xml version="1.0"?><html><body/></html>', "not a BPMN 2.0 document (root element is html)"),
    (BODY.replace("</bpmn:process>", ""), "malformed XML"),
]


def test_malformed_documents_are_refused(org, clock):
    for xml, expected in MALFORMED:
        assert expected in _messages(_deploy_refused(org, clock, xml)), xml[:60]


def test_entity_tricks_are_refused_before_parsing(org, clock):
    xxe = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           + BODY.replace('name="Phê duyệt"', 'name="&e;"'))
    text = _messages(_deploy_refused(org, clock, xxe))
    assert "DTD and entity declarations are not allowed" in text
    assert "root:" not in text

    entities = '<!ENTITY a "ha">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + BODY.replace('name="Phê duyệt"', 'name="&j;"')
    assert "DTD and entity declarations are not allowed" in _messages(_deploy_refused(org, clock, bomb))


def test_a_doctype_after_a_long_comment_is_refused_too(org, clock):
    padded = ('<?xml version="1.0"?><!--' + "x" * 5000 + '-->'
              '<!DOCTYPE bpmn:definitions SYSTEM "file:///etc/passwd">' + BODY)
    assert "DTD" in _messages(_deploy_refused(org, clock, padded))


def test_a_file_in_another_encoding_deploys_and_runs_with_its_text_intact(org, clock):
    for encoding in ("UTF-16", "windows-1258"):
        code = f"QT-ENC-{encoding}"
        source = BPMN.replace('encoding="UTF-8"', f'encoding="{encoding}"').replace(CODE, code)
        xml = source.encode(encoding, errors="replace")  # windows-1258 lacks precomposed tone marks

        def as_written(text: str, encoding=encoding) -> str:
            return text.encode(encoding, errors="replace").decode(encoding)

        deployment = catalog.deploy(org, xml, clock, "iso")
        assert deployment.name == as_written("Cấp giấy phép thử nghiệm"), encoding
        moved = instances.start(org, code, {}, "motcua", clock)
        assert [s.name for s in moved.opened] == [as_written("Tiếp nhận hồ sơ")], encoding


def test_dead_ends_and_endless_loops_are_refused_with_the_element(org, clock):
    broken = BPMN.replace('<bpmn:sequenceFlow id="F4" sourceRef="Task_PheDuyet" targetRef="Gateway_PheDuyet" />',
                          "")
    text = _messages(_deploy_refused(org, clock, broken))
    assert "[Task_PheDuyet] userTask has no outgoing flow (dead end)" in text

    trapped = BPMN.replace('sourceRef="Gateway_PheDuyet" targetRef="EndEvent_Done"',
                           'sourceRef="Gateway_PheDuyet" targetRef="Task_TiepNhan"')
    text = _messages(_deploy_refused(org, clock, trapped))
    assert "can never reach an end" in text or "cannot be reached" in text


UNSAFE_CONDITIONS = [
    ("__import__('os').system('id')", "attribute access is not allowed"),
    ("().__class__", "attribute access is not allowed"),
    ("__builtins__", "dunder names are reserved"),
    ("open('/etc/passwd')", "calling 'open' is not allowed"),
    ("9**9**9 > 1", "the ** operator is not allowed"),
    ("[x for x in range(10**9)]", "comprehensions are not allowed"),
    ("${''.getClass().forName('java.lang.Runtime')}", "attribute access is not allowed"),
]


def test_unsafe_gateway_conditions_are_refused(org, clock):
    for condition, reason in UNSAFE_CONDITIONS:
        xml = BPMN.replace("quyet_dinh == 'duyet'", condition.replace("&", "&amp;").replace("<", "&lt;"))
        text = _messages(_deploy_refused(org, clock, xml))
        assert "[F_Duyet] expression" in text, condition
        assert reason in text, condition


def _with_step_before_end(element: str, element_id: str) -> str:
    """The test procedure with `element` inserted between the approval gateway and the end."""
    return BPMN.replace(
        '<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" />',
        '<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" />' + element,
    ).replace('targetRef="EndEvent_Done"', f'targetRef="{element_id}"').replace(
        '<bpmn:sequenceFlow id="F1"',
        f'<bpmn:sequenceFlow id="F_S" sourceRef="{element_id}" targetRef="EndEvent_Done" /><bpmn:sequenceFlow id="F1"')


def test_code_in_the_model_is_refused(org, clock):
    script = _with_step_before_end(
        '<bpmn:scriptTask id="Script_1" scriptFormat="python"><bpmn:script>import os; os.system("id")'
        '</bpmn:script></bpmn:scriptTask>', "Script_1")
    assert "[Script_1] script tasks are not allowed" in _messages(_deploy_refused(org, clock, script))

    service = _with_step_before_end(
        '<bpmn:serviceTask id="Svc_1" camunda:type="external" camunda:topic="xoa_du_lieu" />', "Svc_1")
    text = _messages(_deploy_refused(org, clock, service))
    assert "[Svc_1] unknown service handler 'xoa_du_lieu'" in text
    assert "cannot be reached" not in text


def test_a_bad_form_and_a_bad_time_limit_are_all_listed(org, clock):
    xml = (BPMN.replace('type="long"', 'type="money"')
           .replace('camunda:dueDate="P3D"', 'camunda:dueDate="ba ngày"'))
    text = _messages(_deploy_refused(org, clock, xml))
    assert "form field 'so_ban' has unsupported type 'money'" in text
    assert "[Task_ThamDinh] time limit camunda:dueDate" in text


# --- data given to the use cases -----------------------------------------------------------

BAD_FORM_DATA = [
    ({"ho_ten": "Nguyễn Văn A", "so_ban": "hai"}, "so_ban", "must be a whole number"),
    ({"ho_ten": "Nguyễn Văn A", "so_ban": True}, "so_ban", "must be a whole number"),
    ({"ho_ten": "Nguyễn Văn A", "so_ban": 2.5}, "so_ban", "must be a whole number"),
    ({"ho_ten": "Nguyễn Văn A", "so_ban": 11}, "so_ban", "must be at most 10"),
    ({"ho_ten": "Nguyễn Văn A", "so_ban": 0}, "so_ban", "must be at least 1"),
    ({"ho_ten": {"$ne": ""}}, "ho_ten", "must be text"),
    ({"ho_ten": ["A"]}, "ho_ten", "must be text"),
    ({"ho_ten": "A" * 101}, "ho_ten", "must have at most 100 characters"),
    ({"so_ban": 1}, "ho_ten", "this field is required"),
    ({"ho_ten": ""}, "ho_ten", "this field is required"),
    ({"ho_ten": "A", "is_admin": True}, "is_admin", "unknown field for this step"),
    (["ho_ten", "A"], "_", "completion data must be a JSON object"),
    ("ho_ten=A", "_", "completion data must be a JSON object"),
    (None, "_", "completion data must be a JSON object"),
]


def test_bad_form_data_is_refused_field_by_field(proc, clock):
    moved = start_case(proc, clock)
    task = single_task(proc, "motcua", moved.instance_id)
    before = dump_all(proc)
    for data, field, message in BAD_FORM_DATA:
        with pytest.raises(InvalidInput, match="the form for 'Tiếp nhận hồ sơ' is not valid") as info:
            instances.complete(proc, task.id, data, "motcua", clock)
        assert info.value.errors.get(field) == message, data
        assert dump_all(proc) == before, data
    # The step is still open and takes good data.
    done = instances.complete(proc, task.id, RECEIVE, "motcua", clock)
    assert [s.element_id for s in done.opened] == ["Task_ThamDinh"]

    check = single_task(proc, "cv.ktht", moved.instance_id)
    before = dump_all(proc)
    with pytest.raises(InvalidInput) as info:
        instances.complete(proc, check.id, {"ket_qua": "dat' or '1'='1"}, "cv.ktht", clock)
    assert info.value.errors == {"ket_qua": "must be one of: dat, khong_dat"}
    assert dump_all(proc) == before


def test_bad_starts_are_refused(proc, clock):
    before = dump_all(proc)
    for data in (["a"], "a=1", 42, None):
        with pytest.raises(InvalidInput, match="start data must be a JSON object"):
            instances.start(proc, CODE, data, "motcua", clock)
    with pytest.raises(NotFound, match="no active procedure with code or process id 'QT-NOPE'"):
        instances.start(proc, "QT-NOPE", {}, "motcua", clock)
    with pytest.raises(NotFound, match="no unit with code 'ZZZ'"):
        instances.start(proc, CODE, {}, "motcua", clock, "ZZZ")
    with pytest.raises(PermissionDenied, match="ghost holds no role"):
        instances.start(proc, CODE, {}, "ghost", clock)
    assert dump_all(proc) == before


def test_start_data_follows_the_free_data_rules(proc, clock):
    before = dump_all(proc)
    for data in ({"x": "y" * 200_000}, {"not an identifier": 1}):
        with pytest.raises(InvalidInput):
            instances.start(proc, CODE, data, "motcua", clock)
        assert dump_all(proc) == before


def test_acting_on_things_that_do_not_exist(proc, clock):
    start_case(proc, clock)
    before = dump_all(proc)
    for task_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "'; DROP TABLE human_tasks; --",
                    "x" * 300, ""):
        with pytest.raises(NotFound, match="no task"):
            instances.complete(proc, task_id, RECEIVE, "motcua", clock)
        with pytest.raises(NotFound, match="no task"):
            tasks.claim(proc, task_id, "motcua", clock)
    with pytest.raises(NotFound, match="no instance 999"):
        instances.cancel(proc, 999, "motcua", clock, "")
    assert dump_all(proc) == before


def test_a_task_id_with_a_nul_byte_is_not_found(proc, clock):
    start_case(proc, clock)
    before = dump_all(proc)
    with pytest.raises(NotFound):
        instances.complete(proc, "abc\x00", RECEIVE, "motcua", clock)
    with pytest.raises(NotFound):
        tasks.claim(proc, "abc\x00", "motcua", clock)
    assert dump_all(proc) == before


# --- a path on which no condition holds ----------------------------------------------------

NO_DEFAULT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Defs_ND" targetNamespace="t">
  <bpmn:process id="QT_ND" name="Không có nhánh mặc định" isExecutable="true">
    <bpmn:laneSet id="LS"><bpmn:lane id="L" name="mot_cua">
      <bpmn:flowNodeRef>S</bpmn:flowNodeRef><bpmn:flowNodeRef>T</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>G</bpmn:flowNodeRef><bpmn:flowNodeRef>T2</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="S" />
    <bpmn:userTask id="T" name="Phân loại" />
    <bpmn:exclusiveGateway id="G" />
    <bpmn:userTask id="T2" name="Xử lý loại A" />
    <bpmn:endEvent id="E" />
    <bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" />
    <bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="G" />
    <bpmn:sequenceFlow id="fa" sourceRef="G" targetRef="T2">
      <bpmn:conditionExpression>loai == 'A'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fb" sourceRef="G" targetRef="E">
      <bpmn:conditionExpression>loai == 'B'</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="T2" targetRef="E" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_no_condition_holds_stores_nothing_and_the_step_stays_open(org, clock, deployed):
    deployed(NO_DEFAULT)
    moved = instances.start(org, "QT_ND", {}, "motcua", clock)
    task = single_task(org, "motcua", moved.instance_id)
    before = dump_all(org)
    for data in ({"loai": "C"}, {}):
        with pytest.raises(InvalidInput, match="the procedure cannot continue"):
            instances.complete(org, task.id, data, "motcua", clock)
        assert dump_all(org) == before
    assert [r.state for r in task_rows(org, moved.instance_id)] == ["ready"]
    # The half-moved workflow was not kept: the same step completes normally now.
    again = instances.complete(org, task.id, {"loai": "A"}, "motcua", clock)
    assert [s.element_id for s in again.opened] == ["T2"]
    assert [r.state for r in task_rows(org, moved.instance_id)] == ["completed", "ready"]
    assert verify(org) == []
