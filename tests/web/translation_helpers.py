"""What the English catalogue says, for tests of texts kept in the reader's language."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PO = Path(__file__).resolve().parents[2] / "web" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def english_catalog() -> dict[str, str]:
    """Vietnamese source text → English translation, as web/translations holds them."""
    with PO.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if m.id}


def placeholders(text: str) -> set[str]:
    """The %(name)s placeholders of a text."""
    return set(re.findall(r"%\((\w+)\)s", text))
