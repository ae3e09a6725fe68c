"""Procedure pictures drawn by Graphviz, kept on disk so that a fresh process (a report job, a CLI run, another
web worker) reuses them instead of drawing them again (~0.1 s per picture).

A drawing is named by the SHA-256 of what decides its pixels: the DOT source (the procedure's model with its
figures and colours: a changed model or changed figures give another source, so another file), the format,
the Graphviz version and RENDERER (raise it when quytrinh changes how a DOT source is turned into a file,
e.g. the square PNG of pictures.py). Files are written to a temporary name and renamed, so two processes
drawing the same picture at once each leave a whole file. The folder is <instance>/cache/pictures (or
QUYTRINH_CACHE_DIR/pictures); it is a cache: unreadable or unwritable, pictures are drawn as before. The
oldest files beyond KEPT are removed when a new one is written.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from processes.atomic_files import write_atomically
from processes.paths import cache_dir

RENDERER = "1"
KEPT = 512


def folder() -> Path:
    """Where drawings are kept: QUYTRINH_CACHE_DIR/pictures, else <instance>/cache/pictures."""
    return cache_dir() / "pictures"


@functools.cache
def _graphviz_version() -> str:
    try:
        import graphviz

        return ".".join(map(str, graphviz.version()))
    except Exception:  # noqa: BLE001 - no dot: drawing fails later with its own message
        return "?"


def name_of(kind: str, source: str) -> str:
    """The file name of a drawing of `source` (DOT) in `kind` (svg, png)."""
    digest = hashlib.sha256(f"{RENDERER}\0{_graphviz_version()}\0{kind}\0{source}".encode()).hexdigest()
    return f"{digest}.{kind}"


def drawing(kind: str, source: str, draw: Callable[[], bytes]) -> bytes:
    """The drawing of `source` kept on disk, else `draw()` (then kept)."""
    path = folder() / name_of(kind, source)
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = draw()
    _keep(path, data)
    return data


def _keep(path: Path, data: bytes) -> None:
    """Write the drawing whole, readable by the group as uploads are (0640); a failure only costs drawing again.

    The temporary file's name starts with a dot so that _prune never counts it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data, mode=0o640, prefix=".")
        _prune(path.parent)
    except OSError:
        return


def _prune(where: Path) -> None:
    files = [p for p in where.iterdir() if not p.name.startswith(".")]
    if len(files) <= KEPT:
        return
    aged = sorted(files, key=lambda p: p.stat().st_mtime)
    for old in aged[:len(files) - KEPT]:
        old.unlink(missing_ok=True)


def clear() -> None:
    """Forget every kept drawing (benchmarks measuring the drawing itself)."""
    where = folder()
    if where.is_dir():
        for p in where.iterdir():
            p.unlink(missing_ok=True)
