"""A learner's goals: the prison service's learning-plan model of a goal with a target date and ordered steps.

A goal is active, completed or archived (with a reason). Steps are not
started, in progress or done; a goal can be marked completed once every step
is done. Only active goals change. Codes are the prison service's own
(GoalStatus, StepStatus, ReasonToArchiveGoal); the words people read come from
the codes' `label`s, in their language.

Each action on a goal is one function here (`create_goal`,
`update_goal`, `set_step_status`, `complete_goal`, `archive_goal`): it checks
the request, makes the change, and writes its audit event (`learner.goal.*`)
in the caller's transaction, or raises a DomainError that says what to do
instead (and nothing is saved). None of them commits. The actor is the person
who acts (the learner, or staff), or None for a staff API client, which the
audit event then names.

Creating a goal is idempotent: the form carries a one-time id, made when the
form is shown, which becomes the goal's public id. Sending the same form twice
(a double click, or Back and send again) finds the goal already made instead
of making a second one; the unique public id settles a true race.
"""

from __future__ import annotations

import calendar
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import Goal, GoalStatus, GoalStep, StepStatus, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.models.plans import ARCHIVE_REASON_OTHER_MAX_LENGTH, ReasonToArchiveGoal
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import Conflict, InvalidInput, NotFound
from skillpath.services.locking import lock_learner

UK = ZoneInfo("Europe/London")
TITLE_MAX = 200
MAX_STEPS = 10
# Preset target dates, in months from today.
PRESET_MONTHS = (3, 6, 12)

_Code = TypeVar("_Code", bound=StrEnum)


class Labels(Mapping[_Code, str], Generic[_Code]):
    """The label of each code of an enum, read when asked for, so in the reader's language."""

    def __init__(self, codes: type[_Code]) -> None:
        self._codes = codes

    def __getitem__(self, code: _Code) -> str:
        return str(self._codes(code).label)  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[_Code]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)


STEP_LABELS: Labels[StepStatus] = Labels(StepStatus)
GOAL_LABELS: Labels[GoalStatus] = Labels(GoalStatus)
ARCHIVE_REASON_LABELS: Labels[ReasonToArchiveGoal] = Labels(ReasonToArchiveGoal)


def today_in_uk() -> date:
    return datetime.now(UK).date()


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or the last day of that month if it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def archive_reason_label(code: str | None, other: str | None = None) -> str:
    """Why a goal was archived, as the learner said it: the free text for "Other" when there is some."""
    if not code:
        return ""
    try:
        reason = ReasonToArchiveGoal(code)
    except ValueError:
        return code
    if reason == ReasonToArchiveGoal.OTHER and other:
        return other
    return reason.label


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


def find_goal_for_learner(learner: User, public_id: uuid.UUID) -> Goal | None:
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


def _audit(action: AuditAction, goal: Goal, actor: User | None, **detail: Any) -> None:
    # The goal's words are not copied into the log, which is never changed or deleted.
    learner = db.session.get(User, goal.learner_id)
    record_event(action, actor=actor, subject=learner, object_type="goal", object_id=goal.public_id, **detail)


def _touch(learner_id: int, actor: User | None) -> None:
    # A learner changing their own goal is activity: mentors' lists show when a learner last did something.
    if actor is None or actor.id != learner_id:
        return
    learner = db.session.get(User, learner_id)
    if learner is not None and learner.learner_profile is not None:
        learner.learner_profile.last_activity_at = utcnow()


def _check_title(title: str) -> None:
    if not title.strip():
        raise InvalidInput(_("Enter your goal"), field="title")
    if len(title.strip()) > TITLE_MAX:
        raise InvalidInput(_("Your goal must be %(max)d characters or fewer", max=TITLE_MAX), field="title")


def _check_steps(step_titles: Sequence[str]) -> None:
    if not step_titles:
        raise InvalidInput(_("Enter at least one step"), field="step_1")
    if len(step_titles) > MAX_STEPS:
        raise InvalidInput(_("A goal can have up to %(max)d steps", max=MAX_STEPS), field="step_1")
    if any(len(text) > TITLE_MAX for text in step_titles):
        raise InvalidInput(_("Each step must be %(max)d characters or fewer", max=TITLE_MAX), field="step_1")


