"""Read models: what the dashboards read instead of replaying the logs on every view.

The append-only logs (progress events, skill awards, barrier changes) stay the source of
truth. These tables are worked out from them for one learner at a time, in the same
transaction as the change that makes them stale (`services/readiness/read_models.py`), and
`flask read-models rebuild` works every row out again from the logs alone; a test holds the
two to the same answer.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, utcnow


class ReadinessPeriod(db.Model):  # type: ignore[name-defined]
    """A learner's readiness at the end of each week from `starts` up to `ends`.

    Weeks start on a Monday. A period covers the weeks in which the learner's score and band
    did not change; `ends` is the Monday of the first week that differs (None for the current
    period). A learner has no periods before the week they first appear. Past weeks never
    change, except when a learner's target role level changes: every week is scored against
    the current target, as the readiness chart has always done.
    """

    __tablename__ = "readiness_periods"
    __table_args__ = (
        Index("ix_readiness_periods_learner_starts", "learner_id", "starts", unique=True),
        # Each learner's current period (at most one), found from the learner: dashboards join to it from a
        # cohort's members, and the index alone answers with the band and score.
        Index(
            "ix_readiness_periods_current",
            "learner_id",
            "band",
            "score",
            unique=True,
            sqlite_where=text("ends IS NULL"),
            postgresql_where=text("ends IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts: Mapped[date] = mapped_column(Date)
    ends: Mapped[date | None] = mapped_column(Date)
    score: Mapped[int] = mapped_column(Integer)
    # The band's value (services/readiness/readiness.py `Band`).
    band: Mapped[str] = mapped_column(String(30))


class EnrolmentState(db.Model):  # type: ignore[name-defined]
    """Where each enrolment stands now, as `progress.derive_progress` works it out from the log.

    One row per enrolment; dashboards find the modules awaiting sign-off here rather than by
    replaying every event of every learner.
    """

    __tablename__ = "enrolment_states"
    __table_args__ = (Index("ix_enrolment_states_status_learner", "status", "learner_id"),)

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"))
    # The status's value (services/progress/progress.py `ModuleStatus`).
    status: Mapped[str] = mapped_column(String(30))
    units_done: Mapped[int] = mapped_column(Integer, default=0)
    evidence_count: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StoredFile(db.Model):  # type: ignore[name-defined]
    """An evidence file kept in the database, for hosts that share no folder (EVIDENCE_STORAGE=database)."""

    __tablename__ = "stored_files"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
