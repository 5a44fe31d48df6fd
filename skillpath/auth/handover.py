"""Showing a new activation code once, after the redirect that follows creating an account.

The code lives in the signed session only until the page that shows it is
displayed, so a refresh or a back button does not create the account twice.
"""

from __future__ import annotations

from flask import session

from skillpath.models import User

_KEY = "new_activation_code"


def remember_code(user: User, code: str) -> None:
    session[_KEY] = {"user": str(user.public_id), "code": code}


def take_code(user: User) -> str | None:
    state = session.get(_KEY)
    if isinstance(state, dict) and state.get("user") == str(user.public_id):
        session.pop(_KEY, None)
        return str(state.get("code"))
    return None
