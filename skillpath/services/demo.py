"""Demo data: two establishments with cohorts, staff and learners at every stage.

Seeded from a fixed random number so every run tells the same story. Running it
again changes nothing. Names include several scripts, as real cohorts do.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierStatus,
    Cohort,
    Establishment,
    EstablishmentKind,
    Evidence,
    Module,
    ProgressKind,
    ReadinessStatusChange,
    RoleLevel,
    StatusChangeType,
    User,
    UserRole,
    WorkReadiness,
)
from skillpath.models._types import utcnow
from skillpath.services.certificates import certificates
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.learners import accounts, organisations
from skillpath.services.progress import progress
from skillpath.services.readiness import barriers

DEMO_ADMIN = "demo-admin"
TARGET_ROLE_LEVELS = (
    "Service desk analyst",
    "Apprentice developer",
    "Associate data analyst",
    "Associate test engineer",
)

LEARNER_NAMES = [
    "Jordan Smith",
    "Łukasz Żółć",
    "Siobhán Ní Bhriain",
    "Nguyễn Thị Minh",
    "Marcus Campbell",
    "Daniel O'Connor",
    "Aaron Patel",
    "Tomasz Nowak",
    "Kwame Mensah",
    "Liam Murphy",
    "Ryan Hughes",
    "Mohammed Hussain",
    "Connor Walsh",
    "Jamal Ahmed",
    "Callum Reid",
    "Darius Popescu",
    "Nathan Brooks",
    "Sean McCarthy",
    "Emeka Okafor",
    "Ben Whitfield",
    "Kai Thompson",
    "Arjun Sharma",
    "Lewis Grant",
    "Michael Adeyemi",
]


# How far through their modules each learner is (0 to 1), so every band appears on the dashboards.
STAGES = (0.6, 1.0, 0.15, 0.85, 0.4, 1.0, 0.05, 0.7, 0.3, 0.95, 0.5, 0.2, 1.0, 0.75, 0.1, 0.9)


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    description: str


def seed_demo(*, password: str, issuer: Issuer | None = None, now: datetime | None = None) -> list[DemoLogin]:
    """Create the demo world, or leave it as it is if it is already there."""
    if accounts.find_user_by_username(DEMO_ADMIN) is not None:
        return _logins()
    now = now or utcnow()
    rng = random.Random(2026)  # noqa: S311 - repeatable demo data, not security
    admin = _staff(DEMO_ADMIN, "Alex Morgan", UserRole.ADMIN, None, password)
    north = organisations.create_establishment(
        name="HMP Northfield", code="NFD", kind=EstablishmentKind.PRISON, by=admin
    )
    east = organisations.create_establishment(name="HMP Eastmoor", code="EMR", kind=EstablishmentKind.PRISON, by=admin)
    cohorts = {
        "north-a": organisations.create_cohort(establishment=north, name="Digital skills – autumn 2026", by=admin),
        "north-b": organisations.create_cohort(establishment=north, name="IT support pathway", by=admin),
        "east-a": organisations.create_cohort(establishment=east, name="Data and testing – autumn 2026", by=admin),
    }
    mentor = _staff("demo-mentor", "Priya Shah", UserRole.MENTOR, north, password)
    head = _staff("demo-head", "Grace Okoro", UserRole.MENTOR, north, password, lead=True)
    east_mentor = _staff("demo-mentor-east", "Tom Bradley", UserRole.MENTOR, east, password)
    for key in ("north-a", "north-b"):
        organisations.assign_mentor(cohorts[key], mentor, by=admin)
    organisations.assign_mentor(cohorts["east-a"], east_mentor, by=admin)
    del head  # the head of education sees every Northfield cohort without being assigned

    targets = _target_role_levels()
    plan = [("north-a", mentor), ("north-b", mentor), ("east-a", east_mentor)]
    for index, name in enumerate(LEARNER_NAMES):
        cohort_key, cohort_mentor = plan[index % len(plan)]
        username = "demo-learner" if index == 0 else f"learner{index:02d}"
        stage = STAGES[index % len(STAGES)]
        _learner(
            username,
            name,
            cohorts[cohort_key],
            cohort_mentor,
            password,
            targets[index % len(targets)] if targets else None,
            stage,
            rng,
            now,
            issuer,
        )
    new_starter = accounts.create_learner(
        username="demo-newstarter",
        preferred_name="Sam Taylor",
        cohort=cohorts["north-a"],
        created_by=mentor,
        activation_days=14,
        prison_number="A7001ZZ",
        release_date=(now + timedelta(days=300)).date(),
    )
    db.session.flush()
    _every_state_a_newcomer_should_meet(mentor, now)
    return [
        *_logins(),
        DemoLogin("learner", "demo-newstarter", f"not set up yet: activation code {new_starter.activation_code}"),
    ]


def _every_state_a_newcomer_should_meet(mentor: User, now: datetime) -> None:
    """A module returned with feedback (to demo-learner), a withdrawn certificate and a learner near release."""
    jordan = accounts.find_user_by_username("demo-learner")
    if jordan is not None:
        _return_a_module(jordan, mentor, now)
    others = [accounts.find_user_by_username(f"learner{n:02d}") for n in (3, 6)]
    withdrawn_from, near_release = others
    if withdrawn_from is not None:
        issued = [c for c in certificates.list_certificates(withdrawn_from) if not c.is_revoked]
        if issued:
            certificates.revoke_certificate(
                issued[-1], by=mentor, reason="Signed off by mistake: the evidence was for another module.", at=now
            )
    if near_release is not None and near_release.learner_profile is not None:
        near_release.learner_profile.release_date = (now + timedelta(days=16)).date()
        barriers.set_barrier(near_release, Barrier.BANK_ACCOUNT, status=BarrierStatus.NOT_STARTED, by=mentor, at=now)


def _return_a_module(learner: User, mentor: User, now: datetime) -> None:
    """Finish the learner's first unfinished module and return it with feedback, as a mentor would."""
    states = [state for state in progress.list_module_progress(learner) if not state.signed_off]
    if not states:
        return
    state = states[-1]
    enrolment = state.enrolment
    finished_at = now - timedelta(days=3)
    for unit in state.module.units:
        if unit.id not in state.done_unit_ids:
            progress.set_unit_done(enrolment, unit, True, actor=learner, at=finished_at)
    if not state.evidence_count:
        db.session.add(
            Evidence(
                learner_id=learner.id,
                enrolment_id=enrolment.id,
                created_at=finished_at,
                reflection=f"What I did in {state.module.title}.",
            )
        )
        progress.log_event(enrolment, ProgressKind.EVIDENCE_ADDED, actor=learner, at=finished_at)
    progress.log_event(
        enrolment,
        ProgressKind.RETURNED,
        actor=mentor,
        at=now - timedelta(days=1),
        note="Good start. Add a screenshot of the finished ticket, and one sentence on what you would do next time.",
    )


