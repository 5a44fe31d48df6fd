"""The request-side Flask extensions: sign-in, CSRF protection and rate limits, created here unbound and
initialised in create_app().

They are apart from skillpath.extensions (the database) so that pages and the API can use them while the
layer contract keeps every view away from the database.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def seconds_until(reset_at: float) -> int:
    """Whole seconds until a limit's window resets (at least 1): what a refusal's Retry-After says."""
    return max(1, math.ceil(reset_at - time.time()))


def count_against(allowances: Iterable[RateLimitItem], *key: str) -> int | None:
    """Count one request against each allowance under `key`, in the limiter's store (Redis, shared by every
    worker and host); None when all allow it, else the seconds to wait for the first one used up.

    If the store cannot be reached, the request is counted in this worker's memory instead (as Flask-Limiter
    does for its own limits with RATELIMIT_IN_MEMORY_FALLBACK_ENABLED), and the store is tried again after a
    wait that doubles up to a minute: a Redis outage neither fails these pages nor lifts their limits.
    """
    if time.monotonic() >= _store.retry_at:
        strategy = _store.strategy()
        try:
            wait = _count(strategy, allowances, key)
        except Exception:  # whatever the store raised, it could not count this request
            _store.failed()
        else:
            _store.failures = 0
            return wait
    return _count(_store.fallback(), allowances, key)


def _count(strategy: RateLimiter, allowances: Iterable[RateLimitItem], key: tuple[str, ...]) -> int | None:
    for allowance in allowances:
        if not strategy.hit(allowance, *key):
            return seconds_until(strategy.get_window_stats(allowance, *key).reset_time)
    return None


class _Store:
    """The limiter's store as `count_against` uses it, and this worker's memory for when it cannot."""

    def __init__(self) -> None:
        self.retry_at = 0.0
        self.failures = 0
        self._strategy: tuple[object, RateLimiter] | None = None
        self._fallback: RateLimiter | None = None

    def strategy(self) -> RateLimiter:
        """The limiter's strategy on its own store (not on Flask-Limiter's fallback, which it may be using)."""
        storage = limiter.storage
        if self._strategy is None or self._strategy[0] is not storage:
            self._strategy = (storage, type(limiter.limiter)(storage))
        return self._strategy[1]

    def fallback(self) -> RateLimiter:
        if self._fallback is None:
            self._fallback = type(limiter.limiter)(MemoryStorage())
        return self._fallback

    def failed(self) -> None:
        self.failures += 1
        self.retry_at = time.monotonic() + min(60, 2 ** min(self.failures, 6))
        _log.warning(
            "Rate limit storage unreachable: counting in this worker's memory, trying again in %d s",
            round(self.retry_at - time.monotonic()),
            exc_info=self.failures == 1,
        )


_store = _Store()
_log = logging.getLogger("skillpath.errors")
