"""Where learning happens: establishments (a prison or education site) and cohorts.

Cohort membership keeps its history (joined and left times) so that a transfer
moves the learner without losing the record of where they were.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.i18n import _l
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow

if TYPE_CHECKING:
    from skillpath.models.users import User


class EstablishmentKind(StrEnum):
    PRISON = "prison"
    EDUCATION_SITE = "education_site"

    @property
    def label(self) -> str:
        return str({"prison": _l("Prison"), "education_site": _l("Education or community site")}[self.value])


cohort_mentors = Table(
    "cohort_mentors",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
)


class Establishment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "establishments"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # The prison service's three-letter code, such as BXI. Staff screens only.
    code: Mapped[str] = mapped_column(String(3), unique=True)
    kind: Mapped[EstablishmentKind] = mapped_column(str_enum(EstablishmentKind), default=EstablishmentKind.PRISON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cohorts: Mapped[list[Cohort]] = relationship(back_populates="establishment", order_by="Cohort.name")


class Cohort(db.Model):  # type: ignore[name-defined]
    __tablename__ = "cohorts"
    __table_args__ = (db.UniqueConstraint("establishment_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    establishment_id: Mapped[int] = mapped_column(ForeignKey("establishments.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    establishment: Mapped[Establishment] = relationship(back_populates="cohorts")
    mentors: Mapped[list[User]] = relationship(secondary=cohort_mentors, order_by="User.display_name")
    memberships: Mapped[list[CohortMembership]] = relationship(back_populates="cohort")


class CohortMembership(db.Model):  # type: ignore[name-defined]
    """A learner's time in a cohort. The current membership has no left_at."""

    __tablename__ = "cohort_memberships"
    __table_args__ = (
        Index("ix_cohort_memberships_current", "learner_id", "left_at"),
        # A cohort's current members, from the index alone: every dashboard starts here.
        Index(
            "ix_cohort_memberships_cohort_current",
            "cohort_id",
            "learner_id",
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"), index=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    learner: Mapped[User] = relationship()

    @property
    def is_current(self) -> bool:
        return self.left_at is None
