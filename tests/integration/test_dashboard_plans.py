"""On PostgreSQL, the pages that sum up thousands of learners read each learner's rows by key, never a table whole.

`scope.looked_up_by_learner` switches off the plans that read a national table whole (sequential scans, hash and
merge joins) around the establishment view's, the head's home's and the to-do lists' statements. Here each
statement those pages send is explained with the settings the page had made when it sent it: none may scan a
learner table or join one by hashing or merging. The tables are tiny here, so without the block PostgreSQL would
scan them all; the national benchmark (scripts/bench_national.py) shows the same plans on 98,791 learners.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from skillpath.extensions import db
from skillpath.models import SkillLevel
from skillpath.services.readiness.scope import has_arrays, looked_up_by_learner
from tests import factories
from tests.conftest import sign_in
from tests.integration._mentor_world import make_job

# Tables with a row (or many) per learner: the country's size, not the establishment's.
NATIONAL = (
    "learner_profiles",
    "cohort_memberships",
    "users",
    "skill_awards",
    "barrier_items",
    "enrolments",
    "enrolment_states",
    "readiness_periods",
    "readiness_status_changes",
    "progress_events",
)
WHOLE_TABLE = re.compile(rf"Seq Scan on ({'|'.join(NATIONAL)})\b|Hash Join|Merge Join")


@contextmanager
def _sent() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    sa.event.listen(Engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(Engine, "before_cursor_execute", before)


def _whole_table_plans(statements: list[tuple[str, Any]]) -> list[str]:
    """Each SELECT's plan lines that read a learner table whole, explained as the page had set the planner."""
    connection = db.session.connection()
    found = []
    settings: list[str] = []
    for statement, parameters in statements:
        words = statement.lstrip().upper()
        if words.startswith("SET "):
            settings.append(statement)
            continue
        if not words.startswith(("SELECT", "WITH")) or not settings:
            continue
        with connection.begin_nested() as savepoint:
            for setting in settings:
                connection.exec_driver_sql(setting)
            plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters or ())]
            savepoint.rollback()
        found += [f"{line.strip()}  <- {statement[:80]}" for line in plan if WHOLE_TABLE.search(line)]
    return found


def test_the_pages_that_add_up_an_establishment_read_its_learners_by_key(app):
    if not has_arrays():
        pytest.skip("SQLite always plans these as lookups by key; the planner settings are PostgreSQL's")
    establishment = factories.make_establishment()
    job, _skills = make_job("Customer service", "User support", level=SkillLevel.WORKING)
    cohorts = [factories.make_cohort(establishment=establishment) for _ in range(3)]
    for cohort in cohorts:
        for _ in range(4):
            factories.make_learner(cohort=cohort, target_role_level=job)
    head = factories.make_mentor(establishment=establishment, is_establishment_lead=True, cohorts=cohorts)
    db.session.flush()
    client = sign_in(app.test_client(), head)
    urls = [
        f"/dashboards/establishments/{establishment.public_id}",
        "/mentor/",
        "/mentor/worklist/awaiting-sign-off",
        "/mentor/worklist/no-activity",
        "/mentor/worklist/release-with-barriers",
    ]
    for url in urls:
        with _sent() as statements:
            assert client.get(url).status_code == 200, url
        assert any(statement.startswith("SET LOCAL enable_hashjoin = off") for statement, _ in statements), url
        assert _whole_table_plans(statements) == [], url
    # And the settings end with the block: the rest of the request plans as PostgreSQL chooses.
    assert db.session.execute(sa.text("SHOW enable_hashjoin")).scalar() == "on"


def test_a_statement_failing_inside_the_block_is_the_error_that_is_raised(app):
    if not has_arrays():
        pytest.skip("the planner settings are PostgreSQL's")
    # Switching the plans back on in a failed transaction would fail too, and hide this error (a database gone
    # away would then read as a crash rather than as "try again later").
    with (
        pytest.raises(sa.exc.ProgrammingError, match="no_such_table"),
        db.session.begin_nested(),
        looked_up_by_learner(),
    ):
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
