"""Migration 0006 moves SkillPath's own codes to the prison service's, and back, keeping every row's meaning.

It runs on a database of its own (a temporary SQLite file), from empty: up to 0005, rows in the old codes,
up to 0006, the new codes checked, then down again. The same steps were run by hand on PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from skillpath.extensions import db
from tests.conftest import dispose_engines, make_test_app

BEFORE, AFTER = "0005_after_release", "0006_prison_service_codes"
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def empty_app(tmp_path):
    app = make_test_app(f"sqlite:///{tmp_path / 'migrations.sqlite'}")
    with app.app_context():
        yield app
        db.session.remove()
        dispose_engines()


def _insert(connection: sa.Connection, table: str, **values: object) -> int:
    columns = ", ".join(values)
    names = ", ".join(f":{name}" for name in values)
    connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({names})"), values)
    return int(connection.execute(sa.text(f"SELECT max(id) FROM {table}")).scalar_one())


def _old_rows() -> dict[str, int]:
    with db.engine.begin() as connection:
        learner = _insert(
            connection,
            "users",
            public_id=uuid.uuid4().hex,
            username="migrating-learner",
            display_name="Migrating Learner",
            role="learner",
            is_enabled=True,
            failed_logins=0,
            is_establishment_lead=False,
            created_at=NOW,
        )
        ids = {"learner": learner}
        for name, reason in (("wanted", "NO_LONGER_WANTED"), ("changed", "SOMETHING_CHANGED"), ("active", None)):
            ids[name] = _insert(
                connection,
                "goals",
                public_id=uuid.uuid4().hex,
                learner_id=learner,
                title=name,
                status="ARCHIVED" if reason else "ACTIVE",
                archive_reason=reason,
                created_at=NOW,
                updated_at=NOW,
            )
        for change_type in ("NEW", "DECLINED_TO_ACCEPTED", "UPDATED"):
            ids[change_type] = _insert(
                connection,
                "readiness_status_changes",
                learner_id=learner,
                status="READY_TO_WORK",
                change_type=change_type,
                changed_at=NOW,
            )
    return ids


def _goals() -> dict[str, tuple[str | None, str | None]]:
    with db.engine.connect() as connection:
        columns = [column["name"] for column in sa.inspect(connection).get_columns("goals")]
        other = "archive_reason_other" if "archive_reason_other" in columns else "NULL"
        rows = connection.execute(sa.text(f"SELECT title, archive_reason, {other} FROM goals"))
        return {title: (reason, text) for title, reason, text in rows}


def _change_types() -> list[str | None]:
    with db.engine.connect() as connection:
        return list(
            connection.execute(sa.text("SELECT change_type FROM readiness_status_changes ORDER BY id")).scalars()
        )


def test_0006_maps_old_codes_to_the_prison_services_and_back(empty_app):
    upgrade(revision=BEFORE)
    _old_rows()

    upgrade(revision=AFTER)
    assert _goals() == {
        "wanted": ("PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL", None),
        "changed": ("OTHER", "Something changed"),
        "active": (None, None),
    }
    assert _change_types() == ["NEW", "DECLINED_TO_ACCEPTED", None]

    downgrade(revision=BEFORE)
    assert _goals() == {
        "wanted": ("NO_LONGER_WANTED", None),
        "changed": ("SOMETHING_CHANGED", None),
        "active": (None, None),
    }
    assert _change_types() == ["NEW", "DECLINED_TO_ACCEPTED", "UPDATED"]
    with db.engine.connect() as connection:
        change_type = next(
            column
            for column in sa.inspect(connection).get_columns("readiness_status_changes")
            if column["name"] == "change_type"
        )
    assert change_type["nullable"] is False

    upgrade()  # and on to the newest again
    assert _change_types() == ["NEW", "DECLINED_TO_ACCEPTED", None]