def create_goal(
    learner: User,
    *,
    title: str,
    target_date: date | None,
    steps: Sequence[str],
    actor: User | None,
    submission_id: uuid.UUID | None = None,
) -> tuple[Goal, bool]:
    """Make a goal with its steps. Returns (goal, created); created is False when this form was already sent."""
    step_titles = [step.strip() for step in steps if step and step.strip()]
    _check_title(title)
    _check_steps(step_titles)
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
        created_by_id=actor.id if actor is not None else None,
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
    _touch(learner.id, actor)
    return goal, True


def update_goal(goal: Goal, *, title: str, target_date: date | None, actor: User | None) -> bool:
    """Change a goal's title or target date. Returns False (and records nothing) if nothing changed."""
    _check_active(goal)
    title = title.strip()
    _check_title(title)
    changed = [
        name
        for name, old, new in (("title", goal.title, title), ("target_date", goal.target_date, target_date))
        if old != new
    ]
    if not changed:
        return False
    goal.title, goal.target_date = title, target_date
    _audit(AuditAction.LEARNER_GOAL_UPDATED, goal, actor, changed=changed)
    _touch(goal.learner_id, actor)
    return True


def find_step(goal: Goal, position: int) -> GoalStep:
    """The goal's step at this position (1, 2, ...), or NotFound."""
    step = next((step for step in goal.steps if step.position == position), None)
    if step is None:
        raise NotFound(_("That step is not part of this goal"))
    return step


def set_step_status(goal: Goal, step: GoalStep, status: StepStatus, *, actor: User | None) -> bool:
    """Move a step to not started, in progress or done. Returns False when it already was (a double click)."""
    _check_active(goal)
    if step.goal_id != goal.id:
        raise NotFound(_("That step is not part of this goal"))
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
    _touch(goal.learner_id, actor)
    return True


def complete_goal(goal: Goal, *, actor: User | None) -> None:
    """Mark the goal as reached; every step must be done first."""
    _check_active(goal)
    if not is_ready_to_complete(goal):
        raise Conflict(_("Mark every step as done before you complete the goal"))
    goal.status = GoalStatus.COMPLETED
    _audit(AuditAction.LEARNER_GOAL_COMPLETED, goal, actor)
    _touch(goal.learner_id, actor)


def archive_goal(
    goal: Goal, reason: str | ReasonToArchiveGoal, *, actor: User | None, other: str | None = None
) -> None:
    """Stop working on a goal, for one of the prison service's reasons; "Other" needs a few words of why.

    The words are kept with the goal (the learner's own, shown to them and their mentor) but not copied into
    the audit log, which records only the reason's code.
    """
    _check_active(goal)
    try:
        code = ReasonToArchiveGoal(reason)
    except ValueError:
        raise InvalidInput(_("Choose why you are archiving this goal"), field="reason") from None
    other_text = (other or "").strip() if code == ReasonToArchiveGoal.OTHER else ""
    if code == ReasonToArchiveGoal.OTHER and not other_text:
        raise InvalidInput(_("Enter why you are archiving this goal"), field="reason_other")
    if len(other_text) > ARCHIVE_REASON_OTHER_MAX_LENGTH:
        raise InvalidInput(
            _("Your reason must be %(max)d characters or fewer", max=ARCHIVE_REASON_OTHER_MAX_LENGTH),
            field="reason_other",
        )
    goal.status = GoalStatus.ARCHIVED
    goal.archive_reason = code
    goal.archive_reason_other = other_text or None
    _audit(AuditAction.LEARNER_GOAL_ARCHIVED, goal, actor, reason=code.value)
    _touch(goal.learner_id, actor)


def _check_active(goal: Goal) -> None:
    # Every change to a goal starts here: hold the learner's record first, so two clicks change it once.
    lock_learner(goal.learner_id)
    if goal.status != GoalStatus.ACTIVE:
        raise Conflict(_("This goal is %(status)s, so it cannot be changed", status=goal.status.label.lower()))
