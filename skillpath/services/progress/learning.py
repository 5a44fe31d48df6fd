"""What a learner does with their own learning: choose a job, start a module, work through it, send it for sign-off.

Each function is one action as the learner (or, later, the staff API acting for them) takes it: it checks what was
asked, changes the record, writes the progress log and the audit event, and raises a ``DomainError`` with a message
the learner can act on when it cannot. None of them commits; the request does.

A module goes to the mentor by itself: when every part is done and there is evidence, the learner's last change
*is* the sending. That moment is recorded as its own event (``ProgressKind.SUBMITTED`` in the progress log and
``AuditAction.MODULE_SUBMITTED`` in the audit log), so the mentor's timeline and the learner's record show when
the module was sent, and whether it was sent again after feedback.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import BinaryIO

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import Enrolment, Evidence, Module, ModuleUnit, ProgressKind, RoleLevel, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services import access
from skillpath.services.audit.audit import record_event
from skillpath.services.catalogue import catalogue
from skillpath.services.errors import InvalidInput, NotFound
from skillpath.services.locking import lock_learner
from skillpath.services.progress import evidence as evidence_files
from skillpath.services.progress import progress
from skillpath.services.progress.evidence_storage import EvidenceStorage
from skillpath.services.progress.progress import ModuleStatus


@dataclass(frozen=True)
class Outcome:
    """What a change to a module did: whether anything changed, and whether it sent the module to the mentor."""

    changed: bool
    module_title: str
    # The part of the module the change was about, if it was about one.
    part_title: str | None = None
    part_position: int | None = None
    # This change made the module ready: it has gone to the mentor to check and sign off.
    sent_for_sign_off: bool = False
    # ... and it had come back with feedback before, so the mentor is checking it again.
    sent_again: bool = False


# --- Finding things for the learner (the loaders in skillpath.auth.loaders use these) -------------------------


def find_module(code: str) -> Module | None:
    """A published module by its code (anyone signed in may read the catalogue)."""
    return catalogue.get_module_by_code(code)


def find_enrolment_for_learner(learner: User, code: str) -> Enrolment | None:
    """The learner's own enrolment on a module, or None if there is no such module or they have not started it."""
    module = find_module(code)
    return progress.get_enrolment(learner, module) if module is not None else None


def find_evidence_for_learner(learner: User, evidence_id: uuid.UUID) -> Evidence | None:
    """A piece of the learner's own evidence that is still on their record."""
    return db.session.scalar(
        select(Evidence).where(
            Evidence.public_id == evidence_id, Evidence.learner_id == learner.id, Evidence.removed_at.is_(None)
        )
    )


def find_evidence_file_for_viewer(viewer: User, evidence_id: uuid.UUID) -> Evidence | None:
    """Evidence with a file, if this person may see the learner's record: the learner, or staff who may see them."""
    item = db.session.scalar(select(Evidence).where(Evidence.public_id == evidence_id))
    if item is None or item.stored_name is None or item.removed_at is not None:
        return None
    return item if access.can_view_learner(viewer, item.enrolment.learner) else None


# --- The learner's actions --------------------------------------------------------------------------------------


def choose_target_role(learner: User, role_level_id: str | uuid.UUID | None) -> RoleLevel:
    """Set the job the learner works towards, from the jobs offered to learners."""
    profile = learner.learner_profile
    if profile is None:
        raise NotFound(_("Only learners choose a job to work towards"))
    chosen = next(
        (level for level in catalogue.list_target_role_levels() if str(level.public_id) == str(role_level_id)), None
    )
    if chosen is None:
        raise InvalidInput(_("Select one of the jobs in the list"), field="role_level")
    profile.target_role_level = chosen
    record_event(AuditAction.LEARNER_TARGET_CHOSEN, actor=learner, subject=learner, role_level=chosen.name)
    return chosen


def start_module(learner: User, module: Module) -> Enrolment:
    """Start a module. Starting one already started changes nothing and records nothing."""
    _require_learner(learner)
    existing = progress.get_enrolment(learner, module)
    enrolment = progress.enrol(learner, module, actor=learner)
    if existing is None:
        _touch(learner)
        record_event(
            AuditAction.LEARNER_MODULE_STARTED,
            actor=learner,
            subject=learner,
            object_type="module",
            object_id=module.code,
        )
    return enrolment


def record_unit_progress(learner: User, enrolment: Enrolment, unit_id: uuid.UUID, *, done: bool) -> Outcome:
    """Mark one part of a module done or not done. The same answer twice changes nothing the second time."""
    _require_own(learner, enrolment)
    unit = db.session.scalar(
        select(ModuleUnit).where(ModuleUnit.public_id == unit_id, ModuleUnit.module_id == enrolment.module_id)
    )
    if unit is None:
        raise NotFound(_("That part is not in this module"), field="unit")
    lock_learner(learner)  # before reading the state this change starts from
    before = progress.get_module_progress(enrolment).status
    if before == ModuleStatus.SIGNED_OFF:
        raise InvalidInput(_("This module has been signed off. Its parts cannot be changed"))
    if not progress.set_unit_done(enrolment, unit, done, actor=learner):
        return Outcome(False, enrolment.module.title, unit.title, unit.position)
    _touch(learner)
    record_event(
        AuditAction.LEARNER_PROGRESS_RECORDED,
        actor=learner,
        subject=learner,
        object_type="module",
        object_id=enrolment.module.code,
        part=unit.position,
        status="done" if done else "not_done",
    )
    return replace(_submitted_if_ready(learner, enrolment, before), part_title=unit.title, part_position=unit.position)


