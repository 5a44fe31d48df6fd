"""Accounts: creating staff and learners, activation, signing in and passwords.

Every function here changes the session but does not commit: the request's transaction does, so an account
and its audit event are written together. The use cases (``sign_in``, ``activate_account``,
``change_password``, ``create_staff``, ``reissue_activation_code``) each audit themselves and raise a
``DomainError`` (``AccountError`` is the one about a field of a form) that the page or the API explains.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from math import ceil
from typing import Any, NoReturn

from sqlalchemy import func, select, update

from skillpath.auth.passwords import (
    dummy_verify,
    hash_secret,
    new_activation_code,
    normalise_activation_code,
    password_problem,
    verify_secret,
)
from skillpath.extensions import db
from skillpath.i18n import _, ngettext
from skillpath.models import (
    Cohort,
    CohortMembership,
    Establishment,
    LearnerProfile,
    SessionEndReason,
    User,
    UserRole,
    UserSession,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.access import can_manage_learner
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import InvalidInput, NotAllowed
from skillpath.services.learners.sessions import end_all_sessions, end_session, start_session
from skillpath.services.locking import unique_or

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
PRISON_NUMBER_PATTERN = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")


class AccountError(InvalidInput):
    """A request that cannot be done, with a message for the user and the field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


class SignInOutcome(StrEnum):
    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    THROTTLED = "throttled"
    NEEDS_ACTIVATION = "needs_activation"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Throttle:
    """How wrong passwords slow sign-in down (NCSC: throttle, do not lock).

    The first `free_attempts` wrong passwords in a row cost nothing; after that each
    one makes the next attempt wait, doubling from `first_delay` up to `max_delay`.
    Only attempts from browsers the account has not signed in on count, and only
    they wait: a stranger guessing cannot keep the owner out of their own account.
    """

    free_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=2)
    max_delay: timedelta = timedelta(seconds=60)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        """From LOGIN_FREE_ATTEMPTS, LOGIN_FIRST_DELAY_SECONDS and LOGIN_MAX_DELAY_SECONDS."""
        return cls(
            free_attempts=int(config["LOGIN_FREE_ATTEMPTS"]),
            first_delay=timedelta(seconds=int(config["LOGIN_FIRST_DELAY_SECONDS"])),
            max_delay=timedelta(seconds=int(config["LOGIN_MAX_DELAY_SECONDS"])),
        )

    def delay_after(self, failures: int) -> timedelta:
        if failures < self.free_attempts:
            return timedelta(0)
        doublings = min(failures - self.free_attempts, 16)
        return min(self.first_delay * (2**doublings), self.max_delay)


@dataclass(frozen=True)
class SignInResult:
    outcome: SignInOutcome
    user: User | None = None
    wait: timedelta | None = None
    # Whether the browser had signed in to this account before (see `sign_in`).
    trusted_browser: bool = False


@dataclass(frozen=True)
class NewAccount:
    user: User
    activation_code: str


def _username_taken() -> AccountError:
    return AccountError(_("That username is already taken. Choose a different username"), "username")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise AccountError(
            _(
                "Usernames must be 3 to 40 characters: letters, numbers, dots, dashes or underscores, "
                "starting with a letter or number"
            ),
            "username",
        )
    if db.session.scalar(select(func.count()).select_from(User).where(User.username == name)):
        raise _username_taken()
    return name


def _issue_activation(user: User, days: int) -> str:
    code = new_activation_code()
    user.activation_code_hash = hash_secret(code)
    user.activation_expires_at = utcnow() + timedelta(days=days)
    return code


def create_staff(
    *,
    username: str,
    display_name: str,
    role: UserRole,
    establishment: Establishment | None,
    email: str | None,
    is_establishment_lead: bool,
    created_by: User | None,
    activation_days: int,
) -> NewAccount:
    """An administrator makes a mentor's or another administrator's account, with a one-time activation code
    to hand over (audited). `created_by` is None only for the operator's commands."""
    if created_by is not None and not created_by.is_admin:
        raise NotAllowed(_("Only an administrator can create staff accounts"))
    if role not in (UserRole.MENTOR, UserRole.ADMIN):
        raise AccountError(_("Select mentor or administrator"), "role")
    if role == UserRole.MENTOR and establishment is None:
        raise AccountError(_("Select the establishment this mentor works in"), "establishment")
    if not display_name.strip():
        raise AccountError(_("Enter the person's full name"), "display_name")
    user = User(
        username=check_username(username),
        display_name=display_name.strip(),
        email=(email or "").strip() or None,
        role=role,
        establishment=establishment,
        is_establishment_lead=is_establishment_lead and role == UserRole.MENTOR,
        created_by_id=created_by.id if created_by else None,
    )
    code = _issue_activation(user, activation_days)
    with unique_or(_username_taken()):
        db.session.add(user)
        db.session.flush()
    record_event(AuditAction.ACCOUNT_STAFF_CREATED, actor=created_by, subject=user, role=str(role))
    return NewAccount(user, code)


