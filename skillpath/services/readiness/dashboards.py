"""The numbers behind the mentor home, the cohort dashboard and the establishment view.

Everything is worked out for many learners at once in a fixed number of queries,
whatever their number (a test holds the dashboards to it): the learners in one
query with their profiles, then their readiness (scored by the one rule in
`services/readiness.py`), work-readiness status, modules awaiting sign-off and
barriers, a few queries each. Readiness over time and the modules awaiting sign-off
are read from the read models (`services/readiness/read_models.py`), which every change
to the logs keeps up to date, rather than replayed from the logs on each view.

The cohort dashboard lists its learners, so it builds a row for each. The establishment view
and the mentor's home show only counts and a few learners, so they ask the database for the
counts and the few (`summarise_establishment`, `summarise_cohorts`, `list_to_do`); the row-by-row
functions are the answer a test holds those to.

Nothing here knows about charts or HTML: `services/readiness/charts.py` draws from it.
"""

from __future__ import annotations

import gc
import unicodedata
import uuid
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import (
    Barrier,
    BarrierItem,
    BarrierStatus,
    Cohort,
    CohortMembership,
    Enrolment,
    EnrolmentState,
    LearnerProfile,
    Module,
    ReadinessPeriod,
    RoleLevel,
    RoleLevelSkill,
    SkillAward,
    SkillLevel,
    User,
    WorkReadiness,
)
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.learners.organisations import list_cohorts_for_mentor
from skillpath.services.paging import Page, position
from skillpath.services.progress.progress import ModuleProgress, ModuleStatus
from skillpath.services.readiness.learner_state import barrier_states, held_levels, required_skills
from skillpath.services.readiness.readiness import Band, BarrierState, Readiness, ReadinessRules, SkillGap, assess
from skillpath.services.readiness.readiness_history import Week, weekly_readiness_from_periods
from skillpath.services.readiness.scope import (
    LearnerSet,
    among,
    current_learner_ids,
    has_arrays,
    is_empty,
    looked_up_by_learner,
    narrowest,
)
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
        return not self.name or name_matches(self.name, name)

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
    # The summary's words in the reader's language, looked up once for a whole grid rather than once a cell:
    # an establishment's grids have thousands of cells.
    wording: str | None = field(default=None, compare=False, repr=False)

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.learners) if self.learners else 0

    @property
    def summary(self) -> str:
        return (self.wording or group_cell_wording()) % {
            "met": self.met,
            "learners": self.learners,
            "percent": self.percent,
        }


def group_cell_wording() -> str:
    """How a grid cell sums up: "3 of 4 (75%)", with its placeholders still to fill."""
    return _("%(met)s of %(learners)s (%(percent)s%%)")


@dataclass(frozen=True)
class CohortSkillGrid:
    """For one role level: in each cohort, how many of the learners working towards it hold each skill at the level."""

    role_level: RoleLevel
    skills: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Cohort, tuple[GroupSkillCell, ...]], ...]

    @property
    def learners(self) -> int:
        return sum(cells[0].learners for _, cells in self.rows if cells)

    @property
    def totals(self) -> tuple[GroupSkillCell, ...]:
        """Each skill across every cohort in the grid: what the establishment view shows, as a cohort-by-skill
        grid runs to thousands of cells at a large establishment (each cohort's dashboard has its own)."""
        learners = self.learners
        wording = next((cells[0].wording for _, cells in self.rows if cells), None)
        return tuple(
            GroupSkillCell(sum(cells[column].met for _, cells in self.rows), learners, wording)
            for column in range(len(self.skills))
        )


@dataclass(frozen=True)
class Selection:
    """The learners of some cohorts after the filters, and what the filters could choose from."""

    rows: list[LearnerRow]
    total: int  # before the filters
    role_levels: list[RoleLevel]  # the target role levels of all the learners, for the filter
    # How the rows' learners were selected in each statement (`scope.narrowest`), for further statements.
    scope: LearnerSet = ()


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
    scope = narrowest([learner.id for learner, _ in kept], len(everyone), current_learner_ids(cohort_ids))
    rows = _rows(kept, scope, config)
    if filters.band is not None:
        rows = [row for row in rows if row.readiness.band == filters.band]
    levels = {
        learner.target_role_level.id: learner.target_role_level for learner, _ in everyone if learner.target_role_level
    }
    role_levels = sorted(levels.values(), key=lambda level: level.name)
    return Selection(rows=rows, total=len(everyone), role_levels=role_levels, scope=scope)


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
_CHECKLIST = tuple(Barrier)


