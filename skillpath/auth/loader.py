"""Flask-Login wiring: the cookie names one server-side sign-in (see services/sessions.py).

The user is loaded in a before-request hook, ahead of any view, because loading
may write: it records that the session is still in use (at most once a minute)
or ends one that has timed out, and commits that on its own.
"""

from __future__ import annotations

from flask import Flask, current_app, flash, request
from flask_login import LoginManager, current_user

from skillpath.extensions import db
from skillpath.models import SessionEndReason, User
from skillpath.models._types import utcnow
from skillpath.services.learners import sessions

_TIMED_OUT_MESSAGES = {
    SessionEndReason.IDLE: "You were signed out because you had not used SkillPath for a while. Sign in again.",
    SessionEndReason.EXPIRED: "You were signed out because you had been signed in for a long time. Sign in again.",
}


def load_user(session_id: str) -> User | None:
    public_id, _, token = session_id.partition(":")
    row = sessions.find_session(public_id, token)
    if row is None:
        return None
    user = row.user
    # A closed account's sessions end at once, not when its cookie runs out.
    if not user.is_enabled:
        return None
    now = utcnow()
    reason = sessions.expiry_reason(row, sessions.SessionLimits.from_config(current_app.config), now)
    if reason is not None:
        if row.ended_at is None:
            sessions.end_session(row, reason, at=now)
            db.session.commit()
        if reason in _TIMED_OUT_MESSAGES:
            flash(_TIMED_OUT_MESSAGES[reason], "info")
        return None
    if sessions.needs_touch(row, now):
        sessions.touch(row, now)
        db.session.commit()
    user.current_session_token = token
    user.current_session = row
    return user


def _load_before_view() -> None:
    if request.endpoint != "static":
        current_user._get_current_object()  # forces the loader to run now


def configure_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.sign_in"
    manager.login_message = "Sign in to see this page"
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    app.before_request(_load_before_view)
