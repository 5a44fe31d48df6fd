"""The request-side Flask extensions: sign-in, CSRF protection and rate limits, created here unbound and
initialised in create_app().

They are apart from skillpath.extensions (the database) so that pages and the API can use them while the
layer contract keeps every view away from the database.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from limits import RateLimitItem

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def seconds_until(reset_at: float) -> int:
    """Whole seconds until a limit's window resets (at least 1): what a refusal's Retry-After says."""
    return max(1, math.ceil(reset_at - time.time()))


def count_against(allowances: Iterable[RateLimitItem], *key: str) -> int | None:
    """Count one request against each allowance under `key`, in the limiter's store (Redis, shared by every
    worker and host); None when all allow it, else the seconds to wait for the first one used up."""
    strategy = limiter.limiter
    for allowance in allowances:
        if not strategy.hit(allowance, *key):
            return seconds_until(strategy.get_window_stats(allowance, *key).reset_time)
    return None
