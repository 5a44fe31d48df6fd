"""Certificates a learner can share with employers.

What a certificate says is fixed when it is issued and signed: the name the
learner chose, the achievement, the skills and levels, the issuing
organisation. It never names an establishment. Public codes are random and
typeable; revocation keeps a private reason; the learner can hide a
certificate from public verification.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow


class CertificateKind(StrEnum):
    MODULE = "module"
    ROLE_READINESS = "role_readiness"


# At most one certificate in force per learner and module, and per learner and job: a double click
# or two mentors at once cannot issue a second. Withdrawn ones no longer count, so one can be issued again.
_IN_FORCE = text("revoked_at IS NULL")


class Certificate(db.Model):  # type: ignore[name-defined]
    __tablename__ = "certificates"
    __table_args__ = (
        Index(
            "uq_certificates_module_in_force",
            "learner_id",
            "module_id",
            unique=True,
            sqlite_where=_IN_FORCE,
            postgresql_where=_IN_FORCE,
        ),
        Index(
            "uq_certificates_readiness_in_force",
            "learner_id",
            "role_level_id",
            unique=True,
            sqlite_where=_IN_FORCE,
            postgresql_where=_IN_FORCE,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    # Typeable public code such as SP-7Q4K-29XD, stored without formatting.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind))
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    module_id: Mapped[int | None] = mapped_column(ForeignKey("modules.id"))
    role_level_id: Mapped[int | None] = mapped_column(ForeignKey("role_levels.id"))
    recipient_name: Mapped[str] = mapped_column(String(100))
    achievement_name: Mapped[str] = mapped_column(String(200))
    achievement_description: Mapped[str] = mapped_column(Text)
    # [{"skill": name, "level": level}, ...] exactly as signed.
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    issuer_name: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    key_id: Mapped[str | None] = mapped_column(String(64))
    signature: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Private: never shown on the public verification page.
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def display_code(self) -> str:
        body = self.code
        return "SP-" + "-".join(body[i : i + 4] for i in range(0, len(body), 4))
