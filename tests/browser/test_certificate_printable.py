"""An employer opens a certificate's page to print: axe-clean, readable at 320 px, and on paper only the certificate.

The PDF cannot be tagged (see services/certificate_pdf.py); this page is its accessible form.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, EssentialSkillArea, User
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading

NAME = "Siân Ó Briain-Nguyễn"


@pytest.fixture(scope="module", autouse=True)
def public_base_url(live_server: LiveServer) -> Iterator[None]:
    previous = live_server.app.config["PUBLIC_BASE_URL"]
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    yield
    live_server.app.config["PUBLIC_BASE_URL"] = previous


def _issue_essential_skills_certificate(live_server: LiveServer) -> str:
    """A signed-off Essential Digital Skills module's certificate, committed; its code."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        assert cohort is not None and mentor is not None
        module = factories.make_module(code="EDS-02", title="Stay safe online", units=1)
        module.essential_areas = [
            EssentialSkillArea(code="EDS_FOUNDATION", name="Foundation skills", position=1),
            EssentialSkillArea(code="EDS_SAFE_LEGAL", name="Being safe and legal online", position=6),
        ]
        learner = factories.make_learner(cohort=cohort, username="printable", display_name="Siân")
        learner.learner_profile.certificate_name = NAME
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        code = certificates.issue_module_certificate(enrolment, mentor=mentor).display_code
        db.session.commit()
        db.session.remove()
        return code


def test_an_employer_opens_the_certificate_as_a_page_to_print(page: Page, live_server: LiveServer) -> None:
    code = _issue_essential_skills_certificate(live_server)
    page.goto(f"/verify/{code}")
    expect_heading(page, "This certificate is valid")
    page.get_by_role("link", name="Open the certificate as a web page to print").click()

    expect(page).to_have_url(f"{live_server.url}/verify/{code}/printable")
    expect_heading(page, "Certificate of achievement")
    expect(page.get_by_text(NAME).first).to_be_visible()
    expect(page.get_by_role("heading", name="Essential digital skills")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Being safe and legal online")).to_be_visible()
    expect(page.get_by_role("img", name="QR code that opens this certificate’s check page")).to_be_visible()
    check_accessibility(page)

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check_accessibility(page)

    page.emulate_media(media="print")
    expect(page.locator("header.govuk-template__header")).to_be_hidden()
    expect(page.locator("footer")).to_be_hidden()
    expect(page.get_by_role("link", name="Back to the check page for this certificate")).to_be_hidden()
    expect(page.get_by_text(code, exact=True)).to_be_visible()
