"""Getting back in after release, with no prison staff to ask.

A learner who has forgotten their password recovers with two things: a one-time
recovery code (printed on their release summary, or made by themselves on
"Getting back in") and their date of birth, which SkillPath holds only for this
and never shows anyone. Both are kept as Argon2 hashes. A code works once; a new
one replaces the old. Wrong tries slow recovery down (like sign-in, never a
lock), and every wrong try gets the same message, whatever was wrong.

Functions here change the session but do not commit: the request's transaction does. Each use case
(``recover``, ``issue_recovery_code``, ``give_recovery_code``, ``set_date_of_birth``, ``set_contact``) audits
itself; refusals raise a ``DomainError`` or, for a recovery attempt, come back as its outcome.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update

from skillpath.auth.passwords import CODE_ALPHABET, dummy_verify, hash_secret, password_problem, verify_secret
from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import SessionEndReason, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.access import can_manage_learner
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import NotAllowed
from skillpath.services.learners.accounts import AccountError, Throttle, find_user_by_username
from skillpath.services.learners.sessions import end_all_sessions, start_session
from skillpath.services.locking import lock_learner

CODE_GROUPS = 4  # 16 characters from a 32-letter alphabet: 80 random bits, typed like 7Q4K-29XD-M3HW-8PRT


class RecoveryOutcome(StrEnum):
    OK = "ok"
    REFUSED = "refused"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class RecoveryResult:
    outcome: RecoveryOutcome
    user: User | None = None
    wait: timedelta | None = None


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_recovery_code(typed: str) -> str:
    """Upper case, in groups of four, whatever spaces or dashes were typed."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())[:64]
    return "-".join(cleaned[i : i + 4] for i in range(0, len(cleaned), 4))


def _check_text(born_on: date) -> str:
    return born_on.isoformat()


def has_recovery(user: User) -> bool:
    return user.recovery_code_hash is not None and user.recovery_check_hash is not None


def set_date_of_birth(user: User, born_on: date, *, by: User) -> None:
    """Keep the learner's date of birth, as a hash, for recovery only."""
    lock_learner(user)
    user.recovery_check_hash = hash_secret(_check_text(born_on))
    record_event(AuditAction.ACCOUNT_RECOVERY_CHECK_SET, actor=by, subject=user)


def issue_recovery_code(user: User, *, by: User) -> str:
    """A new one-time code; any earlier one stops working. Shown once, never stored in the clear.

    The learner makes their own; staff who may manage them (or an administrator) can make one for them."""
    if not (by.id == user.id or by.is_admin or can_manage_learner(by, user)):
        raise NotAllowed(_("You cannot give this person a recovery code"))
    lock_learner(user)
    code = new_recovery_code()
    user.recovery_code_hash = hash_secret(normalise_recovery_code(code))
    user.recovery_failures = 0
    user.recovery_throttled_until = None
    record_event(AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED, actor=by, subject=user)
    return code


def give_recovery_code(username: str, *, by: User) -> tuple[User, str]:
    """An administrator gives a released learner, named by username, a fresh recovery code (audited).

    Mentors in prisons cannot: a learner still inside gets a new activation code instead. Raises
    AccountError (field "username") for anyone who is not a released learner."""
    if not by.is_admin:
        raise NotAllowed(_("Only an administrator can give a released learner a recovery code"))
    learner = find_user_by_username(username)
    if learner is None or not learner.is_learner or learner.learner_profile is None:
        raise AccountError(_("There is no learner with that username"), "username")
    if not learner.learner_profile.is_released:
        raise AccountError(
            _("This learner has not been released. Their mentor can give them a new activation code"), "username"
        )
    return learner, issue_recovery_code(learner, by=by)


def recover(
    username: str,
    code: str,
    born_on: date | None,
    new_password: str,
    *,
    throttle: Throttle,
    ip: str | None,
    min_length: int,
    user_agent: str | None = None,
) -> RecoveryResult:
    """Check the code and date of birth; if both are right, set the new password, use up the code and start a
    session. Wrong tries are audited and counted (the caller keeps them although it answers with an error).

    Raises AccountError (field "password") for a weak new password, before anything is checked or counted."""
    problem = password_problem(new_password, username=username, min_length=min_length)
    if problem:
        raise AccountError(problem, "password")
    user = find_user_by_username(username)
    now = utcnow()
    typed = normalise_recovery_code(code)
    if user is None or not user.is_learner or not has_recovery(user) or born_on is None:
        dummy_verify(typed)
        record_event(AuditAction.AUTH_RECOVERY_FAILED, actor=None, subject=user, ip_address=ip)
        return RecoveryResult(RecoveryOutcome.REFUSED)
    lock_learner(user)
    if user.recovery_throttled_until is not None and user.recovery_throttled_until > now:
        record_event(AuditAction.AUTH_RECOVERY_THROTTLED, actor=None, subject=user, ip_address=ip)
        return RecoveryResult(RecoveryOutcome.THROTTLED, user, user.recovery_throttled_until - now)
    code_ok = verify_secret(user.recovery_code_hash, typed)
    check_ok = verify_secret(user.recovery_check_hash, _check_text(born_on))
    if not (code_ok and check_ok) or not user.is_enabled:
        _count_failure(user, throttle, now)
        record_event(AuditAction.AUTH_RECOVERY_FAILED, actor=None, subject=user, ip_address=ip)
        return RecoveryResult(RecoveryOutcome.REFUSED)
    user.password_hash = hash_secret(new_password)
    user.recovery_code_hash = None  # single use
    user.recovery_failures = 0
    user.recovery_throttled_until = None
    user.failed_logins = 0
    user.throttled_until = None
    user.last_login_at = now
    end_all_sessions(user, SessionEndReason.PASSWORD_CHANGED)
    record_event(AuditAction.AUTH_RECOVERY_COMPLETED, actor=user, subject=user, ip_address=ip)
    start_session(user, user_agent=user_agent)
    return RecoveryResult(RecoveryOutcome.OK, user)


def _count_failure(user: User, throttle: Throttle, now: datetime) -> None:
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(recovery_failures=User.recovery_failures + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user, ["recovery_failures"])
    delay = throttle.delay_after(user.recovery_failures)
    if delay:
        user.recovery_throttled_until = now + delay


def set_contact(user: User, *, email: str | None, phone: str | None, by: User) -> bool:
    """The learner's own email and phone, if they want to give them. Returns False if nothing changed."""
    email = (email or "").strip() or None
    phone = " ".join((phone or "").split()) or None
    if (user.email, user.phone) == (email, phone):
        return False
    lock_learner(user)
    user.email, user.phone = email, phone
    record_event(AuditAction.ACCOUNT_CONTACT_CHANGED, actor=by, subject=user)  # never the values themselves
    return True
