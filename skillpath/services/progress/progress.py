"""A learner's progress, derived from the append-only progress log, and the mentor's verdict on a finished module.

Signing a module off and returning it with feedback are use cases: one function each does everything the action
means (the progress event, the skills awarded, the certificate, the audit event) and raises a ``DomainError``
the page or the API turns into a message. The caller's transaction commits it all together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l, format_number, ngettext
from skillpath.models import (
    Certificate,
    Enrolment,
    Evidence,
    Module,
    ModuleSkill,
    ModuleUnit,
    ProgressEvent,
    ProgressKind,
    SkillAward,
    User,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.access import can_manage_learner
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates.certificates import issue_module_certificate
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.errors import Conflict, InvalidInput
from skillpath.services.locking import lock_learner

FEEDBACK_MAX = 2000


class ModuleStatus(StrEnum):
    # The values are still the English words (other pages and the exports compare against them); show
    # `label` or `learner_label`, never the value, and compare members, not words.
    IN_PROGRESS = "In progress"
    READY_FOR_SIGN_OFF = "Ready for sign-off"
    RETURNED = "Returned with feedback"
    SIGNED_OFF = "Signed off"

    @property
    def label(self) -> str:
        """The words staff see."""
        return str(MODULE_STATUS_LABELS[self.name])

    @property
    def learner_label(self) -> str:
        """The words a learner sees: a returned module asks them to act, not only that it came back."""
        return str(_l("Returned — look again")) if self is ModuleStatus.RETURNED else self.label


MODULE_STATUS_LABELS = {
    "IN_PROGRESS": _l("In progress"),
    "READY_FOR_SIGN_OFF": _l("Ready for sign-off"),
    "RETURNED": _l("Returned with feedback"),
    "SIGNED_OFF": _l("Signed off"),
}


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
    actor: User | None,
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
        actor_id=actor.id if actor is not None else None,  # None: a staff API client
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
    enrolment: Enrolment, *, mentor: User | None, at: datetime | None = None, note: str | None = None
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
            awarded_by_id=event.actor_id,
            awarded_at=event.occurred_at,
        )
        for link in enrolment.module.skills
    ]
    db.session.add_all(awards)
    return awards


# --- The mentor's verdict: find, sign off, return ------------------------------------------------


def find_enrolment_for_staff(staff: User, enrolment_id: uuid.UUID) -> Enrolment | None:
    """A learner's module, with its units and skills, if this member of staff may update the learner's record."""
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.public_id == enrolment_id)
        .options(
            selectinload(Enrolment.module).selectinload(Module.units),
            selectinload(Enrolment.module).selectinload(Module.skills).selectinload(ModuleSkill.skill),
        )
    )
    if enrolment is None or not can_manage_learner(staff, enrolment.learner):
        return None
    return enrolment


def list_feedback_given(enrolment: Enrolment) -> list[ProgressEvent]:
    """Every time the module was returned with feedback, newest first, with who returned it."""
    return list(
        db.session.scalars(
            select(ProgressEvent)
            .where(ProgressEvent.enrolment_id == enrolment.id, ProgressEvent.kind == ProgressKind.RETURNED)
            .options(selectinload(ProgressEvent.actor))
            .order_by(ProgressEvent.occurred_at.desc())
        )
    )


def list_current_evidence(learner: User) -> list[Evidence]:
    """The learner's evidence not removed, newest first, with the module each is for."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.learner_id == learner.id, Evidence.removed_at.is_(None))
            .options(selectinload(Evidence.enrolment).selectinload(Enrolment.module))
            .order_by(Evidence.created_at.desc())
        )
    )


def ready_for_sign_off(enrolment: Enrolment) -> ModuleProgress:
    """The module's state, once the learner's record is held; Conflict unless it is ready for sign-off."""
    lock_learner(enrolment.learner_id)
    state = get_module_progress(enrolment)
    title = enrolment.module.title
    if state.status == ModuleStatus.SIGNED_OFF:
        raise Conflict(_("%(module)s is already signed off.", module=title))
    if state.status == ModuleStatus.RETURNED:
        raise Conflict(
            _(
                "%(module)s has been returned to the learner with feedback. Wait for them to act on it.",
                module=title,
            )
        )
    if state.status != ModuleStatus.READY_FOR_SIGN_OFF:
        raise Conflict(_("%(module)s is not ready for sign-off: the learner has not finished it yet.", module=title))
    return state


@dataclass(frozen=True)
class SignedOff:
    """What signing a module off did: the skills awarded and the certificate issued."""

    enrolment: Enrolment
    awards: list[SkillAward]
    certificate: Certificate

    @property
    def message(self) -> str:
        """'Module is signed off. 3 skills awarded and certificate ABCD-… issued.'"""
        title, code = self.enrolment.module.title, self.certificate.display_code
        if not self.awards:
            # An Essential Digital Skills module awards no framework skills: its certificate lists its areas.
            return _("%(module)s is signed off. Certificate %(code)s issued.", module=title, code=code)
        return ngettext(
            "%(module)s is signed off. %(num)d skill awarded and certificate %(code)s issued.",
            "%(module)s is signed off. %(num)d skills awarded and certificate %(code)s issued.",
            len(self.awards),
            module=title,
            code=code,
        )


def sign_off_module(
    enrolment: Enrolment, *, by: User | None, issuer: Issuer | None = None, at: datetime | None = None
) -> SignedOff:
    """Sign off a module the learner has finished: award its skills, issue its certificate, audit it.

    Holds the learner's record first, so a double click or a second mentor signs it off once; the second gets
    Conflict ("already signed off"), as does a module not ready for sign-off.
    """
    ready_for_sign_off(enrolment)
    awards = sign_off(enrolment, mentor=by, at=at)
    certificate = issue_module_certificate(enrolment, mentor=by, issuer=issuer, at=at)
    record_event(
        AuditAction.MODULE_SIGNED_OFF,
        actor=by,
        subject=enrolment.learner,
        object_type="module",
        object_id=enrolment.module.code,
        skills=len(awards),
    )
    return SignedOff(enrolment, awards, certificate)


def return_module(enrolment: Enrolment, *, feedback: str, by: User | None, at: datetime | None = None) -> ProgressEvent:
    """Send a finished module back to the learner with feedback saying what to change or add, and audit it.

    Conflict if the module is not waiting for sign-off (checked first, as for signing off); InvalidInput
    (field "feedback") if there is no feedback or too much.
    """
    ready_for_sign_off(enrolment)
    feedback = (feedback or "").strip()
    if not feedback:
        raise InvalidInput(_("Enter feedback for the learner, saying what to change or add"), field="feedback")
    if len(feedback) > FEEDBACK_MAX:
        raise InvalidInput(
            _("Feedback must be %(max)s characters or fewer", max=format_number(FEEDBACK_MAX)), field="feedback"
        )
    event = log_event(enrolment, ProgressKind.RETURNED, actor=by, at=at, note=feedback)
    record_event(
        AuditAction.MODULE_RETURNED,
        actor=by,
        subject=enrolment.learner,
        object_type="module",
        object_id=enrolment.module.code,
    )
    return event