def record_evidence(
    learner: User,
    enrolment: Enrolment,
    *,
    reflection: str,
    file: BinaryIO | None = None,
    filename: str | None = None,
    max_bytes: int,
    storage: EvidenceStorage,
) -> Outcome:
    """Add evidence to a module: the learner's own words, and a file if they chose one.

    The file is checked by its content (``evidence.check_upload``); one that cannot be kept is refused with
    ``InvalidInput`` on the field ``file``. A file written for a request that is then rolled back is deleted
    (see ``evidence``), so no file is ever kept without its row.
    """
    _require_own(learner, enrolment)
    if not reflection.strip():
        raise InvalidInput(_("Write a few sentences about what you did and what you learned"), field="reflection")
    lock_learner(learner)  # before reading the state this change starts from
    before = progress.get_module_progress(enrolment).status
    if before == ModuleStatus.SIGNED_OFF:
        raise InvalidInput(_("This module has been signed off. Its evidence cannot be changed"))
    upload = None
    if file is not None and filename:
        try:
            upload = evidence_files.check_upload(file, filename, max_bytes=max_bytes)
        except evidence_files.EvidenceError as error:
            raise InvalidInput(str(error), field="file") from error
    kept_before = set(db.session.scalars(select(Evidence.id).where(Evidence.enrolment_id == enrolment.id)))
    item = evidence_files.add_evidence(enrolment, reflection=reflection, upload=upload, actor=learner, storage=storage)
    if item.id in kept_before:  # the same evidence sent twice (a double click) is kept once
        return Outcome(changed=False, module_title=enrolment.module.title)
    _touch(learner)
    record_event(
        AuditAction.LEARNER_EVIDENCE_ADDED,
        actor=learner,
        subject=learner,
        object_type="evidence",
        object_id=item.public_id,
        with_file=upload is not None,
    )
    return _submitted_if_ready(learner, enrolment, before)


def withdraw_evidence(learner: User, item: Evidence) -> Evidence:
    """Take a piece of evidence off the record. The progress log keeps that it existed; the file is kept too.

    Taking it off again (a double click) changes nothing and records nothing.
    """
    if item.learner_id != learner.id:
        raise NotFound(_("That evidence is not on your record"))
    lock_learner(learner)
    db.session.refresh(item, ["removed_at"])  # a second click waited for the first; see what it did
    if item.removed_at is not None:
        return item
    if progress.get_module_progress(item.enrolment).signed_off:
        raise InvalidInput(_("This module has been signed off. Its evidence cannot be changed"))
    evidence_files.remove_evidence(item, actor=learner)
    record_event(
        AuditAction.LEARNER_EVIDENCE_REMOVED,
        actor=learner,
        subject=learner,
        object_type="evidence",
        object_id=item.public_id,
    )
    return item


def record_evidence_file_opened(viewer: User, item: Evidence, *, ip_address: str | None) -> None:
    """Staff opening a learner's evidence file is a read of their record, and audited; the learner's own is not."""
    learner = item.enrolment.learner
    if viewer.id == learner.id:
        return
    record_event(
        AuditAction.LEARNER_EVIDENCE_VIEWED,
        actor=viewer,
        subject=learner,
        object_type="evidence",
        object_id=item.public_id,
        ip_address=ip_address,
    )


# --- Helpers ----------------------------------------------------------------------------------------------------


def _require_learner(learner: User) -> None:
    if learner.learner_profile is None:
        raise NotFound(_("Only learners take modules"))


def _require_own(learner: User, enrolment: Enrolment) -> None:
    if enrolment.learner_id != learner.id:
        raise NotFound(_("You have not started this module"))


def _touch(learner: User) -> None:
    if learner.learner_profile is not None:
        learner.learner_profile.last_activity_at = utcnow()


def _submitted_if_ready(learner: User, enrolment: Enrolment, before: ModuleStatus) -> Outcome:
    """Record the sending when this change made the module ready for the mentor (and say so)."""
    title = enrolment.module.title
    if before == ModuleStatus.READY_FOR_SIGN_OFF:
        return Outcome(changed=True, module_title=title)
    if progress.get_module_progress(enrolment).status != ModuleStatus.READY_FOR_SIGN_OFF:
        return Outcome(changed=True, module_title=title)
    again = before == ModuleStatus.RETURNED
    progress.log_event(enrolment, ProgressKind.SUBMITTED, actor=learner, detail={"again": again} if again else None)
    record_event(
        AuditAction.MODULE_SUBMITTED,
        actor=learner,
        subject=learner,
        object_type="module",
        object_id=enrolment.module.code,
        again=again,
    )
    return Outcome(changed=True, module_title=title, sent_for_sign_off=True, sent_again=again)
