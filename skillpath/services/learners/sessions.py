"""Sign-in sessions kept on the server, one row per sign-in.

The browser's cookie holds a random token; the database holds only its hash.
Signing out ends that one row, so a copied cookie opens nothing afterwards,
while the person's other sign-ins carry on. A session also ends after a spell
of inactivity (shared prison computers) and a fixed time after sign-in.

Functions here change the session but do not commit: the request's transaction does (skillpath/transactions.py).
The use cases people reach from pages (signing out, ending another sign-in, ending all the others) audit
themselves; `resume_session` is the bookkeeping the user loader does before each view (see auth/loader.py).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import contains_eager

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import SessionEndReason, User, UserSession
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import NotFound

# Writing "last seen" on every request would cost a write per page; once a minute is enough to time out idle sessions.
TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SessionLimits:
        return cls(
            idle=timedelta(minutes=int(config.get("SESSION_IDLE_MINUTES", 30))),
            lifetime=timedelta(hours=int(config.get("SESSION_MAX_HOURS", 12))),
        )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, *, user_agent: str | None = None, at: datetime | None = None) -> UserSession:
    """A new sign-in for `user`; afterwards `user.get_id()` names it, for Flask-Login's cookie."""
    token = secrets.token_urlsafe(32)
    now = at or utcnow()
    row = UserSession(
        user_id=user.id, token_hash=hash_token(token), created_at=now, last_seen_at=now, device=device_label(user_agent)
    )
    db.session.add(row)
    db.session.flush()  # the row's public id names it in the cookie
    user.current_session_token = token
    user.current_session = row
    return row


def find_session(public_id: str, token: str) -> UserSession | None:
    """The session this cookie names, whatever its state, or None."""
    try:
        key = uuid.UUID(public_id)
    except ValueError:
        return None
    if not token:
        return None
    return db.session.scalar(
        select(UserSession)
        .join(User, UserSession.user_id == User.id)
        .where(UserSession.token_hash == hash_token(token), User.public_id == key)
        .options(contains_eager(UserSession.user))
    )


def expiry_reason(row: UserSession, limits: SessionLimits, now: datetime) -> SessionEndReason | None:
    """Why this session can no longer be used, or None while it can."""
    if row.ended_at is not None:
        return row.ended_reason or SessionEndReason.SIGNED_OUT
    if now - row.created_at >= limits.lifetime:
        return SessionEndReason.EXPIRED
    if now - row.last_seen_at >= limits.idle:
        return SessionEndReason.IDLE
    return None


def needs_touch(row: UserSession, now: datetime) -> bool:
    return now - row.last_seen_at >= TOUCH_EVERY


def touch(row: UserSession, now: datetime) -> None:
    row.last_seen_at = now


# Endings a person chose are audited; timeouts are not (the session row keeps when and why).
_AUDITED_ENDINGS = {
    SessionEndReason.SIGNED_OUT: AuditAction.AUTH_SESSION_SIGNED_OUT,
    SessionEndReason.ENDED_ELSEWHERE: AuditAction.AUTH_SESSION_ENDED_ELSEWHERE,
}


@dataclass(frozen=True)
class Resumed:
    """What the cookie's session gave: the signed-in user, or why it can no longer be used."""

    user: User | None
    ended: SessionEndReason | None = None
    # Whether the bookkeeping wrote anything (last seen, or the end of a timed-out session).
    changed: bool = False


def resume_session(cookie_id: str, limits: SessionLimits, now: datetime | None = None) -> Resumed:
    """The user a session cookie signs in, with its bookkeeping done: a timed-out session ends (once), and a
    live one is marked as still in use (at most once a minute). A closed account's sessions open nothing."""
    now = now or utcnow()
    public_id, _sep, token = cookie_id.partition(":")
    row = find_session(public_id, token)
    if row is None or not row.user.is_enabled:
        return Resumed(None)
    reason = expiry_reason(row, limits, now)
    if reason is not None:
        changed = row.ended_at is None and end_session(row, reason, at=now)
        return Resumed(None, reason, changed)
    changed = needs_touch(row, now)
    if changed:
        touch(row, now)
    user = row.user
    user.current_session_token = token
    user.current_session = row
    return Resumed(user, None, changed)


def sign_out(user: User, row: UserSession | None) -> None:
    """End this browser's sign-in (audited). The caller then clears the cookie."""
    if row is not None:
        end_session(row, SessionEndReason.SIGNED_OUT, by=user)


def keep_alive(row: UserSession) -> None:
    """The "Stay signed in" button: counts as using SkillPath, so the inactivity clock starts again."""
    touch(row, utcnow())


def end_other_session(user: User, session_id: uuid.UUID, *, current: UserSession | None) -> UserSession | None:
    """Sign `user` out of one of their other browsers. The session, if it ended now; None if it had already ended.

    Raises NotFound for a session that is not theirs, or is the one they are using (that is signing out)."""
    row = get_own_session(user, session_id)
    if row is None or (current is not None and row.id == current.id):
        raise NotFound(_("There is no such sign-in"))
    return row if end_session(row, SessionEndReason.ENDED_ELSEWHERE, by=user) else None


def end_other_sessions(user: User, *, keep: UserSession | None) -> int:
    """Sign `user` out everywhere but `keep` (audited, with how many ended). Returns how many ended."""
    ended = end_all_sessions(user, SessionEndReason.ENDED_ELSEWHERE, keep=keep)
    if ended:
        record_event(AuditAction.AUTH_SESSION_ENDED_OTHERS, actor=user, subject=user, count=ended)
    return ended


def end_session(
    row: UserSession, reason: SessionEndReason, *, by: User | None = None, at: datetime | None = None
) -> bool:
    """End one session. Returns False if it had already ended (a second click changes nothing)."""
    now = at or utcnow()
    # A conditional update, so two requests ending the same session record it once.
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    action = _AUDITED_ENDINGS.get(reason)
    if action is not None:
        record_event(
            action,
            actor=by,
            subject=row.user,
            object_type="session",
            object_id=row.public_id,
        )
    return True


def end_all_sessions(user: User, reason: SessionEndReason, *, keep: UserSession | None = None) -> int:
    """End every live session of `user` (but `keep`). Returns how many ended."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(UserSession.id != keep.id)
    result = db.session.execute(
        query.values(ended_at=utcnow(), ended_reason=reason).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def list_live_sessions(user: User, limits: SessionLimits, now: datetime | None = None) -> list[UserSession]:
    """The sessions that could still be used, newest first."""
    now = now or utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user.id,
            UserSession.ended_at.is_(None),
            UserSession.created_at > now - limits.lifetime,
            UserSession.last_seen_at > now - limits.idle,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(rows)


def get_own_session(user: User, public_id: uuid.UUID) -> UserSession | None:
    return db.session.scalar(
        select(UserSession).where(UserSession.public_id == public_id, UserSession.user_id == user.id)
    )


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "Mac"),
    ("Linux", "Linux"),
)
_SAFE = re.compile(r"[^A-Za-z0-9 ]")


def device_label(user_agent: str | None) -> str | None:
    """'Chrome on Windows': enough to tell sessions apart, without keeping the whole browser string."""
    if not user_agent:
        return None
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "A browser")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    label = f"{browser} on {system}" if system else browser
    return _SAFE.sub("", label)[:80]
