"""Error pages in the service's own style. A user never sees a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
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


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | tuple[str, int, list[tuple[str, str]]]:
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        # Keep what the error says beyond its page, such as the Allow header of a 405.
        headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        return render_template(_PAGES.get(code, "errors/400.html"), error=error), code, headers

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int] | tuple[str, int, list[tuple[str, str]]]:
        if isinstance(error, HTTPException):
            return _http_error(error)
        return _server_error(InternalServerError(original_exception=error))

    def _server_error(error: HTTPException) -> tuple[str, int]:
        log.exception("Unhandled error", exc_info=getattr(error, "original_exception", None) or error)
        db.session.rollback()
        return render_template("errors/500.html"), 500
