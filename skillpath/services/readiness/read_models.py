"""Keeping the read models (`models/read_models.py`) in step with the logs they are worked out from.

Dashboards read a learner's readiness week by week, and the state of each of their modules, from two
small tables instead of replaying every award, barrier change and progress event on every view. Those
tables are only ever written here, in two ways that must give the same rows:

- **On write.** A listener on every SQLAlchemy session notes the learners whose logs a flush touched
  (skill awards, barrier changes, progress events, evidence, enrolments, a new learner profile or a
  changed target role level) and works their rows out again before that flush returns, on the same
  connection: the rows commit or roll back with the change that made them stale, and anything read
  later in the same transaction already sees them. A flush that touches none of those costs a glance
  at the session's lists.
- **From scratch.** `rebuild_all` (``flask read-models rebuild``) works out every learner's rows from the
  logs alone; `check_all` (``flask read-models check``) says whose stored rows differ from that.

Bulk statements (`delete(...)`, `update(...)`) bypass the listener: code that issues them over these
logs deletes or refreshes the read-model rows itself (see `services/learners/account_closure.py`).
What the rows depend on beyond one learner's logs, the readiness settings (READINESS_*) and the skills
each role level needs, changes only with a deployment or a catalogue import: rebuild after either.

The rules, for a learner with a profile:

- A *week* starts on a Monday (UTC) and is scored as it stood at its end, the next Monday 00:00 UTC,
  with every award and barrier change logged before then, against the learner's *current* target role
  level (`readiness.score_and_band`), exactly as `readiness_history.weekly_readiness_of` replays it.
- The first week is the one in which the learner first appears: their account was made, or their
  earliest progress event, whichever is earlier. A period runs over weeks with the same score and band;
  it ends on the Monday of the first week that differs, and the last period has no end.
- Each enrolment's state is `progress.derive_progress` over its events (oldest first, ties by id) and
  its evidence not removed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import Connection, String, delete, event, func, insert, inspect, select, type_coerce
from sqlalchemy.orm import InstanceState, Session, UOWTransaction

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierChange,
    Enrolment,
    EnrolmentState,
    Evidence,
    LearnerProfile,
    ModuleUnit,
    ProgressEvent,
    ProgressKind,
    ReadinessPeriod,
    RoleLevelSkill,
    SkillAward,
    SkillLevel,
    User,
)
from skillpath.services.progress.progress import derive_progress
from skillpath.services.readiness.readiness import Band, ReadinessRules, credit, score_and_band

BATCH_SIZE = 500
_PENDING = "skillpath.read_models.pending"
_REFRESHING = "skillpath.read_models.refreshing"

RulesProvider = Callable[[], ReadinessRules]
_rules_provider: RulesProvider | None = None


# --- What the tables hold ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """One row of `readiness_periods`, as plain values."""

    learner_id: int
    starts: date
    ends: date | None
    score: int
    band: Band


@dataclass(frozen=True, slots=True)
class State:
    """One row of `enrolment_states`, as plain values."""

    enrolment_id: int
    learner_id: int
    module_id: int
    status: str
    units_done: int
    evidence_count: int
    last_activity_at: datetime | None


@dataclass(frozen=True)
class Rows:
    """Everything the read models hold for some learners."""

    periods: dict[int, list[Period]]
    states: dict[int, list[State]]

    def of(self, learner_id: int) -> tuple[list[Period], list[State]]:
        return self.periods.get(learner_id, []), self.states.get(learner_id, [])


# --- Working the rows out from the logs ----------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _week_of(moment: datetime) -> date:
    return week_start(_utc(moment).date())


_Event = tuple[datetime, str, object, object]  # (when, "award" or "barrier", skill id or barrier, level or resolved)
_BARRIERS = {barrier.value: barrier for barrier in Barrier}


def replay_periods(
    learner_id: int,
    first_seen: datetime,
    events: Sequence[_Event],
    required: Sequence[tuple[int, SkillLevel]] | None,
    rules: ReadinessRules,
) -> list[Period]:
    """One learner's periods from their awards and barrier changes (oldest first); `required` None: no target.

    Only the weeks in which something happened are scored: in the others nothing can have changed.
    """
    held: dict[int, SkillLevel] = {}
    resolved: dict[Barrier, bool] = {}

    def score() -> tuple[int, Band]:
        if required is None:
            return 0, Band.NOT_STARTED
        credits = [credit(held.get(skill_id), level) for skill_id, level in required]
        return score_and_band(credits, sum(1 for value in resolved.values() if value), len(Barrier), rules)

    def apply(kind: str, key: object, value: object) -> None:
        if kind == "award":
            assert isinstance(key, int) and isinstance(value, SkillLevel)
            current = held.get(key)
            if current is None or value.rank > current.rank:
                held[key] = value
        else:
            assert isinstance(key, Barrier)
            resolved[key] = bool(value)

    first_week = _week_of(first_seen)
    position = 0
    # Everything up to the end of the first week counts towards it, however long before it was logged.
    first_end = datetime.combine(first_week + timedelta(weeks=1), time.min, tzinfo=UTC)
    while position < len(events) and events[position][0] < first_end:
        apply(*events[position][1:])
        position += 1
    starts, current = first_week, score()
    periods: list[Period] = []
    while position < len(events):
        week = _week_of(events[position][0])
        while position < len(events) and _week_of(events[position][0]) == week:
            apply(*events[position][1:])
            position += 1
        now = score()
        if now != current:
            periods.append(Period(learner_id, starts, week, current[0], current[1]))
            starts, current = week, now
    periods.append(Period(learner_id, starts, None, current[0], current[1]))
    return periods


@dataclass(frozen=True)
class _UnitView:
    id: int


@dataclass(frozen=True)
class _ModuleView:
    """The part of a Module that `derive_progress` reads (its units), without loading ORM objects in a flush."""

    units: tuple[_UnitView, ...]


@dataclass(frozen=True)
class _EnrolmentView:
    id: int
    learner_id: int
    module_id: int
    module: _ModuleView


@dataclass(frozen=True, slots=True)
class _LoggedEvent:
    """The fields of a ProgressEvent that `derive_progress` reads."""

    kind: ProgressKind
    unit_id: int | None
    note: str | None
    occurred_at: datetime


def compute(connection: Connection, learner_ids: Collection[int], rules: ReadinessRules) -> Rows:
    """The read-model rows of these learners (at most a batch of them), from the logs, in a fixed number of
    queries whatever their number. Learners without a profile (or unknown) get none."""
    ids = list(learner_ids)
    if not ids:
        return Rows({}, {})
    people = connection.execute(
        select(LearnerProfile.user_id, LearnerProfile.target_role_level_id, User.created_at)
        .join(User, User.id == LearnerProfile.user_id)
        .where(LearnerProfile.user_id.in_(ids))
    ).all()
    present = [row[0] for row in people]
    if not present:
        return Rows({}, {})
    return Rows(_compute_periods(connection, people, rules), _compute_states(connection, present))


def _compute_periods(connection: Connection, people: Sequence[Any], rules: ReadinessRules) -> dict[int, list[Period]]:
    ids = [learner_id for learner_id, _, _ in people]
    first_seen = {learner_id: _utc(created) for learner_id, _, created in people}
    earliest = select(ProgressEvent.learner_id, func.min(ProgressEvent.occurred_at)).where(
        ProgressEvent.learner_id.in_(ids)
    )
    for learner_id, at in connection.execute(earliest.group_by(ProgressEvent.learner_id)).all():
        if at is not None:
            first_seen[learner_id] = min(first_seen[learner_id], _utc(at))
    targets = {target for _, target, _ in people if target is not None}
    required: dict[int, list[tuple[int, SkillLevel]]] = defaultdict(list)
    if targets:
        for level_id, skill_id, level in connection.execute(
            select(RoleLevelSkill.role_level_id, RoleLevelSkill.skill_id, RoleLevelSkill.level).where(
                RoleLevelSkill.role_level_id.in_(targets)
            )
        ).all():
            required[level_id].append((skill_id, level))
    events: dict[int, list[_Event]] = defaultdict(list)
    for learner_id, at, skill_id, level in connection.execute(
        select(SkillAward.learner_id, SkillAward.awarded_at, SkillAward.skill_id, SkillAward.level)
        .where(SkillAward.learner_id.in_(ids))
        .order_by(SkillAward.id)
    ).all():
        events[learner_id].append((_utc(at), "award", skill_id, level))
    is_resolved = BarrierChange.already_in_place | (type_coerce(BarrierChange.status, String) == "COMPLETED")
    for learner_id, at, code, done in connection.execute(
        select(
            BarrierChange.learner_id, BarrierChange.changed_at, type_coerce(BarrierChange.barrier, String), is_resolved
        )
        .where(BarrierChange.learner_id.in_(ids))
        .order_by(BarrierChange.id)
    ).all():
        events[learner_id].append((_utc(at), "barrier", _BARRIERS[code], bool(done)))
    result = {}
    for learner_id, target, _ in people:
        # A stable sort by time alone: at the same moment awards come before barrier changes, as in the replay.
        logged = sorted(events.get(learner_id, []), key=lambda item: item[0])
        result[learner_id] = replay_periods(
            learner_id, first_seen[learner_id], logged, required[target] if target is not None else None, rules
        )
    return result


def _compute_states(connection: Connection, ids: list[int]) -> dict[int, list[State]]:
    enrolments = connection.execute(
        select(Enrolment.id, Enrolment.learner_id, Enrolment.module_id)
        .where(Enrolment.learner_id.in_(ids))
        .order_by(Enrolment.id)
    ).all()
    if not enrolments:
        return {}
    module_ids = {module_id for _, _, module_id in enrolments}
    units: dict[int, list[_UnitView]] = defaultdict(list)
    for module_id, unit in connection.execute(
        select(ModuleUnit.module_id, ModuleUnit.id).where(ModuleUnit.module_id.in_(module_ids))
    ).all():
        units[module_id].append(_UnitView(unit))
    modules = {module_id: _ModuleView(tuple(units[module_id])) for module_id in module_ids}
    events: dict[int, list[_LoggedEvent]] = defaultdict(list)
    for enrolment_id, kind, unit_id, note, occurred_at in connection.execute(
        select(
            ProgressEvent.enrolment_id,
            ProgressEvent.kind,
            ProgressEvent.unit_id,
            ProgressEvent.note,
            ProgressEvent.occurred_at,
        )
        .where(ProgressEvent.learner_id.in_(ids), ProgressEvent.enrolment_id.is_not(None))
        .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
    ).all():
        events[enrolment_id or 0].append(_LoggedEvent(kind, unit_id, note, _utc(occurred_at)))
    evidence = dict(
        connection.execute(
            select(Evidence.enrolment_id, func.count())
            .where(Evidence.learner_id.in_(ids), Evidence.removed_at.is_(None))
            .group_by(Evidence.enrolment_id)
        ).all()
    )
    result: dict[int, list[State]] = defaultdict(list)
    for enrolment_id, learner_id, module_id in enrolments:
        view = _EnrolmentView(enrolment_id, learner_id, module_id, modules[module_id])
        logged = cast(list[ProgressEvent], events.get(enrolment_id, []))
        state = derive_progress(cast(Enrolment, view), logged, int(evidence.get(enrolment_id, 0)))
        result[learner_id].append(
            State(
                enrolment_id,
                learner_id,
                module_id,
                state.status.value,
                state.units_done,
                state.evidence_count,
                state.last_activity_at,
            )
        )
    return dict(result)


# --- Reading and writing the tables ----------------------------------------------------------------------


def stored(connection: Connection, learner_ids: Collection[int]) -> Rows:
    """The rows the tables hold now for these learners, in the order `compute` gives them."""
    ids = list(learner_ids)
    periods: dict[int, list[Period]] = defaultdict(list)
    for learner_id, starts, ends, score, band in connection.execute(
        select(
            ReadinessPeriod.learner_id,
            ReadinessPeriod.starts,
            ReadinessPeriod.ends,
            ReadinessPeriod.score,
            ReadinessPeriod.band,
        )
        .where(ReadinessPeriod.learner_id.in_(ids))
        .order_by(ReadinessPeriod.learner_id, ReadinessPeriod.starts)
    ).all():
        periods[learner_id].append(Period(learner_id, starts, ends, score, Band(band)))
    states: dict[int, list[State]] = defaultdict(list)
    for row in connection.execute(
        select(
            EnrolmentState.enrolment_id,
            EnrolmentState.learner_id,
            EnrolmentState.module_id,
            EnrolmentState.status,
            EnrolmentState.units_done,
            EnrolmentState.evidence_count,
            EnrolmentState.last_activity_at,
        )
        .where(EnrolmentState.learner_id.in_(ids))
        .order_by(EnrolmentState.enrolment_id)
    ).all():
        states[row[1]].append(State(*row))
    return Rows(dict(periods), dict(states))


def _write(connection: Connection, learner_ids: Collection[int], rows: Rows) -> None:
    """Replace these learners' rows with `rows`: four statements whatever their number."""
    ids = list(learner_ids)
    connection.execute(delete(ReadinessPeriod).where(ReadinessPeriod.learner_id.in_(ids)))
    connection.execute(delete(EnrolmentState).where(EnrolmentState.learner_id.in_(ids)))
    periods = [
        {"learner_id": p.learner_id, "starts": p.starts, "ends": p.ends, "score": p.score, "band": p.band.value}
        for learner_periods in rows.periods.values()
        for p in learner_periods
    ]
    if periods:
        connection.execute(insert(ReadinessPeriod), periods)
    states = [
        {
            "enrolment_id": s.enrolment_id,
            "learner_id": s.learner_id,
            "module_id": s.module_id,
            "status": s.status,
            "units_done": s.units_done,
            "evidence_count": s.evidence_count,
            "last_activity_at": s.last_activity_at,
        }
        for learner_states in rows.states.values()
        for s in learner_states
    ]
    if states:
        connection.execute(insert(EnrolmentState), states)


