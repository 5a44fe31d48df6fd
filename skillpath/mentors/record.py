"""A learner's record, for staff: everything on one page, the timeline, and the updates staff make.

Every page that shows the record writes a `learner.record.viewed` audit event naming the page
(`learners.record_learner_viewed`), committed with anything else the request does. Each update is one
service call (the use case); a `DomainError` it raises becomes the message beside the field or in a banner.
"""

from __future__ import annotations

import uuid

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth import handover
from skillpath.auth.loaders import learner_to_manage_or_404
from skillpath.auth.policy import can_transfer_learner, can_view_learner, staff_required
from skillpath.forms_common import ConfirmForm, choices
from skillpath.i18n import _, _l, ngettext
from skillpath.mentors.forms import (
    AssessSkillForm,
    CorrectLearnerForm,
    RecordReleaseForm,
    ReleaseDateForm,
    TransferForm,
    WorkStatusForm,
    barrier_field,
    barriers_form,
)
from skillpath.mentors.routes import bp
from skillpath.models import Barrier, DeclineReason, SkillLevel, User, WorkReadiness
from skillpath.services.errors import DomainError
from skillpath.services.learners import learners, transfers
from skillpath.services.learners.accounts import AccountError
from skillpath.services.plans import goals
from skillpath.services.progress import progress, self_assessment, timeline
from skillpath.services.progress.mentor_assessments import assess_skill as assess_skill_service
from skillpath.services.readiness import barriers, work_status
from skillpath.services.readiness.learner_state import readiness_for

TIMELINE_ON_RECORD = 8


def _handed_on_or_404(learner_id: uuid.UUID, message: str) -> Response:
    """For a learner this member of staff worked with, released or moved a moment ago: say so; otherwise 404.

    They can no longer see the learner; the second click of a double click (or a colleague's click
    at the same moment) then gets the answer the first one got, not "Page not found".
    """
    learner = learners.get_learner(learner_id)
    if request.method != "POST" or learner is None or not transfers.was_handed_on_by(current_user, learner):
        abort(404)
    flash(message, "info")
    return redirect(url_for("mentors.home"))


def _viewed(learner: User, page: str) -> None:
    learners.record_learner_viewed(learner, by=current_user, page=page, ip_address=request.remote_addr)


def _back_to_record(learner: User, anchor: str | None = None) -> Response:
    return redirect(url_for("mentors.learner", learner_id=learner.public_id, _anchor=anchor))


@bp.route("/learners/<uuid:learner_id>")
@staff_required
def learner(learner_id: uuid.UUID) -> str:
    learner = learner_to_manage_or_404(learner_id)
    _viewed(learner, "summary")
    return render_template(
        "mentors/learner.html",
        learner=learner,
        cohort=transfers.current_cohort(learner),
        readiness=readiness_for([learner], current_app.config)[learner.id],
        modules=progress.list_module_progress(learner),
        evidence=progress.list_current_evidence(learner),
        ratings=self_assessment.latest_ratings(learner),
        goals=goals.list_goals(learner),
        barriers=barriers.list_barriers(learner),
        statuses=work_status.status_history(learner),
        timeline=timeline.learner_timeline(learner)[:TIMELINE_ON_RECORD],
        decline_labels=work_status.DECLINE_REASON_LABELS,
        form=ConfirmForm(),
    )


@bp.route("/learners/<uuid:learner_id>/timeline")
@staff_required
def learner_timeline(learner_id: uuid.UUID) -> str:
    learner = learner_to_manage_or_404(learner_id)
    _viewed(learner, "timeline")
    return render_template("mentors/timeline.html", learner=learner, entries=timeline.learner_timeline(learner))


