"""A learner closes their account: everything about them is deleted, except what they choose to keep checkable.

The learner chooses what happens to their certificates:

- KEEP: each certificate stays exactly as signed, with the name on it, so an employer can still check it and
  any credential already downloaded still verifies. Certificates the learner hid stay hidden.
- WITHDRAW: each certificate is withdrawn. Its row stays, without the name, because the revocation lists
  that wallets and verifiers read are worked out from these rows: deleting them would make a withdrawn
  credential read as valid again. The nameless content is signed again, so a check reads "withdrawn" and
  never "changed".

Everything else the learner has in SkillPath is deleted, in the caller's transaction: profile (name, prison
number, release date), groups, modules and progress, evidence (its files go from their storage once that
commits: see `services/progress/evidence_storage.py`), skills, goals, confidence answers, the things they need
for work, work-readiness history, CV, saved disclosure draft, share links and every sign-in session.

The `users` row stays as a disabled stub with no name, no username anyone could type, no password, no contact
details and a new public id. It must: certificates (kept or withdrawn) and the audit log point at it, and the
audit log must keep saying which member of staff looked at or changed a record, even after the person leaves.
Those audit events keep only pseudonymous references (see `audit.pseudonymise_events_about`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Executable, delete, select

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import (
    BarrierChange,
    BarrierItem,
    Certificate,
    CohortMembership,
    ConfidenceRating,
    CvDocument,
    DisclosureDraft,
    Enrolment,
    EnrolmentState,
    Evidence,
    Goal,
    GoalStep,
    LearnerProfile,
    ProgressEvent,
    ReadinessPeriod,
    ReadinessStatusChange,
    ShareLink,
    SkillAward,
    User,
    UserSession,
)
from skillpath.models._types import new_uuid, utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import pseudonymise_events_about, record_event
from skillpath.services.certificates import signing
from skillpath.services.certificates.certificates import content_of
from skillpath.services.certificates.issuer import Issuer, current_issuer
from skillpath.services.errors import NotAllowed
from skillpath.services.learners.accounts import recheck_password
from skillpath.services.locking import lock_learner
from skillpath.services.progress.evidence_storage import EvidenceStorage

# Why a certificate was withdrawn, kept privately with it (never shown to the public).
WITHDRAWN_ON_CLOSING = "The learner closed their account and chose to withdraw their certificates"
# A stub's username starts with a character no username may start with, so nobody can ever sign in as it.
_STUB_PREFIX = "~closed-"


class CertificateChoice(StrEnum):
    KEEP = "keep"
    WITHDRAW = "withdraw"


class ClosureError(NotAllowed):
    """An account that cannot be closed here, with a message for the person."""


@dataclass(frozen=True)
class Closure:
    certificates_kept: int
    certificates_withdrawn: int
    # Evidence files to delete from disk once the transaction has committed (never before: a rollback keeps them).
    evidence_files: tuple[str, ...]


def certificates_in_force(learner: User) -> list[Certificate]:
    """The certificates an employer can still check: the ones the learner's choice is about."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.learner_id == learner.id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_at)
        )
    )


def is_closed(user: User) -> bool:
    return user.username.startswith(_STUB_PREFIX)


def close_own_account(
    learner: User,
    *,
    password: str,
    certificates: CertificateChoice,
    evidence_storage: EvidenceStorage,
    issuer: Issuer | None = None,
    most_wrong: int = 5,
    ip: str | None = None,
) -> Closure:
    """The learner closes their own account, confirming with their password (the use case behind the page).

    Raises AccountError (field "password") for a wrong password, or SignedOutForWrongPasswords after
    `most_wrong` of them in this session (`accounts.recheck_password`); nothing else changes then. The evidence files go
    from `evidence_storage` once the request's transaction commits, never before. The caller then ends
    the browser's sign-in: every other one has already ended.
    """
    recheck_password(
        learner,
        password,
        most=most_wrong,
        wrong=_("Your password is wrong. Check it and try again"),
        field="password",
        ip=ip,
    )
    closure = close_account(learner, certificates=certificates, issuer=issuer)
    evidence_storage.delete(closure.evidence_files)
    return closure


