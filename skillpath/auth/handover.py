"""Showing a new activation or recovery code once, after the redirect that follows making it.

The code travels in the session only until the page that shows it is
displayed, so a refresh or a back button does not create the account twice.
Session cookies are signed, not encrypted, so the code is encrypted with a key
derived from SECRET_KEY: a copied cookie does not reveal it.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session

from skillpath.models import User

_KEY = "new_activation_code"
_MAX_AGE_SECONDS = 600


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = hashlib.sha256(b"skillpath-activation-handover:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def remember_code(user: User, code: str, *, kind: str = "activation") -> None:
    """Keep `code` for one showing. `kind` keeps an activation code and a recovery code apart."""
    session[_KEY] = {"user": str(user.public_id), "kind": kind, "code": _fernet().encrypt(code.encode()).decode()}


def take_code(user: User, *, kind: str = "activation") -> str | None:
    state = session.get(_KEY)
    if not (isinstance(state, dict) and state.get("user") == str(user.public_id)):
        return None
    if state.get("kind", "activation") != kind:
        return None
    session.pop(_KEY, None)
    try:
        return _fernet().decrypt(str(state.get("code", "")).encode(), ttl=_MAX_AGE_SECONDS).decode()
    except InvalidToken:
        return None
