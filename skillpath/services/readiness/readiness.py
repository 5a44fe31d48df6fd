"""Readiness for work, worked out and explained.

A pure function: it takes the skills a target role level requires, the skill
levels a learner holds (from signed-off modules) and their barriers-to-work
checklist, and returns a score from 0 to 100, a band and the list of what is
missing, each with its reason and the points it costs. No database, no Flask:
routes, dashboards and charts all call this and never recompute it.

The rule, with its weights and thresholds from configuration:

- Skills: each required skill is worth the same. A skill held at or above the
  required level earns its full share; held below, it earns held/required of it
  (partial credit: "working" against "practitioner" is 2/3); not held, nothing.
- Barriers: each item on the checklist is worth the same; done or already in
  place earns it.
- score = 100 x (skill weight x skills share + barrier weight x barriers share).
- Band: 0 is "Not started"; below the nearly-ready threshold "Building skills";
  below the ready threshold "Nearly ready"; else "Ready for work" — but never
  "Ready for work" while any required skill is below its level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from skillpath.i18n import _, _l
from skillpath.models.catalogue import SkillLevel
from skillpath.models.work_readiness import Barrier, BarrierStatus


class Band(StrEnum):
    NOT_STARTED = "Not started"
    BUILDING = "Building skills"
    NEARLY_READY = "Nearly ready"
    READY = "Ready for work"

    @property
    def order(self) -> int:
        return list(Band).index(self)

    @property
    def label(self) -> str:
        """The words a person reads, in their language. (The value is still the English name, which the CSV
        exports carry; compare and key by member, never by the words.)"""
        return str(BAND_LABELS[self.name])


BAND_LABELS = {
    "NOT_STARTED": _l("Not started"),
    "BUILDING": _l("Building skills"),
    "NEARLY_READY": _l("Nearly ready"),
    "READY": _l("Ready for work"),
}


@dataclass(frozen=True)
class ReadinessRules:
    skill_weight: float = 0.8
    barrier_weight: float = 0.2
    nearly_ready_from: int = 60
    ready_from: int = 85

    def __post_init__(self) -> None:
        if abs(self.skill_weight + self.barrier_weight - 1) > 1e-9:
            raise ValueError("The skill and barrier weights must add up to 1")
        if not 0 < self.nearly_ready_from < self.ready_from <= 100:
            raise ValueError("Thresholds must satisfy 0 < nearly ready < ready <= 100")

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> ReadinessRules:
        def number(key: str, default: float) -> float:
            return float(config.get(key, default))  # type: ignore[arg-type]

        return cls(
            skill_weight=number("READINESS_SKILL_WEIGHT", cls.skill_weight),
            barrier_weight=number("READINESS_BARRIER_WEIGHT", cls.barrier_weight),
            nearly_ready_from=int(number("READINESS_NEARLY_READY_FROM", cls.nearly_ready_from)),
            ready_from=int(number("READINESS_READY_FROM", cls.ready_from)),
        )


@dataclass(frozen=True)
class RequiredSkill:
    skill_id: int
    name: str
    level: SkillLevel


ALREADY_IN_PLACE = "ALREADY_IN_PLACE"


@dataclass(frozen=True)
class BarrierState:
    barrier: Barrier
    resolved: bool
    # A BarrierStatus code, or ALREADY_IN_PLACE.
    status: str = "NOT_STARTED"

    @property
    def status_label(self) -> str:
        """Where things are, in words: "Not started", "In progress", "Done" or "Already in place"."""
        if self.status == ALREADY_IN_PLACE:
            return str(_l("Already in place"))
        return BarrierStatus(self.status).label


@dataclass(frozen=True, slots=True)
class SkillGap:
    skill_id: int
    name: str
    required: SkillLevel
    held: SkillLevel | None

    @property
    def credit(self) -> float:
        """The share of this skill's points earned, from 0 to 1."""
        return credit(self.held, self.required)

    @property
    def is_met(self) -> bool:
        return self.credit >= 1.0


@dataclass(frozen=True)
class Missing:
    """One thing still missing, why, and how many points of the score it costs."""

    kind: str  # "role", "skill" or "barrier"
    name: str
    reason: str
    points: float


