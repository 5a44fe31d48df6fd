"""The front door: send each user to their own home page; the language switch; a health check for operators."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath import i18n
from skillpath.auth.policy import public
from skillpath.auth.routes import home_for
from skillpath.services.health import database_is_reachable

bp = Blueprint("main", __name__)

LANGUAGE_COOKIE_AGE = timedelta(days=365)


@bp.route("/")
@public
def index() -> Response:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.sign_in"))


def local_path(target: str | None) -> str | None:
    """The address if it is a path on this site, else None: the switch must never be an open redirect.

    Browsers drop tabs and newlines from URLs ("/\\t/evil.example" becomes "//evil.example") and read a
    backslash as a slash, so any such character is refused too.
    """
    if not target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/language")
@public
def language() -> Response:
    """Show SkillPath in English or Welsh from now on (a cookie, no account needed), and go back to the page."""
    response = redirect(local_path(request.args.get("next")) or url_for("main.index"))
    chosen = request.args.get("to", "")
    if chosen in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            chosen,
            max_age=int(LANGUAGE_COOKIE_AGE.total_seconds()),
            samesite="Lax",
            httponly=True,
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


@bp.route("/health")
@public
def health() -> tuple[Response, int]:
    if not database_is_reachable():
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200
