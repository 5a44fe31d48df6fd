"""Writing the audit log. The caller's transaction commits the event with the change."""

from __future__ import annotations

from typing import Any

from skillpath.extensions import db
from skillpath.models import AuditEvent, User


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
    return event
