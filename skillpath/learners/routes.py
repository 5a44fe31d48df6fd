"""A learner's own pages. A learner only ever sees their own record."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.loaders import (
    enrolment_for_learner_or_404,
    evidence_file_or_404,
    evidence_for_learner_or_404,
    module_or_404,
)
from skillpath.auth.policy import learner_required, signed_in
from skillpath.forms_common import ConfirmForm, choices
from skillpath.i18n import _
from skillpath.learners.forms import AddEvidenceForm, ChooseTargetForm, UnitDoneForm
from skillpath.services.catalogue import catalogue, module_choices
from skillpath.services.errors import DomainError, InvalidInput, NotFound
from skillpath.services.progress import evidence, learning, progress
from skillpath.services.progress.progress import ModuleStatus
from skillpath.services.readiness import next_steps
from skillpath.services.readiness.learner_state import readiness_for
from skillpath.settings import evidence_storage

bp = Blueprint("learners", __name__, url_prefix="/learner")
bp.add_app_template_filter(next_steps.level_words, "level_words")  # a level as what the learner can do


def _what_happens_next(message: str, outcome: learning.Outcome) -> str:
    """Tells the learner when their change has sent the module to their mentor."""
    if outcome.sent_again:
        return _(
            "%(message)s %(module)s has gone back to your mentor to check again.",
            message=message,
            module=outcome.module_title,
        )
    if outcome.sent_for_sign_off:
        return _(
            "%(message)s %(module)s is ready for your mentor to check and sign off.",
            message=message,
            module=outcome.module_title,
        )
    return message


@bp.route("/")
@learner_required
def home() -> str | Response:
    profile = current_user.learner_profile
    if profile.target_role_level_id is None:
        return redirect(url_for("learners.choose_target"))
    modules = progress.list_module_progress(current_user)
    # A module the mentor has returned comes before anything else: it is one step from being signed off.
    returned = [m for m in modules if m.status == ModuleStatus.RETURNED]
    current = next((m for m in modules if m.next_unit is not None), None)
    readiness = readiness_for([current_user], current_app.config)[current_user.id]
    return render_template(
        "learners/home.html", profile=profile, modules=modules, returned=returned, current=current, readiness=readiness
    )


@bp.route("/choose-a-job", methods=["GET", "POST"])
@learner_required
def choose_target() -> str | Response:
    profile = current_user.learner_profile
    options = catalogue.list_target_role_levels()
    form = ChooseTargetForm()
    form.role_level.choices = choices((str(level.public_id), level.plain_title or level.name) for level in options)
    if request.method == "GET" and profile.target_role_level is not None:
        form.role_level.data = str(profile.target_role_level.public_id)
    if form.validate_on_submit():
        try:
            chosen = learning.choose_target_role(current_user, form.role_level.data)
        except InvalidInput as error:
            form.role_level.errors = [error.message]
        else:
            flash(_("You are now working towards: %(job)s.", job=chosen.plain_title), "success")
            return redirect(url_for("learners.home"))
    return render_template("learners/choose_target.html", form=form, options=options)


@bp.route("/readiness")
@learner_required
def readiness() -> str | Response:
    profile = current_user.learner_profile
    if profile.target_role_level_id is None:
        return redirect(url_for("learners.choose_target"))
    result = readiness_for([current_user], current_app.config)[current_user.id]
    steps = next_steps.get_next_steps(
        result, module_choices.get_progress_by_module(current_user), after_release=profile.is_released
    )
    return render_template("learners/readiness.html", profile=profile, readiness=result, steps=steps)


@bp.route("/modules/<code>/start", methods=["POST"])
@learner_required
def start_module(code: str) -> Response:
    module = module_or_404(code)
    if ConfirmForm().validate_on_submit():
        learning.start_module(current_user, module)
        flash(_("You have started %(module)s.", module=module.title), "success")
    return redirect(url_for("learners.module", code=module.code))


@bp.route("/modules/<code>")
@learner_required
def module(code: str) -> str:
    enrolment = enrolment_for_learner_or_404(code)
    state = progress.get_module_progress(enrolment)
    items = [e for e in enrolment.evidence if e.removed_at is None]
    return render_template(
        "learners/module.html", state=state, module=enrolment.module, evidence=items, form=UnitDoneForm()
    )


@bp.route("/modules/<code>/parts/<uuid:unit_id>", methods=["POST"])
@learner_required
def unit_done(code: str, unit_id: uuid.UUID) -> Response:
    enrolment = enrolment_for_learner_or_404(code)
    form = UnitDoneForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.done.data == "yes"
    try:
        outcome = learning.record_unit_progress(current_user, enrolment, unit_id, done=done)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("learners.module", code=enrolment.module.code))
    if outcome.changed:
        message = (
            _("“%(part)s” is marked as done.", part=outcome.part_title)
            if done
            else _("“%(part)s” is marked as not done.", part=outcome.part_title)
        )
        flash(_what_happens_next(message, outcome), "success")
    return redirect(url_for("learners.module", code=enrolment.module.code, _anchor=f"part-{outcome.part_position}"))


@bp.route("/modules/<code>/add-evidence", methods=["GET", "POST"])
@learner_required
def add_evidence(code: str) -> str | Response:
    enrolment = enrolment_for_learner_or_404(code)
    form = AddEvidenceForm()
    returned = progress.get_module_progress(enrolment).status == ModuleStatus.RETURNED
    if form.validate_on_submit():
        chosen = form.file.data if form.file.data and form.file.data.filename else None
        try:
            outcome = learning.record_evidence(
                current_user,
                enrolment,
                reflection=form.reflection.data or "",
                file=chosen.stream if chosen else None,
                filename=chosen.filename if chosen else None,
                max_bytes=current_app.config["MAX_UPLOAD_BYTES"],
                storage=evidence_storage(),
            )
        except DomainError as error:
            field = form[error.field] if error.field in {"reflection", "file"} else None
            if field is None:
                flash(error.message, "error")
                return redirect(url_for("learners.module", code=enrolment.module.code))
            field.errors = [error.message]
        else:
            flash(_what_happens_next(_("Your evidence has been saved."), outcome), "success")
            return redirect(url_for("learners.module", code=enrolment.module.code))
    return render_template("learners/add_evidence.html", form=form, module=enrolment.module, returned=returned)


@bp.route("/evidence/<uuid:evidence_id>/remove", methods=["POST"])
@learner_required
def remove_evidence(evidence_id: uuid.UUID) -> Response:
    item = evidence_for_learner_or_404(evidence_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        learning.withdraw_evidence(current_user, item)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("learners.module", code=item.enrolment.module.code))
    flash(_("That evidence has been removed."), "success")
    return redirect(url_for("learners.module", code=item.enrolment.module.code))


@bp.route("/evidence/<uuid:evidence_id>/file")
@signed_in
def evidence_file(evidence_id: uuid.UUID) -> Response:
    """The learner and the staff who may see their record can open an evidence file; anyone else gets a 404."""
    item = evidence_file_or_404(evidence_id)
    opened = evidence_storage().open(item.stored_name or "")
    if opened is None:
        abort(404)
    learning.record_evidence_file_opened(current_user, item, ip_address=request.remote_addr)
    response = send_file(
        opened.stream,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=evidence.download_name(item),
        max_age=0,
    )
    response.content_length = opened.size
    return response
