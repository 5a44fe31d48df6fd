"""Establishments, cohorts and who works in them."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Cohort,
    CohortMembership,
    Establishment,
    EstablishmentKind,
    LearnerProfile,
    User,
    UserRole,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.models.organisations import cohort_mentors
from skillpath.services.audit.audit import record_event
from skillpath.services.learners.accounts import AccountError
from skillpath.services.locking import lock_row, unique_or

PRISON_CODE = re.compile(r"^[A-Z]{3}$")


def list_establishments() -> list[Establishment]:
    return list(db.session.scalars(select(Establishment).order_by(Establishment.name)))


def get_establishment(public_id: uuid.UUID) -> Establishment | None:
    return db.session.scalar(select(Establishment).where(Establishment.public_id == public_id))


def get_cohort(public_id: uuid.UUID) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.public_id == public_id).options(selectinload(Cohort.mentors)))


def create_establishment(*, name: str, code: str, kind: EstablishmentKind, by: User | None) -> Establishment:
    name = name.strip()
    code = code.strip().upper()
    if not name:
        raise AccountError("Enter the establishment's name", "name")
    if not PRISON_CODE.fullmatch(code):
        raise AccountError("Enter a code of 3 letters, like BXI", "code")
    if db.session.scalar(select(func.count()).select_from(Establishment).where(Establishment.code == code)):
        raise AccountError("An establishment already has that code. Enter a different code", "code")
    if db.session.scalar(
        select(func.count()).select_from(Establishment).where(func.lower(Establishment.name) == name.lower())
    ):
        raise AccountError("An establishment already has that name. Enter a different name", "name")
    establishment = Establishment(name=name, code=code, kind=kind)
    with unique_or(AccountError("An establishment already has that code. Enter a different code", "code")):
        db.session.add(establishment)
        db.session.flush()
    record_event(
        AuditAction.ESTABLISHMENT_CREATED, actor=by, object_type="establishment", object_id=establishment.public_id
    )
    return establishment


def create_cohort(*, establishment: Establishment, name: str, by: User | None) -> Cohort:
    name = name.strip()
    if not name:
        raise AccountError("Enter a name for the cohort", "name")
    lock_row(Establishment, establishment.id)
    clash = db.session.scalar(
        select(func.count())
        .select_from(Cohort)
        .where(Cohort.establishment_id == establishment.id, func.lower(Cohort.name) == name.lower())
    )
    if clash:
        raise AccountError("This establishment already has a cohort with that name. Enter a different name", "name")
    cohort = Cohort(establishment=establishment, name=name)
    db.session.add(cohort)
    db.session.flush()
    record_event(AuditAction.COHORT_CREATED, actor=by, object_type="cohort", object_id=cohort.public_id)
    return cohort


def assign_mentor(cohort: Cohort, mentor: User, *, by: User | None) -> None:
    if not mentor.is_mentor:
        raise AccountError("Select a mentor", "mentor")
    if mentor.establishment_id != cohort.establishment_id:
        raise AccountError("Select a mentor who works in this establishment", "mentor")
    lock_row(Cohort, cohort.id)
    if mentor not in cohort.mentors:
        cohort.mentors.append(mentor)
        record_event(
            AuditAction.COHORT_MENTOR_ASSIGNED,
            actor=by,
            subject=mentor,
            object_type="cohort",
            object_id=cohort.public_id,
        )


def remove_mentor(cohort: Cohort, mentor: User, *, by: User | None) -> None:
    lock_row(Cohort, cohort.id)
    if mentor in cohort.mentors:
        cohort.mentors.remove(mentor)
        record_event(
            AuditAction.COHORT_MENTOR_REMOVED,
            actor=by,
            subject=mentor,
            object_type="cohort",
            object_id=cohort.public_id,
        )


def was_removed_lately(cohort: Cohort, mentor: User, *, within: timedelta = timedelta(minutes=2)) -> bool:
    """Whether this mentor was taken off this cohort in the last couple of minutes (the audit log says when)."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "cohort.mentor.removed",
                AuditEvent.subject_id == mentor.id,
                AuditEvent.object_type == "cohort",
                AuditEvent.object_id == str(cohort.public_id),
                AuditEvent.occurred_at >= utcnow() - within,
            )
        )
    )


def list_mentors_in(establishment: Establishment) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == UserRole.MENTOR, User.establishment_id == establishment.id)
            .order_by(User.display_name)
        )
    )


def list_staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_([UserRole.MENTOR, UserRole.ADMIN]))
            .options(selectinload(User.establishment))
            .order_by(User.display_name)
        )
    )


def list_cohorts_for_mentor(mentor: User) -> list[Cohort]:
    query = select(Cohort).where(Cohort.archived_at.is_(None)).order_by(Cohort.name)
    if mentor.is_establishment_lead:
        query = query.where(Cohort.establishment_id == mentor.establishment_id)
    else:
        query = query.join(cohort_mentors, cohort_mentors.c.cohort_id == Cohort.id).where(
            cohort_mentors.c.user_id == mentor.id
        )
    return list(db.session.scalars(query.options(selectinload(Cohort.establishment))))


def list_current_learners(cohort_ids: list[int]) -> dict[int, list[User]]:
    """Current learners of each cohort, by cohort id, in one query."""
    result: dict[int, list[User]] = {cohort_id: [] for cohort_id in cohort_ids}
    if not cohort_ids:
        return result
    rows = db.session.execute(
        select(CohortMembership.cohort_id, User)
        .join(User, User.id == CohortMembership.learner_id)
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(
            CohortMembership.cohort_id.in_(cohort_ids),
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
        )
        .options(selectinload(User.learner_profile).selectinload(LearnerProfile.target_role_level))
        .order_by(User.display_name)
    )
    for cohort_id, user in rows:
        result[cohort_id].append(user)
    return result


def count_current_learners(cohort_ids: list[int]) -> dict[int, int]:
    """How many learners list_current_learners would give for each cohort: released learners are not counted."""
    counts = dict.fromkeys(cohort_ids, 0)
    if not cohort_ids:
        return counts
    rows = db.session.execute(
        select(CohortMembership.cohort_id, func.count())
        .join(LearnerProfile, LearnerProfile.user_id == CohortMembership.learner_id)
        .where(
            CohortMembership.cohort_id.in_(cohort_ids),
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
        )
        .group_by(CohortMembership.cohort_id)
    )
    counts.update({cohort_id: count for cohort_id, count in rows})
    return counts
