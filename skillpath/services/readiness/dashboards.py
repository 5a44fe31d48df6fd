"""The numbers behind the mentor home, the cohort dashboard and the establishment view.

Everything is worked out for many learners at once in a fixed number of queries,
whatever their number (a test holds the dashboards to it): the learners in one
query with their profiles, then their readiness (scored by the one rule in
`services/readiness.py`), work-readiness status, modules awaiting sign-off and
barriers, a few queries each. Readiness over time is replayed from the logs by
`services/readiness_history.py`, never read from stored snapshots.

Nothing here knows about charts or HTML: `services/readiness/charts.py` draws from it.
"""

from __future__ import annotations

import gc
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any, cast

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import (
    Barrier,
    Cohort,
    CohortMembership,
    Enrolment,
    Evidence,
    LearnerProfile,
    Module,
    ProgressEvent,
    ProgressKind,
    RoleLevel,
    User,
    WorkReadiness,
)
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.learners.organisations import list_cohorts_for_mentor
from skillpath.services.progress.progress import ModuleProgress, ModuleStatus, derive_progress
from skillpath.services.readiness.learner_state import barrier_states, held_levels, required_skills
from skillpath.services.readiness.readiness import Band, BarrierState, Readiness, ReadinessRules, SkillGap, assess
from skillpath.services.readiness.readiness_history import Week, weekly_readiness_of
from skillpath.services.readiness.work_status import current_statuses

RELEASE_SOON_DAYS = 84  # 12 weeks: the prison service's own split
INACTIVE_DAYS = 14
WEEKS_SHOWN = 26


class ReleaseWindow(StrEnum):
    """How soon a learner is due out. A date already passed counts as soon: the release is not recorded yet."""

    ALL = "all"
    TWELVE_WEEKS = "12-weeks"
    SIX_MONTHS = "6-months"

    @property
    def label(self) -> str:
        return str(RELEASE_WINDOW_LABELS[self.value])

    @property
    def days(self) -> int | None:
        return {"all": None, "12-weeks": RELEASE_SOON_DAYS, "6-months": 183}[self.value]


RELEASE_WINDOW_LABELS = {
    "all": _l("All release dates"),
    "12-weeks": _l("Within 12 weeks"),
    "6-months": _l("Within 6 months"),
}


@dataclass(frozen=True)
class Filters:
    role_level: uuid.UUID | None = None  # a target role level's public id
    band: Band | None = None
    release: ReleaseWindow = ReleaseWindow.ALL
    name: str = ""

    @property
    def is_active(self) -> bool:
        return self != Filters()

    def keeps(self, *, role_level: uuid.UUID | None, release_date: date | None, name: str, today: date) -> bool:
        """Whether a learner passes every filter but the band (which needs their readiness)."""
        if self.role_level is not None and role_level != self.role_level:
            return False
        if self.release.days is not None and not is_due_within(release_date, self.release.days, today):
            return False
        return name_matches(self.name, name)

    def keeps_learner(self, learner: LearnerFacts, today: date) -> bool:
        level = learner.target_role_level
        return self.keeps(
            role_level=level.public_id if level else None,
            release_date=learner.release_date,
            name=learner.preferred_name,
            today=today,
        )


