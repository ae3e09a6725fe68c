"""Fixtures of the signing tests: the throwaway CA, forms rendered by documents/, a SoftHSM2 token, and
an NSS database trusting the test root for poppler's pdfsig (the independent validator).

softhsm2, pdfsig and certutil come from Debian (softhsm2, poppler-utils, libnss3-tools; `make setup`
installs them). A test needing one is skipped, naming the package, only where it cannot be found.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from documents.forms import render_form
from signing.keys import Pkcs11Key, Pkcs12Key
from signing.trust import Trust
from tests.documents.sample import sample_dossier

from .ca import Issued, Pki, issue, make_pki

PASSWORD = "mật-khẩu 2026"
SO_PIN, PIN = "12345678", "246810"
TOKEN = "quytrinh-test"
_MODULES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so")


def need(program: str, package: str) -> str:
    """The program's path, or skip the test naming the Debian package that provides it."""
    found = shutil.which(program)
    if not found:
        pytest.skip(f"{program} is not installed (Debian package {package}; `make setup` installs it)")
    return found


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return shared_pki(tmp_path_factory)


@pytest.fixture(scope="session")
def trust(pki: Pki) -> Trust:
    return Trust.from_paths([pki.root_file])


@pytest.fixture(scope="session")
def receipt() -> bytes:
    """The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) as documents/ renders it."""
    return render_form("receipt", sample_dossier(), on_date=dt.date(2026, 1, 5))


@pytest.fixture(scope="session")
def apology() -> bytes:
    """The apology letter, signed by the vice-chair (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH, Đỗ Minh Khôi)."""
    return render_form("apology", sample_dossier(), on_date=dt.date(2026, 1, 5))


@pytest.fixture(scope="session")
def p12_key(pki: Pki) -> Pkcs12Key:
    return Pkcs12Key(pki.signer.p12(PASSWORD), PASSWORD)


@dataclass
class Token:
    """A SoftHSM2 token holding the test signer's keys and certificates: 'signer' (EC), 'signer-rsa'."""

    module: str
    folder: Path

    def key(self, *, token: str = TOKEN, label: str = "signer", pin: str = PIN) -> Pkcs11Key:
        return Pkcs11Key(self.module, token, label, pin)

    def put(self, label: str, issued: Issued) -> None:
        """Import a key and its certificate under `label` (once: a label already there is left alone)."""
        done = _SHARED.labels
        if label in done:
            return
        tool = need("pkcs11-tool", "opensc")
        key_id = f"{len(done) + 1:02d}"
        (self.folder / f"{label}.key").write_bytes(issued.key_der())
        (self.folder / f"{label}.der").write_bytes(issued.der())
        for kind, file in (("privkey", f"{label}.key"), ("cert", f"{label}.der")):
            subprocess.run([tool, "--module", self.module, "--token-label", TOKEN, "--login", "--pin", PIN,
                            "--write-object", str(self.folder / file), "--type", kind, "--label", label, "--id",
                            key_id], check=True, capture_output=True)
        done.add(label)


# The token and the CA whose keys it holds live once per process: the PKCS#11 library is initialised once per
# process and reads SOFTHSM2_CONF then, so a second token folder would never be seen (tests/browser uses them too).
@dataclass
class _Shared:
    pki: Pki | None = None
    token: Token | None = None
    labels: set[str] = field(default_factory=set)  # the labels imported on the token


_SHARED = _Shared()


def shared_pki(tmp_path_factory) -> Pki:
    """The test CA of this process (the token's keys are issued by it)."""
    if _SHARED.pki is None:
        _SHARED.pki = make_pki(tmp_path_factory.mktemp("pki"))
    return _SHARED.pki


def shared_token(tmp_path_factory) -> Token:
    """The SoftHSM2 token of this process, made in its own SOFTHSM2_CONF folder; keys imported with pkcs11-tool."""
    if _SHARED.token is not None:
        return _SHARED.token
    need("softhsm2-util", "softhsm2")
    need("pkcs11-tool", "opensc")
    module = next((m for m in _MODULES if Path(m).is_file()), None)
    if module is None:
        pytest.skip("libsofthsm2.so not found (Debian package softhsm2)")
    pki = shared_pki(tmp_path_factory)
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module when loaded: the same in this process
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN],
                   check=True, capture_output=True)
    token = Token(module, folder)
    # 'signer': the EC key of the test signer; 'signer-rsa': an RSA 2048 key like a CA's token holds
    token.put("signer", pki.signer)
    token.put("signer-rsa", issue(pki.root, "Đỗ Minh Khôi", "pct@donganh.gov.vn", rsa_key=True))
    _SHARED.token = token
    return token


@pytest.fixture(scope="session")
def softhsm(pki: Pki, tmp_path_factory) -> Token:
    """The process's SoftHSM2 token (shared_token)."""
    return shared_token(tmp_path_factory)


@dataclass
class Pdfsig:
    """poppler's pdfsig with an NSS database that trusts the test root."""

    nssdir: Path

    def check(self, pdf: Path) -> list[dict[str, str]]:
        """Per signature: pdfsig's 'Signature Validation' and 'Certificate Validation' lines, and coverage."""
        out = subprocess.run(["pdfsig", "-nssdir", f"sql:{self.nssdir}", str(pdf)], capture_output=True,
                             text=True).stdout
        found = []
        for block in re.split(r"^Signature #\d+:$", out, flags=re.M)[1:]:
            fields = dict(re.findall(r"^\s+- ([^:\n]+): (.*)$", block, flags=re.M))
            fields["whole"] = "yes" if "- Total document signed" in block else "no"
            found.append(fields)
        return found


@pytest.fixture(scope="session")
def pdfsig(pki: Pki, tmp_path_factory) -> Pdfsig:
    need("pdfsig", "poppler-utils")
    certutil = need("certutil", "libnss3-tools")
    nss = tmp_path_factory.mktemp("nssdb")
    subprocess.run([certutil, "-N", "-d", f"sql:{nss}", "--empty-password"], check=True, capture_output=True)
    subprocess.run([certutil, "-A", "-d", f"sql:{nss}", "-n", "quytrinh-test-root", "-t", "CT,C,C", "-i",
                    str(pki.root_file)], check=True, capture_output=True)
    return Pdfsig(nss)