def close_account(learner: User, *, certificates: CertificateChoice, issuer: Issuer | None = None) -> Closure:
    """Delete the learner's account and record, keeping or withdrawing their certificates. The caller commits,
    then ends the browser's sign-in and deletes `Closure.evidence_files` from the evidence storage."""
    lock_learner(learner)
    if is_closed(learner):
        # A second click that waited for the first: the account is already closed, so there is nothing to do.
        return Closure(certificates_kept=0, certificates_withdrawn=0, evidence_files=())
    if not learner.is_learner:
        raise ClosureError(_("Only a learner can close their account here"))
    kept, withdrawn = _settle_certificates(learner, certificates, (issuer or current_issuer()).signing_key())
    files = tuple(
        name
        for name in db.session.scalars(
            select(Evidence.stored_name).where(Evidence.learner_id == learner.id, Evidence.stored_name.is_not(None))
        )
        if name
    )
    _delete_record(learner.id)
    _make_stub(learner)
    pseudonymise_events_about(learner.id)
    record_event(
        AuditAction.ACCOUNT_CLOSED, actor=learner, subject=learner, kind=certificates.value, count=kept + withdrawn
    )
    return Closure(certificates_kept=kept, certificates_withdrawn=withdrawn, evidence_files=files)


def _settle_certificates(learner: User, choice: CertificateChoice, key: signing.IssuerKey) -> tuple[int, int]:
    rows = list(db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)))
    kept = withdrawn = 0
    now = utcnow()
    for certificate in rows:
        # Who issued or withdrew it was a member of prison staff; the certificate never needs to say.
        certificate.issued_by_id = None
        certificate.revoked_by_id = None
        if choice == CertificateChoice.KEEP and certificate.revoked_at is None:
            certificate.revocation_reason = None
            kept += 1
            continue
        if certificate.revoked_at is None:
            certificate.revoked_at = now
            certificate.revocation_reason = WITHDRAWN_ON_CLOSING
            withdrawn += 1
        else:
            certificate.revocation_reason = None  # what staff wrote about it goes with the rest
        _remove_name(certificate, key)
    return kept, withdrawn


def _remove_name(certificate: Certificate, key: signing.IssuerKey) -> None:
    """Take the name off a withdrawn certificate and sign what is left, so that checking it reads "withdrawn"."""
    if certificate.recipient_name == "":
        return
    certificate.recipient_name = ""
    certificate.key_id = key.kid
    certificate.signature = signing.sign(content_of(certificate).canonical_bytes(), key)


def _delete_record(learner_id: int) -> None:
    goal_ids = select(Goal.id).where(Goal.learner_id == learner_id).scalar_subquery()
    for link in db.session.scalars(select(ShareLink).where(ShareLink.learner_id == learner_id)):
        db.session.delete(link)  # with its views and its list of certificates
    db.session.flush()
    statements: list[Executable] = [
        # Children before parents: skills point at progress events, which point at enrolments, as does evidence.
        # The read models worked out from them go first: bulk deletes are not seen by their session listener.
        delete(EnrolmentState).where(EnrolmentState.learner_id == learner_id),
        delete(ReadinessPeriod).where(ReadinessPeriod.learner_id == learner_id),
        delete(SkillAward).where(SkillAward.learner_id == learner_id),
        delete(Evidence).where(Evidence.learner_id == learner_id),
        delete(ProgressEvent).where(ProgressEvent.learner_id == learner_id),
        delete(Enrolment).where(Enrolment.learner_id == learner_id),
        delete(GoalStep).where(GoalStep.goal_id.in_(goal_ids)),
        delete(Goal).where(Goal.learner_id == learner_id),
        delete(ConfidenceRating).where(ConfidenceRating.learner_id == learner_id),
        delete(BarrierChange).where(BarrierChange.learner_id == learner_id),
        delete(BarrierItem).where(BarrierItem.learner_id == learner_id),
        delete(ReadinessStatusChange).where(ReadinessStatusChange.learner_id == learner_id),
        delete(CohortMembership).where(CohortMembership.learner_id == learner_id),
        delete(CvDocument).where(CvDocument.learner_id == learner_id),
        delete(DisclosureDraft).where(DisclosureDraft.learner_id == learner_id),
        # Deleting the sessions ends them: the cookie of any browser still signed in now opens nothing.
        delete(UserSession).where(UserSession.user_id == learner_id),
        delete(LearnerProfile).where(LearnerProfile.user_id == learner_id),
    ]
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()


def _make_stub(learner: User) -> None:
    learner.username = _STUB_PREFIX + secrets.token_hex(12)
    learner.display_name = ""
    learner.public_id = new_uuid()  # old links and log pseudonyms no longer lead here
    learner.is_enabled = False
    for secret_or_contact in (
        "email",
        "phone",
        "password_hash",
        "activation_code_hash",
        "activation_expires_at",
        "activated_at",
        "recovery_code_hash",
        "recovery_check_hash",
        "recovery_throttled_until",
        "throttled_until",
        "last_login_at",
        "establishment_id",
        "created_by_id",
    ):
        setattr(learner, secret_or_contact, None)
    learner.failed_logins = 0
    learner.recovery_failures = 0
