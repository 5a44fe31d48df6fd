"""Carrying a share link's token through the form that makes it and to the page that shows it once.

The token is made when the form is shown and travels in it, sealed (encrypted and
authenticated with a key derived from SECRET_KEY): sending the same form twice
sends the same token, so the second send finds the link the first one made, and
can still show it. After the link is made, the token waits in the session, also
sealed, until the link's page shows it once; the database only ever holds its hash.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session

from skillpath.models import ShareLink
from skillpath.services.certificates.sharing import is_token_shaped, new_token

_FORM_PURPOSE = b"skillpath-share-link-form:"
_REVEAL_PURPOSE = b"skillpath-share-link-reveal:"
_REVEAL_KEY = "new_share_link"
# A form left open all day still works; the session ends well before this anyway.
_FORM_MAX_AGE_SECONDS = 24 * 3600
_REVEAL_MAX_AGE_SECONDS = 600


def _fernet(purpose: bytes) -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(purpose + secret).digest()))


def _open(sealed: str | None, purpose: bytes, max_age: int) -> str | None:
    if not sealed or not sealed.isascii():
        return None
    try:
        token = _fernet(purpose).decrypt(sealed.encode("ascii"), ttl=max_age).decode("ascii")
    except (InvalidToken, UnicodeDecodeError):
        return None
    return token if is_token_shaped(token) else None


def sealed_new_token() -> str:
    """A fresh token, sealed, for the form's hidden field."""
    return _fernet(_FORM_PURPOSE).encrypt(new_token().encode("ascii")).decode("ascii")


def token_from_form(sealed: str | None) -> str:
    """The token the form carried; a fresh one if it carried none that this service sealed (or a very old one)."""
    return _open(sealed, _FORM_PURPOSE, _FORM_MAX_AGE_SECONDS) or new_token()


def remember_for_reveal(link: ShareLink, token: str) -> None:
    session[_REVEAL_KEY] = {
        "link": str(link.public_id),
        "token": _fernet(_REVEAL_PURPOSE).encrypt(token.encode()).decode(),
    }


def take_for_reveal(link: ShareLink) -> str | None:
    """The token of a link just made, once: the next visit to the page no longer has it."""
    state = session.get(_REVEAL_KEY)
    if not (isinstance(state, dict) and state.get("link") == str(link.public_id)):
        return None
    session.pop(_REVEAL_KEY, None)
    return _open(str(state.get("token", "")), _REVEAL_PURPOSE, _REVEAL_MAX_AGE_SECONDS)
