"""Reading the staff API: every resource in the shape the OpenAPI document gives, within the client's caseload,
in pages, with ETags, and the prison number only with its scope."""

from __future__ import annotations

import pytest

from skillpath.extensions import limiter
from skillpath.services.api import etags
from tests.integration._api_helpers import (
    ALL_SCOPES,
    ApiCaller,
    issue_token,
    make_api_client,
    openapi_for,
    problem_of,
)
from tests.integration._api_world import ApiWorld, build_api_world


@pytest.fixture(autouse=True)
def _fresh_limits():
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def world(app) -> ApiWorld:
    return build_api_world()


@pytest.fixture
def openapi(client):
    return openapi_for(client)


@pytest.fixture
def api(app, world, openapi) -> ApiCaller:
    """A client bound to the north establishment, with every scope."""
    return ApiCaller(app, issue_token(make_api_client([world.north])), openapi)


def _ids(response) -> list[str]:
    return [item["id"] for item in response.get_json()["items"]]


def test_establishments_and_cohorts_are_only_the_clients_own(api, world):
    listed = api.get("/api/v1/establishments")
    assert listed.status_code == 200 and _ids(listed) == [str(world.north.public_id)]
    assert listed.get_json()["items"][0] == {
        "id": str(world.north.public_id),
        "name": "HMP Northfield API",
        "code": world.north.code,
        "kind": "PRISON",
    }
    one = api.get(f"/api/v1/establishments/{world.north.public_id}")
    assert one.status_code == 200 and one.headers["ETag"] == etags.etag_of(one.get_json())
    cohorts = api.get(f"/api/v1/establishments/{world.north.public_id}/cohorts")
    assert _ids(cohorts) == [str(world.north_cohort.public_id)]
    for path in (
        f"/api/v1/establishments/{world.east.public_id}",
        f"/api/v1/establishments/{world.east.public_id}/cohorts",
        f"/api/v1/cohorts/{world.east_cohort.public_id}/learners",
    ):
        problem_of(api.get(path), 404)


def test_learners_are_those_in_the_clients_establishments_only(api, world):
    listed = api.get("/api/v1/learners")
    expected = [str(user.public_id) for user in [world.learner, *world.other_north]]
    assert sorted(_ids(listed)) == sorted(expected)
    assert str(world.east_learner.public_id) not in _ids(listed)
    in_cohort = api.get(f"/api/v1/cohorts/{world.north_cohort.public_id}/learners")
    assert sorted(_ids(in_cohort)) == sorted(expected)
    body = api.get(f"/api/v1/learners/{world.learner.public_id}").get_json()
    assert body["cohortId"] == str(world.north_cohort.public_id)
    assert body["establishmentId"] == str(world.north.public_id)
    assert body["targetRoleLevel"]["name"] == "Service desk analyst"
    assert body["prisonNumber"] == "A1234BC"
    problem_of(api.get(f"/api/v1/learners/{world.east_learner.public_id}"), 404)


def test_the_establishment_filter_must_be_one_of_the_clients(api, world):
    filtered = api.get(f"/api/v1/learners?establishment={world.north.public_id}")
    assert len(_ids(filtered)) == 4
    body = problem_of(api.get(f"/api/v1/learners?establishment={world.east.public_id}"), 404)
    assert "establishment" in body["detail"]
    bad = problem_of(api.get("/api/v1/learners?establishment=north", check_request=False), 422)
    assert bad["errors"][0]["pointer"] == "/query/establishment"


def test_without_the_prison_number_scope_the_field_is_absent(app, world, openapi):
    scopes = [scope for scope in ALL_SCOPES if scope != "learners:prison-number"]
    api = ApiCaller(app, issue_token(make_api_client([world.north], scopes=scopes)), openapi)
    body = api.get(f"/api/v1/learners/{world.learner.public_id}").get_json()
    assert "prisonNumber" not in body
    assert all("prisonNumber" not in item for item in api.get("/api/v1/learners").get_json()["items"])


