"""The audit log: who did or saw what, to whose record, and when.

Every read of a learner's record by staff writes an event here, as does every
change to accounts, status, barriers and certificates. Learners can see the
events about their own record. Rows are only ever added.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, utcnow


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject_time", "subject_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Dotted action name, such as "learner.record.viewed" or "auth.login.failed".
    action: Mapped[str] = mapped_column(String(60))
    # The learner (or other user) whose record this is about, if any.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User", foreign_keys=[actor_id])
