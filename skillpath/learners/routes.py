"""A learner's own pages. A learner only ever sees their own record."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from skillpath.auth.policy import can_view_learner, learner_required, signed_in
from skillpath.extensions import db
from skillpath.forms_common import ConfirmForm, choices
from skillpath.learners.forms import AddEvidenceForm, ChooseTargetForm, StartModuleForm, UnitDoneForm
from skillpath.models import Enrolment, Evidence, Module, ModuleUnit
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.catalogue import catalogue, module_choices
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.progress import ModuleStatus
from skillpath.services.readiness import next_steps
from skillpath.services.readiness.learner_state import readiness_for

bp = Blueprint("learners", __name__, url_prefix="/learner")
bp.add_app_template_filter(next_steps.level_words, "level_words")  # a level as what the learner can do


def upload_folder() -> Path:
    configured = current_app.config.get("UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _module_or_404(code: str) -> Module:
    return catalogue.get_module_by_code(code) or abort(404)


def _my_enrolment_or_404(code: str) -> Enrolment:
    module = _module_or_404(code)
    enrolment = progress.get_enrolment(current_user, module)
    if enrolment is None:
        abort(404)
    return enrolment


def _status(enrolment: Enrolment) -> ModuleStatus:
    return progress.get_module_progress(enrolment).status


def _with_what_happens_next(message: str, enrolment: Enrolment, before: ModuleStatus) -> str:
    """Tells the learner when their change has made the module ready for their mentor, and so sent it to them."""
    if before == ModuleStatus.READY_FOR_SIGN_OFF or _status(enrolment) != ModuleStatus.READY_FOR_SIGN_OFF:
        return message
    if before == ModuleStatus.RETURNED:
        return f"{message} {enrolment.module.title} has gone back to your mentor to check again."
    return f"{message} {enrolment.module.title} is ready for your mentor to check and sign off."


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
        chosen = next((level for level in options if str(level.public_id) == form.role_level.data), None)
        if chosen is None:
            form.role_level.errors = ["Select one of the jobs in the list"]
        else:
            profile.target_role_level = chosen
            record_event(
                AuditAction.LEARNER_TARGET_CHOSEN, actor=current_user, subject=current_user, role_level=chosen.name
            )
            db.session.commit()
            flash(f"You are now working towards: {chosen.plain_title}.", "success")
            return redirect(url_for("learners.home"))
    return render_template("learners/choose_target.html", form=form, options=options)


@bp.route("/readiness")
@learner_required
def readiness() -> str | Response:
    profile = current_user.learner_profile
    if profile.target_role_level_id is None:
        return redirect(url_for("learners.choose_target"))
    result = readiness_for([current_user], current_app.config)[current_user.id]
    profile = current_user.learner_profile
    steps = next_steps.get_next_steps(
        result,
        module_choices.get_progress_by_module(current_user),
        after_release=profile is not None and profile.is_released,
    )
    return render_template("learners/readiness.html", profile=profile, readiness=result, steps=steps)


@bp.route("/modules/<code>/start", methods=["POST"])
@learner_required
def start_module(code: str) -> Response:
    module = _module_or_404(code)
    if StartModuleForm().validate_on_submit():
        progress.enrol(current_user, module, actor=current_user)
        current_user.learner_profile.last_activity_at = utcnow()
        db.session.commit()
        flash(f"You have started {module.title}.", "success")
    return redirect(url_for("learners.module", code=module.code))


@bp.route("/modules/<code>")
@learner_required
def module(code: str) -> str:
    enrolment = _my_enrolment_or_404(code)
    state = progress.get_module_progress(enrolment)
    items = [e for e in enrolment.evidence if e.removed_at is None]
    return render_template(
        "learners/module.html", state=state, module=enrolment.module, evidence=items, form=UnitDoneForm()
    )


@bp.route("/modules/<code>/parts/<uuid:unit_id>", methods=["POST"])
@learner_required
def unit_done(code: str, unit_id: uuid.UUID) -> Response:
    enrolment = _my_enrolment_or_404(code)
    unit = db.session.scalar(
        select(ModuleUnit).where(ModuleUnit.public_id == unit_id, ModuleUnit.module_id == enrolment.module_id)
    )
    if unit is None:
        abort(404)
    form = UnitDoneForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.done.data == "yes"
    before = _status(enrolment)
    if progress.set_unit_done(enrolment, unit, done, actor=current_user):
        current_user.learner_profile.last_activity_at = utcnow()
        db.session.commit()
        message = f"“{unit.title}” is marked as {'done' if done else 'not done'}."
        flash(_with_what_happens_next(message, enrolment, before), "success")
    return redirect(url_for("learners.module", code=enrolment.module.code, _anchor=f"part-{unit.position}"))


@bp.route("/modules/<code>/add-evidence", methods=["GET", "POST"])
@learner_required
def add_evidence(code: str) -> str | Response:
    enrolment = _my_enrolment_or_404(code)
    form = AddEvidenceForm()
    before = _status(enrolment)
    if form.validate_on_submit():
        upload = None
        if form.file.data and form.file.data.filename:
            try:
                upload = evidence.check_upload(
                    form.file.data.stream, form.file.data.filename, max_bytes=current_app.config["MAX_UPLOAD_BYTES"]
                )
            except evidence.EvidenceError as error:
                form.file.errors = [str(error)]
        if not form.file.errors:
            folder = upload_folder()
            evidence.add_evidence(
                enrolment, reflection=form.reflection.data or "", upload=upload, actor=current_user, folder=folder
            )
            current_user.learner_profile.last_activity_at = utcnow()
            try:
                db.session.commit()
            except BaseException:
                evidence.discard_files_written(folder)  # no file on disk without its row
                raise
            flash(_with_what_happens_next("Your evidence has been saved.", enrolment, before), "success")
            return redirect(url_for("learners.module", code=enrolment.module.code))
    return render_template(
        "learners/add_evidence.html", form=form, module=enrolment.module, returned=before == ModuleStatus.RETURNED
    )


@bp.route("/evidence/<uuid:evidence_id>/remove", methods=["POST"])
@learner_required
def remove_evidence(evidence_id: uuid.UUID) -> Response:
    item = db.session.scalar(
        select(Evidence).where(
            Evidence.public_id == evidence_id, Evidence.learner_id == current_user.id, Evidence.removed_at.is_(None)
        )
    )
    if item is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    evidence.remove_evidence(item, actor=current_user)
    db.session.commit()
    flash("That evidence has been removed.", "success")
    return redirect(url_for("learners.module", code=item.enrolment.module.code))


@bp.route("/evidence/<uuid:evidence_id>/file")
@signed_in
def evidence_file(evidence_id: uuid.UUID) -> Response:
    """The learner and the staff who may see their record can open an evidence file; anyone else gets a 404."""
    item = db.session.scalar(select(Evidence).where(Evidence.public_id == evidence_id))
    if item is None or item.stored_name is None or item.removed_at is not None:
        abort(404)
    learner = item.enrolment.learner
    if not can_view_learner(current_user, learner):
        abort(404)
    if current_user.id != learner.id:
        record_event(
            AuditAction.LEARNER_EVIDENCE_VIEWED,
            actor=current_user,
            subject=learner,
            object_type="evidence",
            object_id=item.public_id,
            ip_address=request.remote_addr,
        )
        db.session.commit()
    path = upload_folder() / item.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=item.content_type,
        as_attachment=True,
        download_name=evidence.download_name(item),
        max_age=0,
    )
