"""Field messages in the reader's language: rendered from their code (engine/field_errors.py), never from English."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.field_errors import TEMPLATES, FieldError
from engine.problem_codes import template_fields
from tests.web.translation_helpers import english_catalog, placeholders
from tests.web.workspace_helpers import post_form, texts
from web import field_text
from web.field_text import RECEPTION_CODES, RECEPTION_LIMITS, TEXTS, field_message

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


def test_the_reception_shim_maps_exactly_what_reception_writes_and_goes_when_it_stops():
    """processes/reception.py still writes English field texts; each shim entry must be one it writes."""
    source = (ROOT / "processes" / "reception.py").read_text(encoding="utf-8")
    written = [str(FieldError(code)) for code in RECEPTION_CODES]
    written += [str(FieldError("too_long", max=n)) for n in RECEPTION_LIMITS]
    stale = [text for text in written if f'"{text}"' not in source]
    assert stale == [], f"reception.py no longer writes {stale}: remove them from web/field_text.py's shim"
    assert 'f"{upload.filename}: ' in source, "reception.py names uploads differently: update _in_file or drop it"


def test_an_upload_message_prefixed_by_its_file_name_reads_in_vietnamese(app):
    with app.test_request_context("/"):
        assert field_message("scan.png: not a real .png file") == "scan.png: Nội dung tệp không đúng định dạng .png."
        assert field_message("a: b.pdf: empty file") == "a: b.pdf: Tệp rỗng."
        assert field_message("scan.png: not a real .exe file") == "scan.png: not a real .exe file"  # no such type
    assert field_text.coded("not a phone number") == FieldError("phone")


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
