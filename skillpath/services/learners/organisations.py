"""Establishments, cohorts and who works in them.

The use cases an administrator reaches from the admin pages (and the staff API) are here: create an
establishment, create a cohort, assign a mentor to a cohort and remove one. Each audits itself and raises
``AccountError`` (an ``InvalidInput`` naming the form's field) or ``NotAllowed``; none commits.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _
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
from skillpath.services import paging
from skillpath.services.access import can_administer
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import NotAllowed
from skillpath.services.learners.accounts import AccountError, find_user_by_public_id
from skillpath.services.locking import lock_row, unique_or
from skillpath.services.paging import Page

PRISON_CODE = re.compile(r"^[A-Z]{3}$")


def list_establishments() -> list[Establishment]:
    """Every establishment by name."""
    return list(db.session.scalars(select(Establishment).order_by(Establishment.name)))


@dataclass(frozen=True, slots=True)
class EstablishmentCounts:
    establishment: Establishment
    cohorts: int  # archived ones too
    learners: int  # current learners of those cohorts, as `count_current_learners` counts them


def list_establishment_counts() -> list[EstablishmentCounts]:
    """Every establishment by name, with how many cohorts and current learners it has, in one statement.

    Each count is grouped by establishment in the database: the country has thousands of cohorts, and loading
    them to bind their ids into a count (as `count_current_learners` does for one establishment's) would make
    the statement grow with the country.
    """
    cohorts = select(Cohort.establishment_id, func.count().label("count")).group_by(Cohort.establishment_id).subquery()
    learners = (
        select(Cohort.establishment_id, func.count().label("count"))
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .join(LearnerProfile, LearnerProfile.user_id == CohortMembership.learner_id)
        .where(CohortMembership.left_at.is_(None), LearnerProfile.released_at.is_(None))
        .group_by(Cohort.establishment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Establishment, func.coalesce(cohorts.c.count, 0), func.coalesce(learners.c.count, 0))
        .outerjoin(cohorts, cohorts.c.establishment_id == Establishment.id)
        .outerjoin(learners, learners.c.establishment_id == Establishment.id)
        .order_by(Establishment.name)
    ).all()
    return [
        EstablishmentCounts(establishment, cohort_count, learner_count)
        for establishment, cohort_count, learner_count in rows
    ]


def list_cohorts_in(establishment: Establishment) -> list[Cohort]:
    """An establishment's cohorts by name, archived ones too, with their mentors loaded in one statement more."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.establishment_id == establishment.id)
            .options(selectinload(Cohort.mentors))
            .order_by(Cohort.name)
        )
    )


def get_establishment(public_id: uuid.UUID) -> Establishment | None:
    return db.session.scalar(select(Establishment).where(Establishment.public_id == public_id))


def get_cohort(public_id: uuid.UUID) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(Cohort.public_id == public_id).options(selectinload(Cohort.mentors)))


def find_establishment_for_admin(actor: User, public_id: uuid.UUID) -> Establishment | None:
    """The establishment, for an administrator; None (as for no such establishment) for anyone else."""
    return get_establishment(public_id) if can_administer(actor) else None


def find_cohort_for_admin(actor: User, public_id: uuid.UUID) -> Cohort | None:
    """The cohort, with its mentors, for an administrator; None (as for no such cohort) for anyone else."""
    return get_cohort(public_id) if can_administer(actor) else None


def find_staff_for_admin(actor: User, public_id: object) -> User | None:
    """A mentor's or administrator's account, for an administrator; None for anyone else or any learner."""
    if not can_administer(actor):
        return None
    user = find_user_by_public_id(public_id)
    return user if user is not None and user.is_staff else None


def _require_admin(by: User | None) -> None:
    # None is the operator's own commands (seeding a demo); people must be administrators.
    if by is not None and not can_administer(by):
        raise NotAllowed(_("Only an administrator can change establishments and cohorts"))


def create_establishment(*, name: str, code: str, kind: EstablishmentKind, by: User | None) -> Establishment:
    """A new prison or probation office (audited). Raises AccountError naming the field that needs changing."""
    _require_admin(by)
    name = name.strip()
    code = code.strip().upper()
    if not name:
        raise AccountError(_("Enter the establishment's name"), "name")
    if not PRISON_CODE.fullmatch(code):
        raise AccountError(_("Enter a code of 3 letters, like BXI"), "code")
    code_taken = AccountError(_("An establishment already has that code. Enter a different code"), "code")
    if db.session.scalar(select(func.count()).select_from(Establishment).where(Establishment.code == code)):
        raise code_taken
    if db.session.scalar(
        select(func.count()).select_from(Establishment).where(func.lower(Establishment.name) == name.lower())
    ):
        raise AccountError(_("An establishment already has that name. Enter a different name"), "name")
    establishment = Establishment(name=name, code=code, kind=kind)
    with unique_or(code_taken):
        db.session.add(establishment)
        db.session.flush()
    record_event(
        AuditAction.ESTABLISHMENT_CREATED, actor=by, object_type="establishment", object_id=establishment.public_id
    )
    return establishment


