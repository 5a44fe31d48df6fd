"""The barriers-to-work checklist: current state plus an append-only history of changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierChange, BarrierItem, BarrierStatus, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.locking import lock_learner


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
    by: User,
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
    item.updated_by_id = by.id
    db.session.add(
        BarrierChange(
            learner_id=learner.id,
            barrier=barrier,
            status=status,
            already_in_place=already_in_place,
            changed_at=at,
            changed_by_id=by.id,
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
