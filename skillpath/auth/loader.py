"""Flask-Login wiring: sessions are tied to a per-user token that rotates on password change."""

from __future__ import annotations

import uuid

from flask import Flask
from flask_login import LoginManager
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import User


def load_user(session_id: str) -> User | None:
    public_id, _, token = session_id.partition(":")
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    user = db.session.scalar(select(User).where(User.public_id == key))
    # A closed account's sessions end at once, not when its cookie runs out.
    if user is None or not token or user.session_token != token or not user.is_enabled:
        return None
    return user


def configure_login(app: Flask, manager: LoginManager) -> None:
    manager.init_app(app)
    manager.login_view = "auth.sign_in"
    manager.login_message = "Sign in to see this page"
    manager.login_message_category = "info"
    manager.session_protection = "basic"
    manager.user_loader(load_user)
