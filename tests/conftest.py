"""Shared fixtures: one app and one schema per test run, and a rolled-back transaction per test.

The database is SQLite in a temporary file unless TEST_DATABASE_URL (or
DATABASE_URL) names another, such as PostgreSQL in CI. The schema is built by
running the real migrations, so every test run also tests them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade

from config import TestConfig
from skillpath import create_app
from skillpath.extensions import PUBLIC_READS, db, dispose_engines
from skillpath.models import User
from skillpath.services.learners.sessions import start_session
from tests import factories


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def reset_database(url: str) -> None:
    """Drop everything in the test database, so the migrations start from nothing."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            metadata.drop_all(connection)
    engine.dispose()


class RequestPerContextClient(FlaskClient):
    """Gives each request its own app context, as a real server does.

    The tests hold an app context open for factories; without this, requests
    would share its `g` (and Flask-Login's cached user) and its database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_test_app(url: str, **overrides: Any) -> Flask:
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, **overrides)
    app.test_client_class = RequestPerContextClient
    return app


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    reset_database(database_url)
    app = make_test_app(database_url, UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        upgrade()
        _make_sqlite_savepoints_work()
        yield app
        db.session.remove()
        dispose_engines()


def _make_sqlite_savepoints_work() -> None:
    # pysqlite starts transactions lazily and breaks SAVEPOINT; take over BEGIN ourselves.
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN")

    engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Each test runs in a transaction that is rolled back; routes' commits become savepoints."""
    if "browser" in request.keywords or (
        "app" not in request.fixturenames and "db_session" not in request.fixturenames
    ):
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        # Flask-SQLAlchemy picks the engine from db.engines on every query, so
        # point it at one connection whose outer transaction is never committed.
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        # Public checks read through their own pool on PostgreSQL; here they read in the test's transaction.
        public_reads = app.extensions.pop(PUBLIC_READS, None)
        original = db.session
        db.session = db._make_scoped_session({"join_transaction_mode": "create_savepoint"})  # type: ignore[method-assign]
        try:
            yield
        finally:
            db.session.remove()
            db.session = original  # type: ignore[method-assign]
            engines[None] = engine
            if public_reads is not None:
                app.extensions[PUBLIC_READS] = public_reads
            outer.rollback()
            connection.close()


@pytest.fixture
def db_session(app: Flask) -> Any:
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sign_in(client: FlaskClient, user: User, password: str = factories.PASSWORD) -> FlaskClient:
    """Sign `user` in on this client as the sign-in page would: a new server-side session and its cookie."""
    start_session(user, user_agent="pytest")
    db.session.flush()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def admin(app: Flask) -> User:
    return factories.make_admin()


@pytest.fixture
def establishment(app: Flask) -> Any:
    return factories.make_establishment()


@pytest.fixture
def cohort(establishment: Any) -> Any:
    return factories.make_cohort(establishment=establishment)


@pytest.fixture
def mentor(cohort: Any) -> User:
    return factories.make_mentor(cohorts=[cohort])


@pytest.fixture
def learner(cohort: Any) -> User:
    return factories.make_learner(cohort=cohort)


@pytest.fixture
def admin_client(app: Flask, admin: User) -> FlaskClient:
    return sign_in(app.test_client(), admin)


@pytest.fixture
def mentor_client(app: Flask, mentor: User) -> FlaskClient:
    return sign_in(app.test_client(), mentor)


@pytest.fixture
def learner_client(app: Flask, learner: User) -> FlaskClient:
    return sign_in(app.test_client(), learner)
