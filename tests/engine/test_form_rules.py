"""Conditional form rules (issue 13, items 2–3): required_if, date bounds on fields and case facts, pattern;
refused at deploy time when they cannot work; the browser's form of them."""

from __future__ import annotations

import pytest

from engine import form_rules
from engine.errors import FormInvalid, ModelInvalid
from engine.parsing import compile_procedure
from tests.conftest import BPMN_DIR

FORM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="D" targetNamespace="t">
  <bpmn:process id="P" isExecutable="true">
    <bpmn:extensionElements><camunda:properties><camunda:property name="code" value="QT-T-01" />
    </camunda:properties></bpmn:extensionElements>
    <bpmn:startEvent id="S" /><bpmn:sequenceFlow id="f1" sourceRef="S" targetRef="T" />
    <bpmn:userTask id="T" name="Bước" camunda:candidateGroups="r">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="ket_qua" label="Kết quả" type="enum">
          <camunda:value id="dat" name="Đạt" /><camunda:value id="bo_sung" name="Bổ sung" />
        </camunda:formField>
        <camunda:formField id="ngay_a" label="Ngày thông báo" type="date" />
        <camunda:formField id="x" label="Trường" type="{type}">
          <camunda:validation><camunda:constraint name="{name}" config="{config}" /></camunda:validation>
        </camunda:formField>
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="T" targetRef="E" /><bpmn:endEvent id="E" />
  </bpmn:process>
