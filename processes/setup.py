"""Setting a database up: tables, the standard role catalog, and the demo organisation."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select

from . import organisation, schema_upgrade
from .clock import Clock
from .db import Database
from .schema import units, users

# The demo organisation is public sample data; its users share this published password.
DEMO_PASSWORD = "demo1234"  # noqa: S105


def _data(name: str):
    return json.loads(resources.files("processes.data").joinpath(name).read_text(encoding="utf-8"))


def initialise(db: Database, clock: Clock) -> None:
    """Bring the schema to the code's revision (an empty database: every revision) and add the standard roles.

    Safe to run again: an up-to-date database is left as it is, a 0.1.0 one is stamped and upgraded.
    """
    schema_upgrade.upgrade(db)
    for role in _data("roles.json"):
        organisation.add_role(db, role["code"], role["name"], role["kind"])


def load_demo_organisation(db: Database, clock: Clock, password: str = DEMO_PASSWORD) -> int:
    """Load the demo district (units, users, roles) unless it is there; return users created."""
    demo = _data("demo_org.json")
    with db.read() as conn:
        have_units = {r.code for r in conn.execute(select(units.c.code))}
        have_users = {r.username for r in conn.execute(select(users.c.username))}
    for unit in demo["units"]:
        if unit["code"] not in have_units:
            organisation.add_unit(db, unit["code"], unit["name"], unit.get("parent"), unit.get("kind", "department"))
    created = 0
    # Every demo user has the same published password: hash it once, not once per user.
    hashed = organisation.hash_password(password)
    for user in demo["users"]:
        if user["username"] not in have_users:
            organisation.add_user(db, clock, user["username"], None, user["full_name"], password_hash=hashed)
            created += 1
        for role, unit in user["roles"]:
            organisation.grant(db, user["username"], role, unit)
    return created
