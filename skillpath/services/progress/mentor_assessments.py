"""A mentor's own assessment of a learner's skill, kept beside the learner's self-assessment.

It is a `ConfidenceRating` with the mentor as assessor and a framework level, so
`self_assessment.latest_ratings` shows the two side by side. Ratings are a
history: recording a new assessment never changes an old one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import ConfidenceRating, Skill, SkillLevel, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
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
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_MAX:
        raise ValueError(f"Comments are {COMMENT_MAX:,} characters or fewer")
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