</bpmn:definitions>"""


def form(name: str, config: str, type_: str = "string"):
    procedure = compile_procedure(FORM.format(name=name, config=config, type=type_))
    return next(iter(procedure.steps.values())).form


def errors(f, data, context=None) -> dict[str, tuple[str, dict]]:
    with pytest.raises(FormInvalid) as caught:
        f.validate(data, context)
    return {k: (v.code, v.params) for k, v in caught.value.errors.items()}


def test_required_if_holds_only_when_its_expression_does():
    f = form("required_if", "ket_qua == 'bo_sung'")
    assert errors(f, {"ket_qua": "bo_sung"}) == {"x": ("required", {})}
    assert f.validate({"ket_qua": "dat"}) == {"ket_qua": "dat"}
    assert f.validate({"ket_qua": "bo_sung", "x": "Bản vẽ"})["x"] == "Bản vẽ"


def test_a_date_is_not_before_another_field_nor_a_case_fact_nor_in_the_future():
    f = form("not_before", "ngay_a, received_at", "date")
    bad = errors(f, {"ngay_a": "2026-12-06", "x": "2026-12-01"})
    assert bad["x"][0] == "not_before" and bad["x"][1]["date"] == "06/12/2026"
    assert bad["x"][1]["other"] == "ngày thông báo"  # mid-sentence
    fact = errors(f, {"x": "2026-12-01"}, {"received_at": "2026-12-03"})["x"]
    assert fact[0] == "not_before" and fact[1]["other"].code == "fact_received_at"
    assert f.validate({"x": "2026-12-03"}, {"received_at": "2026-12-03"}) == {"x": "2026-12-03"}
    future = form("not_future", "", "date")
    assert errors(future, {"x": "2026-12-07"}, {"today": "2026-12-06"}) == {"x": ("not_future", {})}
    assert future.validate({"x": "2026-12-07"}) == {"x": "2026-12-07"}  # no clock given: not checked
    after = form("not_after", "ngay_a", "date")
    assert errors(after, {"ngay_a": "2026-12-01", "x": "2026-12-02"})["x"][0] == "not_after"


def test_a_pattern_must_match_the_whole_text():
    f = form("pattern", "[0-9]{12}")
    assert errors(f, {"x": "00120300456"}) == {"x": ("pattern", {})}
    assert errors(f, {"x": "001203004567x"}) == {"x": ("pattern", {})}
    assert f.validate({"x": "001203004567"}) == {"x": "001203004567"}


@pytest.mark.parametrize(("name", "config", "type_", "code"), [
    ("required_if", "__import__('os')", "string", "form_rule_bad_expression"),
    ("not_before", "ket_qua", "date", "form_rule_unknown_date"),
    ("not_before", "ngay_a", "string", "form_rule_needs_date"),
    ("not_after", "hom_kia", "date", "form_rule_unknown_date"),
    ("pattern", "[0-9", "string", "form_rule_bad_pattern"),
    ("pattern", "[0-9]+", "long", "form_rule_pattern_not_text"),
])
def test_rules_that_cannot_work_are_refused_at_deploy_time(name, config, type_, code):
    with pytest.raises(ModelInvalid) as caught:
        compile_procedure(FORM.format(name=name, config=config, type=type_))
    assert code in {p.code for p in caught.value.problems}


def test_the_browser_gets_enumerated_conditions_and_dated_facts():
    f = form("required_if", "ket_qua in ('bo_sung',)")
    assert form_rules.browser_rules(f.fields, {}) == {"x": {"required_when": {"ket_qua": ["bo_sung"]}}}
    g = form("not_before", "ngay_a, received_at", "date")
    rules = form_rules.browser_rules(g.fields, {"received_at": "2026-12-03"})
    assert rules["x"]["not_before"] == [{"field": "ngay_a", "label": "Ngày thông báo"},
                                        {"date": "2026-12-03", "fact": "received_at"}]


def test_every_procedure_asks_for_the_reasons_its_decisions_need():
    xd = compile_procedure((BPMN_DIR / "QT-XD-01.bpmn").read_bytes())
    forms = {s.element_id: s.form for s in xd.steps.values()}
    assert set(errors(forms["Task_ThamDinh"], {"ket_qua_tham_dinh": "bo_sung"})) == {"noi_dung_bo_sung"}
    assert set(errors(forms["Task_ThamDinh"], {"ket_qua_tham_dinh": "tu_choi"})) == {"ly_do"}
    assert set(errors(forms["Task_XemXet"], {"ket_qua_xem_xet": "tra_lai"})) == {"y_kien_lanh_dao_phong"}
    assert set(errors(forms["Task_KyGiayPhep"], {"ket_qua_ky": "tra_lai"})) == {"y_kien_lanh_dao_ubnd"}
    assert set(errors(forms["Task_KyGiayPhep"], {"ket_qua_ky": "tu_choi"})) == {"ly_do_tu_choi"}
    assert set(errors(forms["Task_KyGiayPhep"], {"ket_qua_ky": "ky"})) == {"ngay_ky"}
    assert set(errors(forms["Task_TiepNhanBoSung"], {"ngay_thong_bao_bo_sung": "2026-12-06",
                                                       "ngay_nhan_bo_sung": "2026-12-01"})) == {"ngay_nhan_bo_sung"}
    for code in ("QT-CAPA-01", "QT-CT-01", "QT-HT-01", "QT-ISO-01", "QT-KD-01", "QT-TDKT-01", "QT-VB-01"):
        text = (BPMN_DIR / f"{code}.bpmn").read_text(encoding="utf-8")
        assert "required_if" in text, f"{code} has decisions without a required reason"


def test_the_lint_warns_of_a_condition_on_a_field_no_form_fills():
    from engine.lint import lint

    typo = [f for f in lint(FORM.format(name="required_if", config="ket_qa == 'bo_sung'", type="string"))
            if f.params.get("rule") == "bad_form_rule_unknown_name"]
    assert [(f.element_id, f.severity, f.params["name"]) for f in typo] == [("T", "warning", "ket_qa")]
    assert not [f for f in lint((BPMN_DIR / "QT-XD-01.bpmn").read_bytes())
                if f.params.get("rule") == "bad_form_rule_unknown_name"]


def test_a_field_visible_only_under_its_condition_takes_no_value_otherwise():
    f = form("visible_if", "ket_qua == 'bo_sung'")
    # Sent while hidden (the box was filled before the choice changed): dropped, not stored, not refused.
    assert f.validate({"ket_qua": "dat", "x": "Bản vẽ"}) == {"ket_qua": "dat"}
    assert f.validate({"ket_qua": "bo_sung", "x": "Bản vẽ"}) == {"ket_qua": "bo_sung", "x": "Bản vẽ"}
    assert form_rules.browser_rules(f.fields, {}) == {"x": {"visible_when": {"ket_qua": ["bo_sung"]}}}
    # Recorded outside the system: nothing required, a value the form cannot hold still refused.
    assert f.clean_given({"ket_qua": "dat", "x": "Bản vẽ"}) == {"ket_qua": "dat"}
    with pytest.raises(FormInvalid) as caught:
        f.clean_given({"ket_qua": "khac", "y": 1})
    assert {k: v.code for k, v in caught.value.errors.items()} == {"ket_qua": "one_of", "y": "unknown_field"}


def test_a_hidden_field_is_never_required():
    procedure = compile_procedure((BPMN_DIR / "QT-XD-01.bpmn").read_bytes())
    appraisal = {s.element_id: s.form for s in procedure.steps.values()}["Task_ThamDinh"]
    kept = appraisal.validate({"ket_qua_tham_dinh": "dat", "y_kien_tham_dinh": "Đủ điều kiện",
                               "noi_dung_bo_sung": "cũ", "ly_do": "cũ"})
    assert "noi_dung_bo_sung" not in kept and "ly_do" not in kept
    assert set(errors(appraisal, {"ket_qua_tham_dinh": "bo_sung", "ly_do": "x"})) == {"noi_dung_bo_sung"}


def test_a_visible_if_that_cannot_work_is_refused_and_named():
    with pytest.raises(ModelInvalid) as caught:
        compile_procedure(FORM.format(name="visible_if", config="__import__('os')", type="string"))
    found = [p for p in caught.value.problems if p.code == "form_rule_bad_expression"]
    assert found and found[0].params["constraint"] == "visible_if"
