"""A learner shares a certificate with a link; an employer opens it on a phone, signed out, and downloads the
credential; the learner withdraws the link, and the employer's next visit says so.

Every new page is checked with axe and for sideways scrolling at 320 px. Set
SKILLPATH_SCREENSHOTS to a folder to save the README's screenshots of sharing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, Skill, SkillLevel, User
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

NAME = "Amara Okafor"
TITLE = "Set up a new laptop"
OTHER_TITLE = "Keep a laptop up to date"
LABEL = "for the warehouse job"
PHONE = {"width": 390, "height": 844}


def _learner_with_certificate(live_server: LiveServer, username: str, *modules: tuple[str, str]) -> str:
    """A learner of the mentor's cohort with these (code, title) modules signed off and their certificates."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
    mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
    skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
    assert cohort is not None and mentor is not None and skill is not None
    learner = factories.make_learner(cohort=cohort, username=username, display_name=NAME.split()[0])
    learner.learner_profile.certificate_name = NAME
    for code, title in modules:
        module = factories.make_module(code=code, title=title, units=1, skills={skill: SkillLevel.AWARENESS})
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        certificates.issue_module_certificate(enrolment, mentor=mentor)
    db.session.commit()
    db.session.remove()
    return username


@pytest.fixture(scope="module", autouse=True)
def public_base_url(live_server: LiveServer) -> Iterator[None]:
    """Share links point at the live server, as they point at the real address in production."""
    previous = live_server.app.config["PUBLIC_BASE_URL"]
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    yield
    live_server.app.config["PUBLIC_BASE_URL"] = previous


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("SKILLPATH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True, animations="disabled")


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


def test_a_learner_shares_a_certificate_an_employer_opens_it_on_a_phone_then_the_learner_withdraws_it(
    page: Page,
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    browser_errors: list[str],
    tmp_path: Path,
) -> None:
    with live_server.app.app_context():
        username = _learner_with_certificate(live_server, "amara", ("SHR-01", TITLE), ("SHR-02", OTHER_TITLE))

    # The learner makes a link for one of their two certificates, with a private label.
    sign_in(page, live_server.url, username, factories.PASSWORD)
    page.get_by_role("link", name="Certificates", exact=True).first.click()
    expect_heading(page, "My certificates")
    _check_page(page)
    page.get_by_role("link", name=TITLE).click()
    expect_heading(page, TITLE)
    linkedin = page.get_by_role("link", name="Add it to your LinkedIn profile")
    assert (linkedin.get_attribute("href") or "").startswith("https://www.linkedin.com/profile/add?startTask=")
    _check_page(page)
    page.get_by_role("button", name="Make a share link").click()
    expect_heading(page, "Make a share link")
    expect(page.get_by_label(TITLE)).to_be_checked()
    expect(page.get_by_label(OTHER_TITLE)).not_to_be_checked()
    _check_page(page)
    page.get_by_label(TITLE).uncheck()
    page.get_by_role("button", name="Make the link").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one certificate to share")
    _check_page(page)
    page.get_by_label(TITLE).check()
    page.get_by_label("A name for this link (optional)").fill(LABEL)
    page.get_by_role("button", name="Make the link").click()

    expect_heading(page, "Your share link is ready")
    field = page.get_by_label("Your share link")
    expect(field).to_have_attribute("readonly", "")
    url = field.input_value()
    assert url.startswith(f"{live_server.url}/share/")
    field.select_text()  # the copy step without JavaScript: the whole link can be selected
    assert page.evaluate("() => window.getSelection().toString() || document.activeElement.value") == url
    expect(page.get_by_role("img", name="QR code for this share link")).to_be_visible()
    _check_page(page)
    _screenshot(page, "share-link-ready.png")

    # The employer, on their phone, signed out.
    employer = new_context(viewport=PHONE).new_page()
    employer.goto(url)
    expect_heading(employer, "Certificates shared with you")
    expect(employer.get_by_role("heading", name=TITLE, level=2)).to_be_visible()
    expect(employer.get_by_text(NAME)).to_be_visible()
    expect(employer.get_by_text(OTHER_TITLE)).to_have_count(0)
    expect(employer.get_by_text(LABEL)).to_have_count(0)
    expect(employer.get_by_text(live_server.establishment_name)).to_have_count(0)
    _check_page(employer)
    _screenshot(employer, "share-link-employer.png")
    with employer.expect_download() as download_info:
        employer.get_by_role("link", name="Credential for a digital wallet (JSON-LD)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".json")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    credential = json.loads(saved.read_text(encoding="utf-8"))
    assert "OpenBadgeCredential" in credential["type"] and "proof" in credential

    # The learner sees the opening, then withdraws the link after a confirmation step.
    page.get_by_role("link", name="My share links").click()
    expect_heading(page, "My share links")
    expect(page.get_by_text("1 time, last on")).to_be_visible()
    expect(page.get_by_role("heading", name=LABEL)).to_be_visible()
    _check_page(page)
    page.get_by_role("link", name="See details").click()
    expect_heading(page, LABEL)
    _check_page(page)
    page.get_by_role("button", name="Withdraw this link").click()
    expect_heading(page, "Withdraw this share link?")
    _check_page(page)
    page.get_by_role("button", name="Withdraw the link").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("has been withdrawn")
    _check_page(page)

    # The employer's next visit says so, and nothing else.
    employer.reload()
    expect_heading(employer, "This link has been withdrawn")
    expect(employer.get_by_text("This link has been withdrawn by the person who shared it.")).to_be_visible()
    expect(employer.get_by_text(NAME)).to_have_count(0)
    expect(employer.get_by_text(TITLE)).to_have_count(0)
    _check_page(employer)
    # The page is a 410 on purpose; Chromium logs that as a console error.
    expected = [error for error in browser_errors if "410" in error]
    assert len(expected) == 1, browser_errors
    browser_errors.remove(expected[0])


def test_without_javascript_a_learner_makes_a_link_and_it_opens(browser: Browser, live_server: LiveServer) -> None:
    with live_server.app.app_context():
        username = _learner_with_certificate(live_server, "zainab", ("SHR-03", "Back up a phone"))
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, username, factories.PASSWORD)
        page.goto("/learner/share-links/new")
        page.get_by_label("Back up a phone").check()
        page.get_by_role("button", name="Make the link").click()
        expect_heading(page, "Your share link is ready")
        url = page.get_by_label("Your share link").input_value()
        employer = browser.new_context(java_script_enabled=False).new_page()
        employer.goto(url)
        expect_heading(employer, "Certificates shared with you")
        expect(employer.get_by_role("heading", name="Back up a phone", level=2)).to_be_visible()
        employer.context.close()
    finally:
        context.close()
