"""A learner's goals: the prison service's learning-plan model of a goal with a target date and ordered steps.

A goal is active, completed or archived (with a reason). Steps are not
started, in progress or done; a goal can be marked completed once every step
is done. Only active goals change. Every change writes an audit event
(`learner.goal.*`) in the caller's transaction.

Creating a goal is idempotent: the form carries a one-time id, made when the
form is shown, which becomes the goal's public id. Sending the same form twice
(a double click, or Back and send again) finds the goal already made instead
of making a second one; the unique public id settles a true race.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import Goal, GoalStatus, GoalStep, StepStatus, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.locking import lock_learner

UK = ZoneInfo("Europe/London")
TITLE_MAX = 200
MAX_STEPS = 10

STEP_LABELS = {StepStatus.NOT_STARTED: "Not started", StepStatus.ACTIVE: "In progress", StepStatus.COMPLETE: "Done"}
GOAL_LABELS = {GoalStatus.ACTIVE: "In progress", GoalStatus.COMPLETED: "Completed", GoalStatus.ARCHIVED: "Archived"}
# Why a learner archived a goal: short, plain answers, stored as codes.
ARCHIVE_REASONS = {
    "NO_LONGER_WANTED": "I no longer want this goal",
    "SOMETHING_CHANGED": "Something changed",
    "OTHER": "Other",
}
# Preset target dates, in months from today.
PRESET_MONTHS = (3, 6, 12)


class GoalError(ValueError):
    """A change that cannot be made to a goal, with a message for the learner."""


def today_in_uk() -> date:
    return datetime.now(UK).date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the last day of that month if it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def archive_reason_label(code: str | None) -> str:
    return ARCHIVE_REASONS.get(code or "", code or "")


@dataclass(frozen=True)
class GoalLists:
    active: list[Goal]
    past: list[Goal]


def list_goals(learner: User) -> GoalLists:
    """The learner's goals with their steps, in two queries: active ones by target date, then past ones."""
    goals = list(
        db.session.scalars(
            select(Goal)
            .where(Goal.learner_id == learner.id)
            .options(selectinload(Goal.steps))
            .order_by(Goal.created_at.desc(), Goal.id.desc())
        )
    )
    active = [goal for goal in goals if goal.status == GoalStatus.ACTIVE]
    active.sort(key=lambda goal: goal.target_date or date.max)
    past = sorted(
        (goal for goal in goals if goal.status != GoalStatus.ACTIVE), key=lambda goal: goal.updated_at, reverse=True
    )
    return GoalLists(active=active, past=past)


def get_goal(learner: User, public_id: uuid.UUID) -> Goal | None:
    """The learner's own goal with this public id; another learner's goal is None, as if it did not exist."""
    return db.session.scalar(
        select(Goal).where(Goal.public_id == public_id, Goal.learner_id == learner.id).options(selectinload(Goal.steps))
    )


def is_ready_to_complete(goal: Goal) -> bool:
    return (
        goal.status == GoalStatus.ACTIVE
        and bool(goal.steps)
        and all(step.status == StepStatus.COMPLETE for step in goal.steps)
    )


def _audit(action: AuditAction, goal: Goal, actor: User, **detail: Any) -> None:
    # The goal's words are not copied into the log, which is never changed or deleted.
    learner = db.session.get(User, goal.learner_id)
    record_event(action, actor=actor, subject=learner, object_type="goal", object_id=goal.public_id, **detail)


def create_goal(
    learner: User,
    *,
    title: str,
    target_date: date | None,
    steps: Sequence[str],
    actor: User,
    submission_id: uuid.UUID | None = None,
) -> tuple[Goal, bool]:
    """Make a goal with its steps. Returns (goal, created); created is False when this form was already sent."""
    step_titles = [step.strip() for step in steps if step and step.strip()]
    if not title.strip():
        raise GoalError("Enter your goal")
    if not step_titles:
        raise GoalError("Enter at least one step")
    lock_learner(learner)
    if submission_id is not None:
        existing = db.session.scalar(select(Goal).where(Goal.public_id == submission_id))
        if existing is not None and existing.learner_id == learner.id:
            return existing, False
        if existing is not None:  # someone else's id: never reveal it, just make a fresh one
            submission_id = None
    goal = Goal(
        public_id=submission_id or uuid.uuid4(),
        learner_id=learner.id,
        title=title.strip(),
        target_date=target_date,
        status=GoalStatus.ACTIVE,
        created_by_id=actor.id,
        steps=[
            GoalStep(position=n, title=text, status=StepStatus.NOT_STARTED) for n, text in enumerate(step_titles, 1)
        ],
    )
    try:
        with db.session.begin_nested():
            db.session.add(goal)
    except IntegrityError:
        # The same form, sent twice at once: the other request made the goal.
        existing = db.session.scalar(select(Goal).where(Goal.public_id == submission_id))
        if existing is None or existing.learner_id != learner.id:
            raise
        return existing, False
    _audit(AuditAction.LEARNER_GOAL_CREATED, goal, actor, steps=len(step_titles))
    return goal, True


def update_goal(goal: Goal, *, title: str, target_date: date | None, actor: User) -> bool:
    """Change a goal's title or target date. Returns False (and records nothing) if nothing changed."""
    _check_active(goal)
    title = title.strip()
    if not title:
        raise GoalError("Enter your goal")
    changed = [
        name
        for name, old, new in (("title", goal.title, title), ("target_date", goal.target_date, target_date))
        if old != new
    ]
    if not changed:
        return False
    goal.title, goal.target_date = title, target_date
    _audit(AuditAction.LEARNER_GOAL_UPDATED, goal, actor, changed=changed)
    return True


def set_step_status(goal: Goal, step: GoalStep, status: StepStatus, *, actor: User) -> bool:
    """Move a step to not started, in progress or done. Returns False when it already was (a double click)."""
    _check_active(goal)
    if step.goal_id != goal.id:
        raise GoalError("That step is not part of this goal")
    if step.status == status:
        return False
    previous = step.status
    step.status = status
    goal.updated_at = utcnow()  # a step's change is a change to its goal
    _audit(
        AuditAction.LEARNER_GOAL_STEP_UPDATED,
        goal,
        actor,
        step=step.position,
        status=status.value,
        previous=previous.value,
    )
    return True


def complete_goal(goal: Goal, *, actor: User) -> None:
    _check_active(goal)
    if not is_ready_to_complete(goal):
        raise GoalError("Mark every step as done before you complete the goal")
    goal.status = GoalStatus.COMPLETED
    _audit(AuditAction.LEARNER_GOAL_COMPLETED, goal, actor)


def archive_goal(goal: Goal, reason: str, *, actor: User) -> None:
    _check_active(goal)
    if reason not in ARCHIVE_REASONS:
        raise GoalError("Choose why you are archiving this goal")
    goal.status = GoalStatus.ARCHIVED
    goal.archive_reason = reason
    _audit(AuditAction.LEARNER_GOAL_ARCHIVED, goal, actor, reason=reason)


def _check_active(goal: Goal) -> None:
    # Every change to a goal starts here: hold the learner's record first, so two clicks change it once.
    lock_learner(goal.learner_id)
    if goal.status != GoalStatus.ACTIVE:
        raise GoalError(f"This goal is {GOAL_LABELS[goal.status].lower()}, so it cannot be changed")
