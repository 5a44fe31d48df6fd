"""The staff API's blueprint: the token endpoint, the OpenAPI document, problem type pages, and the hooks every
call shares (no caching, problem details for refusals, one audit event per call naming the client).

The resources are in resources.py (reads) and changes.py (writes).
"""

from __future__ import annotations

import base64
import binascii
import logging
from urllib.parse import unquote_plus

from flask import Blueprint, abort, current_app, g, render_template, request
from werkzeug.wrappers import Response

from skillpath import transactions
from skillpath.api import openapi
from skillpath.api.bodies import FIELD_POINTERS
from skillpath.api.problems import PROBLEM_TYPES, ApiRefusal, api_problem
from skillpath.api.responses import json_response
from skillpath.auth.passwords import dummy_verify, verify_secret
from skillpath.auth.policy import public
from skillpath.logs import log_event
from skillpath.services.api import tokens
from skillpath.services.api.audit import record_api_call, stop_acting
from skillpath.services.errors import DomainError
from skillpath.web import limiter

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")

DEFAULT_TOKEN_RATE_LIMIT = "60 per minute"  # noqa: S105  (a rate, not a secret)
FORM = "application/x-www-form-urlencoded"


def _token_rate_limit() -> str:
    return str(current_app.config.get("API_TOKEN_RATE_LIMIT", DEFAULT_TOKEN_RATE_LIMIT))


@bp.errorhandler(ApiRefusal)
def _refused(error: ApiRefusal) -> Response:
    return error.response


@bp.errorhandler(DomainError)
def _domain_error(error: DomainError) -> Response:
    """A use case refused: its message, and the field it is about if any, as problem details."""
    slug = error.slug if error.slug in PROBLEM_TYPES else "refused"
    extra = {}
    if error.field:
        pointer = FIELD_POINTERS.get(error.field) or "/" + openapi.camel(error.field)
        extra["errors"] = [{"pointer": pointer, "detail": str(error.message)}]
    return api_problem(slug, str(error.message), status=error.status, **extra)


@bp.after_request
def _after_call(response: Response) -> Response:
    """No copies kept; and every call by a known client is audited. A refused call's changes are dropped, but its
    audit event is kept (a client probing for records outside its establishments shows in the log)."""
    response.headers["Cache-Control"] = "no-store"
    client = g.get("api_client")
    # Not a 429 (a flood would write a row a call) nor a 5xx (the database may be what failed).
    status = response.status_code
    if client is not None and status != 429 and status < 500 and request.url_rule is not None:
        refused = response.status_code >= 400
        record_api_call(
            client,
            method=request.method,
            route=request.url_rule.rule,
            status=response.status_code,
            subject=g.get("api_subject"),
            discard_changes=refused,
        )
        if refused:
            transactions.keep_on_error()
    stop_acting()
    return response


# --- OAuth 2.0 client credentials (RFC 6749 section 4.4) -------------------------------------------------------


def _oauth_error(error: str, description: str, status: int = 400, *, basic: bool = False) -> Response:
    response = json_response({"error": error, "error_description": description}, status)
    response.headers["Pragma"] = "no-cache"
    if status == 401 and basic:  # RFC 6749 section 5.2: the scheme the client tried
        response.headers["WWW-Authenticate"] = 'Basic realm="skillpath-api"'
    return response


def _basic_credentials() -> tuple[str, str] | None:
    """client_secret_basic: the id and secret, each form-urlencoded, in an Authorization: Basic header."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _duplicated() -> list[str]:
    return sorted(name for name in request.form if len(request.form.getlist(name)) > 1)


def _token_request() -> tuple[str, str, str | None]:
    """The client's id, secret and the scope it asks for, read as RFC 6749 says; OAuthError if they cannot be."""
    if request.mimetype != FORM:
        raise tokens.OAuthError("invalid_request", f"Send the parameters as {FORM}.")
    duplicated = _duplicated()
    if duplicated:
        raise tokens.OAuthError("invalid_request", f"Parameters sent more than once: {', '.join(duplicated)}.")
    grant_type = request.form.get("grant_type")
    if not grant_type:
        raise tokens.OAuthError("invalid_request", "grant_type is required: client_credentials.")
    if grant_type != "client_credentials":
        raise tokens.OAuthError("unsupported_grant_type", "Only the client_credentials grant is supported.")
    basic = _basic_credentials()
    posted = (request.form.get("client_id"), request.form.get("client_secret"))
    if basic is not None and posted[1] is not None:
        raise tokens.OAuthError("invalid_request", "Authenticate the client one way only: basic or in the body.")
    if basic is not None:
        return basic[0], basic[1], request.form.get("scope")
    if posted[0] is None or posted[1] is None:
        dummy_verify("no secret")
        raise tokens.OAuthError("invalid_client", "Authenticate the client with its id and secret.", status=401)
    return posted[0], posted[1], request.form.get("scope")


@bp.route("/oauth/token", methods=["POST"])
@public
@limiter.limit(_token_rate_limit)
def token() -> Response:
    """A bearer token for a client that proves itself with its id and secret (basic or in the body)."""
    try:
        client_id, secret, scope = _token_request()
        issued = tokens.issue_token(
            client_id=client_id,
            client_secret=secret,
            scope=scope,
            check_secret=_check_secret,
            lifetime=tokens.lifetime_from(current_app.config),
        )
    except tokens.OAuthError as error:
        log_event(log, "api.token.refused", logging.WARNING, error=error.error)
        return _oauth_error(error.error, error.description, error.status, basic=_basic_credentials() is not None)
    body = {"access_token": issued.access_token, "token_type": tokens.TOKEN_TYPE, "expires_in": issued.expires_in}
    response = json_response({**body, "scope": issued.scope})
    response.headers["Pragma"] = "no-cache"
    return response


def _check_secret(secret_hash: str | None, secret: str) -> bool:
    if secret_hash is None:
        dummy_verify(secret)  # an unknown client takes as long to refuse as a wrong secret
        return False
    return verify_secret(secret_hash, secret)


# --- Documents --------------------------------------------------------------------------------------------------


@bp.route("/openapi.json")
@public
def openapi_document() -> Response:
    response = json_response(openapi.document())
    response.mimetype = openapi.MEDIA_TYPE
    return response


@bp.route("/problems/<slug>")
@public
def problem_type(slug: str) -> str:
    """What one kind of problem the staff API reports means: the page its problem type URI names."""
    found = PROBLEM_TYPES.get(slug) or abort(404)
    return render_template("api_clients/problem_type.html", problem=found, slug=slug)


from skillpath.api import changes, resources  # noqa: E402, F401  (their routes join the blueprint)
