"""`quytrinh pdf sign` and `quytrinh pdf verify` from the shell."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from cli.main import main

from .ca import Pki
from .conftest import PASSWORD, PIN, TOKEN, Token
from .test_agreement import flip_signed_byte


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def files(folder: Path, pki: Pki, receipt: bytes) -> dict[str, str]:
    paths = {"pdf": folder / "bien-nhan.pdf", "p12": folder / "pct.p12", "pw": folder / "pw.txt",
             "expired": folder / "expired.p12", "root": pki.root_file}
    paths["pdf"].write_bytes(receipt)
    paths["p12"].write_bytes(pki.signer.p12(PASSWORD))
    paths["expired"].write_bytes(pki.expired.p12(PASSWORD))
    paths["pw"].write_text(PASSWORD + "\n", encoding="utf-8")
    return {k: str(v) for k, v in paths.items()}


def test_sign_with_p12_then_verify(tmp_path, pki: Pki, receipt):
    f = files(tmp_path, pki, receipt)
    out = str(tmp_path / "bien-nhan.signed.pdf")
    signed = run("pdf", "sign", f["pdf"], "-o", out, "--p12", f["p12"], "--password-file", f["pw"],
                 "--title", "CÁN BỘ TIẾP NHẬN", "--trust", f["root"])
    assert signed.exit_code == 0, signed.output
    assert signed.output.startswith(f"Đã ký: {out}\n") and "Chữ ký số hợp lệ" in signed.output
    checked = run("pdf", "verify", out, "--json", "--trust", f["root"])
    payload = json.loads(checked.output)
    assert checked.exit_code == 0 and payload["valid"] is True
    assert [(s["status"], s["signer"]) for s in payload["signatures"]] == [("valid", "Đỗ Minh Khôi")]

    again = run("pdf", "sign", f["pdf"], "-o", out, "--p12", f["p12"], "--password-file", f["pw"])
    assert again.exit_code == 6 and "không ghi đè" in again.output  # the signed file is never overwritten


def test_password_asked_at_the_prompt(tmp_path, pki: Pki, receipt):
    f = files(tmp_path, pki, receipt)
    out = tmp_path / "a.pdf"
    wrong = run("pdf", "sign", f["pdf"], "-o", str(out), "--p12", f["p12"], "--trust", f["root"], stdin="sai\n")
    assert wrong.exit_code == 6 and "sai mật khẩu" in wrong.output and not out.exists()
    right = run("pdf", "sign", f["pdf"], "-o", str(out), "--p12", f["p12"], "--trust", f["root"],
                stdin=PASSWORD + "\n")
    assert right.exit_code == 0 and out.exists()


def test_refusals_write_nothing(tmp_path, pki: Pki, receipt):
    f = files(tmp_path, pki, receipt)
    out = tmp_path / "x.pdf"
    expired = run("pdf", "sign", f["pdf"], "-o", str(out), "--p12", f["expired"], "--password-file", f["pw"],
                  "--trust", f["root"], "--json")
    assert expired.exit_code == 6 and json.loads(expired.output)["details"] == {"code": "certificate_expired"}
    not_pdf = run("pdf", "sign", f["pw"], "-o", str(out), "--p12", f["p12"], "--password-file", f["pw"],
                  "--trust", f["root"])
    assert not_pdf.exit_code == 6 and "Tệp không phải là tệp PDF hợp lệ." in not_pdf.output
    no_key = run("pdf", "sign", f["pdf"], "-o", str(out))
    assert no_key.exit_code == 6 and "Cần đúng một loại khóa" in no_key.output
    assert not out.exists()


def test_sign_with_token(tmp_path, pki: Pki, receipt, softhsm: Token):
    f = files(tmp_path, pki, receipt)
    (tmp_path / "pin").write_text(PIN)
    out = tmp_path / "token.pdf"
    result = run("pdf", "sign", f["pdf"], "-o", str(out), "--pkcs11-module", softhsm.module, "--token", TOKEN,
                 "--key", "signer", "--pin-file", str(tmp_path / "pin"), "--trust", f["root"])
    assert result.exit_code == 0, result.output
    missing = run("pdf", "sign", f["pdf"], "-o", str(tmp_path / "t2.pdf"), "--pkcs11-module", softhsm.module,
                  "--token", "khong-co", "--key", "signer", "--pin-file", str(tmp_path / "pin"))
    assert missing.exit_code == 6 and "Không tìm thấy thiết bị ký số" in missing.output


def test_verify_says_what_is_wrong(tmp_path, pki: Pki, receipt, monkeypatch):
    monkeypatch.delenv("QUYTRINH_TRUST_ROOTS", raising=False)
    f = files(tmp_path, pki, receipt)
    out = tmp_path / "s.pdf"
    run("pdf", "sign", f["pdf"], "-o", str(out), "--p12", f["p12"], "--password-file", f["pw"], "--trust", f["root"])
    tampered = tmp_path / "t.pdf"
    tampered.write_bytes(flip_signed_byte(out.read_bytes()))
    bad = run("pdf", "verify", str(tampered), "--trust", f["root"])
    assert bad.exit_code == 7 and "Chữ ký số không hợp lệ" in bad.output
    unsigned = run("pdf", "verify", f["pdf"], "--trust", f["root"])
    assert unsigned.exit_code == 7 and "Tệp không có chữ ký số" in unsigned.output
    untrusted = run("pdf", "verify", str(out))  # no --trust and no QUYTRINH_TRUST_ROOTS: nothing trusted
    assert untrusted.exit_code == 7 and "không do tổ chức chứng thực được tin cậy cấp" in untrusted.output


def test_verify_with_a_crl(tmp_path, pki: Pki, receipt):
    from .ca import issue, revocation_list

    f = files(tmp_path, pki, receipt)
    revoked = issue(pki.root, "Lê Thị Thu Hồi")
    (tmp_path / "r.p12").write_bytes(revoked.p12(PASSWORD))
    (tmp_path / "root.crl").write_bytes(revocation_list(pki.root, [revoked]))
    out = str(tmp_path / "r.pdf")
    assert run("pdf", "sign", f["pdf"], "-o", out, "--p12", str(tmp_path / "r.p12"), "--password-file", f["pw"],
               "--trust", f["root"]).exit_code == 0
    assert run("pdf", "verify", out, "--trust", f["root"]).exit_code == 0
    revoked_now = run("pdf", "verify", out, "--trust", f["root"], "--crl", str(tmp_path / "root.crl"))
    assert revoked_now.exit_code == 7 and "Chứng thư số của người ký đã bị thu hồi" in revoked_now.output
