"""The token endpoint (OAuth 2.0 client credentials, RFC 6749 section 4.4) and bearer tokens on every call."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db, limiter
from skillpath.models import ApiToken, AuditEvent
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.api import clients, tokens
from tests import factories
from tests.integration._api_helpers import ApiCaller, issue_token, make_api_client, openapi_for, problem_of

TOKEN_URL = "/api/v1/oauth/token"


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def registered(establishment):
    return make_api_client([establishment], scopes=["learners:read", "establishments:read"])


@pytest.fixture
def api(app, client):
    return ApiCaller(app, None, openapi_for(client))


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def test_a_client_gets_a_token_with_basic_authentication_and_uses_it(api, registered):
    response = api(
        "POST",
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=_basic(registered.client.client_id, registered.secret),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 15 * 60
    assert body["scope"] == "establishments:read learners:read"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["Pragma"] == "no-cache"
    # Only the token's hash is kept.
    stored = db.session.scalar(select(ApiToken).where(ApiToken.api_client_id == registered.client.id))
    assert stored is not None and stored.token_hash == tokens.token_hash(body["access_token"])
    assert body["access_token"] not in stored.token_hash
    assert api.get("/api/v1/learners", token=body["access_token"]).status_code == 200


def test_a_client_gets_a_token_with_its_secret_in_the_body_and_a_subset_of_its_scopes(api, registered):
    response = api(
        "POST",
        TOKEN_URL,
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client.client_id,
            "client_secret": registered.secret,
            "scope": "learners:read",
        },
    )
    assert response.status_code == 200
    assert response.get_json()["scope"] == "learners:read"
    refused = api.get("/api/v1/establishments", token=response.get_json()["access_token"])
    problem_of(refused, 403)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": "client_credentials", "scope": "goals:write"}, "invalid_scope"),
        ({"grant_type": "client_credentials", "scope": "everything"}, "invalid_scope"),
    ],
)
def test_token_requests_that_are_wrong_get_the_rfc_error(api, registered, data, error):
    response = api(
        "POST",
        TOKEN_URL,
        data=data,
        headers=_basic(registered.client.client_id, registered.secret),
        check_request=False,  # wrong on purpose
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == error and response.get_json()["error_description"]


def test_a_wrong_secret_an_unknown_client_and_a_revoked_client_are_all_invalid_client(api, registered, admin):
    wrong = api(
        "POST",
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=_basic(registered.client.client_id, "nope"),
    )
    unknown = api("POST", TOKEN_URL, data={"grant_type": "client_credentials"}, headers=_basic("sp-nobody", "nope"))
    clients.revoke_client(registered.client, by=admin)
    revoked = api(
        "POST",
        TOKEN_URL,
        data={"grant_type": "client_credentials"},
        headers=_basic(registered.client.client_id, registered.secret),
    )
    for response in (wrong, unknown, revoked):
        assert response.status_code == 401
        assert response.get_json()["error"] == "invalid_client"
        assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_authenticating_two_ways_at_once_or_not_as_a_form_is_an_invalid_request(api, registered):
    both = api(
        "POST",
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_secret": registered.secret},
        headers=_basic(registered.client.client_id, registered.secret),
    )
    assert both.status_code == 400 and both.get_json()["error"] == "invalid_request"
    as_json = api("POST", TOKEN_URL, json={"grant_type": "client_credentials"}, check_request=False)
    assert as_json.status_code == 400 and as_json.get_json()["error"] == "invalid_request"


def test_a_call_without_a_token_is_401_with_a_bearer_challenge(api):
    response = api.get("/api/v1/learners", check_request=False)  # no token, on purpose
    body = problem_of(response, 401)
    assert body["type"].endswith("/api/v1/problems/token-required")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error=" not in response.headers["WWW-Authenticate"]


def test_an_unknown_or_expired_token_is_invalid_token(api, registered):
    token = issue_token(registered)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == tokens.token_hash(token)))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    for bad in (token, "made-up"):
        response = api.get("/api/v1/learners", token=bad)
        body = problem_of(response, 401)
        assert body["type"].endswith("/invalid-token")
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert "expired" in api.get("/api/v1/learners", token=token).get_json()["detail"]


def test_a_revoked_clients_tokens_stop_working_at_once(api, registered, admin):
    token = issue_token(registered)
    assert api.get("/api/v1/learners", token=token).status_code == 200
    clients.revoke_client(registered.client, by=admin)
    problem_of(api.get("/api/v1/learners", token=token), 401)


def test_a_missing_scope_is_403_insufficient_scope_naming_it(api, registered):
    token = issue_token(registered)
    response = api.get(f"/api/v1/learners/{factories.make_learner().public_id}/goals", token=token)
    body = problem_of(response, 403)
    assert body["type"].endswith("/insufficient-scope")
    assert 'error="insufficient_scope"' in response.headers["WWW-Authenticate"]
    assert 'scope="goals:read"' in response.headers["WWW-Authenticate"]


def test_each_client_has_its_own_rate_limit(app, api, registered, establishment, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT", "3 per minute")
    token = issue_token(registered)
    other = issue_token(make_api_client([establishment], scopes=["learners:read"]))
    assert [api.get("/api/v1/learners", token=token).status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/api/v1/learners", token=token)
    body = problem_of(limited, 429)
    assert body["type"].endswith("/rate-limited") and int(limited.headers["Retry-After"]) >= 1
    assert api.get("/api/v1/learners", token=other).status_code == 200


def test_every_call_is_audited_with_the_client_and_no_person(api, registered):
    token = issue_token(registered)
    api.get("/api/v1/learners", token=token)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.API_CALL).order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.api_client_id == registered.client.id and event.actor_id is None
    assert event.detail == {"method": "GET", "route": "/api/v1/learners", "status": 200}
