"""Sessions as a person meets them: the inactivity warning, 'Where you are signed in', and an expired form
that gives back what was typed. Every page is checked with axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from skillpath.extensions import db
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in


@pytest.fixture
def short_idle_time(live_server: LiveServer) -> Iterator[None]:
    """A sign-in that is 'nearly timed out' as soon as a page opens: the warning shows at once."""
    config = live_server.app.config
    before = config["SESSION_IDLE_MINUTES"], config["SESSION_WARNING_MINUTES"]
    config["SESSION_IDLE_MINUTES"], config["SESSION_WARNING_MINUTES"] = 1, 1
    yield
    config["SESSION_IDLE_MINUTES"], config["SESSION_WARNING_MINUTES"] = before


def test_the_inactivity_warning_appears_and_stay_signed_in_keeps_the_session(
    page: Page, live_server: LiveServer, short_idle_time: None
) -> None:
    sign_in(page, live_server.url, live_server.mentor.username, live_server.mentor.password)
    warning = page.get_by_role("alert")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("You will be signed out soon")
    expect(page.locator("#sp-timeout-message")).to_be_focused()
    check_accessibility(page)

    with page.expect_response("**/account/keep-signed-in") as reply:
        page.get_by_role("button", name="Stay signed in").click()
    assert reply.value.status == 200  # the server counted it as use; the page stayed where it was
    expect(page).to_have_url(live_server.url + "/mentor/")


def test_a_mentor_signs_out_of_another_browser_from_where_they_are_signed_in(
    browser: Browser, page: Page, live_server: LiveServer
) -> None:
    other = browser.new_context(base_url=live_server.url)
    try:
        elsewhere = other.new_page()
        sign_in(elsewhere, live_server.url, live_server.spare_mentor.username, live_server.spare_mentor.password)
        sign_in(page, live_server.url, live_server.spare_mentor.username, live_server.spare_mentor.password)

        page.get_by_role("link", name="Where you are signed in").click()
        expect_heading(page, "Where you are signed in")
        check_accessibility(page)
        page.get_by_role("button", name="Sign out everywhere else").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("signed out everywhere else")
        check_accessibility(page)

        elsewhere.goto("/mentor/")
        expect_heading(elsewhere, "Sign in to SkillPath")
    finally:
        other.close()


def _module_to_work_on(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        module = factories.make_module(code="EXP-01", title="Write down what you did", units=1)
        db.session.commit()
        return module.code


def test_an_expired_form_gives_back_the_reflection_and_sends_it_again(
    page: Page, live_server: LiveServer, browser_errors: list[str]
) -> None:
    code = _module_to_work_on(live_server)
    sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
    page.goto(f"/modules/{code}")
    page.get_by_role("button", name="Start this module").click()
    page.get_by_role("button", name="Add evidence").click()
    reflection = "I helped a user reset their password and wrote down each step I took, slowly and carefully."
    page.get_by_label("What did you do, and what did you learn?").fill(reflection)
    # The form's security token has run out (as after a long time on a shared computer).
    page.locator("form input[name=csrf_token]").last.evaluate("input => { input.value = 'expired' }")
    page.get_by_role("button", name="Save evidence").click()

    expect_heading(page, "Your page has expired")
    # The page is a 400 (the token was refused); the browser notes that, and it is expected here.
    browser_errors[:] = [error for error in browser_errors if "status of 400" not in error]
    expect(page.locator("#sp-expired-form textarea")).to_have_value(reflection)
    check_accessibility(page)
    page.get_by_role("button", name="Send again").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your evidence has been saved")
