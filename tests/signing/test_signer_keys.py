"""A signer's PKCS#12 kept for signing in the browser: checked on upload, sealed at rest, password never kept."""

from __future__ import annotations

import base64
import os

import pytest

from processes import signer_keys
from processes.errors import InvalidInput, NotFound
from signing.sign import sign_pdf
from signing.verify import VALID, verify_pdf
from web.error_text import TEXTS

from .ca import Pki, issue
from .conftest import PASSWORD


@pytest.fixture
def head_p12(pki: Pki) -> bytes:
    return issue(pki.root, "ĐẶNG QUỐC HÙNG", "hung.dq@donganh.gov.vn").p12(PASSWORD)


def refused(call) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    return caught.value


def test_stored_sealed_and_used_with_the_password(org, trust, tmp_path, head_p12, receipt, monkeypatch):
    monkeypatch.delenv(signer_keys.KEY_ENV, raising=False)
    info = signer_keys.store(org, "tp.ktht", head_p12, PASSWORD, folder=tmp_path, trust=trust)
    assert (info.subject, info.email) == ("ĐẶNG QUỐC HÙNG", "hung.dq@donganh.gov.vn")
    assert signer_keys.stored("tp.ktht", folder=tmp_path) == info
    [sealed] = [p for p in tmp_path.iterdir() if p.suffix == ".sealed"]
    raw = sealed.read_bytes()
    assert head_p12 not in raw and base64.b64encode(head_p12) not in raw and PASSWORD.encode() not in raw
    assert oct(sealed.stat().st_mode & 0o777) == "0o600"
    key = signer_keys.key_of("tp.ktht", PASSWORD, folder=tmp_path)
    assert [r.status for r in verify_pdf(sign_pdf(receipt, key, trust), trust)] == [VALID]


def test_upload_refusals_keep_nothing(org, trust, tmp_path, pki: Pki, head_p12):
    def upload(data: bytes, password: str = PASSWORD):
        return lambda: signer_keys.store(org, "tp.ktht", data, password, folder=tmp_path, trust=trust)

    assert refused(upload(head_p12, "sai")).code == "signing_p12_unreadable"
    other = refused(upload(pki.signer.p12(PASSWORD)))
    assert (other.code, TEXTS["signing_not_owner"] % other.params) == (  # what the officer reads (web/error_text.py)
        "signing_not_owner", "Chứng thư số trong tệp là của Đỗ Minh Khôi, không phải của Đặng Quốc Hùng: mỗi người "
        "chỉ lưu chứng thư số của mình.")
    expired = issue(pki.root, "Đặng Quốc Hùng", not_before=pki.expired.cert.not_valid_before_utc,
                    not_after=pki.expired.cert.not_valid_after_utc)
    assert refused(upload(expired.p12(PASSWORD))).code == "signing_certificate_expired"
    assert refused(upload(pki.stranger.p12(PASSWORD))).code == "signing_certificate_untrusted"
    assert refused(upload(b"")).code == "signing_p12_size"
    assert [p for p in tmp_path.iterdir() if p.suffix == ".sealed"] == []
    assert signer_keys.stored("tp.ktht", folder=tmp_path) is None
    with pytest.raises(NotFound):
        signer_keys.key_of("tp.ktht", PASSWORD, folder=tmp_path)


def test_sealed_file_opens_only_for_its_user_and_key(org, trust, tmp_path, head_p12, monkeypatch):
    monkeypatch.setenv(signer_keys.KEY_ENV, base64.b64encode(os.urandom(32)).decode())
    signer_keys.store(org, "tp.ktht", head_p12, PASSWORD, folder=tmp_path, trust=trust)
    mine = signer_keys._file(tmp_path, "tp.ktht")
    mine.rename(signer_keys._file(tmp_path, "pct"))  # moved to another user's name
    assert refused(lambda: signer_keys.key_of("pct", PASSWORD, folder=tmp_path)).code == \
        "signing_stored_key_unreadable"
    signer_keys._file(tmp_path, "pct").rename(mine)
    assert signer_keys.stored("tp.ktht", folder=tmp_path) is not None
    monkeypatch.setenv(signer_keys.KEY_ENV, base64.b64encode(os.urandom(32)).decode())  # another installation
    assert refused(lambda: signer_keys.stored("tp.ktht", folder=tmp_path)).code == "signing_stored_key_unreadable"
    assert signer_keys.remove("tp.ktht", folder=tmp_path) and not mine.exists()
