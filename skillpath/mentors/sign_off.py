"""Reviewing a module a learner has finished, then signing it off or returning it with feedback.

Signing off awards the module's skills at their levels and issues the module
certificate, in one transaction. Both actions check the module's state first,
holding the learner's record (services/locking.py), so a double click or a
second mentor cannot sign a module off twice. Either way the mentor then lands
on the next module waiting for them, so a pile of reviews is worked through
without going back to the to-do list each time.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from skillpath.auth.policy import can_manage_learner, staff_required
from skillpath.extensions import db
from skillpath.mentors.forms import ReturnModuleForm, SignOffForm
from skillpath.mentors.routes import bp
from skillpath.models import Enrolment, Module, ModuleSkill, ProgressEvent, ProgressKind
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates.certificates import issue_module_certificate
from skillpath.services.learners import organisations
from skillpath.services.locking import lock_learner
from skillpath.services.progress import progress
from skillpath.services.progress.progress import ModuleProgress, ModuleStatus
from skillpath.services.readiness import dashboards


def _enrolment_or_404(enrolment_id: uuid.UUID, *, lock: bool = False) -> Enrolment:
    query = (
        select(Enrolment)
        .where(Enrolment.public_id == enrolment_id)
        .options(
            selectinload(Enrolment.module).selectinload(Module.units),
            selectinload(Enrolment.module).selectinload(Module.skills).selectinload(ModuleSkill.skill),
        )
    )
    enrolment = db.session.scalar(query)
    if enrolment is None or not can_manage_learner(current_user, enrolment.learner):
        abort(404)
    if lock:
        lock_learner(enrolment.learner_id)
    return enrolment


def _feedback_given(enrolment: Enrolment) -> list[ProgressEvent]:
    return list(
        db.session.scalars(
            select(ProgressEvent)
            .where(ProgressEvent.enrolment_id == enrolment.id, ProgressEvent.kind == ProgressKind.RETURNED)
            .options(selectinload(ProgressEvent.actor))
            .order_by(ProgressEvent.occurred_at.desc())
        )
    )


def _review(
    enrolment: Enrolment, state: ModuleProgress, return_form: ReturnModuleForm, *, status: int = 200
) -> tuple[str, int]:
    learner = enrolment.learner
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED,
        actor=current_user,
        subject=learner,
        ip_address=request.remote_addr,
        page="module-review",
        module=enrolment.module.code,
    )
    db.session.commit()
    page = render_template(
        "mentors/module_review.html",
        learner=learner,
        enrolment=enrolment,
        module=enrolment.module,
        state=state,
        evidence=[item for item in enrolment.evidence if item.removed_at is None],
        feedback_given=_feedback_given(enrolment),
        sign_off_form=SignOffForm(),
        form=return_form,
    )
    return page, status


@bp.route("/modules-to-review/<uuid:enrolment_id>")
@staff_required
def module_review(enrolment_id: uuid.UUID) -> tuple[str, int]:
    enrolment = _enrolment_or_404(enrolment_id)
    return _review(enrolment, progress.get_module_progress(enrolment), ReturnModuleForm(formdata=None))


def _refuse(enrolment: Enrolment, state: ModuleProgress) -> Response:
    if state.status == ModuleStatus.SIGNED_OFF:
        flash(f"{enrolment.module.title} is already signed off.")
    elif state.status == ModuleStatus.RETURNED:
        flash(f"{enrolment.module.title} has been returned to the learner with feedback. Wait for them to act on it.")
    else:
        flash(f"{enrolment.module.title} is not ready for sign-off: the learner has not finished it yet.")
    return redirect(url_for("mentors.module_review", enrolment_id=enrolment.public_id))


@bp.route("/modules-to-review/<uuid:enrolment_id>/sign-off", methods=["POST"])
@staff_required
def module_sign_off(enrolment_id: uuid.UUID) -> Response:
    enrolment = _enrolment_or_404(enrolment_id, lock=True)
    if not SignOffForm().validate_on_submit():
        abort(400)
    state = progress.get_module_progress(enrolment)
    if state.status != ModuleStatus.READY_FOR_SIGN_OFF:
        return _refuse(enrolment, state)
    awards = progress.sign_off(enrolment, mentor=current_user)
    certificate = issue_module_certificate(enrolment, mentor=current_user)
    record_event(
        AuditAction.MODULE_SIGNED_OFF,
        actor=current_user,
        subject=enrolment.learner,
        object_type="module",
        object_id=enrolment.module.code,
        skills=len(awards),
    )
    db.session.commit()
    # An Essential Digital Skills module awards no framework skills: its certificate lists its areas instead.
    awarded = (
        f"{len(awards)} skill{'' if len(awards) == 1 else 's'} awarded and certificate" if awards else "Certificate"
    )
    return _to_next_item(
        enrolment, f"{enrolment.module.title} is signed off. {awarded} {certificate.display_code} issued."
    )


@bp.route("/modules-to-review/<uuid:enrolment_id>/return", methods=["POST"])
@staff_required
def module_return(enrolment_id: uuid.UUID) -> Response | tuple[str, int]:
    enrolment = _enrolment_or_404(enrolment_id, lock=True)
    state = progress.get_module_progress(enrolment)
    form = ReturnModuleForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)
    if state.status != ModuleStatus.READY_FOR_SIGN_OFF:
        return _refuse(enrolment, state)
    if not valid:
        return _review(enrolment, state, form)
    progress.log_event(enrolment, ProgressKind.RETURNED, actor=current_user, note=(form.feedback.data or "").strip())
    record_event(
        AuditAction.MODULE_RETURNED,
        actor=current_user,
        subject=enrolment.learner,
        object_type="module",
        object_id=enrolment.module.code,
    )
    db.session.commit()
    return _to_next_item(enrolment, f"{enrolment.module.title} is returned to the learner with your feedback.")


def _to_next_item(done: Enrolment, message: str) -> Response:
    """A mentor goes on to the next module awaiting sign-off in their cohorts, in the order of their to-do list,
    or home when there is none. An administrator, who has no cohorts, goes back to the learner's record."""
    if not current_user.is_mentor:
        flash(message, "success")
        return redirect(url_for("mentors.learner", learner_id=done.learner.public_id))
    cohorts = organisations.list_cohorts_for_mentor(current_user)
    following = dashboards.next_awaiting_sign_off([cohort.id for cohort in cohorts])
    if following is None:
        flash(f"{message} Nothing else to review.", "success")
        return redirect(url_for("mentors.home"))
    flash(f"{message} Here is the next module to review.", "success")
    return redirect(url_for("mentors.module_review", enrolment_id=following.enrolment.public_id))
