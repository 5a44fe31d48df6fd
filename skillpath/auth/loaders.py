"""Loading a record for the signed-in person, with the need-to-know rule applied in one place.

Each loader answers "does it exist for you?": a member of staff probing another cohort's learner gets the
same 404 as for a learner who does not exist (404 before 403). The rules themselves are in
``skillpath.services.access``; the queries in the services' ``find_*`` functions, which the staff API uses too.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from flask import abort
from flask_login import current_user

from skillpath.models import Certificate, Cohort, Enrolment, Establishment, Evidence, Module, ShareLink, User
from skillpath.models.plans import Goal, GoalStep
from skillpath.services.certificates import certificates as certificate_records
from skillpath.services.certificates import sharing as share_links
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.learners import learners, organisations
from skillpath.services.plans import goals as plan_goals
from skillpath.services.progress import learning
from skillpath.services.progress import progress as progress_service

T = TypeVar("T")


def _or_404(found: T | None) -> T:
    """What a finder found, or the 404 that answers both "no such thing" and "not yours"."""
    if found is None:
        abort(404)
    return found


def learner_for_staff_or_404(learner_id: uuid.UUID, staff: User | None = None) -> User:
    """The learner, if this member of staff (by default, the signed-in one) may see them; otherwise 404."""
    return _or_404(learners.find_learner_for_staff(staff or current_user, learner_id))


# --- A learner's own learning (and the catalogue) -------------------------------------------------------


def module_or_404(code: str) -> Module:
    """A published module: anyone signed in may read the catalogue."""
    return _or_404(learning.find_module(code))


def enrolment_for_learner_or_404(code: str, learner: User | None = None) -> Enrolment:
    """The learner's own enrolment on the module with this code (by default, the signed-in learner's)."""
    return _or_404(learning.find_enrolment_for_learner(learner or current_user, code))


def evidence_for_learner_or_404(evidence_id: uuid.UUID, learner: User | None = None) -> Evidence:
    """A piece of the learner's own evidence that is still on their record."""
    return _or_404(learning.find_evidence_for_learner(learner or current_user, evidence_id))


def evidence_file_or_404(evidence_id: uuid.UUID, viewer: User | None = None) -> Evidence:
    """Evidence with a file, for the learner or staff who may see their record; anyone else gets a 404."""
    return _or_404(learning.find_evidence_file_for_viewer(viewer or current_user, evidence_id))


def establishment_for_admin_or_404(establishment_id: uuid.UUID) -> Establishment:
    """The establishment, for the signed-in administrator; otherwise 404."""
    return _or_404(organisations.find_establishment_for_admin(current_user, establishment_id))


def cohort_for_admin_or_404(cohort_id: uuid.UUID) -> Cohort:
    """The cohort (with its mentors), for the signed-in administrator; otherwise 404."""
    return _or_404(organisations.find_cohort_for_admin(current_user, cohort_id))


def staff_for_admin_or_404(user_id: uuid.UUID) -> User:
    """A mentor's or administrator's account, for the signed-in administrator; otherwise (or a learner) 404."""
    return _or_404(organisations.find_staff_for_admin(current_user, user_id))


# --- Staff: learners' records, cohorts and establishments (mentors, dashboards) ----------------------------


def learner_to_manage_or_404(learner_id: uuid.UUID, staff: User | None = None) -> User:
    """The learner, if this member of staff (by default, the signed-in one) may update their record; else 404."""
    return _or_404(learners.find_learner_to_manage(staff or current_user, learner_id))


def enrolment_for_staff_or_404(enrolment_id: uuid.UUID, staff: User | None = None) -> Enrolment:
    """A learner's module (to review, sign off or return), if this member of staff may update their record."""
    return _or_404(progress_service.find_enrolment_for_staff(staff or current_user, enrolment_id))


def cohort_for_staff_or_404(cohort_id: uuid.UUID, staff: User | None = None) -> Cohort:
    """The cohort, if this member of staff may see its dashboard; otherwise 404."""
    return _or_404(learners.find_cohort_for_staff(staff or current_user, cohort_id))


def cohort_for_adding_or_404(cohort_id: uuid.UUID, staff: User | None = None) -> Cohort:
    """The cohort, if this member of staff may add learners to it; otherwise 404."""
    return _or_404(learners.find_cohort_for_adding(staff or current_user, cohort_id))


def establishment_for_staff_or_404(establishment_id: uuid.UUID, staff: User | None = None) -> Establishment:
    """The establishment, for an administrator or its own head of education; otherwise 404."""
    return _or_404(learners.find_establishment_for_staff(staff or current_user, establishment_id))


# --- Certificates and share links ----------------------------------------------------------------------


def my_certificate_or_404(certificate_id: uuid.UUID) -> Certificate:
    """The signed-in learner's own certificate; anyone else's is 404, as one that does not exist."""
    return _or_404(certificate_records.find_certificate_for_learner(current_user, certificate_id))


def my_downloadable_certificate_or_404(certificate_id: uuid.UUID) -> Certificate:
    """The signed-in learner's own certificate, if it has files to download (a withdrawn one has none)."""
    return _or_404(certificate_records.find_downloadable_certificate_for_learner(current_user, certificate_id))


def certificate_for_staff_or_404(certificate_id: uuid.UUID, staff: User | None = None) -> Certificate:
    """A certificate of a learner this member of staff manages; otherwise 404."""
    return _or_404(certificate_records.find_certificate_for_staff(staff or current_user, certificate_id))


def my_share_link_or_404(link_id: uuid.UUID) -> ShareLink:
    """The signed-in learner's own share link; anyone else's is 404."""
    return _or_404(share_links.find_share_link_for_learner(current_user, link_id))


def share_link_for_token_or_404(token: str) -> ShareLink:
    """The link a token opens, in whatever state; a token never issued is 404, as any unknown address."""
    return _or_404(share_links.find_share_link(token))


def shared_certificate_or_404(token: str, code: str, issuer: Issuer) -> Certificate:
    """A certificate whose files a working link's page offers; anything else is 404."""
    return _or_404(share_links.find_shared_certificate(token, code, issuer))


def my_goal_or_404(goal_id: uuid.UUID) -> Goal:
    """The signed-in learner's own goal, with its steps; another learner's goal is 404, as one that does not exist."""
    return _or_404(plan_goals.find_goal_for_learner(current_user, goal_id))


def my_goal_step_or_404(goal_id: uuid.UUID, position: int) -> tuple[Goal, GoalStep]:
    """The signed-in learner's own goal and its step at this position (1, 2, ...); otherwise 404."""
    goal = my_goal_or_404(goal_id)
    step = next((step for step in goal.steps if step.position == position), None)
    if step is None:
        abort(404)
    return goal, step
