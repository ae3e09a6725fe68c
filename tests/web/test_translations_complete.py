"""Every text web/ marks for translation (gettext, N_, lazy, templates) has its English entry in
web/translations/en, non-empty: a page must not fall back to Vietnamese for an English reader (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from tests.web.translation_helpers import english_catalog, placeholders

WEB = Path(__file__).resolve().parents[2] / "web"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def marked_texts() -> dict[str, str]:
    """Each text marked for translation in web/ → where it is first marked."""
    found: dict[str, str] = {}
    for filename, line, message, _, _ in extract_from_dir(str(WEB), method_map=METHODS, keywords=KEYWORDS,
                                                          options_map={"**/templates/**.html": {}}):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, f"web/{filename}:{line}")
    return found


def test_every_marked_text_has_an_english_translation():
    english = english_catalog()
    missing = {where: text for text, where in marked_texts().items() if not english.get(text)}
    assert not missing, f"add these to web/translations/en/LC_MESSAGES/messages.po: {sorted(missing.items())[:20]}"


def test_each_translation_keeps_the_placeholders_of_its_text():
    english = english_catalog()
    wrong = [text for text in marked_texts() if text in english and english[text]
             and placeholders(text) != placeholders(english[text])
             and not re.search(r"%\(\w+\)d", text)]
    assert not wrong, wrong[:10]
