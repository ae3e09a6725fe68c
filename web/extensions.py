"""Flask extensions shared by the blueprints."""

from __future__ import annotations

from flask import current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# Counters in shared storage, chosen per app by web/server_state.py: Redis (QUYTRINH_REDIS_URL), else the
# database; never process memory, which each gunicorn worker and each restart would start from zero.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def lookup_limit() -> str:
    """Citizen lookups allowed per client address (config CITIZEN_LOOKUP_LIMIT, default 10 per minute)."""
    return current_app.config.get("CITIZEN_LOOKUP_LIMIT", "10 per minute")


# One budget for the lookup page and the lookup API: guessing codes through either counts against both.
LOOKUP = limiter.shared_limit(lookup_limit, scope="citizen-lookup", methods=["POST"])
