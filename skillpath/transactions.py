"""One transaction per request, committed after the view.

Views and services never call ``commit()``: a request's changes (and the audit events that record them) are
committed together once the view has answered with a success or a redirect, and rolled back if it answered
with an error or raised. So a page can never leave half an action saved, and every interface (pages, the
API, commands) gets the same all-or-nothing behaviour from the same service functions.

Some answers are refusals that must still be remembered: a wrong password counts towards the lockout and
is audited, although the page answers 200 with an error or 429. A view says so with ``keep_on_error()``.
If the commit itself fails (the database went away, or a conflicting write won a race), the person sees the
error page for that and nothing was saved; the response the view built is discarded.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import Conflict, InternalServerError

from skillpath.extensions import db

log = logging.getLogger(__name__)
_KEEP = "skillpath_keep_on_error"


def keep_on_error() -> None:
    """Commit this request's changes even though the answer is an error (a refused sign-in, a throttle)."""
    g.setdefault(_KEEP, True)


def _commits(response: Response) -> bool:
    # A kept refusal is a 4xx; a 5xx means something broke mid-way, so nothing of it is kept, ever.
    return response.status_code < 400 or (response.status_code < 500 and bool(g.get(_KEEP)))


def commit_after_request(response: Response) -> Response:
    if not db.session.registry.has():
        return response  # the request never used the database session (a public certificate check, say)
    session = db.session()
    if not (session.in_transaction() or session.new or session.dirty or session.deleted):
        return response  # nothing was read or changed through it
    if not _commits(response):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except sa_exc.IntegrityError as error:
        db.session.rollback()
        log.warning("A request's changes conflicted with another's and were not saved", exc_info=error)
        return _error_response(Conflict())
    except sa_exc.SQLAlchemyError:
        db.session.rollback()
        raise
    return response


def _error_response(error: Conflict | InternalServerError) -> Response:
    return current_app.make_response(current_app.handle_user_exception(error))


def init_app(app: Flask) -> None:
    """Call last in create_app: hooks run in reverse order of registration, so this one runs first and the
    others (headers, logging) see the response that was actually sent, such as the 409 of a failed commit."""
    app.after_request(commit_after_request)
