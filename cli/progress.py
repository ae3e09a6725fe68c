"""Progress bars for long commands (demo year, deploying many files, reports, exports), on stderr.

Never with --json (its output is for programs) and never on stdout (the command's result goes there).
When stderr is not a terminal, click prints the label once and no bar.
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

import click


class Bar:
    """`bar(done, total, message)` moves the bar; a new total starts it afresh; disabled does nothing."""

    def __init__(self, label: str, enabled: bool = True) -> None:
        self.label = label
        self.enabled = enabled
        self._bar: Any = None  # click's ProgressBar, made once the total is known

    def __call__(self, done: int, total: int, message: str = "") -> None:
        if not self.enabled or total <= 0:
            return
        if self._bar is None or self._bar.length != total:
            self._close()
            self._bar = click.progressbar(length=total, label=self.label, file=sys.stderr, show_pos=True)
            self._bar.__enter__()
        if message:
            self._bar.label = message
        step = min(done, total) - self._bar.pos
        if step > 0:
            self._bar.update(step)

    def _close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None

    def __enter__(self) -> Bar:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()
