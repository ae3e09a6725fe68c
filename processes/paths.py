"""Where the app keeps its files: the instance folder and the attachment store.

The default is the instance folder of the project (the folder Flask gives the web app), not the current
working directory: `quytrinh` run from another folder, a job worker started by systemd and the web app
must all find the same attachments. QUYTRINH_ATTACHMENTS_DIR moves the store (a shared filesystem when
several machines serve).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The folder holding the packages (engine/, processes/, web/…): a source checkout or an editable install.
PROJECT_DIR = Path(__file__).resolve().parent.parent


def instance_dir() -> Path:
    """The instance folder, chosen as Flask chooses it for the `web` package (web/__init__.py passes it on).

    A source checkout or editable install: <project>/instance. Installed into a prefix (a virtualenv's
    site-packages): <prefix>/var/web-instance.
    """
    prefix = Path(sys.prefix).resolve()
    if PROJECT_DIR.name.lower() == "site-packages" or PROJECT_DIR.is_relative_to(prefix):
        return prefix / "var" / "web-instance"
    return PROJECT_DIR / "instance"


def attachments_dir(configured: str | os.PathLike[str] | None = None) -> Path:
    """Where uploads are kept: `configured`, else QUYTRINH_ATTACHMENTS_DIR, else <instance>/attachments."""
    chosen = configured or os.environ.get("QUYTRINH_ATTACHMENTS_DIR")
    return Path(chosen).resolve() if chosen else instance_dir() / "attachments"


def trust_dir() -> Path:
    """The installation's folder of trusted root certificates (signing/trust.py): QUYTRINH_TRUST_DIR, else
    <instance>/trust. `quytrinh demo-org` puts the demo CA there (demo/signing_keys.py)."""
    chosen = os.environ.get("QUYTRINH_TRUST_DIR")
    return Path(chosen).resolve() if chosen else instance_dir() / "trust"


def cache_dir() -> Path:
    """Where drawn files are kept to be reused (audits/drawing_cache.py): QUYTRINH_CACHE_DIR, else
    <instance>/cache. A cache: deleting it only costs drawing again."""
    chosen = os.environ.get("QUYTRINH_CACHE_DIR")
    return Path(chosen).resolve() if chosen else instance_dir() / "cache"
