"""Languages: Vietnamese first (the source text of every page), English from web/translations."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request, session
from flask_babel import get_translations, gettext

from processes.atomic_files import write_atomically

from .extensions import babel

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


def catalog_folder(source: Path) -> Path:
    """Where the .mo files are kept: beside the .po files, or a per-user cache when that is read-only."""
    if os.access(source, os.W_OK):
        return source  # a checkout or an editable install: compiled once, reused by every app and test
    # An installed copy owned by another user: a stable cache, one per source folder.
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "quytrinh" / "translations" / hashlib.sha256(str(source).encode()).hexdigest()[:12]


def compile_catalogs(source: Path, target: Path) -> list[Path]:
    """Compile each .po under `source` whose .mo under `target` is missing or stale; the .mo files written."""
    written = []
    for po in sorted(source.glob("*/LC_MESSAGES/*.po")):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime_ns == po.stat().st_mtime_ns:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        _compile(po, mo)
        written.append(mo)
    return written


def _compile(po: Path, mo: Path) -> None:
    with po.open("rb") as src:
        catalog = read_po(src)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    # Written beside the target, then renamed over it: two processes starting together (pytest -n 2,
    # several server workers) never read half a catalog, and nothing is left in the temp directory.
    # 0644: a catalog is read by whoever serves the app. The .mo takes its .po's mtime (before it is
    # renamed into place), so "stale" means "differs": an older .po copied in counts too.
    stat = po.stat()
    write_atomically(mo, compiled.getvalue(), mode=0o644, prefix=f".{mo.name}.", suffix=".tmp",
                     times_ns=(stat.st_atime_ns, stat.st_mtime_ns))


def select_locale() -> str:
    """?lang= (remembered in the session), else the session's choice, else Vietnamese."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
    return session.get("lang", "vi")


def request_catalog() -> Any:
    """The request's catalog, looked up once per request and kept in `g`.

    Flask-Babel's template callables look it up again for every text (four context lookups and a locale
    check each): an inbox page has ~80 texts, and that was a tenth of a step completion's CPU under load
    (docs/performance.md). Its locale is fixed for the request anyway (Flask-Babel keeps it in `g` too).
    """
    if not g:  # no application context: whatever Flask-Babel gives (its null catalog)
        return get_translations()
    found = g.get("_quytrinh_catalog")
    if found is None:
        found = g._quytrinh_catalog = get_translations()
    return found


def init_i18n(app: Flask) -> None:
    """Compile the catalogs that changed (usually none) and point Flask-Babel at them."""
    folder = catalog_folder(SOURCE)
    compile_catalogs(SOURCE, folder)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(folder)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "vi")
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # the same callables as Flask-Babel's, over request_catalog()
        gettext=lambda s: request_catalog().ugettext(s),
        ngettext=lambda s, p, n: request_catalog().ungettext(s, p, n),
        pgettext=lambda c, s: request_catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_catalog().unpgettext(c, s, p, n),
        newstyle=True)
    # Flask-Babel caches loaded catalogs per process (one shared Babel) by locale alone, not by folder:
    # without this a new app would serve whatever an earlier app loaded, from another folder or an older .po.
    with app.app_context():
        babel.domain_instance.cache.clear()
