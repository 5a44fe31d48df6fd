"""CORS for the public machine endpoints, so an employer's web page on another origin can call them.

Only what anyone may read anyway: the JSON API, the issuer's profile and keys,
status lists (errors.is_machine_path says which addresses). Any origin may call
them, always without cookies: Access-Control-Allow-Credentials is never sent,
so a browser leaves the caller's cookies for this site out of the request.
A preflight (OPTIONS with Access-Control-Request-Method) is answered here with
204 and what may be sent, before any view, rate limit or CSRF check runs.
"""

from __future__ import annotations

from flask import Response, current_app, request

from skillpath.errors import is_machine_path
from skillpath.logs import REQUEST_ID_HEADER

PREFLIGHT_MAX_AGE = 7200  # seconds: Chromium's ceiling, so longer would not save a browser any preflights
ALLOWED_REQUEST_HEADERS = "Content-Type, Accept"
EXPOSED_HEADERS = f"Retry-After, {REQUEST_ID_HEADER}"


def answer_preflight() -> Response | None:
    """The answer to a CORS preflight for a machine endpoint that exists; None lets the request go on."""
    if (
        request.method != "OPTIONS"
        or "Access-Control-Request-Method" not in request.headers
        or request.url_rule is None
        or not is_machine_path(request.path)
    ):
        return None
    methods = sorted((request.url_rule.methods or set()) | {"OPTIONS"})
    response = current_app.response_class(status=204)
    response.headers["Access-Control-Allow-Methods"] = ", ".join(methods)
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_REQUEST_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


def allow_any_origin(response: Response) -> Response:
    """Every response from a machine endpoint, errors included, may be read by any origin (never with cookies)."""
    if is_machine_path(request.path):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers.pop("Access-Control-Allow-Credentials", None)
    return response
