"""A learner's progress, derived from the append-only progress log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Enrolment, Module, ProgressEvent, ProgressKind, User


@dataclass(frozen=True)
class ModuleProgress:
    module: Module
    units_done: int
    units_total: int
    signed_off: bool

    @property
    def percent(self) -> int:
        return round(100 * self.units_done / self.units_total) if self.units_total else 0


def units_done_from_events(events: list[ProgressEvent]) -> dict[int, set[int]]:
    """Replay the log: which unit ids are done, per enrolment id."""
    done: dict[int, set[int]] = {}
    for event in events:
        if event.enrolment_id is None or event.unit_id is None:
            continue
        units = done.setdefault(event.enrolment_id, set())
        if event.kind == ProgressKind.UNIT_COMPLETED:
            units.add(event.unit_id)
        elif event.kind == ProgressKind.UNIT_UNDONE:
            units.discard(event.unit_id)
    return done


def list_module_progress(learner: User) -> list[ModuleProgress]:
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.learner_id == learner.id)
            .options(selectinload(Enrolment.module).selectinload(Module.units))
            .order_by(Enrolment.enrolled_at)
        )
    )
    events = list(
        db.session.scalars(
            select(ProgressEvent).where(ProgressEvent.learner_id == learner.id).order_by(ProgressEvent.occurred_at, ProgressEvent.id)
        )
    )
    done = units_done_from_events(events)
    signed = {e.enrolment_id for e in events if e.kind == ProgressKind.SIGNED_OFF}
    return [
        ModuleProgress(
            module=enrolment.module,
            units_done=len(done.get(enrolment.id, set())),
            units_total=len(enrolment.module.units),
            signed_off=enrolment.id in signed,
        )
        for enrolment in enrolments
    ]
