"""Administration (issue 12): roles, users, memberships within an administrator's scope, the administration log."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update

from processes import admin, admin_users, adminlog, organisation, sessions, tasks, tokens
from processes.admin_schema import admin_events, login_attempts
from processes.errors import ConflictError, InvalidInput, NotFound, PermissionDenied

from .conftest import RECEIVE, dump_all, single_task, start_case, work
from .test_concurrency import race


@pytest.fixture
def commune_admin(org, clock):
    """qt.xa administers the commune X01 only."""
    admin_users.create_user(org, "admin", "qt.xa", "Quản trị xã", clock)
    admin.grant(org, "admin", "qt.xa", "quan_tri", "X01", clock)
    return "qt.xa"


def _log(db) -> list[tuple[str | None, str, str]]:
    with db.read() as conn:
        return [(e.actor, e.action, e.target) for e in reversed(adminlog.history(conn, 1000))]


def _refused(db, error, action, match=None) -> None:
    before = dump_all(db)
    with pytest.raises(error, match=match):
        action()
    assert dump_all(db) == before


def test_roles_are_added_renamed_and_retired_by_an_administrator_and_logged(org, clock):
    admin.add_role(org, "admin", "can_bo_dat_dai", "Công chức địa chính", "officer", clock)
    admin.rename_role(org, "admin", "can_bo_dat_dai", "Công chức Địa chính – Xây dựng", clock)
    role = next(r for r in admin.list_roles(org) if r.code == "can_bo_dat_dai")
    assert (role.name, role.kind, role.holders, role.retired) == ("Công chức Địa chính – Xây dựng", "officer", 0, False)
    admin.retire_role(org, "admin", "can_bo_dat_dai", clock)
    assert "can_bo_dat_dai" not in {r.code for r in admin.list_roles(org)}
    assert "can_bo_dat_dai" not in {r["code"] for r in organisation.role_directory(org)}
    _refused(org, ConflictError, lambda: admin.grant(org, "admin", "motcua", "can_bo_dat_dai", "H01.MC", clock),
             "retired")
    _refused(org, ConflictError, lambda: admin.add_role(org, "admin", "mot_cua", "x", "officer", clock), "exists")
    assert _log(org) == [("admin", "role.add", "can_bo_dat_dai"), ("admin", "role.rename", "can_bo_dat_dai"),
                         ("admin", "role.retire", "can_bo_dat_dai")]


def test_a_role_is_not_retired_while_a_procedure_in_force_or_a_holder_uses_it(proc, clock):
    # chuyen_vien_ktht names a lane of the deployed test procedure and is held by cv.ktht
    _refused(proc, ConflictError, lambda: admin.retire_role(proc, "admin", "chuyen_vien_ktht", clock),
             r"procedures in force \(QT-TEST-01\)")
    _refused(proc, ConflictError, lambda: admin.retire_role(proc, "admin", "van_thu", clock),
             r"still held by 1 users \(vanthu\)")


def test_only_an_administrator_of_the_whole_organisation_changes_roles(org, clock, commune_admin):
    _refused(org, PermissionDenied, lambda: admin.add_role(org, "motcua", "r1", "R", "officer", clock),
             "not an administrator")
    _refused(org, PermissionDenied, lambda: admin.add_role(org, commune_admin, "r1", "R", "officer", clock),
             "roles are shared")


def test_an_agency_administrator_acts_only_on_its_units_and_their_users(org, clock, commune_admin):
    _refused(org, PermissionDenied, lambda: admin_users.reset_password(org, commune_admin, "motcua", clock))
    _refused(org, PermissionDenied, lambda: admin.grant(org, commune_admin, "xa.ct", "mot_cua", "H01.MC", clock))
    _refused(org, PermissionDenied, lambda: admin_users.deactivate(org, commune_admin, "admin", clock))
    assert admin.grant(org, commune_admin, "xa.ct", "mot_cua", "X01.MC", clock) is True
    admin_users.edit_user(org, commune_admin, "xa.ct", clock, phone="0912 345 678")
    listed = {u.username for u in admin_users.list_users(org, commune_admin)}
    assert {"xa.ct", "xa.motcua", "xa.tphc", "qt.xa"} <= listed and not listed & {"motcua", "admin", "pct"}
    # the district administrator sees the commune's actions; the commune's sees none of the district's
    assert [e.action for e in admin.history(org, commune_admin)] == ["user.edit", "membership.grant",
                                                                     "membership.grant"]
    assert len(admin.history(org, "admin")) == 4  # + the creation of qt.xa (no unit yet)


def test_a_user_is_created_edited_deactivated_and_reactivated(org, clock):
    created = admin_users.create_user(org, "admin", "nv.moi", "Nguyễn Văn Mới", clock, email="moi@anphu.gov.vn")
    assert len(created.temporary_password) == 14
    assert organisation.authenticate(org, "nv.moi", created.temporary_password)
    assert admin_users.must_change_password(org, "nv.moi")
    assert admin_users.edit_user(org, "admin", "nv.moi", clock, full_name="Nguyễn Văn Mới", phone="0243 111 222")
    assert not admin_users.edit_user(org, "admin", "nv.moi", clock, full_name="Nguyễn Văn Mới")  # nothing changed
    _refused(org, InvalidInput, lambda: admin_users.edit_user(org, "admin", "nv.moi", clock, email="không-phải"))
    _refused(org, ConflictError, lambda: admin_users.create_user(org, "admin", "nv.moi", "X", clock), "exists")
    token = sessions.open_session(org, "nv.moi", clock.now())
    admin_users.deactivate(org, "admin", "nv.moi", clock)
    assert sessions.user_of(org, token, clock.now()) is None
    assert not organisation.authenticate(org, "nv.moi", created.temporary_password)
    _refused(org, ConflictError, lambda: admin_users.deactivate(org, "admin", "nv.moi", clock), "already")
    admin_users.reactivate(org, "admin", "nv.moi", clock)
    assert organisation.authenticate(org, "nv.moi", created.temporary_password)
    assert [a for _, a, _ in _log(org)] == ["user.create", "user.edit", "user.deactivate", "user.reactivate"]


def test_deactivation_is_refused_while_the_user_holds_claimed_steps(proc, clock):
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    task = single_task(proc, "cv.ktht", moved.instance_id)
    tasks.claim(proc, task.id, "cv.ktht", clock)
    _refused(proc, ConflictError, lambda: admin_users.deactivate(proc, "admin", "cv.ktht", clock),
             r"claimed steps in 1 cases \(H01-")
    tasks.unclaim(proc, task.id, "cv.ktht", clock)
    admin_users.deactivate(proc, "admin", "cv.ktht", clock)


def test_a_reset_forces_a_change_and_the_own_change_follows_the_policy(org, clock):
    token = sessions.open_session(org, "motcua", clock.now())
    temporary = admin_users.reset_password(org, "admin", "motcua", clock)
    assert sessions.user_of(org, token, clock.now()) is None
    assert admin_users.must_change_password(org, "motcua") and not organisation.authenticate(org, "motcua", "demo1234")
    for bad, code in (("ngắn", "password_too_short"), ("MotCua", "password_too_short"),
                      ("motcua", "password_too_short"), ("matkhau123", "password_too_common"),
                      ("Password123", "password_too_common")):
        with pytest.raises(InvalidInput) as refused:
            admin_users.change_own_password(org, "motcua", temporary, bad, clock)
        assert refused.value.code == code
    admin_users.create_user(org, "admin", "nguyenvanan", "Nguyễn Văn An", clock)
    with pytest.raises(InvalidInput) as same:
        admin_users.change_own_password(org, "nguyenvanan", "x", "NguyenVanAn", clock)
    assert same.value.code == "password_wrong"
    with pytest.raises(InvalidInput, match="wrong"):
        admin_users.change_own_password(org, "motcua", "demo1234", "một mật khẩu dài", clock)
    second = sessions.open_session(org, "motcua", clock.now())
    admin_users.change_own_password(org, "motcua", temporary, "một mật khẩu dài", clock)
    assert sessions.user_of(org, second, clock.now()) is None
    assert not admin_users.must_change_password(org, "motcua")
    assert organisation.authenticate(org, "motcua", "một mật khẩu dài")
    assert ("motcua", "user.change_password", "motcua") in _log(org)


def test_the_password_may_not_be_the_username(org, clock):
    admin_users.create_user(org, "admin", "nguyenvanan", "Nguyễn Văn An", clock)
    temporary = admin_users.reset_password(org, "admin", "nguyenvanan", clock)
    with pytest.raises(InvalidInput) as refused:
        admin_users.change_own_password(org, "nguyenvanan", temporary, "NguyenVanAn", clock)
    assert refused.value.code == "password_is_username"


def test_memberships_are_granted_and_revoked_with_the_old_refusals_and_logged(proc, clock):
    assert admin.grant(proc, "admin", "motcua2", "van_thu", "H01.VP", clock) is True
    assert admin.grant(proc, "admin", "motcua2", "van_thu", "H01.VP", clock) is False  # nothing new, nothing logged
    admin.revoke(proc, "admin", "motcua2", "van_thu", "H01.VP", clock)
    _refused(proc, NotFound, lambda: admin.revoke(proc, "admin", "motcua2", "van_thu", "H01.VP", clock))
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    tasks.claim(proc, single_task(proc, "cv.ktht", moved.instance_id).id, "cv.ktht", clock)
    _refused(proc, ConflictError, lambda: admin.revoke(proc, "admin", "cv.ktht", "chuyen_vien_ktht", "H01.KTHT",
                                                       clock), "release or reassign")
    assert _log(proc) == [("admin", "membership.grant", "motcua2"), ("admin", "membership.revoke", "motcua2")]


def test_tokens_expire_are_listed_and_revoked_by_their_owner_or_an_administrator(org, clock):
    mine = tokens.issue_token(org, "motcua", clock, "máy quét")
    other = admin_users.issue_token_for(org, "admin", "cv.ktht", clock, "tích hợp", days=5)
    assert tokens.user_for_token(org, mine, clock) == "motcua"
    listed = tokens.list_tokens(org, "motcua")
    assert [(t.name, t.expires_at - t.created_at) for t in listed] == [("máy quét", dt.timedelta(days=90))]
    later = type(clock)(clock.now() + dt.timedelta(days=6))
    assert tokens.user_for_token(org, other, later) is None and tokens.user_for_token(org, mine, later) == "motcua"
    assert tokens.user_for_token(org, mine, type(clock)(clock.now() + dt.timedelta(days=91))) is None
    other_id = tokens.list_tokens(org, "cv.ktht")[0].id
    _refused(org, NotFound, lambda: tokens.revoke_own_token(org, "motcua", other_id, clock))
    assert tokens.revoke_own_token(org, "motcua", listed[0].id, clock) is True
    assert tokens.user_for_token(org, mine, clock) is None
    assert admin_users.revoke_token(org, "admin", other_id, clock) is True
    assert admin_users.revoke_token(org, "admin", other_id, clock) is False
    assert [(a, x, t) for a, x, t in _log(org)] == [
        ("motcua", "token.issue", "motcua"), ("admin", "token.issue", "cv.ktht"), ("motcua", "token.revoke", "motcua"),
        ("admin", "token.revoke", "cv.ktht")]


def test_the_administration_log_is_a_hash_chain_that_shows_an_edited_or_deleted_row(org, clock):
    admin.add_role(org, "admin", "r_one", "Một", "officer", clock)
    admin.add_role(org, "admin", "r_two", "Hai", "officer", clock)
    with org.read() as conn:
        assert adminlog.verify(conn) == []
    with org.write() as conn:
        conn.execute(update(admin_events).where(admin_events.c.seq == 1).values(actor="someone.else"))
    with org.read() as conn:
        assert [(t.seq, "edited" in t.reason) for t in adminlog.verify(conn)] == [(1, True)]


def test_an_unknown_username_costs_one_password_hash_like_a_known_one_and_every_attempt_is_recorded(
        org, clock, monkeypatch):
    calls = []
    real = organisation.hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    organisation.authenticate(org, "nobody", "x")  # the dummy hash is made once, before counting
    monkeypatch.setattr(organisation.hashlib, "scrypt", counting)
    for username, password, expected in (("motcua", "demo1234", True), ("motcua", "wrong", False),
                                         ("nobody", "demo1234", False)):
        calls.clear()
        assert organisation.authenticate(org, username, password, clock, "10.0.0.7") is expected
        assert len(calls) == 1, username
    with org.read() as conn:
        rows = [(r.username, r.success, r.source) for r in conn.execute(
            login_attempts.select().order_by(login_attempts.c.id))][1:]
    assert rows == [("motcua", True, "10.0.0.7"), ("motcua", False, "10.0.0.7"), ("nobody", False, "10.0.0.7")]


def test_an_agency_administrator_sees_the_token_actions_on_its_users_and_what_it_did_itself(org, clock,
                                                                                          commune_admin):
    admin_users.create_user(org, commune_admin, "xa.moi", "Người mới ở xã", clock)  # no role yet: no unit
    admin_users.issue_token_for(org, "admin", "xa.ct", clock, "ứng dụng")
    admin_users.issue_token_for(org, "admin", "motcua", clock, "máy quét")
    seen = [(e.action, e.target) for e in admin.history(org, commune_admin)]
    assert seen == [("token.issue", "xa.ct"), ("user.create", "xa.moi"), ("membership.grant", "qt.xa")]
    assert [t.username for t in admin_users.tokens_of_user(org, commune_admin)] == ["xa.ct"]


def test_administrators_acting_at_once_each_get_one_row_of_one_unbroken_chain(org, clock):
    results = race(6, lambda i: admin.add_role(org, "admin", f"r_{i}", f"Vai trò {i}", "officer", clock))
    assert [kind for kind, _ in results] == ["ok"] * 6
    with org.read() as conn:
        assert adminlog.verify(conn) == []
        assert sorted(e.seq for e in adminlog.history(conn)) == [1, 2, 3, 4, 5, 6]


def test_nul_characters_in_names_are_refused_or_dropped_not_a_server_error(org, clock):
    with pytest.raises(NotFound):
        admin.grant(org, "admin", "motcua2", "van_thu", "H01\x00", clock)
    with pytest.raises(NotFound):
        admin_users.deactivate(org, "admin", "motcua\x00", clock)
    with pytest.raises(InvalidInput):
        admin_users.create_user(org, "admin", "a\x00b", "X", clock)
    admin_users.create_user(org, "admin", "nv.nul", "Nguyễn\x00 Văn", clock, phone="0912\x00345678")
    admin.add_role(org, "admin", "r_nul", "Vai\x00 trò", "officer", clock)
    user = next(u for u in admin_users.list_users(org, "admin") if u.username == "nv.nul")
    assert (user.full_name, user.phone) == ("Nguyễn Văn", "0912345678")
