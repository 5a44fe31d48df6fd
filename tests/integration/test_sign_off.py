"""Signing a module off (skills awarded, certificate issued) or returning it with feedback the learner sees."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Certificate, ProgressEvent, ProgressKind, SkillAward, SkillLevel
from skillpath.services.readiness.learner_state import readiness_for
from skillpath.services.readiness.readiness import Band
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, location_path, page, post_form
from tests.integration._mentor_world import finish_module, make_job


@pytest.fixture
def ready(app, cohort, learner, mentor):
    job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.AWARENESS)
    learner.learner_profile.target_role_level = job
    module = factories.make_module(title="Helpdesk basics", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    enrolment = finish_module(learner, module)
    return {
        "enrolment": enrolment,
        "module": module,
        "skills": skills,
        "url": f"/mentor/modules-to-review/{enrolment.public_id}",
    }


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_the_review_page_shows_parts_evidence_and_both_forms(mentor_client, ready, learner):
    response = mentor_client.get(ready["url"])
    assert response.status_code == 200
    soup = page(response)
    assert heading(response) == "Helpdesk basics"
    assert "I did every part and wrote this." in soup.get_text()
    assert [li.get_text(strip=True) for li in soup.select("ol li")][:3] == [
        "Part 1: done",
        "Part 2: done",
        "Part 3: done",
    ]
    forms = [form["action"] for form in soup.select("form[method=post]") if "modules-to-review" in form["action"]]
    assert forms == [ready["url"] + "/sign-off", ready["url"] + "/return"]
    viewed = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.record.viewed"))
    assert viewed.subject_id == learner.id and viewed.detail["page"] == "module-review"


def test_signing_off_awards_the_skills_issues_a_certificate_and_raises_readiness(
    app, mentor_client, ready, learner, mentor
):
    before = readiness_for([learner], app.config)[learner.id]
    response = post_form(mentor_client, ready["url"] + "/sign-off", {}, form_url=ready["url"])
    assert response.status_code == 302
    assert location_path(response) == "/mentor/"  # nothing else to review: see test_mentor_flows.py
    awards = list(db.session.scalars(select(SkillAward).where(SkillAward.learner_id == learner.id)))
    assert {(a.skill_id, a.level, a.awarded_by_id) for a in awards} == {
        (skill.id, SkillLevel.AWARENESS, mentor.id) for skill in ready["skills"]
    }
    certificate = db.session.scalar(select(Certificate).where(Certificate.learner_id == learner.id))
    assert certificate.module_id == ready["module"].id and certificate.issued_by_id == mentor.id
    after = readiness_for([learner], app.config)[learner.id]
    assert (before.band, after.band) == (Band.NOT_STARTED, Band.NEARLY_READY)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == mentor.id)))
    assert {"module.signed_off", "certificate.issued"} <= actions
    followed = mentor_client.get(response.headers["Location"])
    assert any("is signed off" in message and "certificate SP-" in message for message in flash_messages(followed))


def test_signing_off_twice_signs_off_once(mentor_client, ready, learner):
    token_page = ready["url"]
    first = post_form(mentor_client, ready["url"] + "/sign-off", {}, form_url=token_page)
    second = post_form(mentor_client, ready["url"] + "/sign-off", {}, form_url=token_page)
    assert first.status_code == second.status_code == 302
    assert location_path(second) == ready["url"]
    enrolment_id = ready["enrolment"].id
    assert (
        _count(ProgressEvent, ProgressEvent.enrolment_id == enrolment_id, ProgressEvent.kind == ProgressKind.SIGNED_OFF)
        == 1
    )
    assert _count(SkillAward, SkillAward.learner_id == learner.id) == 2
    assert _count(Certificate, Certificate.learner_id == learner.id) == 1
    assert "already signed off" in " ".join(flash_messages(mentor_client.get(second.headers["Location"])))


def test_a_module_not_ready_cannot_be_signed_off(mentor_client, cohort, learner):
    module = factories.make_module()
    enrolment = finish_module(learner, module, evidence=False)
    url = f"/mentor/modules-to-review/{enrolment.public_id}"
    soup = page(mentor_client.get(url))
    assert not soup.select("form[action$='/sign-off']")
    response = post_form(mentor_client, url + "/sign-off", {}, form_url=f"/mentor/learners/{learner.public_id}")
    assert response.status_code == 302
    assert _count(SkillAward, SkillAward.learner_id == learner.id) == 0


def test_returning_with_feedback_shows_it_to_the_learner(app, mentor_client, ready, learner):
    feedback = "Add a screenshot of the ticket you closed."
    response = post_form(mentor_client, ready["url"] + "/return", {"feedback": feedback}, form_url=ready["url"])
    assert response.status_code == 302
    event = db.session.scalar(select(ProgressEvent).where(ProgressEvent.kind == ProgressKind.RETURNED))
    assert event.note == feedback
    learner_client = sign_in(app.test_client(), learner)
    module_page = page(learner_client.get(f"/learner/modules/{ready['module'].code}"))
    assert feedback in module_page.get_text()
    assert "Returned — look again" in module_page.get_text()  # the learner's words for it
    # Returned, it is no longer ready: a second return or a sign-off is refused.
    again = post_form(mentor_client, ready["url"] + "/return", {"feedback": "Again"}, form_url=ready["url"])
    assert location_path(again) == ready["url"]
    assert _count(ProgressEvent, ProgressEvent.kind == ProgressKind.RETURNED) == 1
    assert _count(AuditEvent, AuditEvent.action == "module.returned") == 1


@pytest.mark.parametrize(
    ("feedback", "message"),
    [
        ("", "Enter feedback for the learner, saying what to change or add"),
        ("   ", "Enter feedback for the learner, saying what to change or add"),
        ("x" * 2001, "Feedback must be 2,000 characters or fewer"),
    ],
)
def test_feedback_is_required_and_at_most_2000_characters(mentor_client, ready, feedback, message):
    response = post_form(mentor_client, ready["url"] + "/return", {"feedback": feedback}, form_url=ready["url"])
    assert response.status_code == 200
    assert error_summary(response) == {"#feedback": message}
    assert _count(ProgressEvent, ProgressEvent.kind == ProgressKind.RETURNED) == 0


def test_a_mentor_of_another_cohort_gets_404_for_review_and_actions(app, ready):
    stranger = factories.make_mentor(cohorts=[factories.make_cohort()])
    client = sign_in(app.test_client(), stranger)
    assert client.get(ready["url"]).status_code == 404
    assert client.get(f"/mentor/modules-to-review/{uuid.uuid4()}").status_code == 404
    own = "/mentor/"
    assert post_form(client, ready["url"] + "/sign-off", {}, form_url=own).status_code == 404
    assert post_form(client, ready["url"] + "/return", {"feedback": "No"}, form_url=own).status_code == 404
    assert _count(SkillAward) == 0


def test_a_sign_off_without_a_csrf_token_is_refused(mentor_client, ready):
    assert mentor_client.post(ready["url"] + "/sign-off").status_code == 400
    assert mentor_client.post(ready["url"] + "/return", data={"feedback": "x"}).status_code == 400
    assert _count(SkillAward) == 0
