"""Browsers an account has signed in on before ("trusted browsers").

After a successful sign-in the browser keeps a signed cookie listing short keyed
hashes of the accounts signed in on it: no username or id can be read from it.
Sign-in attempts for such an account from such a browser skip the wait that
wrong guesses from elsewhere build up (services/accounts.Throttle), so a
stranger cannot keep a learner out. A wrong password from a trusted browser
removes that account from its list, so on a shared computer a neighbour gets
one free guess, not many.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Request, current_app
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

from skillpath.models import User

COOKIE_NAME = "skillpath_browser"
_MAX_ACCOUNTS = 20
_MAX_AGE_SECONDS = 180 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.secret_key), salt="skillpath.trusted-browser")


def _tag(user: User) -> str:
    key = str(current_app.secret_key).encode()
    return hmac.new(key, f"trusted-browser:{user.public_id}".encode(), hashlib.sha256).hexdigest()[:24]


def _tags(request: Request) -> list[str]:
    raw = request.cookies.get(COOKIE_NAME)
    if not raw or len(raw) > 4096:
        return []
    try:
        value = _serializer().loads(raw)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [tag for tag in value if isinstance(tag, str)][:_MAX_ACCOUNTS]


def is_trusted(request: Request, user: User | None) -> bool:
    return user is not None and _tag(user) in _tags(request)


def browser_key(request: Request) -> str:
    """A short, stable key for this browser's list, for rate limits ('' if it has none)."""
    raw = request.cookies.get(COOKIE_NAME) or ""
    return hashlib.sha256(raw.encode()).hexdigest()[:16] if _tags(request) else ""


def _store(response: Response, tags: list[str]) -> None:
    if not tags:
        response.delete_cookie(COOKIE_NAME)
        return
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(tags[-_MAX_ACCOUNTS:]),
        max_age=_MAX_AGE_SECONDS,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def remember(request: Request, response: Response, user: User) -> None:
    tag = _tag(user)
    _store(response, [t for t in _tags(request) if t != tag] + [tag])


def forget(request: Request, response: Response, user: User) -> None:
    tag = _tag(user)
    tags = _tags(request)
    if tag in tags:
        _store(response, [t for t in tags if t != tag])