def _logins() -> list[DemoLogin]:
    return [
        DemoLogin("learner", "demo-learner", "Jordan Smith, working towards service desk analyst"),
        DemoLogin("mentor", "demo-mentor", "Priya Shah, mentors two cohorts at HMP Northfield"),
        DemoLogin("mentor", "demo-head", "Grace Okoro, head of education at HMP Northfield"),
        DemoLogin("mentor", "demo-mentor-east", "Tom Bradley, mentors a cohort at HMP Eastmoor"),
        DemoLogin("admin", DEMO_ADMIN, "Alex Morgan, administrator"),
    ]


def _staff(
    username: str, name: str, role: UserRole, establishment: Establishment | None, password: str, *, lead: bool = False
) -> User:
    account = accounts.create_staff(
        username=username,
        display_name=name,
        role=role,
        establishment=establishment,
        email=None,
        is_establishment_lead=lead,
        created_by=None,
        activation_days=14,
    )
    accounts.complete_activation(account.user, password)
    return account.user


def _target_role_levels() -> list[RoleLevel]:
    levels = db.session.scalars(
        select(RoleLevel).where(RoleLevel.name.in_(TARGET_ROLE_LEVELS)).options(selectinload(RoleLevel.required_skills))
    )
    by_name = {level.name: level for level in levels}
    return [by_name[name] for name in TARGET_ROLE_LEVELS if name in by_name]


def _modules_for(level: RoleLevel | None) -> list[Module]:
    """Foundation modules first, then the modules that evidence the target role's skills."""
    modules = list(
        db.session.scalars(
            select(Module)
            .where(Module.is_published.is_(True))
            .options(selectinload(Module.units), selectinload(Module.skills), selectinload(Module.essential_areas))
            .order_by(Module.code)
        )
    )
    foundations = [module for module in modules if module.essential_areas][:1]
    if level is None:
        return foundations
    required = {link.skill_id for link in level.required_skills}
    role_modules = [
        m for m in modules if not m.essential_areas and m.skills and {s.skill_id for s in m.skills} <= required
    ]
    return foundations + role_modules


