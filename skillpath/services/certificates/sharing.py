"""Share links: a learner shows some of their certificates to someone, on their own terms.

A link carries a long random token (256 bits, `secrets.token_urlsafe`); only its
SHA-256 hash is stored, so a copy of the database opens nothing. The learner
chooses the certificates, an optional last day and an optional private label,
sees how often and when the link was opened, and can withdraw it at any time.

What the public page may show is decided here: the certificates of the link
that the learner has not hidden, with their verification status. Never the
label, the learner's other certificates, or anything about custody. Hidden and
withdrawn certificates cannot be put on a new link; a certificate hidden after
it was shared drops off the link's page (hiding means "nobody may check it"),
and one withdrawn by staff after it was shared stays on it, marked withdrawn
(an employer who was sent it must learn that).

Opening the page is counted (the time only: no address, no browser); a download
from the page is not another opening.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import Certificate, ShareLink, ShareLinkView, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates.certificates import (
    CertificateContent,
    Verification,
    format_code,
    normalise_code,
    verification_of,
)
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.errors import InvalidInput, NotAllowed
from skillpath.services.locking import lock_learner
from skillpath.text import clean_text

UK = ZoneInfo("Europe/London")
TOKEN_BYTES = 32  # 256 bits: guessing is hopeless, and every guess is rate-limited as well
# What secrets.token_urlsafe(32) gives (43 characters); anything else is refused before the database is asked.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43,128}")
LABEL_MAX = 100
RECENT_OPENINGS = 10

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"


class SharingError(InvalidInput):
    """A share link that cannot be made as asked, with a message for the learner and the field it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field=field)


class LinkState(StrEnum):
    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# --- Tokens ----------------------------------------------------------------------------------------


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """What is stored: 64 hex characters. A fast hash is right here, since the token itself has 256 random bits."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_token_shaped(text: str) -> bool:
    return TOKEN_PATTERN.fullmatch(text) is not None


# --- End dates -------------------------------------------------------------------------------------


def today_in_uk(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(UK).date()


def expires_at_for(last_day: date) -> datetime:
    """A link "works until 27 March" until midnight at the end of that day, UK time."""
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=UK).astimezone(UTC)


def last_day_of(link: ShareLink) -> date | None:
    if link.expires_at is None:
        return None
    return (link.expires_at.astimezone(UK) - timedelta(microseconds=1)).date()


def state_of(link: ShareLink, now: datetime | None = None) -> LinkState:
    if link.is_withdrawn:
        return LinkState.WITHDRAWN
    if link.has_expired(now or utcnow()):
        return LinkState.EXPIRED
    return LinkState.ACTIVE


# --- The learner's links ---------------------------------------------------------------------------


def shareable_certificates(learner: User) -> list[Certificate]:
    """Certificates the learner may put on a link: not withdrawn, not hidden. Newest first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(
                Certificate.learner_id == learner.id,
                Certificate.revoked_at.is_(None),
                Certificate.hidden_at.is_(None),
            )
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def _check_request(certificate_ids: Sequence[uuid.UUID], label: str | None, last_day: date | None, today: date) -> str:
    if not certificate_ids:
        raise SharingError(_("Select at least one certificate to share"), "certificates")
    if last_day is not None and last_day < today:
        raise SharingError(_("The last day must be today or in the future"), "last_day")
    cleaned = clean_text(label)
    if len(cleaned) > LABEL_MAX:
        raise SharingError(_("The name for this link must be %(max)d characters or fewer", max=LABEL_MAX), "label")
    return cleaned


def _chosen_certificates(learner: User, certificate_ids: Sequence[uuid.UUID]) -> list[Certificate]:
    wanted = set(certificate_ids)
    chosen = [item for item in shareable_certificates(learner) if item.public_id in wanted]
    if len(chosen) != len(wanted):
        # Another learner's certificate, or one withdrawn or hidden since the form was shown.
        raise SharingError(_("Select only certificates that employers can check"), "certificates")
    return chosen


