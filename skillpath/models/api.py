"""Machine clients of the staff API (/api/v1) and the short-lived tokens they are given.

An administrator registers a client: a name, the scopes it may ask for and the establishments it is bound to
(its caseload). Its secret is shown once and kept only as an Argon2 hash. With it the client asks the token
endpoint (OAuth 2.0 client credentials) for a bearer token that lasts minutes; only the SHA-256 of a token is
stored, so a copy of the database opens nothing. A revoked client keeps its row (the audit log names it) and
can get no new token; its tokens stop working at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, utcnow

if TYPE_CHECKING:
    from skillpath.models.organisations import Establishment
    from skillpath.models.users import User


class ApiScope(StrEnum):
    """What a client may do. The values are OAuth scope names: never rename one (clients ask for them)."""

    ESTABLISHMENTS_READ = "establishments:read"
    LEARNERS_READ = "learners:read"
    LEARNERS_PRISON_NUMBER = "learners:prison-number"
    READINESS_READ = "readiness:read"
    WORK_STATUS_READ = "work-status:read"
    WORK_STATUS_WRITE = "work-status:write"
    BARRIERS_READ = "barriers:read"
    BARRIERS_WRITE = "barriers:write"
    GOALS_READ = "goals:read"
    GOALS_WRITE = "goals:write"
    PROGRESS_READ = "progress:read"
    PROGRESS_WRITE = "progress:write"
    CERTIFICATES_READ = "certificates:read"


api_client_establishments = Table(
    "api_client_establishments",
    db.metadata,
    Column("api_client_id", ForeignKey("api_clients.id"), primary_key=True),
    Column("establishment_id", ForeignKey("establishments.id"), primary_key=True),
)


class ApiClient(db.Model):  # type: ignore[name-defined]
    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    # The OAuth client_id the client sends with its secret: random, not secret.
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    secret_hash: Mapped[str] = mapped_column(String(255))
    # Space-separated scope names (ApiScope values), as OAuth writes them.
    scopes: Mapped[str] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    establishments: Mapped[list[Establishment]] = relationship(
        secondary=api_client_establishments, order_by="Establishment.name"
    )
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_set(self) -> frozenset[ApiScope]:
        known = {scope.value: scope for scope in ApiScope}
        return frozenset(known[name] for name in self.scopes.split() if name in known)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiToken(db.Model):  # type: ignore[name-defined]
    """One access token. Only its SHA-256 is kept; it names the scopes granted, a subset of the client's."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    api_client_id: Mapped[int] = mapped_column(ForeignKey("api_clients.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    client: Mapped[ApiClient] = relationship()
