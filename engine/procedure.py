"""A compiled procedure: what engine.parsing produces and engine.runner, state and timers run.

It lives below parsing so that the modules that *run* procedures need not import the module that
*compiles* them (parsing imports the timer parser hooks, and timers run the workflow on through
runner: with Procedure in parsing that was a cycle parsing → timers → runner → parsing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from .errors import Problem
from .model import ProcessInfo, Step


@dataclass
class Procedure:
    """A compiled procedure: dialect metadata plus the SpiffWorkflow specs that run it."""

    info: ProcessInfo
    spec: BpmnProcessSpec
    subprocess_specs: dict[str, BpmnProcessSpec]
    sha256: str
    id_map: dict[str, str] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def process_id(self) -> str:
        """The BPMN id of the process that instances start."""
        return self.info.process_id

    @property
    def code(self) -> str:
        """The procedure code (mã hiệu)."""
        return self.info.code

    @property
    def name(self) -> str:
        """The procedure's display name."""
        return self.info.name

    def element_id(self, spec_name: str) -> str:
        """The BPMN element id a SpiffWorkflow task spec was parsed from."""
        return self.id_map.get(spec_name, spec_name)
