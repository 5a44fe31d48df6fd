"""The learner's actions as use cases: each does everything it means (the change, the progress log, the audit event)
and refuses with a DomainError that the page turns into a message. The staff API calls the same functions."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Confidence, EmployabilitySkill, Evidence, ProgressEvent, ProgressKind
from skillpath.models.audit import AuditAction
from skillpath.services.errors import InvalidInput, NotFound
from skillpath.services.exports import my_data
from skillpath.services.progress import learning, progress
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from skillpath.services.progress.self_assessment import RatingGroup, SkillRef, rate_confidence
from tests import factories
from tests.conftest import sign_in
from tests.helpers import field_errors, flash_messages, post_form

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def module(learner):
    return factories.make_module(code="UC-01", title="Using email", units=2)


@pytest.fixture
def enrolment(learner, module):
    return learning.start_module(learner, module)


def _audit(action: AuditAction, subject=None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action)
    if subject is not None:
        query = query.where(AuditEvent.subject_id == subject.id)
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def _progress(enrolment, kind: ProgressKind) -> list[ProgressEvent]:
    return list(
        db.session.scalars(
            select(ProgressEvent).where(ProgressEvent.enrolment_id == enrolment.id, ProgressEvent.kind == kind)
        )
    )


def _finish_parts(learner, enrolment) -> None:
    for unit in enrolment.module.units:
        learning.record_unit_progress(learner, enrolment, unit.public_id, done=True)


def _evidence(learner, enrolment, folder, reflection="I sent an email with an attachment.", **kwargs):
    return learning.record_evidence(
        learner, enrolment, reflection=reflection, max_bytes=1024 * 1024, storage=LocalFolderStorage(folder), **kwargs
    )


# --- Choosing a job -----------------------------------------------------------------------------------------


def test_choosing_a_job_sets_the_target_and_is_audited(learner):
    level = factories.make_role_level(name="IT technician", plain_title="Fix computers")
    chosen = learning.choose_target_role(learner, str(level.public_id))
    assert chosen == level and learner.learner_profile.target_role_level == level
    [event] = _audit(AuditAction.LEARNER_TARGET_CHOSEN, learner)
    assert event.actor_id == learner.id and event.detail == {"role_level": "IT technician"}


def test_a_job_not_offered_to_learners_is_refused_on_its_field(learner):
    with pytest.raises(InvalidInput) as refused:
        learning.choose_target_role(learner, str(uuid.uuid4()))
    assert refused.value.field == "role_level" and refused.value.message == "Select one of the jobs in the list"
    assert _audit(AuditAction.LEARNER_TARGET_CHOSEN, learner) == []


def test_the_page_shows_the_refusal_beside_the_job_question(app, learner):
    factories.make_role_level(name="IT technician", plain_title="Fix computers")
    client = sign_in(app.test_client(), learner)
    response = post_form(client, "/learner/choose-a-job", {"role_level": str(uuid.uuid4())})
    assert response.status_code == 200
    assert field_errors(response) == ["Select one of the jobs in the list"]
    assert learner.learner_profile.target_role_level is None


# --- Starting a module and working through it ---------------------------------------------------------------


def test_starting_a_module_enrols_once_and_is_audited_once(learner, module):
    first = learning.start_module(learner, module)
    again = learning.start_module(learner, module)
    assert first == again and progress.get_enrolment(learner, module) == first
    assert len(_progress(first, ProgressKind.ENROLLED)) == 1
    [event] = _audit(AuditAction.LEARNER_MODULE_STARTED, learner)
    assert (event.object_type, event.object_id) == ("module", "UC-01")
    assert learner.learner_profile.last_activity_at is not None


def test_marking_a_part_done_logs_it_and_audits_it_and_twice_changes_nothing(learner, enrolment):
    unit = enrolment.module.units[0]
    outcome = learning.record_unit_progress(learner, enrolment, unit.public_id, done=True)
    assert outcome.changed and not outcome.sent_for_sign_off
    assert (outcome.part_title, outcome.part_position) == (unit.title, 1)
    again = learning.record_unit_progress(learner, enrolment, unit.public_id, done=True)
    assert not again.changed
    assert len(_progress(enrolment, ProgressKind.UNIT_COMPLETED)) == 1
    [event] = _audit(AuditAction.LEARNER_PROGRESS_RECORDED, learner)
    assert event.detail == {"part": 1, "status": "done"}


def test_a_part_of_another_module_is_not_found(learner, enrolment):
    other = factories.make_module(code="UC-02", units=1)
    with pytest.raises(NotFound):
        learning.record_unit_progress(learner, enrolment, other.units[0].public_id, done=True)


def test_someone_elses_enrolment_is_not_found(learner, enrolment, cohort):
    someone = factories.make_learner(cohort=cohort)
    with pytest.raises(NotFound):
        learning.record_unit_progress(someone, enrolment, enrolment.module.units[0].public_id, done=True)


# --- Sending a module for sign-off ---------------------------------------------------------------------------


def test_the_change_that_makes_a_module_ready_sends_it_for_sign_off(learner, enrolment, uploads):
    _finish_parts(learner, enrolment)
    assert _audit(AuditAction.MODULE_SUBMITTED, learner) == []
    outcome = _evidence(learner, enrolment, uploads)
    assert outcome.sent_for_sign_off and not outcome.sent_again
    assert progress.get_module_progress(enrolment).status == progress.ModuleStatus.READY_FOR_SIGN_OFF
    assert len(_progress(enrolment, ProgressKind.SUBMITTED)) == 1
    [event] = _audit(AuditAction.MODULE_SUBMITTED, learner)
    assert (event.object_id, event.detail) == ("UC-01", {"again": False})
    # More evidence on a module already waiting does not send it twice.
    assert not _evidence(learner, enrolment, uploads, reflection="And another.").sent_for_sign_off
    assert len(_audit(AuditAction.MODULE_SUBMITTED, learner)) == 1


def test_acting_on_feedback_sends_the_module_again(learner, mentor, enrolment, uploads):
    _finish_parts(learner, enrolment)
    _evidence(learner, enrolment, uploads)
    progress.return_module(enrolment, feedback="Add a screenshot.", by=mentor)
    outcome = _evidence(learner, enrolment, uploads, reflection="I added a screenshot.")
    assert outcome.sent_for_sign_off and outcome.sent_again
    assert [e.detail for e in _audit(AuditAction.MODULE_SUBMITTED, learner)] == [{"again": False}, {"again": True}]


def test_the_page_says_when_a_change_sent_the_module_to_the_mentor(app, learner, enrolment, uploads):
    learning.record_unit_progress(learner, enrolment, enrolment.module.units[0].public_id, done=True)
    _evidence(learner, enrolment, uploads)
    last = enrolment.module.units[1]
    client = sign_in(app.test_client(), learner)
    response = post_form(
        client, f"/learner/modules/UC-01/parts/{last.public_id}", {"done": "yes"}, form_url="/learner/modules/UC-01"
    )
    assert flash_messages(client.get(response.location)) == [
        f"“{last.title}” is marked as done. Using email is ready for your mentor to check and sign off."
    ]
    assert len(_audit(AuditAction.MODULE_SUBMITTED, learner)) == 1


def test_a_signed_off_module_cannot_be_changed_and_the_page_says_so(app, learner, mentor, enrolment, uploads):
    _finish_parts(learner, enrolment)
    _evidence(learner, enrolment, uploads)
    progress.sign_off(enrolment, mentor=mentor)
    unit = enrolment.module.units[0]
    with pytest.raises(InvalidInput):
        learning.record_unit_progress(learner, enrolment, unit.public_id, done=False)
    client = sign_in(app.test_client(), learner)
    response = post_form(
        client, f"/learner/modules/UC-01/parts/{unit.public_id}", {"done": "no"}, form_url="/learner/modules/UC-01"
    )
    assert flash_messages(client.get(response.location)) == [
        "This module has been signed off. Its parts cannot be changed"
    ]
    assert progress.get_module_progress(enrolment).signed_off


# --- Evidence -----------------------------------------------------------------------------------------------


def test_evidence_with_a_file_is_kept_and_audited(learner, enrolment, uploads):
    outcome = _evidence(learner, enrolment, uploads, file=io.BytesIO(PDF), filename="email.pdf")
    assert outcome.changed
    item = db.session.scalar(select(Evidence).where(Evidence.enrolment_id == enrolment.id))
    assert item.original_filename == "email.pdf" and (uploads / item.stored_name).read_bytes() == PDF
    [event] = _audit(AuditAction.LEARNER_EVIDENCE_ADDED, learner)
    assert (event.object_id, event.detail) == (str(item.public_id), {"with_file": True})


def test_the_same_evidence_sent_twice_is_kept_and_audited_once(learner, enrolment, uploads):
    assert _evidence(learner, enrolment, uploads).changed
    assert not _evidence(learner, enrolment, uploads).changed
    assert len(_audit(AuditAction.LEARNER_EVIDENCE_ADDED, learner)) == 1


def test_a_file_that_cannot_be_kept_is_refused_on_the_file_field(learner, enrolment, uploads):
    with pytest.raises(InvalidInput) as refused:
        _evidence(learner, enrolment, uploads, file=io.BytesIO(b"MZ\x90\x00"), filename="cv.pdf")
    assert refused.value.field == "file"
    assert refused.value.message == "The file must be a PDF, PNG, JPEG or plain text file. Choose a different file"
    assert _audit(AuditAction.LEARNER_EVIDENCE_ADDED, learner) == []


def test_a_file_written_for_work_that_is_rolled_back_is_deleted(learner, enrolment, uploads):
    _evidence(learner, enrolment, uploads, file=io.BytesIO(PDF), filename="email.pdf")
    assert len(list(uploads.iterdir())) == 1
    db.session.rollback()
    assert list(uploads.iterdir()) == []


def test_withdrawing_evidence_takes_it_off_the_record_and_is_audited(learner, enrolment, uploads):
    _evidence(learner, enrolment, uploads)
    item = db.session.scalar(select(Evidence).where(Evidence.enrolment_id == enrolment.id))
    learning.withdraw_evidence(learner, item)
    learning.withdraw_evidence(learner, item)  # a double click
    assert item.removed_at is not None
    assert len(_progress(enrolment, ProgressKind.EVIDENCE_REMOVED)) == 1
    [event] = _audit(AuditAction.LEARNER_EVIDENCE_REMOVED, learner)
    assert event.object_id == str(item.public_id)


def test_someone_elses_evidence_cannot_be_withdrawn(learner, enrolment, uploads, cohort):
    _evidence(learner, enrolment, uploads)
    item = db.session.scalar(select(Evidence).where(Evidence.enrolment_id == enrolment.id))
    with pytest.raises(NotFound):
        learning.withdraw_evidence(factories.make_learner(cohort=cohort), item)
    assert item.removed_at is None


def test_staff_opening_an_evidence_file_is_audited_and_the_learner_opening_it_is_not(
    app, learner, mentor, enrolment, uploads
):
    _evidence(learner, enrolment, uploads, file=io.BytesIO(PDF), filename="email.pdf")
    item = db.session.scalar(select(Evidence).where(Evidence.enrolment_id == enrolment.id))
    db.session.commit()  # the file is the row's: keep both for the requests below (the test's transaction still ends)
    own = sign_in(app.test_client(), learner).get(f"/learner/evidence/{item.public_id}/file")
    assert own.status_code == 200 and own.data == PDF
    assert _audit(AuditAction.LEARNER_EVIDENCE_VIEWED, learner) == []
    staff = sign_in(app.test_client(), mentor).get(f"/learner/evidence/{item.public_id}/file")
    assert staff.status_code == 200
    [event] = _audit(AuditAction.LEARNER_EVIDENCE_VIEWED, learner)
    assert event.actor_id == mentor.id


# --- Confidence and my data ----------------------------------------------------------------------------------


def test_rating_confidence_keeps_the_changed_answers_and_audits_how_many(learner):
    teamwork = SkillRef(employability_skill=EmployabilitySkill.TEAMWORK)
    rated = rate_confidence(learner, RatingGroup.WORK_SKILLS, {teamwork: Confidence.QUITE_CONFIDENT})
    assert rated.changed and [r.confidence for r in rated.added] == [Confidence.QUITE_CONFIDENT]
    assert not rate_confidence(learner, RatingGroup.WORK_SKILLS, {teamwork: Confidence.QUITE_CONFIDENT}).changed
    [event] = _audit(AuditAction.LEARNER_CONFIDENCE_RATED, learner)
    assert event.detail == {"group": "work-skills", "changed": 1}


def test_a_skill_not_on_the_page_is_refused(learner):
    skill = factories.make_skill(name="Databases")
    with pytest.raises(InvalidInput) as refused:
        rate_confidence(learner, RatingGroup.WORK_SKILLS, {SkillRef(skill_id=skill.id): Confidence.VERY_CONFIDENT})
    assert refused.value.field == f"skill_{skill.id}"


def test_the_job_questions_need_a_job(learner):
    with pytest.raises(NotFound):
        rate_confidence(learner, RatingGroup.JOB_SKILLS, {})


@pytest.mark.parametrize(("to_share", "kind"), [(False, "full"), (True, "to_share")])
def test_downloading_my_data_is_audited_with_which_copy(learner, to_share, kind):
    document = my_data.download_my_data(learner, to_share=to_share, ip_address="10.0.0.1")
    assert "about" in document
    [event] = _audit(AuditAction.LEARNER_DATA_DOWNLOADED, learner)
    assert (event.actor_id, event.ip_address, event.detail) == (learner.id, "10.0.0.1", {"kind": kind})


def test_the_learners_own_actions_are_described_in_their_words():
    assert my_data.describe_action(AuditAction.MODULE_SUBMITTED) == "Sent a module for sign-off"
    assert my_data.describe_action(AuditAction.LEARNER_EVIDENCE_ADDED) == "Added evidence"