def create_share_link(
    learner: User,
    *,
    token: str,
    certificate_ids: Sequence[uuid.UUID],
    label: str | None,
    last_day: date | None,
    actor: User,
    today: date | None = None,
) -> tuple[ShareLink, bool]:
    """Make a link for `token`. Returns (link, created); created is False when this token already made one.

    The form carries its token, so sending it twice (a double click, the back button) makes one link: the
    learner's record is locked first, and the second request finds the link the first one made. Only the
    learner makes their links (NotAllowed otherwise).
    """
    if actor.id != learner.id:
        raise NotAllowed(_("Only the learner can share their certificates"))
    cleaned_label = _check_request(certificate_ids, label, last_day, today or today_in_uk())
    lock_learner(learner)
    token_hash = hash_token(token)
    existing = _link_with_hash(token_hash)
    if existing is not None:
        if existing.learner_id != learner.id:  # a token is 256 random bits: this is a forged form
            raise SharingError(_("Make the link again"), "certificates")
        return existing, False
    link = ShareLink(
        learner_id=learner.id,
        token_hash=token_hash,
        label=cleaned_label or None,
        expires_at=expires_at_for(last_day) if last_day else None,
        certificates=_chosen_certificates(learner, certificate_ids),
    )
    try:
        with db.session.begin_nested():
            db.session.add(link)
    except IntegrityError:
        # Only a database without the lock's guarantee gets here: the same form sent twice at once.
        existing = _link_with_hash(token_hash)
        if existing is None or existing.learner_id != learner.id:
            raise
        return existing, False
    record_event(
        AuditAction.SHARE_LINK_CREATED,
        actor=actor,
        subject=learner,
        object_type="share_link",
        object_id=link.public_id,
        certificates=[item.display_code for item in link.certificates],
        last_day=last_day.isoformat() if last_day else None,
    )
    return link, True


def _link_with_hash(token_hash: str) -> ShareLink | None:
    return db.session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash))


