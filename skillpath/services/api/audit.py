"""The audit trail of the staff API: every call a client makes, and every change it makes, names the client.

While a request acts for a client, every audit event written in the session (by the use cases too, which know
nothing of clients) is stamped with the client's id before it is flushed. The use cases' own actor is then
empty: no person made the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from skillpath.extensions import db
from skillpath.models import ApiClient, AuditEvent, User
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event

_ACTING = "skillpath.api_client_id"


def act_as_client(client: ApiClient) -> None:
    """From now until `stop_acting`, audit events written in this session name this client."""
    db.session.info[_ACTING] = client.id


def stop_acting() -> None:
    db.session.info.pop(_ACTING, None)


@event.listens_for(Session, "before_flush")
def _stamp_the_client(session: Session, _context: Any, _instances: Any) -> None:
    client_id = session.info.get(_ACTING)
    if client_id is None:
        return
    for row in session.new:
        if isinstance(row, AuditEvent) and row.api_client_id is None:
            row.api_client_id = client_id


def record_api_call(
    client: ApiClient,
    *,
    method: str,
    route: str,
    status: int,
    subject: User | None = None,
    discard_changes: bool = False,
) -> AuditEvent:
    """One call by a client: its method, the route's template (never the ids in it) and the answer's status.

    With `discard_changes` (a refused call), whatever the call changed is rolled back first, so that only this
    event is kept.
    """
    if discard_changes:
        db.session.rollback()
    event_row = record_event(
        AuditAction.API_CALL,
        actor=None,
        subject=subject,
        object_type="api_client",
        object_id=client.public_id,
        method=method,
        route=route,
        status=status,
    )
    event_row.api_client_id = client.id
    return event_row
