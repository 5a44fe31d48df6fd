"""Loading learner records with the need-to-know rule applied."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.auth.policy import can_view_learner
from skillpath.extensions import db
from skillpath.models import LearnerProfile, User, UserRole


def get_learner(public_id: uuid.UUID) -> User | None:
    return db.session.scalar(
        select(User)
        .where(User.public_id == public_id, User.role == UserRole.LEARNER)
        .options(selectinload(User.learner_profile).selectinload(LearnerProfile.target_role_level))
    )


def get_learner_for_staff_or_404(staff: User, public_id: uuid.UUID) -> User:
    """The learner, if this member of staff may see them; otherwise a 404, the same as for no learner at all."""
    learner = get_learner(public_id)
    if learner is None or not can_view_learner(staff, learner):
        abort(404)
    return learner
