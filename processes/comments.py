"""Comments on a dossier by the officers working it; each is also an event in the case's log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select

from engine.field_errors import FieldError

from . import dossiers
from .case_chain import check_may_write
from .clock import Clock
from .db import Database
from .errors import InvalidInput
from .eventlog import Event
from .inserted import inserted_id
from .schema import definitions, instances
from .workspace_schema import comments

MAX_LENGTH = 2000


@dataclass(frozen=True)
class Comment:
    """One comment."""

    id: int
    instance_id: int
    task_uuid: str | None
    author: str
    text: str
    created_at: dt.datetime


def add(db: Database, instance_id: int, text: str, actor: str, clock: Clock, task_uuid: str | None = None) -> Comment:
    """Add a comment to a case the actor may see."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput.of("comment_empty", {"text": "required"})
    if len(text) > MAX_LENGTH:
        raise InvalidInput.of("comment_too_long", {"text": FieldError("too_long", max=MAX_LENGTH)})
    now = clock.now()
    with db.write() as conn:
        check_may_write(conn, actor, instance_id, now)  # reading is not enough: a place in the case's chain
        case = dossiers.lock_case(conn, instance_id)
        new_id = inserted_id(conn.execute(insert(comments).values(
            instance_id=instance_id, task_uuid=task_uuid, author=actor, text=text, created_at=now)))
        process = conn.execute(select(definitions.c.process_id, definitions.c.name)
                               .join(instances, instances.c.definition_id == definitions.c.id)
                               .where(instances.c.id == instance_id)).one()
        dossiers.log_events(conn, case, [Event(process.process_id, "comment_added", now, actor, process.name,
                                               {"comment": new_id, "task": task_uuid, "text": text})])
    return Comment(new_id, instance_id, task_uuid, actor, text, now)


def of_case(db: Database, instance_id: int) -> list[Comment]:
    """A case's comments, oldest first."""
    with db.read() as conn:
        rows = conn.execute(select(comments).where(comments.c.instance_id == instance_id).order_by(comments.c.id))
        return [Comment(r.id, r.instance_id, r.task_uuid, r.author, r.text, r.created_at) for r in rows]
