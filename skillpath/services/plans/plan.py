"""A learner's plan on paper: goals with their steps, modules with their status, and certificates with their codes.

For a learner who leaves with no device of their own. The page carries only what the learner can take anywhere:
their own words and achievements, never a member of staff's name, an establishment, a prison number or a date
that says where they were. So it is built here from plain values, not from the records (which know who signed
what off), and a template cannot reach anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from skillpath.models import Certificate, Goal, GoalStatus, StepStatus, User
from skillpath.services.certificates import certificates
from skillpath.services.plans import goals
from skillpath.services.progress import progress


@dataclass(frozen=True)
class PlanStep:
    title: str
    status: str
    is_done: bool


@dataclass(frozen=True)
class PlanGoal:
    title: str
    target_date: date | None
    steps: tuple[PlanStep, ...]

    @property
    def steps_done(self) -> int:
        return sum(1 for step in self.steps if step.is_done)


@dataclass(frozen=True)
class PlanModule:
    title: str
    status: str
    parts_done: int
    parts_total: int


@dataclass(frozen=True)
class PlanCertificate:
    achievement: str
    code: str
    issued_at: datetime
    # A hidden certificate is the learner's choice: an employer checking its code is told it does not exist.
    can_be_checked: bool


@dataclass(frozen=True)
class Plan:
    name: str
    job: str | None
    goals: tuple[PlanGoal, ...]
    completed_goals: tuple[str, ...]
    modules: tuple[PlanModule, ...]
    certificates: tuple[PlanCertificate, ...]
    printed_on: date


def _goal(goal: Goal) -> PlanGoal:
    return PlanGoal(
        title=goal.title,
        target_date=goal.target_date,
        steps=tuple(
            PlanStep(step.title, str(goals.STEP_LABELS[step.status]), step.status == StepStatus.COMPLETE)
            for step in goal.steps
        ),
    )


def _certificate(certificate: Certificate) -> PlanCertificate:
    return PlanCertificate(
        achievement=certificate.achievement_name,
        code=certificate.display_code,
        issued_at=certificate.issued_at,
        can_be_checked=not certificate.is_hidden,
    )


def get_plan(learner: User) -> Plan:
    """The learner's plan as it stands today. Withdrawn certificates and archived goals are left out."""
    profile = learner.learner_profile
    goal_lists = goals.list_goals(learner)
    held = [c for c in certificates.list_certificates(learner) if not c.is_revoked]
    target = profile.target_role_level if profile is not None else None
    return Plan(
        name=profile.preferred_name if profile is not None else learner.display_name,
        job=(target.plain_title or target.name) if target is not None else None,
        goals=tuple(_goal(goal) for goal in goal_lists.active),
        completed_goals=tuple(goal.title for goal in goal_lists.past if goal.status == GoalStatus.COMPLETED),
        modules=tuple(
            PlanModule(item.module.title, item.status.learner_label, item.units_done, item.units_total)
            for item in progress.list_module_progress(learner)
        ),
        certificates=tuple(_certificate(c) for c in held),
        printed_on=goals.today_in_uk(),
    )
