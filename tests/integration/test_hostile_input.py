"""Odd and hostile input gets a clear answer, never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent
from skillpath.services.learners import transfers
from tests import factories
from tests.conftest import sign_in
from tests.helpers import add_learner, csrf_token, field_errors, location_path, page, post_form
from tests.integration.test_certificates import issue_module_certificate


def _viewed(learner, page: str) -> list[AuditEvent]:
    return [
        event
        for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "learner.record.viewed", AuditEvent.subject_id == learner.id)
        )
        if (event.detail or {}).get("page") == page
    ]


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/sign-in", {"username": "ab\x00c", "password": "x" * 12}),
        ("/activate", {"username": "ab\x00c", "activation_code": "ABCD-EFGH"}),
    ],
)
def test_a_nul_character_in_a_form_is_a_bad_request_not_a_crash(client, url, data):
    token = csrf_token(client, url)
    response = client.post(url, data={**data, "csrf_token": token})
    assert response.status_code == 400
    assert "problem with your request" in response.get_data(as_text=True)


def test_a_nul_character_in_an_address_is_a_bad_request(learner_client):
    assert learner_client.get("/modules/a%00b").status_code == 400
    assert learner_client.get("/modules/", query_string={"skill": "1\x00"}).status_code == 400


@pytest.mark.parametrize("value", ["²", "9" * 5000, "99999999999999999999", "-1", " 7"])
def test_a_skill_filter_that_is_not_a_small_number_is_ignored(learner_client, value):
    assert learner_client.get("/modules/", query_string={"skill": value}).status_code == 200


def test_absurdly_nested_json_gets_a_json_400_from_the_api(client):
    response = client.post("/api/verify", data="[" * 50000, content_type="application/json")
    assert response.status_code == 400
    assert response.is_json


def test_api_errors_are_json_not_pages(client):
    response = client.put("/api/verify/SP-0000-0000-0000")
    assert response.status_code == 405
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "That method is not allowed here."


def test_recording_a_release_twice_is_explained_not_a_crash(app, admin, learner, mentor):
    admin_client = sign_in(app.test_client(), admin)
    url = f"/mentor/learners/{learner.public_id}/record-release"
    token = csrf_token(admin_client, url)
    transfers.record_release(learner, by=mentor)  # someone else got there first
    db.session.flush()
    response = admin_client.post(url, data={"csrf_token": token})
    assert location_path(response) == f"/mentor/learners/{learner.public_id}"


def test_moving_a_learner_released_meanwhile_is_explained_not_a_crash(app, admin, learner, mentor, cohort):
    other = factories.make_cohort(establishment=cohort.establishment)
    admin_client = sign_in(app.test_client(), admin)
    url = f"/mentor/learners/{learner.public_id}/move"
    token = csrf_token(admin_client, url)
    transfers.record_release(learner, by=mentor)
    db.session.flush()
    response = admin_client.post(url, data={"cohort": str(other.public_id), "csrf_token": token})
    assert location_path(response) == f"/mentor/learners/{learner.public_id}"


def test_a_name_that_grows_when_normalised_is_refused_with_its_limit(learner_client):
    name = "\ufb2c" * 100  # each becomes three characters in NFC
    response = post_form(learner_client, "/learner/certificates/my-name", {"name": name})
    assert response.status_code == 200
    assert any("100 characters or fewer" in error for error in field_errors(response))


def test_the_withdraw_page_is_an_audited_view_of_the_learners_record(mentor_client, mentor, learner):
    certificate = issue_module_certificate(learner, mentor)
    assert mentor_client.get(f"/mentor/certificates/{certificate.public_id}/withdraw").status_code == 200
    assert [event.actor_id for event in _viewed(learner, "withdraw-certificate")] == [mentor.id]


def test_showing_a_new_activation_code_is_an_audited_view(mentor_client, mentor, learner):
    response = post_form(
        mentor_client,
        f"/mentor/learners/{learner.public_id}/new-activation-code",
        {},
        form_url=f"/mentor/learners/{learner.public_id}",
    )
    mentor_client.get(location_path(response))
    assert [event.actor_id for event in _viewed(learner, "activation-code")] == [mentor.id]


def test_downloads_of_personal_files_are_never_cached(learner_client):
    response = learner_client.get("/learner/my-data/download")
    assert response.headers["Cache-Control"] == "no-store"


def test_a_new_activation_code_is_not_readable_in_the_session_cookie(mentor_client, cohort):
    response = add_learner(mentor_client, cohort.public_id, {"preferred_name": "Casey", "username": "casey-cookie"})
    with mentor_client.session_transaction() as session:
        stored = str(session["new_activation_code"])
    shown = page(mentor_client.get(location_path(response))).select_one(".govuk-panel__body").get_text(strip=True)
    code = shown[-9:]
    assert code[4] == "-"
    assert code not in stored and code.replace("-", "") not in stored
