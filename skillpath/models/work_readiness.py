"""Readiness for work, in the prison service's own codes.

Each learner has one work-readiness status with a dated history (the newest
change is the current status) and a checklist of practical barriers to work.
Codes match the prison service's "Get someone ready for work" service so that
SkillPath data lines up with what prison staff already record.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.i18n import _l
from skillpath.models._types import UTCDateTime, str_enum, utcnow


class WorkReadiness(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    READY_TO_WORK = "READY_TO_WORK"
    SUPPORT_NEEDED = "SUPPORT_NEEDED"
    SUPPORT_DECLINED = "SUPPORT_DECLINED"
    NO_RIGHT_TO_WORK = "NO_RIGHT_TO_WORK"

    @property
    def label(self) -> str:
        """The words a person reads, in their language (the value is the prison service's code)."""
        return str(_WORK_READINESS_LABELS[self.value])


_WORK_READINESS_LABELS = {
    "NOT_STARTED": _l("Not started"),
    "READY_TO_WORK": _l("Ready to work"),
    "SUPPORT_NEEDED": _l("Needs support"),
    "SUPPORT_DECLINED": _l("Does not want support"),
    "NO_RIGHT_TO_WORK": _l("No right to work in the UK"),
}


class StatusChangeType(StrEnum):
    """The prison service's StatusChange, exactly. A change that is none of these (for example
    from "Needs support" to "Ready to work") has no status-change type: the column is NULL."""

    NEW = "NEW"
    ACCEPTED_TO_DECLINED = "ACCEPTED_TO_DECLINED"
    DECLINED_TO_ACCEPTED = "DECLINED_TO_ACCEPTED"


class Barrier(StrEnum):
    BANK_ACCOUNT = "BANK_ACCOUNT"
    CV_AND_COVERING_LETTER = "CV_AND_COVERING_LETTER"
    DISCLOSURE_LETTER = "DISCLOSURE_LETTER"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    HOUSING = "HOUSING"
    ID = "ID"
    INTERVIEW_CLOTHING = "INTERVIEW_CLOTHING"

    @property
    def label(self) -> str:
        return str(_BARRIER_LABELS[self.value])


_BARRIER_LABELS = {
    "BANK_ACCOUNT": _l("Bank account"),
    "CV_AND_COVERING_LETTER": _l("CV and covering letter"),
    "DISCLOSURE_LETTER": _l("Disclosure letter"),
    "EMAIL": _l("Email address"),
    "PHONE": _l("Phone"),
    "HOUSING": _l("Housing"),
    "ID": _l("Identification (ID)"),
    "INTERVIEW_CLOTHING": _l("Clothes for interviews"),
}


class BarrierStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"

    @property
    def label(self) -> str:
        return str(_BARRIER_STATUS_LABELS[self.value])


_BARRIER_STATUS_LABELS = {"NOT_STARTED": _l("Not started"), "IN_PROGRESS": _l("In progress"), "COMPLETED": _l("Done")}


class IdDocument(StrEnum):
    BIRTH_CERTIFICATE = "BIRTH_CERTIFICATE"
    DRIVING_LICENCE = "DRIVING_LICENCE"
    PASSPORT = "PASSPORT"
    OTHER = "OTHER"


class DeclineReason(StrEnum):
    FULL_TIME_CARER = "FULL_TIME_CARER"
    LACKS_CONFIDENCE_OR_MOTIVATION = "LACKS_CONFIDENCE_OR_MOTIVATION"
    HEALTH = "HEALTH"
    RETIRED = "RETIRED"
    RETURNING_TO_JOB = "RETURNING_TO_JOB"
    SELF_EMPLOYED = "SELF_EMPLOYED"
    LIMIT_THEIR_ABILITY = "LIMIT_THEIR_ABILITY"
    NO_REASON = "NO_REASON"
    ALREADY_HAS_WORK = "ALREADY_HAS_WORK"
    HOUSING_NOT_IN_PLACE = "HOUSING_NOT_IN_PLACE"
    OTHER = "OTHER"


class ReadinessStatusChange(db.Model):  # type: ignore[name-defined]
    __tablename__ = "readiness_status_changes"
    # Covers the current-status read (latest per learner), so dashboards never read the table itself.
    __table_args__ = (Index("ix_readiness_status_changes_learner_order", "learner_id", "changed_at", "id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[WorkReadiness] = mapped_column(str_enum(WorkReadiness))
    # NULL when the change is neither the first status nor into/out of "Does not want support".
    change_type: Mapped[StatusChangeType | None] = mapped_column(str_enum(StatusChangeType))
    # Only a code: health and offence details are not collected.
    decline_reason: Mapped[DeclineReason | None] = mapped_column(str_enum(DeclineReason))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    changed_by = relationship("User", foreign_keys=[changed_by_id])


class BarrierItem(db.Model):  # type: ignore[name-defined]
    """One line of a learner's barriers-to-work checklist. Changes are audited."""

    __tablename__ = "barrier_items"
    __table_args__ = (
        db.UniqueConstraint("learner_id", "barrier"),
        # Covers the checklist states dashboards read for thousands of learners at once.
        Index("ix_barrier_items_learner_states", "learner_id", "barrier", "status", "already_in_place"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    barrier: Mapped[Barrier] = mapped_column(str_enum(Barrier))
    status: Mapped[BarrierStatus] = mapped_column(str_enum(BarrierStatus), default=BarrierStatus.NOT_STARTED)
    already_in_place: Mapped[bool] = mapped_column(Boolean, default=False)
    id_documents: Mapped[list[str] | None] = mapped_column(JSON)
    other_detail: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_resolved(self) -> bool:
        return self.already_in_place or self.status == BarrierStatus.COMPLETED


class BarrierChange(db.Model):  # type: ignore[name-defined]
    """The history of a learner's barriers checklist: one row each time an item changes.

    BarrierItem holds the current state; this log lets readiness be recomputed
    for any past week.
    """

    __tablename__ = "barrier_changes"
    __table_args__ = (Index("ix_barrier_changes_learner_time", "learner_id", "changed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    barrier: Mapped[Barrier] = mapped_column(str_enum(Barrier))
    status: Mapped[BarrierStatus] = mapped_column(str_enum(BarrierStatus))
    already_in_place: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    @property
    def is_resolved(self) -> bool:
        return self.already_in_place or self.status == BarrierStatus.COMPLETED
