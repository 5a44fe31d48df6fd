"""Loading learner records with the need-to-know rule applied."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import LearnerProfile, User, UserRole
from skillpath.services.access import can_view_learner


def get_learner(public_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.public_id == public_id, User.role == UserRole.LEARNER)
        .options(selectinload(User.learner_profile).selectinload(LearnerProfile.target_role_level))
    )


def find_learner_for_staff(staff: User, public_id: uuid.UUID) -> User | None:
    """The learner, if this member of staff may see them; None, the same as for no learner at all, if not."""
    learner = get_learner(public_id)
    if learner is None or not can_view_learner(staff, learner):
        return None
    return learner
