"""Every learner page passes axe, with JavaScript and without, including its error states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

LEARNER_PAGES = [
    ("/learner/", "My learning"),
    ("/modules/", "Modules"),
    ("/learner/readiness", "How ready I am for work"),
    ("/learner/choose-a-job", "What job would you like to work towards?"),
    ("/learner/goals", "My goals"),
    ("/learner/goals/new", "Add a goal"),
    ("/learner/confidence", "How confident I feel"),
    ("/learner/my-data", "My data"),
    ("/learner/certificates", "My certificates"),
    ("/account/change-password", "Change your password"),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_every_learner_page_passes_axe(browser: Browser, live_server: LiveServer, javascript: bool) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
        for path, heading in LEARNER_PAGES:
            page.goto(f"{live_server.url}{path}")
            expect_heading(page, heading)
            if javascript:
                check_accessibility(page)
    finally:
        context.close()


def test_a_learner_sets_a_goal_rates_their_confidence_and_reads_their_data(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)

    page.get_by_role("link", name="Goals").click()
    expect_heading(page, "My goals")
    page.goto(f"{live_server.url}/learner/goals/new")
    page.get_by_role("button", name="Save goal").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("What is your goal?").fill("Get my CV ready")
    page.get_by_label("In 3 months").check()
    page.get_by_label("Step 1").fill("Write down every job I have done")
    page.get_by_label("Step 2").fill("Ask my mentor to read it")
    page.get_by_role("button", name="Save goal").click()
    expect_heading(page, "Get my CV ready")
    check_accessibility(page)
    page.get_by_role("button", name=re.compile(r"^Mark as done\s*: step 1, Write down every job I have done$")).click()
    expect_heading(page, "Get my CV ready")
    check_accessibility(page)

    page.get_by_role("link", name="Confidence").click()
    expect_heading(page, "How confident I feel")
    check_accessibility(page)
    page.get_by_role("link", name="Answer questions about skills for work").or_(
        page.get_by_role("button", name="Answer questions about skills for work")
    ).first.click()
    page.get_by_role("button").filter(has_text="Save").first.click()  # nothing chosen
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_accessibility(page)

    page.get_by_role("link", name="My data").click()
    expect_heading(page, "My data")
    expect(page.get_by_text("Get my CV ready").first).to_be_visible()
    check_accessibility(page)
