"""The codes exports: a cohort's or an establishment's learners in the prison service's own codes.

Two CSV files, for staff who line SkillPath up with what prison staff already record (the Ministry of
Justice's "Get someone ready for work" and "Learning and work progress" services):

- ``codes``: one row per learner. Every coded value is in a column named for it (``work_readiness_status``)
  holding the code, with its words in the next column (``work_readiness_status_label``). Codes the prison
  service has are theirs, exactly; values only SkillPath has are in columns starting ``skillpath_``.
- ``skills``: long ("tidy") form, one row per learner and skill: each skill their target job needs, with the
  level needed and held, and each employability skill they have rated their confidence in.

The columns never depend on the data: the same file layout every time, described (with every code) in
docs/codes.md and checked by tests/integration/test_codes_export.py against a copy of the prison service's
enums. Empty means "none": no status recorded yet, no status-change type. Reasons for declining support are
left out: one of them is a health reason (special-category data), and none is needed to line records up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import String, func, select, type_coerce

from skillpath.extensions import db
from skillpath.i18n import _l
from skillpath.models import Barrier, BarrierItem, BarrierStatus, Goal, GoalStatus, ReadinessStatusChange, WorkReadiness
from skillpath.models.plans import ConfidenceRating, EmployabilitySkill
from skillpath.services.exports.exports import BOM, UK, CsvLines, ExportScope, LearnerLine, learner_lines, open_barriers

# The prison service counts people due out within 12 weeks separately.
WITHIN_12_WEEKS = timedelta(weeks=12)
FRAMEWORK, EMPLOYABILITY = "FRAMEWORK", "EMPLOYABILITY"


def _barrier_columns(barrier: Barrier) -> list[str]:
    key = f"barrier_{barrier.value.lower()}"
    return [f"{key}_status", f"{key}_status_label", f"{key}_already_in_place"]


CODES_COLUMNS: tuple[str, ...] = (
    "learner_id",
    "prison_number",
    "name",
    "prison_id",
    "cohort",
    "target_job",
    "readiness_score",
    "skillpath_readiness_band",
    "skillpath_readiness_band_label",
    "work_readiness_status",
    "work_readiness_status_label",
    "status_change_date",
    "status_change_type",
    "status_change_type_label",
    "expected_release_date",
    "within_12_weeks",
    "last_activity_date",
    "barriers_open",
    *(column for barrier in Barrier for column in _barrier_columns(barrier)),
    "goals_active",
    "goals_completed",
    "goals_archived",
)

SKILLS_COLUMNS: tuple[str, ...] = (
    "learner_id",
    "prison_number",
    "skill_kind",
    "framework_skill",
    "employability_skill",
    "employability_skill_label",
    "skillpath_level_needed",
    "skillpath_level_needed_label",
    "skillpath_level_held",
    "skillpath_level_held_label",
    "skill_met",
    "employability_skill_rating",
    "employability_skill_rating_label",
    "rated_date",
)

# The prison service's StatusChange codes in words (SkillPath shows learners the same words).
STATUS_CHANGE_LABELS = {
    "NEW": _l("First recorded"),
    "ACCEPTED_TO_DECLINED": _l("Changed to not wanting support"),
    "DECLINED_TO_ACCEPTED": _l("Changed to wanting support"),
}


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _day(moment: datetime | None) -> str:
    return moment.astimezone(UK).date().isoformat() if moment is not None else ""


# --- What the people's export does not read -------------------------------------------------------------------


def _latest_changes(learner_ids: Collection[int]) -> dict[int, ReadinessStatusChange]:
    latest: dict[int, ReadinessStatusChange] = {}
    if not learner_ids:
        return latest
    changes = db.session.scalars(
        select(ReadinessStatusChange)
        .where(ReadinessStatusChange.learner_id.in_(list(learner_ids)))
        .order_by(ReadinessStatusChange.changed_at, ReadinessStatusChange.id)
    )
    for change in changes:
        latest[change.learner_id] = change  # oldest first, so the newest wins
    return latest


def _barrier_items(learner_ids: Collection[int]) -> dict[int, dict[str, tuple[str, bool]]]:
    """Each learner's checklist as (status code, already in place) by barrier code: the two facts apart."""
    items: dict[int, dict[str, tuple[str, bool]]] = defaultdict(dict)
    if not learner_ids:
        return items
    rows = db.session.execute(
        select(
            BarrierItem.learner_id,
            type_coerce(BarrierItem.barrier, String),
            type_coerce(BarrierItem.status, String),
            BarrierItem.already_in_place,
        ).where(BarrierItem.learner_id.in_(list(learner_ids)))
    )
    for learner_id, barrier, status, already_in_place in rows:
        items[learner_id][barrier] = (status, bool(already_in_place))
    return items


