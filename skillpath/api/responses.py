"""What every staff API answer shares: JSON, ETags on single resources, If-Match on changes, cursor pages,
and the records a client may see loaded or refused with 404 (the same as for records that do not exist)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import current_app, g, json, request, url_for
from werkzeug.wrappers import Response

from skillpath.api.auth import current_client
from skillpath.api.problems import ApiRefusal, api_problem
from skillpath.api.validation import query_limit
from skillpath.models import Cohort, Establishment
from skillpath.services.api import cursors, etags, scoping
from skillpath.services.api.scoping import PlacedLearner

T = TypeVar("T")
JSON = "application/json"


def json_response(body: Any, status: int = 200) -> Response:
    response = current_app.response_class(json.dumps(body, ensure_ascii=False), status=status, mimetype=JSON)
    response.headers["Cache-Control"] = "no-store"
    return response


def single(body: dict[str, Any], status: int = 200) -> Response:
    """One resource, with its ETag."""
    response = json_response(body, status)
    response.headers["ETag"] = etags.etag_of(body)
    return response


def require_if_match(current: dict[str, Any]) -> None:
    """A change must name the representation it was based on: 428 without If-Match, 412 if it is stale."""
    if_match = request.headers.get("If-Match")
    if not if_match:
        raise ApiRefusal(api_problem("precondition-required", "Send the resource's ETag in If-Match to change it."))
    if not etags.matches(if_match, etags.etag_of(current)):
        raise ApiRefusal(
            api_problem(
                "precondition-failed",
                "The resource has changed since that ETag was read. Read it again and send the new ETag.",
            )
        )


def _listing() -> str:
    return request.path


def page_of(
    fetch: Callable[[int, int], Sequence[T]], serialise: Callable[[T], Any], key: Callable[[T], int]
) -> Response:
    """One page of a list: `fetch(after, limit)` reads it; the answer links to the next page when there is one."""
    limit = query_limit(cursors.DEFAULT_LIMIT, cursors.MAX_LIMIT)
    secret = str(current_app.config["SECRET_KEY"])
    try:
        after = cursors.read_cursor(secret, _listing(), request.args.get("cursor"))
    except cursors.CursorError as error:
        raise ApiRefusal(api_problem("invalid-cursor", str(error))) from None
    items = list(fetch(after, limit + 1))
    more = len(items) > limit
    items = items[:limit]
    next_cursor = cursors.make_cursor(secret, _listing(), key(items[-1])) if more and items else None
    response = json_response({"items": [serialise(item) for item in items], "next": next_cursor})
    if next_cursor is not None:
        values: dict[str, Any] = {**request.args.to_dict(), **(request.view_args or {})}
        values.update(cursor=next_cursor, limit=limit)
        link = url_for(str(request.endpoint), **values)
        response.headers["Link"] = f'<{link}>; rel="next"'
    return response


def not_found(what: str) -> ApiRefusal:
    return ApiRefusal(api_problem("not-found", f"There is no {what} with this id for this client."))


def learner_or_404(learner_id: uuid.UUID) -> PlacedLearner:
    placed = scoping.find_learner(current_client(), learner_id)
    if placed is None:
        raise not_found("learner")
    g.api_subject = placed.learner  # the audit event of this call is about them
    return placed


def establishment_or_404(establishment_id: uuid.UUID) -> Establishment:
    establishment = scoping.find_establishment(current_client(), establishment_id)
    if establishment is None:
        raise not_found("establishment")
    return establishment


def cohort_or_404(cohort_id: uuid.UUID) -> Cohort:
    cohort = scoping.find_cohort(current_client(), cohort_id)
    if cohort is None:
        raise not_found("cohort")
    return cohort
