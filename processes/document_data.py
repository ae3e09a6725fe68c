"""Gathering a dossier's document data from the database (instances, tasks, events, dossiers).

The renderer (top-level `documents`) only takes plain data; this reading stays here, beside the tables.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Connection, Table, inspect, select

from documents.data import DocumentItem, DossierData, StepRecord
from engine.model import lane_roles
from engine.xml import BPMN_NS, load_xml

from . import agency_settings, schema
from .citizen_scope import internal_codes
from .db import Database
from .notifications import holders
from .workspace_schema import receptions

# Form field ids the procedures in bpmn/ use for the applicant, and the data keys a caller may use.
_KEYS = {
    "applicant_name": ("ten_nguoi_nop", "ho_ten", "applicant_name"),
    "applicant_id": ("so_giay_to", "so_dinh_danh", "so_cccd", "applicant_id"),
    "applicant_address": ("dia_chi", "applicant_address"),
    "applicant_phone": ("so_dien_thoai", "applicant_phone"),
    "applicant_email": ("email", "thu_dien_tu", "applicant_email"),
    "channel": ("kenh_nop", "channel"),
}
_REASON_KEYS = ("noi_dung_bo_sung", "ly_do", "ly_do_tu_choi", "reason")


def _table(conn: Connection, name: str) -> Table | None:
    """A table of processes.schema when it exists in this database (newer tables may not)."""
    table = getattr(schema, name, None)
    if table is None or not inspect(conn).has_table(table.name):
        return None
    return table


def _get(row: Any, key: str) -> Any:
    return row._mapping.get(key) if row is not None else None


def _lane_names(bpmn_xml: str, process_id: str) -> dict[str, str]:
    try:
        tree = load_xml(bpmn_xml)
    except Exception:  # noqa: BLE001 - a stored model that no longer parses just loses lane names
        return {}
    for process in tree.getroot().iter(f"{{{BPMN_NS}}}process"):
        if process.get("id") == process_id:
            return {node: lane for node, (_role, lane) in lane_roles(process).items()}
    return {}


def _merged_data(history: list[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for ev in history:
        payload = json.loads(ev.payload or "{}")
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        merged.update({k: v for k, v in data.items() if v not in (None, "")})
    return merged


def _first(data: dict[str, Any], keys: tuple[str, ...]) -> str:
    for key in keys:
        if isinstance(data.get(key), str | int) and str(data[key]).strip():
            return str(data[key]).strip()
    return ""


def _documents(data: dict[str, Any]) -> list[DocumentItem]:
    raw = data.get("documents") or data.get("thanh_phan_ho_so") or []
    items = []
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, dict) and item.get("name"):
            items.append(DocumentItem(str(item["name"]), str(item.get("kind", "original")),
                                      int(item.get("sets", 1) or 1)))
    return items


def build_dossier_document_data(db: Database, instance_id: int) -> DossierData:
    """Everything the statutory forms need about one case, read from what the database holds."""
    with db.read() as conn:
        return dossier_data(conn, instance_id)


def dossier_data(conn: Connection, instance_id: int) -> DossierData:
    """The same as build_dossier_document_data, inside an open transaction."""
    inst, defs, units, users = schema.instances, schema.definitions, schema.units, schema.users
    row = conn.execute(select(inst, defs.c.name.label("procedure_name"), defs.c.code.label("procedure_code"),
                              defs.c.process_id, defs.c.bpmn_xml, defs.c.properties)
                       .join(defs, defs.c.id == inst.c.definition_id).where(inst.c.id == instance_id)).first()
    if row is None:
        raise LookupError(f"no instance {instance_id}")
    unit = conn.execute(select(units).where(units.c.id == row.unit_id)).one()  # a case always has its unit
    parent = conn.execute(select(units).where(units.c.id == unit.parent_id)).first() if unit.parent_id else None
    names = {u.username: u.full_name for u in conn.execute(select(users.c.username, users.c.full_name))}
    history = list(conn.execute(select(schema.events).where(schema.events.c.case_id == instance_id)
                                .order_by(schema.events.c.seq)))
    data = _merged_data(history)
    props = json.loads(row.properties or "{}")
    lanes = _lane_names(row.bpmn_xml, row.process_id)
    dossier = DossierData(
        code=row.business_key, procedure_name=row.procedure_name, procedure_code=row.procedure_code,
        agency=unit.name, parent_agency=parent.name if parent is not None else "",
        deadline=props.get("deadline", "") or "", received_at=row.created_at,
        officer_name=names.get(row.started_by, row.started_by), status=row.status,
        documents=_documents(data), extra={"events": len(history)},
    )
    for field, keys in _KEYS.items():
        if value := _first(data, keys):
            setattr(dossier, field, value)
    dossier.steps = _steps(conn, instance_id, lanes, names, unit.agency_path)
    settings = agency_settings.settings_of(conn, row.unit_id)  # issue 13: the place and number were blank
    dossier.place = settings.place
    dossier.extra["receipt_number"] = agency_settings.receipt_number(conn, instance_id, settings.receipt_suffix)
    if not dossier.documents:  # the counter's checklist: the tracking book's "Số lượng hồ sơ" needs it
        dossier.documents = _counter_documents(conn, instance_id)
    if dossier.steps:
        dossier.handling_unit = next((s.role for s in dossier.steps[1:2]), dossier.steps[0].role)
    dossier.reasons = [line.strip() for key in _REASON_KEYS for line in str(data.get(key, "")).splitlines()
                       if line.strip()]
    _from_events(dossier, history)
    _from_dossier_row(conn, dossier, instance_id)
    return dossier


def _counter_documents(conn: Connection, instance_id: int) -> list[DocumentItem]:
    raw = conn.execute(select(receptions.c.documents).where(receptions.c.instance_id == instance_id)).scalar()
    try:
        return _documents({"documents": json.loads(raw or "[]")})
    except ValueError:
        return []


def _unit_name(conn: Connection, t: Any, agency_path: str, who: str) -> str | None:
    """The unit (department, one-stop counter…) that handled a step: where its officer holds one of its roles,
    else where its role holders work — the books name a unit, not the BPMN lane (issue 13)."""
    found = holders(conn, t.roles or "", agency_path, who or None)
    unit_ids = sorted({h.unit_id for h in found})
    if not unit_ids:
        return None
    return conn.execute(select(schema.units.c.name).where(schema.units.c.id == unit_ids[0])).scalar()


def _steps(conn: Connection, instance_id: int, lanes: dict[str, str], names: dict[str, str],
           agency_path: str = "") -> list[StepRecord]:
    tasks = schema.human_tasks
    rows = conn.execute(select(tasks).where(tasks.c.instance_id == instance_id, tasks.c.state != "cancelled")
                        .order_by(tasks.c.created_at, tasks.c.id))
    steps = []
    for t in rows:
        who = t.completed_by or t.assignee or ""
        steps.append(StepRecord(
            name=t.name, role=_unit_name(conn, t, agency_path, who) or lanes.get(t.element_id, t.roles),
            officer=names.get(who, who),
            received_at=t.created_at, handed_over_at=t.completed_at, due_at=_get(t, "due_at"),
            result=_get(t, "result"),
        ))
    return steps


def _instant(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _from_events(dossier: DossierData, history: list[Any]) -> None:
    for ev in history:
        payload = json.loads(ev.payload or "{}")
        if ev.lifecycle == "sla_due_set" and _instant(payload.get("appointment_at")):
            dossier.appointment_at = _instant(payload["appointment_at"])
        elif ev.lifecycle == "sla_extended" and _instant(payload.get("to")):
            dossier.new_appointment_at = _instant(payload["to"])
        elif ev.lifecycle == "case_cancel" and payload.get("reason"):
            dossier.reasons = [*dossier.reasons, str(payload["reason"])]
        elif ev.lifecycle == "dossier_status" and payload.get("label"):
            dossier.status = str(payload["label"])


def _from_dossier_row(conn: Connection, dossier: DossierData, instance_id: int) -> None:
    table = _table(conn, "dossiers")
    if table is None:
        return
    row = conn.execute(select(table).where(table.c.instance_id == instance_id)).first()
    if row is None:
        return
    dossier.code = _get(row, "code") or dossier.code
    dossier.applicant_name = _get(row, "applicant_name") or dossier.applicant_name
    dossier.applicant_id = _get(row, "applicant_id_number") or dossier.applicant_id
    dossier.channel = _get(row, "channel") or dossier.channel
    dossier.received_at = _get(row, "received_at") or dossier.received_at
    dossier.deadline = _get(row, "deadline") or dossier.deadline
    original = _get(row, "original_appointment_at")
    current = _get(row, "appointment_at")
    dossier.appointment_at = original or current or dossier.appointment_at
    if original and current and current != original:
        dossier.new_appointment_at = current
    dossier.done_at = _get(row, "done_at")
    dossier.returned_at = _get(row, "returned_at")
    dossier.result = _get(row, "result")
    apologies = _table(conn, "apologies")
    if apologies is not None and _get(row, "id") is not None:
        last = conn.execute(select(apologies).where(apologies.c.dossier_id == row.id)
                            .order_by(apologies.c.requested_at.desc())).first()
        if last is not None:
            dossier.apology_reason = _get(last, "reason") or ""
            dossier.new_appointment_at = _get(last, "new_appointment_at") or _get(last, "proposed_at") \
                or dossier.new_appointment_at


def tracking_book_data(db: Database, start: dt.date, end: dt.date, unit_id: int | None = None) -> list[DossierData]:
    """The dossiers received from `start` to `end` (Vietnam dates), for the tracking book."""
    low = dt.datetime.combine(start, dt.time.min, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    inst = schema.instances
    query = select(inst.c.id).where(inst.c.created_at >= low.astimezone(dt.UTC),
                                    inst.c.created_at < high.astimezone(dt.UTC)).order_by(inst.c.created_at)
    if unit_id is not None:
        query = query.where(inst.c.unit_id == unit_id)
    with db.read() as conn:
        # Mẫu 07 records citizens' dossiers: internal cases (approvals, CAPA) are not in it (issue 13)
        internal = internal_codes(conn)
        if internal:
            query = query.where(inst.c.definition_id.notin_(
                select(schema.definitions.c.id).where(schema.definitions.c.code.in_(sorted(internal)))))
        ids = [r.id for r in conn.execute(query)]
        return [dossier_data(conn, i) for i in ids]
