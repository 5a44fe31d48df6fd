"""The access meta-test: every endpoint is either on an explicit public list or protected by role.

This is the single most valuable test in a system that holds data about people
in prison. Adding a public page means adding it to PUBLIC_ENDPOINTS here, on
purpose, in review.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule, UUIDConverter
from werkzeug.test import TestResponse

from skillpath.api.auth import API_CLIENT
from skillpath.auth.policy import ACCESS_ATTRIBUTE, PUBLIC
from skillpath.models import UserRole
from tests import factories
from tests.conftest import sign_in
from tests.helpers import csrf_token, location_path

PUBLIC_ENDPOINTS = frozenset(
    {
        "main.index",
        "main.health",
        "main.language",  # the footer's switch to Welsh or English: sets a cookie, nothing else
        "auth.sign_in",
        "auth.activate",
        "auth.recover",
        # Employers check certificates with no account (the verification page, its file upload,
        # its JSON API and OpenAPI document, the issuer's public keys and profile).
        "verify.index",
        "verify.certificate",
        "verify.printable",  # the certificate as a web page to print or read with a screen reader
        "verify.api_code",
        "verify.api_credential",
        "verify.issuer_profile",
        "verify.jwks",
        "verify.check_file",
        "verify.issuer_key",
        "verify.openapi_document",
        "verify.problem_type",
        # Wallets and verifiers read the signed W3C Bitstring Status Lists of the JSON-LD credentials.
        "credentials.status_list",
        # A learner's share link opens its page and the shared files to whoever holds the link's token.
        "sharing.shared",
        "sharing.shared_pdf",
        "sharing.shared_jsonld",
        "sharing.shared_jwt",
        "auth.choose_password",
        # The staff API's token endpoint (clients prove themselves there), its OpenAPI document and problem pages.
        "api.token",
        "api.openapi_document",
        "api.problem_type",
        "static",
    }
)


def _access(app: Flask, endpoint: str) -> object:
    return getattr(app.view_functions[endpoint], ACCESS_ATTRIBUTE, None)


def _protected_rules(app: Flask) -> Iterator[tuple[Rule, frozenset[UserRole]]]:
    for rule in app.url_map.iter_rules():
        access = _access(app, rule.endpoint)
        if rule.endpoint not in PUBLIC_ENDPOINTS and isinstance(access, frozenset):
            yield rule, access


def _url(app: Flask, rule: Rule) -> str:
    """The rule's URL with every parameter filled by a random value of the right type."""
    values: dict[str, object] = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        elif isinstance(converter, IntegerConverter):
            values[name] = 987654
        else:
            values[name] = "no-such-thing"
    adapter = app.url_map.bind("localhost")
    return adapter.build(rule.endpoint, values, method=sorted(rule.methods or {"GET"})[0])


def _visit(client: FlaskClient, rule: Rule, url: str, token: str) -> TestResponse:
    """GET the page, or for a POST-only endpoint, post to it with a valid CSRF token."""
    if "GET" in (rule.methods or ()):
        return client.get(url)
    return client.post(url, data={"csrf_token": token})


def test_every_endpoint_is_public_on_purpose_or_protected_by_role(app):
    unprotected = []
    for endpoint, view in app.view_functions.items():
        access = getattr(view, ACCESS_ATTRIBUTE, None)
        if endpoint == "static":
            continue
        if access in (PUBLIC, API_CLIENT):  # API clients: a bearer token with a scope (see the test below)
            continue
        if not (isinstance(access, frozenset) and access and access <= set(UserRole)):
            unprotected.append(endpoint)
    assert unprotected == [], f"these endpoints have no @public or @roles_required: {unprotected}"


def test_every_staff_api_endpoint_needs_a_bearer_token_whoever_is_signed_in(app, client, admin):
    """The staff API takes no session cookie: without a token, even an administrator's browser gets 401."""
    signed_in = sign_in(app.test_client(), admin)
    checked = 0
    for rule in app.url_map.iter_rules():
        if _access(app, rule.endpoint) != API_CLIENT:
            continue
        assert rule.rule.startswith("/api/v1/"), rule.rule
        url = _url(app, rule)
        method = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
        for browser in (client, signed_in):
            response = browser.open(url, method=method, json={})
            assert response.status_code == 401, f"{rule.endpoint} {method} {url} gave {response.status_code}"
            assert response.mimetype == "application/problem+json"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        checked += 1
    assert checked >= 20


def test_the_public_endpoints_are_exactly_the_expected_list(app):
    public = {endpoint for endpoint in app.view_functions if _access(app, endpoint) == PUBLIC} | {"static"}
    assert public == PUBLIC_ENDPOINTS, (
        f"new public endpoints: {sorted(public - PUBLIC_ENDPOINTS)}; "
        f"no longer public: {sorted(PUBLIC_ENDPOINTS - public)}"
    )


def test_static_is_not_marked_with_roles(app):
    assert _access(app, "static") is None


def _blueprint_access(app: Flask, blueprint: str) -> dict[str, frozenset[UserRole]]:
    found = {e: _access(app, e) for e in app.view_functions if e.startswith(f"{blueprint}.")}
    assert found, f"no endpoints in {blueprint}"
    assert all(isinstance(access, frozenset) for access in found.values()), found
    return found  # type: ignore[return-value]


def test_admin_pages_are_only_for_admins(app):
    for endpoint, access in _blueprint_access(app, "admin").items():
        assert access == {UserRole.ADMIN}, endpoint


def test_mentor_pages_are_never_open_to_learners(app):
    for endpoint, access in _blueprint_access(app, "mentors").items():
        assert UserRole.MENTOR in access and UserRole.LEARNER not in access, endpoint


def test_learner_pages_are_open_to_learners(app):
    # Some (such as an evidence file) are also open to staff, who pass the record-level check.
    for endpoint, access in _blueprint_access(app, "learners").items():
        assert UserRole.LEARNER in access, endpoint


def test_every_url_is_kebab_case(app):
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "", rule.rule)
        assert re.fullmatch(r"[a-z0-9/.\-]*", path), f"{rule.rule} is not lower-case kebab-case"


def test_signed_out_visitors_are_sent_to_sign_in_from_every_protected_page(app, client):
    token = csrf_token(client, "/sign-in")
    checked = 0
    for rule, _roles in _protected_rules(app):
        url = _url(app, rule)
        response = _visit(client, rule, url, token)
        assert response.status_code == 302, f"{rule.endpoint} {url} gave {response.status_code}"
        assert location_path(response) == "/sign-in", rule.endpoint
        checked += 1
    assert checked >= 10


def test_every_role_is_refused_the_pages_of_other_roles(app):
    cohort = factories.make_cohort()
    clients = {
        UserRole.ADMIN: sign_in(app.test_client(), factories.make_admin()),
        UserRole.MENTOR: sign_in(app.test_client(), factories.make_mentor(cohorts=[cohort])),
        UserRole.LEARNER: sign_in(app.test_client(), factories.make_learner(cohort=cohort)),
    }
    tokens = {role: csrf_token(client, "/account/change-password") for role, client in clients.items()}
    refused = 0
    for rule, roles in _protected_rules(app):
        url = _url(app, rule)
        for role in set(UserRole) - roles:
            response = _visit(clients[role], rule, url, tokens[role])
            assert response.status_code == 403, f"{role} got {response.status_code} from {rule.endpoint} {url}"
            refused += 1
    assert refused >= 10
