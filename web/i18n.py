"""Languages: Vietnamese first (the source text of every page), English from web/translations."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session
from flask_babel import gettext

LANGUAGES = ("vi", "en")
SOURCE = Path(__file__).parent / "translations"


def N_(text: str) -> str:  # noqa: N802 - the usual name of a "mark for translation" no-op
    """Mark a source text for translation; gettext runs when a request's language is known."""
    return text


def translated(source: str, values: dict[str, Any], fallback: str) -> str:
    """`source` in the request's language filled with `values`; `fallback` when they do not fit the text."""
    try:
        return gettext(source) % values  # formatted here too when there are no values
    except (KeyError, TypeError, ValueError):
        return fallback  # the lower layer's English message still says what is wrong


def compile_catalogs(target: Path) -> Path:
    """Compile every .po under web/translations into .mo files under `target` (no build step needed)."""
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        out = target / po.relative_to(SOURCE).with_suffix(".mo")
        out.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as src:
            catalog = read_po(src)
        with out.open("wb") as dst:
            write_mo(dst, catalog)
    return target


def select_locale() -> str:
    """?lang= (remembered in the session), else the session's choice, else Vietnamese."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    return session.get("lang", "vi")


def init_i18n(app: Flask) -> None:
    """Compile catalogs to a private folder and point Flask-Babel at it."""
    from .extensions import babel

    folder = Path(tempfile.mkdtemp(prefix="quytrinh-i18n-"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compile_catalogs(folder))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=select_locale)
