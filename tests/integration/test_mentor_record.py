"""A learner's record for staff: what it shows, the audit of every view, and the updates staff make."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    Confidence,
    ConfidenceRating,
    ReadinessStatusChange,
    SkillLevel,
    StatusChangeType,
)
from skillpath.services.plans import goals
from skillpath.services.progress.self_assessment import SkillRef, record_self_ratings
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, heading, location_path, page, post_form
from tests.integration._mentor_world import finish_module, make_job, sign_off_module


@pytest.fixture
def record(app, learner, mentor):
    job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.WORKING, name="Helpdesk helper")
    learner.learner_profile.target_role_level = job
    done = factories.make_module(title="Printers", skills={skills[0]: SkillLevel.WORKING})
    waiting = factories.make_module(title="Phones", skills={skills[1]: SkillLevel.AWARENESS})
    sign_off_module(learner, done, mentor)
    finish_module(learner, waiting)
    record_self_ratings(learner, {SkillRef(skill_id=skills[0].id): Confidence.QUITE_CONFIDENT})
    goals.create_goal(learner, title="Get a CV together", target_date=None, steps=["Write it"], actor=learner)
    db.session.flush()
    return {"job": job, "skills": skills, "url": f"/mentor/learners/{learner.public_id}"}


def _views(learner) -> list[str]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learner.record.viewed", AuditEvent.subject_id == learner.id)
    )
    return [event.detail["page"] for event in events]


def test_the_record_shows_readiness_modules_status_barriers_confidence_evidence_goals_and_history(
    mentor_client, record, learner
):
    soup = page(mentor_client.get(record["url"]))
    text = soup.get_text(" ", strip=True)
    assert heading(mentor_client.get(record["url"])) == learner.learner_profile.preferred_name
    for section in (
        "readiness",
        "modules",
        "work-readiness",
        "barriers",
        "confidence",
        "evidence",
        "goals",
        "timeline",
    ):
        assert soup.find(id=section) is not None, section
    assert "A1234BC" in text  # staff see the prison number
    assert "Review and sign off Phones" in text
    assert "Get a CV together" in text
    assert "I did every part and wrote this." in text
    timeline = [item.get_text(" ", strip=True) for item in soup.select(".sp-timeline__item")]
    assert any("Printers signed off" in entry and "Fixing things (working)" in entry for entry in timeline)
    confidence = soup.find("caption", string="Skills for the target role").find_parent("table")
    fixing = next(row for row in confidence.select("tbody tr") if "Fixing things" in row.get_text())
    assert "Quite confident" in fixing.get_text() and "Not assessed yet" in fixing.get_text()


def test_every_page_of_the_record_is_audited(mentor_client, record, learner):
    for path in ("", "/timeline", "/work-readiness", "/barriers", "/assess-skill", "/release-date", "/record-release"):
        assert mentor_client.get(record["url"] + path).status_code == 200, path
    assert _views(learner) == [
        "summary",
        "timeline",
        "work-readiness",
        "barriers",
        "assess-skill",
        "release-date",
        "record-release",
    ]


def test_the_timeline_lists_everything_newest_first(mentor_client, record, learner):
    soup = page(mentor_client.get(record["url"] + "/timeline"))
    entries = [item.select_one("strong").get_text(strip=True) for item in soup.select(".sp-timeline__item")]
    assert entries[0].startswith("Rated their own confidence") or entries[0].startswith("Set a goal")
    for expected in ("Started Printers", "Printers signed off", "Added evidence to Phones", "Account created"):
        assert any(entry.startswith(expected) for entry in entries), expected
    assert any(entry.startswith("Joined ") for entry in entries)


def test_staff_record_the_work_readiness_status_with_its_history(mentor_client, record, learner, mentor):
    url = record["url"] + "/work-readiness"
    steps = [
        ({"status": "SUPPORT_NEEDED"}, StatusChangeType.NEW),
        ({"status": "SUPPORT_DECLINED", "decline_reason": "RETURNING_TO_JOB"}, StatusChangeType.ACCEPTED_TO_DECLINED),
        ({"status": "READY_TO_WORK"}, StatusChangeType.DECLINED_TO_ACCEPTED),
        ({"status": "NO_RIGHT_TO_WORK"}, None),  # neither: no prison-service status-change type
        ({"status": "NO_RIGHT_TO_WORK"}, "unchanged"),  # the same again changes nothing
    ]
    for data, _ in steps:
        response = post_form(mentor_client, url, {"decline_reason": "", **data})
        assert response.status_code == 302
        assert location_path(response).split("#")[0] == record["url"]
    changes = list(
        db.session.scalars(
            select(ReadinessStatusChange)
            .where(ReadinessStatusChange.learner_id == learner.id)
            .order_by(ReadinessStatusChange.id)
        )
    )
    assert [change.change_type for change in changes] == [expected for _, expected in steps if expected != "unchanged"]
    assert [change.decline_reason for change in changes][1].value == "RETURNING_TO_JOB"
    assert changes[2].decline_reason is None and changes[0].changed_by_id == mentor.id
    assert "No right to work in the UK" in page(mentor_client.get(record["url"])).select_one("#work-readiness + p").text


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"#status": "Select the learner’s work-readiness status"}),
        ({"status": "NOT_STARTED"}, {"#status": "Select the learner’s work-readiness status"}),
        ({"status": "SUPPORT_DECLINED"}, {"#decline_reason": "Select why the learner does not want support"}),
    ],
)
def test_a_status_needs_a_choice_and_a_decline_needs_a_reason_code(mentor_client, record, learner, data, errors):
    response = post_form(mentor_client, record["url"] + "/work-readiness", {"decline_reason": "", **data})
    assert response.status_code == 200
    assert error_summary(response) == errors
    assert (
        db.session.scalar(select(ReadinessStatusChange).where(ReadinessStatusChange.learner_id == learner.id)) is None
    )


def test_the_barriers_checklist_saves_only_what_changed_and_keeps_history(mentor_client, record, learner):
    url = record["url"] + "/barriers"
    answers = {f"barrier_{barrier.value.lower()}": "NOT_STARTED" for barrier in Barrier}
    answers["barrier_bank_account"] = "COMPLETED"
    answers["barrier_id"] = "ALREADY_IN_PLACE"
    answers["barrier_housing"] = "IN_PROGRESS"
    assert post_form(mentor_client, url, answers).status_code == 302
    assert post_form(mentor_client, url, answers).status_code == 302  # again: nothing new
    items = {
        item.barrier: item
        for item in db.session.scalars(select(BarrierItem).where(BarrierItem.learner_id == learner.id))
    }
    assert items[Barrier.BANK_ACCOUNT].status == BarrierStatus.COMPLETED
    assert items[Barrier.ID].already_in_place and items[Barrier.ID].is_resolved
    assert items[Barrier.HOUSING].status == BarrierStatus.IN_PROGRESS
    changes = list(db.session.scalars(select(BarrierChange).where(BarrierChange.learner_id == learner.id)))
    assert sorted(change.barrier for change in changes) == sorted([Barrier.BANK_ACCOUNT, Barrier.ID, Barrier.HOUSING])
    form = page(mentor_client.get(url))
    assert form.select_one("input[name=barrier_id][value=ALREADY_IN_PLACE]").has_attr("checked")


def test_a_mentor_assessment_sits_beside_the_learners_own_rating(mentor_client, record, learner, mentor):
    skill = record["skills"][0]
    url = record["url"] + "/assess-skill"
    form = page(mentor_client.get(f"{url}?skill={skill.id}"))
    assert form.select_one(f"select#skill option[value='{skill.id}']").has_attr("selected")
    response = post_form(
        mentor_client, url, {"skill": str(skill.id), "level": "awareness", "comment": "Needs practice with drivers."}
    )
    assert response.status_code == 302
    rating = db.session.scalar(select(ConfidenceRating).where(ConfidenceRating.assessor_id == mentor.id))
    assert (rating.learner_id, rating.skill_id, rating.assessed_level) == (learner.id, skill.id, SkillLevel.AWARENESS)
    table = (
        page(mentor_client.get(record["url"])).find("caption", string="Skills for the target role").find_parent("table")
    )
    row = next(row for row in table.select("tbody tr") if skill.name in row.get_text())
    cells = [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
    assert cells[2] == "Quite confident"
    assert cells[3].startswith("Awareness") and "Needs practice with drivers." in cells[3]


def test_an_assessment_needs_a_level_and_a_skill_from_the_list(mentor_client, record):
    url = record["url"] + "/assess-skill"
    response = post_form(mentor_client, url, {"skill": "999999", "level": ""})
    assert response.status_code == 200
    assert set(error_summary(response)) == {"#level"}
    response = post_form(mentor_client, url, {"skill": "999999", "level": "working"})
    assert error_summary(response) == {"#skill": "Select a skill from the list"}


def test_staff_change_the_expected_release_date(mentor_client, record, learner):
    response = post_form(mentor_client, record["url"] + "/release-date", {"release_date": ["3", "2", "2027"]})
    assert response.status_code == 302
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.release_date == date(2027, 2, 3)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.release_date.changed"))
    assert event.subject_id == learner.id and event.detail is None  # the date itself stays out of the log


def test_other_mentors_get_404_for_every_page_of_the_record(app, record, learner):
    stranger = sign_in(app.test_client(), factories.make_mentor(cohorts=[factories.make_cohort()]))
    for path in (
        "",
        "/timeline",
        "/work-readiness",
        "/barriers",
        "/assess-skill",
        "/release-date",
        "/record-release",
        "/move",
    ):
        assert stranger.get(record["url"] + path).status_code == 404, path
        assert stranger.get(f"/mentor/learners/{uuid.uuid4()}{path}").status_code == 404, path
    assert (
        post_form(
            stranger, record["url"] + "/work-readiness", {"status": "READY_TO_WORK"}, form_url="/mentor/"
        ).status_code
        == 404
    )
    assert _views(learner) == []


def test_an_admin_can_see_any_learners_record(admin_client, record, learner):
    assert admin_client.get(record["url"]).status_code == 200
    assert _views(learner) == ["summary"]
