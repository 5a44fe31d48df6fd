"""Everything SkillPath holds about one learner, for them to read or download (UK GDPR right of access).

`collect` gathers it in a fixed number of queries, however long the record,
into frozen dataclasses that both the page and the JSON download use, so the
two always hold the same sections. `as_json` turns it into plain JSON types
with ISO 8601 dates.

`collect_to_share` is the version a learner can give to someone they trust:
it is built from an allow-list, so nothing shows they are or were in custody.
It keeps their own words, modules, skills, goals, confidence and certificates;
it leaves out the prison, the prison number, the release date, groups, the
username, staff names and anything staff wrote, the list of things they need
for work (it can mention a disclosure letter), work-readiness changes and the
audit log.

Left out on purpose: password, activation-code and session secrets; the
random names evidence files are stored under; the private reason a
certificate was revoked; IP addresses in the audit log (for staff actions they
are the staff member's, not the learner's); and the free-form detail of audit
events, which is replaced by a plain description.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import (
    AuditEvent,
    BarrierChange,
    BarrierItem,
    Certificate,
    CertificateKind,
    CohortMembership,
    ConfidenceRating,
    DeclineReason,
    Enrolment,
    Evidence,
    Goal,
    IdDocument,
    LearnerProfile,
    Module,
    ModuleUnit,
    ProgressEvent,
    ProgressKind,
    ReadinessStatusChange,
    Skill,
    SkillAward,
    SkillLevel,
    StatusChangeType,
    User,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.models.organisations import Cohort
from skillpath.services.audit.audit import record_event
from skillpath.services.plans.goals import GOAL_LABELS, STEP_LABELS, archive_reason_label

# --- What the audit log's dotted names mean, in the learner's words -----------------------------------------

ACTION_PHRASES: dict[str, Any] = {
    "learner.record.viewed": _l("Viewed your record"),
    "api.call": _l("Another system used by staff read or changed your record"),
    "learner.cv.changed": _l("Changed your CV"),
    "learner.cv.entry_saved": _l("Added or changed something on your CV"),
    "learner.cv.entry_removed": _l("Removed something from your CV"),
    "learner.cv.finished": _l("Said your CV is finished"),
    "learner.cv.downloaded": _l("Downloaded your CV"),
    "learner.evidence.viewed": _l("Opened your evidence file"),
    "learner.target.chosen": _l("Chose a job to work towards"),
    "learner.goal.created": _l("Added a goal"),
    "learner.goal.updated": _l("Changed a goal"),
    "learner.goal.step_updated": _l("Changed a step of a goal"),
    "learner.goal.completed": _l("Completed a goal"),
    "learner.goal.archived": _l("Archived a goal"),
    "learner.confidence.rated": _l("Said how confident you feel"),
    "learner.data.downloaded": _l("Downloaded your data"),
    "learner.barrier.changed": _l("Changed your list of things you need for work"),
    "learner.certificate_name.changed": _l("Changed the name on your certificates"),
    "certificate.issued": _l("Gave you a certificate"),
    "certificate.revoked": _l("Withdrew a certificate"),
    "certificate.hidden": _l("Hid a certificate from employers"),
    "certificate.shown": _l("Let employers check a certificate again"),
    "certificate.downloaded": _l("Downloaded your certificate"),
    "account.learner.created": _l("Made your account"),
    "account.activation.reissued": _l("Gave you a new activation code"),
    "auth.activation.completed": _l("Set up your account"),
    "auth.activation.failed": _l("Someone tried to set up your account with a wrong code"),
    "auth.password.changed": _l("Changed your password"),
    "auth.signin.succeeded": _l("Signed in"),
    "auth.signin.failed": _l("Someone tried to sign in with a wrong password"),
    "auth.signin.locked": _l("Someone tried to sign in while your account was locked"),
    "auth.account.locked": _l("Your account was locked after too many wrong passwords"),
    "learner.custody_details.removed": _l("Removed the details of your time in prison"),
    AuditAction.LEARNER_MODULE_STARTED: _l("Started a module"),
    AuditAction.LEARNER_PROGRESS_RECORDED: _l("Marked a part of a module as done or not done"),
    AuditAction.LEARNER_EVIDENCE_ADDED: _l("Added evidence"),
    AuditAction.LEARNER_EVIDENCE_REMOVED: _l("Removed evidence"),
    AuditAction.MODULE_SUBMITTED: _l("Sent a module for sign-off"),
    AuditAction.MODULE_SIGNED_OFF: _l("Signed off a module"),
    AuditAction.MODULE_RETURNED: _l("Returned a module with feedback"),
    AuditAction.LEARNER_STATUS_CHANGED: _l("Changed your work status"),
    AuditAction.LEARNER_RELEASE_DATE_CHANGED: _l("Changed your release date"),
    AuditAction.LEARNER_RELEASED: _l("Recorded your release"),
    AuditAction.LEARNER_TRANSFERRED: _l("Moved you to another group"),
    AuditAction.LEARNER_ASSESSMENT_RECORDED: _l("Said how well you can use a skill"),
    AuditAction.LEARNER_DISCLOSURE_DRAFT_SAVED: _l("Saved your disclosure statement"),
    AuditAction.LEARNER_DISCLOSURE_DRAFT_DELETED: _l("Deleted your disclosure statement"),
    AuditAction.SHARE_LINK_CREATED: _l("Made a link to share your achievements"),
    AuditAction.SHARE_LINK_WITHDRAWN: _l("Stopped a link to your achievements working"),
    AuditAction.ACCOUNT_CLOSED: _l("Closed your account"),
    AuditAction.ACCOUNT_DETAILS_CHANGED: _l("Changed your account details"),
    AuditAction.ACCOUNT_CONTACT_CHANGED: _l("Changed your contact details"),
}
_ACTION_AREAS = {"learner", "account", "auth"}

# The two kinds of download, as the audit log records them.
DOWNLOAD_FULL = "full"
DOWNLOAD_TO_SHARE = "to_share"


def describe_action(action: str) -> str:
    """A plain phrase for an audit action; unknown ones are put into words, never shown as raw codes."""
    if action in ACTION_PHRASES:
        return str(ACTION_PHRASES[action])
    parts = [part for part in action.split(".") if part]
    if parts and parts[-1] == "viewed":
        return _("Viewed your record")
    if len(parts) > 1 and parts[0] in _ACTION_AREAS:
        parts = parts[1:]
    words = " ".join(parts).replace("_", " ").strip()
    return words.capitalize() if words else _("Something changed on your record")


PROGRESS_PHRASES = {
    ProgressKind.ENROLLED: _l("Started the module"),
    ProgressKind.UNIT_COMPLETED: _l("Marked a part as done"),
    ProgressKind.UNIT_UNDONE: _l("Marked a part as not done"),
    ProgressKind.EVIDENCE_ADDED: _l("Added evidence"),
    ProgressKind.EVIDENCE_REMOVED: _l("Removed evidence"),
    ProgressKind.SUBMITTED: _l("Sent for sign-off"),
    ProgressKind.RETURNED: _l("Returned with feedback"),
    ProgressKind.SIGNED_OFF: _l("Signed off"),
    ProgressKind.WITHDRAWN: _l("Stopped the module"),
}
CHANGE_PHRASES = {
    StatusChangeType.NEW: _l("First recorded"),
    StatusChangeType.ACCEPTED_TO_DECLINED: _l("Changed to not wanting support"),
    StatusChangeType.DECLINED_TO_ACCEPTED: _l("Changed to wanting support"),
    None: _l("Updated"),  # neither of the above: the prison service records no status-change type
}
CERTIFICATE_KINDS = {
    CertificateKind.MODULE: _l("Module certificate"),
    CertificateKind.ROLE_READINESS: _l("Ready for a job"),
}
# Why the learner did not want support, in the words their record has always used (codes stay in the database).
DECLINE_REASON_PHRASES = {
    DeclineReason.FULL_TIME_CARER: _l("Full time carer"),
    DeclineReason.LACKS_CONFIDENCE_OR_MOTIVATION: _l("Lacks confidence or motivation"),
    DeclineReason.HEALTH: _l("Health"),
    DeclineReason.RETIRED: _l("Retired"),
    DeclineReason.RETURNING_TO_JOB: _l("Returning to job"),
    DeclineReason.SELF_EMPLOYED: _l("Self employed"),
    DeclineReason.LIMIT_THEIR_ABILITY: _l("Limit their ability"),
    DeclineReason.NO_REASON: _l("No reason"),
    DeclineReason.ALREADY_HAS_WORK: _l("Already has work"),
    DeclineReason.HOUSING_NOT_IN_PLACE: _l("Housing not in place"),
    DeclineReason.OTHER: _l("Other"),
}
ID_DOCUMENT_LABELS = {
    IdDocument.BIRTH_CERTIFICATE: _l("Birth certificate"),
    IdDocument.DRIVING_LICENCE: _l("Driving licence"),
    IdDocument.PASSPORT: _l("Passport"),
    IdDocument.OTHER: _l("Other"),
}


def _words(code: str | None) -> str | None:
    """A code put into words, for a code with no label yet (never expected: every code here has one)."""
    return code.replace("_", " ").capitalize() if code else None


def _id_document(code: str) -> str:
    try:
        return str(ID_DOCUMENT_LABELS[IdDocument(code)])
    except ValueError:
        return _words(code) or ""


# --- The record --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    name: str
    preferred_name: str
    certificate_name: str | None
    username: str
    email: str | None
    account_created_at: datetime
    account_set_up_at: datetime | None
    last_signed_in_at: datetime | None
    establishment: str | None
    job_working_towards: str | None
    job_title: str | None
    # Seen only by staff: never on anything the learner shares.
    prison_number: str | None
    release_date: date | None
    released_at: datetime | None
    last_active_at: datetime | None
    # When the details of custody were removed, a set time after release (see services/custody.py).
    custody_details_removed_at: datetime | None


@dataclass(frozen=True)
class SharedProfile:
    """The profile in the download to share: nothing that names the prison, the release or the account."""

    name: str
    preferred_name: str
    certificate_name: str | None
    email: str | None
    job_working_towards: str | None
    job_title: str | None


@dataclass(frozen=True)
class CohortPlace:
    group: str
    establishment: str
    joined_at: datetime
    left_at: datetime | None


@dataclass(frozen=True)
class ProgressEntry:
    what: str
    part: str | None
    by: str
    at: datetime
    note: str | None


@dataclass(frozen=True)
class EnrolmentRecord:
    module_code: str
    module_title: str
    started_at: datetime
    progress: tuple[ProgressEntry, ...]


@dataclass(frozen=True)
class EvidenceRecord:
    module_code: str
    module_title: str
    reflection: str
    file_name: str | None
    file_type: str | None
    file_size_bytes: int | None
    added_at: datetime
    removed_at: datetime | None


@dataclass(frozen=True)
class SkillAwardRecord:
    skill: str
    level: str
    module: str | None
    awarded_by: str
    awarded_at: datetime


@dataclass(frozen=True)
class StepRecord:
    position: int
    title: str
    status: str


@dataclass(frozen=True)
class GoalRecord:
    title: str
    target_date: date | None
    status: str
    archive_reason: str | None
    created_at: datetime
    updated_at: datetime
    steps: tuple[StepRecord, ...]


@dataclass(frozen=True)
class RatingRecord:
    skill: str
    confidence: str | None
    assessed_level: str | None
    comment: str | None
    rated_by: str
    rated_at: datetime


@dataclass(frozen=True)
class BarrierRecord:
    item: str
    status: str
    already_in_place: bool
    id_documents: tuple[str, ...]
    other_detail: str | None
    note: str | None
    updated_by: str | None
    updated_at: datetime


@dataclass(frozen=True)
class BarrierChangeRecord:
    item: str
    status: str
    already_in_place: bool
    changed_by: str | None
    changed_at: datetime


@dataclass(frozen=True)
class StatusRecord:
    status: str
    change: str
    reason_not_wanting_support: str | None
    changed_by: str | None
    changed_at: datetime


@dataclass(frozen=True)
class CertificateRecord:
    code: str
    kind: str
    name_on_certificate: str
    achievement: str
    description: str
    skills: tuple[str, ...]
    issued_by: str
    issued_at: datetime
    withdrawn_at: datetime | None
    hidden_from_public_at: datetime | None


@dataclass(frozen=True)
class ActivityRecord:
    at: datetime
    who: str
    what: str
    action: str
    by_staff: bool


@dataclass(frozen=True)
class MyData:
    generated_at: datetime
    profile: Profile
    groups: tuple[CohortPlace, ...]
    modules: tuple[EnrolmentRecord, ...]
    evidence: tuple[EvidenceRecord, ...]
    skills_awarded: tuple[SkillAwardRecord, ...]
    goals: tuple[GoalRecord, ...]
    confidence_ratings: tuple[RatingRecord, ...]
    barriers_to_work: tuple[BarrierRecord, ...]
    barrier_changes: tuple[BarrierChangeRecord, ...]
    work_readiness_history: tuple[StatusRecord, ...]
    certificates: tuple[CertificateRecord, ...]
    # Newest first: who has viewed or changed the record, and the learner's own sign-ins and changes.
    activity: tuple[ActivityRecord, ...]

    @property
    def staff_activity(self) -> tuple[ActivityRecord, ...]:
        return tuple(event for event in self.activity if event.by_staff)

    @property
    def own_activity(self) -> tuple[ActivityRecord, ...]:
        return tuple(event for event in self.activity if not event.by_staff)


@dataclass(frozen=True)
class MyDataToShare:
    """The record without custody details, for someone the learner trusts. Staff appear only as "A member of staff"."""

    generated_at: datetime
    profile: SharedProfile
    modules: tuple[EnrolmentRecord, ...]
    evidence: tuple[EvidenceRecord, ...]
    skills_awarded: tuple[SkillAwardRecord, ...]
    goals: tuple[GoalRecord, ...]
    confidence_ratings: tuple[RatingRecord, ...]
    certificates: tuple[CertificateRecord, ...]


# --- Loading -----------------------------------------------------------------------------------------------


class _People:
    """Names for the people a record mentions, loaded in one query.

    For the download to share (`anonymous`), staff are never named and what they wrote is never quoted:
    a name or a note could give away the prison.
    """

    def __init__(self, learner: User, ids: Iterable[int | None], *, anonymous: bool = False) -> None:
        self.learner = learner
        self.anonymous = anonymous
        wanted = {user_id for user_id in ids if user_id is not None and user_id != learner.id}
        self.users = (
            {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(wanted)))} if wanted else {}
        )

    def name(self, user_id: int | None) -> str:
        if user_id is None:
            return "SkillPath"
        if user_id == self.learner.id:
            return _("You")
        user = self.users.get(user_id)
        if user is None:
            return _("Someone who has left")
        if self.anonymous:
            return _("A member of staff") if user.is_staff else _("Someone else")
        return _("%(name)s (%(role)s)", name=user.display_name, role=user.role.label)

    def may_quote(self, user_id: int | None) -> bool:
        """Whether words written by this person go in: always, except staff's words in the download to share."""
        return not self.anonymous or user_id == self.learner.id

    def is_staff(self, user_id: int | None) -> bool:
        user = self.users.get(user_id) if user_id is not None else None
        return user is not None and user.is_staff


