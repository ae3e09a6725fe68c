"""Remote signing (ký số từ xa, Thông tư 16/2019/TT-BTTTT) through the Cloud Signature Consortium API.

The signer's key stays with a licensed remote signing provider; quytrinh computes the hash of what is to
be signed and the provider signs that hash after the signer authorises it (PIN, OTP on the phone, or the
provider's app). quytrinh ships no provider: a deployment writes a `CscClient` for its provider's CSC
endpoints (v1 or v2: credentials/info, credentials/authorize, signatures/signHash), usually a few dozen
lines of HTTP, and hands it to `RemoteKey`. Everything after that — the PAdES structure, the chain, the
visible block, the checks of the certificate — is the same as for a PKCS#12 file or a token.

CSC mapping:
- credential_info  ← POST credentials/info {credentialID, certificates: "chain"}: the certificate chain
  (signer first, base64 DER → bytes here) and the key algorithm ("rsa" or "ec").
- sign_hash        ← POST credentials/authorize {credentialID, numSignatures: 1, hash: [...], PIN/OTP}
  giving the SAD, then POST signatures/signHash {credentialID, SAD, hash: [...], hashAlgo: "2.16.840.1.
  101.3.4.2.1", signAlgo}: the signature value (RSA PKCS#1 v1.5 or DER-encoded ECDSA).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from asn1crypto import algos, x509
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .errors import SigningError
from .keys import Key

SHA256_OID = "2.16.840.1.101.3.4.2.1"
SIGN_ALGOS = {"rsa": ("1.2.840.113549.1.1.11", "sha256_rsa"), "ec": ("1.2.840.10045.4.3.2", "sha256_ecdsa")}


@dataclass(frozen=True)
class CscCredential:
    """What credentials/info says: the chain (signer's certificate first, DER) and the key's algorithm."""

    certificates: tuple[bytes, ...]
    key_algorithm: str  # "rsa" | "ec"


class CscError(Exception):
    """The provider refused or failed; the message is shown to the signer (providers localise it)."""


class CscClient(Protocol):
    """A provider's CSC endpoints, as a deployment implements them."""

    def credential_info(self, credential_id: str) -> CscCredential:
        """The credential's certificate chain and key algorithm (credentials/info)."""
        ...

    def sign_hash(self, credential_id: str, digest: bytes, hash_algo: str, sign_algo: str, secret: str) -> bytes:
        """Authorise with `secret` (PIN/OTP, '' when the provider asks out of band) and sign one hash.

        hash_algo and sign_algo are OIDs (SHA-256; sha256WithRSAEncryption or ecdsa-with-SHA256).
        Raise CscError with the provider's message when it refuses.
        """
        ...


class _CscSigner(Signer):
    """A pyHanko signer whose raw signature comes from the provider: quytrinh hashes, the provider signs."""

    def __init__(self, client: CscClient, credential_id: str, secret: str, chain: list[x509.Certificate],
                 key_algorithm: str) -> None:
        registry = SimpleCertificateStore()
        registry.register_multiple(chain[1:])
        oid, mechanism = SIGN_ALGOS[key_algorithm]
        super().__init__(signing_cert=chain[0], cert_registry=registry,
                         signature_mechanism=algos.SignedDigestAlgorithm({"algorithm": mechanism}))
        self._client, self._credential, self._secret, self._sign_algo = client, credential_id, secret, oid
        self._size = chain[0].public_key.byte_size * (2 if key_algorithm == "ec" else 1) + 16

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        if dry_run:  # pyHanko sizes the signature container first; nothing is sent to the provider
            return bytes(self._size)
        if digest_algorithm != "sha256":
            raise SigningError("remote_failed", detail=f"thuật toán băm {digest_algorithm} không được hỗ trợ")
        digest = hashlib.sha256(data).digest()
        try:
            return await asyncio.to_thread(self._client.sign_hash, self._credential, digest, SHA256_OID,
                                           self._sign_algo, self._secret)
        except CscError as exc:
            raise SigningError("remote_failed", detail=str(exc)) from None


@dataclass(frozen=True)
class RemoteKey(Key):
    """A credential at a remote signing provider, and the PIN/OTP the signer typed for this signing."""

    client: CscClient
    credential_id: str
    secret: str = field(default="", repr=False)

    @contextmanager
    def open(self) -> Iterator[Signer]:
        try:
            info = self.client.credential_info(self.credential_id)
        except CscError as exc:
            raise SigningError("remote_failed", detail=str(exc)) from None
        if not info.certificates or info.key_algorithm not in SIGN_ALGOS:
            raise SigningError("remote_failed", detail="dịch vụ không trả về chứng thư số dùng được")
        chain = [x509.Certificate.load(der) for der in info.certificates]
        yield _CscSigner(self.client, self.credential_id, self.secret, chain, info.key_algorithm)
