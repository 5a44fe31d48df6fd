"""Error pages are in the service's own style, and never show a stack trace."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from skillpath.extensions import limiter
from skillpath.logs import JsonFormatter
from skillpath.services.certificates.certificates import format_code, new_code
from tests.conftest import dispose_engines, make_test_app
from tests.helpers import heading, page, post_form


def _is_styled(response) -> bool:
    html = page(response)
    return (
        html.select_one("header.govuk-template__header") is not None
        and html.select_one("main#main-content") is not None
        and html.select_one("footer.govuk-footer") is not None
    )


def test_a_missing_page_gets_the_styled_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert _is_styled(response)
    assert heading(response) == "Page not found"
    assert page(response).title.get_text(strip=True) == "Page not found – SkillPath"


def test_a_malformed_id_is_a_404(admin_client):
    response = admin_client.get("/admin/cohorts/not-a-uuid")
    assert response.status_code == 404
    assert heading(response) == "Page not found"


def test_the_wrong_method_gets_a_styled_405_that_says_which_methods_work(learner_client):
    response = learner_client.get("/sign-out")
    assert response.status_code == 405
    assert _is_styled(response)
    assert set(response.headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


def test_a_refused_page_gets_the_styled_403(learner_client):
    response = learner_client.get("/admin/")
    assert response.status_code == 403
    assert _is_styled(response)
    assert heading(response) == "You cannot see this page"


@pytest.fixture
def broken_app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret-detail-from-the-database")

    yield app
    with app.app_context():
        dispose_engines()


def test_an_unexpected_error_gets_the_styled_500_with_no_details(broken_app):
    response = broken_app.test_client().get("/boom")
    assert response.status_code == 500
    assert _is_styled(response)
    assert heading(response) == "Sorry, there is a problem with the service"
    text = response.get_data(as_text=True)
    assert "secret-detail-from-the-database" not in text
    assert "Traceback" not in text
    assert "RuntimeError" not in text
    assert response.headers["Cache-Control"] == "no-store"


def _reference(response) -> str:
    reference = page(response).select_one("#error-reference")
    assert reference is not None, "the error page shows no reference"
    return reference.get_text(" ", strip=True)


def test_the_500_page_shows_the_request_reference(broken_app):
    response = broken_app.test_client().get("/boom")
    assert f"Reference: {response.headers['X-Request-ID']}" in _reference(response)


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    app = make_test_app(database_url, VERIFY_RATE_LIMIT="1 per minute")
    with app.app_context():
        limiter.reset()
    yield app
    with app.app_context():
        limiter.reset()
        dispose_engines()


def test_too_many_attempts_shows_the_reference_and_is_a_security_event(limited_app, caplog):
    caplog.set_level(logging.INFO, logger="skillpath")
    client = limited_app.test_client()
    client.get("/verify?code=nothing")
    response = client.get("/verify?code=nothing")

    assert response.status_code == 429
    assert f"Reference: {response.headers['X-Request-ID']}" in _reference(response)
    [event] = [r for r in caplog.records if r.name == "skillpath.security"]
    line = json.loads(JsonFormatter().format(event))
    assert line["event"] == "rate_limited"
    assert line["route"] == "/verify"
    assert line["request_id"] == response.headers["X-Request-ID"]


# --- The database cannot be reached --------------------------------------------------------------


@pytest.fixture(params=["postgresql", "sqlite"])
def database_down_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app whose database is a PostgreSQL port nothing listens on, or an SQLite file that cannot be opened."""
    urls = {
        "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/skillpath?connect_timeout=2",
        "sqlite": f"sqlite:///{tmp_path / 'no-such-folder' / 'skillpath.sqlite'}",
    }
    app = make_test_app(urls[request.param])
    yield app
    with app.app_context():
        dispose_engines()


def _is_unavailable_page(response) -> bool:
    return (
        response.status_code == 503
        and _is_styled(response)
        and heading(response) == "SkillPath is not available right now"
        and page(response).title.get_text(strip=True) == "SkillPath is not available right now – SkillPath"
        and _asks_to_retry_in_about_two_minutes(response)
    )


def _asks_to_retry_in_about_two_minutes(response) -> bool:
    # Flask-Limiter rewrites Retry-After on rate-limited routes, counting down from ours.
    return 100 <= int(response.headers["Retry-After"]) <= 120


def test_a_page_that_needs_the_database_says_skillpath_is_not_available(database_down_app, caplog):
    response = database_down_app.test_client().get(f"/verify/{format_code(new_code())}")

    assert _is_unavailable_page(response)
    text = page(response).select_one("main").get_text(" ", strip=True)
    assert "Try again in a few minutes" in text
    assert "Nothing you entered has been half-saved" in text
    assert f"Reference: {response.headers['X-Request-ID']}" in _reference(response)
    html = response.get_data(as_text=True)
    assert "OperationalError" not in html and "Traceback" not in html
    assert any(record.getMessage() == "database_unavailable" for record in caplog.records)


def test_a_signed_in_user_whose_session_cannot_be_checked_gets_the_503(database_down_app):
    client = database_down_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{uuid.uuid4()}:sometoken"
        session["_fresh"] = True

    response = client.get("/learner/")

    assert _is_unavailable_page(response)
    # Shown as to someone signed out: the page itself must not need the database.
    assert page(response).find("button", string="Sign out") is None


def test_signing_in_while_the_database_is_down_gets_the_503(database_down_app):
    client = database_down_app.test_client()
    response = post_form(client, "/sign-in", {"username": "someone", "password": "a password"})
    assert _is_unavailable_page(response)


def test_the_json_api_answers_503_in_json(database_down_app):
    response = database_down_app.test_client().get(f"/api/verify/{format_code(new_code())}")

    assert response.status_code == 503
    assert _asks_to_retry_in_about_two_minutes(response)
    assert response.mimetype == "application/problem+json"
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The service is not available right now. Try again in a few minutes.",
        "requestId": response.headers["X-Request-ID"],
    }


def test_health_reports_503_when_the_database_is_down(database_down_app):
    response = database_down_app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