def _all(statement: Any) -> list[Any]:
    return list(db.session.scalars(statement))


def _by_id(model: Any, ids: Collection[int | None]) -> dict[int, Any]:
    wanted = {i for i in ids if i is not None}
    return {row.id: row for row in _all(select(model).where(model.id.in_(wanted)))} if wanted else {}


def _profile(learner: User) -> Profile:
    profile: LearnerProfile | None = db.session.scalar(
        select(LearnerProfile)
        .where(LearnerProfile.user_id == learner.id)
        .options(selectinload(LearnerProfile.target_role_level), selectinload(LearnerProfile.establishment))
    )
    target = profile.target_role_level if profile else None
    return Profile(
        name=learner.display_name,
        preferred_name=profile.preferred_name if profile else learner.display_name,
        certificate_name=profile.certificate_name if profile else None,
        username=learner.username,
        email=learner.email,
        account_created_at=learner.created_at,
        account_set_up_at=learner.activated_at,
        last_signed_in_at=learner.last_login_at,
        establishment=profile.establishment.name if profile and profile.establishment else None,
        job_working_towards=(target.plain_title or target.name) if target else None,
        job_title=target.name if target else None,
        prison_number=profile.prison_number if profile else None,
        release_date=profile.release_date if profile else None,
        # After custody details are removed the profile's release time is the time of removal, not of release.
        released_at=profile.released_at if profile and profile.custody_removed_at is None else None,
        last_active_at=profile.last_activity_at if profile else None,
        custody_details_removed_at=profile.custody_removed_at if profile else None,
    )


