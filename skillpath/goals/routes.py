"""The learner's goals: a list, adding and changing a goal, moving its steps along, completing or archiving it.

A learner only ever sees their own goals: another learner's goal id is a 404, the same as one that does not exist.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required
from skillpath.extensions import db
from skillpath.forms_common import ConfirmForm
from skillpath.goals.forms import ArchiveGoalForm, CreateGoalForm, EditGoalForm, StepStatusForm
from skillpath.i18n import format_date
from skillpath.models import Goal, GoalStatus, StepStatus
from skillpath.models._types import utcnow
from skillpath.services.plans import goals
from skillpath.services.plans.goals import GoalError

bp = Blueprint("goals", __name__, url_prefix="/learner/goals")


def _my_goal_or_404(goal_id: uuid.UUID) -> Goal:
    return goals.get_goal(current_user, goal_id) or abort(404)


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _saved() -> None:
    current_user.learner_profile.last_activity_at = utcnow()
    db.session.commit()


def _labels() -> dict[str, object]:
    return {
        "step_labels": goals.STEP_LABELS,
        "goal_labels": goals.GOAL_LABELS,
        "archive_reason_label": goals.archive_reason_label,
    }


@bp.route("")
@learner_required
def index() -> str:
    return render_template("goals/index.html", goals=goals.list_goals(current_user), **_labels())


@bp.route("/new", methods=["GET", "POST"])
@learner_required
def new() -> str | Response:
    today = goals.today_in_uk()
    form = CreateGoalForm(today=today)
    form.set_target_choices([(months, goals.add_months(today, months)) for months in goals.PRESET_MONTHS], format_date)
    if not _uuid_or_none(form.submission_id.data):
        form.submission_id.data = str(uuid.uuid4())
    if form.is_submitted() and form.add_step.data:
        # "Add another step" shows one more box; nothing is checked or saved yet.
        return render_template("goals/new.html", form=form, shown=min(form.steps_to_show() + 1, goals.MAX_STEPS))
    if form.validate_on_submit():
        target = form.target_date.data or goals.add_months(today, int(form.target.data or 0))
        goal, created = goals.create_goal(
            current_user,
            title=form.title.data or "",
            target_date=target,
            steps=form.step_titles(),
            actor=current_user,
            submission_id=_uuid_or_none(form.submission_id.data),
        )
        _saved()
        flash("Your goal has been saved." if created else "This goal was already saved.", "success")
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    return render_template("goals/new.html", form=form, shown=form.steps_to_show())


@bp.route("/<uuid:goal_id>")
@learner_required
def goal(goal_id: uuid.UUID) -> str:
    goal = _my_goal_or_404(goal_id)
    return render_template(
        "goals/goal.html",
        goal=goal,
        ready_to_complete=goals.is_ready_to_complete(goal),
        is_active=goal.status == GoalStatus.ACTIVE,
        step_statuses=list(StepStatus),
        **_labels(),
    )


@bp.route("/<uuid:goal_id>/steps/<int:position>", methods=["POST"])
@learner_required
def step_status(goal_id: uuid.UUID, position: int) -> Response:
    goal = _my_goal_or_404(goal_id)
    step = next((step for step in goal.steps if step.position == position), None) or abort(404)
    form = StepStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = goals.set_step_status(goal, step, StepStatus(form.status.data), actor=current_user)
    except GoalError as error:
        flash(str(error))
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    if changed:
        _saved()
        flash(f"“{step.title}” is now marked as {goals.STEP_LABELS[step.status].lower()}.", "success")
        if goals.is_ready_to_complete(goal):
            flash("Every step is done. You can now mark the goal as completed.", "success")
    return redirect(url_for("goals.goal", goal_id=goal.public_id, _anchor=f"step-{position}"))


@bp.route("/<uuid:goal_id>/complete", methods=["POST"])
@learner_required
def complete(goal_id: uuid.UUID) -> Response:
    goal = _my_goal_or_404(goal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        goals.complete_goal(goal, actor=current_user)
    except GoalError as error:
        flash(str(error))
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    _saved()
    flash(f"Well done. “{goal.title}” is completed.", "success")
    return redirect(url_for("goals.index"))


@bp.route("/<uuid:goal_id>/edit", methods=["GET", "POST"])
@learner_required
def edit(goal_id: uuid.UUID) -> str | Response:
    goal = _my_goal_or_404(goal_id)
    if goal.status != GoalStatus.ACTIVE:
        flash(f"This goal is {goals.GOAL_LABELS[goal.status].lower()}, so it cannot be changed.")
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    form = EditGoalForm(obj=None if request.method == "POST" else goal, current_date=goal.target_date)
    if form.validate_on_submit():
        if goals.update_goal(goal, title=form.title.data or "", target_date=form.target_date.data, actor=current_user):
            _saved()
            flash("Your changes have been saved.", "success")
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    return render_template("goals/edit.html", form=form, goal=goal)


@bp.route("/<uuid:goal_id>/archive", methods=["GET", "POST"])
@learner_required
def archive(goal_id: uuid.UUID) -> str | Response:
    goal = _my_goal_or_404(goal_id)
    if goal.status != GoalStatus.ACTIVE:
        flash(f"This goal is {goals.GOAL_LABELS[goal.status].lower()}, so it cannot be changed.")
        return redirect(url_for("goals.goal", goal_id=goal.public_id))
    form = ArchiveGoalForm()
    if form.validate_on_submit():
        goals.archive_goal(goal, form.reason.data or "", actor=current_user)
        _saved()
        flash(f"“{goal.title}” has been archived. You can still see it in your past goals.", "success")
        return redirect(url_for("goals.index"))
    return render_template("goals/archive.html", form=form, goal=goal)
