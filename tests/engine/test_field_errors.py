"""Field messages: every one is built from a registered code, reads as its English text and keeps its code."""

from __future__ import annotations

import ast
import copy
import pickle
from pathlib import Path

import pytest

from engine.errors import FormInvalid
from engine.field_errors import TEMPLATES, BadValue, FieldError
from engine.forms import Form, FormField
from engine.problem_codes import template_fields

ROOT = Path(__file__).resolve().parents[2]
BUILDERS = {"FieldError", "BadValue"}


def _calls() -> list[tuple[str, ast.Call]]:
    found = []
    for package in ("engine", "processes", "web"):
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILDERS \
                        and node.args and isinstance(node.args[0], ast.Constant):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_every_field_error_names_a_registered_code_and_gives_its_params():
    calls = _calls()
    assert len(calls) > 20
    for where, call in calls:
        code = call.args[0].value
        assert code in TEMPLATES, f"{where} uses unregistered field code {code!r}"
        assert template_fields(TEMPLATES[code]) <= {k.arg for k in call.keywords}, f"{where} misses params"


def test_a_field_error_reads_as_its_english_and_keeps_code_and_params():
    error = FieldError("at_least", min=1)
    assert error == "must be at least 1" and (error.code, error.params) == ("at_least", {"min": 1})
    for twin in (copy.deepcopy(error), pickle.loads(pickle.dumps(error))):
        assert twin == error and (twin.code, twin.params) == ("at_least", {"min": 1})
    assert str(BadValue("whole_number")) == "must be a whole number"


def test_a_form_names_each_bad_field_by_code():
    form = Form("f", (FormField("so_tang", "long", "Số tầng", constraints={"min": "1"}),
                      FormField("ten", "string", "Tên", constraints={"required": None})))
    with pytest.raises(FormInvalid) as bad:
        form.validate({"so_tang": "0", "la": "x"})
    assert {k: (v.code, v.params) for k, v in bad.value.errors.items()} == {
        "so_tang": ("at_least", {"min": "1"}), "ten": ("required", {}), "la": ("unknown_field", {})}
    assert bad.value.errors["so_tang"] == "must be at least 1"