def test_lists_come_in_pages_with_an_opaque_cursor_and_a_link_header(api, world):
    first = api.get("/api/v1/learners?limit=3")
    assert len(_ids(first)) == 3 and first.get_json()["next"]
    assert 'rel="next"' in first.headers["Link"]
    link = first.headers["Link"].split(";")[0].strip("<>")
    second = api.get(link)
    assert len(_ids(second)) == 1 and second.get_json()["next"] is None and "Link" not in second.headers
    assert set(_ids(first)).isdisjoint(_ids(second))


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_a_limit_out_of_range_is_a_validation_problem(api, limit):
    body = problem_of(api.get(f"/api/v1/learners?limit={limit}", check_request=False), 422)
    assert body["errors"] == [{"pointer": "/query/limit", "detail": "limit must be a whole number from 1 to 100."}]


def test_a_forged_or_foreign_cursor_is_refused(api, world):
    cursor = api.get("/api/v1/learners?limit=1").get_json()["next"]
    problem_of(api.get("/api/v1/learners?cursor=not-a-cursor"), 400)
    foreign = problem_of(api.get(f"/api/v1/cohorts/{world.north_cohort.public_id}/learners?cursor={cursor}"), 400)
    assert foreign["type"].endswith("/invalid-cursor")


def test_readiness_explains_the_score_in_codes(api, world):
    response = api.get(f"/api/v1/learners/{world.learner.public_id}/readiness")
    body = response.get_json()
    assert body["band"] in {"NOT_STARTED", "BUILDING_SKILLS", "NEARLY_READY", "READY_FOR_WORK"}
    assert body["skills"] == [{"name": "Service desk basics", "required": "WORKING", "held": "AWARENESS", "met": False}]
    assert {item["kind"] for item in body["missing"]} == {"SKILL", "BARRIER"}
    assert response.headers["ETag"]


def test_work_status_barriers_goals_modules_and_certificates(api, world):
    base = f"/api/v1/learners/{world.learner.public_id}"
    status = api.get(f"{base}/work-status").get_json()
    assert status["status"] == "NOT_STARTED" and status["changedAt"] is None
    assert api.get(f"{base}/work-status/history").get_json() == {"items": []}
    items = api.get(f"{base}/barriers").get_json()["items"]
    assert [item["code"] for item in items][:2] == ["BANK_ACCOUNT", "CV_AND_COVERING_LETTER"]
    assert items[0]["status"] == "COMPLETED" and items[0]["resolved"] is True
    assert api.get(f"{base}/barriers/ID").get_json()["status"] == "NOT_STARTED"
    problem_of(api.get(f"{base}/barriers/SPACESHIP"), 404)
    history = api.get(f"{base}/barriers/history").get_json()["items"]
    assert [(change["code"], change["status"]) for change in history] == [("BANK_ACCOUNT", "COMPLETED")]
    goal = api.get(f"{base}/goals").get_json()["items"][0]
    assert goal["status"] == "ACTIVE" and [step["status"] for step in goal["steps"]] == ["NOT_STARTED"] * 2
    assert api.get(f"{base}/goals/{goal['id']}").get_json() == goal
    modules = {item["code"]: item["status"] for item in api.get(f"{base}/modules").get_json()["items"]}
    assert modules == {world.module_done.code: "SIGNED_OFF", world.module_ready.code: "READY_FOR_SIGN_OFF"}
    certificates = api.get(f"{base}/certificates").get_json()["items"]
    assert len(certificates) == 1 and certificates[0]["status"] == "VALID"
    assert set(certificates[0]) == {"code", "title", "kind", "issuedAt", "status", "withdrawnAt"}


def test_every_response_says_not_to_keep_a_copy(api, world):
    for path in ("/api/v1/learners", f"/api/v1/learners/{world.learner.public_id}", "/api/v1/learners/nope"):
        assert api.get(path, check_request=False).headers["Cache-Control"] == "no-store"
