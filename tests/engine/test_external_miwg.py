"""Third-party BPMN (OMG MIWG, SpiffWorkflow tests, Camunda examples): what compile_procedure says.

Every file must either load or be refused with ModelInvalid and a readable reason; any other
exception fails the test.  The verdicts are pinned in external_expectations.py.
"""

from __future__ import annotations

import re

import pytest

from engine.errors import FormInvalid, ModelInvalid
from engine.model import read_process
from engine.parsing import compile_procedure
from engine.xml import BPMN_NS, load_xml
from tests.engine.external_expectations import EXTERNAL, EXTRA_VERDICTS, MIWG, MIWG_VERDICTS, SPIFF

pytestmark = pytest.mark.skipif(
    not (MIWG.is_dir() and SPIFF.is_dir()),
    reason=f"third-party models not present at {EXTERNAL} (see /work/shared/external)",
)

# Bare Python exception names in a reason mean the engine let an internal error through.
_RAW_ERROR = re.compile(r"\b(KeyError|TypeError|AttributeError|IndexError|ValueError|Traceback|NoneType)\b")


def verdict(rel: str, handlers=(), process_id: str | None = None) -> tuple[str, str]:
    """("loads", process id) or ("rejected", the ModelInvalid summary)."""
    path = EXTERNAL / rel
    try:
        procedure = compile_procedure(path.read_bytes(), handlers=handlers, process_id=process_id,
                                      filename=path.name)
    except ModelInvalid as exc:
        assert exc.problems, "ModelInvalid without problems"
        return "rejected", exc.summary()
    return "loads", procedure.process_id


def check(got: tuple[str, str], expected: tuple) -> None:
    kind, detail = got
    assert kind == expected[0], f"expected {expected[0]}, got {kind}: {detail}"
    if kind == "loads":
        assert detail == expected[1]
        return
    for reason in expected[1]:
        assert reason in detail, f"{reason!r} not in:\n{detail}"
    assert not _RAW_ERROR.search(detail), f"raw Python error text in the reason:\n{detail}"


def test_every_miwg_reference_model_has_a_pinned_verdict():
    assert sorted(p.name for p in MIWG.glob("*.bpmn")) == sorted(MIWG_VERDICTS)


@pytest.mark.parametrize("name", sorted(MIWG_VERDICTS))
def test_miwg_reference_model(name):
    check(verdict(f"bpmn-miwg/{name}"), MIWG_VERDICTS[name])


@pytest.mark.parametrize(
    ("rel", "handlers", "process_id", "expected"), EXTRA_VERDICTS,
    ids=[f"{rel.rsplit('/', 1)[-1]}-{pid or ','.join(h) or 'default'}" for rel, h, pid, _ in EXTRA_VERDICTS],
)
def test_external_model_verdict(rel, handlers, process_id, expected):
    check(verdict(rel, handlers, process_id), expected)


def test_every_problem_names_its_element_or_the_file():
    """Each problem of a rejected model points at an element, except file-level ones."""
    file_level = ("isExecutable", "several executable processes", "no process", "the file has no process")
    for rel in [f"bpmn-miwg/{name}" for name in MIWG_VERDICTS] + [rel for rel, *_ in EXTRA_VERDICTS]:
        try:
            compile_procedure((EXTERNAL / rel).read_bytes(), filename=rel)
        except ModelInvalid as exc:
            for problem in exc.problems:
                assert problem.element_id or problem.message.startswith(file_level), (rel, problem)


def test_link_events_are_refused_by_name():
    assert "link events are not supported" in verdict("bpmn-miwg/B.2.0.bpmn")[1]


def test_random_fact_form_as_quytrinh_reads_it():
    # The file is refused for its script task; the step metadata is read by the same code as procedure.steps.
    root = load_xml((SPIFF / "camunda/random_fact.bpmn").read_bytes()).getroot()
    info, problems = read_process(root.find(f"{{{BPMN_NS}}}process"), {})
    form = info.steps["Task_User_Select_Type"].form
    assert problems == [] and form.key == "Fact" and [f.id for f in form.fields] == ["type"]
    [field] = form.fields
    assert (field.type, field.default, field.constraints) == ("enum", "cat", {"maxlength": "25"})
    assert [o[0] for o in field.options] == ["norris", "cat", "buzzword"]
    assert form.validate({"type": "norris"}) == {"type": "norris"}
    with pytest.raises(FormInvalid, match="must be one of: norris, cat, buzzword"):
        form.validate({"type": "dog"})