@bp.route("/learners/<uuid:learner_id>/work-readiness", methods=["GET", "POST"])
@staff_required
def work_readiness(learner_id: uuid.UUID) -> str | Response:
    learner = learner_to_manage_or_404(learner_id)
    history = work_status.status_history(learner)
    form = WorkStatusForm()
    if request.method == "GET" and history:
        form.status.data = history[0].status.value
        form.decline_reason.data = history[0].decline_reason.value if history[0].decline_reason else ""
    if form.validate_on_submit():
        reason = DeclineReason.__members__.get(form.decline_reason.data or "")
        try:
            change = work_status.record_status(
                learner, WorkReadiness(form.status.data), decline_reason=reason, by=current_user
            )
        except DomainError as error:
            getattr(form, error.field or "status").errors = [error.message]
        else:
            if change is not None:
                flash(_("Work-readiness status saved: %(status)s.", status=change.status.label), "success")
            return _back_to_record(learner, "work-readiness")
    _viewed(learner, "work-readiness")
    return render_template("mentors/work_readiness.html", learner=learner, form=form, history=history)


@bp.route("/learners/<uuid:learner_id>/barriers", methods=["GET", "POST"])
@staff_required
def barriers_checklist(learner_id: uuid.UUID) -> str | Response:
    learner = learner_to_manage_or_404(learner_id)
    current = None
    if request.method != "POST":
        current = {item.barrier: barriers.answer_for(item) for item in barriers.list_barriers(learner)}
    form = barriers_form(current)
    if form.validate_on_submit():
        try:
            changed = barriers.update_barriers(learner, form.answers(), by=current_user)
        except DomainError as error:
            form[barrier_field(Barrier(error.field or ""))].errors = [error.message]
        else:
            flash(
                ngettext(
                    "Barriers checklist saved: %(num)d change.", "Barriers checklist saved: %(num)d changes.", changed
                ),
                "success",
            )
            return _back_to_record(learner, "barriers")
    _viewed(learner, "barriers")
    return render_template("mentors/barriers.html", learner=learner, form=form, barriers=list(Barrier))


@bp.route("/learners/<uuid:learner_id>/assess-skill", methods=["GET", "POST"])
@staff_required
def assess_skill(learner_id: uuid.UUID) -> str | Response:
    learner = learner_to_manage_or_404(learner_id)
    overview = self_assessment.latest_ratings(learner)
    skills = {str(skill.ref.skill_id): skill for skill in overview.job_skills}
    form = AssessSkillForm()
    form.skill.choices = choices((key, skill.name) for key, skill in skills.items())
    if request.method == "GET":
        form.skill.data = request.args.get("skill") if request.args.get("skill") in skills else None
    if form.validate_on_submit():
        try:
            assess_skill_service(
                learner,
                form.skill.data if form.skill.data in skills else None,
                SkillLevel(form.level.data),
                comment=form.comment.data,
                by=current_user,
            )
        except DomainError as error:
            getattr(form, error.field or "skill").errors = [error.message]
        else:
            flash(_("Your assessment of %(skill)s is saved.", skill=skills[form.skill.data or ""].name), "success")
            return _back_to_record(learner, "confidence")
    _viewed(learner, "assess-skill")
    return render_template("mentors/assess_skill.html", learner=learner, form=form, has_skills=bool(skills))


@bp.route("/learners/<uuid:learner_id>/release-date", methods=["GET", "POST"])
@staff_required
def release_date(learner_id: uuid.UUID) -> str | Response:
    learner = learner_to_manage_or_404(learner_id)
    profile = learner.learner_profile
    assert profile is not None
    form = ReleaseDateForm()
    if request.method == "GET":
        form.release_date.data = profile.release_date
    if form.validate_on_submit():
        if transfers.update_release_date(learner, form.release_date.data, by=current_user):
            flash(_("Expected release date saved."), "success")
        return _back_to_record(learner)
    _viewed(learner, "release-date")
    return render_template("mentors/release_date.html", learner=learner, form=form)


@bp.route("/learners/<uuid:learner_id>/change-details", methods=["GET", "POST"])
@staff_required
def learner_details(learner_id: uuid.UUID) -> str | Response:
    learner = learner_to_manage_or_404(learner_id)
    profile = learner.learner_profile
    assert profile is not None
    form = CorrectLearnerForm()
    if request.method == "GET":
        form.process(
            data={
                "preferred_name": profile.preferred_name,
                "username": learner.username,
                "prison_number": profile.prison_number,
            }
        )
    if form.validate_on_submit():
        try:
            changed = learners.update_learner_details(
                learner,
                preferred_name=form.preferred_name.data or "",
                username=form.username.data or "",
                prison_number=form.prison_number.data,
                by=current_user,
            )
        except AccountError as error:
            getattr(form, error.field or "username").errors = [str(error)]
        else:
            if changed:
                flash(_details_saved(learner, changed), "success")
            return _back_to_record(learner)
    _viewed(learner, "change-details")
    return render_template("mentors/learner_details.html", learner=learner, form=form)