def _groups(learner: User) -> tuple[CohortPlace, ...]:
    memberships = _all(
        select(CohortMembership)
        .where(CohortMembership.learner_id == learner.id)
        .options(selectinload(CohortMembership.cohort).selectinload(Cohort.establishment))
        .order_by(CohortMembership.joined_at)
    )
    return tuple(CohortPlace(m.cohort.name, m.cohort.establishment.name, m.joined_at, m.left_at) for m in memberships)


def _modules(people: _People, enrolments: list[Enrolment], events: list[ProgressEvent]) -> tuple[EnrolmentRecord, ...]:
    units = _by_id(ModuleUnit, {event.unit_id for event in events})
    by_enrolment: dict[int | None, list[ProgressEntry]] = defaultdict(list)
    for event in events:
        unit = units.get(event.unit_id) if event.unit_id is not None else None
        by_enrolment[event.enrolment_id].append(
            ProgressEntry(
                what=str(PROGRESS_PHRASES.get(event.kind) or _words(event.kind.value) or ""),
                part=unit.title if unit else None,
                by=people.name(event.actor_id),
                at=event.occurred_at,
                note=event.note if people.may_quote(event.actor_id) else None,
            )
        )
    return tuple(
        EnrolmentRecord(e.module.code, e.module.title, e.enrolled_at, tuple(by_enrolment.get(e.id, ())))
        for e in enrolments
    )


