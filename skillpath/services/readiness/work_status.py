"""A learner's work-readiness status, in the prison service's codes, with its dated history.

The newest change is the current status; a learner with no change yet is "Not started".
Each change records how it moved (`NEW` for the first, `ACCEPTED_TO_DECLINED` and
`DECLINED_TO_ACCEPTED` into and out of "Does not want support"); any other change has no
status-change type (None), as in the prison service's own model.
A decline is recorded with a reason code only: health and offence details are never
written here.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import DeclineReason, ReadinessStatusChange, StatusChangeType, User, WorkReadiness
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import InvalidInput
from skillpath.services.locking import lock_learner
from skillpath.services.readiness.scope import LearnerSet, among, is_empty

# Statuses staff choose from; "Not started" only means that nothing has been recorded.
CHOOSABLE = (
    WorkReadiness.READY_TO_WORK,
    WorkReadiness.SUPPORT_NEEDED,
    WorkReadiness.SUPPORT_DECLINED,
    WorkReadiness.NO_RIGHT_TO_WORK,
)

DECLINE_REASON_LABELS = {
    DeclineReason.FULL_TIME_CARER: _l("Full-time carer"),
    DeclineReason.LACKS_CONFIDENCE_OR_MOTIVATION: _l("Lacks confidence or motivation"),
    DeclineReason.HEALTH: _l("Health"),
    DeclineReason.RETIRED: _l("Retired"),
    DeclineReason.RETURNING_TO_JOB: _l("Returning to a job they already have"),
    DeclineReason.SELF_EMPLOYED: _l("Will be self-employed"),
    DeclineReason.LIMIT_THEIR_ABILITY: _l("Something limits their ability to work"),
    DeclineReason.NO_REASON: _l("No reason given"),
    DeclineReason.ALREADY_HAS_WORK: _l("Already has work arranged"),
    DeclineReason.HOUSING_NOT_IN_PLACE: _l("Housing is not in place"),
    DeclineReason.OTHER: _l("Other"),
}


class StatusError(InvalidInput):
    """A status change that cannot be made, with a message for the member of staff and the field it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field)


def status_history(learner: User) -> list[ReadinessStatusChange]:
    """Every change, newest first, with who made it."""
    return list(
        db.session.scalars(
            select(ReadinessStatusChange)
            .where(ReadinessStatusChange.learner_id == learner.id)
            .options(selectinload(ReadinessStatusChange.changed_by))
            .order_by(ReadinessStatusChange.changed_at.desc(), ReadinessStatusChange.id.desc())
        )
    )


def current_statuses(learners: LearnerSet) -> dict[int, WorkReadiness]:
    """The current status of each learner in one query; learners with no change are "Not started".

    Any learner may be looked up, even one a subquery did not name: they have no change, so "Not started".
    """
    result: dict[int, WorkReadiness] = defaultdict(lambda: WorkReadiness.NOT_STARTED)
    if not isinstance(learners, Select):
        result.update(dict.fromkeys(learners, WorkReadiness.NOT_STARTED))
    if is_empty(learners):
        return result
    rows = db.session.execute(
        select(ReadinessStatusChange.learner_id, ReadinessStatusChange.status)
        .where(among(ReadinessStatusChange.learner_id, learners))
        .order_by(ReadinessStatusChange.changed_at, ReadinessStatusChange.id)
    )
    for learner_id, status in rows:
        result[learner_id] = status  # oldest first, so the newest wins
    return result


def change_type(previous: WorkReadiness | None, new: WorkReadiness) -> StatusChangeType | None:
    if previous is None:
        return StatusChangeType.NEW
    declined = WorkReadiness.SUPPORT_DECLINED
    if new == declined and previous != declined:
        return StatusChangeType.ACCEPTED_TO_DECLINED
    if previous == declined and new != declined:
        return StatusChangeType.DECLINED_TO_ACCEPTED
    return None


def record_status(
    learner: User,
    status: WorkReadiness,
    *,
    decline_reason: DeclineReason | None,
    by: User | None,
    at: datetime | None = None,
) -> ReadinessStatusChange | None:
    """Append a status change. Returns None when nothing changed (the same status and reason again)."""
    if status not in CHOOSABLE:
        raise StatusError(_("Select the learner’s work-readiness status"), "status")
    if status == WorkReadiness.SUPPORT_DECLINED and decline_reason is None:
        raise StatusError(_("Select why the learner does not want support"), "decline_reason")
    if status != WorkReadiness.SUPPORT_DECLINED:
        decline_reason = None
    lock_learner(learner)
    history = status_history(learner)
    previous = history[0] if history else None
    if previous is not None and previous.status == status and previous.decline_reason == decline_reason:
        return None
    change = ReadinessStatusChange(
        learner_id=learner.id,
        status=status,
        change_type=change_type(previous.status if previous else None, status),
        decline_reason=decline_reason,
        changed_by_id=by.id if by is not None else None,  # None: a staff API client (see the audit event)
        changed_at=at or utcnow(),
    )
    db.session.add(change)
    record_event(
        AuditAction.LEARNER_STATUS_CHANGED,
        actor=by,
        subject=learner,
        object_type="work_readiness",
        status=status.value,
        change_type=change.change_type.value if change.change_type else None,
    )
    return change
