"""Writing the audit log. The caller's transaction commits the event with the change.

Events that matter for security (sign-ins, accounts, withdrawn certificates, moves of people and data)
are also written to the security log, but only once their transaction commits, so an operator never reads
of a change that was rolled back. The log line names the action and pseudonyms of the people involved;
an event's detail stays in the database.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from skillpath.extensions import db
from skillpath.logs import pseudonym, security_event
from skillpath.models import AuditEvent, User

_SECURITY_PREFIXES = ("auth.", "account.")
_SECURITY_ACTIONS = frozenset(
    {
        "certificate.revoked",
        "certificate.hidden",
        "cohort.mentor.assigned",
        "cohort.mentor.removed",
        "cohort.exported",
        "establishment.exported",
        "learner.data.downloaded",
        "learner.released",
        "learner.transferred",
    }
)
# Outcomes an operator may want to be woken for; the rest are kept at INFO.
_WARNING_SUFFIXES = (".failed", ".locked", ".throttled", ".unknown_user")
_PENDING = "skillpath.pending_security_events"


def is_security_action(action: str) -> bool:
    return action.startswith(_SECURITY_PREFIXES) or action in _SECURITY_ACTIONS


def record_event(
    action: str,
    *,
    actor: User | None,
    subject: User | None = None,
    object_type: str | None = None,
    object_id: object | None = None,
    ip_address: str | None = None,
    **detail: Any,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        subject_id=subject.id if subject is not None else None,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        ip_address=ip_address,
        detail=detail or None,
    )
    db.session.add(event)
    if is_security_action(action):
        pending = db.session.info.setdefault(_PENDING, [])
        pending.append(
            {
                "action": action,
                "actor": pseudonym(actor.public_id) if actor is not None else None,
                "subject": pseudonym(subject.public_id) if subject is not None else None,
            }
        )
    return event


@event.listens_for(Session, "after_commit")
def _log_committed_security_events(session: Session) -> None:
    for fields in session.info.pop(_PENDING, []):
        level = logging.WARNING if fields["action"].endswith(_WARNING_SUFFIXES) else logging.INFO
        security_event("audit", level, **fields)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back_security_events(session: Session, previous_transaction: SessionTransaction) -> None:
    # A savepoint rolled back inside a request leaves the outer work (and its events) standing.
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
