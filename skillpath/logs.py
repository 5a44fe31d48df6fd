"""Logs an operator can search: one line per request and one per security event, as JSON or as text.

What a line may hold is fixed here, because SkillPath holds data about people in prison: a request is
logged by its URL rule (`/mentor/learners/<uuid:learner_id>`), never the path with its ids or the query
string; a person appears only as a pseudonym, an HMAC of their public id under SECRET_KEY, so lines about
one person can be joined up without saying who they are. Names, usernames, prison numbers, passwords and
form values never reach a log line.

Every request gets an id: a caller's X-Request-ID if it looks like one, otherwise a new random one. It is
sent back in the X-Request-ID header, printed on every error page as "Reference: …" and put on every line
logged while the request runs, so a user can quote it and an operator can find what happened.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, Response, current_app, g, has_app_context, has_request_context, request
from flask.logging import default_handler
from flask.signals import request_started

from config import ConfigError

REQUEST_ID_HEADER = "X-Request-ID"
# Only ids that cannot smuggle anything into a log line or a header are taken from the caller.
_REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9-]{8,64}$")
_FIELDS = "skillpath_fields"
_HANDLER_MARK = "_skillpath_handler"

request_log = logging.getLogger("skillpath.requests")
security_log = logging.getLogger("skillpath.security")

# Responses that are security events whatever route gave them (the verify pages answer their own 429s).
_SECURITY_STATUSES = {403: "access.refused", 429: "rate_limited"}


# --- Who and which request, without saying who -------------------------------------------------------


def pseudonym(public_id: object) -> str | None:
    """The same 16 hex characters for the same person in every log line; meaningless without SECRET_KEY."""
    if public_id is None or not has_app_context():
        return None
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    return hmac.new(key, str(public_id).encode(), hashlib.sha256).hexdigest()[:16]


def user_pseudonym(user: object) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return pseudonym(getattr(user, "public_id", None))


def request_id() -> str | None:
    """This request's id, made on first use; None outside a request (a CLI command, say)."""
    if not has_request_context():
        return None
    current = g.get("request_id")
    if current is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        current = incoming if _REQUEST_ID_PATTERN.fullmatch(incoming) else secrets.token_hex(16)
        g.request_id = current
    return str(current)


def mark_security_event(event: str) -> None:
    """Note an event for the request's security line, written once the response is known."""
    g.security_event = event


# --- Writing events --------------------------------------------------------------------------------


def log_event(
    logger: logging.Logger, event: str, level: int = logging.INFO, *, exc_info: Any = None, **fields: Any
) -> None:
    """One structured line: `event` names what happened; `fields` must never hold personal data."""
    if has_request_context() and "request_id" not in fields:
        fields = {"request_id": request_id(), **fields}
    logger.log(level, event, exc_info=exc_info, extra={_FIELDS: fields})


def security_event(event: str, level: int = logging.WARNING, **fields: Any) -> None:
    log_event(security_log, event, level, **fields)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Lines from other libraries keep their message under "message"."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(_record_fields(record, self), default=str)


class TextFormatter(logging.Formatter):
    """The same fields as the JSON lines, as `key=value` pairs that are easy to read in a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        data = _record_fields(record, self)
        exception = data.pop("exception", None)
        head = f"{data.pop('timestamp')} {data.pop('level')} {data.pop('logger')} {data.pop('event')}"
        message = data.pop("message", None)
        pairs = " ".join(f"{key}={value}" for key, value in data.items() if value is not None)
        line = " ".join(part for part in (head, message and str(message), pairs) if part)
        return f"{line}\n{exception}" if exception else line


def _record_fields(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    data: dict[str, Any] = {
        "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
    }
    fields = getattr(record, _FIELDS, None)
    if isinstance(fields, dict):
        data["event"] = record.getMessage()
        data.update(fields)
    else:
        data["event"] = "log"
        data["message"] = record.getMessage()
        if has_request_context():
            data["request_id"] = g.get("request_id")
    if record.exc_info:
        data["exception"] = formatter.formatException(record.exc_info)
    return data


# --- Wiring ------------------------------------------------------------------------------------------

_FORMATTERS: dict[str, type[logging.Formatter]] = {"json": JsonFormatter, "text": TextFormatter}


def init_app(app: Flask) -> None:
    fmt = str(app.config.get("LOG_FORMAT", "json")).lower()
    if fmt not in _FORMATTERS:
        raise ConfigError(f"LOG_FORMAT must be json or text, not {fmt!r}")
    # Our own loggers always pass INFO on, so pytest's caplog sees request lines without any set-up.
    logging.getLogger("skillpath").setLevel(app.config.get("LOG_LEVEL", "INFO"))
    if not app.testing:
        # Flask would otherwise add its own handler to the "skillpath" logger and print every line twice.
        app.logger.removeHandler(default_handler)
        install_handler(_FORMATTERS[fmt](), level=app.config.get("LOG_LEVEL", "INFO"))
    request_started.connect(_start_request, app)
    app.after_request(_finish_request)


def install_handler(formatter: logging.Formatter, *, level: str | int = "INFO", stream: IO[str] | None = None) -> None:
    """One handler on the root logger, replacing ours from an earlier create_app, so lines are never doubled."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    setattr(handler, _HANDLER_MARK, True)
    root.addHandler(handler)
    root.setLevel(level)


def _start_request(sender: Flask, **_extra: Any) -> None:
    g.request_started_at = time.perf_counter()
    request_id()


def _finish_request(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id() or ""
    started = g.get("request_started_at")
    status = response.status_code
    # Only a user already loaded for this request: loading one here could touch a database that is down.
    user = user_pseudonym(g.get("_login_user"))
    route = request.url_rule.rule if request.url_rule is not None else None
    level = logging.ERROR if status >= 500 else logging.DEBUG if request.endpoint == "static" else logging.INFO
    log_event(
        request_log,
        "request",
        level,
        method=request.method,
        route=route,
        endpoint=request.endpoint,
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 1) if started is not None else None,
        user=user,
    )
    event = g.pop("security_event", None) or _SECURITY_STATUSES.get(status)
    if event:
        security_event(event, method=request.method, route=route, status=status, user=user)
    return response
