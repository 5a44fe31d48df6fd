"""Flask-Login wiring: the cookie names one server-side sign-in (see services/learners/sessions.py).

The user is loaded in a before-request hook, ahead of any view, because loading
may write: it records that the session is still in use (at most once a minute)
or ends one that has timed out. That bookkeeping is kept even when the page
answers with an error (a 404 still counts as using SkillPath).
"""

from __future__ import annotations

from flask import Flask, current_app, flash, request
from flask_login import LoginManager, current_user

from skillpath import transactions
from skillpath.i18n import _, _l
from skillpath.models import SessionEndReason, User
from skillpath.services.learners import sessions

_TIMED_OUT_MESSAGES = {
    SessionEndReason.IDLE: _l("You were signed out because you had not used SkillPath for a while. Sign in again."),
    SessionEndReason.EXPIRED: _l("You were signed out because you had been signed in for a long time. Sign in again."),
}

_SIGN_IN_FIRST = "Sign in to see this page"
_l("Sign in to see this page")  # so that the catalogue has it (pybabel reads only marked literals)


def load_user(session_id: str) -> User | None:
    resumed = sessions.resume_session(session_id, sessions.SessionLimits.from_config(current_app.config))
    if resumed.changed:
        transactions.keep_on_error()
    if resumed.ended in _TIMED_OUT_MESSAGES:
        flash(str(_TIMED_OUT_MESSAGES[resumed.ended]), "info")
    return resumed.user


def _load_before_view() -> None:
    if request.endpoint != "static":
        current_user._get_current_object()  # forces the loader to run now


def configure_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.sign_in"
    # Flask-Login flashes the English text through localize_callback, in the reader's language.
    manager.login_message = _SIGN_IN_FIRST
    manager.localize_callback = _
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
    app.before_request(_load_before_view)
