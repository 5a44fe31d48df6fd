"""Which learners a dashboard is about, as a subquery rather than a list of their ids.

An establishment has thousands of learners. Binding each of their ids into every statement
(`learner_id IN (:id_1, … :id_5000)`) costs the driver and the planner more than the query
itself, and the plan it gets is a hash join over the whole table. Selecting through the
cohorts' memberships instead keeps each statement the same size whatever the establishment's,
and lets the database walk the indexes from the cohort down.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Select, select

from skillpath.models import CohortMembership, LearnerProfile

LearnerSet = Collection[int] | Select[int]
"""Learners given either as a few ids (one learner's page) or as a subquery of ids (a dashboard)."""


def current_learner_ids(cohort_ids: Sequence[int]) -> Select[int]:
    """The ids of the current learners of these cohorts: still members, and not yet released.

    This is what `dashboards.current_learners` lists and `organisations.count_current_learners` counts.
    The cohort ids are few (an establishment's cohorts), so binding them is cheap.
    """
    return (
        select(CohortMembership.learner_id)
        .join(LearnerProfile, LearnerProfile.user_id == CohortMembership.learner_id)
        .where(
            CohortMembership.cohort_id.in_(list(cohort_ids)),
            CohortMembership.left_at.is_(None),
            LearnerProfile.released_at.is_(None),
        )
    )


def among(column: ColumnElement[int], learners: LearnerSet) -> ColumnElement[bool]:
    """`column IN (…)` for either kind of learner set: a semi-join for a subquery, bound ids for a few."""
    if isinstance(learners, Select):
        return column.in_(learners)
    return column.in_(list(learners))


def is_empty(learners: LearnerSet) -> bool:
    """Whether the set is known to be empty without asking the database (a subquery never is, here)."""
    return not isinstance(learners, Select) and not learners
