"""A learner closes their account from My data: they read what happens, are offered their data first, choose
what happens to their certificate, confirm with their password, and land on the sign-in page. Keeping the
certificate leaves it checkable with their name; withdrawing it (here without JavaScript) leaves it reading
withdrawn. Either way their password no longer opens anything. axe passes on every new page, and nothing scrolls
sideways at 320 px."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, SkillLevel, User
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in


def _learner_with_certificate(live_server: LiveServer, username: str, name: str, module_code: str) -> str:
    """A learner of the mentor's cohort with one module signed off and its certificate; returns its code."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        assert cohort is not None and mentor is not None
        learner = factories.make_learner(cohort=cohort, username=username, display_name=name, prison_number="C1234DE")
        skill = factories.make_skill(name=f"Closing skill {module_code}")
        module = factories.make_module(code=module_code, units=1, skills={skill: SkillLevel.WORKING})
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        code = certificates.issue_module_certificate(enrolment, mentor=mentor).display_code
        db.session.commit()
        db.session.remove()
    return code


def _check_page(page: Page) -> None:
    """axe passes, and at 320 px wide nothing scrolls sideways; the viewport is put back after."""
    check_accessibility(page)
    before = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["scroll"] <= widths["client"] + 1, f"{page.url} scrolls sideways at 320 px: {widths}"
    if before:
        page.set_viewport_size(before)


def _sign_in_refused(page: Page, base_url: str, username: str) -> None:
    sign_in(page, base_url, username, factories.PASSWORD)
    expect(page).to_have_url(f"{base_url}/sign-in")
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def test_a_learner_closes_their_account_and_keeps_their_certificate_checkable(page: Page, live_server: LiveServer):
    name = "Zofia Wójcik"
    code = _learner_with_certificate(live_server, "zofia", name, "CLS-01")
    sign_in(page, live_server.url, "zofia", factories.PASSWORD)

    page.goto(f"{live_server.url}/learner/my-data")
    page.locator("#close-account ~ p").get_by_role("link", name="Close your account").click()
    expect_heading(page, "Close your account")
    _check_page(page)
    download = page.get_by_role("link", name="Download your data from My data")
    expect(download).to_have_attribute("href", "/learner/my-data#download")

    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Are you sure you want to close your account?")
    _check_page(page)

    page.get_by_role("button", name="Close my account").click()  # nothing chosen, no password
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether employers can still check your certificates"
    )
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your password")
    _check_page(page)

    page.get_by_label("Yes, employers can still check them").check()
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Close my account").click()

    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your account is closed and your record is deleted. Employers can still check your certificates."
    )
    _check_page(page)

    page.goto(f"{live_server.url}/verify/{code}")
    expect(page.locator("main")).to_contain_text(name)
    _sign_in_refused(page, live_server.url, "zofia")


def test_without_javascript_a_learner_closes_their_account_and_withdraws_their_certificate(
    browser: Browser, live_server: LiveServer
):
    name = "Trần Thị Lan"
    code = _learner_with_certificate(live_server, "lan", name, "CLS-02")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server.url, "lan", factories.PASSWORD)

    page.goto(f"{live_server.url}/learner/close-account")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("No, withdraw them").check()
    page.get_by_label("Your password").fill("not the password")
    page.get_by_role("button", name="Close my account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your password is wrong. Check it and try again")
    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Close my account").click()

    expect(page).to_have_url(f"{live_server.url}/sign-in")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your account is closed")
    page.goto(f"{live_server.url}/verify/{code}")
    expect(page.locator("main")).to_contain_text("withdrawn")
    expect(page.locator("main")).not_to_contain_text(name)
    _sign_in_refused(page, live_server.url, "lan")
    context.close()
