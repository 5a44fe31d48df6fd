"""The front door: send each user to their own home page; a health check for operators."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response

from skillpath.auth.policy import public
from skillpath.auth.routes import home_for
from skillpath.extensions import db

bp = Blueprint("main", __name__)


@bp.route("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.sign_in"))


@bp.route("/health")
@public
def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not healthy"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200
