"""The need-to-know rules: who may see or change which learner, cohort and establishment.

Plain functions of the people and records involved, with no tie to the web: pages, templates (through
``skillpath.auth.policy``), the staff API and commands all ask these, so a button is hidden by the same rule
the route and the API enforce.
"""

from __future__ import annotations

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, CohortMembership, User
from skillpath.models.organisations import cohort_mentors


def current_cohort_ids_for_learner(learner: User) -> set[int]:
    rows = db.session.scalars(
        select(CohortMembership.cohort_id).where(
            CohortMembership.learner_id == learner.id, CohortMembership.left_at.is_(None)
        )
    )
    return set(rows)


def mentor_cohort_ids(mentor: User) -> set[int]:
    return set(db.session.scalars(select(cohort_mentors.c.cohort_id).where(cohort_mentors.c.user_id == mentor.id)))


def can_view_learner(user: User, learner: User) -> bool:
    """Staff see only learners in their own cohorts; a learner sees only themself.

    Admins see everyone; an establishment lead sees every learner currently in
    their establishment. Released learners are no longer visible to the staff of
    their old establishment.
    """
    if not learner.is_learner:
        return False
    if user.id == learner.id:
        return True
    if user.is_admin:
        return True
    if not user.is_mentor:
        return False
    profile = learner.learner_profile
    if profile is None or profile.is_released:
        return False
    if user.is_establishment_lead and profile.establishment_id == user.establishment_id:
        return True
    return bool(current_cohort_ids_for_learner(learner) & mentor_cohort_ids(user))


def can_manage_learner(user: User, learner: User) -> bool:
    """Staff who can see a learner can also update their record (barriers, status, sign-off)."""
    return user.is_staff and can_view_learner(user, learner)


def can_create_learner_in(user: User, cohort: Cohort) -> bool:
    if user.is_admin:
        return True
    if not user.is_mentor:
        return False
    if user.is_establishment_lead and cohort.establishment_id == user.establishment_id:
        return True
    return cohort.id in mentor_cohort_ids(user)


def can_view_cohort(user: User, cohort: Cohort) -> bool:
    return can_create_learner_in(user, cohort)


def can_administer(user: User) -> bool:
    return user.is_admin


def can_view_establishment(user: User, establishment_id: int) -> bool:
    """The establishment view: administrators see every establishment; a head of education sees their own."""
    if user.is_admin:
        return True
    return user.is_mentor and user.is_establishment_lead and user.establishment_id == establishment_id


def can_transfer_learner(user: User, learner: User) -> bool:
    """Administrators move learners to any cohort anywhere; a head of education between their own cohorts.

    Other mentors ask one of them: a move takes the record away from the mentor's own cohort.
    """
    if not can_manage_learner(user, learner):
        return False
    return user.is_admin or (user.is_mentor and user.is_establishment_lead)


def can_transfer_learner_to(user: User, learner: User, cohort: Cohort) -> bool:
    if not can_transfer_learner(user, learner) or cohort.archived_at is not None:
        return False
    return user.is_admin or cohort.establishment_id == user.establishment_id