def _rows(
    learners: list[tuple[LearnerFacts, int]], scope: LearnerSet, config: Mapping[str, object]
) -> list[LearnerRow]:
    """A row for each of `learners`; `scope` selects them (or more: anyone else it selects is not looked up)."""
    if not learners:
        return []
    readiness, barriers = _assess(learners, scope, config)
    statuses = current_statuses(scope)
    awaiting = modules_awaiting_sign_off(scope)
    rows = []
    for learner, cohort_id in learners:
        states = {state.barrier: state for state in barriers.get(learner.id, ())}
        checklist = tuple(states.get(b) or _UNTOUCHED[b] for b in _CHECKLIST)
        rows.append(
            LearnerRow(
                learner,
                cohort_id,
                readiness[learner.id],
                checklist,
                statuses[learner.id],
                tuple(awaiting.get(learner.id, ())),
            )
        )
    return rows


def _assess(
    learners: list[tuple[LearnerFacts, int]], scope: LearnerSet, config: Mapping[str, object]
) -> tuple[dict[int, Readiness], dict[int, list[BarrierState]]]:
    """`learner_state.readiness_for`, keeping the barrier states it loads: the barriers chart needs them too."""
    rules = ReadinessRules.from_config(config)
    targets = {learner.target_role_level_id for learner, _ in learners}
    required = required_skills({target for target in targets if target is not None})
    held = held_levels(scope)
    barriers = barrier_states(scope)
    readiness = {}
    for learner, _cohort_id in learners:
        target = learner.target_role_level_id
        readiness[learner.id] = assess(
            required.get(target, []) if target else [],
            held.get(learner.id, {}),
            barriers.get(learner.id, []),
            rules,
            has_target=target is not None,
        )
    return readiness, barriers


def modules_awaiting_sign_off(learners: LearnerSet) -> dict[int, list[ModuleProgress]]:
    """Each learner's modules that are ready for sign-off, oldest first, in a fixed number of queries.

    Read from `enrolment_states` (kept in step with the progress log by `read_models`, by the one rule,
    `progress.derive_progress`), so only the modules waiting are loaded, whatever the size of the log.
    Every learner given as ids has a list, empty or not; given as a subquery, a learner with none may be missing.
    """
    result: dict[int, list[ModuleProgress]] = defaultdict(list)
    if not isinstance(learners, Select):
        result.update({learner_id: [] for learner_id in learners})
    if is_empty(learners):
        return result
    for state in _ready_modules(among(EnrolmentState.learner_id, learners)):
        result[state.enrolment.learner_id].append(state)
    for states in result.values():
        states.sort(key=lambda state: state.last_activity_at or datetime.min.replace(tzinfo=UTC))
    return result


def _ready_modules(learners: ColumnElement[bool], *, limit: int | None = None) -> list[ModuleProgress]:
    """Modules ready for sign-off of the learners selected, each as `derive_progress` would give it: every unit
    done, no feedback waiting; the longest waiting first."""
    statement = (
        select(Enrolment, EnrolmentState.evidence_count, EnrolmentState.last_activity_at)
        .join(EnrolmentState, EnrolmentState.enrolment_id == Enrolment.id)
        .where(learners, EnrolmentState.status == ModuleStatus.READY_FOR_SIGN_OFF.value)
        .options(selectinload(Enrolment.module).selectinload(Module.units))
        .order_by(EnrolmentState.last_activity_at, EnrolmentState.enrolment_id)
        .limit(limit)
    )
    return [
        ModuleProgress(
            enrolment=enrolment,
            module=enrolment.module,
            done_unit_ids=frozenset(unit.id for unit in enrolment.module.units),
            evidence_count=evidence_count,
            status=ModuleStatus.READY_FOR_SIGN_OFF,
            feedback=None,
            last_activity_at=last_activity_at,
        )
        for enrolment, evidence_count, last_activity_at in db.session.execute(statement).all()
    ]


def next_awaiting_sign_off(cohort_ids: Sequence[int]) -> ModuleProgress | None:
    """The module a mentor should review next: the one ready for sign-off longest, as the home page's to-do
    list orders them, among the current learners of these cohorts."""
    if not cohort_ids:
        return None
    waiting = _ready_modules(EnrolmentState.learner_id.in_(current_learner_ids(cohort_ids)), limit=1)
    return waiting[0] if waiting else None


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
    history = weekly_readiness_from_periods(
        current_learner_ids([cohort.id for cohort in cohorts]),
        weeks=weeks,
        today=today,
        keep={row.learner.id for row in selection.rows},
    )
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


WORKLIST_SHOWN = 10  # of each to-do list on the home page; its "See all" page has the rest
WORKLIST_PAGE_SIZE = 50


