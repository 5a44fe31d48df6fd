"""Archiving a goal for one of the prison service's reasons: "Other" needs a few words; the page passes axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_learner_archives_a_goal_for_another_reason(browser: Browser, live_server: LiveServer, javascript: bool):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
        page.goto(f"{live_server.url}/learner/goals/new")
        title = f"Learn to drive a forklift ({'js' if javascript else 'no js'})"
        page.get_by_label("What is your goal?").fill(title)
        page.get_by_label("In 6 months").check()
        page.get_by_label("Step 1").fill("Ask about the course")
        page.get_by_role("button", name="Save goal").click()
        expect_heading(page, title)
        page.get_by_role("button", name="Archive this goal").click()  # a link drawn as a button
        expect_heading(page, "Archive this goal")
        if javascript:
            check_accessibility(page)
        page.get_by_label("Other", exact=True).check()
        page.get_by_role("button", name="Archive this goal").click()  # "Other" without a word of why
        expect_heading(page, "Archive this goal")
        summary = page.locator(".govuk-error-summary")
        assert "Enter why you are archiving this goal" in summary.inner_text()
        if javascript:
            check_accessibility(page)
        page.get_by_label("If you chose other, tell us why").fill("The course is not run here any more")
        page.get_by_role("button", name="Archive this goal").click()
        expect_heading(page, "My goals")
        row = page.locator("tbody tr", has_text=title)
        assert "Archived: The course is not run here any more" in row.inner_text()
        if javascript:
            check_accessibility(page)
    finally:
        context.close()
