"""The mentors' use cases at service level: each does everything its action means (and audits it), or refuses with a
DomainError and writes nothing. The pages and the staff API both call these, so they are tested without the web."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierStatus,
    Certificate,
    CohortMembership,
    DeclineReason,
    ProgressEvent,
    ProgressKind,
    SkillAward,
    SkillLevel,
    WorkReadiness,
)
from skillpath.models.audit import AuditAction
from skillpath.services.errors import Conflict, InvalidInput, NotAllowed
from skillpath.services.learners import learners, transfers
from skillpath.services.progress import mentor_assessments, progress
from skillpath.services.readiness import barriers, work_status
from skillpath.services.readiness.readiness import ALREADY_IN_PLACE
from tests import factories
from tests.helpers import flash_messages, location_path, post_form
from tests.integration._mentor_world import finish_module, make_job


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


@pytest.fixture
def ready(app, learner):
    _job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.AWARENESS)
    module = factories.make_module(title="Helpdesk basics", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    return finish_module(learner, module)


# --- Signing off and returning ---------------------------------------------------------------------------------


def test_signing_off_awards_the_skills_issues_the_certificate_and_audits_it_in_one_call(ready, learner, mentor):
    done = progress.sign_off_module(ready, by=mentor)

    assert {(a.skill_id, a.level, a.awarded_by_id) for a in done.awards} == {
        (link.skill_id, SkillLevel.AWARENESS, mentor.id) for link in ready.module.skills
    }
    assert _count(SkillAward, SkillAward.learner_id == learner.id) == 2
    certificate = db.session.scalar(select(Certificate).where(Certificate.learner_id == learner.id))
    assert certificate is done.certificate and certificate.module_id == ready.module_id
    assert progress.get_module_progress(ready).status == progress.ModuleStatus.SIGNED_OFF
    [event] = _events(AuditAction.MODULE_SIGNED_OFF)
    assert (event.actor_id, event.subject_id, event.object_id, event.detail) == (
        mentor.id,
        learner.id,
        ready.module.code,
        {"skills": 2},
    )
    assert done.message == (
        f"Helpdesk basics is signed off. 2 skills awarded and certificate {certificate.display_code} issued."
    )


def test_signing_off_again_is_a_conflict_and_changes_nothing(ready, learner, mentor):
    progress.sign_off_module(ready, by=mentor)
    with pytest.raises(Conflict, match="Helpdesk basics is already signed off"):
        progress.sign_off_module(ready, by=mentor)
    assert _count(SkillAward, SkillAward.learner_id == learner.id) == 2
    assert _count(Certificate, Certificate.learner_id == learner.id) == 1
    assert len(_events(AuditAction.MODULE_SIGNED_OFF)) == 1


def test_a_module_not_finished_cannot_be_signed_off_or_returned(learner, mentor):
    enrolment = finish_module(learner, factories.make_module(title="Half done"), evidence=False)
    with pytest.raises(Conflict, match="not ready for sign-off"):
        progress.sign_off_module(enrolment, by=mentor)
    with pytest.raises(Conflict, match="not ready for sign-off"):
        progress.return_module(enrolment, feedback="More please", by=mentor)
    assert _events(AuditAction.MODULE_SIGNED_OFF) == _events(AuditAction.MODULE_RETURNED) == []


def test_returning_a_module_logs_the_feedback_and_audits_it_then_it_waits_for_the_learner(ready, learner, mentor):
    event = progress.return_module(ready, feedback="  Add a screenshot.  ", by=mentor)

    assert (event.kind, event.note, event.actor_id) == (ProgressKind.RETURNED, "Add a screenshot.", mentor.id)
    assert [e.note for e in progress.list_feedback_given(ready)] == ["Add a screenshot."]
    [audit] = _events(AuditAction.MODULE_RETURNED)
    assert (audit.actor_id, audit.subject_id, audit.object_id) == (mentor.id, learner.id, ready.module.code)
    with pytest.raises(Conflict, match="has been returned to the learner with feedback"):
        progress.sign_off_module(ready, by=mentor)


@pytest.mark.parametrize("feedback", ["", "   ", "x" * (progress.FEEDBACK_MAX + 1)])
def test_returning_without_usable_feedback_is_invalid_and_writes_nothing(ready, mentor, feedback):
    with pytest.raises(InvalidInput) as refused:
        progress.return_module(ready, feedback=feedback, by=mentor)
    assert refused.value.field == "feedback"
    assert _count(ProgressEvent, ProgressEvent.kind == ProgressKind.RETURNED) == 0
    assert _events(AuditAction.MODULE_RETURNED) == []


def test_a_mentor_finds_only_the_modules_of_learners_they_may_update(app, ready, mentor):
    stranger = factories.make_mentor(cohorts=[factories.make_cohort()])
    assert progress.find_enrolment_for_staff(mentor, ready.public_id) is ready
    assert progress.find_enrolment_for_staff(stranger, ready.public_id) is None


# --- The record: barriers, status, assessment, release date ------------------------------------------------------


def test_updating_the_barriers_checklist_records_each_change_and_counts_them(learner, mentor):
    answers = {Barrier.ID: BarrierStatus.IN_PROGRESS.value, Barrier.HOUSING: ALREADY_IN_PLACE}
    answers |= {barrier: BarrierStatus.NOT_STARTED.value for barrier in Barrier if barrier not in answers}

    assert barriers.update_barriers(learner, answers, by=mentor) == 2
    assert barriers.update_barriers(learner, answers, by=mentor) == 0, "the same answers again change nothing"

    items = {item.barrier: barriers.answer_for(item) for item in barriers.list_barriers(learner)}
    assert items[Barrier.ID] == "IN_PROGRESS" and items[Barrier.HOUSING] == ALREADY_IN_PLACE
    assert _count(BarrierChange, BarrierChange.learner_id == learner.id) == 2
    assert {e.object_id for e in _events(AuditAction.LEARNER_BARRIER_CHANGED)} == {"ID", "HOUSING"}


def test_an_answer_that_is_not_a_code_is_refused_before_anything_is_written(learner, mentor):
    answers = {Barrier.ID: "COMPLETED", Barrier.PHONE: "Done"}
    with pytest.raises(InvalidInput) as refused:
        barriers.update_barriers(learner, answers, by=mentor)
    assert (refused.value.field, refused.value.message) == ("PHONE", "Select where things are with: phone")
    assert _count(BarrierChange, BarrierChange.learner_id == learner.id) == 0


def test_a_decline_without_a_reason_is_invalid_input_about_that_field(learner, mentor):
    with pytest.raises(InvalidInput) as refused:
        work_status.record_status(learner, WorkReadiness.SUPPORT_DECLINED, decline_reason=None, by=mentor)
    assert refused.value.field == "decline_reason"
    change = work_status.record_status(
        learner, WorkReadiness.SUPPORT_DECLINED, decline_reason=DeclineReason.RETIRED, by=mentor
    )
    assert change is not None and change.status.label == "Does not want support"
    [event] = _events(AuditAction.LEARNER_STATUS_CHANGED)
    assert event.detail["status"] == "SUPPORT_DECLINED"


def test_assessing_a_skill_records_it_once_and_refuses_an_unknown_skill(learner, mentor):
    _job, [skill, _other] = make_job()
    rating = mentor_assessments.assess_skill(learner, str(skill.id), SkillLevel.WORKING, comment=" Good ", by=mentor)
    again = mentor_assessments.assess_skill(learner, skill.id, SkillLevel.WORKING, comment="Good", by=mentor)
    assert again is rating and (rating.assessed_level, rating.comment) == (SkillLevel.WORKING, "Good")
    assert len(_events(AuditAction.LEARNER_ASSESSMENT_RECORDED)) == 1
    for wrong in (None, "not-a-number", 999_999):
        with pytest.raises(InvalidInput) as refused:
            mentor_assessments.assess_skill(learner, wrong, SkillLevel.WORKING, comment=None, by=mentor)
        assert refused.value.field == "skill"
    with pytest.raises(InvalidInput) as refused:
        mentor_assessments.assess_skill(learner, skill.id, SkillLevel.EXPERT, comment="x" * 1001, by=mentor)
    assert refused.value.field == "comment"


def test_changing_the_release_date_is_audited_once(learner, mentor):
    assert transfers.update_release_date(learner, date(2027, 3, 27), by=mentor) is True
    assert transfers.update_release_date(learner, date(2027, 3, 27), by=mentor) is False
    assert learner.learner_profile.release_date == date(2027, 3, 27)
    assert len(_events(AuditAction.LEARNER_RELEASE_DATE_CHANGED)) == 1


def test_a_read_of_the_record_is_audited_with_the_page(learner, mentor):
    learners.record_learner_viewed(learner, by=mentor, page="summary", ip_address="10.0.0.1")
    [event] = _events(AuditAction.LEARNER_RECORD_VIEWED)
    assert (event.actor_id, event.subject_id, event.detail, event.ip_address) == (
        mentor.id,
        learner.id,
        {"page": "summary"},
        "10.0.0.1",
    )


def test_staff_find_only_the_learners_cohorts_and_establishments_they_may_see(app, learner, cohort, mentor):
    other_cohort = factories.make_cohort()
    stranger = factories.make_mentor(cohorts=[other_cohort])
    lead = factories.make_mentor(establishment=cohort.establishment, is_establishment_lead=True)
    assert learners.find_learner_to_manage(mentor, learner.public_id) is learner
    assert learners.find_learner_to_manage(stranger, learner.public_id) is None
    assert learners.find_cohort_for_staff(mentor, cohort.public_id) is cohort
    assert learners.find_cohort_for_adding(stranger, cohort.public_id) is None
    assert learners.find_establishment_for_staff(lead, cohort.establishment.public_id) is cohort.establishment
    assert learners.find_establishment_for_staff(mentor, cohort.establishment.public_id) is None


# --- Moving and releasing -----------------------------------------------------------------------------------------


@pytest.fixture
def places(app, cohort):
    return {
        "next_door": factories.make_cohort(establishment=cohort.establishment, name="Next door"),
        "far_away": factories.make_cohort(name="Far away"),
        "lead": factories.make_mentor(establishment=cohort.establishment, is_establishment_lead=True),
    }


def test_a_head_of_education_moves_a_learner_within_their_establishment(learner, places):
    moved_to = transfers.move_learner(learner, places["next_door"].public_id, by=places["lead"])
    assert moved_to is places["next_door"]
    assert transfers.current_cohort(learner) is places["next_door"]
    [event] = _events(AuditAction.LEARNER_TRANSFERRED)
    assert (event.actor_id, event.object_id) == (places["lead"].id, str(places["next_door"].public_id))


def test_a_move_to_a_cohort_not_offered_is_invalid_and_a_mentor_may_not_move_at_all(learner, mentor, cohort, places):
    with pytest.raises(InvalidInput) as refused:
        transfers.move_learner(learner, places["far_away"].public_id, by=places["lead"])
    assert (refused.value.field, refused.value.message) == ("cohort", "Select the cohort to move the learner to")
    with pytest.raises(NotAllowed):
        transfers.move_learner(learner, places["next_door"].public_id, by=mentor)
    assert transfers.current_cohort(learner) is cohort
    assert _events(AuditAction.LEARNER_TRANSFERRED) == []


def test_releasing_gives_a_recovery_code_ends_the_membership_and_audits_both(learner, mentor):
    code = transfers.release_learner(learner, by=mentor)
    assert code and learner.recovery_code_hash is not None
    assert learner.learner_profile.is_released
    assert _count(CohortMembership, CohortMembership.learner_id == learner.id, CohortMembership.left_at.is_(None)) == 0
    assert len(_events(AuditAction.LEARNER_RELEASED)) == len(_events(AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED)) == 1


def test_releasing_twice_is_a_conflict_and_keeps_the_code_already_printed(learner, admin):
    transfers.release_learner(learner, by=admin)
    printed = learner.recovery_code_hash
    with pytest.raises(transfers.TransferError, match="already been recorded") as refused:
        transfers.release_learner(learner, by=admin)
    assert isinstance(refused.value, Conflict)
    assert learner.recovery_code_hash == printed
    assert len(_events(AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED)) == 1


# --- A refusal on the page ----------------------------------------------------------------------------------------


def test_returning_a_module_already_signed_off_says_so_on_the_page(mentor_client, ready, mentor):
    url = f"/mentor/modules-to-review/{ready.public_id}"
    progress.sign_off_module(ready, by=mentor)
    response = post_form(mentor_client, url + "/return", {"feedback": ""}, form_url=url)
    assert response.status_code == 302 and location_path(response) == url
    assert "Helpdesk basics is already signed off." in flash_messages(mentor_client.get(url))
    assert _events(AuditAction.MODULE_RETURNED) == []
