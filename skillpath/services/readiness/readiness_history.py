"""Readiness week by week: read from the stored periods for dashboards, or replayed from the logs.

Dashboards call `weekly_readiness_from_periods`, which reads `readiness_periods` (kept in step with
the logs by `services/readiness/read_models.py`) for the learners of some cohorts and adds them up
week by week: one query, and work in proportion to the periods read, not learners times weeks.

`weekly_readiness_of` is the rule those periods must agree with, kept as a replay of the logs
themselves (skill awards and barrier changes): for each week the learners' held skills and barriers
are replayed up to the end of that week and scored with the same rule as everywhere else
(`readiness.score_and_band`). Each learner is scored against their current target role level for
every week. A test holds the two to the same weeks.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import String, func, select, type_coerce

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierChange, ProgressEvent, ReadinessPeriod, SkillAward, SkillLevel, User
from skillpath.services.readiness.learner_state import required_skills
from skillpath.services.readiness.readiness import Band, ReadinessRules, credit, score_and_band
from skillpath.services.readiness.scope import LearnerSet, among, is_empty


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
    # Each required skill's credit, kept until a skill is awarded: most changes are to barriers.
    credits: list[float] | None = None

    def rescore(self, rules: ReadinessRules, has_target: bool) -> tuple[int, Band]:
        if self.dirty:
            if has_target:
                if self.credits is None:
                    self.credits = [credit(self.held.get(skill_id), level) for skill_id, level in self.required]
                resolved = sum(1 for value in self.resolved.values() if value)
                self.result = score_and_band(self.credits, resolved, len(Barrier), rules)
            else:
                self.result = (0, Band.NOT_STARTED)
            self.dirty = False
        return self.result


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_readiness_from_periods(
    learners: LearnerSet, *, weeks: int = 26, today: date | None = None, keep: Collection[int] | None = None
) -> list[Week]:
    """Learners per band, and the mean score, at the end of each of the last `weeks` weeks (oldest first),
    read from the stored readiness periods of these learners; only those in `keep`, if it is given.

    Each period adds one to its band, and its score to the total, from the first week it covers in the
    window to the week after its last: differences kept per week and summed once at the end.
    """
    today = today or datetime.now(UTC).date()
    first_week = _week_start(today) - timedelta(weeks=weeks - 1)
    after_window = first_week + timedelta(weeks=weeks)
    counts = {band: [0] * (weeks + 1) for band in Band}
    totals = [0] * (weeks + 1)
    if not is_empty(learners) and (keep is None or keep):
        # Read as plain rows on the connection (the ORM's row handling doubled the time), once anything
        # not yet written is, with the periods it changes.
        db.session.flush()
        window = (
            ReadinessPeriod.starts < after_window,
            (ReadinessPeriod.ends.is_(None)) | (ReadinessPeriod.ends > first_week),
        )
        connection = db.session.connection()
        runs: Sequence[Any]  # (starts, ends, band, learners, total score) for each run of weeks
        if keep is None:
            # Everyone in the set counts: the database adds up the learners whose periods start and end in
            # the same weeks, so a few hundred rows come back rather than one per learner and period.
            runs = connection.execute(
                select(
                    ReadinessPeriod.starts,
                    ReadinessPeriod.ends,
                    ReadinessPeriod.band,
                    func.count(),
                    func.sum(ReadinessPeriod.score),
                )
                .where(among(ReadinessPeriod.learner_id, learners), *window)
                .group_by(ReadinessPeriod.starts, ReadinessPeriod.ends, ReadinessPeriod.band)
            ).all()
        else:
            kept = set(keep)
            runs = [
                (starts, ends, band, 1, score)
                for learner_id, starts, ends, score, band in connection.execute(
                    select(
                        ReadinessPeriod.learner_id,
                        ReadinessPeriod.starts,
                        ReadinessPeriod.ends,
                        ReadinessPeriod.score,
                        ReadinessPeriod.band,
                    ).where(among(ReadinessPeriod.learner_id, learners), *window)
                ).all()
                if learner_id in kept
            ]
        bands = {band.value: band for band in Band}
        for starts, ends, band, learners_in_run, score in runs:
            begin = max(0, (starts - first_week).days // 7)
            end = weeks if ends is None else min(weeks, (ends - first_week).days // 7)
            if begin >= end:
                continue
            column = counts[bands[band]]
            column[begin] += learners_in_run
            column[end] -= learners_in_run
            totals[begin] += int(score)
            totals[end] -= int(score)
    result = []
    running = dict.fromkeys(Band, 0)
    total = 0
    for index in range(weeks):
        for band in Band:
            running[band] += counts[band][index]
        total += totals[index]
        present = sum(running.values())
        result.append(Week(first_week + timedelta(weeks=index), dict(running), total / present if present else 0.0))
    return result


def weekly_readiness(
    learners: Collection[User], config: Mapping[str, object], *, weeks: int = 26, today: date | None = None
) -> list[Week]:
    """Learners per band, and the mean score, at the end of each of the last `weeks` weeks (oldest first)."""
    people = [(u.id, u.learner_profile.target_role_level_id, u.created_at) for u in learners if u.learner_profile]
    return weekly_readiness_of(people, config, weeks=weeks, today=today)


def weekly_readiness_of(
    people: Collection[tuple[int, int | None, datetime]],
    config: Mapping[str, object],
    *,
    weeks: int = 26,
    today: date | None = None,
) -> list[Week]:
    """`weekly_readiness` for learners given as plain (id, target role level id, account created) tuples.

    Dashboards read thousands of learners as plain rows rather than objects, and call this.
    """
    today = today or datetime.now(UTC).date()
    first_week = _week_start(today) - timedelta(weeks=weeks - 1)
    ends = [datetime.combine(first_week + timedelta(weeks=i + 1), time.min, tzinfo=UTC) for i in range(weeks)]
    rules = ReadinessRules.from_config(config)
    targets = {learner_id: target for learner_id, target, _ in people}
    required = required_skills({t for t in targets.values() if t is not None})
    states = {
        learner_id: _LearnerState([(r.skill_id, r.level) for r in required.get(target, [])] if target else [])
        for learner_id, target in targets.items()
    }
    first_seen = _first_seen({learner_id: created_at for learner_id, _, created_at in people})
    events = _merged_events(list(states), until=ends[-1])

    # The counts are kept running from week to week: each week only the learners who arrived or
    # had something happen are rescored and moved between bands, not the whole establishment.
    arrivals = sorted((seen, learner_id) for learner_id, seen in first_seen.items() if learner_id in states)
    counted: dict[int, tuple[int, Band]] = {}
    counts = dict.fromkeys(Band, 0)
    total = 0
    result = []
    position = arrived = 0
    for index, end in enumerate(ends):
        touched = set()
        while position < len(events) and events[position][0] < end:
            _apply(states, events[position])
            touched.add(events[position][1])
            position += 1
        while arrived < len(arrivals) and arrivals[arrived][0] < end:
            touched.add(arrivals[arrived][1])
            arrived += 1
        for learner_id in touched:
            if first_seen[learner_id] >= end:
                continue
            score, band = states[learner_id].rescore(rules, targets[learner_id] is not None)
            previous = counted.get(learner_id)
            if previous is not None:
                total -= previous[0]
                counts[previous[1]] -= 1
            counted[learner_id] = (score, band)
            total += score
            counts[band] += 1
        present = len(counted)
        result.append(Week(first_week + timedelta(weeks=index), dict(counts), total / present if present else 0.0))
    return result


def _first_seen(created: Mapping[int, datetime]) -> dict[int, datetime]:
    """When each learner first appears: their account, or their first logged event if earlier."""
    seen = dict(created)
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
    """Skill awards and barrier changes of these learners, oldest first, as plain tuples.

    An establishment has tens of thousands of barrier changes, so they are read as plain rows
    (Core, with the barrier code as text and "resolved" worked out by the database) rather than
    through the ORM and the enum column type, which cost more than the rest of the replay.
    """
    if not learner_ids:
        return []
    connection = db.session.connection()
    awards = connection.execute(
        select(SkillAward.awarded_at, SkillAward.learner_id, SkillAward.skill_id, SkillAward.level).where(
            SkillAward.learner_id.in_(learner_ids), SkillAward.awarded_at < until
        )
    )
    resolved = BarrierChange.already_in_place | (type_coerce(BarrierChange.status, String) == "COMPLETED")
    changes = connection.execute(
        select(
            BarrierChange.changed_at,
            BarrierChange.learner_id,
            type_coerce(BarrierChange.barrier, String),
            resolved,
        ).where(BarrierChange.learner_id.in_(learner_ids), BarrierChange.changed_at < until)
    )
    # .all() fetches the rows in one go: iterating fetches them one at a time, which costs more here.
    merged: list[_Event] = [
        (at, learner_id, "award", skill_id, level) for at, learner_id, skill_id, level in awards.all()
    ]
    merged += [(at, learner_id, "barrier", _BARRIERS[code], bool(done)) for at, learner_id, code, done in changes.all()]
    merged.sort(key=lambda event: event[0])
    return merged


_BARRIERS = {barrier.value: barrier for barrier in Barrier}


def _apply(states: dict[int, _LearnerState], event: _Event) -> None:
    _, learner_id, kind, key, value = event
    state = states[learner_id]
    if kind == "award":
        assert isinstance(key, int) and isinstance(value, SkillLevel)
        current = state.held.get(key)
        if current is None or value.rank > current.rank:
            state.held[key] = value
            state.credits = None
            state.dirty = True
    else:
        assert isinstance(key, Barrier)
        if state.resolved.get(key, False) != bool(value):  # a change that leaves it (un)resolved changes no score
            state.resolved[key] = bool(value)
            state.dirty = True