# Letters that Unicode does not split into a base letter and an accent, as people type them without one.
_UNACCENTED = str.maketrans({"ł": "l", "đ": "d", "ð": "d", "ø": "o", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"})


def fold_name(text: str) -> str:
    """A name as a search compares it: without case or accents, spaces evened out ("Nguyễn  Thị" → "nguyen thi")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(bare.translate(_UNACCENTED).split())


def name_matches(search: str, name: str) -> bool:
    """Whether every word searched for is part of the name, whatever the case and accents: "minh nguyen" finds
    "Nguyễn Thị Minh". Done in Python rather than LIKE in SQL, so it works the same on every database and a
    % or _ in a search is just a character."""
    folded = fold_name(name)
    return all(word in folded for word in fold_name(search).split())


def is_due_within(release_date: date | None, days: int, today: date) -> bool:
    return release_date is not None and release_date <= today + timedelta(days=days)


@dataclass(frozen=True, slots=True)
class LearnerFacts:
    """A learner as a dashboard sees them, read as one plain row: an establishment has thousands,
    and ORM objects for each (account, profile) cost more than everything else the dashboard loads."""

    id: int
    public_id: uuid.UUID
    preferred_name: str
    created_at: datetime
    needs_activation: bool
    release_date: date | None
    last_activity_at: datetime | None
    target_role_level: RoleLevel | None

    @property
    def target_role_level_id(self) -> int | None:
        return self.target_role_level.id if self.target_role_level else None


@dataclass(frozen=True)
class LearnerRow:
    """One learner on a dashboard: where they are, how ready, and what waits for their mentor."""

    learner: LearnerFacts
    cohort_id: int
    readiness: Readiness
    # Every item on the checklist, in its order; an item never touched is not started.
    barriers: tuple[BarrierState, ...]
    status: WorkReadiness
    awaiting: tuple[ModuleProgress, ...]

    @property
    def open_barriers(self) -> tuple[Barrier, ...]:
        return tuple(state.barrier for state in self.barriers if not state.resolved)

    def is_inactive(self, now: datetime) -> bool:
        """No activity for 14 days; someone who has never done anything counts from when their account was made."""
        since = self.learner.last_activity_at or self.learner.created_at
        return since < now - timedelta(days=INACTIVE_DAYS)

    def releases_within(self, days: int, today: date) -> bool:
        return is_due_within(self.learner.release_date, days, today)


@dataclass(frozen=True)
class CohortSummary:
    """A cohort's counts; with no cohort, the counts of everyone on the dashboard."""

    cohort: Cohort | None
    learners: int = 0
    bands: Mapping[Band, int] = field(default_factory=lambda: dict.fromkeys(Band, 0))
    awaiting_sign_off: int = 0
    releases_soon: int = 0

    @property
    def not_started(self) -> int:
        return self.bands[Band.NOT_STARTED]

    @property
    def building(self) -> int:
        return self.bands[Band.BUILDING]

    @property
    def ready(self) -> int:
        return self.bands[Band.READY]

    @property
    def nearly_ready(self) -> int:
        return self.bands[Band.NEARLY_READY]


@dataclass(frozen=True)
class LearnerSkillGrid:
    """Learners working towards one role level, against each skill it needs."""

    role_level: RoleLevel
    skills: tuple[tuple[str, str], ...]  # (skill name, required level label), in name order
    rows: tuple[tuple[LearnerRow, tuple[SkillGap, ...]], ...]


@dataclass(frozen=True)
class GroupSkillCell:
    met: int
    learners: int

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.learners) if self.learners else 0

    @property
    def summary(self) -> str:
        return _("%(met)s of %(learners)s (%(percent)s%%)", met=self.met, learners=self.learners, percent=self.percent)


@dataclass(frozen=True)
class CohortSkillGrid:
    """For one role level: in each cohort, how many of the learners working towards it hold each skill at the level."""

    role_level: RoleLevel
    skills: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Cohort, tuple[GroupSkillCell, ...]], ...]

    @property
    def learners(self) -> int:
        return sum(cells[0].learners for _, cells in self.rows if cells)


@dataclass(frozen=True)
class Selection:
    """The learners of some cohorts after the filters, and what the filters could choose from."""

    rows: list[LearnerRow]
    total: int  # before the filters
    role_levels: list[RoleLevel]  # the target role levels of all the learners, for the filter


@dataclass(frozen=True)
class Dashboard:
    """Everything a dashboard shows, worked out once each from the same learners (a page reads some twice)."""

    selection: Selection
    cohorts: list[Cohort]
    weeks: list[Week]
    today: date

    @cached_property
    def rows(self) -> list[LearnerRow]:
        return self.selection.rows

    def release(self) -> None:
        """Let go of every learner and number, once the page is made.

        Jinja keeps a rendered template's context in a reference cycle, and the context holds
        this dashboard: without this, everything in it would wait for the cyclic collector
        (tens of thousands of objects for an establishment) instead of being freed at once.
        """
        self.selection.rows.clear()
        self.weeks.clear()
        for name in [name for name in vars(self) if name not in {f.name for f in fields(self)}]:
            del self.__dict__[name]  # the cached properties

    @cached_property
    def distribution(self) -> dict[Band, int]:
        return band_counts(self.rows)

    @cached_property
    def barriers_outstanding(self) -> dict[Barrier, int]:
        counts = Counter(barrier for row in self.rows for barrier in row.open_barriers)
        return {barrier: counts[barrier] for barrier in Barrier}

    @cached_property
    def summaries(self) -> list[CohortSummary]:
        return summarise(self.cohorts, self.rows, self.today)

    @cached_property
    def overall(self) -> CohortSummary:
        return summarise_all(self.rows, self.today)

    @cached_property
    def learner_grids(self) -> list[LearnerSkillGrid]:
        return learner_skill_grids(self.rows)

    @cached_property
    def cohort_grids(self) -> list[CohortSkillGrid]:
        return cohort_skill_grids(self.cohorts, self.rows)


