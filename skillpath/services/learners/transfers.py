"""Moving a learner to another cohort or establishment, and recording their release.

A move ends the current cohort membership and starts one in the new cohort; the
learner's progress, evidence, skills, certificates and history stay exactly as
they are, because they belong to the learner, not to the cohort. Who sees the
record follows from the current membership (see `auth/policy.py`): the old
cohort's mentors lose it and the new cohort's mentors gain it.

A release ends the membership too and marks the profile released. The learner
keeps their account and certificates; staff of the old establishment no longer
see their record (administrators still can).

The use cases: `move_learner` (a move chosen by a member of staff, with the rule of who may move whom where),
`release_learner` (the release and the recovery code the learner leaves with) and `update_release_date`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import Cohort, CohortMembership, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.access import can_transfer_learner, can_transfer_learner_to, can_view_cohort
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import Conflict, InvalidInput, NotAllowed
from skillpath.services.learners import recovery
from skillpath.services.locking import lock_learner


class TransferError(Conflict):
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
        raise TransferError(_("Only learners can be moved"))
    if profile.is_released:
        raise TransferError(_("This learner’s release has been recorded, so they cannot be moved"))
    if to.archived_at is not None:
        raise TransferError(_("Select a cohort that is still running"))
    memberships = current_memberships(learner)
    if any(membership.cohort_id == to.id for membership in memberships):
        raise TransferError(_("The learner is already in that cohort. Select a different cohort"))
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
        raise TransferError(_("Only learners can be released"))
    if profile.is_released:
        raise TransferError(_("This learner’s release has already been recorded"))
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


def was_handed_on_by(staff: User, learner: User, *, within: timedelta = timedelta(minutes=2)) -> bool:
    """Whether this learner left (was released or moved from) one of this member of staff's cohorts a moment ago.

    They can no longer see the learner; the second click of a double click (or a colleague's click at the same
    moment) then gets the answer the first one got, not "Page not found".
    """
    return any(can_view_cohort(staff, cohort) for cohort in recently_left_cohorts(learner, within=within))


def list_destinations(staff: User, learner: User) -> list[Cohort]:
    """The cohorts this member of staff may move the learner to, by establishment then name (not their own)."""
    current = current_cohort(learner)
    query = select(Cohort).where(Cohort.archived_at.is_(None)).options(selectinload(Cohort.establishment))
    if not staff.is_admin:
        query = query.where(Cohort.establishment_id == staff.establishment_id)
    cohorts = [c for c in db.session.scalars(query) if current is None or c.id != current.id]
    cohorts = [c for c in cohorts if can_transfer_learner_to(staff, learner, c)]
    return sorted(cohorts, key=lambda c: (c.establishment.name, c.name))


def move_learner(learner: User, to: uuid.UUID | str | None, *, by: User) -> Cohort:
    """Move the learner to the cohort with this public id, if `by` may move them there. Returns the cohort.

    NotAllowed if `by` may not move this learner at all; InvalidInput (field "cohort") if the cohort is not one
    they may move the learner to; TransferError (a Conflict) if the learner cannot be moved (released, already
    in that cohort).
    """
    if not can_transfer_learner(by, learner):
        raise NotAllowed(_("Only a head of education or an administrator can move a learner"))
    wanted = str(to or "")
    cohort = next((c for c in list_destinations(by, learner) if str(c.public_id) == wanted), None)
    if cohort is None:
        raise InvalidInput(_("Select the cohort to move the learner to"), field="cohort")
    transfer_learner(learner, cohort, by=by)
    return cohort


def release_learner(learner: User, *, by: User) -> str:
    """Record the learner's release and issue the recovery code they take with them: their way back in once
    they have left. Returns the code, to be shown once. TransferError (a Conflict) if already released."""
    lock_learner(learner)
    profile = learner.learner_profile
    if profile is not None and profile.is_released:
        raise TransferError(_("This learner’s release has already been recorded"))
    # The code first: it is for staff who may manage the learner, which after the release they no longer are.
    code = recovery.issue_recovery_code(learner, by=by)
    record_release(learner, by=by)
    return code


def update_release_date(learner: User, release_date: date | None, *, by: User) -> bool:
    """Set (or clear) the expected release date, and audit it. Returns False when it was already so."""
    lock_learner(learner)
    profile = learner.learner_profile
    if profile is None or not learner.is_learner:
        raise InvalidInput(_("Only learners have a release date"))
    if profile.release_date == release_date:
        return False
    profile.release_date = release_date
    record_event(AuditAction.LEARNER_RELEASE_DATE_CHANGED, actor=by, subject=learner)
    return True
