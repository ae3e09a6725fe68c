"""Design lint against this organisation: engine.lint with the roles and units that exist here."""

from __future__ import annotations

from collections.abc import Collection

from lxml import etree
from sqlalchemy import Connection, select

from engine.findings import ERROR, Finding, finding
from engine.lint import has_errors, lint
from engine.model import ProcessInfo, read_process
from engine.xml import BPMN_NS, NSMAP, load_xml

from .errors import InvalidInput
from .handlers import registered
from .schema import roles, units
from .view_schemas import FindingSchema

__all__ = ["LintFailed", "has_errors", "lint_xml", "main_process", "problems_of"]


class LintFailed(InvalidInput):
    """The model has errors that block this action; `problems` lists every finding."""

    def __init__(self, message: str, findings: Collection[Finding]) -> None:
        super().__init__(message, {f.element_id or "_": f.message for f in findings if f.severity == ERROR})
        self.problems = problems_of(findings)


def lint_xml(conn: Connection, xml: bytes | str, code: str | None = None) -> list[Finding]:
    """Validator problems and design findings of a BPMN text, roles and units checked against the database."""
    known_roles = {r.code for r in conn.execute(select(roles.c.code))}
    known_units = {r.code for r in conn.execute(select(units.c.code))}
    findings = lint(xml, registered(), known_roles, known_units)
    if code is not None:
        info = main_process(xml)
        if info is not None and info.code != code:
            findings.insert(0, finding("code_mismatch", info.process_id, ERROR, found=info.code, expected=code))
    return findings


def problems_of(findings: Collection[Finding]) -> list[dict]:
    """Findings as the API shows them: element_id, message, severity, code, params."""
    return FindingSchema(many=True).dump(findings)


def main_process(xml: bytes | str) -> ProcessInfo | None:
    """The process a file deploys: the executable one no call activity calls (the first if several)."""
    root = load_xml(xml).getroot()
    called = set(root.xpath("//bpmn:callActivity/@calledElement", namespaces=NSMAP))
    candidates: list[etree._Element] = [
        p for p in root.iter(f"{{{BPMN_NS}}}process")
        if p.get("isExecutable", "true").lower() != "false" and p.get("id") not in called]
    if not candidates:
        return None
    info, _ = read_process(candidates[0], {})
    return info
