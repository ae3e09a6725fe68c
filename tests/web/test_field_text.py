"""Field messages in the reader's language: rendered from their code (engine/field_errors.py), never from English."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.field_errors import TEMPLATES, FieldError
from engine.problem_codes import template_fields
from processes import reception
from tests.web.translation_helpers import english_catalog, placeholders
from tests.web.workspace_helpers import post_form, texts
from web.field_text import TEXTS, field_message

ROOT = Path(__file__).resolve().parents[2]


def _sample(code: str) -> FieldError:
    params: dict[str, object] = {name: f"<{name}>" for name in template_fields(TEMPLATES[code])}
    if code == "in_file":
        params["problem"] = FieldError("file_empty")
    return FieldError(code, **params)


def test_every_field_code_has_a_vietnamese_text_and_an_english_translation():
    english = english_catalog()
    assert sorted(set(TEMPLATES) ^ set(TEXTS)) == []
    assert sorted(vi for vi in TEXTS.values() if not english.get(vi)) == []
    for code, vi in TEXTS.items():
        assert placeholders(vi) <= template_fields(TEMPLATES[code]), code
        assert placeholders(english[vi]) == placeholders(vi), code


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_field_message_reads_in_both_languages(app, code):
    error = _sample(code)
    shown = {}
    for lang in ("vi", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            shown[lang] = field_message(error)
        assert shown[lang] != str(error) and "%(" not in shown[lang], (lang, shown[lang])
        for name in placeholders(TEXTS[code]) - {"problem"}:
            assert f"<{name}>" in shown[lang], (lang, name)
    assert shown["vi"] != shown["en"], code


def test_codes_params_and_plain_text(app):
    with app.test_request_context("/"):
        assert field_message(FieldError("at_least", min=1)) == "Không được nhỏ hơn 1."
        assert field_message("required") == "Bắt buộc nhập."  # a bare code, as processes pass it
        assert field_message("no such code, said in English") == "no such code, said in English"
        named = FieldError("in_file", name="don.pdf", problem=FieldError("file_content", ext="pdf"))
        assert field_message(named) == "don.pdf: Nội dung tệp không đúng định dạng .pdf."
    with app.test_request_context("/?lang=en"):
        assert field_message(FieldError("file_too_large", mb=10)) == "The file is too large (at most 10 MB)."


def test_the_counter_form_writes_coded_messages_that_read_in_vietnamese(app):
    """processes/reception.py writes FieldErrors: the page says them from their code, never from English."""
    bad = reception.Applicant(name="x" * 201, id_number="12", phone="abc", email="a@", channel="fax")
    errors = reception.check_applicant(bad)
    _, papers = reception.check_documents([{"name": "", "kind": "original"}, {"name": "Đơn", "kind": "khac"},
                                           {"name": "Đơn", "sets": 99}])
    assert all(isinstance(e, FieldError) for e in [*errors.values(), *papers.values()])
    with app.test_request_context("/"):
        shown = {k: field_message(v) for k, v in {**errors, **papers}.items()}
    assert shown == {"name": "Tối đa 200 ký tự.", "id_number": "Từ 6 đến 20 chữ cái hoặc chữ số (CCCD: 12 số).",
                     "phone": "Số điện thoại không hợp lệ.", "email": "Địa chỉ thư điện tử không hợp lệ.",
                     "channel": "Chọn kênh nộp hồ sơ.", "documents.0": "Ghi tên giấy tờ (tối đa 300 ký tự).",
                     "documents.1": "Chọn loại bản: bản chính, bản sao chứng thực, bản sao hoặc bản điện tử.",
                     "documents.2": "Số bộ từ 1 đến 20."}


def test_an_upload_message_names_its_file_and_reads_in_vietnamese(app):
    named = FieldError("in_file", name="scan.png", problem=FieldError("file_content", ext="png"))
    with app.test_request_context("/"):
        assert field_message(named) == "scan.png: Nội dung tệp không đúng định dạng .png."
        assert field_message("scan.png: not a real .png file") == "scan.png: not a real .png file"  # no English read


def test_the_substitutes_page_says_what_is_wrong_with_each_field_in_vietnamese(xd, user):
    bad_date = post_form(user("cv.ktht"), "/substitutes", {"substitute": "cv.tp", "starts_on": "2026-01-05",
                                                          "ends_on": "ngày mai"}, page="/substitutes")
    assert bad_date.status_code == 422 and "Ngày không hợp lệ." in texts(bad_date.data)
    reversed_range = post_form(user("cv.ktht"), "/substitutes", {"substitute": "cv.ktht", "starts_on": "2026-01-09",
                                                                "ends_on": "2026-01-05"}, page="/substitutes")
    page = texts(reversed_range.data)
    assert reversed_range.status_code == 422
    assert "Ngày kết thúc trước ngày bắt đầu." in page and "Không thể tự ủy quyền cho chính mình." in page
    assert "the range ends before it starts" not in page and "must be a date" not in texts(bad_date.data)


def test_the_error_page_lists_field_messages_in_the_readers_language(xd, user):
    too_long = user("motcua").get("/dossiers/tracking-book.pdf?from=2024-01-01&to=2026-01-01")
    assert too_long.status_code == 422
    assert "Tối đa một năm kể từ ngày bắt đầu." in texts(too_long.data)
    english = user("motcua").get("/dossiers/tracking-book.pdf?from=2024-01-01&to=2026-01-01&lang=en")
    assert "At most one year after the start date." in texts(english.data)
