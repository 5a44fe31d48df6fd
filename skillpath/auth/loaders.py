"""Loading a record for the signed-in person, with the need-to-know rule applied in one place.

Each loader answers "does it exist for you?": a member of staff probing another cohort's learner gets the
same 404 as for a learner who does not exist (404 before 403). The rules themselves are in
``skillpath.services.access``; the queries in the services' ``find_*`` functions, which the staff API uses too.
"""

from __future__ import annotations

import uuid

from flask import abort
from flask_login import current_user

from skillpath.models import User
from skillpath.services.learners import learners


def learner_for_staff_or_404(learner_id: uuid.UUID, staff: User | None = None) -> User:
    """The learner, if this member of staff (by default, the signed-in one) may see them; otherwise 404."""
    learner = learners.find_learner_for_staff(staff or current_user, learner_id)
    if learner is None:
        abort(404)
    return learner
