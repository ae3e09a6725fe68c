"""The administration commands (issue 12): role, user list/deactivate/reset-password/import, log keygen/anchor,
verify-log --anchors: a row rewritten with the chain recomputed fails verify-log only with the checkpoints."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli.main import main
from processes import admin_users

from .conftest import RECEIVE, start_case, work
from .test_anchors import _rewrite_case


@pytest.fixture
def cli(org):
    url = org.url if org.is_sqlite else None
    if url is None:
        pytest.skip("the CLI tests run on the SQLite file (the PostgreSQL schema is not reachable by URL)")
    runner = CliRunner()

    def run(*args: str, code: int = 0):
        result = runner.invoke(main, ["--database", url, *args], catch_exceptions=False)
        assert result.exit_code == code, result.output
        return result

    return run


def test_roles_from_the_shell(cli):
    assert json.loads(cli("role", "add", "dia_chinh", "Công chức Địa chính", "--json").output)["role"] == "dia_chinh"
    listed = {r["code"]: r for r in json.loads(cli("role", "list", "--json").output)}
    assert listed["dia_chinh"]["holders"] == 0 and listed["van_thu"]["holders"] == 1
    assert "still held by 1 users (vanthu)" in cli("role", "retire", "van_thu", code=5).output
    cli("role", "retire", "dia_chinh")
    assert "dia_chinh" not in {r["code"] for r in json.loads(cli("role", "list", "--json").output)}
    assert "is not an administrator" in cli("role", "add", "x_y", "X", "--as", "motcua", code=4).output
    history = json.loads(cli("log", "history", "--json").output)
    assert [h["action"] for h in history] == ["role.retire", "role.add"]
    assert history[0]["actor"].startswith("cli:")


def test_users_from_the_shell(cli, org, clock):
    users = {u["username"]: u for u in json.loads(cli("user", "list", "--json").output)}
    assert users["cv.ktht"]["roles"] == ["chuyen_vien_ktht@H01.KTHT"] and users["cv.ktht"]["active"]
    reset = json.loads(cli("user", "reset-password", "motcua", "--json").output)
    assert admin_users.must_change_password(org, "motcua") and len(reset["temporary_password"]) == 14
    cli("user", "deactivate", "motcua2")
    assert "deactivated already" in cli("user", "deactivate", "motcua2", code=5).output
    cli("user", "reactivate", "motcua2")
    assert "xa.ct is not an administrator" in cli("user", "deactivate", "motcua", "--as", "xa.ct", code=4).output
    cli("user", "grant", "xa.ct", "--role", "quan_tri", "--unit", "X01")  # administers the commune only
    assert "does not administer motcua" in cli("user", "deactivate", "motcua", "--as", "xa.ct", code=4).output
    assert [h["action"] for h in json.loads(cli("log", "history", "--json").output)][:2] == [
        "membership.grant", "user.reactivate"]
    cli("user", "token", "cv.ktht", "--label", "tích hợp")
    listed = json.loads(cli("user", "tokens", "cv.ktht", "--json").output)
    assert [(t["name"], t["revoked"]) for t in listed] == [("tích hợp", False)] and "token_hash" not in listed[0]
    assert json.loads(cli("user", "revoke-token", str(listed[0]["id"]), "--json").output)["was_live"] is True
    assert json.loads(cli("user", "tokens", "cv.ktht", "--json").output)[0]["revoked"] is True


def test_a_staff_list_is_previewed_then_imported(cli, org, tmp_path):
    staff = tmp_path / "can_bo.csv"
    staff.write_text("Họ tên,Tên đăng nhập,Email,Điện thoại,Đơn vị,Vai trò\n"
                     "Trần Văn Bảo,tv.bao,,,H01.KTHT,chuyen_vien_ktht\n", encoding="utf-8")
    preview = json.loads(cli("user", "import", str(staff), "--json").output)
    assert (preview["applied"], preview["create"]) == (False, ["tv.bao"])
    assert "tv.bao" not in {u.username for u in admin_users.list_users(org, "admin")}
    done = json.loads(cli("user", "import", str(staff), "--apply", "--json").output)
    assert done["applied"] and list(done["temporary_passwords"]) == ["tv.bao"]
    staff.write_text("Họ tên,Tên đăng nhập,Email,Điện thoại,Đơn vị,Vai trò\nA,b b,,,H99,mot_cua\n", encoding="utf-8")
    refused = cli("user", "import", str(staff), "--apply", code=6)
    assert "Dòng 2: tên đăng nhập «b b»" in refused.output and "không có đơn vị «H99»" in refused.output


def test_verify_log_with_anchors_detects_a_rewrite_the_chains_alone_do_not(cli, proc, clock, tmp_path):
    moved = start_case(proc, clock)
    work(proc, clock, "motcua", RECEIVE, moved.instance_id)
    cli("role", "add", "dia_chinh", "Công chức Địa chính")
    key = tmp_path / "anchor.key"
    made = json.loads(cli("log", "keygen", "--out", str(key), "--json").output)
    assert oct((key.stat().st_mode) & 0o777) == "0o600"
    anchored = json.loads(cli("log", "anchor", "--key", str(key), "--out", str(tmp_path / "anchors"), "--json").output)
    assert anchored["chains"] == 2  # the case and the administration log
    args = ("verify-log", "--anchors", str(tmp_path / "anchors"), "--public-key", made["public_key"])
    assert "intact" in cli(*args).output

    _rewrite_case(proc, moved.instance_id, 1, "someone.else")
    assert "event log intact" in cli("verify-log").output  # the chain was recomputed: alone it cannot tell
    found = json.loads(cli(*args, "--json", code=7).output)
    assert [(f["case_id"], "rewritten" in f["reason"]) for f in found] == [(moved.instance_id, True)]
