"""Everything that happened on a learner's record, newest first, for staff.

Drawn from the logs the record already keeps (the progress log, skill awards,
barrier and status changes, cohort memberships, certificates, goals and
confidence ratings), in a fixed number of queries. Nothing is stored twice.
Titles and details are in the reader's language, built when the timeline is asked for.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from skillpath.extensions import db
from skillpath.i18n import _, _l, ngettext
from skillpath.models import (
    BarrierChange,
    Certificate,
    Cohort,
    CohortMembership,
    ConfidenceRating,
    Establishment,
    Goal,
    Module,
    ModuleUnit,
    ProgressEvent,
    ProgressKind,
    ReadinessStatusChange,
    Skill,
    SkillAward,
    User,
)
from skillpath.services.readiness.work_status import DECLINE_REASON_LABELS


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # learning, skills, barriers, status, cohort, certificate, plans, account
    title: str
    detail: str | None = None
    by: str | None = None


# Lazy, with %(module)s and %(unit)s filled in when the timeline is built.
_PROGRESS_TITLES = {
    ProgressKind.ENROLLED: _l("Started %(module)s"),
    ProgressKind.UNIT_COMPLETED: _l("Finished “%(unit)s” in %(module)s"),
    ProgressKind.UNIT_UNDONE: _l("Marked “%(unit)s” in %(module)s as not done"),
    ProgressKind.EVIDENCE_ADDED: _l("Added evidence to %(module)s"),
    ProgressKind.EVIDENCE_REMOVED: _l("Removed evidence from %(module)s"),
    ProgressKind.SUBMITTED: _l("Sent %(module)s for sign-off"),
    ProgressKind.RETURNED: _l("%(module)s returned with feedback"),
    ProgressKind.SIGNED_OFF: _l("%(module)s signed off"),
    ProgressKind.WITHDRAWN: _l("Stopped %(module)s"),
}


def learner_timeline(learner: User) -> list[TimelineEntry]:
    entries = [
        *_account(learner),
        *_progress(learner),
        *_barriers(learner),
        *_statuses(learner),
        *_cohorts(learner),
        *_certificates(learner),
        *_goals(learner),
        *_ratings(learner),
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


def _names(ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def _account(learner: User) -> list[TimelineEntry]:
    entries = [TimelineEntry(learner.created_at, "account", _("Account created"))]
    if learner.activated_at is not None:
        entries.append(TimelineEntry(learner.activated_at, "account", _("Set up their account and chose a password")))
    profile = learner.learner_profile
    if profile is not None and profile.released_at is not None:
        entries.append(TimelineEntry(profile.released_at, "cohort", _("Release recorded")))
    return entries


def _progress(learner: User) -> list[TimelineEntry]:
    actor = aliased(User)
    rows = db.session.execute(
        select(
            ProgressEvent.id,
            ProgressEvent.occurred_at,
            ProgressEvent.kind,
            ProgressEvent.note,
            ProgressEvent.actor_id,
            Module.title,
            ModuleUnit.title,
            actor.display_name,
        )
        .outerjoin(Module, Module.id == ProgressEvent.module_id)
        .outerjoin(ModuleUnit, ModuleUnit.id == ProgressEvent.unit_id)
        .outerjoin(actor, actor.id == ProgressEvent.actor_id)
        .where(ProgressEvent.learner_id == learner.id)
    ).all()
    awarded: dict[int, list[str]] = defaultdict(list)
    for event_id, name, level in db.session.execute(
        select(SkillAward.progress_event_id, Skill.name, SkillAward.level)
        .join(Skill, Skill.id == SkillAward.skill_id)
        .where(SkillAward.learner_id == learner.id)
        .order_by(Skill.name)
    ):
        awarded[event_id or 0].append(_("%(skill)s (%(level)s)", skill=name, level=level.label.lower()))
    entries = []
    for event_id, at, kind, note, actor_id, module, unit, actor_name in rows:
        title = str(_PROGRESS_TITLES[kind]) % {"module": module or _("a module"), "unit": unit or _("a part")}
        detail = note
        if kind == ProgressKind.SIGNED_OFF and awarded.get(event_id):
            detail = _("Skills awarded: %(skills)s", skills=", ".join(awarded[event_id]))
        by = None if actor_id == learner.id else actor_name
        entries.append(
            TimelineEntry(at, "skills" if kind == ProgressKind.SIGNED_OFF else "learning", title, detail, by)
        )
    return entries


def _barriers(learner: User) -> list[TimelineEntry]:
    changes = list(db.session.scalars(select(BarrierChange).where(BarrierChange.learner_id == learner.id)))
    names = _names({change.changed_by_id for change in changes})
    return [
        TimelineEntry(
            change.changed_at,
            "barriers",
            _(
                "%(barrier)s: %(status)s",
                barrier=change.barrier.label,
                status=_("already in place") if change.already_in_place else change.status.label.lower(),
            ),
            by=names.get(change.changed_by_id or 0),
        )
        for change in changes
    ]


def _statuses(learner: User) -> list[TimelineEntry]:
    changes = list(
        db.session.scalars(select(ReadinessStatusChange).where(ReadinessStatusChange.learner_id == learner.id))
    )
    names = _names({change.changed_by_id for change in changes})
    return [
        TimelineEntry(
            change.changed_at,
            "status",
            _("Work-readiness status: %(status)s", status=change.status.label),
            _("Reason: %(reason)s", reason=DECLINE_REASON_LABELS[change.decline_reason])
            if change.decline_reason
            else None,
            names.get(change.changed_by_id or 0),
        )
        for change in changes
    ]


def _cohorts(learner: User) -> list[TimelineEntry]:
    rows = db.session.execute(
        select(CohortMembership.joined_at, CohortMembership.left_at, Cohort.name, Establishment.name)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Establishment, Establishment.id == Cohort.establishment_id)
        .where(CohortMembership.learner_id == learner.id)
    )
    entries = []
    for joined_at, left_at, cohort, establishment in rows:
        entries.append(TimelineEntry(joined_at, "cohort", _("Joined %(cohort)s", cohort=cohort), establishment))
        if left_at is not None:
            entries.append(TimelineEntry(left_at, "cohort", _("Left %(cohort)s", cohort=cohort), establishment))
    return entries


def _certificates(learner: User) -> list[TimelineEntry]:
    entries = []
    for certificate in db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)):
        entries.append(
            TimelineEntry(
                certificate.issued_at,
                "certificate",
                _("Certificate issued: %(name)s", name=certificate.achievement_name),
            )
        )
        if certificate.revoked_at is not None:
            entries.append(
                TimelineEntry(
                    certificate.revoked_at,
                    "certificate",
                    _("Certificate withdrawn: %(name)s", name=certificate.achievement_name),
                )
            )
    return entries


def _goals(learner: User) -> list[TimelineEntry]:
    return [
        TimelineEntry(goal.created_at, "plans", _("Set a goal: %(goal)s", goal=goal.title))
        for goal in db.session.scalars(select(Goal).where(Goal.learner_id == learner.id))
    ]


def _ratings(learner: User) -> list[TimelineEntry]:
    """Self-ratings saved together are one entry; each mentor assessment is its own."""
    assessor = aliased(User)
    rows = db.session.execute(
        select(ConfidenceRating, assessor.display_name, Skill.name)
        .join(assessor, assessor.id == ConfidenceRating.assessor_id)
        .outerjoin(Skill, Skill.id == ConfidenceRating.skill_id)
        .where(ConfidenceRating.learner_id == learner.id)
    ).all()
    self_rated: dict[datetime, int] = defaultdict(int)
    entries = []
    for rating, assessor_name, skill in rows:
        if rating.assessor_id == learner.id:
            self_rated[rating.rated_at] += 1
            continue
        level = rating.assessed_level.label.lower() if rating.assessed_level else _("no level")
        name = skill or (rating.employability_skill.label if rating.employability_skill else _("a skill"))
        entries.append(
            TimelineEntry(
                rating.rated_at,
                "plans",
                _("Assessed %(skill)s: %(level)s", skill=name, level=level),
                rating.comment,
                assessor_name,
            )
        )
    entries += [
        TimelineEntry(
            at,
            "plans",
            ngettext(
                "Rated their own confidence in %(num)d skill", "Rated their own confidence in %(num)d skills", count
            ),
        )
        for at, count in self_rated.items()
    ]
    return entries
