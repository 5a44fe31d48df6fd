"""Getting back in after release, with no prison staff to ask.

A learner who has forgotten their password recovers with two things: a one-time
recovery code (printed on their release summary, or made by themselves on
"Getting back in") and their date of birth, which SkillPath holds only for this
and never shows anyone. Both are kept as Argon2 hashes. A code works once; a new
one replaces the old. Wrong tries slow recovery down (like sign-in, never a
lock), and every wrong try gets the same message, whatever was wrong.

Functions here change the session but do not commit: the route owns the transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update

from skillpath.auth.passwords import CODE_ALPHABET, dummy_verify, hash_secret, verify_secret
from skillpath.extensions import db
from skillpath.models import SessionEndReason, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.learners.accounts import Throttle, find_user_by_username
from skillpath.services.learners.sessions import end_all_sessions
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
    """A new one-time code; any earlier one stops working. Shown once, never stored in the clear."""
    lock_learner(user)
    code = new_recovery_code()
    user.recovery_code_hash = hash_secret(normalise_recovery_code(code))
    user.recovery_failures = 0
    user.recovery_throttled_until = None
    record_event(AuditAction.ACCOUNT_RECOVERY_CODE_ISSUED, actor=by, subject=user)
    return code


def recover(
    username: str, code: str, born_on: date | None, new_password: str, *, throttle: Throttle, ip: str | None
) -> RecoveryResult:
    """Check the code and date of birth; if both are right, set the new password and use up the code."""
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