# --- Loading -----------------------------------------------------------------------------------


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector while a dashboard is built and drawn.

    An establishment's dashboard makes a few hundred thousand small objects (rows, readiness
    results, week-by-week states) that all live until the page is rendered. Each batch of them
    would set off a collection that walks everything alive: measured, that was half the
    establishment view's time. They are freed by reference counting once the page is made
    (see `Dashboard.release`), so the collector loses nothing by waiting until then. The switch is
    process-wide: with threads, whichever request switched it off switches it back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def select_learners(
    cohort_ids: Sequence[int], config: Mapping[str, object], *, filters: Filters | None = None, today: date
) -> Selection:
    """Current learners of these cohorts that pass the filters, each with everything a dashboard shows."""
    filters = filters or Filters()
    everyone = current_learners(cohort_ids)
    kept = [(learner, cohort_id) for learner, cohort_id in everyone if filters.keeps_learner(learner, today)]
    rows = _rows(kept, config)
    if filters.band is not None:
        rows = [row for row in rows if row.readiness.band == filters.band]
    levels = {
        learner.target_role_level.id: learner.target_role_level for learner, _ in everyone if learner.target_role_level
    }
    role_levels = sorted(levels.values(), key=lambda level: level.name)
    return Selection(rows=rows, total=len(everyone), role_levels=role_levels)


def current_learners(cohort_ids: Sequence[int]) -> list[tuple[LearnerFacts, int]]:
    """The current learners of these cohorts (as `organisations.list_current_learners` counts them), by name."""
    if not cohort_ids:
        return []
    rows = (
        db.session.connection()
        .execute(
            select(
                User.id,
                User.public_id,
                LearnerProfile.preferred_name,
                User.created_at,
                User.password_hash.is_(None),
                LearnerProfile.release_date,
                LearnerProfile.last_activity_at,
                LearnerProfile.target_role_level_id,
                CohortMembership.cohort_id,
            )
            .join(LearnerProfile, LearnerProfile.user_id == User.id)
            .join(CohortMembership, CohortMembership.learner_id == User.id)
            .where(
                CohortMembership.cohort_id.in_(list(cohort_ids)),
                CohortMembership.left_at.is_(None),
                LearnerProfile.released_at.is_(None),
            )
        )
        .all()
    )
    level_ids = {row[7] for row in rows if row[7] is not None}
    levels = {level.id: level for level in db.session.scalars(select(RoleLevel).where(RoleLevel.id.in_(level_ids)))}
    learners = [
        (
            LearnerFacts(id_, public_id, name, created, bool(inactive), release, active, levels.get(target or 0)),
            cohort_id,
        )
        for id_, public_id, name, created, inactive, release, active, target, cohort_id in rows
    ]
    learners.sort(key=lambda pair: (pair[0].preferred_name.casefold(), pair[0].id))
    return learners


# A checklist item never touched is not started; these are shared rather than made per learner.
_UNTOUCHED = {barrier: BarrierState(barrier, resolved=False) for barrier in Barrier}


def _rows(learners: list[tuple[LearnerFacts, int]], config: Mapping[str, object]) -> list[LearnerRow]:
    ids = [learner.id for learner, _ in learners]
    readiness, barriers = _assess(learners, config)
    statuses = current_statuses(ids)
    awaiting = modules_awaiting_sign_off(ids)
    rows = []
    for learner, cohort_id in learners:
        states = {state.barrier: state for state in barriers.get(learner.id, [])}
        checklist = tuple(states.get(b) or _UNTOUCHED[b] for b in Barrier)
        rows.append(
            LearnerRow(
                learner, cohort_id, readiness[learner.id], checklist, statuses[learner.id], tuple(awaiting[learner.id])
            )
        )
    return rows


def _assess(
    learners: list[tuple[LearnerFacts, int]], config: Mapping[str, object]
) -> tuple[dict[int, Readiness], dict[int, list[BarrierState]]]:
    """`learner_state.readiness_for`, keeping the barrier states it loads: the barriers chart needs them too."""
    rules = ReadinessRules.from_config(config)
    ids = [learner.id for learner, _ in learners]
    targets = {learner.id: learner.target_role_level_id for learner, _ in learners}
    required = required_skills({t for t in targets.values() if t is not None})
    held = held_levels(ids)
    barriers = barrier_states(ids)
    readiness = {
        learner_id: assess(
            required.get(target, []) if target else [],
            held.get(learner_id, {}),
            barriers.get(learner_id, []),
            rules,
            has_target=target is not None,
        )
        for learner_id, target in ((i, targets.get(i)) for i in ids)
    }
    return readiness, barriers


