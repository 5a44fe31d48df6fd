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

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.i18n import _l
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
        return str({"learner": _l("Learner"), "mentor": _l("Mentor"), "admin": _l("Administrator")}[self.value])


class User(db.Model):  # type: ignore[name-defined]
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
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Wrong passwords in a row from browsers this account has not signed in on before. Past a few,
    # each attempt must wait until throttled_until: a delay, never a lock (see services/accounts.py).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    throttled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Getting back in after release, with no prison staff: a one-time recovery code (printed on the
    # release summary) plus something only the learner knows (their date of birth or an answer they
    # chose), both stored only as Argon2 hashes. Wrong tries slow recovery down, never lock it.
    recovery_code_hash: Mapped[str | None] = mapped_column(String(255))
    recovery_check_hash: Mapped[str | None] = mapped_column(String(255))
    recovery_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    recovery_throttled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A phone number of the learner's own, if they choose to add one (email is above).
    phone: Mapped[str | None] = mapped_column(String(30))
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

    # The sign-in this request belongs to (and its token): set when a session is started or loaded,
    # never stored on this table.
    if TYPE_CHECKING:
        current_session_token: str | None
        current_session: UserSession | None

    def get_id(self) -> str:
        # Flask-Login keeps this in the session cookie; the token names one row of user_sessions.
        return f"{self.public_id}:{getattr(self, 'current_session_token', None) or ''}"

    # What Flask-Login asks of a user, written out here so that the model needs nothing from the web layer.
    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

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

    def is_throttled(self, now: datetime) -> bool:
        return self.throttled_until is not None and self.throttled_until > now


class SessionEndReason(StrEnum):
    SIGNED_OUT = "signed_out"
    ENDED_ELSEWHERE = "ended_elsewhere"
    IDLE = "idle"
    EXPIRED = "expired"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105  (a reason, not a password)
    ACCOUNT_RESET = "account_reset"
    WRONG_PASSWORDS = "wrong_passwords"


class UserSession(db.Model):  # type: ignore[name-defined]
    """One sign-in on one browser. Signing out ends this row alone; the cookie then opens nothing.

    Only a hash of the token is kept, so a copy of the database cannot be used to sign in.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[SessionEndReason | None] = mapped_column(str_enum(SessionEndReason))
    # Shown to the account's owner on "Where you are signed in", so they can tell their sessions apart.
    device: Mapped[str | None] = mapped_column(String(80))
    # Wrong passwords typed in this session to confirm a change (accounts.recheck_password), capped per session.
    wrong_passwords: Mapped[int] = mapped_column(default=0, server_default="0")

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    @property
    def is_ended(self) -> bool:
        return self.ended_at is not None


class LearnerProfile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "learner_profiles"
    # Dashboards count only learners not yet released: this finds them without reading the table.
    __table_args__ = (
        Index(
            "ix_learner_profiles_current",
            "user_id",
            sqlite_where=text("released_at IS NULL"),
            postgresql_where=text("released_at IS NULL"),
        ),
    )

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
    # When the custody details (prison number, establishment, cohorts, release date, staff notes)
    # were removed, a configurable time after release; skills, certificates and own words stay.
    custody_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="learner_profile", foreign_keys=[user_id])
    target_role_level: Mapped[RoleLevel | None] = relationship()
    establishment: Mapped[Establishment | None] = relationship()

    @property
    def is_released(self) -> bool:
        return self.released_at is not None
