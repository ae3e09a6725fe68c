"""Which dossiers' results were issued with a valid digital signature (QĐ 766 criterion 6.1, issue 16).

A step marked `sign="result"` cannot complete without a PDF attached at it that carries a valid signature
of its performer (processes/signatures.py checks it in the completion, against the trust configured then).
So a dossier whose `sign="result"` step completed has a signed result; nothing else is taken as proof:
a file uploaded after the answer may or may not be signed, and re-checking every file of a year at report
time would cost a verification per file. The steps are found in each procedure version's own BPMN
(element ids are per version: the same id may sign in one version and not in another).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, and_, exists, false, or_, select

from engine.model import STEP_TAGS, properties_of
from engine.xml import BPMN_NS, load_xml

from .schema import definitions, human_tasks, instances

_by_sha: dict[str, frozenset[str]] = {}


def result_signing_steps(conn: Connection) -> dict[int, frozenset[str]]:
    """Definition id → ids of its steps that sign the result (only versions that have any)."""
    out: dict[int, frozenset[str]] = {}
    rows = conn.execute(select(definitions.c.id, definitions.c.sha256)).all()
    unknown = [r.id for r in rows if r.sha256 not in _by_sha]
    if unknown:  # each version's XML is read once per process: a version never changes
        for sha, xml in conn.execute(select(definitions.c.sha256, definitions.c.bpmn_xml)
                                     .where(definitions.c.id.in_(unknown))):
            _by_sha[sha] = _signing_steps(xml) if 'name="sign"' in xml else frozenset()
    for r in rows:
        if _by_sha[r.sha256]:
            out[r.id] = _by_sha[r.sha256]
    return out


def _signing_steps(xml: str) -> frozenset[str]:
    root = load_xml(xml).getroot()
    return frozenset(el.get("id", "") for tag in STEP_TAGS for el in root.iter(f"{{{BPMN_NS}}}{tag}")
                     if properties_of(el).get("sign") == "result")


def signed_result_clause(conn: Connection, instance_id: ColumnElement) -> ColumnElement[bool]:
    """A clause true for the case `instance_id` whose result-signing step completed."""
    steps = result_signing_steps(conn)
    if not steps:
        return false()
    return exists().where(
        human_tasks.c.instance_id == instance_id, human_tasks.c.state == "completed",
        instances.c.id == human_tasks.c.instance_id,
        or_(*[and_(instances.c.definition_id == d, human_tasks.c.element_id.in_(sorted(ids)))
              for d, ids in steps.items()]))