def _learner(
    username: str,
    name: str,
    cohort: Cohort,
    mentor: User,
    password: str,
    target: RoleLevel | None,
    stage: float,
    rng: random.Random,
    now: datetime,
    issuer: Issuer | None = None,
) -> None:
    """One learner, `stage` of the way (0 to 1) through their modules, with activity spread over past months.

    Nothing is dated after `now`: a certificate issued in the future would fail its own check as "not yet valid".
    """
    release = (now + timedelta(days=rng.randint(20, 540))).date() if rng.random() < 0.85 else None
    account = accounts.create_learner(
        username=username,
        preferred_name=name,
        cohort=cohort,
        created_by=mentor,
        activation_days=14,
        prison_number=f"A{rng.randint(1000, 9999)}{rng.choice('BCDEFG')}{rng.choice('HJKLMN')}",
        release_date=release,
    )
    learner = account.user
    accounts.complete_activation(learner, password)
    assert learner.learner_profile is not None
    learner.learner_profile.target_role_level = target
    learner.learner_profile.certificate_name = name
    started = now - timedelta(days=rng.randint(60, 330))
    modules = _modules_for(target)
    units_total = sum(len(module.units) for module in modules) or 1
    units_to_do = round(stage * units_total)
    clock = started
    last_signed = started
    step = (now - timedelta(days=rng.randint(0, 20)) - started) / max(units_to_do, 1)
    for module in modules:
        if units_to_do <= 0:
            break
        enrolment = progress.enrol(learner, module, actor=learner, at=clock)
        done_here = min(units_to_do, len(module.units))
        for unit in module.units[:done_here]:
            clock += step
            progress.set_unit_done(enrolment, unit, True, actor=learner, at=clock)
        units_to_do -= done_here
        if done_here == len(module.units):
            db.session.add(
                Evidence(
                    learner_id=learner.id,
                    enrolment_id=enrolment.id,
                    created_at=clock,
                    reflection=f"What I did in {module.title}, and what I would do differently next time.",
                )
            )
            if stage >= 0.95 or rng.random() < 0.75:  # most finished modules are signed off; some wait
                signed_at = min(clock + timedelta(days=rng.randint(1, 6)), now)
                last_signed = max(last_signed, signed_at)
                progress.sign_off(enrolment, mentor=mentor, at=signed_at)
                certificates.issue_module_certificate(enrolment, mentor=mentor, issuer=issuer, at=signed_at)
    learner.learner_profile.last_activity_at = clock
    _barriers(learner, mentor, rng, started, now, stage)
    _status(learner, mentor, stage, started)
    if stage >= 1.0:
        db.session.flush()
        with contextlib.suppress(certificates.CertificateError):  # not Ready after all: nothing to confirm
            confirmed_at = min(max(now - timedelta(days=2), last_signed), now)  # after the last sign-off
            certificates.issue_role_readiness_certificate(learner, mentor, issuer=issuer, at=confirmed_at)


def _barriers(learner: User, mentor: User, rng: random.Random, start: datetime, now: datetime, stage: float) -> None:
    """Each checklist item moves from not started towards done at random points; further on, more is done."""
    for barrier in Barrier:
        roll = rng.random() * (1 - 0.6 * stage)
        in_progress_at = start + (now - start) * rng.uniform(0.05, 0.6)
        if roll < 0.1:
            barriers.set_barrier(
                learner, barrier, status=BarrierStatus.COMPLETED, already_in_place=True, by=mentor, at=start
            )
            continue
        if roll < 0.6:
            barriers.set_barrier(learner, barrier, status=BarrierStatus.IN_PROGRESS, by=mentor, at=in_progress_at)
        if roll < 0.4:
            done_at = in_progress_at + (now - in_progress_at) * rng.uniform(0.1, 0.9)
            barriers.set_barrier(learner, barrier, status=BarrierStatus.COMPLETED, by=mentor, at=done_at)


def _status(learner: User, mentor: User, stage: float, at: datetime) -> None:
    db.session.add(
        ReadinessStatusChange(
            learner_id=learner.id,
            status=WorkReadiness.SUPPORT_NEEDED,
            change_type=StatusChangeType.NEW,
            changed_by_id=mentor.id,
            changed_at=at,
        )
    )
    if stage > 0.9:
        db.session.add(
            ReadinessStatusChange(
                learner_id=learner.id,
                status=WorkReadiness.READY_TO_WORK,
                change_type=None,
                changed_by_id=mentor.id,
                changed_at=at + timedelta(days=45),
            )
        )
