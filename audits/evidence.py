"""Evidence an internal audit cites (ISO 19011:2018, 6.4.7: audit evidence is verifiable and within the audit's
scope): a dossier, or one event of its log by number, linked to a checklist answer or a finding.

A dossier is accepted only inside the plan's scope, the population its sample is drawn from: received by the
audited unit's agency, for one of the plan's procedures, within its period. An event must be in that
dossier's log. Each link is kept with what a reader needs later (the dossier code, the event's step and time),
so the page and the documents describe it without reading the log again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from processes import case_logs, organisation, records
from processes.errors import InvalidInput
from processes.keys import VN

from .periods import parse_period


def checked_links(conn: Connection, plan: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check each evidence link against `plan` (an audits.programme.Plan) and describe it; the first wrong one
    is refused."""
    if not items:
        return []
    period = parse_period(plan.period)
    unit = organisation.unit_by_code(conn, plan.unit)
    out = []
    for item in items:
        ref = str(item.get("dossier") or item.get("instance_id") or "").strip()
        row = records.find_dossier(conn, ref) if ref else None
        if row is None:
            raise InvalidInput.of("evidence_dossier_not_found", {"evidence": ref}, ref=ref)
        if row.agency_path != unit.agency_path or row.procedure not in plan.procedures \
                or not period.contains(row.received_at):
            raise InvalidInput.of(
                "evidence_out_of_scope", {"evidence": ref}, dossier=row.code, plan=plan.code,
                agency=_agency_name(conn, unit.agency_path), procedures=", ".join(plan.procedures),
                start=period.start.strftime("%d/%m/%Y"),
                end=(period.end - dt.timedelta(days=1)).strftime("%d/%m/%Y"))
        out.append(_link(conn, row, item.get("seq")))
    return out


def _link(conn: Connection, row: records.DossierRef, seq: Any) -> dict[str, Any]:
    link: dict[str, Any] = {"instance_id": row.instance_id, "dossier": row.code}
    if seq is None or str(seq).strip() == "":
        return link
    number = str(seq).strip()
    ev = case_logs.event_at(conn, row.instance_id, int(number)) if number.isdigit() else None
    if ev is None:
        raise InvalidInput.of("evidence_event_not_found", {"evidence": f"{row.code}:{number}"}, dossier=row.code,
                              seq=number, count=case_logs.event_count(conn, row.instance_id))
    link.update(seq=ev.seq, activity=ev.activity, activity_name=ev.activity_name, lifecycle=ev.lifecycle,
                at=ev.at.isoformat())
    return link


def _agency_name(conn: Connection, agency_path: str) -> str:
    code = agency_path.strip("/").rsplit("/", 1)[-1]
    return str(organisation.unit_by_code(conn, code).name)


def describe(link: dict[str, Any]) -> str:
    """A link in words for the documents: 'H01-…-0001', or with an event
    'H01-…-0001 (sự kiện 3: Thẩm định hồ sơ, 09:14 05/01/2026)'."""
    if not link.get("seq"):
        return str(link["dossier"])
    detail = ", ".join(x for x in (str(link.get("activity_name") or ""), _when(link.get("at"))) if x)
    return f"{link['dossier']} (sự kiện {link['seq']}{': ' + detail if detail else ''})"


def _when(stamp: Any) -> str:
    if not stamp:
        return ""
    try:
        at = dt.datetime.fromisoformat(str(stamp))
    except ValueError:
        return ""
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).astimezone(VN).strftime("%H:%M %d/%m/%Y")