def create_learner(
    *,
    username: str,
    preferred_name: str,
    cohort: Cohort,
    created_by: User | None,
    activation_days: int,
    prison_number: str | None = None,
    release_date: date | None = None,
) -> NewAccount:
    if not preferred_name.strip():
        raise AccountError(_("Enter the learner's name"), "preferred_name")
    number = (prison_number or "").strip().upper() or None
    if number and not PRISON_NUMBER_PATTERN.fullmatch(number):
        raise AccountError(_("Enter a prison number in the format A1234BC"), "prison_number")
    user = User(
        username=check_username(username),
        display_name=preferred_name.strip(),
        role=UserRole.LEARNER,
        created_by_id=created_by.id if created_by else None,
    )
    code = _issue_activation(user, activation_days)
    user.learner_profile = LearnerProfile(
        preferred_name=preferred_name.strip(),
        establishment_id=cohort.establishment_id,
        prison_number=number,
        release_date=release_date,
    )
    with unique_or(_username_taken()):
        db.session.add(user)
        db.session.flush()
    db.session.add(CohortMembership(cohort_id=cohort.id, learner_id=user.id))
    record_event(AuditAction.ACCOUNT_LEARNER_CREATED, actor=created_by, subject=user, cohort=str(cohort.public_id))
    return NewAccount(user, code)


@dataclass(frozen=True)
class LearnerDetails:
    """A learner's name, username and prison number, cleaned as they would be stored."""

    preferred_name: str
    username: str
    prison_number: str | None


def check_learner_details(
    *, preferred_name: str, username: str, prison_number: str | None, learner: User | None = None
) -> LearnerDetails:
    """The rules `create_learner` applies, without writing anything: for a "Check your answers" page, or to
    correct an existing `learner` (whose own username is not "already taken"). Raises AccountError naming the field.
    """
    name = preferred_name.strip()
    if not name:
        raise AccountError(_("Enter the learner's name"), "preferred_name")
    number = (prison_number or "").strip().upper() or None
    if number and not PRISON_NUMBER_PATTERN.fullmatch(number):
        raise AccountError(_("Enter a prison number in the format A1234BC"), "prison_number")
    wanted = normalise_username(username)
    if learner is None or wanted != learner.username:
        wanted = check_username(wanted)
    return LearnerDetails(name, wanted, number)


def correct_learner_details(
    learner: User, *, preferred_name: str, username: str, prison_number: str | None, by: User
) -> list[str]:
    """Put right a learner's name, username or prison number; the names of the fields that changed, in order.

    The caller holds the learner's record first (locking.lock_learner), so a double click changes and audits
    once. The audit event names the fields, never the values: a prison number stays off the audit log.
    """
    profile = learner.learner_profile
    if profile is None:
        raise AccountError(_("Only a learner's details can be corrected here"))
    details = check_learner_details(
        preferred_name=preferred_name, username=username, prison_number=prison_number, learner=learner
    )
    changed = []
    if details.preferred_name != profile.preferred_name:
        profile.preferred_name = details.preferred_name
        learner.display_name = details.preferred_name
        changed.append("name")
    if details.username != learner.username:
        learner.username = details.username
        changed.append("username")
    if details.prison_number != profile.prison_number:
        profile.prison_number = details.prison_number
        changed.append("prison number")
    if changed:
        # Another request may have taken the username since it was checked: the unique index decides.
        with unique_or(_username_taken()):
            db.session.flush()
        record_event(AuditAction.ACCOUNT_DETAILS_CHANGED, actor=by, subject=learner, fields=changed)
    return changed


def reissue_activation_code(user: User, *, by: User, activation_days: int) -> str:
    """A new one-time code, for a learner who lost theirs or forgot their password.

    The old password stops working and every session ends. Raises NotAllowed unless `by` may manage the learner.
    """
    if not (by.is_admin or can_manage_learner(by, user)):
        raise NotAllowed(_("You cannot give this person a new activation code"))
    code = _issue_activation(user, activation_days)
    user.password_hash = None
    user.activated_at = None
    user.failed_logins = 0
    user.throttled_until = None
    end_all_sessions(user, SessionEndReason.ACCOUNT_RESET)
    record_event(AuditAction.ACCOUNT_ACTIVATION_REISSUED, actor=by, subject=user)
    return code


