"""A mentor's own assessment of a learner's skill, kept beside the learner's self-assessment.

It is a `ConfidenceRating` with the mentor as assessor and a framework level, so
`self_assessment.latest_ratings` shows the two side by side. Ratings are a
history: recording a new assessment never changes an old one.
"""

from __future__ import annotations

from datetime import datetime

from skillpath.extensions import db
from skillpath.models import ConfidenceRating, Skill, SkillLevel, User
from skillpath.models._types import utcnow
from skillpath.services.audit import record_event

COMMENT_MAX = 1000


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
    rating = ConfidenceRating(
        learner_id=learner.id,
        assessor_id=by.id,
        skill_id=skill.id,
        assessed_level=level,
        comment=comment,
        rated_at=at or utcnow(),
    )
    db.session.add(rating)
    # The comment stays out of the log, which is never changed or deleted.
    record_event(
        "learner.assessment.recorded",
        actor=by,
        subject=learner,
        object_type="skill",
        object_id=skill.id,
        level=level.value,
    )
    return rating
