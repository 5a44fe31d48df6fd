"""The printable plan: reached from the learner's home, passes axe, and prints as black on white with no menu,
footer or buttons; the "Print this page" button appears only when JavaScript can print."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, RoleLevel, Skill, SkillLevel, User
from skillpath.services.certificates import certificates
from skillpath.services.plans import goals
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

USERNAME = "browser-planner"


def _learner_with_a_plan(live_server: LiveServer) -> str:
    """A learner of the mentor's cohort with a goal, a module in progress and a certificate; returns its code."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
        learner = factories.make_learner(cohort=cohort, username=USERNAME, display_name="Pat", target_role_level=job)
        goals.create_goal(
            learner,
            title="Find a job in IT support",
            target_date=goals.today_in_uk() + timedelta(days=90),
            steps=["Print my plan", "Apply for three jobs"],
            actor=learner,
        )
        module = factories.make_module(
            code="PLN-01", title="Printing a plan", units=1, skills={skill: SkillLevel.AWARENESS}
        )
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.set_unit_done(enrolment, module.units[0], True, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        code = certificates.issue_module_certificate(enrolment, mentor=mentor).display_code
        db.session.commit()
        db.session.remove()
    return code


def test_the_plan_is_linked_from_home_passes_axe_and_prints_without_the_screen_parts(
    page: Page, live_server: LiveServer
) -> None:
    code = _learner_with_a_plan(live_server)
    sign_in(page, live_server.url, USERNAME, factories.PASSWORD)
    page.get_by_role("link", name="Print my plan").click()
    expect_heading(page, "My plan")
    expect(page.get_by_role("cell", name=code)).to_be_visible()
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()
    expect(page.get_by_text(live_server.mentor.display_name)).to_have_count(0)
    expect(page.get_by_text(live_server.establishment_name)).to_have_count(0)
    check_accessibility(page)

    page.emulate_media(media="print")
    for hidden in (".govuk-template__header", ".govuk-service-navigation", ".govuk-footer", ".govuk-button"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.get_by_role("heading", name="Find a job in IT support")).to_be_visible()
    expect(page.get_by_role("cell", name=code)).to_be_visible()
    colours = page.evaluate(
        """() => {
            const style = getComputedStyle(document.querySelector("main p"));
            return [style.color, getComputedStyle(document.body).backgroundColor];
        }"""
    )
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]


def test_without_javascript_the_plan_says_how_to_print(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, live_server.learner.username, live_server.learner.password)
        page.goto(f"{live_server.url}/learner/plan")
        expect_heading(page, "My plan")
        expect(page.get_by_role("button", name="Print this page")).to_be_hidden()
        expect(page.get_by_text("press Ctrl and P together")).to_be_visible()
    finally:
        context.close()
