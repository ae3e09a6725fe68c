"""Administration commands: roles, users (list, deactivate, reset a password, import), the log's anchors.

Run at the server's shell, a command acts as the operator (processes.admin.Operator, logged as cli:<login>)
unless --as names an administrator, whose scope is then enforced as on the pages.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from processes import admin, admin_users, anchors, eventlog, staff_import
from processes.adminlog import verify as verify_admin_log
from processes.clock import SystemClock
from processes.db import Database
from processes.errors import InvalidInput
from processes.view_schemas import AdminEventSchema, RoleViewSchema, TokenViewSchema, UserViewSchema

from .output import emit, fail, handled, json_option


def _actor(name: str | None) -> admin.Actor:
    return name if name else admin.Operator(getpass.getuser())


def _as(func: Callable) -> Callable:
    return click.option("--as", "actor", default=None,
                        help="Administrator acting (default: the operator at this shell, unrestricted).")(func)


def admin_commands(main: click.Group, get_db: Callable[[click.Context], Database]) -> None:
    """Attach `role`, the administration `user` commands, `log` and `verify-log` to the main group."""

    @main.group()
    def role() -> None:
        """Manage roles (lanes of procedures name them; users hold them in units)."""

    @role.command("list")
    @click.option("--all", "include_retired", is_flag=True, help="Include retired roles.")
    @json_option
    @click.pass_context
    @handled
    def role_list(ctx: click.Context, include_retired: bool, as_json: bool) -> None:
        """List roles with how many active users hold each."""
        rows = admin.list_roles(get_db(ctx), include_retired)
        emit(as_json, RoleViewSchema(many=True).dump(rows), lambda: "\n".join(
            f"{r.code:<24} {r.kind:<8} {r.holders:>4}  {r.name}{'  (retired)' if r.retired else ''}" for r in rows))

    @role.command("add")
    @click.argument("code")
    @click.argument("name")
    @click.option("--kind", type=click.Choice(["officer", "leader", "admin", "auditor", "quality"]),
                  default="officer", show_default=True)
    @_as
    @json_option
    @click.pass_context
    @handled
    def role_add(ctx: click.Context, code: str, name: str, kind: str, actor: str | None, as_json: bool) -> None:
        """Add a role."""
        admin.add_role(get_db(ctx), _actor(actor), code, name, kind, SystemClock())
        emit(as_json, {"role": code, "name": name, "kind": kind}, f"role {code} added")

    @role.command("rename")
    @click.argument("code")
    @click.argument("name")
    @_as
    @json_option
    @click.pass_context
    @handled
    def role_rename(ctx: click.Context, code: str, name: str, actor: str | None, as_json: bool) -> None:
        """Change a role's name (its code stays)."""
        admin.rename_role(get_db(ctx), _actor(actor), code, name, SystemClock())
        emit(as_json, {"role": code, "name": name}, f"role {code} renamed")

    @role.command("retire")
    @click.argument("code")
    @_as
    @json_option
    @click.pass_context
    @handled
    def role_retire(ctx: click.Context, code: str, actor: str | None, as_json: bool) -> None:
        """Retire a role (refused while a procedure in force or a user uses it)."""
        admin.retire_role(get_db(ctx), _actor(actor), code, SystemClock())
        emit(as_json, {"role": code, "retired": True}, f"role {code} retired")

    user = main.commands["user"]
    assert isinstance(user, click.Group)  # made by cli/org.py, registered before these commands

    @user.command("list")
    @click.option("--active", "only_active", is_flag=True, help="Only active accounts.")
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_list(ctx: click.Context, only_active: bool, actor: str | None, as_json: bool) -> None:
        """List users (within the administrator's scope) with their roles."""
        rows = admin_users.list_users(get_db(ctx), _actor(actor), include_inactive=not only_active)
        emit(as_json, UserViewSchema(many=True).dump(rows), lambda: "\n".join(
            f"{r.username:<20} {'active' if r.active else 'INACTIVE':<8} {r.full_name}  [{', '.join(r.roles)}]"
            + ("  (must change password)" if r.must_change_password else "") for r in rows) or "no users")

    @user.command("deactivate")
    @click.argument("name")
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_deactivate(ctx: click.Context, name: str, actor: str | None, as_json: bool) -> None:
        """Deactivate an account (refused while it holds claimed steps); its sessions end."""
        admin_users.deactivate(get_db(ctx), _actor(actor), name, SystemClock())
        emit(as_json, {"user": name, "active": False}, f"{name} deactivated")

    @user.command("reactivate")
    @click.argument("name")
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_reactivate(ctx: click.Context, name: str, actor: str | None, as_json: bool) -> None:
        """Let a deactivated account log in again."""
        admin_users.reactivate(get_db(ctx), _actor(actor), name, SystemClock())
        emit(as_json, {"user": name, "active": True}, f"{name} reactivated")

    @user.command("reset-password")
    @click.argument("name")
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_reset_password(ctx: click.Context, name: str, actor: str | None, as_json: bool) -> None:
        """Give a user a temporary password (printed once) to change at the next login; their sessions end."""
        password = admin_users.reset_password(get_db(ctx), _actor(actor), name, SystemClock())
        emit(as_json, {"user": name, "temporary_password": password, "must_change_password": True},
             f"temporary password of {name}: {password}\n(to be changed at the next login)")

    @user.command("tokens")
    @click.argument("name", required=False)
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_tokens(ctx: click.Context, name: str | None, actor: str | None, as_json: bool) -> None:
        """List API tokens (of one user, or of every user administered), never their secret."""
        rows = admin_users.tokens_of_user(get_db(ctx), _actor(actor), name)
        now = dt.datetime.now(dt.UTC)
        emit(as_json, TokenViewSchema(many=True).dump(rows), lambda: "\n".join(
            f"{t.id:>5} {t.username:<20} {'live' if t.live(now) else 'revoked' if t.revoked else 'expired':<8} "
            f"until {t.expires_at:%Y-%m-%d}  {t.name}" for t in rows) or "no tokens")

    @user.command("revoke-token")
    @click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_revoke_token(ctx: click.Context, token_id: int, actor: str | None, as_json: bool) -> None:
        """Revoke an API token by its id (quytrinh user tokens)."""
        done = admin_users.revoke_token(get_db(ctx), _actor(actor), token_id, SystemClock())
        emit(as_json, {"token": token_id, "revoked": True, "was_live": done},
             f"token {token_id} revoked" if done else f"token {token_id} was revoked already")

    @user.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--apply", "do_apply", is_flag=True, help="Store it (default: only show what would change).")
    @_as
    @json_option
    @click.pass_context
    @handled
    def user_import(ctx: click.Context, path: str, do_apply: bool, actor: str | None, as_json: bool) -> None:
        """Import staff and their roles from an XLSX or CSV staff list (preview unless --apply)."""
        db, data = get_db(ctx), Path(path).read_bytes()
        if do_apply:
            try:
                done = staff_import.apply(db, _actor(actor), path, data, SystemClock())
            except InvalidInput as exc:
                if exc.code != "import_rows_invalid":
                    raise
                fail(str(exc), 6, list(exc.errors.values()), as_json)
                return
            _print_plan(done, as_json, applied=True)
            return
        _print_plan(staff_import.preview(db, _actor(actor), path, data), as_json, applied=False)

    @main.group("log")
    def log() -> None:
        """The event log's anchors outside the database, and the administration history."""

    @log.command("keygen")
    @click.option("--out", "out", required=True, help="Private key file to write (keep it off the server).")
    @click.option("--public", "public", default=None, help="Public key file (default: OUT.pub).")
    @json_option
    @handled
    def log_keygen(out: str, public: str | None, as_json: bool) -> None:
        """Make an Ed25519 key pair for signing checkpoints."""
        private_pem, public_pem = anchors.generate_key()
        public = public or out + ".pub"
        for target in (out, public):
            if Path(target).exists():
                fail(f"{target} exists; not overwritten", 6, None, as_json)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # readable by its owner only
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_pem)
        Path(public).write_bytes(public_pem)
        key_id = anchors.key_id(anchors.load_public_key(public_pem))
        emit(as_json, {"private_key": out, "public_key": public, "key_id": key_id},
             f"private key {out} (keep it outside the server), public key {public}, key id {key_id}")

    @log.command("anchor")
    @click.option("--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="Ed25519 private key file (quytrinh log keygen).")
    @click.option("--out", "out_dir", required=True, help="Folder the checkpoint file is written to.")
    @json_option
    @click.pass_context
    @handled
    def log_anchor(ctx: click.Context, key_file: str, out_dir: str, as_json: bool) -> None:
        """Sign the current head of every chain (each case and the administration log) into a checkpoint."""
        try:
            key = anchors.load_private_key(Path(key_file).read_bytes())
        except ValueError as exc:
            fail(f"{key_file} is not an Ed25519 private key ({exc})", 6, None, as_json)
            return
        now = dt.datetime.now(dt.UTC)
        data = anchors.anchor(get_db(ctx), key, now, admin.Operator(getpass.getuser()).recorded)
        chains = len(json.loads(data)["checkpoint"]["heads"])
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"checkpoint-{now:%Y%m%dT%H%M%S%fZ}.json"
        target.write_bytes(data)
        emit(as_json, {"file": str(target), "chains": chains}, f"wrote {target} ({chains} chains)")

    @log.command("history")
    @click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
    @_as
    @json_option
    @click.pass_context
    @handled
    def log_history(ctx: click.Context, limit: int, actor: str | None, as_json: bool) -> None:
        """The administration log, newest first."""
        rows = admin.history(get_db(ctx), _actor(actor), limit)
        emit(as_json, AdminEventSchema(many=True).dump(rows), lambda: "\n".join(
            f"{r.seq:>5} {r.at:%Y-%m-%d %H:%M} {r.actor or '-':<16} {r.action:<22} {r.target}" for r in rows)
            or "no administrative action yet")

    @main.command("verify-log")
    @click.option("--anchors", "anchors_dir", default=None, type=click.Path(exists=True, file_okay=False),
                  help="Folder of signed checkpoints (quytrinh log anchor) to check the chains against.")
    @click.option("--public-key", "public_key", default=None, type=click.Path(exists=True, dir_okay=False),
                  help="The Ed25519 public key the checkpoints must be signed with (needed with --anchors).")
    @json_option
    @click.pass_context
    @handled
    def verify_log(ctx: click.Context, anchors_dir: str | None, public_key: str | None, as_json: bool) -> None:
        """Check the hash chains of the event log and the administration log; exit 7 when anything was tampered
        with (with --anchors: also a rewrite before the last checkpoint, the chain recomputed or not)."""
        if anchors_dir and not public_key:
            fail("--anchors needs --public-key (the key the checkpoints were signed with)", 6, None, as_json)
        with get_db(ctx).read() as conn:
            found = eventlog.verify(conn) + verify_admin_log(conn)
            checked = _check_anchors(conn, anchors_dir, public_key, as_json) if anchors_dir and public_key else []
        found += checked
        emit(as_json, [t.__dict__ for t in found], lambda: "\n".join(
            f"{'administration log' if t.case_id == 0 else f'case {t.case_id}'} row {t.seq}: {t.reason}"
            for t in found) or "event log intact" + (" (checked against the checkpoints)" if anchors_dir else ""))
        if found:
            raise SystemExit(7)


def _check_anchors(conn: Any, folder: str, public_key: str, as_json: bool) -> list[Any]:
    try:
        key = anchors.load_public_key(Path(public_key).read_bytes())
    except ValueError as exc:
        fail(f"{public_key} is not an Ed25519 public key ({exc})", 6, None, as_json)
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        fail(f"no checkpoint file in {folder}", 6, None, as_json)
    found = []
    for path in files:
        try:
            checkpoint = anchors.read_checkpoint(path.read_bytes(), key)
        except ValueError as exc:
            found.append(eventlog.Tampering(0, 0, f"checkpoint {path.name}: {exc}"))
            continue
        found.extend(anchors.check(conn, checkpoint))
    return found


def _print_plan(result: staff_import.ImportPlan, as_json: bool, applied: bool) -> None:
    payload = {"applied": applied, "create": result.create, "update": result.update,
               "grant": [{"user": u, "role": r, "unit": n} for u, r, n in result.grant],
               "unchanged": result.unchanged, "problems": [p.text for p in result.problems],
               "temporary_passwords": {c.username: c.temporary_password for c in result.created}}

    def text() -> str:
        head = "imported" if applied else "would import (run again with --apply to store it)"
        lines = [f"{head}: {len(result.create)} new users, {len(result.update)} updated, "
                 f"{len(result.grant)} roles granted, {result.unchanged} already held"]
        lines += [f"  + {u}" for u in result.create]
        lines += [f"  ~ {u}: {', '.join(f'{k}={v}' for k, v in c.items())}" for u, c in result.update.items()]
        lines += [f"  + {u}: {r} @ {n}" for u, r, n in result.grant]
        lines += [f"  {c.username}: temporary password {c.temporary_password}" for c in result.created]
        if result.problems:
            lines += ["Các dòng sai (chưa nhập gì):"] + [f"  - {p.text}" for p in result.problems]
        return "\n".join(lines)

    emit(as_json, payload, text)
    if result.problems:
        raise SystemExit(6)
