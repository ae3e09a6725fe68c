"""A `limits` storage in the application's database (scheme quytrinh-db://), for Flask-Limiter without Redis.

Counting in process memory let each gunicorn worker (and each restart) start from zero: a guesser got
N attempts per worker. Kept in the database (processes.rate_counters), every worker counts the same hits.
Only the fixed-window strategy (Flask-Limiter's default) is supported.
"""

from __future__ import annotations

import secrets
import weakref

from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError

from processes import rate_counters
from processes.db import Database

SCHEME = "quytrinh-db"
# The URI names a Database of this process: `limits` builds storages from a URI string alone.
_databases: weakref.WeakValueDictionary[str, Database] = weakref.WeakValueDictionary()


def storage_uri(db: Database) -> str:
    """The limits URI of a storage counting in `db`."""
    for name, known in _databases.items():
        if known is db:
            return f"{SCHEME}://{name}"
    name = secrets.token_hex(8)
    _databases[name] = db
    return f"{SCHEME}://{name}"


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limits` table."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool) -> None:
        name = (uri or "").split("://", 1)[-1]
        found = _databases.get(name)
        if found is None:
            raise ValueError(f"{uri}: no database registered under this name (web.limits_storage.storage_uri)")
        self.db = found
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return rate_counters.hit(self.db, key, int(expiry), amount)

    def get(self, key: str) -> int:
        return rate_counters.count(self.db, key)

    def get_expiry(self, key: str) -> float:
        return rate_counters.expiry(self.db, key)

    def check(self) -> bool:
        try:
            rate_counters.count(self.db, "health-check")
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        return rate_counters.clear(self.db)

    def clear(self, key: str) -> None:
        rate_counters.clear(self.db, key)
