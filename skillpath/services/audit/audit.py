"""Writing the audit log. The caller's transaction commits the event with the change.

Events that matter for security (sign-ins, accounts, withdrawn certificates, moves of people and data)
are also written to the security log, but only once their transaction commits, so an operator never reads
of a change that was rolled back. The log line names the action and pseudonyms of the people involved;
an event's detail stays in the database.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, SessionTransaction

from skillpath.extensions import db
from skillpath.logs import pseudonym, security_event
from skillpath.models import AuditEvent, User
from skillpath.models.audit import AuditAction

_SECURITY_PREFIXES = ("auth.", "account.")
_SECURITY_ACTIONS = frozenset(
    {
        "api.client.registered",
        "api.client.revoked",
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
# What an event about a learner may keep once their custody details fade or they close their account: plain
# counts, codes and yes/no answers. Anything else in the detail (a cohort's id, whether a move crossed
# establishments, the names of changed fields, certificate codes) is dropped, as are addresses (an address
# inside a prison's network names the prison) and the ids of cohorts and establishments.
_PSEUDONYMOUS_DETAIL = frozenset(
    {"page", "kind", "count", "changed", "expired", "trusted_browser", "status", "change_type", "level", "skills"}
)
_PLACE_OBJECTS = frozenset({"cohort", "establishment"})


def is_security_action(action: str) -> bool:
    return action.startswith(_SECURITY_PREFIXES) or action in _SECURITY_ACTIONS


def record_event(
    action: AuditAction,
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


def pseudonymise_events_about(user_id: int) -> int:
    """Leave the events by or about one person with pseudonymous references only. Returns how many changed.

    The audit log is otherwise only added to. This is the one exception: when a learner's custody details fade
    or they close their account, who did what and when stays (the actor and subject ids, the action), and
    what could place the person in a prison goes. Running it again changes nothing.
    """
    changed = 0
    events = db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.subject_id == user_id, AuditEvent.actor_id == user_id))
    )
    for row in events:
        detail = {key: value for key, value in (row.detail or {}).items() if key in _PSEUDONYMOUS_DETAIL} or None
        object_id = None if row.object_type in _PLACE_OBJECTS else row.object_id
        if (row.ip_address, row.detail, row.object_id) == (None, detail, object_id):
            continue
        row.ip_address, row.detail, row.object_id = None, detail, object_id
        changed += 1
    return changed