class WorklistKind(StrEnum):
    """A mentor's three to-do lists, each by the name its "See all" page has in its address."""

    AWAITING = "awaiting-sign-off"
    INACTIVE = "no-activity"
    RELEASING = "release-with-barriers"


@dataclass(frozen=True)
class Worklist:
    """Each to-do list in full, most urgent first. A head of education's lists run to thousands, so pages
    show the first few (`WORKLIST_SHOWN`) with the count, and page through the rest."""

    awaiting: list[tuple[LearnerRow, ModuleProgress]]
    inactive: list[LearnerRow]
    releasing_with_barriers: list[LearnerRow]

    def of(self, kind: WorklistKind) -> Sequence[Any]:
        lists: dict[WorklistKind, Sequence[Any]] = {
            WorklistKind.AWAITING: self.awaiting,
            WorklistKind.INACTIVE: self.inactive,
            WorklistKind.RELEASING: self.releasing_with_barriers,
        }
        return lists[kind]


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
    wording = group_cell_wording()
    for grid in learner_skill_grids(rows):
        # One pass over the learners: for each cohort, its learners and how many meet each skill.
        learners: Counter[int] = Counter()
        met: dict[int, list[int]] = {}
        for row, gaps in grid.rows:
            learners[row.cohort_id] += 1
            counts = met.setdefault(row.cohort_id, [0] * len(gaps))
            for i, gap in enumerate(gaps):
                if gap.is_met:
                    counts[i] += 1
        cohort_rows = tuple(
            (cohort, tuple(GroupSkillCell(count, learners[cohort.id], wording) for count in met[cohort.id]))
            for cohort in cohorts
            if learners[cohort.id]
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


# --- An establishment, summed up by the database -----------------------------------------------------
#
# The establishment view shows counts, and a few learners when a name is searched for: it never needs a row
# per learner. So rather than score each of thousands of learners in Python, it asks the database for the
# counts, grouped by cohort, band and target role level, reading each learner's band from their current
# readiness period (kept by `read_models` with the same rule as `assess`). `select_learners` stays the
# row-by-row answer that a test holds these counts to.

_LEVEL_RANKS = {level: level.rank for level in SkillLevel}


def _rank(column: Any) -> ColumnElement[int]:
    """A skill level's rank, worked out in SQL, so "held at or above the level needed" is one comparison."""
    return case(_LEVEL_RANKS, value=column)


@dataclass(frozen=True)
class NameMatch:
    """A learner found by a name search on the establishment view, with just what its table shows."""

    public_id: uuid.UUID
    name: str
    cohort: Cohort
    band: Band
    role_level: RoleLevel | None


@dataclass(frozen=True)
class Overview:
    """Everything the establishment view shows, as counts summed up by the database (see above)."""

    cohorts: list[Cohort]
    total: int  # before the filters
    shown: int  # after them
    role_levels: list[RoleLevel]  # the target role levels of all the learners, for the filter
    summaries: list[CohortSummary]
    overall: CohortSummary
    distribution: dict[Band, int]
    barriers_outstanding: dict[Barrier, int]
    cohort_grids: list[CohortSkillGrid]
    weeks: list[Week]
    matches: list[NameMatch] | None  # with a name searched for, the first few found
    today: date


Memberships = Select[int, int, int | None, date | None, str]  # learner, cohort, target, release date, band


def _memberships(cohort_ids: Sequence[int], filters: Filters, today: date, *, with_band: bool = True) -> Memberships:
    """A row per current learner of these cohorts (as `current_learners` lists them) passing every filter but
    the name, with their band now: no current readiness period means they have not started. The to-do lists
    need no band (`with_band=False`), and are spared the join to each learner's current period."""
    band = func.coalesce(ReadinessPeriod.band, Band.NOT_STARTED.value)
    statement: Memberships = (
        select(
            CohortMembership.learner_id.label("learner_id"),
            CohortMembership.cohort_id.label("cohort_id"),
            LearnerProfile.target_role_level_id.label("target"),
            LearnerProfile.release_date.label("release_date"),
            (band if with_band or filters.band is not None else literal(Band.NOT_STARTED.value)).label("band"),
        )
        .join(LearnerProfile, LearnerProfile.user_id == CohortMembership.learner_id)
        .where(
            CohortMembership.cohort_id.in_(list(cohort_ids)),
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
        )
    )
    if with_band or filters.band is not None:
        statement = statement.outerjoin(
            ReadinessPeriod,
            and_(ReadinessPeriod.learner_id == CohortMembership.learner_id, ReadinessPeriod.ends.is_(None)),
        )
    if filters.role_level is not None:
        level_id = select(RoleLevel.id).where(RoleLevel.public_id == filters.role_level).scalar_subquery()
        statement = statement.where(LearnerProfile.target_role_level_id == level_id)
    if filters.release.days is not None:
        statement = statement.where(LearnerProfile.release_date <= today + timedelta(days=filters.release.days))
    if filters.band is not None:
        statement = statement.where(band == filters.band.value)
    return statement


def summarise_establishment(
    cohorts: Sequence[Cohort],
    *,
    filters: Filters | None = None,
    today: date | None = None,
    weeks: int = WEEKS_SHOWN,
    matches_shown: int = 100,
) -> Overview:
    """The establishment view's figures for these cohorts' learners: a fixed number of grouped queries, each
    returning a row per cohort, band, barrier or skill rather than per learner."""
    today = today or datetime.now(UTC).date()
    filters = filters or Filters()
    cohort_ids = [cohort.id for cohort in cohorts]
    db.session.flush()
    with looked_up_by_learner():
        connection = db.session.connection()
        everyone = _memberships(cohort_ids, Filters(), today).subquery()
        per_target = connection.execute(select(everyone.c.target, func.count()).group_by(everyone.c.target)).all()
        total = sum(count for _target, count in per_target)
        levels = _role_levels({target for target, _count in per_target if target is not None})
        statement = _memberships(cohort_ids, replace(filters, name=""), today)
        matches: list[NameMatch] | None = None
        if filters.name:
            found = _found_by_name(statement, filters.name, {c.id: c for c in cohorts}, levels)
            matches = [match for _learner_id, match in found[:matches_shown]]
            statement = statement.where(among(CohortMembership.learner_id, sorted({id_ for id_, _match in found})))
        kept = statement.subquery()
        summaries, grid_learners = _cohort_counts(kept, cohorts, today)
        overall = _add_up(summaries)
        barriers = _barriers_outstanding(kept, overall.learners)
        grids = _cohort_grids(kept, cohorts, levels, grid_learners)
        weeks_shown = _weeks(kept, cohort_ids, total, filters, weeks=weeks, today=today)
    return Overview(
        cohorts=list(cohorts),
        total=total,
        shown=overall.learners,
        role_levels=sorted(levels.values(), key=lambda level: level.name),
        summaries=summaries,
        overall=overall,
        distribution=dict(overall.bands),
        barriers_outstanding=barriers,
        cohort_grids=grids,
        weeks=weeks_shown,
        matches=matches,
        today=today,
    )


def _role_levels(ids: Collection[int]) -> dict[int, RoleLevel]:
    if not ids:
        return {}
    return {level.id: level for level in db.session.scalars(select(RoleLevel).where(RoleLevel.id.in_(ids)))}


def _found_by_name(
    statement: Memberships, search: str, cohorts: Mapping[int, Cohort], levels: Mapping[int, RoleLevel]
) -> list[tuple[int, NameMatch]]:
    """The learners whose name matches, by name: the name is compared in Python (see `name_matches`), over
    just the names and a few columns of the learners the other filters keep."""
    people = statement.subquery()
    rows = db.session.connection().execute(
        select(
            people.c.learner_id,
            people.c.cohort_id,
            people.c.target,
            people.c.band,
            User.public_id,
            LearnerProfile.preferred_name,
        )
        .join_from(people, User, User.id == people.c.learner_id)
        .join(LearnerProfile, LearnerProfile.user_id == people.c.learner_id)
    )
    bands = {band.value: band for band in Band}
    found = [
        (learner_id, NameMatch(public_id, name, cohorts[cohort_id], bands[band], levels.get(target or 0)))
        for learner_id, cohort_id, target, band, public_id, name in rows
        if name_matches(search, name)
    ]
    found.sort(key=lambda pair: (pair[1].name.casefold(), pair[0]))
    return found


def _cohort_counts(
    kept: Subquery, cohorts: Sequence[Cohort], today: date
) -> tuple[list[CohortSummary], dict[tuple[int, int], int]]:
    """Each cohort's counts (in the order given) and, for the skill grids, its learners per target role level."""
    soon = today + timedelta(days=RELEASE_SOON_DAYS)
    connection = db.session.connection()
    rows = connection.execute(
        select(
            kept.c.cohort_id,
            kept.c.target,
            kept.c.band,
            func.count(),
            func.sum(case((kept.c.release_date <= soon, 1), else_=0)),
        ).group_by(kept.c.cohort_id, kept.c.target, kept.c.band)
    ).all()
    awaiting: dict[int, int] = dict(
        connection.execute(
            select(kept.c.cohort_id, func.count())
            .join_from(kept, EnrolmentState, EnrolmentState.learner_id == kept.c.learner_id)
            .where(EnrolmentState.status == ModuleStatus.READY_FOR_SIGN_OFF.value)
            .group_by(kept.c.cohort_id)
        ).all()
    )
    bands = {band.value: band for band in Band}
    counts: dict[int, dict[Band, int]] = {cohort.id: dict.fromkeys(Band, 0) for cohort in cohorts}
    releasing: Counter[int] = Counter()
    grid_learners: Counter[tuple[int, int]] = Counter()
    for cohort_id, target, band, count, soon_count in rows:
        counts[cohort_id][bands[band]] += count
        releasing[cohort_id] += soon_count or 0
        if target is not None:
            grid_learners[cohort_id, target] += count
    summaries = [
        CohortSummary(
            cohort=cohort,
            learners=sum(counts[cohort.id].values()),
            bands=counts[cohort.id],
            awaiting_sign_off=awaiting.get(cohort.id, 0),
            releases_soon=releasing[cohort.id],
        )
        for cohort in cohorts
    ]
    return summaries, dict(grid_learners)


def _add_up(summaries: Sequence[CohortSummary]) -> CohortSummary:
    return CohortSummary(
        cohort=None,
        learners=sum(summary.learners for summary in summaries),
        bands={band: sum(summary.bands[band] for summary in summaries) for band in Band},
        awaiting_sign_off=sum(summary.awaiting_sign_off for summary in summaries),
        releases_soon=sum(summary.releases_soon for summary in summaries),
    )


def _barriers_outstanding(kept: Subquery, learners: int) -> dict[Barrier, int]:
    """Per checklist item, the learners who have not sorted it out: everyone but those with it resolved
    (done, or already in place, as `BarrierItem.is_resolved`)."""
    resolved = dict(
        db.session.connection()
        .execute(
            select(type_coerce(BarrierItem.barrier, String), func.count())
            .join_from(kept, BarrierItem, BarrierItem.learner_id == kept.c.learner_id)
            .where(_sorted_out())
            .group_by(BarrierItem.barrier)
        )
        .all()
    )
    return {barrier: learners - resolved.get(barrier.value, 0) for barrier in Barrier}


def _cohort_grids(
    kept: Subquery,
    cohorts: Sequence[Cohort],
    levels: Mapping[int, RoleLevel],
    learners: Mapping[tuple[int, int], int],
) -> list[CohortSkillGrid]:
    """As `cohort_skill_grids`: per target role level with skills, in each cohort with learners working
    towards it, how many hold each skill at the level needed (any award at or above it)."""
    required = required_skills({target for _cohort_id, target in learners})
    met = Counter(
        {
            (cohort_id, target, skill_id): count
            for cohort_id, target, skill_id, count in db.session.connection().execute(
                select(kept.c.cohort_id, kept.c.target, RoleLevelSkill.skill_id, func.count())
                .join_from(kept, RoleLevelSkill, RoleLevelSkill.role_level_id == kept.c.target)
                .where(
                    exists().where(
                        SkillAward.learner_id == kept.c.learner_id,
                        SkillAward.skill_id == RoleLevelSkill.skill_id,
                        _rank(SkillAward.level) >= _rank(RoleLevelSkill.level),
                    )
                )
                .group_by(kept.c.cohort_id, kept.c.target, RoleLevelSkill.skill_id)
            )
        }
    )
    wording = group_cell_wording()
    grids = []
    for target, skills in required.items():
        if not skills:
            continue
        skills = sorted(skills, key=lambda skill: skill.name)
        rows = tuple(
            (
                cohort,
                tuple(
                    GroupSkillCell(met[cohort.id, target, skill.skill_id], learners[cohort.id, target], wording)
                    for skill in skills
                ),
            )
            for cohort in cohorts
            if learners.get((cohort.id, target))
        )
        names = tuple((skill.name, skill.level.label) for skill in skills)
        grids.append(CohortSkillGrid(levels[target], names, rows))
    return sorted(grids, key=lambda grid: grid.role_level.name)


def _weeks(
    kept: Subquery, cohort_ids: Sequence[int], total: int, filters: Filters, *, weeks: int, today: date
) -> list[Week]:
    """Readiness over time of the learners kept, from their stored periods."""
    everyone = current_learner_ids(cohort_ids)
    if not filters.is_active and not has_arrays():
        return weekly_readiness_from_periods(everyone, weeks=weeks, today=today)
    ids = list(db.session.connection().scalars(select(kept.c.learner_id).distinct()))
    keep = ids if filters.is_active else None
    return weekly_readiness_from_periods(narrowest(ids, total, everyone), weeks=weeks, today=today, keep=keep)


# --- The to-do lists, a page at a time ----------------------------------------------------------------
#
# A head of education's lists run to thousands of learners, and the home page shows ten of each: each list
# is counted, ordered and cut by the database, and only the learners on the page are loaded. `worklist`
# above stays the row-by-row answer these are tested against.


def summarise_cohorts(cohorts: Sequence[Cohort], today: date) -> list[CohortSummary]:
    """Each cohort's counts, as `summarise` gives them from rows, summed up by the database instead."""
    kept = _memberships([cohort.id for cohort in cohorts], Filters(), today).subquery()
    return _cohort_counts(kept, cohorts, today)[0]


@dataclass(frozen=True)
class WorkItem:
    """A learner on a to-do list: what its table shows of them, as a `LearnerRow` has it."""

    learner: LearnerFacts
    cohort_id: int
    open_barriers: tuple[Barrier, ...] = ()


@dataclass(frozen=True)
class WorkItems:
    """Some items of one to-do list, most urgent first, and how many the list has in all."""

    total: int
    items: list[Any]


@dataclass(frozen=True)
class ToDo:
    """The first few of each of a mentor's to-do lists (`Worklist` in full, without loading it)."""

    awaiting: WorkItems
    inactive: WorkItems
    releasing_with_barriers: WorkItems


def list_to_do(cohort_ids: Sequence[int], *, now: datetime, shown: int = WORKLIST_SHOWN) -> ToDo:
    """The first `shown` of each to-do list and their lengths (see `home_figures`, which also counts)."""
    members, ready = _members_at_home(cohort_ids, now)
    return _to_do(members, ready, now=now, shown=shown)


def home_figures(
    cohorts: Sequence[Cohort], *, now: datetime, shown: int = WORKLIST_SHOWN
) -> tuple[list[CohortSummary], ToDo]:
    """A mentor's home: each cohort's counts (as `summarise_cohorts`) and the to-do lists (as `list_to_do`).

    A head of education's home covers thousands of learners. Asking the database for each figure and each
    list's count and first items (as a "See all" page does, `list_work`) would walk every member eight
    times; here they are read once, in one statement, with what each list orders and chooses by, each learner's
    band now and their modules ready for sign-off. The lists keep `_work_statement`'s order, so the home and
    "See all" agree.
    """
    with looked_up_by_learner():
        members, ready = _members_at_home([cohort.id for cohort in cohorts], now)
    soon = now.date() + timedelta(days=RELEASE_SOON_DAYS)
    bands = {band.value: band for band in Band}
    counts: dict[int, dict[Band, int]] = {cohort.id: dict.fromkeys(Band, 0) for cohort in cohorts}
    releasing: Counter[int] = Counter()
    waiting_per_learner = Counter(learner_id for learner_id, _enrolment_id, _last in ready)
    waiting: Counter[int] = Counter()
    for learner_id, cohort_id, release, _name, _since, _resolved, band in members:
        counts[cohort_id][bands[band]] += 1
        releasing[cohort_id] += 1 if release is not None and release <= soon else 0
        waiting[cohort_id] += waiting_per_learner[learner_id]
    summaries = [
        CohortSummary(
            cohort=cohort,
            learners=sum(counts[cohort.id].values()),
            bands=counts[cohort.id],
            awaiting_sign_off=waiting[cohort.id],
            releases_soon=releasing[cohort.id],
        )
        for cohort in cohorts
    ]
    return summaries, _to_do(members, ready, now=now, shown=shown)


def _members_at_home(cohort_ids: Sequence[int], now: datetime) -> tuple[Sequence[Any], Sequence[Any]]:
    """Every current member of these cohorts as (learner id, cohort id, release date, name in lower case, last
    active, checklist items sorted out, band now), and the modules ready for sign-off of them as
    (learner id, enrolment id, last activity).

    One statement: each member's row comes with each of their modules waiting (or none), so the memberships are
    walked and each learner's profile read once, not once for the members and again for the modules.
    """
    people = (
        _memberships(cohort_ids, Filters(), now.date())
        .add_columns(
            func.lower(LearnerProfile.preferred_name).label("name"),
            func.coalesce(LearnerProfile.last_activity_at, User.created_at).label("since"),
        )
        .join(User, User.id == CohortMembership.learner_id)
        .subquery()
    )
    rows = (
        db.session.connection()
        .execute(
            select(
                people.c.learner_id,
                people.c.cohort_id,
                people.c.release_date,
                people.c.name,
                people.c.since,
                _items_sorted_out(people.c.learner_id),
                people.c.band,
                EnrolmentState.enrolment_id,
                EnrolmentState.last_activity_at,
            ).outerjoin(
                EnrolmentState,
                and_(
                    EnrolmentState.learner_id == people.c.learner_id,
                    EnrolmentState.status == ModuleStatus.READY_FOR_SIGN_OFF.value,
                ),
            )
        )
        .all()
    )
    members: dict[tuple[int, int], tuple[Any, ...]] = {}
    ready: dict[int, tuple[int, int, datetime | None]] = {}
    for learner_id, cohort_id, release, name, since, resolved, band, enrolment_id, last_activity_at in rows:
        if (learner_id, cohort_id) not in members:
            members[learner_id, cohort_id] = (learner_id, cohort_id, release, name, since, resolved, band)
        if enrolment_id is not None:
            ready[enrolment_id] = (learner_id, enrolment_id, last_activity_at)
    return list(members.values()), list(ready.values())


def _to_do(members: Sequence[Any], ready: Sequence[Any], *, now: datetime, shown: int) -> ToDo:
    """The three lists from `_members_at_home`'s rows, each in `_work_statement`'s order, cut to `shown`."""
    quiet_since = now - timedelta(days=INACTIVE_DAYS)
    due_by = now.date() + timedelta(days=RELEASE_SOON_DAYS)
    never = datetime.max.replace(tzinfo=UTC)
    modules: dict[int, list[tuple[int, datetime | None]]] = defaultdict(list)
    for learner_id, enrolment_id, last_activity_at in ready:
        modules[learner_id].append((enrolment_id, last_activity_at))
    awaiting = sorted(
        (
            (last is None, last or never, name, learner_id, cohort_id, enrolment_id),
            (learner_id, cohort_id, enrolment_id),
        )
        for learner_id, cohort_id, _release, name, _since, _resolved, _band in members
        for enrolment_id, last in modules.get(learner_id, ())
    )
    inactive = sorted(
        ((since, name, learner_id, cohort_id), (learner_id, cohort_id, None))
        for learner_id, cohort_id, _release, name, since, _resolved, _band in members
        if since < quiet_since
    )
    releasing = sorted(
        ((release, name, learner_id, cohort_id), (learner_id, cohort_id, None))
        for learner_id, cohort_id, release, name, _since, done, _band in members
        if release is not None and release <= due_by and done < len(Barrier)
    )

    def first(kind: WorklistKind, ordered: Sequence[tuple[Any, tuple[int, int, int | None]]]) -> WorkItems:
        return _work_items(kind, [chosen for _, chosen in ordered[:shown]], len(ordered))

    return ToDo(
        first(WorklistKind.AWAITING, awaiting),
        first(WorklistKind.INACTIVE, inactive),
        first(WorklistKind.RELEASING, releasing),
    )


def worklist_page(cohort_ids: Sequence[int], kind: WorklistKind, number: int, *, now: datetime) -> Page[Any]:
    """Page `number` of one to-do list (`paging.page_of`'s rules for numbers out of range)."""
    size = WORKLIST_PAGE_SIZE
    with looked_up_by_learner():
        total = _work_statement(cohort_ids, kind, now, counting=True)
        count = db.session.connection().execute(total).scalar_one()
        shown, pages = position(count, number, size)
        work = list_work(cohort_ids, kind, now=now, limit=size, offset=(shown - 1) * size, total=count)
    return Page(work.items, shown, pages, work.total, size, asked=number)


def list_work(
    cohort_ids: Sequence[int],
    kind: WorklistKind,
    *,
    now: datetime,
    limit: int,
    offset: int = 0,
    total: int | None = None,
) -> WorkItems:
    """`limit` items of one to-do list from `offset`, and how many it has: two queries for the list, and a few
    more for what its items show, whatever its length."""
    connection = db.session.connection()
    if total is None:
        total = connection.execute(_work_statement(cohort_ids, kind, now, counting=True)).scalar_one()
    # The same statements for an empty list as for a long one, so a page's count is one whatever its data.
    chosen = connection.execute(_work_statement(cohort_ids, kind, now).limit(limit).offset(offset)).all()
    return _work_items(
        kind, [(learner_id, cohort_id, enrolment_id) for learner_id, cohort_id, enrolment_id in chosen], total
    )


def _work_items(kind: WorklistKind, chosen: Sequence[tuple[int, int, int | None]], total: int) -> WorkItems:
    """What a list's table shows of the chosen (learner id, cohort id, enrolment id) items, in a few statements."""
    facts = _learner_facts({learner_id for learner_id, _cohort_id, _enrolment_id in chosen})
    if kind is WorklistKind.AWAITING:
        states = {
            state.enrolment.id: state
            for state in _ready_modules(EnrolmentState.enrolment_id.in_([row[2] for row in chosen]))
        }
        items: list[Any] = [
            (WorkItem(facts[learner_id], cohort_id), states[enrolment_id])
            for learner_id, cohort_id, enrolment_id in chosen
            if enrolment_id is not None  # always, on this list
        ]
    elif kind is WorklistKind.RELEASING:
        open_ = _open_barriers(list(facts))
        items = [WorkItem(facts[learner_id], cohort_id, open_[learner_id]) for learner_id, cohort_id, _ in chosen]
    else:
        items = [WorkItem(facts[learner_id], cohort_id) for learner_id, cohort_id, _ in chosen]
    return WorkItems(total, items)


def _work_statement(cohort_ids: Sequence[int], kind: WorklistKind, now: datetime, *, counting: bool = False) -> Any:
    """The statement choosing one list's items, most urgent first as `worklist` orders them (ties by name), each
    as (learner id, cohort id, enrolment id or None); or, `counting`, the statement counting them."""
    # The name and last activity come with the members, so the profile is read once, not joined again.
    people = (
        _memberships(cohort_ids, Filters(), now.date(), with_band=False)
        .add_columns(
            func.lower(LearnerProfile.preferred_name).label("name"),
            LearnerProfile.last_activity_at.label("last_activity_at"),
        )
        .subquery()
    )
    name = people.c.name
    statement: Select[Any]
    if kind is WorklistKind.AWAITING:
        statement = (
            select(people.c.learner_id, people.c.cohort_id, EnrolmentState.enrolment_id)
            .join_from(people, EnrolmentState, EnrolmentState.learner_id == people.c.learner_id)
            .where(EnrolmentState.status == ModuleStatus.READY_FOR_SIGN_OFF.value)
        )
        order: list[Any] = [EnrolmentState.last_activity_at.is_(None), EnrolmentState.last_activity_at]
        tie = [EnrolmentState.enrolment_id]
    elif kind is WorklistKind.INACTIVE:
        since = func.coalesce(people.c.last_activity_at, User.created_at)
        statement = (
            select(people.c.learner_id, people.c.cohort_id, null())
            .join_from(people, User, User.id == people.c.learner_id)
            .where(since < now - timedelta(days=INACTIVE_DAYS))
        )
        order, tie = [since], []
    else:
        resolved = _items_sorted_out(people.c.learner_id)
        statement = select(people.c.learner_id, people.c.cohort_id, null()).where(
            people.c.release_date <= now.date() + timedelta(days=RELEASE_SOON_DAYS), resolved < len(Barrier)
        )
        order, tie = [people.c.release_date], []
    if counting:
        return select(func.count()).select_from(statement.subquery())
    return statement.order_by(*order, name, people.c.learner_id, people.c.cohort_id, *tie)


def _sorted_out() -> ColumnElement[bool]:
    """A checklist item sorted out, in SQL, as `BarrierItem.is_resolved` says in Python."""
    return or_(BarrierItem.already_in_place.is_(True), BarrierItem.status == BarrierStatus.COMPLETED)


def _items_sorted_out(learner_id: Any) -> Any:
    """How many of this learner's checklist items are sorted out (a correlated count, for the to-do lists)."""
    return select(func.count()).where(BarrierItem.learner_id == learner_id, _sorted_out()).scalar_subquery()


def _learner_facts(ids: Collection[int]) -> dict[int, LearnerFacts]:
    """These learners as a dashboard sees them (a page of a to-do list: a few dozen at most), in one query."""
    rows = db.session.execute(
        select(
            User.id,
            User.public_id,
            LearnerProfile.preferred_name,
            User.created_at,
            User.password_hash.is_(None),
            LearnerProfile.release_date,
            LearnerProfile.last_activity_at,
            RoleLevel,
        )
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .outerjoin(RoleLevel, RoleLevel.id == LearnerProfile.target_role_level_id)
        .where(User.id.in_(list(ids)))
    ).all()
    return {
        id_: LearnerFacts(id_, public_id, name, created, bool(inactive), release, active, level)
        for id_, public_id, name, created, inactive, release, active, level in rows
    }


def _open_barriers(learner_ids: list[int]) -> dict[int, tuple[Barrier, ...]]:
    """Each learner's checklist items not sorted out yet, in the checklist's order."""
    resolved: dict[int, set[str]] = defaultdict(set)
    rows = db.session.connection().execute(
        select(BarrierItem.learner_id, type_coerce(BarrierItem.barrier, String)).where(
            BarrierItem.learner_id.in_(learner_ids),
            _sorted_out(),
        )
    )
    for learner_id, barrier in rows:
        resolved[learner_id].add(barrier)
    return {
        learner_id: tuple(barrier for barrier in _CHECKLIST if barrier.value not in resolved[learner_id])
        for learner_id in learner_ids
    }