def sign_in(
    username: str,
    password: str,
    *,
    throttle: Throttle,
    is_trusted: Callable[[User], bool] = lambda user: False,
    ip: str | None,
    user_agent: str | None = None,
) -> SignInResult:
    """Check a username and password and, if they are right, start a session (see sessions.start_session).

    `is_trusted(user)` says this browser has signed in to this account before (auth/devices.py):
    such attempts skip the wait that strangers' wrong guesses build up, and do not add to it.
    Every refusal is audited and counted: the caller keeps them even though it answers with an error.
    """
    user = find_user_by_username(username)
    trusted_browser = user is not None and is_trusted(user)
    result = _check_sign_in(user, password, throttle=throttle, trusted_browser=trusted_browser, ip=ip)
    if result.outcome == SignInOutcome.OK and result.user is not None:
        start_session(result.user, user_agent=user_agent)
    return result


def _check_sign_in(
    user: User | None, password: str, *, throttle: Throttle, trusted_browser: bool, ip: str | None
) -> SignInResult:
    now = utcnow()
    if user is None:
        dummy_verify(password)
        record_event(AuditAction.AUTH_SIGNIN_UNKNOWN_USER, actor=None, ip_address=ip)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS)
    if not trusted_browser and user.is_throttled(now):
        # Refused without looking at the password, and not counted: waiting is all it asks.
        record_event(AuditAction.AUTH_SIGNIN_THROTTLED, actor=None, subject=user, ip_address=ip)
        return SignInResult(SignInOutcome.THROTTLED, user, (user.throttled_until or now) - now, trusted_browser)
    if user.needs_activation:
        dummy_verify(password)
        return SignInResult(SignInOutcome.NEEDS_ACTIVATION, user, trusted_browser=trusted_browser)
    if not verify_secret(user.password_hash, password):
        record_event(
            AuditAction.AUTH_SIGNIN_FAILED, actor=None, subject=user, ip_address=ip, trusted_browser=trusted_browser
        )
        if not trusted_browser:
            _count_failure(user, throttle, now)
        return SignInResult(SignInOutcome.BAD_CREDENTIALS, user, trusted_browser=trusted_browser)
    if not user.is_enabled:
        return SignInResult(SignInOutcome.DISABLED, user, trusted_browser=trusted_browser)
    user.failed_logins = 0
    user.throttled_until = None
    user.last_login_at = now
    record_event(AuditAction.AUTH_SIGNIN_SUCCEEDED, actor=user, subject=user, ip_address=ip)
    return SignInResult(SignInOutcome.OK, user, trusted_browser=trusted_browser)


def _count_failure(user: User, throttle: Throttle, now: datetime) -> None:
    # Counted in SQL, so simultaneous wrong guesses each count.
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["failed_logins"])
    delay = throttle.delay_after(user.failed_logins)
    if delay:
        user.throttled_until = now + delay


class SignedOutForWrongPasswords(Exception):
    """The session typed too many wrong passwords to confirm a change, and has been ended (see `recheck_password`)."""


def recheck_password(user: User, password: str, *, most: int, wrong: str, field: str, ip: str | None) -> None:
    """A signed-in person types their password again to confirm a change (a new password, closing their account).

    Each session may type `most` wrong ones (PASSWORD_RECHECK_LIMIT): the last of them ends the session, so
    whoever finds a computer left signed in gets that many guesses, and no more. The count is on the session's
    row: a stranger's wrong guesses at the sign-in page never stop the owner here, and each try is claimed in
    the database before the password is looked at, so requests sent at once cannot get past the limit.

    Raises AccountError on `field` with `wrong` for a wrong password, or SignedOutForWrongPasswords once the
    session has ended. Both are audited; the caller keeps the count and the audit though it answers with an error.
    """
    row: UserSession | None = getattr(user, "current_session", None)
    typed = 0  # wrong ones this session has typed, this one included
    if row is not None:
        claimed = db.session.scalar(
            update(UserSession)
            .where(UserSession.id == row.id, UserSession.wrong_passwords < most)
            .values(wrong_passwords=UserSession.wrong_passwords + 1)
            .returning(UserSession.wrong_passwords)
            .execution_options(synchronize_session=False)
        )
        if claimed is None:
            _end_for_wrong_passwords(user, row, ip)
        typed = claimed
    if verify_secret(user.password_hash, password):
        if row is not None:
            db.session.execute(
                update(UserSession)
                .where(UserSession.id == row.id)
                .values(wrong_passwords=0)
                .execution_options(synchronize_session=False)
            )
        return
    record_event(AuditAction.AUTH_PASSWORD_RECHECK_FAILED, actor=user, subject=user, ip_address=ip)
    if row is not None and typed >= most:  # that was the last one this session may type
        _end_for_wrong_passwords(user, row, ip)
    raise AccountError(wrong, field)


