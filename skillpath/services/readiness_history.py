"""Readiness week by week, recomputed from the logs (skill awards and barrier changes), never from snapshots.

For each week the learners' held skills and barriers are replayed up to the
end of that week and scored with the same rule as everywhere else
(`readiness.score_and_band`). Each learner is scored against their current
target role level for every week. Queries are fixed in number, whatever the
number of learners; learners are rescored only in weeks when something
changed for them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierChange, ProgressEvent, SkillAward, SkillLevel, User
from skillpath.services.learner_state import required_skills
from skillpath.services.readiness import Band, ReadinessRules, credit, score_and_band


@dataclass(frozen=True)
class Week:
    starts: date
    counts: dict[Band, int]
    mean_score: float

    @property
    def learners(self) -> int:
        return sum(self.counts.values())


@dataclass
class _LearnerState:
    required: list[tuple[int, SkillLevel]]
    held: dict[int, SkillLevel] = field(default_factory=dict)
    resolved: dict[Barrier, bool] = field(default_factory=dict)
    result: tuple[int, Band] = (0, Band.NOT_STARTED)
    dirty: bool = True

    def rescore(self, rules: ReadinessRules, has_target: bool) -> tuple[int, Band]:
        if self.dirty:
            if has_target:
                credits = [credit(self.held.get(skill_id), level) for skill_id, level in self.required]
                resolved = sum(1 for value in self.resolved.values() if value)
                self.result = score_and_band(credits, resolved, len(Barrier), rules)
            else:
                self.result = (0, Band.NOT_STARTED)
            self.dirty = False
        return self.result


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_readiness(
    learners: Collection[User], config: Mapping[str, object], *, weeks: int = 26, today: date | None = None
) -> list[Week]:
    """Learners per band, and the mean score, at the end of each of the last `weeks` weeks (oldest first)."""
    today = today or datetime.now(UTC).date()
    first_week = _week_start(today) - timedelta(weeks=weeks - 1)
    ends = [datetime.combine(first_week + timedelta(weeks=i + 1), time.min, tzinfo=UTC) for i in range(weeks)]
    rules = ReadinessRules.from_config(config)
    targets = {u.id: u.learner_profile.target_role_level_id for u in learners if u.learner_profile is not None}
    required = required_skills({t for t in targets.values() if t is not None})
    states = {
        learner_id: _LearnerState([(r.skill_id, r.level) for r in required.get(target, [])] if target else [])
        for learner_id, target in targets.items()
    }
    first_seen = _first_seen(learners)
    events = _merged_events(list(states), until=ends[-1])

    result = []
    position = 0
    for index, end in enumerate(ends):
        while position < len(events) and events[position][0] < end:
            _apply(states, events[position])
            position += 1
        counts = dict.fromkeys(Band, 0)
        total = 0
        for learner_id, state in states.items():
            seen = first_seen.get(learner_id)
            if seen is None or seen >= end:
                continue
            score, band = state.rescore(rules, targets[learner_id] is not None)
            counts[band] += 1
            total += score
        present = sum(counts.values())
        result.append(Week(first_week + timedelta(weeks=index), counts, total / present if present else 0.0))
    return result


def _first_seen(learners: Collection[User]) -> dict[int, datetime]:
    """When each learner first appears: their account, or their first logged event if earlier."""
    seen = {u.id: u.created_at for u in learners}
    rows = db.session.execute(
        select(ProgressEvent.learner_id, func.min(ProgressEvent.occurred_at))
        .where(ProgressEvent.learner_id.in_(list(seen)))
        .group_by(ProgressEvent.learner_id)
    )
    for learner_id, earliest in rows:
        if earliest is not None:
            earliest = earliest if earliest.tzinfo else earliest.replace(tzinfo=UTC)
            seen[learner_id] = min(seen[learner_id], earliest)
    return seen


_Event = tuple[datetime, int, str, object, object]


def _merged_events(learner_ids: list[int], *, until: datetime) -> list[_Event]:
    """Skill awards and barrier changes of these learners, oldest first, as plain tuples."""
    if not learner_ids:
        return []
    awards = db.session.execute(
        select(SkillAward.awarded_at, SkillAward.learner_id, SkillAward.skill_id, SkillAward.level).where(
            SkillAward.learner_id.in_(learner_ids), SkillAward.awarded_at < until
        )
    )
    changes = db.session.execute(
        select(
            BarrierChange.changed_at,
            BarrierChange.learner_id,
            BarrierChange.barrier,
            BarrierChange.status,
            BarrierChange.already_in_place,
        ).where(BarrierChange.learner_id.in_(learner_ids), BarrierChange.changed_at < until)
    )
    merged: list[_Event] = [(at, learner_id, "award", skill_id, level) for at, learner_id, skill_id, level in awards]
    merged += [
        (at, learner_id, "barrier", barrier, already or status.value == "COMPLETED")
        for at, learner_id, barrier, status, already in changes
    ]
    merged.sort(key=lambda event: event[0])
    return merged


def _apply(states: dict[int, _LearnerState], event: _Event) -> None:
    _, learner_id, kind, key, value = event
    state = states[learner_id]
    if kind == "award":
        assert isinstance(key, int) and isinstance(value, SkillLevel)
        current = state.held.get(key)
        if current is None or value.rank > current.rank:
            state.held[key] = value
            state.dirty = True
    else:
        assert isinstance(key, Barrier)
        state.resolved[key] = bool(value)
        state.dirty = True