def _goal_counts(learner_ids: Collection[int]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    if not learner_ids:
        return counts
    rows = db.session.execute(
        select(Goal.learner_id, type_coerce(Goal.status, String), func.count())
        .where(Goal.learner_id.in_(list(learner_ids)))
        .group_by(Goal.learner_id, Goal.status)
    )
    for learner_id, status, count in rows:
        counts[learner_id][status] = int(count)
    return counts


def _self_ratings(learner_ids: Collection[int]) -> dict[int, dict[EmployabilitySkill, ConfidenceRating]]:
    """Each learner's newest rating of their own confidence in each employability skill."""
    ratings: dict[int, dict[EmployabilitySkill, ConfidenceRating]] = defaultdict(dict)
    if not learner_ids:
        return ratings
    rows = db.session.scalars(
        select(ConfidenceRating)
        .where(
            ConfidenceRating.learner_id.in_(list(learner_ids)),
            ConfidenceRating.assessor_id == ConfidenceRating.learner_id,
            ConfidenceRating.employability_skill.is_not(None),
            ConfidenceRating.confidence.is_not(None),
        )
        .order_by(ConfidenceRating.rated_at, ConfidenceRating.id)
    )
    for rating in rows:
        if rating.employability_skill is not None:
            ratings[rating.learner_id][rating.employability_skill] = rating
    return ratings


# --- The files --------------------------------------------------------------------------------------------------


def _status_cells(status: WorkReadiness, change: ReadinessStatusChange | None) -> list[object]:
    # SkillPath's NOT_STARTED means nothing is recorded: the prison service has no profile, so no code.
    recorded = status != WorkReadiness.NOT_STARTED
    change_type = change.change_type.value if change is not None and change.change_type is not None else ""
    return [
        status.value if recorded else "",
        status.label,
        _day(change.changed_at) if change is not None else "",
        change_type,
        str(STATUS_CHANGE_LABELS.get(change_type, "")),
    ]


def _within_12_weeks(release_date: date | None, today: date) -> str:
    return "" if release_date is None else _yes_no(today <= release_date <= today + WITHIN_12_WEEKS)


def _codes_row(
    learner: LearnerLine,
    scope: ExportScope,
    change: ReadinessStatusChange | None,
    barriers: Mapping[str, tuple[str, bool]],
    goals: Mapping[str, int],
) -> list[object]:
    row, readiness = learner.row, learner.readiness
    values: list[object] = [
        str(row.learner_public_id),
        row.prison_number or "",
        row.name,
        row.establishment_code,
        row.cohort_name,
        row.target_name or "",
        readiness.score,
        readiness.band.name,
        readiness.band.label,
        *_status_cells(learner.status, change),
        row.release_date.isoformat() if row.release_date else "",
        _within_12_weeks(row.release_date, scope.today),
        _day(row.last_activity_at),
        open_barriers(learner),
    ]
    for barrier in Barrier:
        status, already_in_place = barriers.get(barrier.value, (BarrierStatus.NOT_STARTED.value, False))
        values += [status, BarrierStatus(status).label, _yes_no(already_in_place)]
    values += [goals.get(status.value, 0) for status in (GoalStatus.ACTIVE, GoalStatus.COMPLETED, GoalStatus.ARCHIVED)]
    return values


def codes_lines(scope: ExportScope, config: Mapping[str, object], *, page_size: int | None = None) -> Iterator[str]:
    """The codes export, a line at a time: the byte-order mark and header, then one line per learner."""
    line = CsvLines()
    yield BOM + line(CODES_COLUMNS)
    for page in learner_lines(scope, config, page_size=page_size):
        ids = [learner.row.learner_id for learner in page]
        changes, barriers, goals = _latest_changes(ids), _barrier_items(ids), _goal_counts(ids)
        for learner in page:
            learner_id = learner.row.learner_id
            yield line(_codes_row(learner, scope, changes.get(learner_id), barriers[learner_id], goals[learner_id]))


def _skill_rows(learner: LearnerLine, ratings: Mapping[EmployabilitySkill, ConfidenceRating]) -> Iterator[list[object]]:
    who = [str(learner.row.learner_public_id), learner.row.prison_number or ""]
    for gap in sorted(learner.readiness.skills, key=lambda gap: gap.name.casefold()):
        held = gap.held
        yield [
            *who,
            FRAMEWORK,
            gap.name,
            "",
            "",
            gap.required.value,
            gap.required.label,
            held.value if held else "",
            held.label if held else "",
            _yes_no(gap.is_met),
            "",
            "",
            "",
        ]
    for skill in EmployabilitySkill:
        rating = ratings.get(skill)
        if rating is None or rating.confidence is None:
            continue
        yield [
            *who,
            EMPLOYABILITY,
            "",
            skill.value,
            skill.label,
            "",
            "",
            "",
            "",
            "",
            rating.confidence.value,
            rating.confidence.label,
            _day(rating.rated_at),
        ]


def skills_lines(scope: ExportScope, config: Mapping[str, object], *, page_size: int | None = None) -> Iterator[str]:
    """The skills export, a line at a time: one line per learner and skill (see SKILLS_COLUMNS)."""
    line = CsvLines()
    yield BOM + line(SKILLS_COLUMNS)
    for page in learner_lines(scope, config, page_size=page_size):
        ratings = _self_ratings([learner.row.learner_id for learner in page])
        for learner in page:
            for values in _skill_rows(learner, ratings[learner.row.learner_id]):
                yield line(values)