def _end_for_wrong_passwords(user: User, row: UserSession, ip: str | None) -> NoReturn:
    if end_session(row, SessionEndReason.WRONG_PASSWORDS, by=user):
        record_event(AuditAction.AUTH_SESSION_ENDED_WRONG_PASSWORDS, actor=user, subject=user, ip_address=ip)
    raise SignedOutForWrongPasswords


def wait_seconds(wait: timedelta | None) -> int:
    """Whole seconds left of a wait (at least 1), as the messages about waiting say them."""
    return max(1, ceil((wait or timedelta(0)).total_seconds()))


def wait_message(wait: timedelta | None) -> str:
    """What to tell someone whose account is waiting after too many wrong passwords."""
    return ngettext(
        "Too many wrong passwords for this account. Wait %(num)d second, then try again. "
        "If you have forgotten your password, ask your mentor for a new activation code",
        "Too many wrong passwords for this account. Wait %(num)d seconds, then try again. "
        "If you have forgotten your password, ask your mentor for a new activation code",
        wait_seconds(wait),
    )


def check_activation_code(username: str, code: str, *, ip: str | None) -> User | None:
    """The user whose unexpired, unused activation code this is, or None."""
    user = find_user_by_username(username)
    typed = normalise_activation_code(code)
    if user is None or user.activation_code_hash is None:
        dummy_verify(typed)
        record_event(AuditAction.AUTH_ACTIVATION_FAILED, actor=None, subject=user, ip_address=ip)
        return None
    expired = user.activation_expires_at is None or user.activation_expires_at <= utcnow()
    if not verify_secret(user.activation_code_hash, typed) or expired:
        record_event(AuditAction.AUTH_ACTIVATION_FAILED, actor=None, subject=user, ip_address=ip, expired=expired)
        return None
    return user


def activate_account(user: User, new_password: str, *, min_length: int, user_agent: str | None = None) -> None:
    """The person whose activation code was just checked chooses their password and is signed in (audited).

    Raises AccountError (field "password") if the password is too weak; nothing changes then."""
    problem = password_problem(new_password, username=user.username, min_length=min_length)
    if problem:
        raise AccountError(problem, "password")
    complete_activation(user, new_password)
    start_session(user, user_agent=user_agent)


def complete_activation(user: User, new_password: str) -> None:
    """Set the first password and use up the activation code (audited); no checks, no session (seeding uses it)."""
    user.password_hash = hash_secret(new_password)
    user.activation_code_hash = None
    user.activation_expires_at = None
    user.activated_at = utcnow()
    user.last_login_at = utcnow()
    record_event(AuditAction.AUTH_ACTIVATION_COMPLETED, actor=user, subject=user)


def change_password(
    user: User,
    current_password: str,
    new_password: str,
    *,
    min_length: int,
    most_wrong: int = 5,
    ip: str | None = None,
) -> None:
    """A signed-in person changes their password; their other sessions end (audited).

    Raises AccountError naming the field: a weak new password ("password"), a wrong current one
    ("current_password"); or SignedOutForWrongPasswords after `most_wrong` (see `recheck_password`)."""
    problem = password_problem(new_password, username=user.username, min_length=min_length)
    if problem:
        raise AccountError(problem, "password")
    recheck_password(
        user,
        current_password,
        most=most_wrong,
        wrong=_("Your current password is wrong. Check it and try again"),
        field="current_password",
        ip=ip,
    )
    user.password_hash = hash_secret(new_password)
    # Everyone else signed in as this user is signed out; this session carries on.
    end_all_sessions(user, SessionEndReason.PASSWORD_CHANGED, keep=getattr(user, "current_session", None))
    record_event(AuditAction.AUTH_PASSWORD_CHANGED, actor=user, subject=user)


def find_user_by_public_id(public_id: object) -> User | None:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return db.session.scalar(select(User).where(User.public_id == key))
