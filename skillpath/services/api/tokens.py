"""OAuth 2.0 client credentials (RFC 6749 section 4.4): access tokens for the staff API's clients.

A client proves itself with its client_id and secret and gets a random bearer token that lasts minutes. Only the
token's SHA-256 is stored. A token names the scopes granted: all of the client's, or the subset it asked for.
Errors are the RFC's own codes (section 5.2), so any OAuth library understands them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from skillpath.extensions import db
from skillpath.models._types import utcnow
from skillpath.models.api import ApiClient, ApiScope, ApiToken

DEFAULT_LIFETIME = timedelta(minutes=15)
TOKEN_TYPE = "Bearer"  # noqa: S105  (a token type, not a token)
SCOPE_SEPARATOR = " "


class OAuthError(Exception):
    """A refusal in the words of RFC 6749 section 5.2: `error` is its code, `description` says why in English."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    scope: str
    client: ApiClient


@dataclass(frozen=True)
class TokenCheck:
    """What a bearer token opens: the client and the scopes granted. `problem` says why it opens nothing."""

    client: ApiClient | None
    scopes: frozenset[ApiScope]
    problem: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.client is not None and self.problem is None


def lifetime_from(config: Mapping[str, object]) -> timedelta:
    """API_TOKEN_MINUTES from the configuration (15 by default)."""
    minutes = config.get("API_TOKEN_MINUTES", DEFAULT_LIFETIME.total_seconds() / 60)
    return timedelta(minutes=float(minutes))  # type: ignore[arg-type]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _requested_scopes(client: ApiClient, scope: str | None) -> list[ApiScope]:
    granted = client.scope_set
    if scope is None or not scope.strip():
        return [s for s in ApiScope if s in granted]
    names = scope.split()
    known = {s.value: s for s in ApiScope}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)[:200]}.")
    refused = [name for name in names if known[name] not in granted]
    if refused:
        raise OAuthError("invalid_scope", f"This client may not ask for: {' '.join(refused)}.")
    wanted = {known[name] for name in names}
    return [s for s in ApiScope if s in wanted]


def issue_token(
    *,
    client_id: str,
    client_secret: str,
    scope: str | None,
    check_secret: Callable[[str | None, str], bool],
    lifetime: timedelta = DEFAULT_LIFETIME,
    now: datetime | None = None,
) -> IssuedToken:
    """Check the client's credentials and issue a token; raise OAuthError("invalid_client") if they do not hold.

    An unknown client, a wrong secret and a revoked client get the same answer, after the same Argon2 check.
    """
    client = db.session.scalar(select(ApiClient).where(ApiClient.client_id == client_id[:64]))
    secret_ok = check_secret(client.secret_hash if client is not None else None, client_secret)
    if client is None or not secret_ok or client.is_revoked:
        raise OAuthError("invalid_client", "The client is unknown, its secret is wrong, or it was revoked.", status=401)
    scopes = _requested_scopes(client, scope)
    now = now or utcnow()
    # The client's spent tokens are of no more use to anyone: clear them as it comes for a new one.
    db.session.execute(delete(ApiToken).where(ApiToken.api_client_id == client.id, ApiToken.expires_at <= now))
    token = secrets.token_urlsafe(32)
    scope_text = SCOPE_SEPARATOR.join(s.value for s in scopes)
    db.session.add(
        ApiToken(
            token_hash=token_hash(token),
            api_client_id=client.id,
            scopes=scope_text,
            issued_at=now,
            expires_at=now + lifetime,
        )
    )
    return IssuedToken(token, int(lifetime.total_seconds()), scope_text, client)


def check_token(token: str, *, now: datetime | None = None) -> TokenCheck:
    """What this bearer token opens, if anything: unknown, expired and revoked tokens open nothing."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return TokenCheck(None, frozenset(), "The access token is not known. Get a new one from the token endpoint.")
    if row.expires_at <= (now or utcnow()):
        return TokenCheck(None, frozenset(), "The access token has expired. Get a new one from the token endpoint.")
    client = row.client
    if client.is_revoked:
        return TokenCheck(None, frozenset(), "The client of this access token was revoked.")
    known = {s.value: s for s in ApiScope}
    # A scope taken from the client since the token was issued is not granted any more.
    scopes = frozenset(known[name] for name in row.scopes.split() if name in known) & client.scope_set
    return TokenCheck(client, scopes)
