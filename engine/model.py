"""The quytrinh dialect read from BPMN XML: process properties, roles from lanes, step metadata."""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from .errors import Problem
from .forms import Form, read_form
from .xml import BPMN_NS, CAMUNDA_NS, NSMAP

STEP_TAGS = ("userTask", "manualTask", "task")
# What a step or an end event may tell the dossier (camunda:property sla / outcome; see docs/dialect.md).
STEP_SLA_KINDS = ("supplement", "payment", "return")
# What a step signs digitally (camunda:property sign; docs/signatures.md): the result of the procedure, one of
# the statutory forms (documents/forms.py), or the procedure document at approval. Such a step completes
# only with a PDF attached at it carrying a valid signature of its performer (processes/signatures.py).
STEP_SIGN_KINDS = ("result", "receipt", "supplement_request", "refusal", "stop_notice", "apology", "procedure")
END_OUTCOMES = ("done", "refused", "stopped")
_C = f"{{{CAMUNDA_NS}}}"


@dataclass(frozen=True)
class Step:
    """A human step of a procedure: who does it, how long it may take, what it asks for."""

    element_id: str
    spec_name: str
    name: str
    kind: str
    roles: tuple[str, ...]
    lane: str | None
    assignee: str | None
    due: str | None
    form: Form | None


@dataclass
class ProcessInfo:
    """What the dialect says about one process: its identity, properties and steps."""

    process_id: str
    name: str
    documentation: str
    properties: dict[str, str] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    executable: bool = True

    @property
    def code(self) -> str:
        """The procedure's code (mã hiệu), or its process id when it has none."""
        return self.properties.get("code") or self.process_id

    @property
    def deadline(self) -> str | None:
        """The statutory total duration (working time unless deadline_kind says calendar)."""
        return self.properties.get("deadline")


def local(el: etree._Element) -> str:
    """The local (namespace-free) tag name of an element."""
    return etree.QName(el).localname


def properties_of(el: etree._Element) -> dict[str, str]:
    """The camunda:properties of an element as a dict."""
    props = el.xpath("./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NSMAP)
    return {p.get("name"): p.get("value") or "" for p in props if p.get("name")}


def split_roles(text: str | None) -> tuple[str, ...]:
    """Split a candidateGroups list into role codes."""
    return tuple(r.strip() for r in (text or "").split(",") if r.strip())


def lane_roles(process: etree._Element) -> dict[str, tuple[str, str]]:
    """Map every flow node id to (role code, lane name) of the innermost lane holding it."""
    found: dict[str, tuple[str, str]] = {}
    # Document order visits outer lanes before inner ones, so inner lanes win.
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        name = (lane.get("name") or lane.get("id") or "").strip()
        role = properties_of(lane).get("role") or name
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NSMAP):
            if ref.text and ref.text.strip():
                found[ref.text.strip()] = (role, name)
    # Steps drawn inside an embedded subprocess belong to the lane the subprocess sits in.
    for sub in process.iter(f"{{{BPMN_NS}}}subProcess", f"{{{BPMN_NS}}}transaction", f"{{{BPMN_NS}}}adHocSubProcess"):
        if (sub_id := sub.get("id", "")) in found:
            for inner in sub.iter():
                if isinstance(inner.tag, str) and (inner_id := inner.get("id")) and inner_id not in found:
                    found[inner_id] = found[sub_id]
    return found


def read_process(process: etree._Element, id_map: dict[str, str]) -> tuple[ProcessInfo, list[Problem]]:
    """Read the dialect metadata of one bpmn:process element."""
    docs = process.xpath("./bpmn:documentation/text()", namespaces=NSMAP)
    info = ProcessInfo(
        process_id=process.get("id", ""),
        name=(process.get("name") or process.get("id") or "").strip(),
        documentation="\n".join(d.strip() for d in docs),
        properties=properties_of(process),
        executable=process.get("isExecutable", "true").lower() != "false",
    )
    lanes = lane_roles(process)
    problems: list[Problem] = []
    for tag in STEP_TAGS:
        for el in process.iter(f"{{{BPMN_NS}}}{tag}"):
            step, found = _read_step(el, lanes, id_map)
            info.steps[step.spec_name] = step
            problems.extend(found)
    return info, problems


def _read_step(el: etree._Element, lanes: dict, id_map: dict[str, str]) -> tuple[Step, list[Problem]]:
    spec_name = el.get("id", "")
    role, lane = lanes.get(spec_name, (None, None))
    roles = split_roles(el.get(_C + "candidateGroups")) or ((role,) if role else ())
    form, problems = read_form(el)
    step = Step(
        element_id=id_map.get(spec_name, spec_name),
        spec_name=spec_name,
        name=(el.get("name") or spec_name).strip(),
        kind=local(el),
        roles=roles,
        lane=lane,
        assignee=(el.get(_C + "assignee") or "").strip() or None,
        due=(el.get(_C + "dueDate") or "").strip() or None,
        form=form,
    )
    return step, problems