@dataclass(frozen=True, slots=True)
class _LoggedEvent:
    """The fields of a ProgressEvent that `derive_progress` reads, loaded as plain rows: far cheaper than objects."""

    kind: ProgressKind
    unit_id: int | None
    note: str | None
    occurred_at: datetime


def modules_awaiting_sign_off(learner_ids: Collection[int]) -> dict[int, list[ModuleProgress]]:
    """Each learner's modules that are ready for sign-off, oldest first, in a fixed number of queries.

    Only enrolments not yet signed off and with evidence can be ready, so only their
    events are replayed (by `progress.derive_progress`, the one rule for a module's state).
    """
    result: dict[int, list[ModuleProgress]] = {learner_id: [] for learner_id in learner_ids}
    if not learner_ids:
        return result
    signed_off = (
        select(ProgressEvent.id)
        .where(ProgressEvent.enrolment_id == Enrolment.id, ProgressEvent.kind == ProgressKind.SIGNED_OFF)
        .exists()
    )
    evidence_counts: dict[int, int] = dict(
        db.session.execute(
            select(Evidence.enrolment_id, func.count())
            .join(Enrolment, Enrolment.id == Evidence.enrolment_id)
            .where(Enrolment.learner_id.in_(list(learner_ids)), Evidence.removed_at.is_(None), ~signed_off)
            .group_by(Evidence.enrolment_id)
        ).all()
    )
    candidates = list(evidence_counts)
    enrolments = list(
        db.session.scalars(
            select(Enrolment)
            .where(Enrolment.id.in_(candidates))
            .options(selectinload(Enrolment.module).selectinload(Module.units))
        )
    )
    events: dict[int, list[_LoggedEvent]] = defaultdict(list)
    for enrolment_id, kind, unit_id, note, occurred_at in db.session.execute(
        select(
            ProgressEvent.enrolment_id,
            ProgressEvent.kind,
            ProgressEvent.unit_id,
            ProgressEvent.note,
            ProgressEvent.occurred_at,
        )
        .where(ProgressEvent.enrolment_id.in_(candidates))
        .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
    ).all():
        events[enrolment_id or 0].append(_LoggedEvent(kind, unit_id, note, occurred_at))
    for enrolment in enrolments:
        logged = cast(list[ProgressEvent], events[enrolment.id])
        state = derive_progress(enrolment, logged, evidence_counts.get(enrolment.id, 0))
        if state.status == ModuleStatus.READY_FOR_SIGN_OFF:
            result[enrolment.learner_id].append(state)
    for states in result.values():
        states.sort(key=lambda state: state.last_activity_at or datetime.min.replace(tzinfo=UTC))
    return result


def next_awaiting_sign_off(cohort_ids: Sequence[int]) -> ModuleProgress | None:
    """The module a mentor should review next: the one ready for sign-off longest, as the home page's to-do
    list orders them, among the current learners of these cohorts."""
    learner_ids = [learner.id for learner, _ in current_learners(cohort_ids)]
    waiting = [state for states in modules_awaiting_sign_off(learner_ids).values() for state in states]
    return min(waiting, key=_ready_since, default=None)


def _ready_since(state: ModuleProgress) -> datetime:
    return state.last_activity_at or datetime.max.replace(tzinfo=UTC)


def build_dashboard(
    cohorts: Sequence[Cohort],
    config: Mapping[str, object],
    *,
    filters: Filters | None = None,
    today: date | None = None,
    weeks: int = WEEKS_SHOWN,
) -> Dashboard:
    today = today or datetime.now(UTC).date()
    selection = select_learners([cohort.id for cohort in cohorts], config, filters=filters, today=today)
    people = [(row.learner.id, row.learner.target_role_level_id, row.learner.created_at) for row in selection.rows]
    history = weekly_readiness_of(people, config, weeks=weeks, today=today)
    return Dashboard(selection=selection, cohorts=list(cohorts), weeks=history, today=today)


# --- Summing up --------------------------------------------------------------------------------


def band_counts(rows: Collection[LearnerRow]) -> dict[Band, int]:
    counts = Counter(row.readiness.band for row in rows)
    return {band: counts[band] for band in Band}