def create_cohort(*, establishment: Establishment, name: str, by: User | None) -> Cohort:
    """A new cohort in an establishment (audited). Raises AccountError (field "name") for a missing or used name."""
    _require_admin(by)
    name = name.strip()
    if not name:
        raise AccountError(_("Enter a name for the cohort"), "name")
    lock_row(Establishment, establishment.id)
    clash = db.session.scalar(
        select(func.count())
        .select_from(Cohort)
        .where(Cohort.establishment_id == establishment.id, func.lower(Cohort.name) == name.lower())
    )
    if clash:
        raise AccountError(_("This establishment already has a cohort with that name. Enter a different name"), "name")
    cohort = Cohort(establishment=establishment, name=name)
    db.session.add(cohort)
    db.session.flush()
    record_event(AuditAction.COHORT_CREATED, actor=by, object_type="cohort", object_id=cohort.public_id)
    return cohort


def assign_mentor_by_id(cohort: Cohort, mentor_id: object, *, by: User | None) -> User:
    """Assign the mentor with this public id to the cohort (audited); the mentor. For a choice from a list:
    anyone who is not a mentor of this establishment, or already mentors the cohort, is not on the list."""
    mentor = find_user_by_public_id(mentor_id)
    on_the_list = (
        mentor is not None
        and mentor.is_mentor
        and mentor.establishment_id == cohort.establishment_id
        and mentor not in cohort.mentors
    )
    if mentor is None or not on_the_list:
        raise AccountError(_("Select a mentor from the list"), "mentor")
    assign_mentor(cohort, mentor, by=by)
    return mentor


def assign_mentor(cohort: Cohort, mentor: User, *, by: User | None) -> bool:
    """Let `mentor` see and manage the cohort's learners (audited). False if they already did."""
    _require_admin(by)
    if not mentor.is_mentor:
        raise AccountError(_("Select a mentor"), "mentor")
    if mentor.establishment_id != cohort.establishment_id:
        raise AccountError(_("Select a mentor who works in this establishment"), "mentor")
    lock_row(Cohort, cohort.id)
    assigned = mentor not in cohort.mentors
    if assigned:
        cohort.mentors.append(mentor)
        record_event(
            AuditAction.COHORT_MENTOR_ASSIGNED,
            actor=by,
            subject=mentor,
            object_type="cohort",
            object_id=cohort.public_id,
        )
    return assigned


def remove_mentor(cohort: Cohort, mentor: User, *, by: User | None) -> bool:
    """Take `mentor` off the cohort: its learners' records are no longer theirs to see (audited). False if they
    were not on it (the second click of a double click)."""
    _require_admin(by)
    lock_row(Cohort, cohort.id)
    removed = mentor in cohort.mentors
    if removed:
        cohort.mentors.remove(mentor)
        record_event(
            AuditAction.COHORT_MENTOR_REMOVED,
            actor=by,
            subject=mentor,
            object_type="cohort",
            object_id=cohort.public_id,
        )
    return removed


def was_removed_lately(cohort: Cohort, mentor: User, *, within: timedelta = timedelta(minutes=2)) -> bool:
    """Whether this mentor was taken off this cohort in the last couple of minutes (the audit log says when)."""
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == AuditAction.COHORT_MENTOR_REMOVED,
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


def list_staff(number: int, *, size: int) -> Page[User]:
    """Page `number` of every staff account nationally, by name (`paging.page_of`'s rules for numbers out of
    range): counted, then only that page read, as there are thousands across the prison estate."""
    is_staff = User.role.in_([UserRole.MENTOR, UserRole.ADMIN])
    total = db.session.scalar(select(func.count()).select_from(User).where(is_staff)) or 0
    shown, pages = paging.position(total, number, size)
    staff = db.session.scalars(
        select(User)
        .where(is_staff)
        .options(selectinload(User.establishment))
        .order_by(User.display_name, User.id)
        .limit(size)
        .offset((shown - 1) * size)
    )
    return Page(list(staff), shown, pages, total, size, asked=number)


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
