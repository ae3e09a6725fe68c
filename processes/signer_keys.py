"""Each signer's key for signing in the browser (issue 16): a PKCS#12 file kept encrypted at rest (keys way 1),
or the labels of a PKCS#11 token the signer signs with (keys way 2).

The file is uploaded once on the personal page and its password is asked at every signing, never stored:
without the password the stored file signs nothing. On top of the PKCS#12's own encryption the bytes are
sealed with AES-256-GCM under a key of the installation, so that a copy of the folder (a backup, a stolen
disk) gives nobody the files either, and bound to the username (a file moved to another user's name does
not open). The key is QUYTRINH_KEY_ENCRYPTION_KEY (32 bytes, base64) when set — keep it outside the
backups — else a key file made on first use in the keys folder (mode 0600).

Files live in QUYTRINH_SIGNING_KEYS_DIR, else <instance>/signing-keys, one per user (named by a hash of
the username). An upload is checked before it is kept: the password opens it, the certificate is valid,
trusted and the uploader's own (signatures.is_performer).

A token (USB token of a Vietnamese CA, an HSM) is used through the PKCS#11 library the deployment configures
(QUYTRINH_PKCS11_MODULE): the token must be reachable by the server. The signer records the token's label and the
key's label (store_token, checked with the PIN typed then: the certificate on the token must be valid, trusted and
the signer's own); the PIN is asked at every signing and never stored. Only the labels and the certificate's
description are kept, sealed like a PKCS#12.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from signing.errors import SigningError
from signing.keys import Key, Pkcs11Key, Pkcs12Key, check_certificate
from signing.trust import Trust
from signing.verify import certificate_emails, subject_field

from .atomic_files import write_atomically
from .db import Database
from .errors import InvalidInput, NotFound
from .organisation import user_by_name
from .paths import instance_dir
from .signatures import configured_trust, is_performer

KEY_ENV = "QUYTRINH_KEY_ENCRYPTION_KEY"
DIR_ENV = "QUYTRINH_SIGNING_KEYS_DIR"
MODULE_ENV = "QUYTRINH_PKCS11_MODULE"
_MAGIC = b"QTK1"
MAX_BYTES = 64 * 1024  # a PKCS#12 with its chain is a few kilobytes


@dataclass(frozen=True)
class StoredKey:
    """What the personal page shows of a stored key (read from its certificate, no password needed)."""

    subject: str
    email: str
    issuer: str
    not_after: dt.datetime
    fingerprint: str
    token: str = ""  # a key on a PKCS#11 token: the token's label and the key's ('' for a PKCS#12)
    key_label: str = ""


def keys_dir() -> Path:
    """Where the encrypted files are kept."""
    chosen = os.environ.get(DIR_ENV)
    return Path(chosen).resolve() if chosen else instance_dir() / "signing-keys"


def _sealing_key(folder: Path) -> bytes:
    configured = os.environ.get(KEY_ENV)
    if configured:
        key = base64.b64decode(configured)
        if len(key) != 32:
            raise ValueError(f"{KEY_ENV} must be 32 bytes in base64")
        return key
    path = folder / ".sealing.key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(os.urandom(32))
    return path.read_bytes()


def _file(folder: Path, username: str) -> Path:
    return folder / (hashlib.sha256(username.encode()).hexdigest()[:32] + ".p12.sealed")


def _refused(exc: SigningError, field: str) -> InvalidInput:
    return InvalidInput(str(exc), {field: str(exc)}, code=f"signing_{exc.code}", params=exc.params)


def store(db: Database, username: str, data: bytes, password: str, *, folder: Path | None = None,
          trust: Trust | None = None) -> StoredKey:
    """Check an uploaded PKCS#12 (password, validity, trust, owner) and keep it sealed; replaces the old one."""
    if not data or len(data) > MAX_BYTES:
        refused = InvalidInput.of("signing_p12_size")
        refused.errors = {"p12": str(refused)}
        raise refused
    info = _checked(db, username, Pkcs12Key(data, password), trust, "p12")
    _write(folder or keys_dir(), username, {"p12": base64.b64encode(data).decode()}, info)
    return info


def tokens_configured() -> bool:
    """Whether the deployment names a PKCS#11 library (QUYTRINH_PKCS11_MODULE), so signers may use tokens."""
    return bool(os.environ.get(MODULE_ENV, "").strip())


def pkcs11_module() -> str:
    """The PKCS#11 library the deployment configured (QUYTRINH_PKCS11_MODULE, docs/signatures.md); a refusal
    when there is none (its text asks the officer to call the administrator, without the variable's name)."""
    if not tokens_configured():
        raise InvalidInput.of("signing_token_not_configured", {"token": "not configured"})
    return os.environ[MODULE_ENV].strip()


