"""Design lint: every rule finds its problem at the element it is about, with the right severity."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.lint import lint
from processes.handlers import registered
from processes.lint import lint_xml
from tests.conftest import BPMN_DIR
from tests.processes.conftest import BPMN

ROLES = {"mot_cua", "chuyen_vien_ktht", "lanh_dao_phong_ktht"}
UNITS = {"H01", "H01.KTHT"}
END = '    <bpmn:endEvent id="EndEvent_Done" name="Trả kết quả" />\n'


def _found(xml: str) -> set[tuple[str, str | None, str]]:
    return {(f.code, f.element_id, f.severity) for f in lint(xml, registered(), ROLES, UNITS)}


def _add(xml: str, elements: str) -> str:
    return xml.replace(END, END + elements)


def test_the_test_procedure_is_clean():
    assert _found(BPMN) == set()


def test_every_procedure_in_bpmn_has_no_errors():
    import json
    from pathlib import Path

    roles = {r["code"] for r in json.loads((Path(BPMN_DIR).parent / "processes/data/roles.json").read_text())}
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        errors = [f for f in lint(path.read_bytes(), registered(), roles) if f.severity == "error"]
        assert errors == [], path.name


def test_unreachable_and_dead_end_elements():
    xml = _add(BPMN, '    <bpmn:userTask id="Task_Orphan" name="Mồ côi" camunda:candidateGroups="mot_cua" '
                     'camunda:dueDate="P1D" />\n'
                     '    <bpmn:userTask id="Task_DeadEnd" name="Cụt" camunda:candidateGroups="mot_cua" '
                     'camunda:dueDate="P1D" />\n'
                     '    <bpmn:sequenceFlow id="F_Dead" sourceRef="Task_TiepNhan" targetRef="Task_DeadEnd" />\n')
    found = _found(xml)
    assert ("engine", "Task_Orphan", "error") in found
    assert ("engine", "Task_DeadEnd", "error") in found


def test_exclusive_gateway_flow_without_condition_or_default():
    xml = BPMN.replace("<bpmn:conditionExpression>${quyet_dinh == 'tra_lai'}</bpmn:conditionExpression>", "")
    assert ("gateway_flow_without_condition", "Gateway_PheDuyet", "error") in _found(xml)


def test_exclusive_gateway_conditions_that_leave_an_enum_value_uncovered():
    xml = BPMN.replace('<camunda:value id="tra_lai" name="Trả lại để thẩm định lại" />',
                       '<camunda:value id="tra_lai" name="Trả lại" /><camunda:value id="hoan" name="Hoãn" />')
    found = [f for f in lint(xml, registered(), ROLES) if f.code == "gateway_not_covered"]
    assert [(f.element_id, f.severity) for f in found] == [("Gateway_PheDuyet", "error")]
    assert "quyet_dinh = 'hoan'" in found[0].message


def test_exclusive_gateway_whose_coverage_cannot_be_known_gets_a_warning():
    xml = (BPMN.replace("quyet_dinh == 'duyet'", "ghi_chu == 'ok'")
           .replace("${quyet_dinh == 'tra_lai'}", "${ghi_chu != 'ok'}"))
    assert ("gateway_without_default", "Gateway_PheDuyet", "warning") in _found(xml)
    with_default = xml.replace('<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" />',
                               '<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" default="F_TraLai" />')
    assert not {f for f in _found(with_default) if f[0].startswith("gateway")}


def test_step_without_a_responsible_role():
    xml = _add(BPMN, '    <bpmn:userTask id="Task_NoRole" name="Không ai làm" camunda:dueDate="P1D" />\n'
                     '    <bpmn:sequenceFlow id="F_X1" sourceRef="Task_TiepNhan" targetRef="Task_NoRole" />\n'
                     '    <bpmn:sequenceFlow id="F_X2" sourceRef="Task_NoRole" targetRef="EndEvent_Done" />\n')
    assert ("no_role", "Task_NoRole", "error") in _found(xml)


def test_step_limit_missing_is_a_warning_and_limits_past_the_deadline_an_error():
    missing = BPMN.replace('name="Phê duyệt" camunda:dueDate="P1D"', 'name="Phê duyệt"')
    assert _found(missing) == {("missing_time_limit", "Task_PheDuyet", "warning")}
    tight = BPMN.replace('<camunda:property name="deadline" value="P5D" />',
                         '<camunda:property name="deadline" value="P4D" />')
    over = [f for f in lint(tight, registered(), ROLES) if f.code == "over_deadline"]
    assert [(f.element_id, f.severity) for f in over] == [("Task_PheDuyet", "error")]
    assert "P4.5D" in over[0].message and "Tiếp nhận hồ sơ → Thẩm định hồ sơ → Phê duyệt" in over[0].message


def test_a_long_exceptional_branch_is_only_a_warning():
    xml = (BPMN.replace('<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" />',
                        '<bpmn:exclusiveGateway id="Gateway_PheDuyet" name="Duyệt?" default="F_Duyet" />')
           .replace("<bpmn:conditionExpression>quyet_dinh == 'duyet'</bpmn:conditionExpression>", "")
           .replace('targetRef="Task_ThamDinh">\n      <bpmn:conditionExpression>',
                    'targetRef="Task_Long">\n      <bpmn:conditionExpression>'))
    xml = _add(xml, '    <bpmn:userTask id="Task_Long" name="Xin ý kiến liên ngành" camunda:dueDate="P10D" '
                    'camunda:candidateGroups="chuyen_vien_ktht" />\n'
                    '    <bpmn:sequenceFlow id="F_L" sourceRef="Task_Long" targetRef="EndEvent_Done" />\n')
    assert ("over_deadline_branch", "Task_Long", "warning") in _found(xml)
    assert not any(f[0] == "over_deadline" for f in _found(xml))


def test_roles_and_units_that_do_not_exist():
    xml = (BPMN.replace('<camunda:property name="role" value="mot_cua" />',
                        '<camunda:property name="role" value="mot_cua_moi" />')
           .replace('<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ"',
                    '<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ" '
                    'camunda:candidateGroups="chuyen_vien_ktht@H99,chuyen_vien_xyz"'))
    found = _found(xml)
    assert ("unknown_role", "Lane_MotCua", "error") in found
    assert ("unknown_unit", "Task_ThamDinh", "error") in found
    assert ("unknown_role", "Task_ThamDinh", "error") in found


def test_unsafe_expressions_in_conditions_assignees_and_roles():
    xml = (BPMN.replace("quyet_dinh == 'duyet'", "__import__('os').system('x')")
           .replace('<bpmn:userTask id="Task_PheDuyet" name="Phê duyệt"',
                    '<bpmn:userTask id="Task_PheDuyet" name="Phê duyệt" camunda:assignee="${nguoi.__class__}"')
           .replace('<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ"',
                    '<bpmn:userTask id="Task_ThamDinh" name="Thẩm định hồ sơ" camunda:candidateGroups="${nhom}"'))
    found = _found(xml)
    assert ("engine", "F_Duyet", "error") in found
    assert ("unsafe_expression", "Task_PheDuyet", "error") in found
    assert ("unsafe_expression", "Task_ThamDinh", "error") in found


@pytest.mark.parametrize(("field", "code"), [
    ('<camunda:formField id="so_tien" type="money" />', "engine"),
    ('<camunda:formField id="so" type="long"><camunda:validation><camunda:constraint name="min" config="9" />'
     '<camunda:constraint name="max" config="1" /></camunda:validation></camunda:formField>', "bad_form"),
    ('<camunda:formField id="so" type="long" defaultValue="nhiều" />', "bad_form"),
    ('<camunda:formField id="ten" type="string"><camunda:validation><camunda:constraint name="min" config="1" />'
     '</camunda:validation></camunda:formField>', "bad_form"),
    ('<camunda:formField id="loai" type="enum" />', "engine"),
    ('<camunda:formField id="co" type="boolean"><camunda:value id="x" name="X" /></camunda:formField>', "bad_form"),
])
def test_forms_with_bad_types(field, code):
    xml = BPMN.replace('<camunda:formField id="ket_qua"', field + '\n<camunda:formField id="ket_qua"', 1)
    assert (code, "Task_ThamDinh", "error") in _found(xml)


def test_against_the_organisation_and_the_procedure_code(org):
    with org.read() as conn:
        assert lint_xml(conn, BPMN, "QT-TEST-01") == []
        mismatch = lint_xml(conn, BPMN, "QT-KHAC-01")
        assert [(f.code, f.element_id) for f in mismatch] == [("code_mismatch", "QT_TEST_01")]
        unknown = lint_xml(conn, BPMN.replace('value="mot_cua"', 'value="khong_co"'), "QT-TEST-01")
        assert [(f.code, f.element_id) for f in unknown] == [("unknown_role", "Lane_MotCua")]
        with pytest.raises(ModelInvalid):
            lint_xml(conn, "<bpmn:definitions", "QT-TEST-01")
