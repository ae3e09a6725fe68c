"""Service errors in the reader's language: a Vietnamese text for every code, English from messages.po."""

from __future__ import annotations

import html

import pytest

from processes.error_codes import TEMPLATES, param_names
from processes.errors import ConflictError, NotFound
from tests.web.conftest import csrf_of
from tests.web.translation_helpers import english_catalog, placeholders
from tests.web.workspace_helpers import XD_STEPS, complete, open_task, receive_ok, texts, work
from web.error_text import STATUS_ENUMS, STATUS_PARAMS, TEXTS, error_message, service_message

STEP = "Thẩm định hồ sơ, kiểm tra thực địa"


def _available(code: str) -> set[str]:
    names = param_names(code)
    return names | {f"{n}_name" for n in names if n in STATUS_PARAMS and code in STATUS_ENUMS}


def _status_labels() -> list[str]:
    """The one label of every status the texts name (each enum's own table)."""
    return [m.label for enum in set(STATUS_ENUMS.values()) for m in enum]


def test_every_code_has_a_vietnamese_text_and_an_english_translation():
    english = english_catalog()
    assert sorted(set(TEMPLATES) - set(TEXTS)) == [] and sorted(set(TEXTS) - set(TEMPLATES)) == []
    assert sorted(w for w in [*TEXTS.values(), *_status_labels()] if not english.get(w)) == []
    for code, vi in TEXTS.items():
        assert placeholders(vi) <= _available(code), code
        assert placeholders(english[vi]) == placeholders(vi), code


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_text_formats_with_its_params_in_both_languages(app, code):
    params = {name: f"<{name}>" for name in param_names(code)}
    shown = {}
    for lang in ("vi", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            shown[lang] = service_message(code, params, "FALLBACK")
        assert shown[lang] != "FALLBACK" and "%(" not in shown[lang], (lang, shown[lang])
        for name in placeholders(TEXTS[code]):
            assert f"<{name.removesuffix('_name')}>" in shown[lang], (lang, name, shown[lang])
    assert shown["vi"] != shown["en"], code


def test_statuses_are_named_and_unknown_codes_keep_the_english(app):
    closed = ConflictError.of("task_closed", step="Thẩm định", state="cancelled")
    with app.test_request_context("/"):
        assert error_message(closed) == "Bước 'Thẩm định' không còn chờ xử lý (đã hủy); vui lòng tải lại trang."
        assert error_message(NotFound("no such thing")) == "no such thing"
        assert service_message("khong_co", {}, "the English") == "the English"
        assert service_message("task_closed", {}, "the English") == "the English"  # params that do not fit
    with app.test_request_context("/?lang=en"):
        assert error_message(closed) == "Step 'Thẩm định' is no longer waiting (cancelled); please reload the page."


def _message(reply) -> str:
    return html.unescape(texts(reply.data))


def test_completing_a_completed_step_says_who_did_it_in_the_readers_language(xd, user, login, org):
    code = receive_ok(user("motcua"))
    task = open_task(org, code, "Task_ThamDinh")
    work(user, org, code, "Task_ThamDinh")
    again = complete(user("cv.ktht"), task, XD_STEPS["Task_ThamDinh"])
    assert again.status_code == 409
    assert f"Bước '{STEP}' đã được cv.ktht hoàn thành; vui lòng tải lại trang." in _message(again)
    english = login("cv.ktht")
    token = csrf_of(english.get(f"/tasks/{task}?lang=en").data)
    reply = english.post(f"/tasks/{task}", data={"csrf_token": token, **XD_STEPS["Task_ThamDinh"]})
    assert reply.status_code == 409
    assert f"Step '{STEP}' has already been completed by cv.ktht; please reload the page." in _message(reply)
    api = user("cv.ktht").post(f"/api/tasks/{task}/complete", json={"data": XD_STEPS["Task_ThamDinh"]})
    assert api.status_code == 409 and api.json["code"] == "task_closed_by"
    assert api.json["error"] == f"Bước '{STEP}' đã được cv.ktht hoàn thành; vui lòng tải lại trang."
    api = english.post(f"/api/tasks/{task}/complete", json={"data": XD_STEPS["Task_ThamDinh"]})
    assert api.json["error"] == f"Step '{STEP}' has already been completed by cv.ktht; please reload the page."


def test_an_officer_without_the_role_is_told_so_in_the_readers_language(xd, user, login, org):
    code = receive_ok(user("motcua"))
    task = open_task(org, code, "Task_ThamDinh")
    refused = complete(user("tp.ktht"), task, XD_STEPS["Task_ThamDinh"])
    assert refused.status_code == 403
    assert f"Tài khoản tp.ktht không được xử lý bước '{STEP}' (bước dành cho vai trò" in _message(refused)
    api = login("tp.ktht").post(f"/api/tasks/{task}/complete?lang=en", json={"data": XD_STEPS["Task_ThamDinh"]})
    assert api.status_code == 403 and api.json["code"] == "may_not_do_role"
    assert api.json["error"].startswith(f"tp.ktht may not do step '{STEP}' (it is for role ")
    assert open_task(org, code, "Task_ThamDinh") == task  # nothing moved


def test_unknown_things_and_flashed_refusals_are_in_vietnamese(xd, user, login):
    missing = user("cv.ktht").get("/api/dossiers/H99-000000-0000")
    assert missing.status_code == 404 and missing.json["code"] == "case_ref_not_found"
    assert missing.json["error"] == "Không tìm thấy hồ sơ 'H99-000000-0000'."
    iso = login("iso")
    token = csrf_of(iso.get("/quality/procedures/QT-XD-01").data)
    dry = iso.post("/quality/procedures/QT-XD-01/migrations/dry-run", data={"csrf_token": token, "from": 1, "to": 2},
                   follow_redirects=True)
    assert "Quy trình 'QT-XD-01' không có phiên bản 2." in _message(dry)  # flashed (the deploy made version 1 only)


def test_a_dossier_status_label_in_a_message_reads_in_the_readers_language(app):
    moved = ConflictError.of("dossier_transition", current=9, current_label="Đã giải quyết", target=4,
                             target_label="Đang giải quyết")
    with app.test_request_context("/"):
        assert error_message(moved) == ("Hồ sơ đang ở trạng thái «Đã giải quyết», không thể chuyển sang "
                                        "«Đang giải quyết».")
    with app.test_request_context("/?lang=en"):
        english = error_message(moved)
    assert "Đã giải quyết" not in english and "Đang giải quyết" not in english, english


def test_a_migration_reason_names_what_changed_and_a_refusal_in_the_readers_words(app):
    from web.error_text import reason_text

    changed = {"code": "move_step_changed", "params": {"step": "Thẩm định", "target": 2, "aspects": "name, time_limit"}}
    refused = {"code": "move_failed", "params": {"detail": "case H01-1 is closed", "error_code": "case_changed",
                                                 "error_params": {"case": "H01-1"}}}
    with app.test_request_context("/"):
        assert reason_text(changed) == "Bước hồ sơ đang ở, «Thẩm định», đã sửa trong phiên bản 2 (tên, thời hạn)."
        assert reason_text(refused) == f"Không chuyển được: {service_message('case_changed', {'case': 'H01-1'}, '')}"
        assert "case H01-1 is closed" not in reason_text(refused)
