"""Reads of one learner's record that the API needs and the pages read differently: the barrier history, the
current work status, one barrier, one enrolment by module code. Each takes a learner the caller was allowed to see.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierChange,
    BarrierItem,
    Enrolment,
    Module,
    ModuleSkill,
    ReadinessStatusChange,
    User,
)
from skillpath.services.readiness import barriers, work_status


def barrier_history(learner: User) -> list[BarrierChange]:
    """Every change to the learner's barriers checklist, newest first."""
    return list(
        db.session.scalars(
            select(BarrierChange)
            .where(BarrierChange.learner_id == learner.id)
            .order_by(BarrierChange.changed_at.desc(), BarrierChange.id.desc())
        )
    )


def barrier_item(learner: User, barrier: Barrier) -> BarrierItem:
    """One line of the checklist; a line never touched is shown as not started."""
    return next(item for item in barriers.list_barriers(learner) if item.barrier == barrier)


def current_status(learner: User) -> ReadinessStatusChange | None:
    history = work_status.status_history(learner)
    return history[0] if history else None


def find_enrolment(learner: User, module_code: str) -> Enrolment | None:
    """The learner's enrolment on the module with this code, with what sign-off needs loaded."""
    return db.session.scalar(
        select(Enrolment)
        .join(Module, Module.id == Enrolment.module_id)
        .where(Enrolment.learner_id == learner.id, Module.code == module_code[:20])
        .options(
            selectinload(Enrolment.module).selectinload(Module.units),
            selectinload(Enrolment.module).selectinload(Module.skills).selectinload(ModuleSkill.skill),
        )
    )
