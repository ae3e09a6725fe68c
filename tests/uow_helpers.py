"""Failure injection for the unit-of-work tests: fail a use case at its last step, then look for traces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from processes.db import Database
from tests.processes.conftest import dump_all


class Injected(RuntimeError):
    """The failure a test injects at the last step of a use case."""


def fail_after(real: Callable[..., Any]) -> Callable[..., Any]:
    """`real`, then a failure: everything the step does is done when the use case fails."""
    def failing(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise Injected("injected failure at the last step")
    return failing


def caches(db: Database) -> tuple[set, set]:
    """What the caches hold: live workflows as (case, lock version), compiled procedures by definition."""
    return set((k, v[0]) for k, v in db.live._items.items()), set(db.procedures._items)


def leaves_no_trace(db: Database, monkeypatch, target: Any, name: str, action: Callable[[], Any],
                     failing: Callable[..., Any] | None = None) -> None:
    """Run `action` with `target.name` failing after it did its work: nothing stored, nothing cached."""
    before, (live, compiled) = dump_all(db), caches(db)
    with monkeypatch.context() as patch:
        patch.setattr(target, name, failing or fail_after(getattr(target, name)))
        with pytest.raises(Injected):
            action()
    after = dump_all(db)
    for table in before:
        assert after[table] == before[table], f"table {table} kept part of a failed use case"
    live_after, compiled_after = caches(db)
    assert live_after <= live, f"the live cache holds workflows of a failed use case: {live_after - live}"
    assert compiled_after <= compiled, "the procedure cache holds a procedure compiled by a failed use case"
