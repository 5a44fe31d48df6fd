"""The harness itself: marking, the live server, and the watch on the browser console."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import expect_heading


def test_browser_tests_are_marked_and_skip_the_rollback(request: pytest.FixtureRequest) -> None:
    assert request.node.get_closest_marker("browser") is not None
    assert "browser" in request.keywords  # what the root conftest's _transaction fixture looks for


def test_the_live_server_serves_the_sign_in_page_with_its_assets(page: Page) -> None:
    response = page.goto("/sign-in")
    assert response is not None and response.ok
    expect_heading(page, "Sign in to SkillPath")
    # GOV.UK Frontend's JavaScript ran (module script allowed by the CSP) and the CSS loaded.
    expect(page.locator("body")).to_contain_class("govuk-frontend-supported")
    heading_font = page.get_by_role("heading", level=1).evaluate("h => getComputedStyle(h).fontFamily")
    assert heading_font.lower().startswith("arial")


def test_a_csp_violation_is_reported_as_a_browser_error(page: Page, browser_errors: list[str]) -> None:
    page.goto("/sign-in")
    inject_inline_script = """() => {
        const script = document.createElement("script");
        script.textContent = "window.hacked = 1";
        document.body.append(script);
    }"""
    page.evaluate(inject_inline_script)
    page.wait_for_timeout(200)
    assert page.evaluate("window.hacked") is None
    assert any("Content Security Policy" in error for error in browser_errors), browser_errors
    browser_errors.clear()  # it was expected