@dataclass(frozen=True)
class Readiness:
    score: int
    band: Band
    skills_share: float
    barriers_share: float
    skills: tuple[SkillGap, ...]
    open_barriers: tuple[BarrierState, ...] = ()
    points_per_skill: float = 0.0
    points_per_barrier: float = 0.0
    has_target: bool = True

    @cached_property
    def missing(self) -> tuple[Missing, ...]:
        """What is still missing, the biggest gain first. Worked out only when asked for:
        dashboards score thousands of learners and need only the score and band."""
        if not self.has_target:
            return (
                Missing(
                    "role",
                    _("A job to work towards"),
                    _("Choose the job you want, so we can show what to learn."),
                    100.0,
                ),
            )
        items = [
            Missing("skill", gap.name, _skill_reason(gap), self.points_per_skill * (1 - gap.credit))
            for gap in self.skills
            if not gap.is_met
        ] + [
            Missing(
                "barrier",
                s.barrier.label,
                _("%(barrier)s: %(status)s.", barrier=s.barrier.label, status=s.status_label.lower()),
                self.points_per_barrier,
            )
            for s in self.open_barriers
        ]
        items.sort(key=lambda item: (-item.points, item.kind != "skill", item.name))
        return tuple(items)

    @property
    def top_missing(self) -> tuple[Missing, ...]:
        return self.missing[:3]

    @property
    def skills_met(self) -> int:
        return sum(1 for gap in self.skills if gap.is_met)


def _skill_reason(gap: SkillGap) -> str:
    if gap.held is None:
        return _(
            "You need this skill at %(needed)s level. No module showing it has been signed off yet.",
            needed=gap.required.value,
        )
    return _(
        "You need this skill at %(needed)s level. You have shown it at %(shown)s level.",
        needed=gap.required.value,
        shown=gap.held.value,
    )


def assess(
    required: Iterable[RequiredSkill],
    held: Mapping[int, SkillLevel],
    barriers: Iterable[BarrierState],
    rules: ReadinessRules | None = None,
    *,
    has_target: bool = True,
) -> Readiness:
    """Score a learner's readiness for their target role level and explain what is missing."""
    if not has_target:
        return Readiness(0, Band.NOT_STARTED, 0.0, 0.0, (), has_target=False)
    rules = rules or ReadinessRules()
    gaps = tuple(_gap(skill, held) for skill in sorted(required, key=_by_name))
    states = {state.barrier: state for state in barriers}
    barrier_list = [states.get(b) or _UNTOUCHED[b] for b in _CHECKLIST]

    resolved = sum(1 for s in barrier_list if s.resolved)
    credits = [credit(gap.held, gap.required) for gap in gaps]
    score, band = score_and_band(credits, resolved, len(barrier_list), rules)
    return Readiness(
        score,
        band,
        skills_share=sum(credits) / len(credits) if credits else 1.0,
        barriers_share=resolved / len(barrier_list),
        skills=gaps,
        open_barriers=tuple(s for s in barrier_list if not s.resolved),
        points_per_skill=100 * rules.skill_weight / len(gaps) if gaps else 0.0,
        points_per_barrier=100 * rules.barrier_weight / len(barrier_list),
    )


# Dashboards assess thousands of learners a page: the checklist's order and its untouched items are made once.
_CHECKLIST = tuple(Barrier)
_UNTOUCHED = {barrier: BarrierState(barrier, resolved=False) for barrier in Barrier}


def _by_name(skill: RequiredSkill) -> str:
    return skill.name


def _gap(skill: RequiredSkill, held: Mapping[int, SkillLevel]) -> SkillGap:
    return SkillGap(skill.skill_id, skill.name, skill.level, held.get(skill.skill_id))


def score_and_band(
    credits: list[float], barriers_resolved: int, barriers_total: int, rules: ReadinessRules
) -> tuple[int, Band]:
    """The score and band alone, from each required skill's credit (0 to 1) and the barrier counts.

    `assess` uses this, and so do charts that score thousands of learner-weeks,
    so the rule is written once.
    """
    skills_share = sum(credits) / len(credits) if credits else 1.0
    barriers_share = barriers_resolved / barriers_total if barriers_total else 1.0
    score = round(100 * (rules.skill_weight * skills_share + rules.barrier_weight * barriers_share))
    if score <= 0:
        return score, Band.NOT_STARTED
    if score < rules.nearly_ready_from:
        return score, Band.BUILDING
    if score < rules.ready_from or any(credit < 1.0 for credit in credits):
        return score, Band.NEARLY_READY
    return score, Band.READY


def credit(held: SkillLevel | None, required: SkillLevel) -> float:
    """The share of a required skill's points earned by the level held."""
    return 0.0 if held is None else min(held.rank / required.rank, 1.0)
