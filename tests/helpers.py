"""Helpers for driving pages the way a browser does: parse them, and post forms with their CSRF token."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def page(response: TestResponse) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def heading(response: TestResponse) -> str:
    h1 = page(response).find("h1")
    assert h1 is not None, "the page has no <h1>"
    return h1.get_text(" ", strip=True)


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token from the first form on the page at `url`, as a browser would send it."""
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} gave {response.status_code}"
    field = page(response).find("input", attrs={"name": "csrf_token"})
    assert field is not None, f"{url} has no csrf_token field"
    return str(field["value"])


def post_form(client: FlaskClient, url: str, data: dict[str, Any], *, form_url: str | None = None) -> TestResponse:
    """GET the page holding the form (by default `url` itself), then POST `data` with its CSRF token."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


def error_summary(response: TestResponse) -> dict[str, str]:
    """The GOV.UK error summary as {link target: message}, such as {"#username": "Enter your username"}."""
    summary = page(response).select_one(".govuk-error-summary")
    assert summary is not None, "the page has no error summary"
    return {str(link["href"]): link.get_text(" ", strip=True) for link in summary.select("a")}


def field_errors(response: TestResponse) -> list[str]:
    """The messages shown beside fields, without the visually hidden 'Error:' prefix."""
    messages = []
    for message in page(response).select(".govuk-error-message"):
        for hidden in message.select(".govuk-visually-hidden"):
            hidden.decompose()
        messages.append(message.get_text(" ", strip=True))
    return messages


def flash_messages(response: TestResponse) -> list[str]:
    return [
        banner.get_text(" ", strip=True)
        for banner in page(response).select(".govuk-notification-banner .govuk-notification-banner__heading")
    ]


def location_path(response: TestResponse) -> str:
    """The path a redirect points to, without the query string."""
    location = response.headers["Location"]
    return location.split("?", 1)[0].removeprefix("http://localhost")


def add_learner(client: FlaskClient, cohort_id: object, data: dict[str, Any]) -> TestResponse:
    """Add a learner as a mentor does: the form, then "Add learner" on its "Check your answers" page.

    The answer to the form if it refused what was typed; otherwise the answer to the check page.
    """
    url = f"/mentor/cohorts/{cohort_id}/add-learner"
    response = post_form(client, url, data)
    if response.status_code != 302:
        return response
    return post_form(client, f"{url}/check", {})
