"""The password policy for a password a user chooses, and temporary passwords an administrator hands out.

A user's own password: at least MIN_LENGTH characters, not their username, not on the shipped list of
common passwords (processes/data/common_passwords.json). Length beats composition rules (NIST SP 800-63B):
no "one digit, one capital" rule, which only yields "Matkhau@123".
"""

from __future__ import annotations

import functools
import json
import secrets
import string
from importlib import resources

from .errors import InvalidInput

MIN_LENGTH = 10
# Letters and digits that cannot be misread when the administrator reads one out (no 0/O, 1/l/I).
_CLEAR = "".join(c for c in string.ascii_letters + string.digits if c not in "0O1lI")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower case."""
    text = resources.files("processes.data").joinpath("common_passwords.json").read_text(encoding="utf-8")
    return frozenset(p.lower() for p in json.loads(text)["passwords"])


def check_policy(username: str, password: str) -> None:
    """Raise InvalidInput (with a field message for `password`) unless the password may be chosen."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput.of("password_too_short", {"password": "too short"}, minimum=MIN_LENGTH)
    if password.strip().lower() == username.strip().lower():
        raise InvalidInput.of("password_is_username", {"password": "is the username"})
    if password.lower() in common_passwords():
        raise InvalidInput.of("password_too_common", {"password": "too common"})


def temporary_password() -> str:
    """A random password for a new account or a reset, to be changed at the next login (14 characters)."""
    return "".join(secrets.choice(_CLEAR) for _ in range(14))
