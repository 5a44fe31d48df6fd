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

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow


class CertificateKind(StrEnum):
    MODULE = "module"
    ROLE_READINESS = "role_readiness"


# At most one certificate in force per learner and module, and per learner and job: a double click
# or two mentors at once cannot issue a second. Withdrawn ones no longer count, so one can be issued again.
_IN_FORCE = text("revoked_at IS NULL")
_WITHDRAWN = text("revoked_at IS NOT NULL")


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"


class StatusList(db.Model):  # type: ignore[name-defined]
    """One W3C Bitstring Status List of an issuer, for one purpose.

    Its bits are not stored: they are worked out from the certificates that point
    at it, so withdrawing a certificate shows in the list on the next request.
    """

    __tablename__ = "status_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    purpose: Mapped[StatusPurpose] = mapped_column(str_enum(StatusPurpose))
    # Number of entries (bits). The spec advises at least 131,072 (16 KB) for herd privacy.
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):  # type: ignore[name-defined]
    __tablename__ = "certificates"
    __table_args__ = (
        db.UniqueConstraint("status_list_id", "status_list_index"),
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
        # Serving a status list reads only its withdrawn entries.
        Index(
            "ix_certificates_withdrawn_status",
            "status_list_id",
            "status_list_index",
            sqlite_where=_WITHDRAWN,
            postgresql_where=_WITHDRAWN,
        ),
        # The national view counts the certificates issued this month.
        Index("ix_certificates_issued_at", "issued_at"),
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
    # Where this certificate's bit sits in its issuer's W3C Bitstring Status List (revocation).
    # A random free index, so that neighbours in a list say nothing about each other.
    status_list_id: Mapped[int | None] = mapped_column(ForeignKey("status_lists.id"))
    status_list_index: Mapped[int | None] = mapped_column(Integer)

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


share_link_certificates = db.Table(
    "share_link_certificates",
    db.Column("share_link_id", ForeignKey("share_links.id", ondelete="CASCADE"), primary_key=True),
    db.Column("certificate_id", ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True),
)


class ShareLink(db.Model):  # type: ignore[name-defined]
    """A link a learner makes to show some of their certificates to someone, on their own terms.

    The link carries a long random token; only its hash is stored. The label is private
    to the learner ("for the warehouse job") and never shown on the shared page.
    """

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    learner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    certificates: Mapped[list[Certificate]] = relationship(
        secondary=share_link_certificates, order_by="Certificate.issued_at"
    )
    views: Mapped[list[ShareLinkView]] = relationship(
        back_populates="share_link", order_by="ShareLinkView.opened_at.desc()", cascade="all, delete-orphan"
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def has_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


class ShareLinkView(db.Model):  # type: ignore[name-defined]
    """One opening of a share link: when, and nothing about who (no address, no browser)."""

    __tablename__ = "share_link_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_links.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    share_link: Mapped[ShareLink] = relationship(back_populates="views")
