"""The barriers-to-work checklist: current state plus an append-only history of changes.

Staff answer each item with a BarrierStatus code or ``ALREADY_IN_PLACE`` (sorted out before SkillPath knew
them); `update_barriers` is the use case behind the checklist page and the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import Barrier, BarrierChange, BarrierItem, BarrierStatus, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import InvalidInput
from skillpath.services.locking import lock_learner
from skillpath.services.readiness.readiness import ALREADY_IN_PLACE

# The answers staff give for one item, in the order the page offers them (codes -> words).
ANSWER_LABELS = {
    BarrierStatus.NOT_STARTED.value: _l("Not started"),
    BarrierStatus.IN_PROGRESS.value: _l("In progress"),
    BarrierStatus.COMPLETED.value: _l("Done"),
    ALREADY_IN_PLACE: _l("Already in place"),
}


def list_barriers(learner: User) -> list[BarrierItem]:
    """Every checklist item for the learner, in the checklist's order; missing items are shown as not started."""
    items = {
        item.barrier: item
        for item in db.session.scalars(select(BarrierItem).where(BarrierItem.learner_id == learner.id))
    }
    return [
        items.get(barrier)
        or BarrierItem(learner_id=learner.id, barrier=barrier, status=BarrierStatus.NOT_STARTED, already_in_place=False)
        for barrier in Barrier
    ]


def set_barrier(
    learner: User,
    barrier: Barrier,
    *,
    status: BarrierStatus,
    already_in_place: bool = False,
    by: User | None,
    at: datetime | None = None,
    note: str | None = None,
    id_documents: list[str] | None = None,
) -> bool:
    """Record a change to one checklist item. Returns False if nothing changed."""
    lock_learner(learner)
    at = at or utcnow()
    item = db.session.scalar(
        select(BarrierItem).where(BarrierItem.learner_id == learner.id, BarrierItem.barrier == barrier)
    )
    if item is None:
        item = BarrierItem(learner_id=learner.id, barrier=barrier)
        db.session.add(item)
    elif (
        item.status == status
        and item.already_in_place == already_in_place
        and item.note == note
        and (id_documents is None or item.id_documents == id_documents)
    ):
        return False
    item.status = status
    item.already_in_place = already_in_place
    item.note = note
    if id_documents is not None:
        item.id_documents = id_documents
    item.updated_at = at
    item.updated_by_id = by.id if by is not None else None  # None: a staff API client
    db.session.add(
        BarrierChange(
            learner_id=learner.id,
            barrier=barrier,
            status=status,
            already_in_place=already_in_place,
            changed_at=at,
            changed_by_id=item.updated_by_id,
        )
    )
    record_event(
        AuditAction.LEARNER_BARRIER_CHANGED,
        actor=by,
        subject=learner,
        object_type="barrier",
        object_id=barrier.value,
        status=status.value,
        already_in_place=already_in_place,
    )
    return True


def answer_for(item: BarrierItem) -> str:
    """The item's state as the checklist asks it: a BarrierStatus code, or ALREADY_IN_PLACE."""
    return ALREADY_IN_PLACE if item.already_in_place else item.status.value


def update_barriers(learner: User, answers: Mapping[Barrier, str], *, by: User) -> int:
    """Save the checklist: one answer (a code of ANSWER_LABELS) per item given. Returns how many items changed.

    Each change is kept in the history and audited (by `set_barrier`); an item never touched and still not
    started adds nothing. InvalidInput (field: the item's code) for an answer that is not one of the codes,
    checked before anything is written.
    """
    for barrier, answer in answers.items():
        if answer not in ANSWER_LABELS:
            raise InvalidInput(
                _("Select where things are with: %(barrier)s", barrier=barrier.label.lower()), field=barrier.value
            )
    items = {item.barrier: item for item in list_barriers(learner)}
    changed = 0
    for barrier, answer in answers.items():
        if items[barrier].id is None and answer == BarrierStatus.NOT_STARTED.value:
            continue  # never touched and still not started: nothing happened, so nothing goes in the history
        in_place = answer == ALREADY_IN_PLACE
        status = BarrierStatus.COMPLETED if in_place else BarrierStatus(answer)
        changed += set_barrier(
            learner, barrier, status=status, already_in_place=in_place, by=by, note=items[barrier].note
        )
    return changed
