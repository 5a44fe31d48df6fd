"""Custody details fade: a set time after release, SkillPath lets go of what ties a learner to prison.

`flask custody remove-expired` runs this daily. For each learner released at least CUSTODY_REMOVAL_MONTHS
ago whose details are still held, in one transaction per learner:

- the profile loses its prison number, its establishment and its expected release date; the exact time of
  release is replaced by the time of removal (the profile must still say "released", because that is what keeps
  mentors out, keeps prison wording off the learner's pages and lets an administrator give a recovery code),
  and `custody_removed_at` is set;
- every cohort membership (the history of groups and so of prisons) is deleted;
- the work-readiness status history is deleted: it is the prison service's "Get someone ready for work" record,
  kept by staff, with reasons such as health for not wanting support;
- staff notes are cleared: what staff wrote on the things the learner needs for work (the note and the
  "other" detail), a mentor's feedback on a returned module (any progress note not written by the learner),
  a private reason for withdrawing a certificate, and mentors' assessments of the learner's confidence
  (whole rows: the assessor is a member of prison staff and cannot be left out of the row);
- links to the prison staff who did things are cut, so no row leads to a member of staff and from them to
  their establishment: who signed off a skill, issued or withdrew a certificate, set a goal, changed a
  checklist item, made the account, acted on a module;
- audit events by or about the learner keep only pseudonymous references (see `audit.pseudonymise_events_about`).

What the learner built stays: skills, certificates (as signed), modules and progress, evidence and its files,
goals, their own confidence answers and notes, the state of each thing they need for work (a bank account or
ID does not stop being in place), their CV, their saved disclosure draft, and their account and way back in.

Running it again finds nobody new, so it changes nothing.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Executable, delete, or_, select, update

from skillpath.extensions import db
from skillpath.i18n import _, ngettext
from skillpath.models import (
    BarrierChange,
    BarrierItem,
    Certificate,
    CohortMembership,
    ConfidenceRating,
    Goal,
    LearnerProfile,
    ProgressEvent,
    ReadinessStatusChange,
    SkillAward,
    User,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import pseudonymise_events_about, record_event
from skillpath.services.locking import lock_learner


@dataclass(frozen=True)
class Removal:
    """What was removed, as counts only: a report or a log line never names anyone."""

    learners: int = 0
    cohort_memberships: int = 0
    status_changes: int = 0
    staff_notes: int = 0
    staff_assessments: int = 0
    staff_links: int = 0
    audit_events: int = 0

    def __add__(self, other: Removal) -> Removal:
        return Removal(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def summary(self) -> str:
        if not self.learners:
            return _("No learner was due: nothing was removed.")
        return _(
            "Custody details removed for %(learners)s: %(memberships)s, %(changes)s, %(notes)s, %(assessments)s, "
            "%(links)s to staff; %(events)s made pseudonymous.",
            learners=ngettext("%(num)d learner", "%(num)d learners", self.learners),
            memberships=ngettext("%(num)d cohort membership", "%(num)d cohort memberships", self.cohort_memberships),
            changes=ngettext("%(num)d work-readiness change", "%(num)d work-readiness changes", self.status_changes),
            notes=ngettext("%(num)d staff note", "%(num)d staff notes", self.staff_notes),
            assessments=ngettext("%(num)d mentor assessment", "%(num)d mentor assessments", self.staff_assessments),
            links=ngettext("%(num)d link", "%(num)d links", self.staff_links),
            events=ngettext("%(num)d audit event", "%(num)d audit events", self.audit_events),
        )


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier; the 31st becomes the last day of a shorter month."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def list_due(*, months: int, now: datetime | None = None) -> list[int]:
    """The ids of learners released at least `months` months ago whose custody details are still held."""
    cutoff = months_before(now or utcnow(), months)
    return list(
        db.session.scalars(
            select(LearnerProfile.user_id)
            .where(
                LearnerProfile.released_at.is_not(None),
                LearnerProfile.released_at <= cutoff,
                LearnerProfile.custody_removed_at.is_(None),
            )
            .order_by(LearnerProfile.user_id)
        )
    )


def remove_custody_details(learner_id: int, *, months: int, now: datetime | None = None) -> Removal:
    """Remove one learner's custody details, if they are (still) due. The caller commits.

    The learner's record is held first, so a learner closing their account or a second run at the same moment
    waits, then finds the work done and does nothing.
    """
    now = now or utcnow()
    lock_learner(learner_id)
    profile = db.session.get(LearnerProfile, learner_id)
    cutoff = months_before(now, months)
    if profile is None or profile.custody_removed_at is not None:
        return Removal()
    if profile.released_at is None or profile.released_at > cutoff:
        return Removal()
    profile.prison_number = None
    profile.establishment_id = None
    profile.release_date = None
    profile.released_at = now
    profile.custody_removed_at = now
    removal = Removal(
        learners=1,
        cohort_memberships=_execute(delete(CohortMembership).where(CohortMembership.learner_id == learner_id)),
        status_changes=_execute(delete(ReadinessStatusChange).where(ReadinessStatusChange.learner_id == learner_id)),
        staff_notes=_clear_staff_notes(learner_id),
        staff_assessments=_execute(
            delete(ConfidenceRating).where(
                ConfidenceRating.learner_id == learner_id, ConfidenceRating.assessor_id != learner_id
            )
        ),
        staff_links=cut_staff_links(learner_id),
        audit_events=pseudonymise_events_about(learner_id),
    )
    record_event(AuditAction.LEARNER_CUSTODY_DETAILS_REMOVED, actor=None, subject=db.session.get(User, learner_id))
    return removal


def _execute(statement: Executable) -> int:
    """Run a bulk delete or update; how many rows it touched."""
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def _clear_staff_notes(learner_id: int) -> int:
    """What staff wrote about the learner. The learner's own notes on their progress stay."""
    barrier_notes = (
        update(BarrierItem)
        .where(
            BarrierItem.learner_id == learner_id,
            or_(BarrierItem.note.is_not(None), BarrierItem.other_detail.is_not(None)),
        )
        .values(note=None, other_detail=None)
    )
    feedback = (
        update(ProgressEvent)
        .where(
            ProgressEvent.learner_id == learner_id,
            ProgressEvent.note.is_not(None),
            or_(ProgressEvent.actor_id.is_(None), ProgressEvent.actor_id != learner_id),
        )
        .values(note=None)
    )
    withdrawal_reasons = (
        update(Certificate)
        .where(Certificate.learner_id == learner_id, Certificate.revocation_reason.is_not(None))
        .values(revocation_reason=None)
    )
    return sum(_execute(statement) for statement in (barrier_notes, feedback, withdrawal_reasons))


_BY_STAFF = (
    (BarrierItem, BarrierItem.learner_id, BarrierItem.updated_by_id),
    (BarrierChange, BarrierChange.learner_id, BarrierChange.changed_by_id),
    (ProgressEvent, ProgressEvent.learner_id, ProgressEvent.actor_id),
    (SkillAward, SkillAward.learner_id, SkillAward.awarded_by_id),
    (Certificate, Certificate.learner_id, Certificate.issued_by_id),
    (Certificate, Certificate.learner_id, Certificate.revoked_by_id),
    (Goal, Goal.learner_id, Goal.created_by_id),
    (User, User.id, User.created_by_id),
)


def cut_staff_links(learner_id: int) -> int:
    """Forget which member of staff did each thing to this learner's record (their own actions stay theirs).

    A row that leads to a member of staff leads to their establishment too. Returns how many links were cut.
    """
    cut = sum(
        _execute(
            update(model).where(owner == learner_id, link.is_not(None), link != learner_id).values({link.key: None})
        )
        for model, owner, link in _BY_STAFF
    )
    # Only staff work in an establishment, but a learner's own row must not name one either.
    return cut + _execute(
        update(User).where(User.id == learner_id, User.establishment_id.is_not(None)).values(establishment_id=None)
    )
