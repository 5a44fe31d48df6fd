"""Moving a learner to another cohort or establishment, and recording their release.

A move ends the current cohort membership and starts one in the new cohort; the
learner's progress, evidence, skills, certificates and history stay exactly as
they are, because they belong to the learner, not to the cohort. Who sees the
record follows from the current membership (see `auth/policy.py`): the old
cohort's mentors lose it and the new cohort's mentors gain it.

A release ends the membership too and marks the profile released. The learner
keeps their account and certificates; staff of the old establishment no longer
see their record (administrators still can).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Cohort, CohortMembership, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.locking import lock_learner


class TransferError(ValueError):
    """A move or release that cannot be made, with a message for the member of staff."""


def current_memberships(learner: User) -> list[CohortMembership]:
    return list(
        db.session.scalars(
            select(CohortMembership)
            .where(CohortMembership.learner_id == learner.id, CohortMembership.left_at.is_(None))
            .options(selectinload(CohortMembership.cohort).selectinload(Cohort.establishment))
        )
    )


def current_cohort(learner: User) -> Cohort | None:
    memberships = current_memberships(learner)
    return memberships[0].cohort if memberships else None


def transfer_learner(learner: User, to: Cohort, *, by: User, at: datetime | None = None) -> CohortMembership:
    """Move a learner into another cohort (of this or another establishment), keeping their whole record."""
    lock_learner(learner)
    profile = learner.learner_profile
    if profile is None or not learner.is_learner:
        raise TransferError("Only learners can be moved")
    if profile.is_released:
        raise TransferError("This learner’s release has been recorded, so they cannot be moved")
    if to.archived_at is not None:
        raise TransferError("Select a cohort that is still running")
    memberships = current_memberships(learner)
    if any(membership.cohort_id == to.id for membership in memberships):
        raise TransferError("The learner is already in that cohort. Select a different cohort")
    at = at or utcnow()
    for membership in memberships:
        membership.left_at = at
    joined = CohortMembership(cohort_id=to.id, learner_id=learner.id, joined_at=at)
    db.session.add(joined)
    from_establishment = profile.establishment_id
    profile.establishment_id = to.establishment_id
    record_event(
        AuditAction.LEARNER_TRANSFERRED,
        actor=by,
        subject=learner,
        object_type="cohort",
        object_id=to.public_id,
        from_cohorts=[str(membership.cohort.public_id) for membership in memberships],
        between_establishments=from_establishment != to.establishment_id,
    )
    return joined


def record_release(learner: User, *, by: User, at: datetime | None = None) -> None:
    """Record that the learner has left custody. Their account, record and certificates stay theirs."""
    lock_learner(learner)
    profile = learner.learner_profile
    if profile is None or not learner.is_learner:
        raise TransferError("Only learners can be released")
    if profile.is_released:
        raise TransferError("This learner’s release has already been recorded")
    at = at or utcnow()
    memberships = current_memberships(learner)
    for membership in memberships:
        membership.left_at = at
    profile.released_at = at
    record_event(
        AuditAction.LEARNER_RELEASED,
        actor=by,
        subject=learner,
        object_type="cohort",
        object_id=memberships[0].cohort.public_id if memberships else None,
    )


def recently_left_cohorts(learner: User, *, within: timedelta) -> list[Cohort]:
    """The cohorts this learner left (released or moved) in the last `within`."""
    return list(
        db.session.scalars(
            select(Cohort)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.learner_id == learner.id, CohortMembership.left_at > utcnow() - within)
        )
    )
