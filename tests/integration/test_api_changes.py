"""Changing learners' records through the staff API: If-Match, precise validation problems, the same use cases
as the pages (their effect and their audit event, which names the client), and nothing saved when refused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db, limiter
from skillpath.models import AuditEvent, Certificate, ProgressEvent, ProgressKind, ReadinessStatusChange, SkillAward
from skillpath.models.audit import AuditAction
from tests.integration._api_helpers import ApiCaller, issue_token, make_api_client, openapi_for, problem_of
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
def registered(world):
    return make_api_client([world.north])


@pytest.fixture
def api(app, client, registered) -> ApiCaller:
    return ApiCaller(app, issue_token(registered), openapi_for(client))


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _put_status(api, world, body, etag=None, **kwargs):
    headers = {"If-Match": etag} if etag else {}
    return api("PUT", f"/api/v1/learners/{world.learner.public_id}/work-status", json=body, headers=headers, **kwargs)


def test_changing_work_status_needs_the_current_etag(api, world, registered):
    path = f"/api/v1/learners/{world.learner.public_id}/work-status"
    etag = api.get(path).headers["ETag"]
    missing = _put_status(api, world, {"status": "READY_TO_WORK"})
    assert problem_of(missing, 428)["type"].endswith("/precondition-required")
    stale = _put_status(api, world, {"status": "READY_TO_WORK"}, '"stale"')
    assert problem_of(stale, 412)["type"].endswith("/precondition-failed")

    changed = _put_status(api, world, {"status": "SUPPORT_DECLINED", "declineReason": "RETIRED"}, etag)
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["status"] == "SUPPORT_DECLINED" and body["declineReason"] == "RETIRED" and body["changeType"] == "NEW"
    assert changed.headers["ETag"] != etag
    # The page's use case recorded it, with its audit event naming the client and no person.
    row = db.session.scalar(select(ReadinessStatusChange).where(ReadinessStatusChange.learner_id == world.learner.id))
    assert row is not None and row.changed_by_id is None
    [event] = _events(AuditAction.LEARNER_STATUS_CHANGED)
    assert event.api_client_id == registered.client.id and event.actor_id is None
    assert event.subject_id == world.learner.id
    # The old ETag is stale now.
    problem_of(_put_status(api, world, {"status": "READY_TO_WORK"}, etag), 412)
    history = api.get(f"{path}/history").get_json()["items"]
    assert [(item["status"], item["changedBy"]) for item in history] == [("SUPPORT_DECLINED", "CLIENT")]


def test_bad_bodies_get_precise_problems_and_change_nothing(api, world):
    etag = api.get(f"/api/v1/learners/{world.learner.public_id}/work-status").headers["ETag"]
    unknown = problem_of(
        _put_status(api, world, {"status": "READY_TO_WORK", "mood": "good"}, etag, check_request=False), 422
    )
    assert unknown["errors"] == [
        {"pointer": "/mood", "detail": "Unknown field 'mood': this endpoint does not read it."}
    ]
    wrong_type = problem_of(_put_status(api, world, {"status": 5}, etag, check_request=False), 422)
    assert wrong_type["errors"] == [{"pointer": "/status", "detail": "Must be a string, not a number."}]
    not_a_code = problem_of(_put_status(api, world, {"status": "HAPPY"}, etag, check_request=False), 422)
    assert not_a_code["errors"][0]["pointer"] == "/status" and "READY_TO_WORK" in not_a_code["errors"][0]["detail"]
    missing = problem_of(_put_status(api, world, {}, etag, check_request=False), 422)
    assert missing["errors"] == [{"pointer": "/status", "detail": "status is required."}]
    malformed = api(
        "PUT",
        f"/api/v1/learners/{world.learner.public_id}/work-status",
        data=b'{"status": ',
        content_type="application/json",
        headers={"If-Match": etag},
        check_request=False,
    )
    assert problem_of(malformed, 400)["type"].endswith("/malformed-body")
    as_form = api(
        "PUT",
        f"/api/v1/learners/{world.learner.public_id}/work-status",
        data={"status": "READY_TO_WORK"},
        headers={"If-Match": etag},
        check_request=False,
    )
    problem_of(as_form, 415)
    # A refusal by the use case itself names the field as the API does.
    declined = problem_of(_put_status(api, world, {"status": "SUPPORT_DECLINED"}, etag), 422)
    assert declined["errors"][0]["pointer"] == "/declineReason"
    assert db.session.scalar(select(func.count()).select_from(ReadinessStatusChange)) == 0
    # Refused calls are audited too (with no change kept).
    refused = [event for event in _events(AuditAction.API_CALL) if event.detail["status"] >= 400]
    assert len(refused) == 7 and {event.detail["route"] for event in refused} == {
        "/api/v1/learners/<uuid:learner_id>/work-status"
    }


def test_a_client_cannot_change_a_learner_outside_its_establishments(api, world):
    response = api(
        "PUT",
        f"/api/v1/learners/{world.east_learner.public_id}/work-status",
        json={"status": "READY_TO_WORK"},
        headers={"If-Match": "*"},
    )
    problem_of(response, 404)
    assert db.session.scalar(select(func.count()).select_from(ReadinessStatusChange)) == 0


def test_changing_a_barrier(api, world):
    path = f"/api/v1/learners/{world.learner.public_id}/barriers/ID"
    etag = api.get(path).headers["ETag"]
    body = {"status": "IN_PROGRESS", "alreadyInPlace": False, "idDocuments": ["PASSPORT"], "note": "Applied"}
    changed = api("PUT", path, json=body, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["status"] == "IN_PROGRESS" and changed.get_json()["idDocuments"] == ["PASSPORT"]
    [event] = [e for e in _events(AuditAction.LEARNER_BARRIER_CHANGED) if e.object_id == "ID"]
    assert event.api_client_id is not None and event.actor_id is None
    documents = api(
        "PUT",
        f"/api/v1/learners/{world.learner.public_id}/barriers/HOUSING",
        json={"status": "IN_PROGRESS", "idDocuments": ["PASSPORT"]},
        headers={"If-Match": "*"},
    )
    assert problem_of(documents, 422)["errors"][0]["pointer"] == "/idDocuments"


def test_adding_and_changing_a_goal(api, world):
    base = f"/api/v1/learners/{world.learner.public_id}/goals"
    made = api("POST", base, json={"title": "Build a CV", "targetDate": "2027-03-01", "steps": ["Draft", "Check"]})
    assert made.status_code == 201, made.get_json()
    goal = made.get_json()
    assert made.headers["Location"].endswith(f"{base}/{goal['id']}")
    assert _events(AuditAction.LEARNER_GOAL_CREATED)[-1].api_client_id is not None

    steps = {"steps": [{"position": 1, "status": "COMPLETE"}, {"position": 2, "status": "COMPLETE"}]}
    patched = api(
        "PATCH",
        f"{base}/{goal['id']}",
        json={**steps, "status": "COMPLETED"},
        headers={"If-Match": made.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.get_json()
    assert patched.get_json()["status"] == "COMPLETED"
    assert [step["status"] for step in patched.get_json()["steps"]] == ["COMPLETE", "COMPLETE"]
    # A completed goal cannot change: 409, with the use case's own words.
    again = api("PATCH", f"{base}/{goal['id']}", json={"title": "New"}, headers={"If-Match": patched.headers["ETag"]})
    assert problem_of(again, 409)["type"].endswith("/conflict")


def test_archiving_a_goal_needs_a_reason_in_the_prison_services_codes(api, world):
    base = f"/api/v1/learners/{world.learner.public_id}/goals"
    goal = api.get(base).get_json()["items"][0]
    etag = api.get(f"{base}/{goal['id']}").headers["ETag"]
    no_reason = api("PATCH", f"{base}/{goal['id']}", json={"status": "ARCHIVED"}, headers={"If-Match": etag})
    assert problem_of(no_reason, 422)["errors"][0]["pointer"] == "/archiveReason"
    archived = api(
        "PATCH",
        f"{base}/{goal['id']}",
        json={"status": "ARCHIVED", "archiveReason": "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON"},
        headers={"If-Match": etag},
    )
    assert archived.status_code == 200, archived.get_json()
    assert archived.get_json()["archiveReason"] == "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON"


def test_signing_off_a_module_awards_skills_and_issues_the_certificate(api, world):
    path = f"/api/v1/learners/{world.learner.public_id}/modules/{world.module_ready.code}/sign-off"
    signed = api("POST", path)
    assert signed.status_code == 200, signed.get_json()
    assert signed.get_json()["status"] == "SIGNED_OFF"
    assert (
        db.session.scalar(
            select(func.count()).select_from(Certificate).where(Certificate.module_id == world.module_ready.id)
        )
        == 1
    )
    [event] = _events(AuditAction.MODULE_SIGNED_OFF)
    assert event.api_client_id is not None and event.actor_id is None
    twice = problem_of(api("POST", path), 409)
    assert "already signed off" in twice["detail"]
    problem_of(api("POST", f"/api/v1/learners/{world.learner.public_id}/modules/NOPE/sign-off"), 404)


def test_returning_a_module_with_feedback(api, world):
    path = f"/api/v1/learners/{world.learner.public_id}/modules/{world.module_ready.code}/return"
    empty = api("POST", path, json={"feedback": "  "})
    assert problem_of(empty, 422)["errors"][0]["pointer"] == "/feedback"
    returned = api("POST", path, json={"feedback": "Add a screenshot of the ticket."})
    assert returned.status_code == 200, returned.get_json()
    assert returned.get_json()["status"] == "RETURNED"
    assert returned.get_json()["feedback"] == "Add a screenshot of the ticket."
    event = db.session.scalar(select(ProgressEvent).where(ProgressEvent.kind == ProgressKind.RETURNED))
    assert event is not None and event.actor_id is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(SkillAward).where(SkillAward.module_id == world.module_ready.id)
        )
        == 0
    )


def test_a_step_that_the_goal_does_not_have_is_named_and_nothing_changes(api, world):
    base = f"/api/v1/learners/{world.learner.public_id}/goals"
    goal = api.get(base).get_json()["items"][0]
    etag = api.get(f"{base}/{goal['id']}").headers["ETag"]
    steps = [{"position": 1, "status": "COMPLETE"}, {"position": 9, "status": "COMPLETE"}]
    body = problem_of(api("PATCH", f"{base}/{goal['id']}", json={"steps": steps}, headers={"If-Match": etag}), 422)
    assert body["errors"] == [{"pointer": "/steps/1/position", "detail": "No step here."}]
    assert api.get(f"{base}/{goal['id']}").get_json() == goal  # step 1 did not change either


def test_a_goal_sent_twice_with_the_same_idempotency_key_is_made_once(api, world):
    base = f"/api/v1/learners/{world.learner.public_id}/goals"
    body = {"title": "Open a bank account", "steps": ["Ask the bank"]}
    key = {"Idempotency-Key": "0b6f8c64-5d5e-4a38-9a52-6f1f2f3c9d10"}
    first, second = api("POST", base, json=body, headers=key), api("POST", base, json=body, headers=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.get_json()["id"] == second.get_json()["id"] == key["Idempotency-Key"]
    bad = api("POST", base, json=body, headers={"Idempotency-Key": "twice"}, check_request=False)
    assert problem_of(bad, 422)["errors"][0]["pointer"] == "/headers/Idempotency-Key"