def store_token(db: Database, username: str, token: str, key_label: str, pin: str, *, folder: Path | None = None,
                trust: Trust | None = None) -> StoredKey:
    """Record that the user signs with a key on a PKCS#11 token, checked now with the PIN (not kept)."""
    token, key_label = token.strip(), key_label.strip()
    if not token or not key_label:
        raise InvalidInput.of("signing_token_labels", {"token": "required"} if not token else {"key": "required"})
    info = _checked(db, username, Pkcs11Key(pkcs11_module(), token, key_label, pin), trust, "token")
    info = StoredKey(**{**info.__dict__, "token": token, "key_label": key_label})
    _write(folder or keys_dir(), username, {"pkcs11": {"token": token, "key": key_label}}, info)
    return info


def _checked(db: Database, username: str, key: Key, trust: Trust | None, field: str) -> StoredKey:
    """The key's certificate described, after checking it is valid, trusted and the user's own; a refusal is
    said against the form's `field` ("p12" for an uploaded file, "token" for a token)."""
    try:
        with key.open() as signer:
            check_certificate(signer, trust or configured_trust(), dt.datetime.now(dt.UTC))
            cert = signer.signing_cert
    except SigningError as exc:
        raise _refused(exc, field) from None
    with db.read() as conn:
        user = user_by_name(conn, username)
    info = _describe(cert)
    emails = set(info.email.split(",")) - {""}
    if not is_performer(_AsReport(info.subject, ",".join(sorted(emails))), user.full_name, user.email):
        refused = InvalidInput.of("signing_not_owner", signer=info.subject, performer=user.full_name)
        refused.errors = {field: str(refused)}  # said against the form's field too, as _refused does
        raise refused
    return info


def _write(where: Path, username: str, secret: dict, info: StoredKey) -> None:
    # the certificate's description is sealed with the key: the page shows it without asking the password
    payload = json.dumps({**secret, "info": {**info.__dict__, "not_after": info.not_after.isoformat()}}).encode()
    sealed = _seal(_sealing_key(where), username, payload)
    where.mkdir(parents=True, exist_ok=True)
    write_atomically(_file(where, username), sealed, mode=0o600, prefix=".upload-")


@dataclass(frozen=True)
class _AsReport:  # the two fields is_performer reads, for a certificate not yet in any signature
    signer: str
    signer_email: str


def _describe(cert) -> StoredKey:  # asn1crypto Certificate
    return StoredKey(subject_field(cert, "common_name"), ",".join(sorted(certificate_emails(cert))),
                     str(cert.issuer.native.get("common_name", "")),
                     cert["tbs_certificate"]["validity"]["not_after"].native, hashlib.sha256(cert.dump()).hexdigest())


def _seal(key: bytes, username: str, data: bytes) -> bytes:
    nonce = os.urandom(12)
    return _MAGIC + nonce + AESGCM(key).encrypt(nonce, data, username.encode())


def _unseal(key: bytes, username: str, sealed: bytes) -> bytes:
    if not sealed.startswith(_MAGIC):
        raise ValueError("not a sealed key file")
    nonce, body = sealed[4:16], sealed[16:]
    return AESGCM(key).decrypt(nonce, body, username.encode())


def _open(username: str, folder: Path | None) -> dict | None:
    where = folder or keys_dir()
    path = _file(where, username)
    if not path.is_file():
        return None
    try:
        return json.loads(_unseal(_sealing_key(where), username, path.read_bytes()))
    except (InvalidTag, ValueError):
        raise InvalidInput("Không mở được chứng thư số đã lưu: hãy tải lại tệp PKCS#12 ở trang cá nhân.",
                           code="signing_stored_key_unreadable", params={}) from None


def key_of(username: str, password: str, *, folder: Path | None = None) -> Key:
    """The user's stored key, opened with the password (a token's PIN) typed for this signing."""
    opened = _open(username, folder)
    if opened is None:
        raise NotFound("Bạn chưa lưu chứng thư số (tệp PKCS#12) ở trang cá nhân.", code="signing_no_stored_key",
                       params={})
    if "pkcs11" in opened:
        return Pkcs11Key(pkcs11_module(), opened["pkcs11"]["token"], opened["pkcs11"]["key"], password)
    return Pkcs12Key(base64.b64decode(opened["p12"]), password)


def stored(username: str, *, folder: Path | None = None) -> StoredKey | None:
    """What the stored key's certificate says (no password needed), or None when the user has none."""
    opened = _open(username, folder)
    if opened is None:
        return None
    info = opened["info"]
    return StoredKey(info["subject"], info["email"], info["issuer"], dt.datetime.fromisoformat(info["not_after"]),
                     info["fingerprint"], info.get("token", ""), info.get("key_label", ""))


def remove(username: str, *, folder: Path | None = None) -> bool:
    """Forget the user's stored key; True when there was one."""
    path = _file(folder or keys_dir(), username)
    existed = path.is_file()
    path.unlink(missing_ok=True)
    return existed