def _evidence(learner: User, enrolments: list[Enrolment]) -> tuple[EvidenceRecord, ...]:
    module_of = {e.id: e.module for e in enrolments}
    rows = _all(select(Evidence).where(Evidence.learner_id == learner.id).order_by(Evidence.created_at, Evidence.id))
    return tuple(
        EvidenceRecord(
            module_code=module_of[row.enrolment_id].code,
            module_title=module_of[row.enrolment_id].title,
            reflection=row.reflection,
            file_name=row.original_filename,
            file_type=row.content_type,
            file_size_bytes=row.size_bytes,
            added_at=row.created_at,
            removed_at=row.removed_at,
        )
        for row in rows
    )


def _skills_awarded(people: _People, awards: list[SkillAward]) -> tuple[SkillAwardRecord, ...]:
    modules = _by_id(Module, {award.module_id for award in awards})
    return tuple(
        SkillAwardRecord(
            skill=award.skill.name,
            level=award.level.label,
            module=modules[award.module_id].title if award.module_id in modules else None,
            awarded_by=people.name(award.awarded_by_id),
            awarded_at=award.awarded_at,
        )
        for award in awards
    )


def _goals(goals: list[Goal]) -> tuple[GoalRecord, ...]:
    return tuple(
        GoalRecord(
            title=goal.title,
            target_date=goal.target_date,
            status=GOAL_LABELS[goal.status],
            archive_reason=archive_reason_label(goal.archive_reason, goal.archive_reason_other)
            if goal.archive_reason
            else None,
            created_at=goal.created_at,
            updated_at=goal.updated_at,
            steps=tuple(StepRecord(step.position, step.title, STEP_LABELS[step.status]) for step in goal.steps),
        )
        for goal in goals
    )


