"""Which dossiers' results were issued with a valid digital signature (QĐ 766 criterion 6.1, issue 16).

A step marked `sign="result"` cannot complete without a PDF attached at it that carries a valid signature
of its performer (processes/signatures.py checks it in the completion, against the trust configured then).
So a dossier whose `sign="result"` step completed has a signed result; nothing else is taken as proof:
a file uploaded after the answer may or may not be signed, and re-checking every file of a year at report
time would cost a verification per file. The steps are found in each procedure version's own BPMN
(element ids are per version: the same id may sign in one version and not in another).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, false, or_, select

from engine.model import STEP_TAGS, properties_of
from engine.xml import BPMN_NS, load_xml

from .schema import definitions, dossiers, human_tasks, instances

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


def signed_result_cases(conn: Connection, clauses: list[ColumnElement[bool]]) -> Select[Any]:
    """The cases of the dossiers that meet `clauses` whose result-signing step completed, each once.

    Read from the versions that sign (instances by definition), then each case's steps: the state is
    compared as `state || ''` so that SQLite does not walk every completed step of the database instead."""
    steps = result_signing_steps(conn)
    if not steps:
        return select(human_tasks.c.instance_id).where(false())
    return (select(human_tasks.c.instance_id)
            .select_from(instances.join(dossiers, dossiers.c.instance_id == instances.c.id)
                         .join(human_tasks, human_tasks.c.instance_id == instances.c.id))
            .where(*clauses, human_tasks.c.state.concat("") == "completed",
                   or_(*[and_(instances.c.definition_id == d, human_tasks.c.element_id.in_(sorted(ids)))
                         for d, ids in steps.items()]))
            .group_by(human_tasks.c.instance_id))
