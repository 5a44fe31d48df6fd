"""After release, with no staff to ask: a learner gets back in with the code on their release summary."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, RoleLevel, User
from skillpath.services.learners import accounts, recovery
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

CUSTODY_WORDS = re.compile(r"\b(mentors?|prisons?|custody|cohorts?|HMP)\b", re.IGNORECASE)


def _learner_with_date_of_birth(live_server: LiveServer) -> str:
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
        learner = factories.make_learner(
            cohort=cohort, username="leaving-learner", display_name="Lou Leaving", target_role_level=job
        )
        recovery.set_date_of_birth(learner, date(1990, 3, 27), by=learner)
        db.session.commit()
        return learner.username


def test_a_released_learner_forgets_their_password_and_gets_back_in(
    browser: Browser, page: Page, live_server: LiveServer
) -> None:
    username = _learner_with_date_of_birth(live_server)

    # The mentor records the release and prints the summary with the recovery code.
    mentor_context = browser.new_context(base_url=live_server.url)
    try:
        mentor = mentor_context.new_page()
        sign_in(mentor, live_server.url, live_server.mentor.username, live_server.mentor.password)
        with live_server.app.app_context():
            public_id = db.session.scalar(select(User.public_id).where(User.username == username))
        mentor.goto(f"/mentor/learners/{public_id}/record-release")
        mentor.get_by_role("button", name="Record release").click()
        expect_heading(mentor, "Your SkillPath account after you leave")
        check_accessibility(mentor)
        code = mentor.locator(".sp-code").inner_text()
        assert CUSTODY_WORDS.search(mentor.locator(".govuk-grid-row").last.inner_text()) is None
    finally:
        mentor_context.close()

    # Months later, password forgotten, on their own phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/sign-in")
    page.get_by_role("link", name="get back in with your recovery code").click()
    expect_heading(page, "Get back in with your recovery code")
    check_accessibility(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Recovery code").fill(code.lower().replace("-", " "))
    page.get_by_label("Day").fill("27")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("1990")
    page.get_by_label("Choose a new password").fill("harbour violet pencil seven")
    page.get_by_label("Type the new password again").fill("harbour violet pencil seven")
    page.get_by_role("button", name="Get back in").click()

    expect_heading(page, "Getting back in if you forget your password")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("you are signed in")
    check_accessibility(page)

    # Home after release: nothing that assumes custody.
    page.goto("/learner/")
    check_accessibility(page)
    assert CUSTODY_WORDS.search(page.locator("main").inner_text()) is None
    with live_server.app.app_context():
        assert accounts.find_user_by_username(username).recovery_code_hash is None  # used up