def _ratings(people: _People, ratings: list[ConfidenceRating]) -> tuple[RatingRecord, ...]:
    skills = _by_id(Skill, {rating.skill_id for rating in ratings})
    records = []
    for rating in ratings:
        if rating.employability_skill is not None:
            skill = rating.employability_skill.label
        else:
            skill = skills[rating.skill_id].name if rating.skill_id in skills else "A skill"
        records.append(
            RatingRecord(
                skill=skill,
                confidence=rating.confidence.label if rating.confidence else None,
                assessed_level=rating.assessed_level.label if rating.assessed_level else None,
                comment=rating.comment if people.may_quote(rating.assessor_id) else None,
                rated_by=people.name(rating.assessor_id),
                rated_at=rating.rated_at,
            )
        )
    return tuple(records)


def _barriers(people: _People, items: list[BarrierItem]) -> tuple[BarrierRecord, ...]:
    return tuple(
        BarrierRecord(
            item=item.barrier.label,
            status=item.status.label,
            already_in_place=item.already_in_place,
            id_documents=tuple(_id_document(code) for code in item.id_documents or ()),
            other_detail=item.other_detail,
            note=item.note,
            updated_by=people.name(item.updated_by_id) if item.updated_by_id is not None else None,
            updated_at=item.updated_at,
        )
        for item in items
    )


def _barrier_changes(people: _People, changes: list[BarrierChange]) -> tuple[BarrierChangeRecord, ...]:
    return tuple(
        BarrierChangeRecord(
            item=change.barrier.label,
            status=change.status.label,
            already_in_place=change.already_in_place,
            changed_by=people.name(change.changed_by_id) if change.changed_by_id is not None else None,
            changed_at=change.changed_at,
        )
        for change in changes
    )