_FIELD_NAMES = {"name": _l("name"), "username": _l("username"), "prison number": _l("prison number")}


def _details_saved(learner: User, changed: list[str]) -> str:
    names = [str(_FIELD_NAMES.get(field, field)) for field in changed]
    fields = _("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1]) if len(names) > 1 else names[0]
    message = _("Details saved: %(fields)s changed.", fields=fields)
    if "username" in changed:
        message += " " + _(
            "Tell the learner their new username, %(username)s. Their password stays the same.",
            username=learner.username,
        )
    return message


@bp.route("/learners/<uuid:learner_id>/record-release", methods=["GET", "POST"])
@staff_required
def record_release(learner_id: uuid.UUID) -> str | Response:
    learner = learners.find_learner_to_manage(current_user, learner_id)
    if learner is None:
        return _handed_on_or_404(learner_id, _("This learner’s release is recorded."))
    if learner.learner_profile is not None and learner.learner_profile.is_released:
        flash(_("This learner’s release is already recorded."), "info")
        return _back_to_record(learner)
    cohort = transfers.current_cohort(learner)
    form = RecordReleaseForm()
    if form.validate_on_submit():
        try:
            code = transfers.release_learner(learner, by=current_user)
        except DomainError as error:
            flash(error.message, "info")
            return _back_to_record(learner)
        # The way back in after release, printed on the summary the learner takes with them.
        handover.remember_code(learner, code, kind="recovery")
        name = learner.learner_profile.preferred_name if learner.learner_profile else learner.display_name
        flash(_("%(name)s’s release is recorded. They keep their account and certificates.", name=name), "success")
        return redirect(url_for("mentors.release_summary", learner_id=learner.public_id))
    _viewed(learner, "record-release")
    return render_template("mentors/record_release.html", learner=learner, cohort=cohort, form=form)


@bp.route("/released/<uuid:learner_id>/summary")
@staff_required
def release_summary(learner_id: uuid.UUID) -> str | Response:
    """Shown once, straight after recording a release, to print for the learner: how to get back in."""
    learner = learners.get_learner(learner_id)
    code = handover.take_code(learner, kind="recovery") if learner is not None else None
    if learner is None or code is None:
        flash(_("The release summary is shown only once. An administrator can give a new recovery code."), "info")
        return redirect(url_for("mentors.home"))
    return render_template("mentors/release_summary.html", learner=learner, code=code)


@bp.route("/learners/<uuid:learner_id>/move", methods=["GET", "POST"])
@staff_required
def transfer(learner_id: uuid.UUID) -> str | Response:
    learner = learners.find_learner_to_manage(current_user, learner_id)
    if learner is None:
        return _handed_on_or_404(learner_id, _("This learner has been moved. Their whole record went with them."))
    if not can_transfer_learner(current_user, learner):
        abort(404)
    current = transfers.current_cohort(learner)
    options = {str(cohort.public_id): cohort for cohort in transfers.list_destinations(current_user, learner)}
    form = TransferForm()
    form.cohort.choices = choices(
        [("", _("Select a cohort")), *((key, f"{c.name} – {c.establishment.name}") for key, c in options.items())]
    )
    if form.validate_on_submit():
        try:
            to = transfers.move_learner(learner, form.cohort.data, by=current_user)
        except transfers.TransferError as error:
            flash(error.message, "info")
            return _back_to_record(learner)
        except DomainError as error:
            form.cohort.errors = [error.message]
        else:
            flash(
                _(
                    "Moved to %(cohort)s at %(establishment)s. Their whole record went with them.",
                    cohort=to.name,
                    establishment=to.establishment.name,
                ),
                "success",
            )
            if can_view_learner(current_user, learner):
                return _back_to_record(learner)
            return redirect(url_for("mentors.home"))
    _viewed(learner, "move")
    return render_template("mentors/transfer.html", learner=learner, current=current, form=form, options=options)
