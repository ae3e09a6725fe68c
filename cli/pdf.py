"""`quytrinh pdf sign` and `quytrinh pdf verify`: digital signatures on PDF files, for administrators and tests.

Signing writes a new file and never overwrites one (the unsigned file is kept, like in the app). The
password of a PKCS#12 file or the PIN of a token is read from a file given on the command line or asked
at the prompt, never taken as an argument (it would stay in the shell history and the process list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from processes.atomic_files import write_atomically
from signing.errors import SigningError

from .output import emit, fail, handled, json_option

if TYPE_CHECKING:  # pyHanko takes most of a second to load: only `quytrinh pdf …` loads it (in the commands)
    from signing.keys import Key
    from signing.trust import Trust
    from signing.verify import SignatureReport

VN = dt.timezone(dt.timedelta(hours=7), "ICT")

# exit code when a file is unsigned or a signature is not valid (7: like verify-log, something is wrong)
NOT_VALID = 7


def _secret(path: str | None, prompt: str) -> str:
    if path:
        return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
    return click.prompt(prompt, hide_input=True, default="", show_default=False)


def _trust(paths: tuple[str, ...], crls: tuple[str, ...]) -> Trust:
    from processes.signatures import configured_trust
    from signing.trust import Trust, load_crl

    base = Trust.from_paths(paths) if paths else configured_trust()
    return replace(base, crls=base.crls + tuple(load_crl(Path(c).read_bytes()) for c in crls))


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, all at once (no half-written signed PDF is ever left).

    FileExistsError if the file appeared meanwhile: nothing is overwritten. 0600, the mode the signed file
    has always had (mkstemp's)."""
    write_atomically(path, data, mode=0o600, prefix=".signing-", overwrite=False)


def _when(report: SignatureReport) -> str:
    moment = report.timestamp or report.signed_at
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M:%S (giờ Việt Nam)") if moment else "không rõ"


def _text(path: str, reports: list[SignatureReport]) -> str:
    from signing.verify import summary

    lines = [f"{path}: {summary(reports)}"]
    for n, r in enumerate(reports, 1):
        email = f" <{r.signer_email}>" if r.signer_email else ""
        lines += [f"  Chữ ký {n} ({r.field}): {r.label}",
                  f"    Người ký: {r.signer}{email}; cấp bởi: {r.issuer}",
                  f"    Thời gian ký: {_when(r)}" + (" — có dấu thời gian" if r.timestamp else ""),
                  f"    Chứng thư số có hiệu lực đến: {r.not_after.astimezone(VN):%d/%m/%Y}"]
    return "\n".join(lines)


def pdf_commands(main: click.Group) -> None:
    """Attach the `pdf` command group to the main group."""

    @main.group()
    def pdf() -> None:
        """Digital signatures on PDF files: sign, verify."""

    @pdf.command("sign")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Signed file (new).")
    @click.option("--p12", type=click.Path(exists=True, dir_okay=False), help="PKCS#12 (.p12/.pfx) file.")
    @click.option("--password-file", type=click.Path(exists=True, dir_okay=False),
                  help="File holding the PKCS#12 password (else asked).")
    @click.option("--pkcs11-module", help="The token's PKCS#11 library (.so).")
    @click.option("--token", help="Label of the token.")
    @click.option("--key", "key_label", help="Label of the key and its certificate on the token.")
    @click.option("--pin-file", type=click.Path(exists=True, dir_okay=False),
                  help="File holding the token's PIN (else asked).")
    @click.option("--title", default=None,
                  help="Visible block: the signer's title, lines split by ' / ' (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH).")
    @click.option("--name", default="", help="Visible block: the signer's full name (default: the certificate's).")
    @click.option("--seal", type=click.Path(exists=True, dir_okay=False), help="Seal image (PNG/JPEG).")
    @click.option("--tsa", "tsa_url", default=None, help="RFC 3161 timestamp server URL.")
    @click.option("--trust", "trust_paths", multiple=True, type=click.Path(exists=True),
                  help="Trusted root certificate file or folder (default: QUYTRINH_TRUST_ROOTS).")
    @click.option("--crl", "crl_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="A CA's certificate revocation list (also QUYTRINH_TRUST_CRLS).")
    @click.option("--reason", default=None, help="Reason recorded in the signature.")
    @click.option("--location", default=None, help="Place recorded in the signature.")
    @json_option
    @handled
    def sign(file: str, output: str, p12: str | None, password_file: str | None, pkcs11_module: str | None,
             token: str | None, key_label: str | None, pin_file: str | None, title: str | None, name: str,
             seal: str | None, tsa_url: str | None, trust_paths: tuple[str, ...], crl_paths: tuple[str, ...],
             reason: str | None,
             location: str | None, as_json: bool) -> None:
        """Sign FILE into a new file OUTPUT (PAdES), visibly when --title is given."""
        from signing.appearance import Appearance
        from signing.keys import Pkcs11Key, Pkcs12Key
        from signing.sign import sign_pdf
        from signing.verify import verify_pdf

        target = Path(output)
        if target.exists():
            fail(f"Tệp {output} đã có: chọn tên khác (không ghi đè tệp nào).", 6, None, as_json)
        key: Key
        if p12 and not pkcs11_module:
            key = Pkcs12Key(Path(p12).read_bytes(), _secret(password_file, "Mật khẩu tệp PKCS#12"))
        elif pkcs11_module and token and key_label and not p12:
            key = Pkcs11Key(pkcs11_module, token, key_label, _secret(pin_file, "Mã PIN của thiết bị ký số"))
        else:
            fail("Cần đúng một loại khóa: --p12 FILE, hoặc --pkcs11-module PATH --token LABEL --key LABEL.", 6,
                 None, as_json)
            return
        appearance = None
        if title is not None or seal:
            appearance = Appearance(title or "", name, Path(seal).read_bytes() if seal else None)
        try:
            signed = sign_pdf(Path(file).read_bytes(), key, _trust(trust_paths, crl_paths), appearance=appearance,
                              tsa_url=tsa_url, reason=reason, location=location)
        except SigningError as exc:
            fail(str(exc), 6, {"code": exc.code}, as_json)
            return
        _write_new(target, signed)
        reports = verify_pdf(signed, _trust(trust_paths, crl_paths))
        emit(as_json, {"file": output, "signatures": [r.as_json() for r in reports]},
             f"Đã ký: {output}\n" + _text(output, reports))

    @pdf.command("verify")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--trust", "trust_paths", multiple=True, type=click.Path(exists=True),
                  help="Trusted root certificate file or folder (default: QUYTRINH_TRUST_ROOTS).")
    @click.option("--crl", "crl_paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="A CA's certificate revocation list (also QUYTRINH_TRUST_CRLS).")
    @json_option
    @handled
    def verify(file: str, trust_paths: tuple[str, ...], crl_paths: tuple[str, ...], as_json: bool) -> None:
        """Check every signature of FILE; exit 7 when it has none or one is not valid."""
        from signing.verify import summary, verify_pdf

        try:
            reports = verify_pdf(Path(file).read_bytes(), _trust(trust_paths, crl_paths))
        except SigningError as exc:
            fail(str(exc), 6, {"code": exc.code}, as_json)
            return
        payload: dict[str, Any] = {"file": file, "summary": summary(reports),
                                   "valid": bool(reports) and all(r.valid for r in reports),
                                   "signatures": [r.as_json() for r in reports]}
        emit(as_json, payload, lambda: _text(file, reports))
        if not payload["valid"]:
            raise SystemExit(NOT_VALID)
