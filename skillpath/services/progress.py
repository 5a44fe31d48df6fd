"""A learner's progress, derived from the append-only progress log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Enrolment, Module, ModuleUnit, ProgressEvent, ProgressKind, SkillAward, User
from skillpath.models._types import utcnow


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
            select(ProgressEvent)
            .where(ProgressEvent.learner_id == learner.id)
            .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
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


class ProgressError(ValueError):
    """A progress change that cannot be made, with a message for the user."""


def get_enrolment(learner: User, module: Module) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.learner_id == learner.id, Enrolment.module_id == module.id)
    )


def _log(
    enrolment: Enrolment,
    kind: ProgressKind,
    *,
    actor: User,
    at: datetime | None,
    unit_id: int | None = None,
    note: str | None = None,
) -> ProgressEvent:
    event = ProgressEvent(
        learner_id=enrolment.learner_id,
        enrolment_id=enrolment.id,
        module_id=enrolment.module_id,
        unit_id=unit_id,
        kind=kind,
        actor_id=actor.id,
        occurred_at=at or utcnow(),
        note=note,
    )
    db.session.add(event)
    return event


def enrol(learner: User, module: Module, *, actor: User, at: datetime | None = None) -> Enrolment:
    """Start a module. Starting one already started changes nothing."""
    enrolment = get_enrolment(learner, module)
    if enrolment is not None:
        return enrolment
    enrolment = Enrolment(learner_id=learner.id, module_id=module.id, enrolled_at=at or utcnow())
    db.session.add(enrolment)
    db.session.flush()
    _log(enrolment, ProgressKind.ENROLLED, actor=actor, at=at)
    return enrolment


def _events_for(enrolment: Enrolment) -> list[ProgressEvent]:
    return list(
        db.session.scalars(
            select(ProgressEvent)
            .where(ProgressEvent.enrolment_id == enrolment.id)
            .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
        )
    )


def set_unit_done(
    enrolment: Enrolment, unit: ModuleUnit, done: bool, *, actor: User, at: datetime | None = None
) -> bool:
    """Mark a unit done (or undo it). Returns False when it was already so: double submissions add nothing."""
    if unit.module_id != enrolment.module_id:
        raise ProgressError("That part is not in this module")
    currently = unit.id in units_done_from_events(_events_for(enrolment)).get(enrolment.id, set())
    if currently == done:
        return False
    _log(
        enrolment,
        ProgressKind.UNIT_COMPLETED if done else ProgressKind.UNIT_UNDONE,
        actor=actor,
        at=at,
        unit_id=unit.id,
    )
    return True


def sign_off(
    enrolment: Enrolment, *, mentor: User, at: datetime | None = None, note: str | None = None
) -> list[SkillAward]:
    """Sign a module off, awarding the module's skills at their levels."""
    event = _log(enrolment, ProgressKind.SIGNED_OFF, actor=mentor, at=at, note=note)
    db.session.flush()
    awards = [
        SkillAward(
            learner_id=enrolment.learner_id,
            skill_id=link.skill_id,
            level=link.level,
            module_id=enrolment.module_id,
            progress_event_id=event.id,
            awarded_by_id=mentor.id,
            awarded_at=event.occurred_at,
        )
        for link in enrolment.module.skills
    ]
    db.session.add_all(awards)
    return awards
