"""A mentor's own assessment of a learner's skill, kept beside the learner's self-assessment.

It is a `ConfidenceRating` with the mentor as assessor and a framework level, so
`self_assessment.latest_ratings` shows the two side by side. Ratings are a
history: recording a new assessment never changes an old one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, format_number
from skillpath.models import ConfidenceRating, Skill, SkillLevel, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import InvalidInput
from skillpath.services.locking import lock_learner

COMMENT_MAX = 1000
# The same level and comment again within this time is the same form sent twice, not a new assessment.
RESUBMISSION_WINDOW = timedelta(minutes=10)


def record_mentor_assessment(
    learner: User,
    skill: Skill,
    level: SkillLevel,
    *,
    comment: str | None,
    by: User,
    at: datetime | None = None,
) -> ConfidenceRating:
    """Record what level the mentor sees the learner show a skill at, with an optional comment, and audit it.

    InvalidInput (field "comment") if the comment is too long. The same assessment sent again within a few
    minutes (a double click) is recorded once.
    """
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise InvalidInput(
            _("Comments are %(max)s characters or fewer", max=format_number(COMMENT_MAX)), field="comment"
        )
    lock_learner(learner)
    latest = db.session.scalar(
        select(ConfidenceRating)
        .where(
            ConfidenceRating.learner_id == learner.id,
            ConfidenceRating.assessor_id == by.id,
            ConfidenceRating.skill_id == skill.id,
        )
        .order_by(ConfidenceRating.rated_at.desc(), ConfidenceRating.id.desc())
        .limit(1)
    )
    when = at or utcnow()
    if (
        latest is not None
        and latest.assessed_level == level
        and latest.comment == comment
        and when - latest.rated_at < RESUBMISSION_WINDOW
    ):
        return latest  # the same assessment sent twice (a double click): recorded once
    rating = ConfidenceRating(
        learner_id=learner.id,
        assessor_id=by.id,
        skill_id=skill.id,
        assessed_level=level,
        comment=comment,
        rated_at=when,
    )
    db.session.add(rating)
    # The comment stays out of the log, which is never changed or deleted.
    record_event(
        AuditAction.LEARNER_ASSESSMENT_RECORDED,
        actor=by,
        subject=learner,
        object_type="skill",
        object_id=skill.id,
        level=level.value,
    )
    return rating


def assess_skill(
    learner: User, skill_id: int | str | None, level: SkillLevel, *, comment: str | None, by: User
) -> ConfidenceRating:
    """The use case behind "Assess a skill": the skill by its id, then `record_mentor_assessment`.

    InvalidInput (field "skill") if there is no such skill.
    """
    try:
        skill = db.session.get(Skill, int(skill_id)) if skill_id is not None else None
    except (TypeError, ValueError):
        skill = None
    if skill is None:
        raise InvalidInput(_("Select a skill from the list"), field="skill")
    return record_mentor_assessment(learner, skill, level, comment=comment, by=by)
