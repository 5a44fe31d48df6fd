"""Reviewing a module a learner has finished, then signing it off or returning it with feedback.

Signing off (`progress.sign_off_module`) awards the module's skills at their levels, issues the module
certificate and audits it, in one transaction; returning (`progress.return_module`) sends it back with
feedback. Both check the module's state first, holding the learner's record, so a double click or a second
mentor cannot sign a module off twice: the second gets the Conflict's message. Either way the mentor then
lands on the next module waiting for them, so a pile of reviews is worked through without going back to the
to-do list each time.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.loaders import enrolment_for_staff_or_404
from skillpath.auth.policy import staff_required
from skillpath.i18n import _
from skillpath.mentors.forms import ReturnModuleForm, SignOffForm
from skillpath.mentors.routes import bp
from skillpath.models import Enrolment
from skillpath.services.errors import Conflict, DomainError
from skillpath.services.learners import learners
from skillpath.services.progress import progress
from skillpath.services.readiness import dashboards
from skillpath.settings import app_issuer


def _review(enrolment: Enrolment, return_form: ReturnModuleForm) -> str:
    learner = enrolment.learner
    learners.record_learner_viewed(
        learner, by=current_user, page="module-review", ip_address=request.remote_addr, module=enrolment.module.code
    )
    return render_template(
        "mentors/module_review.html",
        learner=learner,
        enrolment=enrolment,
        module=enrolment.module,
        state=progress.get_module_progress(enrolment),
        evidence=[item for item in enrolment.evidence if item.removed_at is None],
        feedback_given=progress.list_feedback_given(enrolment),
        sign_off_form=SignOffForm(),
        form=return_form,
    )


@bp.route("/modules-to-review/<uuid:enrolment_id>")
@staff_required
def module_review(enrolment_id: uuid.UUID) -> str:
    enrolment = enrolment_for_staff_or_404(enrolment_id)
    return _review(enrolment, ReturnModuleForm(formdata=None))


def _refuse(enrolment: Enrolment, error: DomainError) -> Response:
    flash(error.message)
    return redirect(url_for("mentors.module_review", enrolment_id=enrolment.public_id))


@bp.route("/modules-to-review/<uuid:enrolment_id>/sign-off", methods=["POST"])
@staff_required
def module_sign_off(enrolment_id: uuid.UUID) -> Response:
    enrolment = enrolment_for_staff_or_404(enrolment_id)
    if not SignOffForm().validate_on_submit():
        abort(400)
    try:
        signed_off = progress.sign_off_module(enrolment, by=current_user, issuer=app_issuer())
    except DomainError as error:
        return _refuse(enrolment, error)
    return _to_next_item(enrolment, signed_off.message)


@bp.route("/modules-to-review/<uuid:enrolment_id>/return", methods=["POST"])
@staff_required
def module_return(enrolment_id: uuid.UUID) -> Response | str:
    enrolment = enrolment_for_staff_or_404(enrolment_id)
    form = ReturnModuleForm()
    valid = form.validate_on_submit()
    if form.csrf_token.errors:
        abort(400)
    try:
        if not valid:
            progress.ready_for_sign_off(enrolment)  # a module no longer waiting says so before the form's errors
            return _review(enrolment, form)
        progress.return_module(enrolment, feedback=form.feedback.data or "", by=current_user)
    except Conflict as error:
        return _refuse(enrolment, error)
    except DomainError as error:
        form.feedback.errors = [error.message]
        return _review(enrolment, form)
    return _to_next_item(
        enrolment, _("%(module)s is returned to the learner with your feedback.", module=enrolment.module.title)
    )


def _to_next_item(done: Enrolment, message: str) -> Response:
    """A mentor goes on to the next module awaiting sign-off in their cohorts, in the order of their to-do list,
    or home when there is none. An administrator, who has no cohorts, goes back to the learner's record."""
    if not current_user.is_mentor:
        flash(message, "success")
        return redirect(url_for("mentors.learner", learner_id=done.learner.public_id))
    following = dashboards.next_module_to_review(current_user)
    if following is None:
        flash(message + " " + _("Nothing else to review."), "success")
        return redirect(url_for("mentors.home"))
    flash(message + " " + _("Here is the next module to review."), "success")
    return redirect(url_for("mentors.module_review", enrolment_id=following.enrolment.public_id))