def summarise_all(rows: Collection[LearnerRow], today: date, cohort: Cohort | None = None) -> CohortSummary:
    """The counts of these learners: how many, per band, modules awaiting sign-off and releases within 12 weeks."""
    return CohortSummary(
        cohort=cohort,
        learners=len(rows),
        bands=band_counts(rows),
        awaiting_sign_off=sum(len(row.awaiting) for row in rows),
        releases_soon=sum(1 for row in rows if row.releases_within(RELEASE_SOON_DAYS, today)),
    )


def summarise(cohorts: Sequence[Cohort], rows: Collection[LearnerRow], today: date) -> list[CohortSummary]:
    """Each cohort's counts, in the order given; a cohort with no learners has zeros."""
    by_cohort: dict[int, list[LearnerRow]] = defaultdict(list)
    for row in rows:
        by_cohort[row.cohort_id].append(row)
    return [summarise_all(by_cohort[cohort.id], today, cohort) for cohort in cohorts]


@dataclass(frozen=True)
class Worklist:
    awaiting: list[tuple[LearnerRow, ModuleProgress]]
    inactive: list[LearnerRow]
    releasing_with_barriers: list[LearnerRow]


def worklist(rows: Collection[LearnerRow], *, now: datetime) -> Worklist:
    """What needs a mentor: modules to sign off, learners gone quiet, and releases near with barriers open."""
    today = now.date()
    awaiting = [(row, state) for row in rows for state in row.awaiting]
    awaiting.sort(key=lambda pair: pair[1].last_activity_at or now)
    inactive = sorted(
        (row for row in rows if row.is_inactive(now)),
        key=lambda row: row.learner.last_activity_at or row.learner.created_at,
    )
    releasing = sorted(
        (row for row in rows if row.releases_within(RELEASE_SOON_DAYS, today) and row.open_barriers),
        key=lambda row: row.learner.release_date or today,
    )
    return Worklist(awaiting, inactive, releasing)


def learner_skill_grids(rows: Collection[LearnerRow]) -> list[LearnerSkillGrid]:
    """One grid per target role level: its learners down, its skills across, each cell the skill's gap."""
    by_level: dict[int, list[LearnerRow]] = defaultdict(list)
    levels: dict[int, RoleLevel] = {}
    for row in rows:
        level = row.learner.target_role_level
        if level is not None and row.readiness.skills:
            by_level[level.id].append(row)
            levels[level.id] = level
    grids = []
    for level_id, level_rows in by_level.items():
        skills = tuple((gap.name, gap.required.label) for gap in level_rows[0].readiness.skills)
        grids.append(
            LearnerSkillGrid(levels[level_id], skills, tuple((row, row.readiness.skills) for row in level_rows))
        )
    return sorted(grids, key=lambda grid: grid.role_level.name)


def cohort_skill_grids(cohorts: Sequence[Cohort], rows: Collection[LearnerRow]) -> list[CohortSkillGrid]:
    """One grid per target role level: cohorts down, skills across, each cell how many hold the skill at the level."""
    grids = []
    for grid in learner_skill_grids(rows):
        per_cohort: dict[int, list[tuple[SkillGap, ...]]] = defaultdict(list)
        for row, gaps in grid.rows:
            per_cohort[row.cohort_id].append(gaps)
        cohort_rows = tuple(
            (
                cohort,
                tuple(
                    GroupSkillCell(
                        sum(1 for gaps in per_cohort[cohort.id] if gaps[i].is_met), len(per_cohort[cohort.id])
                    )
                    for i in range(len(grid.skills))
                ),
            )
            for cohort in cohorts
            if per_cohort[cohort.id]
        )
        grids.append(CohortSkillGrid(grid.role_level, grid.skills, cohort_rows))
    return grids


# --- Reading a dashboard ---------------------------------------------------------------------------


def list_active_cohorts(establishment_id: int) -> list[Cohort]:
    """An establishment's cohorts still running, by name, with their mentors."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.establishment_id == establishment_id, Cohort.archived_at.is_(None))
            .options(selectinload(Cohort.mentors))
            .order_by(Cohort.name)
        )
    )


def next_module_to_review(mentor: User) -> ModuleProgress | None:
    """The module this mentor should review next, among the learners of their cohorts (None for none)."""
    return next_awaiting_sign_off([cohort.id for cohort in list_cohorts_for_mentor(mentor)])


def record_dashboard_viewed(
    action: AuditAction,
    *,
    by: User,
    ip_address: str | None = None,
    filters: Mapping[str, str] | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
) -> None:
    """One audit event for a page that names many learners, rather than one per learner, with the filters used."""
    detail: dict[str, Any] = {"filters": dict(filters)} if filters else {}
    record_event(action, actor=by, ip_address=ip_address, object_type=object_type, object_id=object_id, **detail)
