"""Where a learner's pages lead, in a real browser (issue #10, items 1 to 3).

A mentor returns a module with feedback; the learner meets the feedback first, follows the one action, and the
module is back on the mentor's list. The readiness page leads to a module that teaches a missing skill, and the
module list puts the learner's job first with their status on each module.

Each test has its own learner on the shared live server, so nothing here changes what the other tests see.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, RoleLevel, Skill, SkillLevel
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in
from tests.integration._mentor_world import days_ago, finish_module

FEEDBACK = "Add a photo of the printer working.\nSay what you changed."


def _learner(live_server: LiveServer, username: str, *, ready_module: str | None = None, module_code: str) -> None:
    """A learner in the mentor's cohort working towards the one job, with a module of their own.

    With `ready_module`, they have finished that module and it waits for their mentor.
    """
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
        skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
        assert cohort and job and skill
        learner = factories.make_learner(
            cohort=cohort, username=username, display_name=f"Flo {username}", target_role_level=job
        )
        module = factories.make_module(
            code=module_code,
            title=ready_module or "Fixing a printer",
            units=2,
            skills={skill: SkillLevel.AWARENESS},
        )
        if ready_module:
            finish_module(learner, module, at=days_ago(2))
        db.session.commit()


def _signed_in(new_context: Callable[..., BrowserContext], live_server: LiveServer, username: str) -> Page:
    page = new_context().new_page()
    sign_in(page, live_server.url, username, factories.PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def test_a_returned_module_goes_from_feedback_to_the_mentors_list_again(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    module = "Fixing a paper jam"
    _learner(live_server, "flows-returned", ready_module=module, module_code="FLW-01")

    # The mentor returns it with feedback.
    mentor = _signed_in(new_context, live_server, live_server.mentor.username)
    mentor.goto(f"{live_server.url}/mentor/")
    mentor.get_by_role("link", name=f"Review {module}").click()
    expect_heading(mentor, module)
    mentor.get_by_label("Feedback for the learner").fill(FEEDBACK)
    mentor.get_by_role("button", name="Return with feedback").click()
    expect(mentor.get_by_text(f"{module} is returned to the learner with your feedback.")).to_be_visible()

    # The learner sees it first thing, with what the mentor said, line by line.
    learner = _signed_in(new_context, live_server, "flows-returned")
    expect_heading(learner, "My learning")
    banner = learner.locator(".govuk-notification-banner").first
    expect(banner).to_contain_text(f"Your mentor has asked you to look again at {module}")
    expect(banner.locator(".govuk-inset-text p")).to_have_text(FEEDBACK.replace("\n", ""))
    assert banner.locator(".govuk-inset-text br").count() == 1
    above = learner.evaluate(
        "() => document.querySelector('.govuk-notification-banner').getBoundingClientRect().top"
        " < document.querySelector('h1').getBoundingClientRect().top"
    )
    assert above, "the feedback is the first thing on the page"
    check_accessibility(learner)

    # The one action: add evidence, which sends the module back.
    banner.get_by_role("button", name=f"Add evidence to {module}").click()
    expect_heading(learner, "Add evidence")
    expect(learner.locator(".govuk-inset-text")).to_contain_text("goes back to your mentor to check")
    check_accessibility(learner)
    learner.get_by_label("What did you do, and what did you learn?").fill("I took a photo and said what I changed.")
    learner.get_by_role("button", name="Save evidence").click()
    expect_heading(learner, module)
    expect(learner.get_by_role("alert", name="Success")).to_contain_text(
        f"{module} has gone back to your mentor to check again."
    )
    expect(learner.locator("main .govuk-tag").first).to_have_text("Ready for sign-off")
    check_accessibility(learner)
    learner.goto(f"{live_server.url}/learner/")
    expect(learner.locator(".govuk-notification-banner")).to_have_count(0)

    # It is on the mentor's list to review again.
    mentor.goto(f"{live_server.url}/mentor/")
    expect(mentor.get_by_role("link", name=f"Review {module}")).to_be_visible()


def test_the_readiness_page_and_module_list_lead_to_the_modules_for_my_job(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    _learner(live_server, "flows-modules", module_code="FLW-02")
    page = _signed_in(new_context, live_server, "flows-modules")

    page.get_by_role("link", name="How ready am I").click()
    expect_heading(page, "How ready I am for work")
    expect(page.get_by_text("points)")).to_have_count(0)
    card = page.locator(".govuk-summary-card", has_text="Technical understanding")
    expect(card).to_contain_text("Know what it is and how it is used at work")
    expect(page.locator("#practical-things")).to_be_visible()
    check_accessibility(page)
    card.get_by_role("link", name="Fixing a printer").click()
    expect_heading(page, "Fixing a printer")
    page.get_by_role("button", name="Start this module").click()
    expect_heading(page, "Fixing a printer")

    page.get_by_role("link", name="Modules", exact=True).click()
    expect_heading(page, "Modules")
    for_job = page.locator("ul.govuk-task-list").first
    expect(page.get_by_role("heading", name=f"For your job: {live_server.job_title}")).to_be_visible()
    item = for_job.locator(".govuk-task-list__item", has_text="Fixing a printer")
    expect(item.locator(".govuk-task-list__status")).to_have_text("In progress")
    check_accessibility(page)
    item.get_by_role("link", name="Fixing a printer").click()
    expect_heading(page, "Fixing a printer")
    expect(page.get_by_role("button", name="Mark part 1 as done")).to_be_visible()
