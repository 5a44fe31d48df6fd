"""A live SkillPath server on its own database, for requests that arrive at the same moment.

On PostgreSQL (TEST_DATABASE_URL) the server gets a database of its own beside the
suite's, `<name>_races`; otherwise a SQLite file. Requests arrive on the server's
threads and commit for real, so nothing here runs inside the suite's rolled-back
transaction (the root conftest steps aside for tests that use neither `app` nor
`db_session`). Each test builds its own people and modules with the factories.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from werkzeug.serving import WSGIRequestHandler, make_server

from skillpath.extensions import db
from tests.conftest import dispose_engines, make_test_app
from tests.races.harness import Browser


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass(frozen=True)
class RaceServer:
    url: str
    app: Flask
    database: str

    def browser(self) -> Browser:
        return Browser(self.url)


def _own_postgresql_database(url: str) -> str:
    """A fresh database named after the suite's, on the same server."""
    suite = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{suite.database}_races"
    admin = sa.create_engine(suite, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return suite.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def race_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RaceServer]:
    suite_url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    if suite_url.startswith("postgresql"):
        url, kind = _own_postgresql_database(suite_url), "postgresql"
    else:
        url, kind = f"sqlite:///{Path(tmp_path_factory.mktemp('races')) / 'races.sqlite'}", "sqlite"
    app = make_test_app(
        url,
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("race-uploads")),
        KEYS_FOLDER=str(tmp_path_factory.mktemp("race-keys")),
    )
    with app.app_context():
        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="race-server", daemon=True)
    thread.start()
    try:
        yield RaceServer(url=f"http://127.0.0.1:{server.server_port}", app=app, database=kind)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            dispose_engines()
