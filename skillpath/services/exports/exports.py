"""CSV exports for staff: one row per learner of a cohort or an establishment, streamed.

Rows are made page by page (keyset pagination, `PAGE_SIZE` learners at a time)
and handed out one line at a time, so an export of any size never sits whole in
memory. The file opens cleanly in Excel and LibreOffice: UTF-8 with a byte-order
mark, dates as ISO 8601 (2026-11-26). Invisible and direction-changing characters
are taken out of every cell, and a cell that then begins with = + - @ (or a tab
or carriage return, or a full-width or small form of those signs, after any
spaces) is prefixed with ' so that a spreadsheet shows it as text rather than
running it as a formula.

Columns (the same whatever the data, so a spreadsheet or a script built on one
export works on the next): name, prison number, cohort, target role, readiness
score, band and its code, work-readiness status and its prison-service code,
expected release date, last activity, open barriers, and each barrier's state
with its code. Skills, which differ with each learner's target role, are in the
skills export (one row per learner and skill); the codes export carries the
prison service's codes in named columns. Both are made in `codes.py` and described
in docs/codes.md. Nothing about health or offences is exported.
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
from skillpath.i18n import _
from skillpath.models import (
    Barrier,
    BarrierStatus,
    Cohort,
    CohortMembership,
    Establishment,
    LearnerProfile,
    RoleLevel,
    User,
    WorkReadiness,
)
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.readiness.dashboards import Filters
from skillpath.services.readiness.learner_state import barrier_states, held_levels, required_skills
from skillpath.services.readiness.readiness import BarrierState, Readiness, ReadinessRules, RequiredSkill, assess
from skillpath.services.readiness.work_status import current_statuses
from skillpath.text import strip_invisible

PAGE_SIZE = 500
# The exports of a cohort or an establishment: for people (labels first), and two in the prison service's codes.
PEOPLE, CODES, SKILLS = "people", "codes", "skills"
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
            User.public_id.label("learner_public_id"),
            LearnerProfile.preferred_name.label("name"),
            LearnerProfile.prison_number,
            LearnerProfile.release_date,
            LearnerProfile.last_activity_at,
            LearnerProfile.target_role_level_id.label("target_id"),
            RoleLevel.public_id.label("target_public_id"),
            RoleLevel.name.label("target_name"),
            Cohort.name.label("cohort_name"),
            Establishment.code.label("establishment_code"),
        )
        .join(LearnerProfile, LearnerProfile.user_id == User.id)
        .join(CohortMembership, CohortMembership.learner_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Establishment, Establishment.id == Cohort.establishment_id)
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


def _target_needs(scope: ExportScope) -> dict[int, list[RequiredSkill]]:
    """What each target role level of the scope's learners needs."""
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
    return required_skills(level_ids)


@dataclass(frozen=True)
class LearnerLine:
    """One learner of an export, with what every export reads about them."""

    row: Any  # the _base_query row: learner_id, name, prison_number, release_date, cohort_name, target_*...
    readiness: Readiness
    status: WorkReadiness
    barriers: dict[Barrier, BarrierState]


def learner_lines(
    scope: ExportScope, config: Mapping[str, object], *, page_size: int | None = None
) -> Iterator[list[LearnerLine]]:
    """The scope's learners a page at a time (cohort, then name), after the dashboard's filters.

    Each page is a handful of queries whatever its size; nothing is loaded before the first page is asked for.
    """
    page_size = page_size or PAGE_SIZE
    rules = ReadinessRules.from_config(config)
    required: dict[int, list[RequiredSkill]] | None = None
    after: tuple[str, str, int] | None = None
    while True:
        rows = _page(scope, after, page_size)
        if not rows:
            return
        if required is None:
            required = _target_needs(scope)
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
        page: list[LearnerLine] = []
        for row in wanted:
            readiness = assess(
                required.get(row.target_id, []) if row.target_id else [],
                held.get(row.learner_id, {}),
                barriers.get(row.learner_id, []),
                rules,
                has_target=row.target_id is not None,
            )
            if scope.filters.band is not None and readiness.band != scope.filters.band:
                continue
            states = {state.barrier: state for state in barriers.get(row.learner_id, [])}
            page.append(LearnerLine(row, readiness, statuses[row.learner_id], states))
        yield page


class CsvLines:
    """Rows made into CSV text one line at a time, each cell made safe for a spreadsheet."""

    def __init__(self) -> None:
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer)

    def __call__(self, values: Sequence[object]) -> str:
        self._writer.writerow([neutralise(value) for value in values])
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate(0)
        return text


def header() -> list[str]:
    """The people's export's columns: the same whatever the data (skills are in the skills export)."""
    columns = [
        _("Name"),
        _("Prison number"),
        _("Cohort"),
        _("Target role"),
        _("Readiness score"),
        _("Readiness band"),
        _("Readiness band code"),
        _("Work-readiness status"),
        _("Work-readiness status code"),
        _("Expected release date"),
        _("Last activity"),
        _("Barriers still open"),
    ]
    for barrier in Barrier:
        columns += [
            _("Barrier: %(barrier)s", barrier=barrier.label),
            _("Barrier code: %(code)s", code=barrier.value),
        ]
    return columns


def _barrier_cells(state: BarrierState | None) -> tuple[str, str]:
    if state is None:
        return BarrierStatus.NOT_STARTED.label, BarrierStatus.NOT_STARTED.value
    return state.status_label, state.status


def _iso_day(moment: datetime | None) -> str:
    return moment.astimezone(UK).date().isoformat() if moment is not None else ""


def open_barriers(learner: LearnerLine) -> int:
    return sum(1 for barrier in Barrier if not (barrier in learner.barriers and learner.barriers[barrier].resolved))


def csv_lines(scope: ExportScope, config: Mapping[str, object], *, page_size: int | None = None) -> Iterator[str]:
    """The export, a line at a time: the byte-order mark and header first, then one line per learner."""
    line = CsvLines()
    yield BOM + line(header())
    for page in learner_lines(scope, config, page_size=page_size):
        for learner in page:
            row, readiness = learner.row, learner.readiness
            values: list[object] = [
                row.name,
                row.prison_number or "",
                row.cohort_name,
                row.target_name or "",
                readiness.score,
                readiness.band.label,
                readiness.band.name,
                learner.status.label,
                learner.status.value,
                row.release_date.isoformat() if row.release_date else "",
                _iso_day(row.last_activity_at),
                sum(
                    1 for barrier in Barrier if not (barrier in learner.barriers and learner.barriers[barrier].resolved)
                ),
            ]
            for barrier in Barrier:
                values += _barrier_cells(learner.barriers.get(barrier))
            yield line(values)


def record_export(
    actor: User, place: Cohort | Establishment, *, kind: str, filtered: bool, ip_address: str | None
) -> None:
    """Audit an export of a cohort or an establishment: who, which, which file, and whether it was filtered.

    The export itself is made after this, while the file is sent; the event is committed with the request.
    """
    if isinstance(place, Cohort):
        action, object_type = AuditAction.COHORT_EXPORTED, "cohort"
    else:
        action, object_type = AuditAction.ESTABLISHMENT_EXPORTED, "establishment"
    # The people's export is audited as it always was; the others say which file it was.
    export: dict[str, Any] = {} if kind == PEOPLE else {"export": kind}
    record_event(
        action,
        actor=actor,
        object_type=object_type,
        object_id=place.public_id,
        ip_address=ip_address,
        filtered=filtered,
        **export,
    )
