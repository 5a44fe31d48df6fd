"""Learning progress: enrolments, an append-only progress log, evidence and awarded skills.

The log is never updated in place. A learner's current state (units done,
modules ready for sign-off, signed off) is derived from it, and readiness over
time is recomputed from it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow
from skillpath.models.catalogue import SkillLevel

if TYPE_CHECKING:
    from skillpath.models.catalogue import Module, ModuleUnit, Skill
    from skillpath.models.users import User


class ProgressKind(StrEnum):
    ENROLLED = "enrolled"
    UNIT_COMPLETED = "unit_completed"
    UNIT_UNDONE = "unit_undone"
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_REMOVED = "evidence_removed"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"


class Enrolment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "enrolments"
    __table_args__ = (db.UniqueConstraint("learner_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    learner: Mapped[User] = relationship()
    module: Mapped[Module] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="enrolment", order_by="Evidence.created_at")


class ProgressEvent(db.Model):  # type: ignore[name-defined]
    """One thing that happened to a learner's learning: who, what, by whom, when."""

    __tablename__ = "progress_events"
    __table_args__ = (Index("ix_progress_events_learner_time", "learner_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enrolment_id: Mapped[int | None] = mapped_column(ForeignKey("enrolments.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("module_units.id"))
    kind: Mapped[ProgressKind] = mapped_column(str_enum(ProgressKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    unit: Mapped[ModuleUnit | None] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class Evidence(db.Model):  # type: ignore[name-defined]
    """A learner's written reflection, with an optional file stored outside static/."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    reflection: Mapped[str] = mapped_column(Text)
    original_filename: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(60))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    enrolment: Mapped[Enrolment] = relationship(back_populates="evidence")


class SkillAward(db.Model):  # type: ignore[name-defined]
    """A skill at a level, awarded to a learner when a mentor signs off a module.

    Append-only: the level a learner holds is the highest awarded.
    """

    __tablename__ = "skill_awards"
    # Covers what dashboards read (held levels), so a cohort's awards come from the index alone.
    __table_args__ = (Index("ix_skill_awards_learner_levels", "learner_id", "skill_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"))
    level: Mapped[SkillLevel] = mapped_column(str_enum(SkillLevel))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    progress_event_id: Mapped[int | None] = mapped_column(ForeignKey("progress_events.id"))
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    skill: Mapped[Skill] = relationship()