def _statuses(people: _People, changes: list[ReadinessStatusChange]) -> tuple[StatusRecord, ...]:
    return tuple(
        StatusRecord(
            status=change.status.label,
            change=str(CHANGE_PHRASES.get(change.change_type) or _words(change.change_type) or ""),
            reason_not_wanting_support=str(DECLINE_REASON_PHRASES[change.decline_reason])
            if change.decline_reason
            else None,
            changed_by=people.name(change.changed_by_id) if change.changed_by_id is not None else None,
            changed_at=change.changed_at,
        )
        for change in changes
    )


def _certificate_skill(item: dict[str, Any]) -> str:
    """A skill as the certificate recorded it, such as "Customer care (Working)"."""
    skill, level = str(item.get("skill", "")), str(item.get("level", ""))
    if not level:
        return skill
    label = SkillLevel(level).label if level in set(SkillLevel) else level.capitalize()
    return f"{skill} ({label})"


def _certificates(certificates: list[Certificate]) -> tuple[CertificateRecord, ...]:
    return tuple(
        CertificateRecord(
            code=certificate.display_code,
            kind=str(CERTIFICATE_KINDS.get(certificate.kind) or _words(certificate.kind.value) or ""),
            name_on_certificate=certificate.recipient_name,
            achievement=certificate.achievement_name,
            description=certificate.achievement_description,
            skills=tuple(_certificate_skill(item) for item in certificate.skills or ()),
            issued_by=certificate.issuer_name,
            issued_at=certificate.issued_at,
            withdrawn_at=certificate.revoked_at,
            hidden_from_public_at=certificate.hidden_at,
        )
        for certificate in certificates
    )


def _describe_event(event: AuditEvent) -> str:
    # The two downloads share one action; the learner should see which file left.
    if event.action == "learner.data.downloaded" and (event.detail or {}).get("kind") == DOWNLOAD_TO_SHARE:
        return _("Downloaded your data to share")
    return describe_action(event.action)


def _activity(people: _People, events: list[AuditEvent]) -> tuple[ActivityRecord, ...]:
    return tuple(
        ActivityRecord(
            at=event.occurred_at,
            who=people.name(event.actor_id),
            what=_describe_event(event),
            action=event.action,
            by_staff=people.is_staff(event.actor_id),
        )
        for event in events
    )


@dataclass(frozen=True)
class _Learning:
    """The rows both downloads hold: what the learner did, was given and wrote."""

    enrolments: list[Enrolment]
    progress: list[ProgressEvent]
    awards: list[SkillAward]
    goals: list[Goal]
    ratings: list[ConfidenceRating]
    certificates: list[Certificate]

    def people_ids(self) -> list[int | None]:
        return [
            *(award.awarded_by_id for award in self.awards),
            *(rating.assessor_id for rating in self.ratings),
            *(event.actor_id for event in self.progress),
        ]


def _learning(learner_id: int) -> _Learning:
    return _Learning(
        enrolments=_all(
            select(Enrolment)
            .where(Enrolment.learner_id == learner_id)
            .options(selectinload(Enrolment.module))
            .order_by(Enrolment.enrolled_at, Enrolment.id)
        ),
        progress=_all(
            select(ProgressEvent)
            .where(ProgressEvent.learner_id == learner_id)
            .order_by(ProgressEvent.occurred_at, ProgressEvent.id)
        ),
        awards=_all(
            select(SkillAward)
            .where(SkillAward.learner_id == learner_id)
            .options(selectinload(SkillAward.skill))
            .order_by(SkillAward.awarded_at, SkillAward.id)
        ),
        goals=_all(
            select(Goal)
            .where(Goal.learner_id == learner_id)
            .options(selectinload(Goal.steps))
            .order_by(Goal.created_at, Goal.id)
        ),
        ratings=_all(
            select(ConfidenceRating)
            .where(ConfidenceRating.learner_id == learner_id)
            .order_by(ConfidenceRating.rated_at, ConfidenceRating.id)
        ),
        certificates=_all(
            select(Certificate)
            .where(Certificate.learner_id == learner_id)
            .order_by(Certificate.issued_at, Certificate.id)
        ),
    )


