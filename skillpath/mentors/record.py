"""A learner's record, for staff: everything on one page, the timeline, and the updates staff make.

Every page that shows the record writes a `learner.record.viewed` audit event
naming the page, in the same transaction as anything else the request does.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from skillpath.auth import handover
from skillpath.auth.loaders import learner_for_staff_or_404
from skillpath.auth.policy import (
    can_manage_learner,
    can_transfer_learner,
    can_transfer_learner_to,
    can_view_cohort,
    can_view_learner,
    staff_required,
)
from skillpath.extensions import db
from skillpath.forms_common import ConfirmForm, choices
from skillpath.mentors.forms import (
    AssessSkillForm,
    CorrectLearnerForm,
    RecordReleaseForm,
    ReleaseDateForm,
    TransferForm,
    WorkStatusForm,
    barriers_form,
)
from skillpath.mentors.routes import bp
from skillpath.models import (
    Barrier,
    BarrierItem,
    BarrierStatus,
    Cohort,
    DeclineReason,
    Enrolment,
    Evidence,
    Skill,
    SkillLevel,
    User,
    WorkReadiness,
)
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.learners import accounts, recovery, transfers
from skillpath.services.learners.accounts import AccountError
from skillpath.services.learners.learners import get_learner
from skillpath.services.locking import lock_learner
from skillpath.services.plans import goals
from skillpath.services.progress import progress, self_assessment, timeline
from skillpath.services.progress.mentor_assessments import record_mentor_assessment
from skillpath.services.readiness import barriers, work_status
from skillpath.services.readiness.learner_state import readiness_for

TIMELINE_ON_RECORD = 8


def _learner_or_404(learner_id: uuid.UUID) -> User:
    learner = learner_for_staff_or_404(learner_id)
    if not can_manage_learner(current_user, learner):
        abort(404)
    return learner


def _learner_or_none(learner_id: uuid.UUID) -> User | None:
    learner = get_learner(learner_id)
    if learner is None or not can_view_learner(current_user, learner) or not can_manage_learner(current_user, learner):
        return None
    return learner


def _handed_on_or_404(learner_id: uuid.UUID, message: str) -> Response:
    """For a learner this member of staff worked with, released or moved a moment ago: say so; otherwise 404.

    They can no longer see the learner; the second click of a double click (or a colleague's click
    at the same moment) then gets the answer the first one got, not "Page not found".
    """
    learner = get_learner(learner_id)
    if request.method != "POST" or learner is None:
        abort(404)
    left = transfers.recently_left_cohorts(learner, within=timedelta(minutes=2))
    if not any(can_view_cohort(current_user, cohort) for cohort in left):
        abort(404)
    flash(message, "info")
    return redirect(url_for("mentors.home"))


def _viewed(learner: User, page: str) -> None:
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED,
        actor=current_user,
        subject=learner,
        ip_address=request.remote_addr,
        page=page,
    )


def _back_to_record(learner: User, anchor: str | None = None) -> Response:
    return redirect(url_for("mentors.learner", learner_id=learner.public_id, _anchor=anchor))


def _evidence(learner: User) -> list[Evidence]:
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.learner_id == learner.id, Evidence.removed_at.is_(None))
            .options(selectinload(Evidence.enrolment).selectinload(Enrolment.module))
            .order_by(Evidence.created_at.desc())
        )
    )


@bp.route("/learners/<uuid:learner_id>")
@staff_required
def learner(learner_id: uuid.UUID) -> str:
    learner = _learner_or_404(learner_id)
    _viewed(learner, "summary")
    db.session.commit()
    return render_template(
        "mentors/learner.html",
        learner=learner,
        cohort=transfers.current_cohort(learner),
        readiness=readiness_for([learner], current_app.config)[learner.id],
        modules=progress.list_module_progress(learner),
        evidence=_evidence(learner),
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
    learner = _learner_or_404(learner_id)
    _viewed(learner, "timeline")
    db.session.commit()
    return render_template("mentors/timeline.html", learner=learner, entries=timeline.learner_timeline(learner))


@bp.route("/learners/<uuid:learner_id>/work-readiness", methods=["GET", "POST"])
@staff_required
def work_readiness(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_404(learner_id)
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
        except work_status.StatusError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            db.session.commit()
            if change is not None:
                flash(f"Work-readiness status saved: {change.status.label}.", "success")
            return _back_to_record(learner, "work-readiness")
    _viewed(learner, "work-readiness")
    db.session.commit()
    return render_template("mentors/work_readiness.html", learner=learner, form=form, history=history)


def _barrier_answer(item: BarrierItem) -> str:
    return "ALREADY_IN_PLACE" if item.already_in_place else item.status.value


@bp.route("/learners/<uuid:learner_id>/barriers", methods=["GET", "POST"])
@staff_required
def barriers_checklist(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_404(learner_id)
    items = {item.barrier: item for item in barriers.list_barriers(learner)}
    form = barriers_form(None if request.method == "POST" else {b: _barrier_answer(i) for b, i in items.items()})
    if form.validate_on_submit():
        changed = 0
        for barrier, answer in form.answers().items():
            if items[barrier].id is None and answer == BarrierStatus.NOT_STARTED.value:
                continue  # never touched and still not started: nothing happened, so nothing goes in the history
            in_place = answer == "ALREADY_IN_PLACE"
            status = BarrierStatus.COMPLETED if in_place else BarrierStatus(answer)
            changed += barriers.set_barrier(
                learner, barrier, status=status, already_in_place=in_place, by=current_user, note=items[barrier].note
            )
        db.session.commit()
        flash(f"Barriers checklist saved: {changed} change{'' if changed == 1 else 's'}.", "success")
        return _back_to_record(learner, "barriers")
    _viewed(learner, "barriers")
    db.session.commit()
    return render_template("mentors/barriers.html", learner=learner, form=form, barriers=list(Barrier))


@bp.route("/learners/<uuid:learner_id>/assess-skill", methods=["GET", "POST"])
@staff_required
def assess_skill(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_404(learner_id)
    overview = self_assessment.latest_ratings(learner)
    skills = {str(skill.ref.skill_id): skill for skill in overview.job_skills}
    form = AssessSkillForm()
    form.skill.choices = choices((key, skill.name) for key, skill in skills.items())
    if request.method == "GET":
        form.skill.data = request.args.get("skill") if request.args.get("skill") in skills else None
    if form.validate_on_submit():
        skill = db.session.get(Skill, int(form.skill.data)) if form.skill.data in skills else None
        if skill is None:
            form.skill.errors = ["Select a skill from the list"]
        else:
            record_mentor_assessment(
                learner, skill, SkillLevel(form.level.data), comment=form.comment.data, by=current_user
            )
            db.session.commit()
            flash(f"Your assessment of {skill.name} is saved.", "success")
            return _back_to_record(learner, "confidence")
    _viewed(learner, "assess-skill")
    db.session.commit()
    return render_template("mentors/assess_skill.html", learner=learner, form=form, has_skills=bool(skills))


@bp.route("/learners/<uuid:learner_id>/release-date", methods=["GET", "POST"])
@staff_required
def release_date(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_404(learner_id)
    profile = learner.learner_profile
    assert profile is not None
    form = ReleaseDateForm()
    if request.method == "GET":
        form.release_date.data = profile.release_date
    if form.validate_on_submit():
        if form.release_date.data != profile.release_date:
            profile.release_date = form.release_date.data
            record_event(AuditAction.LEARNER_RELEASE_DATE_CHANGED, actor=current_user, subject=learner)
            db.session.commit()
            flash("Expected release date saved.", "success")
        return _back_to_record(learner)
    _viewed(learner, "release-date")
    db.session.commit()
    return render_template("mentors/release_date.html", learner=learner, form=form)


@bp.route("/learners/<uuid:learner_id>/change-details", methods=["GET", "POST"])
@staff_required
def learner_details(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_404(learner_id)
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
        lock_learner(learner)
        try:
            changed = accounts.correct_learner_details(
                learner,
                preferred_name=form.preferred_name.data or "",
                username=form.username.data or "",
                prison_number=form.prison_number.data,
                by=current_user,
            )
        except AccountError as error:
            db.session.rollback()
            getattr(form, error.field or "username").errors = [str(error)]
        else:
            db.session.commit()
            if changed:
                flash(_details_saved(learner, changed), "success")
            return _back_to_record(learner)
    _viewed(learner, "change-details")
    db.session.commit()
    return render_template("mentors/learner_details.html", learner=learner, form=form)


def _details_saved(learner: User, changed: list[str]) -> str:
    fields = " and ".join([", ".join(changed[:-1]), changed[-1]] if len(changed) > 1 else changed)
    message = f"Details saved: {fields} changed."
    if "username" in changed:
        message += f" Tell the learner their new username, {learner.username}. Their password stays the same."
    return message


@bp.route("/learners/<uuid:learner_id>/record-release", methods=["GET", "POST"])
@staff_required
def record_release(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_none(learner_id)
    if learner is None:
        return _handed_on_or_404(learner_id, "This learner’s release is recorded.")
    if learner.learner_profile is not None and learner.learner_profile.is_released:
        flash("This learner’s release is already recorded.", "info")
        return _back_to_record(learner)
    cohort = transfers.current_cohort(learner)
    form = RecordReleaseForm()
    if form.validate_on_submit():
        try:
            transfers.record_release(learner, by=current_user)
        except transfers.TransferError as error:
            db.session.rollback()
            flash(str(error), "info")
            return _back_to_record(learner)
        # The way back in after release, printed on the summary the learner takes with them.
        code = recovery.issue_recovery_code(learner, by=current_user)
        db.session.commit()
        handover.remember_code(learner, code, kind="recovery")
        name = learner.learner_profile.preferred_name if learner.learner_profile else learner.display_name
        flash(f"{name}’s release is recorded. They keep their account and certificates.", "success")
        return redirect(url_for("mentors.release_summary", learner_id=learner.public_id))
    _viewed(learner, "record-release")
    db.session.commit()
    return render_template("mentors/record_release.html", learner=learner, cohort=cohort, form=form)


@bp.route("/released/<uuid:learner_id>/summary")
@staff_required
def release_summary(learner_id: uuid.UUID) -> str | Response:
    """Shown once, straight after recording a release, to print for the learner: how to get back in."""
    learner = get_learner(learner_id)
    code = handover.take_code(learner, kind="recovery") if learner is not None else None
    if learner is None or code is None:
        flash("The release summary is shown only once. An administrator can give a new recovery code.", "info")
        return redirect(url_for("mentors.home"))
    return render_template("mentors/release_summary.html", learner=learner, code=code)


def _destinations(learner: User, current: Cohort | None) -> list[Cohort]:
    query = select(Cohort).where(Cohort.archived_at.is_(None)).options(selectinload(Cohort.establishment))
    if not current_user.is_admin:
        query = query.where(Cohort.establishment_id == current_user.establishment_id)
    cohorts = [c for c in db.session.scalars(query) if current is None or c.id != current.id]
    cohorts = [c for c in cohorts if can_transfer_learner_to(current_user, learner, c)]
    return sorted(cohorts, key=lambda c: (c.establishment.name, c.name))


@bp.route("/learners/<uuid:learner_id>/move", methods=["GET", "POST"])
@staff_required
def transfer(learner_id: uuid.UUID) -> str | Response:
    learner = _learner_or_none(learner_id)
    if learner is None:
        return _handed_on_or_404(learner_id, "This learner has been moved. Their whole record went with them.")
    if not can_transfer_learner(current_user, learner):
        abort(404)
    current = transfers.current_cohort(learner)
    options = {str(cohort.public_id): cohort for cohort in _destinations(learner, current)}
    form = TransferForm()
    form.cohort.choices = choices(
        [("", "Select a cohort"), *((key, f"{c.name} – {c.establishment.name}") for key, c in options.items())]
    )
    if form.validate_on_submit():
        to = options.get(form.cohort.data or "")
        if to is None:
            form.cohort.errors = ["Select the cohort to move the learner to"]
        else:
            try:
                transfers.transfer_learner(learner, to, by=current_user)
            except transfers.TransferError as error:
                db.session.rollback()
                flash(str(error), "info")
                return _back_to_record(learner)
            db.session.commit()
            flash(f"Moved to {to.name} at {to.establishment.name}. Their whole record went with them.", "success")
            if can_view_learner(current_user, learner):
                return _back_to_record(learner)
            return redirect(url_for("mentors.home"))
    _viewed(learner, "move")
    db.session.commit()
    return render_template("mentors/transfer.html", learner=learner, current=current, form=form, options=options)
