"""Registering and revoking the machine clients of the staff API (administrators only).

A client's secret is made here, returned once to be shown once, and kept only as an Argon2 hash: nobody can
read it again, and losing it means registering a new client. Revoking a client stops its tokens at once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import Establishment, User
from skillpath.models._types import utcnow
from skillpath.models.api import ApiClient, ApiScope, ApiToken
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import Conflict, InvalidInput

NAME_MAX = 120

# What each scope lets a client do, in plain words (the registration page and the OpenAPI document show them).
SCOPE_DESCRIPTIONS = {
    ApiScope.ESTABLISHMENTS_READ: _l("See its establishments and their cohorts"),
    ApiScope.LEARNERS_READ: _l("See the learners in those cohorts: names, cohort, target job and release date"),
    ApiScope.LEARNERS_PRISON_NUMBER: _l("See learners’ prison numbers (without this, prison numbers are left out)"),
    ApiScope.READINESS_READ: _l("See how ready for work each learner is, and what is missing"),
    ApiScope.WORK_STATUS_READ: _l("See learners’ work-readiness status and its history"),
    ApiScope.WORK_STATUS_WRITE: _l("Change learners’ work-readiness status"),
    ApiScope.BARRIERS_READ: _l("See learners’ barriers to work and their history"),
    ApiScope.BARRIERS_WRITE: _l("Change learners’ barriers to work"),
    ApiScope.GOALS_READ: _l("See learners’ goals and steps"),
    ApiScope.GOALS_WRITE: _l("Add goals and change goals and steps"),
    ApiScope.PROGRESS_READ: _l("See learners’ modules and where they are with each"),
    ApiScope.PROGRESS_WRITE: _l("Sign off modules, or return them to the learner with feedback"),
    ApiScope.CERTIFICATES_READ: _l("See learners’ certificates: code, title, when issued and whether withdrawn"),
}


@dataclass(frozen=True)
class RegisteredClient:
    """A client just registered, with its secret: the only time the secret exists outside the client."""

    client: ApiClient
    secret: str


def new_client_id() -> str:
    return "sp-" + secrets.token_hex(12)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def list_clients() -> list[ApiClient]:
    """Every client, those in use first, each group newest first."""
    clients = db.session.scalars(
        select(ApiClient).options(selectinload(ApiClient.establishments), selectinload(ApiClient.created_by))
    )
    return sorted(clients, key=lambda client: (client.is_revoked, -client.created_at.timestamp(), client.id))


def get_client(public_id: uuid.UUID) -> ApiClient | None:
    return db.session.scalar(
        select(ApiClient).where(ApiClient.public_id == public_id).options(selectinload(ApiClient.establishments))
    )


def register_client(
    *,
    name: str,
    scopes: Iterable[str],
    establishment_ids: Collection[uuid.UUID],
    by: User,
    hash_secret: Callable[[str], str],
) -> RegisteredClient:
    """Register a client bound to these establishments with these scopes; audited. Returns it with its secret.

    `hash_secret` is the app's Argon2 hasher (skillpath.auth.passwords.hash_secret), passed in so that this
    module keeps no tie to the web app.
    """
    name = " ".join(name.split())
    if not name:
        raise InvalidInput(_("Enter a name for the client"), field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name must be %(max)d characters or fewer", max=NAME_MAX), field="name")
    known = {scope.value: scope for scope in ApiScope}
    chosen = [known[value] for value in dict.fromkeys(scopes) if value in known]
    if not chosen:
        raise InvalidInput(_("Select at least one thing the client may do"), field="scopes")
    establishments = list(
        db.session.scalars(select(Establishment).where(Establishment.public_id.in_(list(establishment_ids))))
    )
    if not establishments or len(establishments) != len(set(establishment_ids)):
        raise InvalidInput(_("Select the establishments whose learners the client may see"), field="establishments")
    secret = new_secret()
    client = ApiClient(
        client_id=new_client_id(),
        name=name,
        secret_hash=hash_secret(secret),
        scopes=" ".join(scope.value for scope in ApiScope if scope in chosen),
        created_by_id=by.id,
        establishments=establishments,
    )
    db.session.add(client)
    db.session.flush()
    record_event(
        AuditAction.API_CLIENT_REGISTERED,
        actor=by,
        object_type="api_client",
        object_id=client.public_id,
        scopes=client.scopes.split(),
        establishments=[establishment.code for establishment in establishments],
    )
    return RegisteredClient(client, secret)


def revoke_client(client: ApiClient, *, by: User) -> None:
    """Stop a client for good: it gets no new token, and the tokens it holds stop working now. Audited."""
    if client.is_revoked:
        raise Conflict(_("This client was already revoked"))
    client.revoked_at = utcnow()
    client.revoked_by_id = by.id
    db.session.execute(delete(ApiToken).where(ApiToken.api_client_id == client.id))
    record_event(AuditAction.API_CLIENT_REVOKED, actor=by, object_type="api_client", object_id=client.public_id)
