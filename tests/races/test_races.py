"""Exactly once, however many times at once: every action a double click or two staff could repeat.

Each race is run ROUNDS times on fresh records, with TIMES simultaneous requests
each, against a live server (PostgreSQL in CI, and SQLite). Races are not
deterministic: a check-then-write without a lock passes some rounds and fails
others, so one round proves little and several catch it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    Certificate,
    CertificateKind,
    Cohort,
    CohortMembership,
    ConfidenceRating,
    Enrolment,
    Establishment,
    Evidence,
    Goal,
    Module,
    ProgressEvent,
    ProgressKind,
    ReadinessStatusChange,
    SkillAward,
    SkillLevel,
    User,
)
from skillpath.models.organisations import cohort_mentors
from skillpath.services.plans.goals import create_goal
from skillpath.services.progress import progress
from tests import factories
from tests.integration._mentor_world import finish_module
from tests.races.conftest import RaceServer
from tests.races.harness import Browser, burst, prepare, radio_names

ROUNDS = 3
TIMES = 12


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _audit_count(action: str, subject_id: int) -> int:
    return _count(AuditEvent, AuditEvent.action == action, AuditEvent.subject_id == subject_id)


@dataclass
class World:
    server: RaceServer
    ids: dict[str, Any]

    def browser_for(self, username: str) -> Browser:
        browser = self.server.browser()
        browser.sign_in(username, factories.PASSWORD)
        return browser


def _build(server: RaceServer, make: Callable[[], dict[str, Any]]) -> World:
    with server.app.app_context():
        ids = make()
        db.session.commit()
        db.session.remove()
    return World(server, ids)


def _check(server: RaceServer, check: Callable[[], None]) -> None:
    with server.app.app_context():
        try:
            check()
        finally:
            db.session.remove()


def _cohort_with_mentors(mentors: int = 2) -> tuple[Cohort, list[User]]:
    cohort = factories.make_cohort()
    return cohort, [factories.make_mentor(cohorts=[cohort]) for _ in range(mentors)]


def _finished_module_world() -> dict[str, Any]:
    cohort, mentors = _cohort_with_mentors()
    skills = {factories.make_skill(): SkillLevel.WORKING, factories.make_skill(): SkillLevel.AWARENESS}
    module = factories.make_module(skills=skills)
    learner = factories.make_learner(cohort=cohort)
    enrolment = finish_module(learner, module)
    return {
        "learner": learner.id,
        "learner_username": learner.username,
        "mentors": [m.username for m in mentors],
        "enrolment": str(enrolment.public_id),
        "enrolment_id": enrolment.id,
        "module_id": module.id,
        "skills": len(skills),
    }


def _ready_learner_world() -> dict[str, Any]:
    cohort, mentors = _cohort_with_mentors()
    skill = factories.make_skill()
    job = factories.make_role_level(skills={skill: SkillLevel.AWARENESS})
    learner = factories.make_learner(cohort=cohort, target_role_level=job)
    module = factories.make_module(skills={skill: SkillLevel.WORKING})
    progress.sign_off(progress.enrol(learner, module, actor=learner), mentor=mentors[0])
    for barrier in (Barrier.BANK_ACCOUNT, Barrier.ID):
        db.session.add(BarrierItem(learner_id=learner.id, barrier=barrier, status=BarrierStatus.COMPLETED))
    return {"learner": learner.id, "public_id": str(learner.public_id), "mentors": [m.username for m in mentors]}


def _learner_world(**learner_kwargs: Any) -> dict[str, Any]:
    cohort, mentors = _cohort_with_mentors()
    module = factories.make_module()
    learner = factories.make_learner(cohort=cohort, **learner_kwargs)
    return {
        "learner": learner.id,
        "public_id": str(learner.public_id),
        "learner_username": learner.username,
        "mentors": [m.username for m in mentors],
        "module_code": module.code,
        "module_id": module.id,
        "unit": str(module.units[0].public_id),
        "cohort": str(cohort.public_id),
        "establishment": cohort.establishment_id,
    }


pytestmark = pytest.mark.parametrize("round_number", range(ROUNDS))


# --- Learners ---------------------------------------------------------------------------------------


def test_starting_a_module_many_times_at_once_starts_it_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    path = f"/learner/modules/{world.ids['module_code']}/start"
    replies = burst(prepare([learner], f"/modules/{world.ids['module_code']}", path, {}), path, TIMES)
    assert {r.status for r in replies} == {302}

    def check() -> None:
        assert _count(Enrolment, Enrolment.learner_id == world.ids["learner"]) == 1
        assert _count(ProgressEvent, ProgressEvent.learner_id == world.ids["learner"]) == 1

    _check(race_server, check)


def test_marking_a_part_done_many_times_at_once_logs_it_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    code = world.ids["module_code"]
    start = f"/learner/modules/{code}/start"
    [(_, start_form)] = prepare([learner], f"/modules/{code}", start, {})
    learner.post(start, start_form)
    path = f"/learner/modules/{code}/parts/{world.ids['unit']}"
    burst(prepare([learner], f"/learner/modules/{code}", path, {"done": "yes"}), path, TIMES)

    def check() -> None:
        done = ProgressEvent.kind == ProgressKind.UNIT_COMPLETED
        assert _count(ProgressEvent, ProgressEvent.learner_id == world.ids["learner"], done) == 1

    _check(race_server, check)


def test_saving_confidence_answers_many_times_at_once_saves_them_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    path = "/learner/confidence/work-skills"
    answers = dict.fromkeys(radio_names(learner.get(path).body, ""), "QUITE_CONFIDENT")
    assert answers, "the work-skills page should ask about some skills"
    burst(prepare([learner], path, "", answers), path, TIMES)

    def check() -> None:
        assert _count(ConfidenceRating, ConfidenceRating.learner_id == world.ids["learner"]) == len(answers)

    _check(race_server, check)


def test_sending_the_new_goal_form_many_times_at_once_makes_one_goal(race_server, round_number):
    world = _build(race_server, _learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    path = "/learner/goals/new"
    values = {"title": "Get a job in a warehouse", "target": "6", "step_1": "Write my CV"}
    burst(prepare([learner], path, "", values), path, TIMES)

    def check() -> None:
        assert _count(Goal, Goal.learner_id == world.ids["learner"]) == 1

    _check(race_server, check)


# --- Mentors ----------------------------------------------------------------------------------------


def test_two_mentors_signing_off_at_once_sign_off_once_with_one_certificate(race_server, round_number):
    world = _build(race_server, _finished_module_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    review = f"/mentor/modules-to-review/{world.ids['enrolment']}"
    path = f"{review}/sign-off"
    burst(prepare(mentors, review, path, {}), path, TIMES)

    def check() -> None:
        learner = world.ids["learner"]
        signed = ProgressEvent.kind == ProgressKind.SIGNED_OFF
        assert _count(ProgressEvent, ProgressEvent.enrolment_id == world.ids["enrolment_id"], signed) == 1
        assert _count(SkillAward, SkillAward.learner_id == learner) == world.ids["skills"]
        assert _count(Certificate, Certificate.learner_id == learner, Certificate.kind == CertificateKind.MODULE) == 1
        assert _audit_count("module.signed_off", learner) == 1

    _check(race_server, check)


def test_returning_a_module_many_times_at_once_returns_it_once(race_server, round_number):
    world = _build(race_server, _finished_module_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    review = f"/mentor/modules-to-review/{world.ids['enrolment']}"
    path = f"{review}/return"
    burst(prepare(mentors, review, path, {"feedback": "Add a screenshot, please."}), path, TIMES)

    def check() -> None:
        returned = ProgressEvent.kind == ProgressKind.RETURNED
        assert _count(ProgressEvent, ProgressEvent.enrolment_id == world.ids["enrolment_id"], returned) == 1

    _check(race_server, check)


def test_confirming_ready_for_work_many_times_at_once_issues_one_certificate(race_server, round_number):
    world = _build(race_server, _ready_learner_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    record = f"/mentor/learners/{world.ids['public_id']}"
    path = f"{record}/confirm-ready"
    burst(prepare(mentors, f"{record}/certificates", path, {}), path, TIMES)

    def check() -> None:
        kind = Certificate.kind == CertificateKind.ROLE_READINESS
        assert _count(Certificate, Certificate.learner_id == world.ids["learner"], kind) == 1

    _check(race_server, check)


def test_withdrawing_a_certificate_many_times_at_once_withdraws_it_once(race_server, round_number):
    def make() -> dict[str, Any]:
        ids = _finished_module_world()
        from skillpath.services.certificates.certificates import issue_module_certificate

        enrolment = db.session.get(Enrolment, ids["enrolment_id"])
        mentor = db.session.scalar(select(User).where(User.username == ids["mentors"][0]))
        progress.sign_off(enrolment, mentor=mentor)
        ids["certificate"] = str(issue_module_certificate(enrolment, mentor=mentor).public_id)
        return ids

    world = _build(race_server, make)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/certificates/{world.ids['certificate']}/withdraw"
    burst(prepare(mentors, path, "", {"reason": "Issued to the wrong person"}), path, TIMES)

    def check() -> None:
        assert _audit_count("certificate.revoked", world.ids["learner"]) == 1

    _check(race_server, check)


def test_saving_the_barriers_checklist_many_times_at_once_records_each_change_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/learners/{world.ids['public_id']}/barriers"
    burst(prepare(mentors, path, "", {"barrier_bank_account": "COMPLETED"}), path, TIMES)

    def check() -> None:
        bank = BarrierChange.barrier == Barrier.BANK_ACCOUNT
        assert _count(BarrierChange, BarrierChange.learner_id == world.ids["learner"], bank) == 1
        assert (
            _count(
                BarrierItem, BarrierItem.learner_id == world.ids["learner"], BarrierItem.barrier == Barrier.BANK_ACCOUNT
            )
            == 1
        )

    _check(race_server, check)


def test_saving_work_readiness_many_times_at_once_records_it_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/learners/{world.ids['public_id']}/work-readiness"
    burst(prepare(mentors, path, "", {"status": "READY_TO_WORK"}), path, TIMES)

    def check() -> None:
        assert _count(ReadinessStatusChange, ReadinessStatusChange.learner_id == world.ids["learner"]) == 1

    _check(race_server, check)


def test_assessing_a_skill_many_times_at_once_records_it_once(race_server, round_number):
    def make() -> dict[str, Any]:
        skill = factories.make_skill()
        job = factories.make_role_level(skills={skill: SkillLevel.WORKING})
        return _learner_world(target_role_level=job)

    world = _build(race_server, make)
    mentor = world.browser_for(world.ids["mentors"][0])
    path = f"/mentor/learners/{world.ids['public_id']}/assess-skill"
    burst(prepare([mentor], path, "", {"level": "working", "comment": "Solid work"}), path, TIMES)

    def check() -> None:
        assert _count(ConfidenceRating, ConfidenceRating.learner_id == world.ids["learner"]) == 1

    _check(race_server, check)


def test_recording_a_release_many_times_at_once_records_it_once(race_server, round_number):
    world = _build(race_server, _learner_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/learners/{world.ids['public_id']}/record-release"
    burst(prepare(mentors, path, "", {}), path, TIMES)

    def check() -> None:
        assert _audit_count("learner.released", world.ids["learner"]) == 1

    _check(race_server, check)


def test_two_mentors_adding_the_same_username_at_once_make_one_account(race_server, round_number):
    world = _build(race_server, _learner_world)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/cohorts/{world.ids['cohort']}/add-learner"
    username = f"same-name-{round_number}"
    for mentor, form in prepare(mentors, path, path, {"preferred_name": "Sam Same", "username": username}):
        assert mentor.post(path, form).status == 302, "each mentor reaches Check your answers"
    burst(prepare(mentors, f"{path}/check", "", {}), f"{path}/check", TIMES)

    def check() -> None:
        assert _count(User, User.username == username) == 1

    _check(race_server, check)


# --- Admins -----------------------------------------------------------------------------------------


def _admin_world() -> dict[str, Any]:
    admin = factories.make_admin()
    establishment = factories.make_establishment()
    return {
        "admin": admin.username,
        "establishment": str(establishment.public_id),
        "establishment_id": establishment.id,
    }


def test_adding_the_same_cohort_many_times_at_once_adds_it_once(race_server, round_number):
    world = _build(race_server, _admin_world)
    admin = world.browser_for(world.ids["admin"])
    path = f"/admin/establishments/{world.ids['establishment']}/cohorts/new"
    burst(prepare([admin], path, "", {"name": "Spring digital skills"}), path, TIMES)

    def check() -> None:
        assert _count(Cohort, Cohort.establishment_id == world.ids["establishment_id"]) == 1

    _check(race_server, check)


def test_adding_the_same_establishment_many_times_at_once_adds_it_once(race_server, round_number):
    world = _build(race_server, _admin_world)
    admin = world.browser_for(world.ids["admin"])
    path = "/admin/establishments/new"
    code = "QZ" + "ABC"[round_number]
    burst(prepare([admin], path, "", {"name": f"HMP Race {code}", "code": code, "kind": "prison"}), path, TIMES)

    def check() -> None:
        assert _count(Establishment, Establishment.code == code) == 1

    _check(race_server, check)


def _enrolled_learner_world() -> dict[str, Any]:
    ids = _learner_world()
    learner = db.session.get(User, ids["learner"])
    module = db.session.get(Module, ids["module_id"])
    ids["enrolment_id"] = progress.enrol(learner, module, actor=learner).id
    return ids


def test_sending_the_same_evidence_many_times_at_once_saves_it_once(race_server, round_number):
    world = _build(race_server, _enrolled_learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    path = f"/learner/modules/{world.ids['module_code']}/add-evidence"
    burst(prepare([learner], path, "", {"reflection": "I reset a password for a user."}), path, TIMES)

    def check() -> None:
        assert _count(Evidence, Evidence.enrolment_id == world.ids["enrolment_id"]) == 1
        added = ProgressEvent.kind == ProgressKind.EVIDENCE_ADDED
        assert _count(ProgressEvent, ProgressEvent.enrolment_id == world.ids["enrolment_id"], added) == 1

    _check(race_server, check)


def test_marking_a_goal_step_done_many_times_at_once_records_it_once(race_server, round_number):
    def make() -> dict[str, Any]:
        ids = _learner_world()
        learner = db.session.get(User, ids["learner"])
        goal, _ = create_goal(learner, title="Open a bank account", target_date=None, steps=["Find ID"], actor=learner)
        db.session.flush()
        ids["goal"] = str(goal.public_id)
        ids["goal_id"] = goal.id
        return ids

    world = _build(race_server, make)
    learner = world.browser_for(world.ids["learner_username"])
    page = f"/learner/goals/{world.ids['goal']}"
    path = f"{page}/steps/1"
    burst(prepare([learner], page, path, {"status": "COMPLETE"}), path, TIMES)

    def check() -> None:
        updates = AuditEvent.action == "learner.goal.step_updated"
        assert _count(AuditEvent, updates, AuditEvent.subject_id == world.ids["learner"]) == 1

    _check(race_server, check)


def test_two_mentors_moving_a_learner_at_once_move_them_once(race_server, round_number):
    def make() -> dict[str, Any]:
        ids = _learner_world()
        establishment = db.session.get(Establishment, ids["establishment"])
        target = factories.make_cohort(establishment=establishment)
        ids["target"] = str(target.public_id)
        ids["target_id"] = target.id
        # Heads of education move learners between their establishment's cohorts.
        leads = [factories.make_mentor(establishment=establishment, is_establishment_lead=True) for _ in range(2)]
        ids["mentors"] = [lead.username for lead in leads]
        return ids

    world = _build(race_server, make)
    mentors = [world.browser_for(username) for username in world.ids["mentors"]]
    path = f"/mentor/learners/{world.ids['public_id']}/move"
    burst(prepare(mentors, path, "", {"cohort": world.ids["target"]}), path, TIMES)

    def check() -> None:
        learner = world.ids["learner"]
        current = CohortMembership.left_at.is_(None)
        assert _count(CohortMembership, CohortMembership.learner_id == learner, current) == 1
        assert _count(CohortMembership, CohortMembership.learner_id == learner) == 2
        assert _audit_count("learner.transferred", learner) == 1

    _check(race_server, check)


def test_creating_the_same_staff_account_many_times_at_once_creates_it_once(race_server, round_number):
    world = _build(race_server, _admin_world)
    admin = world.browser_for(world.ids["admin"])
    path = "/admin/staff/new"
    username = f"new-mentor-{round_number}"
    values = {"display_name": "Nia Mentor", "username": username, "role": "admin"}
    burst(prepare([admin], path, "", values), path, TIMES)

    def check() -> None:
        assert _count(User, User.username == username) == 1

    _check(race_server, check)


def test_assigning_a_mentor_many_times_at_once_assigns_them_once(race_server, round_number):
    def make() -> dict[str, Any]:
        ids = _admin_world()
        establishment = db.session.get(Establishment, ids["establishment_id"])
        cohort = factories.make_cohort(establishment=establishment)
        mentor = factories.make_mentor(establishment=establishment)
        ids.update(cohort=str(cohort.public_id), cohort_id=cohort.id, mentor=str(mentor.public_id))
        return ids

    world = _build(race_server, make)
    admin = world.browser_for(world.ids["admin"])
    path = f"/admin/cohorts/{world.ids['cohort']}"
    burst(prepare([admin], path, "", {"mentor": world.ids["mentor"]}), path, TIMES)

    def check() -> None:
        rows = (
            select(func.count()).select_from(cohort_mentors).where(cohort_mentors.c.cohort_id == world.ids["cohort_id"])
        )
        assert db.session.scalar(rows) == 1
        assigned = AuditEvent.action == "cohort.mentor.assigned"
        assert _count(AuditEvent, assigned, AuditEvent.object_id == world.ids["cohort"]) == 1

    _check(race_server, check)


def test_many_wrong_passwords_at_once_get_no_more_tries_than_the_limit(race_server, round_number):
    world = _build(race_server, _learner_world)
    learner = world.browser_for(world.ids["learner_username"])
    path = "/account/change-password"
    new = "a brand new passphrase"
    wrong = {"current_password": "a wrong guess", "password": new, "confirm": new}
    replies = burst(prepare([learner], path, "", wrong), path, TIMES)
    most = race_server.app.config["PASSWORD_RECHECK_LIMIT"]

    # Each try is claimed in the database before the password is checked: however many arrive together, the
    # session checks `most` of them, and the rest find it signed out.
    assert sum(1 for reply in replies if reply.status == 302) >= TIMES - most + 1

    def check() -> None:
        assert _audit_count("auth.password.recheck_failed", world.ids["learner"]) == most
        assert _audit_count("auth.session.ended_wrong_passwords", world.ids["learner"]) == 1

    _check(race_server, check)
