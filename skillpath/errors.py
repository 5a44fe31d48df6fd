"""Error pages in the service's own style. A user never sees a stack trace.

Every error page shows the request's reference (see logs.py), so a user can quote it and an operator can
find the matching log lines. A database that cannot be reached is a 503 "not available right now", not a
500: nothing can be half-saved, as a request's work commits in one transaction or not at all.

Software, not people, reads the JSON API under /api/ and the public machine endpoints (the issuer's
profile and keys, status lists): every error there is one shape, RFC 9457 problem details
(application/problem+json with type, title, status and detail), whatever raised it.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, json, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES

from skillpath.expired_form import is_same_origin, keep_fields
from skillpath.extensions import db, login_manager
from skillpath.logs import log_event, mark_security_event, request_id
from skillpath.web import limiter, seconds_until

log = logging.getLogger(__name__)

_PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


PROBLEM_MEDIA_TYPE = "application/problem+json"
# The public machine endpoints outside /api/: the issuer's profile and keys, and its status lists.
_MACHINE_PATHS = ("/api/", "/.well-known/", "/issuer/", "/credentials/")

# What an API caller is told, in place of the page a person would see.
_API_MESSAGES = {
    400: "The request was not understood.",
    403: "You do not have access to this.",
    404: "Not found.",
    405: "That method is not allowed here.",
    413: "The request is too large.",
    415: "The request body is not in a media type this endpoint reads.",
    429: "Too many requests. Wait a minute, then try again.",
    500: "Something went wrong. Try again later.",
    503: "The service is not available right now. Try again in a few minutes.",
}

# The database is down, restarting, unreachable or out of connections: worth trying again later.
DATABASE_UNAVAILABLE = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)

ErrorResponse = tuple[Response | str, int] | tuple[Response | str, int, Any]


def is_database_unavailable(error: BaseException | None) -> bool:
    if isinstance(error, DATABASE_UNAVAILABLE):
        return True
    return isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated


def is_machine_path(path: str) -> bool:
    """Whether software, not a person, reads this address: the JSON API and the public machine endpoints."""
    return path == "/issuer" or path.startswith(_MACHINE_PATHS)


def problem(
    status: int, detail: str, *, type_: str = "about:blank", title: str | None = None, **extra: Any
) -> Response:
    """An RFC 9457 problem details response. With type about:blank the title is the HTTP status phrase."""
    body = {
        "type": type_,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **extra,
        "requestId": request_id(),
    }
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status)
    response.mimetype = PROBLEM_MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


def _body(code: int, template: str, **context: object) -> Response | str:
    """A styled page for people; problem details for software (see is_machine_path)."""
    if is_machine_path(request.path):
        return problem(code, _API_MESSAGES.get(code, _API_MESSAGES[400]))
    return render_template(template, **context)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> ErrorResponse:
        mark_security_event("csrf.failed")
        if is_machine_path(request.path):
            return _body(400, "errors/csrf.html"), 400
        return render_template("errors/csrf.html", **expired_form_context()), 400

    for database_error in DATABASE_UNAVAILABLE:
        app.register_error_handler(database_error, _database_unavailable)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> ErrorResponse:
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        # Keep what the error says beyond its page, such as the Allow header of a 405.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        if code == 429 and not any(name.lower() == "retry-after" for name, _ in headers):
            headers.append(("Retry-After", _seconds_until_allowed()))
        return _body(code, _PAGES.get(code, "errors/400.html"), error=error), code, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ErrorResponse:
        if isinstance(error, HTTPException):
            return _http_error(error)
        return _server_error(InternalServerError(original_exception=error))


def _seconds_until_allowed() -> str:
    """When a refused caller may try again. The rate-limit headers are off by default (RATELIMIT_HEADERS_ENABLED:
    they cost two Redis round trips on every answer, the most expensive part of a certificate check), so a
    refusal works out its own Retry-After, in seconds as the API documents it: one look at the limit's window."""
    limit = limiter.current_limit
    if limit is None:
        return "60"
    return str(seconds_until(limit.reset_at))


def _server_error(error: HTTPException) -> ErrorResponse:
    original = getattr(error, "original_exception", None)
    # Reached also when an error page itself failed, such as one that needed the database to find the user.
    if original is not None and is_database_unavailable(original):
        return _database_unavailable(original)
    log_event(log, "error", logging.ERROR, exc_info=original or error)
    _rollback_quietly()
    return _body(500, "errors/500.html"), 500


def _database_unavailable(error: Exception) -> ErrorResponse:
    log_event(log, "database_unavailable", logging.ERROR, error=type(error).__name__, reason=_first_line(error))
    _rollback_quietly()
    # The page must not need the database: show it as to someone signed out, whoever asked.
    g._login_user = login_manager.anonymous_user()
    retry_after = str(current_app.config.get("DATABASE_RETRY_AFTER", 120))
    return _body(503, "errors/503.html"), 503, {"Retry-After": retry_after}


def _first_line(error: Exception) -> str:
    # The driver's own words ("connection refused"); the SQL statement and any later DETAIL lines are left out.
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:200] if text else ""


def _rollback_quietly() -> None:
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        log.warning("Rollback failed while answering an error", exc_info=True)


def expired_form_context() -> dict[str, Any]:
    """What the expired-page template needs to give back what was typed (see expired_form.py)."""
    context: dict[str, Any] = {"kept": None, "can_resend": False, "action": None, "sign_in_url": None}
    if request.method not in {"POST", "PUT", "PATCH"} or request.endpoint is None or request.url_rule is None:
        return context
    hosts = [request.host, current_app.config.get("PUBLIC_BASE_URL", "").split("://")[-1].split("/")[0]]
    if not is_same_origin(request.headers.get("Origin"), request.headers.get("Referer"), hosts):
        return context  # perhaps a forged form from another site: give nothing back
    kept = keep_fields(
        request.form.items(multi=True),
        ((name, upload.filename or "") for name, upload in request.files.items(multi=True)),
    )
    query = request.query_string.decode("utf-8", "replace")
    context.update(
        kept=kept,
        can_resend=current_user.is_authenticated and not kept.truncated,
        action=url_for(request.endpoint, **(request.view_args or {})) + (f"?{query}" if query else ""),
        sign_in_url=url_for("auth.sign_in", next=request.path)
        if "GET" in (request.url_rule.methods or ())
        else url_for("auth.sign_in"),
    )
    return context
