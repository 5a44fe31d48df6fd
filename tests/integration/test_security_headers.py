"""Security headers on every page, and a Content-Security-Policy whose nonce is the one on the page's scripts."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import sign_in
from tests.helpers import page

NONCE = re.compile(r"script-src [^;]*'nonce-([A-Za-z0-9_\-]+)'")


def _nonce(response) -> str:
    match = NONCE.search(response.headers["Content-Security-Policy"])
    assert match, response.headers["Content-Security-Policy"]
    return match.group(1)


@pytest.fixture
def pages(app) -> list[tuple[FlaskClient, str]]:
    """A page of every kind, each with the client that may see it."""
    cohort = factories.make_cohort()
    mentor = factories.make_mentor(cohorts=[cohort])
    learner = factories.make_learner(cohort=cohort)
    admin_client = sign_in(app.test_client(), factories.make_admin())
    mentor_client = sign_in(app.test_client(), mentor)
    learner_client = sign_in(app.test_client(), learner)
    signed_out = app.test_client()
    return [
        (signed_out, "/sign-in"),
        (signed_out, "/activate"),
        (signed_out, "/no-such-page"),
        (admin_client, "/admin/"),
        (admin_client, f"/admin/establishments/{cohort.establishment.public_id}"),
        (admin_client, f"/admin/cohorts/{cohort.public_id}"),
        (admin_client, "/admin/staff"),
        (admin_client, "/admin/staff/new"),
        (admin_client, "/admin/establishments/new"),
        (mentor_client, "/mentor/"),
        (mentor_client, f"/mentor/cohorts/{cohort.public_id}"),
        (mentor_client, f"/mentor/cohorts/{cohort.public_id}/add-learner"),
        (mentor_client, f"/mentor/learners/{learner.public_id}"),
        (mentor_client, "/admin/"),
        (learner_client, "/account/change-password"),
    ]


def test_every_page_sends_the_security_headers(pages):
    for client, url in pages:
        response = client.get(url)
        assert response.mimetype == "text/html", url
        headers = response.headers
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Cache-Control"] == "no-store", url
        assert headers["Referrer-Policy"] == "same-origin", url
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy
        assert "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy


def test_every_script_is_a_file_or_carries_this_responses_nonce(pages):
    for client, url in pages:
        response = client.get(url)
        nonce = _nonce(response)
        scripts = page(response).find_all("script")
        assert scripts, url
        for script in scripts:
            if script.get("type") == "application/json":
                continue  # data for charts: never run, so the policy does not apply
            if script.get("src"):
                assert script["src"].startswith("/"), f"{url}: a script from another site: {script['src']}"
            else:
                assert script.get("nonce") == nonce, f"{url}: an inline script without this response's nonce"


def test_the_nonce_matches_the_page_and_changes_every_time(client):
    first, second = client.get("/sign-in"), client.get("/sign-in")
    nonces = [_nonce(first), _nonce(second)]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        inline = [s for s in page(response).find_all("script") if not s.get("src")]
        assert inline and all(s["nonce"] == nonce for s in inline)
    assert len(nonces[0]) >= 16


def test_redirects_and_json_get_the_headers_too(client):
    redirect = client.get("/")
    assert redirect.status_code == 302
    assert redirect.headers["X-Frame-Options"] == "DENY"
    health = client.get("/health")
    assert health.status_code == 200
    assert health.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site(client):
    response = client.get("/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_behind_a_trusted_proxy_rate_limits_see_the_clients_address(database_url):
    from flask import request

    from tests.conftest import make_test_app

    app = make_test_app(database_url, TRUST_PROXY_HOPS=1)
    seen = []

    @app.get("/_test/address")
    def _address() -> str:
        seen.append(request.remote_addr)
        return "ok"

    app.test_client().get("/_test/address", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == ["203.0.113.9"]
