"""The kinds of problem the staff API reports: RFC 9457 problem details whose `type` is a page saying what each
means (/api/v1/problems/<slug>). The OpenAPI document lists them; `detail` says what went wrong this time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from werkzeug.wrappers import Response

from skillpath.errors import problem


@dataclass(frozen=True)
class ApiProblemType:
    title: str
    status: int
    meaning: str
    what_to_do: str


PROBLEM_TYPES = {
    "token-required": ApiProblemType(
        "Access token required",
        401,
        "The request carried no bearer access token. Every call to the staff API needs one.",
        "Get a token from POST /api/v1/oauth/token with the client's id and secret, and send it as "
        "Authorization: Bearer <token>.",
    ),
    "invalid-token": ApiProblemType(
        "Access token not accepted",
        401,
        "The bearer token is unknown, has expired (tokens last 15 minutes), or its client was revoked.",
        "Get a new token from the token endpoint. If that fails too, ask an administrator about the client.",
    ),
    "insufficient-scope": ApiProblemType(
        "Scope not granted",
        403,
        "The token does not carry the scope this call needs. The response's WWW-Authenticate header names it.",
        "Ask for a token with that scope. If the client may not have it, an administrator registers a new client.",
    ),
    "not-found": ApiProblemType(
        "Not found",
        404,
        "There is nothing here for this client: no such record, or one outside the establishments the client is "
        "bound to. The two look exactly the same.",
        "Check the id. Lists only ever show records the client may see.",
    ),
    "malformed-body": ApiProblemType(
        "Body not readable",
        400,
        "The request body is not valid JSON.",
        "Send one JSON object, with Content-Type: application/json.",
    ),
    "unsupported-media-type": ApiProblemType(
        "Media type not read here",
        415,
        "The request body is not in a media type this endpoint reads.",
        "Send JSON, with Content-Type: application/json.",
    ),
    "validation-failed": ApiProblemType(
        "Request not valid",
        422,
        "The JSON was read, but some of it is not valid. The errors list names each field (as a JSON pointer) "
        "and says what is wrong with it: a field this endpoint does not know, a value of the wrong type, a code "
        "that is not one of the allowed codes, a query parameter out of range.",
        "Correct each field named and send the request again.",
    ),
    "invalid-cursor": ApiProblemType(
        "Cursor not valid",
        400,
        "The cursor is not one this API gave for this list, or it was changed.",
        "Start the list again without a cursor, then follow the next links.",
    ),
    "precondition-required": ApiProblemType(
        "If-Match required",
        428,
        "A change needs the If-Match header, so that it cannot overwrite a change made by someone else meanwhile.",
        "Read the resource, then send its ETag in If-Match with the change.",
    ),
    "precondition-failed": ApiProblemType(
        "Changed since it was read",
        412,
        "The resource has changed since the ETag in If-Match was read: someone else changed it meanwhile.",
        "Read the resource again, check the change still makes sense, then send it with the new ETag.",
    ),
    "conflict": ApiProblemType(
        "Not possible now",
        409,
        "The record is not in a state where this can happen, for example a module that is not ready for "
        "sign-off or a goal that is already completed.",
        "Read the record again; the detail says why.",
    ),
    "not-allowed": ApiProblemType(
        "Not allowed",
        403,
        "The record exists for this client, but this action on it is not one it may take.",
        "The detail says why.",
    ),
    "invalid-input": ApiProblemType(
        "Request refused",
        422,
        "The request was read, but what it asks for cannot be done with these values.",
        "The detail, and the errors list where there is one, say what to change.",
    ),
    "refused": ApiProblemType(
        "Request refused",
        400,
        "The action was refused.",
        "The detail says why and what to do instead.",
    ),
    "rate-limited": ApiProblemType(
        "Too many requests",
        429,
        "The client has made more calls than it may in a minute.",
        "Wait the number of seconds in the Retry-After header, then carry on.",
    ),
}


class ApiRefusal(Exception):
    """The call cannot go on; `response` is the problem details to send (the blueprint's handler sends it)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def problem_type_url(slug: str) -> str:
    """The absolute address of a problem type's page, from PUBLIC_BASE_URL (as the verification API's are)."""
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return base + current_app.url_map.bind("localhost").build("api.problem_type", {"slug": slug})


def api_problem(slug: str, detail: str, *, status: int | None = None, **extra: Any) -> Response:
    kind = PROBLEM_TYPES[slug]
    return problem(status or kind.status, detail, type_=problem_type_url(slug), title=kind.title, **extra)
