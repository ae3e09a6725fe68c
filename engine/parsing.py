"""Compile a BPMN document into a runnable Procedure: safe load, dialect, validation, specs."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .errors import ModelInvalid, Problem, problem
from .model import ProcessInfo, Step, read_process
from .procedure import Procedure
from .service_tasks import SEND_TASK_PARSER, SERVICE_TASK_PARSER
from .timers import TIMER_PARSER_CLASSES
from .validation import check_document
from .xml import BPMN_NS, NSMAP, load_xml, rename_reserved_ids

# Procedure is defined in engine.procedure (below timers and runner, see there) and re-exported here,
# where compile_procedure makes it: `from engine.parsing import Procedure` keeps working.
__all__ = ["Procedure", "QuytrinhParser", "compile_procedure", "sha256_of"]


class QuytrinhParser(CamundaParser):
    """SpiffWorkflow's Camunda parser with quytrinh's service tasks and working-time timers."""

    OVERRIDE_PARSER_CLASSES = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        **TIMER_PARSER_CLASSES,
        f"{{{BPMN_NS}}}serviceTask": SERVICE_TASK_PARSER,
        f"{{{BPMN_NS}}}sendTask": SEND_TASK_PARSER,
    }


def sha256_of(xml: bytes | str) -> str:
    """The content hash that identifies a definition version."""
    raw = xml.encode("utf-8") if isinstance(xml, str) else xml
    return hashlib.sha256(raw).hexdigest()


def compile_procedure(
    xml: bytes | str, handlers: Collection[str] = (), process_id: str | None = None,
    filename: str | None = None,
) -> Procedure:
    """Validate and compile BPMN text; raise ModelInvalid listing every problem found."""
    tree = load_xml(xml)
    id_map = rename_reserved_ids(tree)
    root = tree.getroot()
    problems = check_document(root, handlers)
    infos, steps = _read_processes(root, id_map, problems)
    chosen = _choose_process(root, infos, process_id, problems)
    if problems or chosen is None:
        raise ModelInvalid(problems or [problem("no_executable_process")])
    spec, subprocess_specs = _build_specs(tree, chosen.process_id, filename)
    return Procedure(
        info=chosen, spec=spec, subprocess_specs=subprocess_specs, sha256=sha256_of(xml),
        id_map=id_map, steps=steps,
    )


def _read_processes(root: etree._Element, id_map: dict[str, str], problems: list[Problem]):
    infos: dict[str, ProcessInfo] = {}
    steps: dict[str, Step] = {}
    for process in root.iterfind(f"{{{BPMN_NS}}}process"):
        info, found = read_process(process, id_map)
        infos[info.process_id] = info
        steps.update(info.steps)
        problems.extend(found)
    return infos, steps


def _choose_process(
    root: etree._Element, infos: dict[str, ProcessInfo], wanted: str | None, problems: list[Problem],
) -> ProcessInfo | None:
    if wanted is not None:
        if wanted not in infos:
            problems.append(problem("process_not_in_file", None, process=wanted))
            return None
        if not infos[wanted].executable:
            problems.append(problem("process_not_executable", wanted, process=wanted))
        return infos[wanted]
    called = set(root.xpath("//bpmn:callActivity/@calledElement", namespaces=NSMAP))
    candidates = [i for i in infos.values() if i.executable and i.process_id not in called]
    if not candidates:
        problems.append(problem("no_process_executable" if infos else "no_process"))
        return None
    if len(candidates) > 1:
        ids = ", ".join(i.process_id for i in candidates)
        problems.append(problem("several_executable_processes", None, ids=ids))
        return None
    return candidates[0]


def _build_specs(tree: etree._ElementTree, process_id: str, filename: str | None):
    parser = QuytrinhParser()
    try:
        parser.add_bpmn_xml(tree, filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        found = problem("spiff_validation", getattr(exc, "id", None), detail=_spiff_message(exc))
        raise ModelInvalid([found]) from None
    except (SpiffWorkflowException, KeyError, ValueError, TypeError, AttributeError) as exc:
        # SpiffWorkflow signals some structural problems with bare Python errors.
        raise ModelInvalid([problem("cannot_build", None, error=type(exc).__name__, detail=str(exc))]) from None
    return spec, subprocess_specs


def _spiff_message(exc: Any) -> str:
    msg = getattr(exc, "msg", None) or str(exc)
    return msg.splitlines()[0] if msg else type(exc).__name__
