"""CSV exports for staff: one row per learner of a cohort or an establishment, streamed.

Rows are made page by page (keyset pagination, `PAGE_SIZE` learners at a time)
and handed out one line at a time, so an export of any size never sits whole in
memory. The file opens cleanly in Excel and LibreOffice: UTF-8 with a byte-order
mark, dates as ISO 8601 (2026-11-26). Invisible and direction-changing characters
are taken out of every cell, and a cell that then begins with = + - @ (or a tab
or carriage return, or a full-width or small form of those signs, after any
spaces) is prefixed with ' so that a spreadsheet shows it as text rather than
running it as a formula.

Columns: name, prison number, cohort, target role, readiness score and band,
work-readiness status, expected release date, last activity, open barriers and
each barrier's state, then for every skill that any learner's target role needs,
the level held and the level needed. Nothing about health or offences is held,
so nothing about them can be exported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select

from skillpath.extensions import db
from skillpath.models import Barrier, Cohort, CohortMembership, LearnerProfile, RoleLevel, User
from skillpath.services.readiness.dashboards import Filters
from skillpath.services.readiness.learner_state import barrier_states, held_levels, required_skills
from skillpath.services.readiness.readiness import BarrierState, ReadinessRules, RequiredSkill, assess
from skillpath.services.readiness.work_status import current_statuses
from skillpath.text import strip_invisible

PAGE_SIZE = 500
BOM = "\ufeff"
UK = ZoneInfo("Europe/London")
_FORMULA_SIGNS = frozenset("=+-@")
# Signs that NFKC does not fold into one of those but a spreadsheet may still read as one.
_FORMULA_LOOKALIKES = frozenset("\u2212")


def neutralise(value: object) -> object:
    """Text without invisible characters, made plain text if a spreadsheet would run it as a formula.

    Anything but text is left alone.
    """
    if not isinstance(value, str):
        return value
    text = strip_invisible(value)
    return "'" + text if _starts_like_a_formula(text) else text


def _starts_like_a_formula(text: str) -> bool:
    if text.startswith(("\t", "\r")):
        return True
    first = text.lstrip()[:1]
    return bool(first) and (unicodedata.normalize("NFKC", first) in _FORMULA_SIGNS or first in _FORMULA_LOOKALIKES)


def slug(text: str) -> str:
    """ASCII, lower-case and hyphenated, for a file name: 'Łódź Café' -> 'lodz-cafe'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "export"


@dataclass(frozen=True)
class ExportScope:
    cohort_ids: Sequence[int]
    filters: Filters
    today: date


