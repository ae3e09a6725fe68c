"""Flask extensions shared by the blueprints."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
# In-memory counters: one process serves the demo; a deployment sets RATELIMIT_STORAGE_URI (e.g. Redis).
limiter = Limiter(key_func=get_remote_address, default_limits=[], storage_uri="memory://")
