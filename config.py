"""Settings for SkillPath, read from the environment.

Pick one with SKILLPATH_ENV (development, test or production); every value can be
overridden by an environment variable of the same name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


class ConfigError(RuntimeError):
    """Raised when a setting the chosen environment needs is missing."""


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    SKILLPATH_ENV = "base"
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # None means "the SQLite file in the instance folder" (worked out in create_app).
    SQLALCHEMY_DATABASE_URI: str | None = os.environ.get("DATABASE_URL")
    # hide_parameters: a database error's text (and so a logged traceback) never carries the values sent.
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True, "hide_parameters": True}
    REDIS_URL: str | None = os.environ.get("REDIS_URL")
    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    # X-RateLimit-* headers on every answer under a limit cost two Redis round trips each (a third of a
    # certificate check's time); refusals carry Retry-After either way (skillpath/errors.py).
    RATELIMIT_HEADERS_ENABLED = os.environ.get("RATELIMIT_HEADERS_ENABLED", "false").lower() == "true"
    # Put before every rate-limit key, so that two installations can share one Redis without sharing counts.
    RATELIMIT_KEY_PREFIX: str = os.environ.get("RATELIMIT_KEY_PREFIX", "")
    # If Redis cannot be reached, limits are counted in each worker's memory until it can (and a warning is
    # logged), rather than every limited page failing; a Redis that does not answer is given up on in a second.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS: dict[str, object] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    # Shown on certificates and to employers: the education provider, never a prison.
    ISSUER_NAME: str = os.environ.get("ISSUER_NAME", "SkillPath Digital Skills")
    # Where employers reach this service: QR codes and credentials carry absolute URLs from here.
    PUBLIC_BASE_URL: str = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The issuer's signing keys, outside the repository; None means instance/keys.
    KEYS_FOLDER: str | None = os.environ.get("KEYS_FOLDER")
    # Make a signing key on first use. Off in production: every host must share one key folder.
    KEYS_AUTO_GENERATE = False
    # Certificate checks allowed from one address, across the page, the form and the JSON API.
    VERIFY_RATE_LIMIT = os.environ.get("VERIFY_RATE_LIMIT", "30 per minute")
    # Share link pages and their downloads opened from one address (guessing a link's token gets nowhere).
    SHARE_RATE_LIMIT = os.environ.get("SHARE_RATE_LIMIT", "60 per minute")
    # The staff API: calls per client, token requests per address, and how long a bearer token lasts.
    API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "300 per minute")
    API_TOKEN_RATE_LIMIT = os.environ.get("API_TOKEN_RATE_LIMIT", "60 per minute")
    API_TOKEN_MINUTES = _env_int("API_TOKEN_MINUTES", 15)
    # Verification pages kept rendered per worker (0 turns this off); lookups and signature checks still run.
    VERIFY_PAGE_CACHE_SIZE = _env_int("VERIFY_PAGE_CACHE_SIZE", 1024)
    # How many proxies in front of the app set X-Forwarded-For; 0 trusts none (rate limits use the peer address).
    TRUST_PROXY_HOPS = _env_int("TRUST_PROXY_HOPS", 0)
    SERVICE_NAME = "SkillPath"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    # A sign-in ends after this long without a page being opened (shared computers), with a warning
    # SESSION_WARNING_MINUTES before; and this many hours after signing in however busy.
    SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 30)
    SESSION_WARNING_MINUTES = _env_int("SESSION_WARNING_MINUTES", 3)
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_MB", 5) * 1024 * 1024
    # Requests may be larger than one upload, so that a file just over the limit gets a
    # message on the form (keeping what was typed) rather than a bare "too big" page.
    MAX_CONTENT_LENGTH = 2 * MAX_UPLOAD_BYTES + 1024 * 1024
    # Evidence files live outside static/; None means instance/uploads.
    UPLOAD_FOLDER: str | None = os.environ.get("UPLOAD_FOLDER")
    # "local" keeps evidence files in UPLOAD_FOLDER (every host must share it); "database" keeps them in the
    # database (table stored_files), which every host already shares.
    EVIDENCE_STORAGE = os.environ.get("EVIDENCE_STORAGE", "local")
    PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 10)
    # Wrong passwords slow sign-in down; they never lock an account. After LOGIN_FREE_ATTEMPTS in a row
    # from browsers new to the account, each attempt waits, doubling from the first delay up to the most.
    LOGIN_FREE_ATTEMPTS = _env_int("LOGIN_FREE_ATTEMPTS", 5)
    LOGIN_FIRST_DELAY_SECONDS = _env_int("LOGIN_FIRST_DELAY_SECONDS", 2)
    LOGIN_MAX_DELAY_SECONDS = _env_int("LOGIN_MAX_DELAY_SECONDS", 60)
    # Wrong passwords a signed-in session may type to confirm a change (a new password, closing the account)
    # before it is signed out: whoever finds a computer left signed in gets this many guesses, no more.
    PASSWORD_RECHECK_LIMIT = _env_int("PASSWORD_RECHECK_LIMIT", 5)
    # Per address and username; and per address alone (a prison's learners may share one address).
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "300 per minute")
    ACTIVATION_CODE_DAYS = _env_int("ACTIVATION_CODE_DAYS", 14)
    # Months after release when `flask custody remove-expired` removes what ties a learner to custody
    # (prison number, prison, groups, release date, staff notes); skills, certificates and own words stay.
    CUSTODY_REMOVAL_MONTHS = _env_int("CUSTODY_REMOVAL_MONTHS", 12)
    SQLALCHEMY_ECHO = False
    # One JSON object a line for log collectors ("json"), or key=value lines for people ("text").
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
    # Seconds a client is asked to wait (Retry-After) when the database cannot be reached.
    DATABASE_RETRY_AFTER = _env_int("DATABASE_RETRY_AFTER", 120)
    # Readiness for work (see skillpath/services/readiness/readiness.py and the README).
    READINESS_SKILL_WEIGHT = float(os.environ.get("READINESS_SKILL_WEIGHT", "0.8"))
    READINESS_BARRIER_WEIGHT = float(os.environ.get("READINESS_BARRIER_WEIGHT", "0.2"))
    READINESS_NEARLY_READY_FROM = _env_int("READINESS_NEARLY_READY_FROM", 60)
    READINESS_READY_FROM = _env_int("READINESS_READY_FROM", 85)


class DevelopmentConfig(Config):
    SKILLPATH_ENV = "development"
    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    KEYS_AUTO_GENERATE = True


class TestConfig(Config):
    SKILLPATH_ENV = "test"
    TESTING = True
    SECRET_KEY = "test-only-not-secret"  # noqa: S105  (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or "sqlite://"
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_RATE_LIMIT = "1000 per minute"
    LOGIN_ADDRESS_RATE_LIMIT = "10000 per minute"
    VERIFY_RATE_LIMIT = "1000 per minute"
    KEYS_FOLDER = os.environ.get("TEST_KEYS_FOLDER") or str(Path(tempfile.gettempdir()) / "skillpath-test-keys")
    KEYS_AUTO_GENERATE = True
    # Argon2 at full strength costs ~50 ms a hash; tests hash hundreds of passwords.
    ARGON2_FAST = True
    LOG_FORMAT = "text"  # pytest captures the lines; tests format them as JSON themselves


class ProductionConfig(Config):
    SKILLPATH_ENV = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "true").lower() != "false"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    @classmethod
    def check(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigError(f"Production needs these environment variables: {', '.join(missing)}")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("SKILLPATH_ENV", "development")
    try:
        config = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"SKILLPATH_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
    if config is ProductionConfig:
        ProductionConfig.check()
    return config