def _session(session: Session | None) -> Session:
    return session if session is not None else cast(Session, db.session)


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for learner_id in ids:
        batch.append(learner_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def refresh(
    learner_ids: Collection[int],
    rules: ReadinessRules | None = None,
    *,
    session: Session | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Work these learners' rows out again from the logs and store them, in the session's transaction.

    Flushes first, so changes not yet written count. Learners without a profile are left with no rows.
    """
    session = _session(session)
    session.flush()
    _store(session.connection(), learner_ids, rules or current_rules(), batch_size)


def _store(connection: Connection, learner_ids: Collection[int], rules: ReadinessRules, batch_size: int) -> None:
    for batch in _batches(sorted(set(learner_ids)), batch_size):
        _hold(connection, batch)
        _write(connection, batch, compute(connection, batch, rules))


def _hold(connection: Connection, learner_ids: list[int]) -> None:
    """Hold the learners' records (as `locking.lock_learner` does, which cannot run inside a flush).

    Two transactions refreshing the same learner would each delete the rows they can see and insert their
    own: the second would then find the first's rows in its way. Most changes hold the learner already;
    choosing a job does not. In id order, so two transactions never wait for each other in a circle.
    SQLite locks the whole database at a transaction's first write, which has happened by now.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(select(User.id).where(User.id.in_(learner_ids)).order_by(User.id).with_for_update())


def _all_learner_ids(connection: Connection) -> list[int]:
    return list(connection.scalars(select(LearnerProfile.user_id).order_by(LearnerProfile.user_id)))


def rebuild_all(
    rules: ReadinessRules,
    *,
    session: Session | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
    after_batch: Callable[[], None] | None = None,
) -> int:
    """Work every learner's rows out again from the logs, a batch of learners at a time, replacing what is
    stored; rows of anyone who is no longer a learner (no profile) are deleted.

    `progress(done, total)` is called after each batch, and `after_batch` too (the command commits there, so
    each batch holds its learners' rows only briefly). Returns how many learners were rebuilt.
    """
    session = _session(session)
    session.flush()
    connection = session.connection()
    learners = select(LearnerProfile.user_id)
    connection.execute(delete(EnrolmentState).where(EnrolmentState.learner_id.not_in(learners)))
    connection.execute(delete(ReadinessPeriod).where(ReadinessPeriod.learner_id.not_in(learners)))
    ids = _all_learner_ids(connection)
    done = 0
    for batch in _batches(ids, batch_size):
        connection = session.connection()  # a new transaction's, after a commit in `after_batch`
        _hold(connection, batch)
        _write(connection, batch, compute(connection, batch, rules))
        done += len(batch)
        if after_batch is not None:
            after_batch()
        if progress is not None:
            progress(done, len(ids))
    return done


def check_all(
    rules: ReadinessRules,
    *,
    session: Session | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """The learners whose stored rows differ from a fresh working-out (and owners of rows with no profile)."""
    session = _session(session)
    session.flush()
    connection = session.connection()
    ids = _all_learner_ids(connection)
    learners = select(LearnerProfile.user_id)
    differ: set[int] = set(
        connection.scalars(select(ReadinessPeriod.learner_id).where(ReadinessPeriod.learner_id.not_in(learners)))
    )
    differ |= set(
        connection.scalars(select(EnrolmentState.learner_id).where(EnrolmentState.learner_id.not_in(learners)))
    )
    done = 0
    for batch in _batches(ids, batch_size):
        fresh, kept = compute(connection, batch, rules), stored(connection, batch)
        differ |= {learner_id for learner_id in batch if fresh.of(learner_id) != kept.of(learner_id)}
        done += len(batch)
        if progress is not None:
            progress(done, len(ids))
    return sorted(differ)


def needs_filling(*, session: Session | None = None) -> bool:
    """Whether learners exist but the read models hold nothing for them (a database just upgraded to them)."""
    connection = _session(session).connection()
    has_learners = connection.scalar(select(LearnerProfile.user_id).limit(1)) is not None
    has_periods = connection.scalar(select(ReadinessPeriod.id).limit(1)) is not None
    return has_learners and not has_periods


# --- Kept up to date on write ----------------------------------------------------------------------------


def current_rules() -> ReadinessRules:
    """The readiness rules the running app was built with (see `keep_up_to_date`)."""
    if _rules_provider is None:
        raise RuntimeError("Read models are not being kept up to date: build the app first")
    return _rules_provider()


def keep_up_to_date(rules: RulesProvider) -> None:
    """Refresh the read models in every flush that changes a learner's logs, scoring with `rules()`.

    The app calls this once as it is built; calling it again only changes where the rules come from.
    """
    global _rules_provider
    _rules_provider = rules
    if not event.contains(Session, "before_flush", _note_deleted):
        event.listen(Session, "before_flush", _note_deleted)
        event.listen(Session, "after_flush", _note_written)
        event.listen(Session, "after_flush_postexec", _refresh_noted)
        event.listen(Session, "after_rollback", _forget_noted)


# The rows whose change makes a learner's read-model rows stale, and where each keeps the learner's id.
_LEARNER_COLUMN: dict[type, str] = {
    SkillAward: "learner_id",
    BarrierChange: "learner_id",
    ProgressEvent: "learner_id",
    Evidence: "learner_id",
    Enrolment: "learner_id",
}


def _learner_touched(instance: object, *, whole: bool) -> int | None:
    """The learner whose rows this object makes stale, if any: `whole` when it is new or being deleted."""
    column = _LEARNER_COLUMN.get(type(instance))
    if column is not None:
        return cast(int | None, getattr(instance, column))
    if isinstance(instance, LearnerProfile):
        if whole:
            return instance.user_id
        state: InstanceState[LearnerProfile] = inspect(instance)
        if (
            state.attrs.target_role_level_id.history.has_changes()
            or state.attrs.target_role_level.history.has_changes()
        ):
            return instance.user_id
    return None


def _pending(session: Session) -> set[int]:
    return cast(set[int], session.info.setdefault(_PENDING, set()))


def _note_deleted(session: Session, _context: UOWTransaction, _instances: object) -> None:
    # Objects about to be deleted still have their learner's id loaded now; after the flush they may not.
    for instance in session.deleted:
        learner_id = _learner_touched(instance, whole=True)
        if learner_id is not None:
            _pending(session).add(learner_id)


def _note_written(session: Session, _context: UOWTransaction) -> None:
    # After the statements ran, new rows have their ids and foreign keys; the lists still say what changed.
    for instances, whole in ((session.new, True), (session.dirty, False)):
        for instance in instances:
            learner_id = _learner_touched(instance, whole=whole)
            if learner_id is not None:
                _pending(session).add(learner_id)


def _refresh_noted(session: Session, _context: UOWTransaction) -> None:
    learner_ids = session.info.pop(_PENDING, None)
    if not learner_ids or session.info.get(_REFRESHING):
        return
    session.info[_REFRESHING] = True
    try:
        # Within the flush: what it wrote is on this connection already, and flushing again is not allowed.
        _store(session.connection(), learner_ids, current_rules(), BATCH_SIZE)
    finally:
        session.info.pop(_REFRESHING, None)


def _forget_noted(session: Session) -> None:
    session.info.pop(_PENDING, None)
