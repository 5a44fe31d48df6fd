"""Which learners a dashboard is about, as a subquery rather than a list of their ids.

An establishment has thousands of learners. Binding each of their ids into every statement
(`learner_id IN (:id_1, … :id_5000)`) costs the driver and the planner more than the query
itself, and the plan it gets is a hash join over the whole table. Selecting through the
cohorts' memberships instead keeps each statement the same size whatever the establishment's,
and lets the database walk the indexes from the cohort down.

On PostgreSQL a dashboard's learners go instead as one array parameter (`learner_id = ANY(:ids)`):
still one parameter whatever their number, the planner knows exactly how many there are, and it
probes each table's learner index rather than running the membership subquery again in every
statement (measured at 5,000 learners among 49,000: 8 to 20 ms a statement against 60 to 150 ms, and no
scan of a national table). SQLite has no arrays, and plans the subquery well.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, any_, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute

from skillpath.extensions import db
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


def among(column: ColumnElement[int] | InstrumentedAttribute[int], learners: LearnerSet) -> ColumnElement[bool]:
    """`column IN (…)` for either kind of learner set: a semi-join for a subquery, bound ids for a few,
    and one array parameter for many on PostgreSQL."""
    if isinstance(learners, Select):
        return column.in_(learners)
    ids = list(learners)
    if len(ids) > FEW_LEARNERS and has_arrays():
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def has_arrays() -> bool:
    """Whether the database takes a list of ids as one array parameter (PostgreSQL)."""
    return db.session.get_bind().dialect.name == "postgresql"


# How PostgreSQL may reach a table's rows inside `looked_up_by_learner`: only through an index, one learner at a
# time (nested loops), never by reading a table whole (sequential scans) or hashing or merging two of them.
_WHOLE_TABLE_PLANS = ("enable_hashjoin", "enable_mergejoin", "enable_seqscan")


@contextmanager
def looked_up_by_learner() -> Iterator[None]:
    """On PostgreSQL, plan the statements sent inside as lookups by each learner's key, not as scans.

    An establishment's learners are a few per cent of the country's. For 5,000 of them PostgreSQL's estimates
    favour hashing a whole national table (every learner profile, every skill award in the country), so a
    dashboard's time grew with the country, not the establishment. Inside this block those plans are switched
    off with SET LOCAL (for this transaction only, and switched back on when the block ends), which leaves the learner
    indexes: each statement then reads only its learners' rows. Measured on the national benchmark
    (scripts/bench_national.py, which shows these plans): the establishment view of 5,000 learners went from
    384 to 243 ms (p50), with no scan of a national table. SQLite always plans this way.
    """
    if not has_arrays():
        yield
        return
    connection = db.session.connection()
    for setting in _WHOLE_TABLE_PLANS:
        connection.exec_driver_sql(f"SET LOCAL {setting} = off")
    yield
    # Not after an error: the transaction is then rolled back, which ends SET LOCAL, and a statement sent to a
    # failed transaction would hide the error that failed it (a database gone away must still read as such).
    for setting in _WHOLE_TABLE_PLANS:
        connection.exec_driver_sql(f"SET LOCAL {setting} = on")


def is_empty(learners: LearnerSet) -> bool:
    """Whether the set is known to be empty without asking the database (a subquery never is, here)."""
    return not isinstance(learners, Select) and not learners


FEW_LEARNERS = 100
"""Up to this many learners, binding their ids is as cheap as a subquery and selects no one else."""


def narrowest(kept: Sequence[int], total: int, everyone: Select[int]) -> LearnerSet:
    """The learners a dashboard shows, in the form that keeps its statements one size.

    `kept` are the ids left after the dashboard's filters, of the `total` in `everyone`. On PostgreSQL
    they go as one array parameter (see `among`). Elsewhere, with nothing filtered out the subquery is
    exact; with a few left their ids are bound; otherwise the subquery selects more learners than are
    shown (which only costs rows that callers never look up), rather than binding thousands of ids.
    """
    if has_arrays():
        return list(kept)
    if len(kept) == total or len(kept) > FEW_LEARNERS:
        return everyone
    return list(kept)
