"""Test data for the mentor and dashboard tests: jobs, modules and learners at chosen stages.

Plain functions with keyword defaults, like tests/factories.py (which they build on). They flush, never commit.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierStatus,
    Cohort,
    Enrolment,
    Evidence,
    Module,
    ProgressKind,
    RoleLevel,
    Skill,
    SkillLevel,
    User,
)
from skillpath.services.progress import progress
from skillpath.services.readiness import barriers
from tests import factories


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def make_job(*names: str, level: SkillLevel = SkillLevel.WORKING, **kwargs: Any) -> tuple[RoleLevel, list[Skill]]:
    """A role level needing these skills (two made-up ones by default), each at `level`."""
    skills = [factories.make_skill(name=name) for name in names] or [factories.make_skill(), factories.make_skill()]
    return factories.make_role_level(skills=dict.fromkeys(skills, level), **kwargs), skills


def finish_module(learner: User, module: Module, *, at: datetime | None = None, evidence: bool = True) -> Enrolment:
    """Enrol, mark every part done and (by default) add evidence: the module is then ready for sign-off."""
    at = at or days_ago(3)
    enrolment = progress.enrol(learner, module, actor=learner, at=at)
    for unit in module.units:
        progress.set_unit_done(enrolment, unit, True, actor=learner, at=at + timedelta(minutes=unit.position))
    if evidence:
        db.session.add(
            Evidence(
                learner_id=learner.id,
                enrolment_id=enrolment.id,
                reflection="I did every part and wrote this.",
                created_at=at + timedelta(hours=1),
            )
        )
        progress.log_event(enrolment, ProgressKind.EVIDENCE_ADDED, actor=learner, at=at + timedelta(hours=1))
    db.session.flush()
    return enrolment


def sign_off_module(learner: User, module: Module, mentor: User, *, at: datetime | None = None) -> Enrolment:
    at = at or days_ago(2)
    enrolment = finish_module(learner, module, at=at - timedelta(days=1))
    progress.sign_off(enrolment, mentor=mentor, at=at)
    db.session.flush()
    return enrolment


def resolve_barriers(learner: User, by: User, count: int, *, at: datetime | None = None) -> None:
    """Mark the first `count` checklist items done."""
    for barrier in list(Barrier)[:count]:
        barriers.set_barrier(learner, barrier, status=BarrierStatus.COMPLETED, by=by, at=at or days_ago(5))
    db.session.flush()


def populate_cohort(cohort: Cohort, mentor: User, size: int, *, jobs: list[RoleLevel], modules: list[Module]) -> None:
    """`size` learners with some of everything a dashboard shows, so queries per learner would show up."""
    for n in range(size):
        learner = factories.make_learner(
            cohort=cohort,
            target_role_level=jobs[n % len(jobs)],
            release_date=(datetime.now(UTC) + timedelta(days=30 + n)).date(),
        )
        learner.learner_profile.last_activity_at = days_ago(n % 20)
        sign_off_module(learner, modules[0], mentor, at=days_ago(40 + n % 30))
        finish_module(learner, modules[1], at=days_ago(3 + n % 5))
        resolve_barriers(learner, mentor, n % len(Barrier), at=days_ago(60 - n % 50))
    db.session.flush()


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs, on any engine or connection."""
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(Engine, "before_cursor_execute", before)
