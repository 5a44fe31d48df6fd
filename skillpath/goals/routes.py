"""The learner's goals: a list, adding and changing a goal, moving its steps along, completing or archiving it.

A learner only ever sees their own goals: another learner's goal id is a 404, the same as one that does not exist.
Each action is one call to `skillpath.services.plans.goals`; the request's transaction is committed after the
view answers (see `skillpath.transactions`), so nothing here commits.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from skillpath.auth.loaders import my_goal_or_404, my_goal_step_or_404
from skillpath.auth.policy import learner_required
from skillpath.forms_common import ConfirmForm
from skillpath.goals.forms import ArchiveGoalForm, CreateGoalForm, EditGoalForm, StepStatusForm
from skillpath.i18n import _, format_date
from skillpath.models import Goal, GoalStatus, StepStatus
from skillpath.services.errors import DomainError
from skillpath.services.plans import goals

bp = Blueprint("goals", __name__, url_prefix="/learner/goals")


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


def _show_on_form(form: FlaskForm, error: DomainError) -> None:
    """Put a refused action's message beside its field, or at the top of the page when it has none."""
    field = form._fields.get(error.field or "")
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message)


def _back_to(goal: Goal, error: DomainError) -> Response:
    flash(error.message)
    return redirect(url_for("goals.goal", goal_id=goal.public_id))


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
        try:
            goal, created = goals.create_goal(
                current_user,
                title=form.title.data or "",
                target_date=form.target_date.data or goals.add_months(today, int(form.target.data or 0)),
                steps=form.step_titles(),
                actor=current_user,
                submission_id=_uuid_or_none(form.submission_id.data),
            )
        except DomainError as error:
            _show_on_form(form, error)
        else:
            flash(_("Your goal has been saved.") if created else _("This goal was already saved."), "success")
            return redirect(url_for("goals.goal", goal_id=goal.public_id))
    return render_template("goals/new.html", form=form, shown=form.steps_to_show())


@bp.route("/<uuid:goal_id>")
@learner_required
def goal(goal_id: uuid.UUID) -> str:
    goal = my_goal_or_404(goal_id)
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
    goal, step = my_goal_step_or_404(goal_id, position)
    form = StepStatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = goals.set_step_status(goal, step, StepStatus(form.status.data), actor=current_user)
    except DomainError as error:
        return _back_to(goal, error)
    if changed:
        flash(
            _("“%(step)s” is now marked as %(status)s.", step=step.title, status=step.status.label.lower()), "success"
        )
        if goals.is_ready_to_complete(goal):
            flash(_("Every step is done. You can now mark the goal as completed."), "success")
    return redirect(url_for("goals.goal", goal_id=goal.public_id, _anchor=f"step-{position}"))


@bp.route("/<uuid:goal_id>/complete", methods=["POST"])
@learner_required
def complete(goal_id: uuid.UUID) -> Response:
    goal = my_goal_or_404(goal_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        goals.complete_goal(goal, actor=current_user)
    except DomainError as error:
        return _back_to(goal, error)
    flash(_("Well done. “%(title)s” is completed.", title=goal.title), "success")
    return redirect(url_for("goals.index"))


@bp.route("/<uuid:goal_id>/edit", methods=["GET", "POST"])
@learner_required
def edit(goal_id: uuid.UUID) -> str | Response:
    goal = my_goal_or_404(goal_id)
    if goal.status != GoalStatus.ACTIVE:
        return _not_active(goal)
    form = EditGoalForm(obj=None if request.method == "POST" else goal, current_date=goal.target_date)
    if form.validate_on_submit():
        try:
            changed = goals.update_goal(
                goal, title=form.title.data or "", target_date=form.target_date.data, actor=current_user
            )
        except DomainError as error:
            _show_on_form(form, error)
        else:
            if changed:
                flash(_("Your changes have been saved."), "success")
            return redirect(url_for("goals.goal", goal_id=goal.public_id))
    return render_template("goals/edit.html", form=form, goal=goal)


@bp.route("/<uuid:goal_id>/archive", methods=["GET", "POST"])
@learner_required
def archive(goal_id: uuid.UUID) -> str | Response:
    goal = my_goal_or_404(goal_id)
    if goal.status != GoalStatus.ACTIVE:
        return _not_active(goal)
    form = ArchiveGoalForm()
    if form.validate_on_submit():
        try:
            goals.archive_goal(goal, form.reason.data or "", other=form.reason_other.data, actor=current_user)
        except DomainError as error:
            _show_on_form(form, error)
        else:
            flash(
                _("“%(title)s” has been archived. You can still see it in your past goals.", title=goal.title),
                "success",
            )
            return redirect(url_for("goals.index"))
    return render_template("goals/archive.html", form=form, goal=goal)


def _not_active(goal: Goal) -> Response:
    flash(_("This goal is %(status)s, so it cannot be changed.", status=goal.status.label.lower()))
    return redirect(url_for("goals.goal", goal_id=goal.public_id))
