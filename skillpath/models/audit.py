"""The audit log: who did or saw what, to whose record, and when.

Every read of a learner's record by staff writes an event here, as does every
change to accounts, status, barriers and certificates. Learners can see the
events about their own record. Rows are only ever added.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, utcnow


class AuditAction(StrEnum):
    """Every action the audit trail records: one vocabulary, so a reader (or a query) can rely on the names.

    The values are stored in ``audit_events.action``; never rename one without a data migration.
    """

    # account
    ACCOUNT_ACTIVATION_REISSUED = "account.activation.reissued"
    ACCOUNT_CLOSED = "account.closed"
    ACCOUNT_CONTACT_CHANGED = "account.contact.changed"
    ACCOUNT_DETAILS_CHANGED = "account.details.changed"
    ACCOUNT_LEARNER_CREATED = "account.learner.created"
    ACCOUNT_RECOVERY_CHECK_SET = "account.recovery.check_set"
    ACCOUNT_RECOVERY_CODE_ISSUED = "account.recovery.code_issued"
    ACCOUNT_STAFF_CREATED = "account.staff.created"

    # api (the staff API: its clients, and every call a client makes)
    API_CALL = "api.call"
    API_CLIENT_REGISTERED = "api.client.registered"
    API_CLIENT_REVOKED = "api.client.revoked"

    # auth
    AUTH_ACTIVATION_COMPLETED = "auth.activation.completed"
    AUTH_ACTIVATION_FAILED = "auth.activation.failed"
    AUTH_PASSWORD_CHANGED = "auth.password.changed"  # noqa: S105  (an action, not a password)
    AUTH_PASSWORD_RECHECK_FAILED = "auth.password.recheck_failed"  # noqa: S105
    AUTH_RECOVERY_COMPLETED = "auth.recovery.completed"
    AUTH_RECOVERY_FAILED = "auth.recovery.failed"
    AUTH_RECOVERY_THROTTLED = "auth.recovery.throttled"
    AUTH_SESSION_ACCOUNT_RESET = "auth.session.account_reset"
    AUTH_SESSION_ENDED_ELSEWHERE = "auth.session.ended_elsewhere"
    AUTH_SESSION_ENDED_OTHERS = "auth.session.ended_others"
    AUTH_SESSION_ENDED_WRONG_PASSWORDS = "auth.session.ended_wrong_passwords"
    AUTH_SESSION_EXPIRED = "auth.session.expired"
    AUTH_SESSION_IDLE = "auth.session.idle"
    AUTH_SESSION_PASSWORD_CHANGED = "auth.session.password_changed"  # noqa: S105
    AUTH_SESSION_SIGNED_OUT = "auth.session.signed_out"
    AUTH_SIGNIN_FAILED = "auth.signin.failed"
    AUTH_SIGNIN_SUCCEEDED = "auth.signin.succeeded"
    AUTH_SIGNIN_THROTTLED = "auth.signin.throttled"
    AUTH_SIGNIN_UNKNOWN_USER = "auth.signin.unknown_user"

    # certificate
    CERTIFICATE_DOWNLOADED = "certificate.downloaded"
    CERTIFICATE_HIDDEN = "certificate.hidden"
    CERTIFICATE_ISSUED = "certificate.issued"
    CERTIFICATE_REVOKED = "certificate.revoked"
    CERTIFICATE_SHOWN = "certificate.shown"

    # cohort
    COHORT_CREATED = "cohort.created"
    COHORT_DASHBOARD_VIEWED = "cohort.dashboard.viewed"
    COHORT_EXPORTED = "cohort.exported"
    COHORT_MENTOR_ASSIGNED = "cohort.mentor.assigned"
    COHORT_MENTOR_REMOVED = "cohort.mentor.removed"

    # establishment
    ESTABLISHMENT_CREATED = "establishment.created"
    ESTABLISHMENT_DASHBOARD_VIEWED = "establishment.dashboard.viewed"
    ESTABLISHMENT_EXPORTED = "establishment.exported"

    # learner
    LEARNER_ASSESSMENT_RECORDED = "learner.assessment.recorded"
    LEARNER_BARRIER_CHANGED = "learner.barrier.changed"
    LEARNER_CERTIFICATE_NAME_CHANGED = "learner.certificate_name.changed"
    LEARNER_CONFIDENCE_RATED = "learner.confidence.rated"
    LEARNER_CUSTODY_DETAILS_REMOVED = "learner.custody_details.removed"
    # The learner's own CV: which part changed, never a word of what they wrote.
    LEARNER_CV_CHANGED = "learner.cv.changed"
    LEARNER_CV_DOWNLOADED = "learner.cv.downloaded"
    LEARNER_CV_ENTRY_REMOVED = "learner.cv.entry_removed"
    LEARNER_CV_ENTRY_SAVED = "learner.cv.entry_saved"
    LEARNER_CV_FINISHED = "learner.cv.finished"
    LEARNER_DATA_DOWNLOADED = "learner.data.downloaded"
    LEARNER_DISCLOSURE_DRAFT_DELETED = "learner.disclosure_draft.deleted"
    LEARNER_DISCLOSURE_DRAFT_SAVED = "learner.disclosure_draft.saved"
    LEARNER_EVIDENCE_ADDED = "learner.evidence.added"
    LEARNER_EVIDENCE_REMOVED = "learner.evidence.removed"
    LEARNER_EVIDENCE_VIEWED = "learner.evidence.viewed"
    LEARNER_GOAL_ARCHIVED = "learner.goal.archived"
    LEARNER_GOAL_COMPLETED = "learner.goal.completed"
    LEARNER_GOAL_CREATED = "learner.goal.created"
    LEARNER_GOAL_STEP_UPDATED = "learner.goal.step_updated"
    LEARNER_GOAL_UPDATED = "learner.goal.updated"
    LEARNER_MODULE_STARTED = "learner.module.started"
    LEARNER_PROGRESS_RECORDED = "learner.progress.recorded"
    LEARNER_RECORD_VIEWED = "learner.record.viewed"
    LEARNER_RELEASE_DATE_CHANGED = "learner.release_date.changed"
    LEARNER_RELEASED = "learner.released"
    LEARNER_STATUS_CHANGED = "learner.status.changed"
    LEARNER_TARGET_CHOSEN = "learner.target.chosen"
    LEARNER_TRANSFERRED = "learner.transferred"

    # mentor
    MENTOR_HOME_VIEWED = "mentor.home.viewed"
    # One of the to-do lists in full ("See all"): which list and page are in the detail.
    MENTOR_WORKLIST_VIEWED = "mentor.worklist.viewed"

    # national (administrators: every establishment side by side)
    NATIONAL_DASHBOARD_VIEWED = "national.dashboard.viewed"

    # module
    MODULE_RETURNED = "module.returned"
    MODULE_SIGNED_OFF = "module.signed_off"
    MODULE_SUBMITTED = "module.submitted"

    # share_link
    SHARE_LINK_CREATED = "share_link.created"
    SHARE_LINK_WITHDRAWN = "share_link.withdrawn"


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject_time", "subject_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The staff API client that made the call or the change (see models/api.py); the actor is then empty.
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"), index=True)
    # Dotted action name, such as "learner.record.viewed" or "auth.login.failed".
    action: Mapped[str] = mapped_column(String(60))
    # The learner (or other user) whose record this is about, if any.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor = relationship("User", foreign_keys=[actor_id])