def collect(learner: User) -> MyData:
    """The learner's whole record, in a fixed number of queries whatever its size."""
    learner_id = learner.id
    learning = _learning(learner_id)
    barriers = _all(select(BarrierItem).where(BarrierItem.learner_id == learner_id).order_by(BarrierItem.barrier))
    barrier_changes = _all(
        select(BarrierChange)
        .where(BarrierChange.learner_id == learner_id)
        .order_by(BarrierChange.changed_at, BarrierChange.id)
    )
    statuses = _all(
        select(ReadinessStatusChange)
        .where(ReadinessStatusChange.learner_id == learner_id)
        .order_by(ReadinessStatusChange.changed_at, ReadinessStatusChange.id)
    )
    events = _all(
        select(AuditEvent)
        .where(AuditEvent.subject_id == learner_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    profile = _profile(learner)
    # Once custody details are removed, staff names go too: a name can say which prison.
    people = _People(
        learner,
        [
            *learning.people_ids(),
            *(item.updated_by_id for item in barriers),
            *(change.changed_by_id for change in barrier_changes),
            *(change.changed_by_id for change in statuses),
            *(event.actor_id for event in events),
        ],
        anonymous=profile.custody_details_removed_at is not None,
    )
    return MyData(
        generated_at=utcnow(),
        profile=profile,
        groups=_groups(learner),
        modules=_modules(people, learning.enrolments, learning.progress),
        evidence=_evidence(learner, learning.enrolments),
        skills_awarded=_skills_awarded(people, learning.awards),
        goals=_goals(learning.goals),
        confidence_ratings=_ratings(people, learning.ratings),
        barriers_to_work=_barriers(people, barriers),
        barrier_changes=_barrier_changes(people, barrier_changes),
        work_readiness_history=_statuses(people, statuses),
        certificates=_certificates(learning.certificates),
        activity=_activity(people, events),
    )


def collect_to_share(learner: User) -> MyDataToShare:
    """The record without custody details: only the sections and fields listed in `MyDataToShare`."""
    learning = _learning(learner.id)
    people = _People(learner, learning.people_ids(), anonymous=True)
    full = _profile(learner)
    return MyDataToShare(
        generated_at=utcnow(),
        profile=SharedProfile(
            name=full.name,
            preferred_name=full.preferred_name,
            certificate_name=full.certificate_name,
            email=full.email,
            job_working_towards=full.job_working_towards,
            job_title=full.job_title,
        ),
        modules=_modules(people, learning.enrolments, learning.progress),
        evidence=_evidence(learner, learning.enrolments),
        skills_awarded=_skills_awarded(people, learning.awards),
        goals=_goals(learning.goals),
        confidence_ratings=_ratings(people, learning.ratings),
        certificates=_certificates(learning.certificates),
    )


# --- JSON --------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


ABOUT_FULL = _l(
    "Everything SkillPath holds about you. It includes your prison number, your release date, "
    "the prison where you are learning, your groups, and the names of staff who have seen or changed your record. "
    "Keep it safe. To share your record with someone you trust, download 'My data to share' instead."
)
ABOUT_TO_SHARE = _l(
    "Your SkillPath record, to share with someone you trust. It has your name, the job you are working towards, "
    "your modules, the evidence you wrote, the skills you have been given, your goals, how confident you feel "
    "and your certificates. It does not have your prison number, your release date, the name of the prison, "
    "your groups, your username, the names of staff or what they wrote, the things you need for work, "
    "or who has looked at your record."
)


def as_json(data: MyData) -> dict[str, Any]:
    """The record as JSON types: ISO 8601 dates, lists for tuples; same sections as the page."""
    return {"about": str(ABOUT_FULL), **_plain(dataclasses.asdict(data))}


def as_json_to_share(data: MyDataToShare) -> dict[str, Any]:
    """The record without custody details, as JSON types."""
    return {"about": str(ABOUT_TO_SHARE), **_plain(dataclasses.asdict(data))}


# --- The download, as the learner asks for it -----------------------------------------------------------------


def download_my_data(learner: User, *, to_share: bool = False, ip_address: str | None = None) -> dict[str, Any]:
    """The learner downloads their record: the whole of it, or the copy to share. Either is audited.

    A copy of the record leaving the service is worth a line in the log the learner can see, saying which copy;
    the event is written after the record is read, so a download never contains itself.
    """
    document = as_json_to_share(collect_to_share(learner)) if to_share else as_json(collect(learner))
    record_event(
        AuditAction.LEARNER_DATA_DOWNLOADED,
        actor=learner,
        subject=learner,
        ip_address=ip_address,
        kind=DOWNLOAD_TO_SHARE if to_share else DOWNLOAD_FULL,
    )
    return document
