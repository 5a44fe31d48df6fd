"""Administrators register API clients (the secret is shown once and kept only as a hash), see them, and revoke
them; every step audited. The OpenAPI document validates and names every route of the staff API."""

from __future__ import annotations

from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from sqlalchemy import select

from skillpath.auth.passwords import verify_secret
from skillpath.extensions import db
from skillpath.models import ApiClient, ApiScope, AuditEvent
from skillpath.models.audit import AuditAction
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, page, post_form
from tests.integration._api_helpers import make_api_client

NEW = "/admin/api-clients/new"


def _register(admin_client, establishment, **overrides):
    data = {
        "name": "Prison education records",
        "scopes": ["learners:read", "work-status:write"],
        "establishments": [str(establishment.public_id)],
        **overrides,
    }
    return post_form(admin_client, NEW, data)


def test_an_admin_registers_a_client_and_sees_its_secret_once(admin_client, admin, establishment):
    response = _register(admin_client, establishment)
    assert response.status_code == 200 and heading(response) == "API client registered"
    shown = page(response)
    client_id = shown.select_one("[data-client-id]").get_text(strip=True)
    secret = shown.select_one("[data-client-secret]").get_text(strip=True)
    assert response.headers["Cache-Control"] == "no-store"

    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id))
    assert client is not None and client.name == "Prison education records"
    assert client.scope_set == {ApiScope.LEARNERS_READ, ApiScope.WORK_STATUS_WRITE}
    assert [item.id for item in client.establishments] == [establishment.id]
    assert secret not in client.secret_hash and verify_secret(client.secret_hash, secret)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.API_CLIENT_REGISTERED))
    assert event is not None and event.actor_id == admin.id and event.object_id == str(client.public_id)

    # Never again: not on its page, not in the list.
    for path in (f"/admin/api-clients/{client.public_id}", "/admin/api-clients/"):
        later = admin_client.get(path)
        assert later.status_code == 200 and secret not in later.get_data(as_text=True)
    assert client.name in page(admin_client.get("/admin/api-clients/")).select_one("table").get_text()


def test_registering_needs_a_name_a_scope_and_an_establishment(admin_client, establishment):
    response = _register(admin_client, establishment, name="", scopes=[], establishments=[])
    assert response.status_code == 200
    assert set(error_summary(response).values()) == {
        "Enter a name for the client",
        "Select at least one thing the client may do",
        "Select the establishments whose learners the client may see",
    }
    assert db.session.scalar(select(ApiClient)) is None


def test_the_scopes_are_checkboxes_with_plain_descriptions(admin_client, establishment):
    boxes = page(admin_client.get(NEW)).select("input[name=scopes]")
    assert [box["value"] for box in boxes] == [scope.value for scope in ApiScope]
    assert "See learners’ prison numbers" in page(admin_client.get(NEW)).get_text()


def test_an_admin_revokes_a_client(admin_client, admin, establishment):
    registered = make_api_client([establishment])
    path = f"/admin/api-clients/{registered.client.public_id}"
    response = post_form(admin_client, f"{path}/revoke", {}, form_url=path)
    assert response.status_code == 302
    db.session.refresh(registered.client)
    assert registered.client.is_revoked and registered.client.revoked_by_id == admin.id
    shown = admin_client.get(path)
    assert flash_messages(shown) == ["Test system is revoked. Its tokens no longer work."]
    assert page(shown).select_one("form[action$='/revoke']") is None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.API_CLIENT_REVOKED))
    assert event is not None and event.actor_id == admin.id


def test_only_admins_reach_the_client_pages(app, establishment):
    mentor = sign_in(
        app.test_client(), factories.make_mentor(cohorts=[factories.make_cohort(establishment=establishment)])
    )
    for path in ("/admin/api-clients/", NEW):
        assert mentor.get(path).status_code == 403


def test_the_openapi_document_is_valid_3_1_and_describes_every_api_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/vnd.oai.openapi+json"
    document = response.get_json()
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["openapi"] == "3.1.0"
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint not in {"api.openapi_document", "api.problem_type"}:
            path = rule.rule
            for name in rule.arguments:
                camel = "".join(part.capitalize() if i else part for i, part in enumerate(name.split("_")))
                path = path.replace(f"<uuid:{name}>", f"{{{camel}}}").replace(f"<{name}>", f"{{{camel}}}")
            served |= {(path, method) for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert documented == served
    flows = document["components"]["securitySchemes"]["clientCredentials"]["flows"]["clientCredentials"]
    assert set(flows["scopes"]) == {scope.value for scope in ApiScope}


def test_every_problem_type_has_its_page(client):
    from skillpath.api.problems import PROBLEM_TYPES

    for slug, kind in PROBLEM_TYPES.items():
        response = client.get(f"/api/v1/problems/{slug}")
        assert response.status_code == 200 and heading(response) == kind.title
    assert client.get("/api/v1/problems/no-such-problem").mimetype == "application/problem+json"