def list_share_links(learner: User) -> list[ShareLink]:
    """The learner's links, newest first, withdrawn and expired ones included."""
    return list(
        db.session.scalars(
            select(ShareLink)
            .where(ShareLink.learner_id == learner.id)
            .options(selectinload(ShareLink.certificates))
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
    )


def count_share_links(learner: User) -> int:
    return db.session.scalar(select(func.count()).where(ShareLink.learner_id == learner.id)) or 0


def get_learner_share_link(learner: User, public_id: uuid.UUID) -> ShareLink | None:
    """The learner's own link; someone else's is None, exactly as one that does not exist."""
    return db.session.scalar(
        select(ShareLink).where(ShareLink.public_id == public_id, ShareLink.learner_id == learner.id)
    )


def find_share_link_for_learner(learner: User, public_id: uuid.UUID) -> ShareLink | None:
    """The learner's own link (loaders use this); someone else's is None, as one that does not exist."""
    return get_learner_share_link(learner, public_id)


def withdraw_share_link(link: ShareLink, *, actor: User, at: datetime | None = None) -> bool:
    """Stop the link working, at once and for good. Returns False if it was already withdrawn.

    Only the learner whose link it is may (NotAllowed otherwise).
    """
    if actor.id != link.learner_id:
        raise NotAllowed(_("Only the learner can withdraw their link"))
    lock_learner(link.learner_id)
    if link.is_withdrawn:
        return False
    link.withdrawn_at = at or utcnow()
    record_event(
        AuditAction.SHARE_LINK_WITHDRAWN,
        actor=actor,
        subject=db.session.get(User, link.learner_id),
        object_type="share_link",
        object_id=link.public_id,
    )
    return True


@dataclass(frozen=True)
class Openings:
    """How often a link was opened, and when: the learner sees this, nobody else."""

    count: int = 0
    last_at: datetime | None = None
    recent: tuple[datetime, ...] = ()


def openings_of(links: Iterable[ShareLink]) -> dict[int, Openings]:
    """Number of openings and the latest, for each link, in one query."""
    ids = [link.id for link in links]
    if not ids:
        return {}
    rows = db.session.execute(
        select(ShareLinkView.share_link_id, func.count(), func.max(ShareLinkView.opened_at))
        .where(ShareLinkView.share_link_id.in_(ids))
        .group_by(ShareLinkView.share_link_id)
    )
    found = {link_id: Openings(count, last_at) for link_id, count, last_at in rows}
    return {link_id: found.get(link_id, Openings()) for link_id in ids}


def openings_with_recent(link: ShareLink, limit: int = RECENT_OPENINGS) -> Openings:
    summary = openings_of([link])[link.id]
    recent = db.session.scalars(
        select(ShareLinkView.opened_at)
        .where(ShareLinkView.share_link_id == link.id)
        .order_by(ShareLinkView.opened_at.desc(), ShareLinkView.id.desc())
        .limit(limit)
    )
    return Openings(summary.count, summary.last_at, tuple(recent))


# --- The public page -------------------------------------------------------------------------------


def find_share_link(token: str) -> ShareLink | None:
    """The link a token opens, whatever its state; None for a token that was never issued."""
    if not is_token_shaped(token):
        return None
    return _link_with_hash(hash_token(token))


def shared_certificates(link: ShareLink) -> list[Certificate]:
    """What the link's page shows: its certificates, less any the learner has hidden since."""
    return [item for item in link.certificates if not item.is_hidden]


def get_shared_certificate(link: ShareLink, code: str) -> Certificate | None:
    """A certificate of this link that may be downloaded from its page: shown there, and not withdrawn."""
    body = normalise_code(code)
    return next(
        (item for item in shared_certificates(link) if item.code == body and not item.is_revoked),
        None,
    )


def record_opening(link: ShareLink, at: datetime | None = None) -> None:
    """One opening of the page: when, and nothing about who."""
    db.session.add(ShareLinkView(share_link_id=link.id, opened_at=at or utcnow()))


@dataclass(frozen=True)
class SharedItem:
    """One certificate as the shared page shows it: its check, its check page's address, and its code."""

    code: str
    verification: Verification
    verify_url: str


@dataclass(frozen=True)
class SharedPage:
    """What the public page of a link may show: never the link itself, so never its label or its learner."""

    state: LinkState
    items: tuple[SharedItem, ...] = ()
    last_day: date | None = None


def open_share_link(link: ShareLink, issuer: Issuer, *, viewer: User | None, counted: bool = True) -> SharedPage:
    """Someone opens a link's public page: its certificates, checked now, and the opening counted.

    A withdrawn or expired link shows nothing but its state, and is not counted. Nor is the learner
    looking at their own link, nor a request that only asks about the page (`counted=False`, a HEAD).
    """
    state = state_of(link)
    if state != LinkState.ACTIVE:
        return SharedPage(state)
    items = tuple(
        SharedItem(format_code(item.code), verification_of(item, issuer.keys), issuer.urls.verify(item))
        for item in shared_certificates(link)
    )
    if counted and (viewer is None or viewer.id != link.learner_id):
        record_opening(link)
    return SharedPage(state, items, last_day_of(link))


def find_shared_certificate(token: str, code: str, issuer: Issuer) -> Certificate | None:
    """A certificate whose files a link's page offers: the link works, and the certificate checks as valid."""
    link = find_share_link(token)
    if link is None or state_of(link) != LinkState.ACTIVE:
        return None
    item = get_shared_certificate(link, code)
    # Only files the page offers: a certificate whose record no longer matches its signature gets none.
    if item is None or not verification_of(item, issuer.keys).is_valid:
        return None
    return item


# --- LinkedIn --------------------------------------------------------------------------------------


def linkedin_add_url(content: CertificateContent, *, verify_url: str) -> str:
    """LinkedIn's "Add to profile" address for a certification, filled in from the certificate.

    The learner follows it in their own browser; SkillPath never contacts LinkedIn. Parameter names are
    those of LinkedIn's Add to Profile for certifications (startTask=CERTIFICATION_NAME).
    """
    issued = content.issued_at.astimezone(UK)
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": content.achievement_name,
        "organizationName": content.issuer_name,
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": verify_url,
        "certId": content.code,
    }
    return f"{LINKEDIN_ADD_URL}?{urlencode(query, quote_via=quote)}"
