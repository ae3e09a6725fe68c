"""`quytrinh db`: schema migrations (upgrade, current, history, downgrade) and the check of stored case states."""

from __future__ import annotations

from collections.abc import Callable

import click

from processes import schema_upgrade, state_check
from processes.db import Database
from processes.schema_guard import head, known_revisions

from .output import emit, handled, json_option


def _unchecked(ctx: click.Context) -> Database:
    # `db current` and `db history` must also say where a database upgraded by a newer release stands.
    return Database(ctx.obj["url"], check_schema=False)


def db_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the `db` group to the main group."""

    @main.group("db")
    def db_group() -> None:
        """Schema migrations and stored-state checks of the database."""

    @db_group.command("upgrade")
    @click.argument("revision", default="head")
    @json_option
    @click.pass_context
    @handled
    def upgrade(ctx: click.Context, revision: str, as_json: bool) -> None:
        """Upgrade the schema to REVISION (default: head); run it again to finish an interrupted upgrade."""
        done = schema_upgrade.upgrade(get_db(ctx), revision)
        lines = [f"stamped a 0.1.0 database at {schema_upgrade.BASELINE}"] if done.stamped_baseline else []
        lines += [f"applied {r}" for r in done.applied]
        lines.append(f"database at {done.after}" + ("" if done.applied else " (nothing to do)"))
        emit(as_json, {"before": done.before, "after": done.after, "stamped_baseline": done.stamped_baseline,
                       "applied": done.applied}, "\n".join(lines))

    @db_group.command("current")
    @json_option
    @click.pass_context
    @handled
    def current(ctx: click.Context, as_json: bool) -> None:
        """The revision the database is at and the one this code needs (exit 5 when a newer release upgraded it)."""
        at, top = schema_upgrade.current(_unchecked(ctx)), head()
        newer = at is not None and at not in known_revisions()
        emit(as_json, {"revision": at, "head": top, "up_to_date": at == top, "newer_than_code": newer},
             f"database at {at or 'no revision (empty, or made by 0.1.0)'}; code at {top}"
             + ("; a newer release upgraded it: run that release, or restore the backup made before the upgrade"
                if newer else "" if at == top else "; run `quytrinh db upgrade`"))
        if newer:
            raise SystemExit(5)

    @db_group.command("history")
    @json_option
    @click.pass_context
    @handled
    def history(ctx: click.Context, as_json: bool) -> None:
        """Every revision, oldest first: applied or not, and whether it can be downgraded."""
        rows = schema_upgrade.history(_unchecked(ctx))
        emit(as_json, [r.__dict__ for r in rows], lambda: "\n".join(
            f"{'*' if r.applied else ' '} {r.revision:<16} {'(current) ' if r.current else ''}"
            f"{'downgradable' if r.safe_downgrade else 'not downgradable'}  {r.message}" for r in rows))

    @db_group.command("downgrade")
    @click.argument("revision")
    @json_option
    @click.pass_context
    @handled
    def downgrade(ctx: click.Context, revision: str, as_json: bool) -> None:
        """Undo the revisions above REVISION; refused when one of them cannot be undone without losing data.

        Only revisions marked safe_downgrade can be undone (see `db history`): the baseline never can.
        To go back further, restore the backup made before the upgrade.
        """
        undone = schema_upgrade.downgrade(get_db(ctx), revision)
        emit(as_json, {"undone": undone, "revision": revision},
             "\n".join([f"undid {r}" for r in undone] + [f"database at {revision}"]))

    @db_group.command("revision")
    @click.argument("message")
    @click.option("--id", "rev_id", required=True, help="The revision id, also the file name (e.g. add_ratings_note).")
    @json_option
    @click.pass_context
    @handled
    def revision(ctx: click.Context, message: str, rev_id: str, as_json: bool) -> None:
        """For developers: write the next revision from the difference between head and the tables in code.

        Run it on an empty database upgraded to head (--database sqlite:///scratch.sqlite, then `db upgrade`).
        """
        path = schema_upgrade.new_revision(get_db(ctx), message, rev_id)
        emit(as_json, {"revision": rev_id, "file": str(path)}, f"wrote {path}; read it before committing it")

    @db_group.command("check-states")
    @json_option
    @click.pass_context
    @handled
    def check_states(ctx: click.Context, as_json: bool) -> None:
        """List running cases whose stored workflow state this release cannot read; exit 8 when any."""
        found = state_check.unreadable_cases(get_db(ctx))
        emit(as_json, [c.__dict__ for c in found], lambda: "\n".join(
            f"{c.business_key} (case {c.instance_id}, {c.procedure}): state version {c.version}: {c.reason}"
            for c in found) or "every running case's state can be read")
        if found:
            raise SystemExit(8)
