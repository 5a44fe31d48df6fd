"""The learner says how confident they feel; ratings are a history, and mentors' ratings sit beside them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Confidence, ConfidenceRating, EmployabilitySkill, SkillLevel
from skillpath.services.progress.self_assessment import (
    SkillRef,
    latest_ratings,
    record_self_ratings,
    work_skill_question,
)
from tests import factories
from tests.helpers import error_summary, flash_messages, heading, location_path, page, post_form

WORK = "/learner/confidence/work-skills"
JOB = "/learner/confidence/job-skills"


@pytest.fixture
def job(learner):
    skills = [
        factories.make_skill(name="IT service management", plain_description="Helping people when computers go wrong."),
        factories.make_skill(name="Asset management", plain_description="Keeping track of equipment."),
    ]
    role_level = factories.make_role_level(
        name="Service desk analyst",
        plain_title="Help people fix computer problems",
        skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.AWARENESS},
    )
    learner.learner_profile.target_role_level = role_level
    db.session.flush()
    return {"skills": skills, "role_level": role_level}


def _all_work_answers(level: Confidence = Confidence.QUITE_CONFIDENT) -> dict[str, str]:
    return {SkillRef(employability_skill=code).field_name: level.value for code in EmployabilitySkill}


def _ratings(learner) -> list[ConfidenceRating]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ConfidenceRating).where(ConfidenceRating.learner_id == learner.id).order_by(ConfidenceRating.id)
        )
    )


def _rated_events(learner) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == learner.id, AuditEvent.action == "learner.confidence.rated"
            )
        )
    )


def _table(soup, section_id: str) -> dict[str, list[str]]:
    table = soup.find(id=section_id).find_next("table")
    return {
        row.select("td")[0].get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row.select("td")[1:]]
        for row in table.select("tbody tr")
    }


# --- Without a job chosen --------------------------------------------------------------------------------------


def test_without_a_job_only_skills_for_work_are_asked_with_a_link_to_choose_a_job(learner_client, learner):
    soup = page(learner_client.get("/learner/confidence"))
    assert soup.h1.get_text(strip=True) == "How confident I feel"
    links = [a["href"] for a in soup.select(".govuk-inset-text a")]
    assert links == ["/learner/choose-a-job"]
    assert list(_table(soup, "work-skills")) == [work_skill_question(code).short_name for code in EmployabilitySkill]
    assert all(cells[0] == "Not answered yet" for cells in _table(soup, "work-skills").values())
    assert "You have not answered any questions yet." in soup.get_text()
    assert location_path(learner_client.get(JOB)) == "/learner/choose-a-job"


# --- Asking -------------------------------------------------------------------------------------------------------


def test_the_job_page_asks_about_each_skill_the_job_needs_with_its_plain_description(learner_client, job):
    soup = page(learner_client.get(JOB))
    assert heading(learner_client.get(JOB)) == "Skills for the job I want"
    legends = [legend.get_text(strip=True) for legend in soup.select("fieldset legend")]
    # Skills we have written no question for are asked in plain fallback words with the catalogue's description.
    assert sorted(legends) == [
        "Asset management: how confident do you feel about this?",
        "IT service management: how confident do you feel about this?",
    ]
    hints = {hint.get_text(strip=True) for hint in soup.select("fieldset .govuk-hint")}
    assert hints == {"Helping people when computers go wrong.", "Keeping track of equipment."}
    first = soup.select("fieldset")[0]
    assert [label.get_text(strip=True) for label in first.select(".govuk-radios__label")] == [
        "Not confident",
        "A little confident",
        "Quite confident",
        "Very confident",
    ]


def test_the_work_page_asks_about_all_ten_employability_skills(learner_client):
    soup = page(learner_client.get(WORK))
    legends = [legend.get_text(strip=True) for legend in soup.select("fieldset legend")]
    assert legends == [work_skill_question(code).legend for code in EmployabilitySkill]
    assert len(soup.select("input[type=radio]")) == 40


# --- Saving ------------------------------------------------------------------------------------------------------


def test_saving_adds_a_rating_by_the_learner_for_each_skill(learner_client, learner):
    response = post_form(learner_client, WORK, _all_work_answers())
    assert location_path(response) == "/learner/confidence"
    ratings = _ratings(learner)
    assert len(ratings) == 10
    assert {r.employability_skill for r in ratings} == set(EmployabilitySkill)
    assert all(r.assessor_id == learner.id and r.confidence == Confidence.QUITE_CONFIDENT for r in ratings)
    assert all(r.skill_id is None for r in ratings)
    overview = learner_client.get("/learner/confidence")
    assert flash_messages(overview) == ["Your answers have been saved."]
    soup = page(overview)
    assert _table(soup, "work-skills")["Working with others"][0] == "Quite confident"
    assert "You last changed your answers on" in soup.select_one("#last-updated").get_text()
    [event] = _rated_events(learner)
    assert event.detail == {"group": "work-skills", "changed": 10}


def test_saving_again_appends_only_the_changed_answers_and_keeps_the_history(learner_client, learner):
    post_form(learner_client, WORK, _all_work_answers())
    first = {r.id: r.confidence for r in _ratings(learner)}
    answers = _all_work_answers()
    answers["work_teamwork"] = Confidence.VERY_CONFIDENT.value
    answers["work_problem_solving"] = Confidence.NOT_CONFIDENT.value
    post_form(learner_client, WORK, answers)
    ratings = _ratings(learner)
    assert len(ratings) == 12
    # The earlier rows are untouched: history is appended, never updated.
    assert {r.id: r.confidence for r in ratings if r.id in first} == first
    assert [(r.employability_skill, r.confidence) for r in ratings[10:]] == [
        (EmployabilitySkill.TEAMWORK, Confidence.VERY_CONFIDENT),
        (EmployabilitySkill.PROBLEM_SOLVING, Confidence.NOT_CONFIDENT),
    ]
    table = _table(page(learner_client.get("/learner/confidence")), "work-skills")
    assert table["Working with others"][0] == "Very confident"
    assert table["Sorting out problems"][0] == "Not confident"
    # Saving the same answers again adds nothing and writes no event.
    post_form(learner_client, WORK, answers)
    assert len(_ratings(learner)) == 12
    assert [e.detail["changed"] for e in _rated_events(learner)] == [10, 2]


def test_the_form_starts_with_the_current_answers(learner_client, learner):
    record_self_ratings(
        learner, {SkillRef(employability_skill=EmployabilitySkill.CREATIVITY): Confidence.LITTLE_CONFIDENCE}
    )
    db.session.flush()
    soup = page(learner_client.get(WORK))
    checked = [radio["name"] + "=" + radio["value"] for radio in soup.select("input[type=radio][checked]")]
    assert checked == ["work_creativity=LITTLE_CONFIDENCE"]


def test_a_partly_filled_form_keeps_what_was_chosen_and_lists_what_is_missing(learner_client, learner):
    answers = {"work_teamwork": "VERY_CONFIDENT", "work_timekeeping": "NOT_CONFIDENT"}
    response = post_form(learner_client, WORK, answers)
    summary = error_summary(response)
    assert len(summary) == 8
    assert summary["#work_problem_solving"] == "Sorting out problems"
    assert "#work_teamwork" not in summary
    soup = page(response)
    checked = {radio["name"]: radio["value"] for radio in soup.select("input[type=radio][checked]")}
    assert checked == answers
    assert _ratings(learner) == []


def test_a_forged_answer_is_refused(learner_client, learner):
    answers = _all_work_answers()
    answers["work_teamwork"] = "SUPREMELY_CONFIDENT"
    response = post_form(learner_client, WORK, answers)
    assert error_summary(response) == {"#work_teamwork": "Working with others"}
    assert _ratings(learner) == []


def test_job_skill_ratings_are_saved_against_the_framework_skill(learner_client, learner, job):
    skills = job["skills"]
    answers = {f"skill_{skills[0].id}": "QUITE_CONFIDENT", f"skill_{skills[1].id}": "NOT_CONFIDENT"}
    post_form(learner_client, JOB, answers)
    ratings = _ratings(learner)
    assert {(r.skill_id, r.employability_skill, r.confidence) for r in ratings} == {
        (skills[0].id, None, Confidence.QUITE_CONFIDENT),
        (skills[1].id, None, Confidence.NOT_CONFIDENT),
    }
    table = _table(page(learner_client.get("/learner/confidence")), "job-skills")
    assert table == {
        "Asset management": ["Not confident", table["Asset management"][1]],
        "IT service management": ["Quite confident", table["IT service management"][1]],
    }


# --- The API the mentor side uses ----------------------------------------------------------------------------------


def test_latest_ratings_gives_the_newest_self_rating_and_the_newest_mentor_rating_side_by_side(
    app, learner, mentor, job
):
    skill, other = job["skills"]
    unrelated = factories.make_skill(name="Data modelling")
    start = datetime(2026, 1, 5, 10, tzinfo=UTC)

    def rate(assessor, minutes, **fields):
        db.session.add(
            ConfidenceRating(
                learner_id=learner.id, assessor_id=assessor.id, rated_at=start + timedelta(minutes=minutes), **fields
            )
        )

    rate(learner, 0, skill_id=skill.id, confidence=Confidence.NOT_CONFIDENT)
    rate(learner, 10, skill_id=skill.id, confidence=Confidence.QUITE_CONFIDENT)
    rate(mentor, 5, skill_id=skill.id, assessed_level=SkillLevel.AWARENESS, comment="Getting there")
    rate(
        mentor,
        20,
        skill_id=skill.id,
        assessed_level=SkillLevel.WORKING,
        confidence=Confidence.QUITE_CONFIDENT,
        comment="Ready",
    )
    rate(mentor, 1, employability_skill=EmployabilitySkill.TEAMWORK, confidence=Confidence.VERY_CONFIDENT)
    rate(learner, 2, skill_id=unrelated.id, confidence=Confidence.LITTLE_CONFIDENCE)
    db.session.flush()

    overview = latest_ratings(learner)
    entry = overview.find(SkillRef(skill_id=skill.id))
    assert entry.mine.confidence == Confidence.QUITE_CONFIDENT and entry.mine.by_learner
    assert entry.mine.rated_at == start + timedelta(minutes=10)
    assert (entry.mentor.assessed_level, entry.mentor.confidence, entry.mentor.comment) == (
        SkillLevel.WORKING,
        Confidence.QUITE_CONFIDENT,
        "Ready",
    )
    assert entry.mentor.assessor_name == mentor.display_name and not entry.mentor.by_learner
    assert entry.required_level == SkillLevel.WORKING and entry.hint == "Helping people when computers go wrong."
    assert overview.find(SkillRef(skill_id=other.id)).mine is None
    # A skill rated before the learner changed job is still there, marked as not required.
    assert [(s.name, s.is_required) for s in overview.job_skills] == [
        ("Asset management", True),
        ("IT service management", True),
        ("Data modelling", False),
    ]
    assert [s.name for s in overview.required_job_skills] == ["Asset management", "IT service management"]
    teamwork = overview.find(SkillRef(employability_skill=EmployabilitySkill.TEAMWORK))
    assert teamwork.mine is None and teamwork.mentor.confidence == Confidence.VERY_CONFIDENT
    assert overview.last_self_rated_at == start + timedelta(minutes=10)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.mine = None  # type: ignore[misc]


def test_a_skill_ref_is_about_exactly_one_skill():
    with pytest.raises(ValueError, match="exactly one"):
        SkillRef()
    with pytest.raises(ValueError, match="exactly one"):
        SkillRef(skill_id=1, employability_skill=EmployabilitySkill.TEAMWORK)
    assert SkillRef(employability_skill=EmployabilitySkill.PROBLEM_SOLVING).field_name == "work_problem_solving"
    assert SkillRef(skill_id=7).field_name == "skill_7"


def test_the_learner_sees_what_their_mentor_thinks_beside_their_own_answer(learner_client, learner, mentor):
    db.session.add(
        ConfidenceRating(
            learner_id=learner.id,
            assessor_id=mentor.id,
            employability_skill=EmployabilitySkill.TIMEKEEPING,
            confidence=Confidence.VERY_CONFIDENT,
            comment="Always on time",
        )
    )
    db.session.flush()
    soup = page(learner_client.get("/learner/confidence"))
    heads = [th.get_text(strip=True) for th in soup.find(id="work-skills").find_next("table").select("thead th")]
    assert heads == ["Skill", "My answer", "Date", "What my mentor thinks"]
    assert _table(soup, "work-skills")["Being on time"][2] == "Very confident “Always on time”"


# --- Access ---------------------------------------------------------------------------------------------------------


def test_staff_are_refused_the_confidence_pages(mentor_client, admin_client):
    for client in (mentor_client, admin_client):
        for url in ("/learner/confidence", WORK, JOB):
            assert client.get(url).status_code == 403, url


def test_saving_needs_a_csrf_token(learner_client, learner):
    assert learner_client.post(WORK, data=_all_work_answers()).status_code == 400
    assert _ratings(learner) == []
