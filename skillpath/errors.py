"""Error pages in the service's own style. A user never sees a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from skillpath.extensions import db

log = logging.getLogger(__name__)

_PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


# What an API caller is told, in place of the page a person would see.
_API_MESSAGES = {
    400: "The request was not understood.",
    404: "Not found.",
    405: "That method is not allowed here.",
    413: "The request is too large.",
    429: "Too many requests. Wait a minute, then try again.",
    500: "Something went wrong. Try again later.",
}


def _body(code: int, template: str, **context: object) -> Response | str:
    """A styled page for people; a small JSON object for the JSON API under /api/."""
    if request.path.startswith("/api/"):
        return jsonify(status="error", error=_API_MESSAGES.get(code, _API_MESSAGES[400]))
    return render_template(template, **context)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[Response | str, int]:
        return _body(400, "errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def _http_error(
        error: HTTPException,
    ) -> tuple[Response | str, int] | tuple[Response | str, int, list[tuple[str, str]]]:
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        # Keep what the error says beyond its page, such as the Allow header of a 405.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return _body(code, _PAGES.get(code, "errors/400.html"), error=error), code, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response | str, int] | tuple[Response | str, int, list[tuple[str, str]]]:
        if isinstance(error, HTTPException):
            return _http_error(error)
        return _server_error(InternalServerError(original_exception=error))

    def _server_error(error: HTTPException) -> tuple[Response | str, int]:
        log.exception("Unhandled error", exc_info=getattr(error, "original_exception", None) or error)
        db.session.rollback()
        return _body(500, "errors/500.html"), 500
