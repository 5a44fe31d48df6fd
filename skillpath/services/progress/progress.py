"""A learner's progress, derived from the append-only progress log."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Enrolment, Evidence, Module, ModuleUnit, ProgressEvent, ProgressKind, SkillAward, User
from skillpath.models._types import utcnow
from skillpath.services.locking import lock_learner


class ModuleStatus(StrEnum):
    IN_PROGRESS = "In progress"
    READY_FOR_SIGN_OFF = "Ready for sign-off"
    RETURNED = "Returned with feedback"
    SIGNED_OFF = "Signed off"

    @property
    def learner_label(self) -> str:
        """The words a learner sees: a returned module asks them to act, not only that it came back."""
        return "Returned — look again" if self is ModuleStatus.RETURNED else self.value


@dataclass(frozen=True)
class ModuleProgress:
    """Where a learner is with one module, derived from the progress log."""

    enrolment: Enrolment
    module: Module
    done_unit_ids: frozenset[int]
    evidence_count: int
    status: ModuleStatus
    feedback: str | None
    last_activity_at: datetime | None

    @property
    def units_total(self) -> int:
        return len(self.module.units)

    @property
    def units_done(self) -> int:
        return sum(1 for unit in self.module.units if unit.id in self.done_unit_ids)

    @property
    def percent(self) -> int:
        return round(100 * self.units_done / self.units_total) if self.units_total else 0

    @property
    def all_units_done(self) -> bool:
        return self.units_done == self.units_total

    @property
    def signed_off(self) -> bool:
        return self.status == ModuleStatus.SIGNED_OFF

    @property
    def next_unit(self) -> ModuleUnit | None:
        return next((unit for unit in self.module.units if unit.id not in self.done_unit_ids), None)


# After a module is returned, any of these by the learner means they have acted on the feedback.
_RESPONSES_TO_FEEDBACK = {ProgressKind.UNIT_COMPLETED, ProgressKind.UNIT_UNDONE, ProgressKind.EVIDENCE_ADDED}


def derive_progress(enrolment: Enrolment, events: list[ProgressEvent], evidence_count: int) -> ModuleProgress:
    """Replay one enrolment's events, oldest first, into its current state."""
    done: set[int] = set()
    signed_off = False
    feedback: str | None = None
    for event in events:
        if event.kind == ProgressKind.UNIT_COMPLETED and event.unit_id is not None:
            done.add(event.unit_id)
        elif event.kind == ProgressKind.UNIT_UNDONE and event.unit_id is not None:
            done.discard(event.unit_id)
        elif event.kind == ProgressKind.SIGNED_OFF:
            signed_off, feedback = True, None
        elif event.kind == ProgressKind.RETURNED:
            feedback = event.note or ""
        elif event.kind in _RESPONSES_TO_FEEDBACK:
            feedback = None  # the learner has acted on it
    state = ModuleProgress(
        enrolment=enrolment,
        module=enrolment.module,
        done_unit_ids=frozenset(done),
        evidence_count=evidence_count,
        status=ModuleStatus.IN_PROGRESS,
        feedback=feedback,
        last_activity_at=events[-1].occurred_at if events else None,
    )
    if signed_off:
        status = ModuleStatus.SIGNED_OFF
    elif feedback is not None:
        status = ModuleStatus.RETURNED
    elif state.all_units_done and evidence_count > 0:
        status = ModuleStatus.READY_FOR_SIGN_OFF
    else:
        status = ModuleStatus.IN_PROGRESS
    return replace(state, status=status)


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
    """Every module the learner has started, newest activity first, in three queries."""
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.learner_id == learner.id)
            .options(
                selectinload(Enrolment.module).selectinload(Module.units),
                selectinload(Enrolment.module).selectinload(Module.skills),
            )
        )
    )
    events_by_enrolment: dict[int, list[ProgressEvent]] = {e.id: [] for e in enrolments}
    for event in db.session.scalars(
        select(ProgressEvent)
        .where(ProgressEvent.learner_id == learner.id, ProgressEvent.enrolment_id.is_not(None))
        .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
    ):
        events_by_enrolment.setdefault(event.enrolment_id or 0, []).append(event)
    evidence_counts = dict(
        db.session.execute(
            select(Evidence.enrolment_id, func.count())
            .where(Evidence.learner_id == learner.id, Evidence.removed_at.is_(None))
            .group_by(Evidence.enrolment_id)
        ).all()
    )
    states = [derive_progress(e, events_by_enrolment[e.id], evidence_counts.get(e.id, 0)) for e in enrolments]
    return sorted(states, key=lambda s: s.last_activity_at or s.enrolment.enrolled_at, reverse=True)


def get_module_progress(enrolment: Enrolment) -> ModuleProgress:
    evidence_count = db.session.scalar(
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.enrolment_id == enrolment.id, Evidence.removed_at.is_(None))
    )
    return derive_progress(enrolment, _events_for(enrolment), evidence_count or 0)


class ProgressError(ValueError):
    """A progress change that cannot be made, with a message for the user."""


def get_enrolment(learner: User, module: Module) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.learner_id == learner.id, Enrolment.module_id == module.id)
    )


def log_event(
    enrolment: Enrolment,
    kind: ProgressKind,
    *,
    actor: User,
    at: datetime | None = None,
    unit_id: int | None = None,
    note: str | None = None,
    detail: dict[str, Any] | None = None,
) -> ProgressEvent:
    """Append one event to the log. Events are never updated or deleted."""
    event = ProgressEvent(
        learner_id=enrolment.learner_id,
        enrolment_id=enrolment.id,
        module_id=enrolment.module_id,
        unit_id=unit_id,
        kind=kind,
        actor_id=actor.id,
        occurred_at=at or utcnow(),
        note=note,
        detail=detail,
    )
    db.session.add(event)
    return event


def enrol(learner: User, module: Module, *, actor: User, at: datetime | None = None) -> Enrolment:
    """Start a module. Starting one already started changes nothing."""
    lock_learner(learner)
    enrolment = get_enrolment(learner, module)
    if enrolment is not None:
        return enrolment
    enrolment = Enrolment(learner_id=learner.id, module_id=module.id, enrolled_at=at or utcnow())
    db.session.add(enrolment)
    db.session.flush()
    log_event(enrolment, ProgressKind.ENROLLED, actor=actor, at=at)
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
    lock_learner(enrolment.learner_id)
    currently = unit.id in units_done_from_events(_events_for(enrolment)).get(enrolment.id, set())
    if currently == done:
        return False
    log_event(
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
    event = log_event(enrolment, ProgressKind.SIGNED_OFF, actor=mentor, at=at, note=note)
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
