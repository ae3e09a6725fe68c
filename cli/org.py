"""Organisation and server commands: users, units, the demo organisation, serving the web app."""

from __future__ import annotations

import getpass
from collections.abc import Callable

import click

from processes import admin, admin_users, organisation
from processes.clock import SystemClock
from processes.db import Database
from processes.setup import initialise, load_demo_organisation

from .output import emit, handled, json_option


def org_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach the organisation and server commands to the main group."""

    @main.group()
    def user() -> None:
        """Manage users."""

    @user.command("add")
    @click.argument("name")
    @click.option("--password", required=True)
    @click.option("--role", "roles", multiple=True, required=True, help="Role code (repeatable).")
    @click.option("--unit", default=None, help="Unit code (default: the top unit).")
    @click.option("--full-name", default="")
    @json_option
    @click.pass_context
    @handled
    def user_add(ctx, name, password, roles, unit, full_name, as_json):
        """Create a user holding ROLE in UNIT."""
        db = get_db(ctx)
        unit = unit or _top_unit(db)
        # Through the administration use cases, so that the account and its roles are in the administration log.
        admin_users.create_user(db, _operator(), name, full_name or name, SystemClock(), password=password)
        for role in roles:
            admin.grant(db, _operator(), name, role, unit, SystemClock())
        emit(as_json, {"user": name, "roles": list(roles), "unit": unit}, f"user {name}: {', '.join(roles)} @ {unit}")

    @user.command("grant")
    @click.argument("name")
    @click.option("--role", required=True)
    @click.option("--unit", required=True)
    @json_option
    @click.pass_context
    @handled
    def user_grant(ctx, name, role, unit, as_json):
        """Give an existing user a role in a unit."""
        admin.grant(get_db(ctx), _operator(), name, role, unit, SystemClock())
        emit(as_json, {"user": name, "role": role, "unit": unit}, f"{name}: + {role} @ {unit}")

    @user.command("revoke")
    @click.argument("name")
    @click.option("--role", required=True)
    @click.option("--unit", required=True)
    @json_option
    @click.pass_context
    @handled
    def user_revoke(ctx, name, role, unit, as_json):
        """Take a role in a unit away from a user (refused while they hold open steps needing it)."""
        admin.revoke(get_db(ctx), _operator(), name, role, unit, SystemClock())
        emit(as_json, {"user": name, "role": role, "unit": unit, "revoked": True}, f"{name}: - {role} @ {unit}")

    @user.command("token")
    @click.argument("name")
    @click.option("--label", default="", help="What the token is for.")
    @json_option
    @click.pass_context
    @handled
    def user_token(ctx, name, label, as_json):
        """Issue an API token for a user (shown once; only its hash is stored)."""
        token = admin_users.issue_token_for(get_db(ctx), _operator(), name, SystemClock(), label)
        emit(as_json, {"user": name, "token": token}, token)

    @main.group()
    def unit() -> None:
        """Manage units."""

    @unit.command("add")
    @click.argument("code")
    @click.argument("name")
    @click.option("--parent", default=None)
    @click.option("--kind", type=click.Choice(["agency", "department"]), default="department")
    @json_option
    @click.pass_context
    @handled
    def unit_add(ctx, code, name, parent, kind, as_json):
        """Create a unit (an agency, or a department inside one)."""
        organisation.add_unit(get_db(ctx), code, name, parent, kind)
        emit(as_json, {"unit": code}, f"unit {code} created")

    @main.command("demo-org")
    @json_option
    @click.pass_context
    @handled
    def demo_org(ctx, as_json):
        """Load the demo district organisation (password of every demo user: demo1234) and give its leaders
        demo signing keys (a demo CA trusted by this installation; each key opens with demo1234)."""
        from demo.signing_keys import ensure_keys

        db = get_db(ctx)
        initialise(db, SystemClock())
        created = load_demo_organisation(db, SystemClock())
        keys = ensure_keys(db)
        emit(as_json, {"users_created": created, "signing_keys_made": list(keys.made)},
             f"demo organisation loaded ({created} new users; demo signing keys made for {len(keys.made)} leaders)")


def _operator() -> admin.Operator:
    return admin.Operator(getpass.getuser())


def _top_unit(db: Database) -> str:
    from sqlalchemy import select

    from processes.schema import units

    with db.read() as conn:
        row = conn.execute(select(units.c.code).where(units.c.parent_id.is_(None)).order_by(units.c.id)).first()
    if row is None:
        organisation.add_unit(db, "ROOT", "Cơ quan", None, "agency")
        return "ROOT"
    return row.code
