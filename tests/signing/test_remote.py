"""The remote signing adapter: quytrinh hashes, a CSC provider signs the hash; the PDF is as valid as any.

The provider here is the test's own stand-in (a key in memory behind the CscClient interface): quytrinh
ships none. It checks what a real provider would receive: one SHA-256 hash and the agreed OIDs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from signing.errors import SigningError
from signing.remote import SHA256_OID, CscCredential, CscError, RemoteKey
from signing.sign import sign_pdf
from signing.verify import VALID, verify_pdf

from .ca import Issued, Pki
from .conftest import Pdfsig
from .test_agreement import VICE_CHAIR, write


@dataclass
class StandInProvider:
    """A CSC provider in memory: one credential, authorised by one OTP."""

    issued: Issued
    chain: list[Issued]
    otp: str = "123456"
    requests: list[tuple[bytes, str, str]] = field(default_factory=list)

    def credential_info(self, credential_id: str) -> CscCredential:
        if credential_id != "cred-1":
            raise CscError("credential không tồn tại")
        return CscCredential(tuple(c.der() for c in [self.issued, *self.chain]), "ec")

    def sign_hash(self, credential_id: str, digest: bytes, hash_algo: str, sign_algo: str, secret: str) -> bytes:
        if secret != self.otp:
            raise CscError("Mã OTP không đúng")
        self.requests.append((digest, hash_algo, sign_algo))
        return self.issued.key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))


def test_remote_signature_valid_for_both(apology, pki: Pki, trust, pdfsig: Pdfsig, tmp_path):
    provider = StandInProvider(pki.signer, [pki.root])
    signed = sign_pdf(apology, RemoteKey(provider, "cred-1", "123456"), trust, appearance=VICE_CHAIR)
    assert [r.status for r in verify_pdf(signed, trust)] == [VALID]
    [poppler] = pdfsig.check(write(tmp_path, "remote.pdf", signed))
    assert poppler["Signature Validation"] == "Signature is Valid."
    [(digest, hash_algo, sign_algo)] = provider.requests  # one hash sent, never the document
    assert (len(digest), hash_algo, sign_algo) == (32, SHA256_OID, "1.2.840.10045.4.3.2")


def test_provider_refusal_is_a_vietnamese_message(apology, pki: Pki, trust):
    provider = StandInProvider(pki.signer, [pki.root])
    with pytest.raises(SigningError) as caught:
        sign_pdf(apology, RemoteKey(provider, "cred-1", "000000"), trust)
    assert (caught.value.code, str(caught.value)) == ("remote_failed",
                                                      "Dịch vụ ký số từ xa báo lỗi: Mã OTP không đúng.")
    assert provider.requests == []
