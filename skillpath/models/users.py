"""People: user accounts with one role each, and the learner's profile.

A learner account is a username plus a one-time activation code that a mentor
hands over; the learner chooses their own password at first login. Staff-only
facts (prison number, release date) live on the profile and are never shown to
learners' employers.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow

if TYPE_CHECKING:
    from skillpath.models.catalogue import RoleLevel
    from skillpath.models.organisations import Establishment

USERNAME_MAX = 40
NAME_MAX = 100


class Role(StrEnum):
    LEARNER = "learner"
    MENTOR = "mentor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"learner": "Learner", "mentor": "Mentor", "admin": "Administrator"}[self.value]


class User(UserMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    # Stored lower-case; usernames are compared without regard to case.
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[Role] = mapped_column(str_enum(Role), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    activation_code_hash: Mapped[str | None] = mapped_column(String(255))
    activation_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changing a password rotates this, which ends every other session.
    session_token: Mapped[str] = mapped_column(String(64))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Staff only: the establishment they work in. Establishment leads (heads of
    # education) see every cohort there.
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishments.id"))
    is_establishment_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    establishment: Mapped[Establishment | None] = relationship(foreign_keys=[establishment_id])
    learner_profile: Mapped[LearnerProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="LearnerProfile.user_id"
    )

    def get_id(self) -> str:
        return f"{self.public_id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return self.is_enabled

    @property
    def is_learner(self) -> bool:
        return self.role == Role.LEARNER

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.MENTOR, Role.ADMIN)

    @property
    def needs_activation(self) -> bool:
        return self.password_hash is None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class LearnerProfile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "learner_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    preferred_name: Mapped[str] = mapped_column(String(NAME_MAX))
    # The name as the learner wants it on certificates.
    certificate_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    target_role_level_id: Mapped[int | None] = mapped_column(ForeignKey("role_levels.id"))
    establishment_id: Mapped[int | None] = mapped_column(ForeignKey("establishments.id"))
    # Staff-only facts: never on anything a learner shares.
    prison_number: Mapped[str | None] = mapped_column(String(7))
    release_date: Mapped[date | None] = mapped_column(Date)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="learner_profile", foreign_keys=[user_id])
    target_role_level: Mapped[RoleLevel | None] = relationship()
    establishment: Mapped[Establishment | None] = relationship()

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
