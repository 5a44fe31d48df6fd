"""Bearer tokens on every staff API call, the scope each call needs, and a rate limit per client.

`@client_required(scope)` marks a view as open to API clients only (the access meta-test knows the mark), checks
the token (RFC 6750: 401 with WWW-Authenticate when it is missing or not accepted, 403 insufficient_scope), counts
the call against the client's limit (429 with Retry-After), and puts the client on `g` for the view.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from limits import parse
from werkzeug.wrappers import Response

from skillpath.api.problems import api_problem
from skillpath.auth.policy import ACCESS_ATTRIBUTE
from skillpath.models import ApiClient, ApiScope
from skillpath.services.api import tokens
from skillpath.services.api.audit import act_as_client
from skillpath.web import count_against

F = TypeVar("F", bound=Callable[..., Any])

# The access mark of staff API views: protected by a bearer token, not by a signed-in role.
API_CLIENT = "api-client"
SCOPE_ATTRIBUTE = "_skillpath_api_scope"
DEFAULT_RATE_LIMIT = "300 per minute"
REALM = "skillpath-api"


def _challenge(error: str | None = None, description: str | None = None, scope: str | None = None) -> str:
    parts = [f'realm="{REALM}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append('error_description="{}"'.format(description.replace('"', "'")))
    if scope:
        parts.append(f'scope="{scope}"')
    return "Bearer " + ", ".join(parts)


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    return token


def _rate_limited(client: ApiClient) -> Response | None:
    item = parse(str(current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT)))
    wait = count_against([item], "api-client", client.client_id)
    if wait is None:
        return None
    response = api_problem("rate-limited", f"This client may make {item} calls. Wait {wait} seconds, then carry on.")
    response.headers["Retry-After"] = str(wait)
    return response


def _refuse_token(slug: str, detail: str, challenge: str) -> Response:
    response = api_problem(slug, detail)
    response.headers["WWW-Authenticate"] = challenge
    return response


def authenticate(scope: ApiScope) -> Response | None:
    """Check the request's token, limit and scope; the refusal to send, or None with the client on `g`."""
    token = _bearer_token()
    if token is None:
        return _refuse_token("token-required", "Send an access token: Authorization: Bearer <token>.", _challenge())
    check = tokens.check_token(token)
    if not check.is_valid or check.client is None:
        detail = check.problem or "The access token is not accepted."
        return _refuse_token("invalid-token", detail, _challenge("invalid_token", detail))
    client = check.client
    g.api_client = client
    g.api_scopes = check.scopes
    act_as_client(client)
    limited = _rate_limited(client)
    if limited is not None:
        return limited
    if scope not in check.scopes:
        detail = f"This call needs the scope {scope.value}, which the access token does not carry."
        return _refuse_token("insufficient-scope", detail, _challenge("insufficient_scope", detail, scope.value))
    return None


def client_required(scope: ApiScope) -> Callable[[F], F]:
    """Only API clients whose token carries `scope`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refusal = authenticate(scope)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTRIBUTE, API_CLIENT)
        setattr(wrapped, SCOPE_ATTRIBUTE, scope)
        return wrapped  # type: ignore[return-value]

    return decorator


def current_client() -> ApiClient:
    client: ApiClient = g.api_client
    return client


def has_scope(scope: ApiScope) -> bool:
    return scope in g.get("api_scopes", frozenset())
