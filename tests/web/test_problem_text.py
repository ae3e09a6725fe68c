"""Model problems in the reader's language: a Vietnamese text for every code, English from messages.po."""

from __future__ import annotations

import pytest

from engine.problem_codes import TEMPLATES, param_names
from tests.processes.conftest import BPMN
from tests.web.translation_helpers import english_catalog, placeholders
from web import problem_text
from web.problem_text import ELEMENT, KIND_NAMES, LANE, TEXTS, problem_message

DERIVED = {"source": "where", "kind": "kind_name"}  # engine params → the words web/problem_text.py adds
NO_LIMIT = BPMN.replace('name="Phê duyệt" camunda:dueDate="P1D"', 'name="Phê duyệt"')
UNSAFE = BPMN.replace("quyet_dinh == 'duyet'", "__import__('os').system('x')")


def _sample(key: str) -> dict[str, str]:
    params = {name: f"<{name}>" for name in param_names(key)}
    if "source" in params:
        params["lane"] = "Chuyên viên"
    return params


def test_every_code_has_a_vietnamese_text_and_an_english_translation():
    english = english_catalog()
    assert sorted(set(TEMPLATES) - set(TEXTS)) == [] and sorted(set(TEXTS) - set(TEMPLATES)) == []
    words = [*TEXTS.values(), *KIND_NAMES.values(), LANE, ELEMENT]
    assert sorted(w for w in words if not english.get(w)) == []
    for key, vi in TEXTS.items():
        available = param_names(key) | {DERIVED[p] for p in param_names(key) if p in DERIVED}
        assert placeholders(vi) <= available, key
        assert placeholders(english[vi]) == placeholders(vi), key


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_text_formats_with_its_params_in_both_languages(app, key):
    params = _sample(key)
    for lang in ("vi", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            text = problem_message(key, params, "FALLBACK")
        assert text != "FALLBACK" and "%(" not in text, (lang, text)
        for name in placeholders(TEXTS[key]) - set(DERIVED.values()):
            assert f"<{name}>" in text, (lang, name, text)
    with app.test_request_context("/?lang=en"):
        english = problem_message(key, params, "")
    with app.test_request_context("/?lang=vi"):
        assert problem_message(key, params, "") != english, key


def test_an_unknown_code_or_unfit_params_keep_the_engines_english(app):
    with app.test_request_context("/"):
        assert problem_message("khong_co", {}, "the engine's words") == "the engine's words"
        assert problem_message("missing_time_limit", {}, "the engine's words") == "the engine's words"
        assert problem_message("engine", {"rule": "empty_condition"}, "x") == "Điều kiện đang để trống"
        assert problem_message("unreachable", {"kind": "userTask"}, "x") == \
            "Bước (userTask) không thể đi tới được từ sự kiện bắt đầu"
        assert problem_message("unknown_role", {"source": "candidateGroups", "lane": None, "role": "x"}, "") == \
            "camunda:candidateGroups: vai trò 'x' không có trong tổ chức"


def test_the_api_gives_a_missing_time_limit_in_vietnamese_and_on_request_in_english(login):
    iso = login("iso")
    found = iso.post("/api/procedures/validate", json={"xml": NO_LIMIT}).json["problems"]
    assert found == [{"element_id": "Task_PheDuyet", "severity": "warning", "code": "missing_time_limit",
                      "params": {"step": "Phê duyệt"},
                      "message": "Bước 'Phê duyệt' chưa có thời hạn xử lý (camunda:dueDate)"}]
    english = login("iso").post("/api/procedures/validate?lang=en", json={"xml": NO_LIMIT}).json["problems"]
    assert english[0]["message"] == "Step 'Phê duyệt' has no time limit (camunda:dueDate)"
    assert english[0]["code"] == "missing_time_limit" and english[0]["params"] == {"step": "Phê duyệt"}


def test_the_api_gives_an_unsafe_expression_and_malformed_xml_in_the_readers_language(login):
    iso = login("iso")
    [unsafe] = [p for p in iso.post("/api/procedures/validate", json={"xml": UNSAFE}).json["problems"]
                if p["element_id"] == "F_Duyet"]
    assert (unsafe["code"], unsafe["params"]["rule"]) == ("engine", "expression_refused")
    assert unsafe["params"]["text"] == "__import__('os').system('x')"
    assert unsafe["message"].startswith("Biểu thức '__import__('os').system('x')' không được chấp nhận (")
    [broken] = iso.post("/api/procedures/validate", json={"xml": "<bpmn:definitions"}).json["problems"]
    assert (broken["code"], broken["params"]["rule"]) == ("engine", "malformed_xml")
    assert broken["message"].startswith("Tệp không phải XML hợp lệ: ")
    english = iso.post("/api/procedures/validate?lang=en", json={"xml": "<bpmn:definitions"}).json["problems"]
    assert english[0]["message"].startswith("The file is not well-formed XML: ")


def test_the_openapi_schema_lists_code_and_params(client):
    problem = client.get("/api/openapi.json").json["components"]["schemas"]["Problem"]["properties"]
    assert {"code", "params", "message", "element_id", "severity"} <= set(problem)


def test_texts_are_plain_strings_marked_for_translation():
    assert problem_text.N_("x") == "x" and all(isinstance(v, str) for v in TEXTS.values())
