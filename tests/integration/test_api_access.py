"""The access tests of the staff API: every route, with clients of different scopes and establishments.

A client bound to another establishment gets 404 for every record of this one (the same as for no record at all)
and never sees its learners in a list; a client without the route's scope gets 403 and nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule

from skillpath.api.auth import API_CLIENT, SCOPE_ATTRIBUTE
from skillpath.auth.policy import ACCESS_ATTRIBUTE
from skillpath.extensions import db, limiter
from skillpath.models import ApiScope, AuditEvent
from skillpath.services.plans import goals
from tests.integration._api_helpers import ALL_SCOPES, ApiCaller, issue_token, make_api_client, openapi_for
from tests.integration._api_world import ApiWorld, build_api_world

LISTS = {"api.establishments", "api.learners"}  # routes with no record in their address


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def world(app) -> ApiWorld:
    return build_api_world()


def _api_rules(app: Flask) -> Iterator[tuple[Rule, str, ApiScope]]:
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, ACCESS_ATTRIBUTE, None) == API_CLIENT:
            method = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})[0]
            yield rule, method, getattr(view, SCOPE_ATTRIBUTE)


def _url(app: Flask, rule: Rule, method: str, world: ApiWorld) -> str:
    values = {
        "learner_id": world.learner.public_id,
        "establishment_id": world.north.public_id,
        "cohort_id": world.north_cohort.public_id,
        "goal_id": goals.list_goals(world.learner).active[0].public_id,
        "code": "ID" if "/barriers/" in rule.rule else world.module_ready.code,
    }
    return app.url_map.bind("localhost").build(rule.endpoint, {k: values[k] for k in rule.arguments}, method=method)


def _rows() -> int:
    """Every row in every table but the audit log (refused calls are audited)."""
    total = 0
    for table in db.metadata.sorted_tables:
        if table.name != AuditEvent.__tablename__:
            total += db.session.scalar(select(func.count()).select_from(table)) or 0
    return total


def _send(api: ApiCaller, method: str, url: str):
    body = {"json": {}} if method in {"PUT", "PATCH", "POST"} else {}
    return api(method, url, check_request=False, headers={"If-Match": "*"}, **body)


def test_a_client_bound_to_another_establishment_gets_404_for_every_record_here(app, client, world):
    elsewhere = ApiCaller(app, issue_token(make_api_client([world.east])), openapi_for(client))
    before, checked = _rows(), 0
    for rule, method, _scope in _api_rules(app):
        url = _url(app, rule, method, world)
        response = _send(elsewhere, method, url)
        if rule.endpoint in LISTS:
            assert response.status_code == 200, f"{method} {url}: {response.status_code}"
            ids = {item["id"] for item in response.get_json()["items"]}
            assert str(world.learner.public_id) not in ids and str(world.north.public_id) not in ids
        else:
            assert response.status_code == 404, f"{method} {url} gave {response.status_code}"
            assert response.mimetype == "application/problem+json"
        checked += 1
    assert checked >= 22 and _rows() == before


def test_a_client_without_the_routes_scope_gets_403_and_changes_nothing(app, client, world):
    openapi = openapi_for(client)
    callers = {
        scope: ApiCaller(
            app,
            issue_token(make_api_client([world.north], scopes=[name for name in ALL_SCOPES if name != scope.value])),
            openapi,
        )
        for scope in ApiScope
    }
    before, checked = _rows(), 0
    for rule, method, scope in _api_rules(app):
        response = _send(callers[scope], method, _url(app, rule, method, world))
        assert response.status_code == 403, f"{rule.endpoint} without {scope.value}: {response.status_code}"
        assert f'scope="{scope.value}"' in response.headers["WWW-Authenticate"]
        checked += 1
    assert checked >= 22 and _rows() == before


def test_a_client_bound_here_with_every_scope_reads_every_route(app, client, world):
    api = ApiCaller(app, issue_token(make_api_client([world.north])), openapi_for(client))
    for rule, method, _scope in _api_rules(app):
        if method == "GET":
            url = _url(app, rule, method, world)
            assert api.get(url).status_code == 200, url


def test_write_scopes_do_not_read_and_read_scopes_do_not_write(app, client, world):
    openapi = openapi_for(client)
    writer = ApiCaller(app, issue_token(make_api_client([world.north], scopes=["work-status:write"])), openapi)
    path = f"/api/v1/learners/{world.learner.public_id}/work-status"
    assert writer.get(path).status_code == 403
    reader = ApiCaller(app, issue_token(make_api_client([world.north], scopes=["work-status:read"])), openapi)
    response = reader("PUT", path, json={"status": "READY_TO_WORK"}, headers={"If-Match": "*"})
    assert response.status_code == 403
