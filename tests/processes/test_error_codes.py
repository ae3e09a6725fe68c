"""Service error codes: every coded raise names a registered code, and the English message stays as it was."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from processes import instances, tasks
from processes.error_codes import TEMPLATES, param_names, render
from processes.errors import ConflictError, InvalidInput, NotFound, PermissionDenied, ServiceError

from .conftest import RECEIVE, run_to_end, single_task, start_case

ROOT = Path(__file__).resolve().parents[2]
ERRORS = {"ServiceError", "NotFound", "PermissionDenied", "ConflictError", "InvalidTransition", "InvalidInput"}
# Modules whose every service error carries a code (the others still raise English text without one).
CONVERTED = ("instances", "tasks", "access", "lookup", "queries", "timeline", "statuses", "reception", "dossiers",
             "dossier_actions", "apology", "substitutes", "comments", "attachments", "ratings", "versions",
             "version_status", "migration", "procedures", "catalog")
# Raises kept without a code on purpose: engine text passed through, or a model's own mistake.
UNCODED = {("instances", "ConflictError"), ("approval", "InvalidInput")}


def _coded_calls() -> list[tuple[str, ast.Call]]:
    """Every `SomeError.of(...)` call in processes/ and audits/ (which raise processes' errors), and every
    `_reason(...)` (why a case does not move, migration.py), with its module."""
    found = []
    for path in sorted([*(ROOT / "processes").glob("*.py"), *(ROOT / "audits").glob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (_raises_coded(node.func) or _makes_reason(node)):
                found.append((path.stem, node))
    return found


def _raises_coded(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "of" and isinstance(func.value, ast.Name) \
        and func.value.id in ERRORS


def _makes_reason(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Name) and call.func.id == "_reason" and bool(call.args)


def _codes_of(call: ast.Call) -> list[str]:
    """The literal codes a call names (both arms of a conditional expression)."""
    first = call.args[0]
    options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
    assert all(isinstance(o, ast.Constant) for o in options), f"line {call.lineno}: the code must be a literal"
    return [o.value for o in options]


def test_every_coded_raise_uses_a_registered_code_with_the_params_its_text_uses():
    calls = _coded_calls()
    assert len(calls) > 80
    used = set()
    for module, call in calls:
        for code in _codes_of(call):
            assert code in TEMPLATES, f"{module}.py:{call.lineno} uses unregistered code {code!r}"
            given = {k.arg for k in call.keywords if k.arg}
            assert param_names(code) <= given, f"{module}.py:{call.lineno} misses params for {code!r}"
            used.add(code)
    assert sorted(set(TEMPLATES) - used) == []  # no template left behind by a removed raise


def test_converted_modules_raise_no_service_error_from_bare_text():
    for module in CONVERTED:
        source = (ROOT / "processes" / f"{module}.py").read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERRORS \
                    and (module, node.func.id) not in UNCODED:
                message = node.args[0] if node.args else None
                assert not isinstance(message, ast.Constant | ast.JoinedStr), f"{module}.py:{node.lineno}"


@pytest.mark.parametrize("code", sorted(TEMPLATES))
def test_every_template_renders_with_its_params(code):
    params = {name: f"<{name}>" for name in param_names(code)}
    text = render(code, params)
    assert all(name in text for name in params) and "{" not in text.replace("{'", "")


def test_a_coded_error_keeps_its_english_message_and_carries_code_and_params():
    found = ConflictError.of("task_closed_by", step="Thẩm định hồ sơ", state="completed", user="cv.ktht")
    assert str(found) == "task 'Thẩm định hồ sơ' is already completed by cv.ktht"
    assert (found.code, found.params) == ("task_closed_by", {"step": "Thẩm định hồ sơ", "state": "completed",
                                                             "user": "cv.ktht"})
    assert str(NotFound.of("task_id_invalid", task="x\x00")) == "no task 'x\\x00'"
    bad = InvalidInput.of("comment_too_long", {"text": "at most 4000 characters"})
    assert (str(bad), bad.errors, bad.code, bad.params) == ("the comment is too long",
                                                            {"text": "at most 4000 characters"}, "comment_too_long", {})
    plain = PermissionDenied("no")
    assert (str(plain), plain.code, plain.params) == ("no", None, {})
    assert isinstance(found, ServiceError) and InvalidInput("x", {"a": "b"}).errors == {"a": "b"}


def test_use_cases_raise_coded_errors_with_the_same_english(proc, clock):
    moved = start_case(proc, clock)
    first = single_task(proc, "motcua", moved.instance_id)
    with pytest.raises(PermissionDenied) as refused:
        instances.complete(proc, first.id, RECEIVE, "cv.ktht", clock)
    assert refused.value.code in ("may_not_do_role", "may_not_do_assigned")
    assert str(refused.value).startswith(f"cv.ktht may not do '{first.name}' (")
    run_to_end(proc, clock, moved.instance_id)
    with pytest.raises(ConflictError) as late:
        instances.complete(proc, first.id, RECEIVE, "motcua", clock)
    assert str(late.value) == f"task '{first.name}' is already completed by motcua"
    assert (late.value.code, late.value.params["user"]) == ("task_closed_by", "motcua")
    with pytest.raises(ConflictError) as claimed:
        tasks.claim(proc, first.id, "motcua", clock)
    assert (claimed.value.code, str(claimed.value)) == ("task_closed", f"task '{first.name}' is already completed")
    with pytest.raises(NotFound) as missing:
        instances.complete(proc, "00000000-0000-0000-0000-000000000000", {}, "motcua", clock)
    assert missing.value.code == "task_not_found"
    assert str(missing.value) == "no task 00000000-0000-0000-0000-000000000000"
