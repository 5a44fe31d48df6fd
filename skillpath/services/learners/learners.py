"""Loading learner records, cohorts and establishments with the need-to-know rule applied, and auditing the reads.

Each ``find_*`` answers "does it exist for you?": None both when there is no such record and when this person
may not see it, so pages (through ``skillpath.auth.loaders``) and the staff API give the same answer to both.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Cohort, Establishment, LearnerProfile, User, UserRole
from skillpath.models.audit import AuditAction
from skillpath.services.access import (
    can_create_learner_in,
    can_manage_learner,
    can_view_cohort,
    can_view_establishment,
    can_view_learner,
)
from skillpath.services.audit.audit import record_event
from skillpath.services.learners import accounts, organisations
from skillpath.services.locking import lock_learner


def get_learner(public_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.public_id == public_id, User.role == UserRole.LEARNER)
        .options(selectinload(User.learner_profile).selectinload(LearnerProfile.target_role_level))
    )


def find_learner_for_staff(staff: User, public_id: uuid.UUID) -> User | None:
    """The learner, if this member of staff may see them; None, the same as for no learner at all, if not."""
    learner = get_learner(public_id)
    if learner is None or not can_view_learner(staff, learner):
        return None
    return learner


def find_learner_to_manage(staff: User, public_id: uuid.UUID) -> User | None:
    """The learner, if this member of staff may update their record (barriers, status, sign-off...); else None."""
    learner = find_learner_for_staff(staff, public_id)
    if learner is None or not can_manage_learner(staff, learner):
        return None
    return learner


def find_cohort_for_staff(staff: User, public_id: uuid.UUID) -> Cohort | None:
    """The cohort, if this member of staff may see its dashboard; else None."""
    cohort = organisations.get_cohort(public_id)
    if cohort is None or not can_view_cohort(staff, cohort):
        return None
    return cohort


def find_cohort_for_adding(staff: User, public_id: uuid.UUID) -> Cohort | None:
    """The cohort, if this member of staff may add learners to it; else None."""
    cohort = find_cohort_for_staff(staff, public_id)
    if cohort is None or not can_create_learner_in(staff, cohort):
        return None
    return cohort


def find_establishment_for_staff(staff: User, public_id: uuid.UUID) -> Establishment | None:
    """The establishment, if this member of staff may see its view (administrators, its head of education)."""
    establishment = organisations.get_establishment(public_id)
    if establishment is None or not can_view_establishment(staff, establishment.id):
        return None
    return establishment


def record_learner_viewed(learner: User, *, by: User, page: str, ip_address: str | None = None, **detail: Any) -> None:
    """Staff read a learner's record: every page that shows it says so in the audit log, naming the page."""
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED, actor=by, subject=learner, ip_address=ip_address, page=page, **detail
    )


def update_learner_details(
    learner: User, *, preferred_name: str, username: str, prison_number: str | None, by: User
) -> list[str]:
    """Put right a learner's name, username or prison number (staff); the names of the fields that changed.

    Holds the learner's record first, so a double click changes and audits once. AccountError (naming the field)
    if a value is refused, including a username another request took a moment ago: then nothing is changed.
    """
    lock_learner(learner)
    try:
        return accounts.correct_learner_details(
            learner, preferred_name=preferred_name, username=username, prison_number=prison_number, by=by
        )
    except accounts.AccountError:
        # A username taken by another request a moment ago is refused by the unique index when the change is
        # flushed, which leaves the transaction unusable: start again from what is stored (nothing else was
        # written yet), so the page can show the message and the request still ends cleanly.
        db.session.rollback()
        raise
