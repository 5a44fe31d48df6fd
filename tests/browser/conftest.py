"""Real headless Chromium against a live SkillPath server.

The server runs in a thread on its own SQLite file, built by the real
migrations and filled once per session by the factories, then committed: the
browser's requests arrive on other threads, so the per-test rollback of the
root conftest cannot apply (it steps aside for tests marked `browser`).
CSRF stays on, so every form is submitted as a person would submit it.

Every test here also fails if the browser logs an error (a CSP violation, a
missing asset, a script error); `check_accessibility` fails on axe violations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import BrowserContext, ConsoleMessage, WebError
from werkzeug.serving import WSGIRequestHandler, make_server

from skillpath.extensions import db
from skillpath.models import SkillLevel
from skillpath.services.learners.accounts import create_learner
from tests import factories
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, LiveServer, Login
from tests.conftest import dispose_engines, make_test_app

HERE = Path(__file__).resolve().parent


# --- Marking ---------------------------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A conftest's collection hook sees the whole session, so mark only the tests under this folder.
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


# --- The live server -------------------------------------------------------------------------


class _QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # errors are still logged; a line per asset request is noise


def _create_people() -> dict[str, Any]:
    password = factories.PASSWORD
    skill = factories.make_skill(name="Technical understanding")
    job = factories.make_role_level(
        skills={skill: SkillLevel.AWARENESS},
        name="Service desk analyst",
        plain_title="Help people fix computer problems",
        plain_summary="Answer calls and messages from people whose computers have stopped working.",
    )
    factories.make_module(title="Using a computer safely", skills={skill: SkillLevel.AWARENESS})
    admin = factories.make_admin(username="browser-admin", display_name="Ada Admin")
    establishment = factories.make_establishment(name="HMP Testbrook", code="TBK")
    cohort = factories.make_cohort(establishment=establishment, name="Digital skills – autumn")
    mentor = factories.make_mentor(cohorts=[cohort], username="browser-mentor", display_name="Mo Mentor")
    spare = factories.make_mentor(establishment=establishment, username="browser-mentor-2", display_name="Sam Spare")
    learner = factories.make_learner(
        cohort=cohort, username="browser-learner", display_name="Lee Learner", target_role_level=job
    )
    unlucky = factories.make_learner(
        cohort=cohort, username="browser-unlucky", display_name="Una Lucky", target_role_level=job
    )
    new = create_learner(
        username="browser-new", preferred_name="Nia New", cohort=cohort, created_by=mentor, activation_days=14
    )
    return {
        "admin": Login(admin.username, password, admin.display_name),
        "mentor": Login(mentor.username, password, mentor.display_name),
        "spare_mentor": Login(spare.username, password, spare.display_name),
        "learner": Login(learner.username, password, learner.display_name),
        "unlucky_learner": Login(unlucky.username, password, unlucky.display_name),
        "new_learner": Login(new.user.username, new.activation_code, new.user.display_name),
        "establishment_name": establishment.name,
        "cohort_name": cohort.name,
        "job_title": job.plain_title,
    }


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    # Always its own SQLite file, even when TEST_DATABASE_URL points the other tests at PostgreSQL.
    url = f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'browser.sqlite'}"
    app: Flask = make_test_app(url)
    with app.app_context():
        upgrade()
        people = _create_people()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, **people)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            dispose_engines()


@pytest.fixture(scope="session")
def base_url(live_server: LiveServer) -> str:
    """Overrides pytest-playwright's: every context opens relative URLs on the live server."""
    return live_server.url


# --- The browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    # Debian's Chromium, never a downloaded one (`playwright install` is blocked here).
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def browser_errors() -> list[str]:
    """Errors the browser reported during the test: console errors and uncaught exceptions."""
    return []


def _watch(context: BrowserContext, errors: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location.get("url", "")
            errors.append(f"console: {message.text} ({location})")

    def on_web_error(error: WebError) -> None:
        errors.append(f"uncaught: {error.error}")

    context.on("console", on_console)
    context.on("weberror", on_web_error)


@pytest.fixture
def new_context(new_context: Callable[..., BrowserContext], browser_errors: list[str]) -> Callable[..., BrowserContext]:
    """pytest-playwright's, plus a watch on every page's console. `page` and `context` use it too."""

    def _new_context(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        context.set_default_timeout(10_000)
        _watch(context, browser_errors)
        return context

    return _new_context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    # Checked here rather than in a fixture's teardown, so it fails the test instead of erroring it.
    result = yield
    errors = getattr(item, "funcargs", {}).get("browser_errors")
    if errors:
        pytest.fail("The browser reported errors:\n  " + "\n  ".join(errors), pytrace=False)
    return result