def _base_query(scope: ExportScope) -> Any:
    query = (
        select(
            User.id.label("learner_id"),
            LearnerProfile.preferred_name.label("name"),
            LearnerProfile.prison_number,
            LearnerProfile.release_date,
            LearnerProfile.last_activity_at,
            LearnerProfile.target_role_level_id.label("target_id"),
            RoleLevel.public_id.label("target_public_id"),
            RoleLevel.name.label("target_name"),
            Cohort.name.label("cohort_name"),
        )
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .join(CohortMembership, CohortMembership.learner_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .outerjoin(RoleLevel, RoleLevel.id == LearnerProfile.target_role_level_id)
        .where(
            CohortMembership.cohort_id.in_(list(scope.cohort_ids)),
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
        )
    )
    if scope.filters.role_level is not None:
        query = query.where(RoleLevel.public_id == scope.filters.role_level)
    return query


def _page(scope: ExportScope, after: tuple[str, str, int] | None, size: int) -> list[Any]:
    query = _base_query(scope)
    if after is not None:
        cohort, name, learner_id = after
        query = query.where(
            or_(
                Cohort.name > cohort,
                and_(Cohort.name == cohort, LearnerProfile.preferred_name > name),
                and_(Cohort.name == cohort, LearnerProfile.preferred_name == name, User.id > learner_id),
            )
        )
    query = query.order_by(Cohort.name, LearnerProfile.preferred_name, User.id).limit(size)
    return list(db.session.execute(query).all())


def _skill_columns(scope: ExportScope) -> tuple[dict[int, list[RequiredSkill]], list[tuple[int, str]]]:
    """What each target role level needs, and every skill any of them needs, in name order."""
    level_ids: set[int] = set(
        db.session.scalars(
            select(LearnerProfile.target_role_level_id)
            .distinct()
            .join(CohortMembership, CohortMembership.learner_id == LearnerProfile.user_id)
            .where(
                CohortMembership.cohort_id.in_(list(scope.cohort_ids)),
                CohortMembership.left_at.is_(None),
                LearnerProfile.released_at.is_(None),
                LearnerProfile.target_role_level_id.is_not(None),
            )
        )
    )
    required = required_skills(level_ids)
    skills = {skill.skill_id: skill.name for needs in required.values() for skill in needs}
    return required, sorted(skills.items(), key=lambda item: item[1].casefold())


def header(skills: Sequence[tuple[int, str]]) -> list[str]:
    columns = [
        "Name",
        "Prison number",
        "Cohort",
        "Target role",
        "Readiness score",
        "Readiness band",
        "Work-readiness status",
        "Expected release date",
        "Last activity",
        "Barriers still open",
    ]
    columns += [f"Barrier: {barrier.label}" for barrier in Barrier]
    for _, name in skills:
        columns += [f"{name}: level held", f"{name}: level needed"]
    return columns


def _barrier_cell(state: BarrierState | None) -> str:
    return state.status_label if state is not None else "Not started"


def _iso_day(moment: datetime | None) -> str:
    return moment.astimezone(UK).date().isoformat() if moment is not None else ""


def csv_lines(scope: ExportScope, config: Mapping[str, object], *, page_size: int | None = None) -> Iterator[str]:
    """The export, a line at a time: the byte-order mark and header first, then one line per learner."""
    page_size = page_size or PAGE_SIZE
    rules = ReadinessRules.from_config(config)
    required, skills = _skill_columns(scope)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Sequence[object]) -> str:
        writer.writerow([neutralise(value) for value in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    yield BOM + line(header(skills))
    after: tuple[str, str, int] | None = None
    while True:
        rows = _page(scope, after, page_size)
        if not rows:
            return
        last = rows[-1]
        after = (last.cohort_name, last.name, last.learner_id)
        wanted = [
            row
            for row in rows
            if scope.filters.keeps(
                role_level=row.target_public_id, release_date=row.release_date, name=row.name, today=scope.today
            )
        ]
        ids = [row.learner_id for row in wanted]
        held, barriers, statuses = held_levels(ids), barrier_states(ids), current_statuses(ids)
        for row in wanted:
            needs = required.get(row.target_id, []) if row.target_id else []
            readiness = assess(
                needs,
                held.get(row.learner_id, {}),
                barriers.get(row.learner_id, []),
                rules,
                has_target=row.target_id is not None,
            )
            if scope.filters.band is not None and readiness.band != scope.filters.band:
                continue
            states = {state.barrier: state for state in barriers.get(row.learner_id, [])}
            gaps = {gap.skill_id: gap for gap in readiness.skills}
            values: list[object] = [
                row.name,
                row.prison_number or "",
                row.cohort_name,
                row.target_name or "",
                readiness.score,
                readiness.band.value,
                statuses[row.learner_id].label,
                row.release_date.isoformat() if row.release_date else "",
                _iso_day(row.last_activity_at),
                sum(1 for barrier in Barrier if not (barrier in states and states[barrier].resolved)),
                *(_barrier_cell(states.get(barrier)) for barrier in Barrier),
            ]
            for skill_id, _ in skills:
                gap = gaps.get(skill_id)
                values += [gap.held.label if gap and gap.held else "", gap.required.label if gap else ""]
            yield line(values)
