"""Error pages are in the service's own style, and never show a stack trace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from skillpath.extensions import db
from tests.conftest import make_test_app
from tests.helpers import heading, page


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
        db.engine.dispose()


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
