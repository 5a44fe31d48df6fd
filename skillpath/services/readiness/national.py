"""Every establishment side by side, for administrators: the national view.

One row per establishment: its current learners, how many are in each readiness band,
modules awaiting sign-off and certificates issued this calendar month. With 120
establishments and 90,000 learners, nothing here loads a learner: each figure is a
count the database works out, grouped by establishment, from the read models
(`models/read_models.py`: a learner's current readiness period and each enrolment's
state) rather than from the logs. The number of statements is the same whatever the
number of establishments (a test holds the page to it).

Learners are counted as `scope.current_learner_ids` counts them (still members of a
cohort, not released), in the cohorts still running, as the establishment view does.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, select

from skillpath.extensions import db
from skillpath.models import Certificate, Cohort, CohortMembership, Establishment, LearnerProfile
from skillpath.models.read_models import EnrolmentState, ReadinessPeriod
from skillpath.services.progress.progress import ModuleStatus
from skillpath.services.readiness.readiness import Band

UK = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class EstablishmentFigures:
    """One establishment's row. `bands` has every band, zeros included."""

    public_id: uuid.UUID
    name: str
    code: str
    learners: int
    bands: Mapping[Band, int]
    awaiting_sign_off: int
    certificates_this_month: int


class Column(StrEnum):
    """The columns the national table can be sorted by, as they appear in its address (`?sort=`)."""

    NAME = "name"
    LEARNERS = "learners"
    NOT_STARTED = "not-started"
    BUILDING = "building"
    NEARLY_READY = "nearly-ready"
    READY = "ready"
    AWAITING = "awaiting-sign-off"
    CERTIFICATES = "certificates"


_BAND_COLUMNS = {
    Column.NOT_STARTED: Band.NOT_STARTED,
    Column.BUILDING: Band.BUILDING,
    Column.NEARLY_READY: Band.NEARLY_READY,
    Column.READY: Band.READY,
}


def sort_key(column: Column, row: EstablishmentFigures) -> int | str:
    if column is Column.NAME:
        return row.name.casefold()
    if column is Column.LEARNERS:
        return row.learners
    if column is Column.AWAITING:
        return row.awaiting_sign_off
    if column is Column.CERTIFICATES:
        return row.certificates_this_month
    return row.bands[_BAND_COLUMNS[column]]


def sorted_by(rows: Sequence[EstablishmentFigures], column: Column, *, descending: bool) -> list[EstablishmentFigures]:
    """The rows in the column's order; ties keep the order of the names, whichever way the column goes."""
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), row.code))
    return sorted(by_name, key=lambda row: sort_key(column, row), reverse=descending)


def start_of_month(now: datetime) -> datetime:
    """Midnight on the first of this month in the UK, as a UTC time: "this month" as staff in a prison mean it."""
    local = now.astimezone(UK)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def _current_members() -> Select[int, int]:
    """(establishment id, learner id) for every current learner in a running cohort, nationally."""
    return (
        select(Cohort.establishment_id.label("establishment_id"), CohortMembership.learner_id.label("learner_id"))
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(LearnerProfile, LearnerProfile.user_id == CohortMembership.learner_id)
        .where(
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
            Cohort.archived_at.is_(None),
        )
    )


def list_establishment_figures(*, now: datetime | None = None) -> list[EstablishmentFigures]:
    """Every establishment's figures, by name, in two statements whatever their number.

    The learners are read once: each current learner is joined to their current readiness period and to their
    counts of modules awaiting sign-off and certificates this month (each worked out per learner first), then
    everything is counted by establishment and band. A learner with no current readiness period yet (the read
    model has not reached them) counts as not started, so the bands always add up to the learners.
    """
    now = now or datetime.now(UTC)
    establishments = db.session.execute(
        select(Establishment.id, Establishment.public_id, Establishment.name, Establishment.code).order_by(
            Establishment.name
        )
    ).all()
    members = _current_members().subquery()
    awaiting = (
        select(EnrolmentState.learner_id, func.count().label("count"))
        .where(EnrolmentState.status == ModuleStatus.READY_FOR_SIGN_OFF.value)
        .group_by(EnrolmentState.learner_id)
        .subquery()
    )
    certificates = (
        select(Certificate.learner_id, func.count().label("count"))
        .where(Certificate.issued_at >= start_of_month(now))
        .group_by(Certificate.learner_id)
        .subquery()
    )
    counted = db.session.execute(
        select(
            members.c.establishment_id,
            ReadinessPeriod.band,
            func.count(),
            func.coalesce(func.sum(awaiting.c.count), 0),
            func.coalesce(func.sum(certificates.c.count), 0),
        )
        .select_from(members)
        .outerjoin(
            ReadinessPeriod,
            and_(ReadinessPeriod.learner_id == members.c.learner_id, ReadinessPeriod.ends.is_(None)),
        )
        .outerjoin(awaiting, awaiting.c.learner_id == members.c.learner_id)
        .outerjoin(certificates, certificates.c.learner_id == members.c.learner_id)
        .group_by(members.c.establishment_id, ReadinessPeriod.band)
    ).all()
    bands: dict[int, dict[Band, int]] = defaultdict(lambda: dict.fromkeys(Band, 0))
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # learners, awaiting, certificates
    for establishment_id, band, learners, waiting, issued in counted:
        bands[establishment_id][Band(band) if band else Band.NOT_STARTED] += learners
        totals = sums[establishment_id]
        totals[0], totals[1], totals[2] = totals[0] + learners, totals[1] + int(waiting), totals[2] + int(issued)
    return [
        EstablishmentFigures(
            public_id=public_id,
            name=name,
            code=code,
            learners=sums[establishment_id][0],
            bands=dict(bands[establishment_id]),
            awaiting_sign_off=sums[establishment_id][1],
            certificates_this_month=sums[establishment_id][2],
        )
        for establishment_id, public_id, name, code in establishments
    ]


@dataclass(frozen=True)
class Totals:
    learners: int
    bands: Mapping[Band, int]
    awaiting_sign_off: int
    certificates_this_month: int

    @property
    def ready(self) -> int:
        return self.bands[Band.READY]

    @property
    def nearly_ready(self) -> int:
        return self.bands[Band.NEARLY_READY]


def totals(rows: Sequence[EstablishmentFigures]) -> Totals:
    return Totals(
        learners=sum(row.learners for row in rows),
        bands={band: sum(row.bands[band] for row in rows) for band in Band},
        awaiting_sign_off=sum(row.awaiting_sign_off for row in rows),
        certificates_this_month=sum(row.certificates_this_month for row in rows),
    )
