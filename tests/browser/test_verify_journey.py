"""An employer checks a certificate from its QR code, a mentor withdraws it, and the employer sees that at once.

The QR code is read from the PDF the learner downloads (rasterised with
pdftoppm, decoded with zbarimg), so the test follows what a phone camera would.
Every page is checked with axe. Set SKILLPATH_SCREENSHOTS to a folder to save
the README's screenshots of the verification page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import format_date
from skillpath.models import Cohort, Skill, SkillLevel, User
from skillpath.models._types import utcnow
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in
from tests.conftest import sign_in as sign_in_test_client

NAME = "Nguyễn Thị Minh"


@dataclass(frozen=True)
class IssuedCertificate:
    code: str
    public_id: str
    learner_public_id: str
    username: str


def _issue(live_server: LiveServer, *, username: str, name: str, module_code: str, title: str) -> IssuedCertificate:
    """A learner in the mentor's cohort whose module the mentor has signed off, with its certificate, committed."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
        assert cohort is not None and mentor is not None and skill is not None
        module = factories.make_module(
            code=module_code,
            title=title,
            summary="Find out why something has stopped working, fix the common causes, and explain the fix.",
            units=1,
            skills={skill: SkillLevel.AWARENESS},
        )
        learner = factories.make_learner(cohort=cohort, username=username, display_name=name.split()[0])
        learner.learner_profile.certificate_name = name
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        certificate = certificates.issue_module_certificate(enrolment, mentor=mentor)
        db.session.commit()
        issued = IssuedCertificate(
            certificate.display_code, str(certificate.public_id), str(learner.public_id), learner.username
        )
        db.session.remove()
        return issued


@pytest.fixture(scope="module", autouse=True)
def public_base_url(live_server: LiveServer) -> Iterator[None]:
    """QR codes and links point at the live server, as they point at the real address in production."""
    previous = live_server.app.config["PUBLIC_BASE_URL"]
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    yield
    live_server.app.config["PUBLIC_BASE_URL"] = previous


def _pdf(live_server: LiveServer, issued: IssuedCertificate) -> bytes:
    with live_server.app.app_context():
        learner = db.session.scalar(select(User).where(User.username == issued.username))
        client = sign_in_test_client(live_server.app.test_client(), learner)
        db.session.commit()  # the live server's requests see only committed sign-ins
        db.session.remove()
    pdf = client.get(f"/learner/certificates/{issued.public_id}/pdf").data
    assert pdf.startswith(b"%PDF")
    return pdf


def _scan(pdf: bytes, folder: Path) -> str:
    """What a phone would read from the printed QR code."""
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.skip("zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed to scan the QR code")
    (folder / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(folder / "certificate.pdf"), str(folder / "page")], check=True)
    image = next(folder.glob("page*.png"))
    scanned = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True)
    return scanned.stdout.strip()


def _screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("SKILLPATH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True, animations="disabled")


def test_an_employer_scans_the_qr_code_and_sees_valid_then_withdrawn_after_a_mentor_withdraws_it(
    page: Page, live_server: LiveServer, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    issued = _issue(live_server, username="minh", name=NAME, module_code="VER-01", title="Fix a printer problem")
    url = _scan(_pdf(live_server, issued), tmp_path)
    assert url == f"{live_server.url}/verify/{issued.code}"

    # The employer, on their phone, with no account.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    expect_heading(page, "This certificate is valid")
    expect(page.get_by_text(NAME)).to_be_visible()
    expect(page.get_by_text("Fix a printer problem")).to_be_visible()
    expect(page.get_by_text(issued.code, exact=True)).to_be_visible()
    check_accessibility(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    _screenshot(page, "verify-valid.png")

    # A mentor withdraws it, in their own browser.
    mentor = new_context().new_page()
    sign_in(mentor, live_server.url, live_server.mentor.username, live_server.mentor.password)
    mentor.goto(f"/mentor/learners/{issued.learner_public_id}/certificates")
    expect_heading(mentor, "Certificates")
    check_accessibility(mentor)
    mentor.get_by_role("link", name="Withdraw").click()
    expect_heading(mentor, "Withdraw a certificate")
    check_accessibility(mentor)
    mentor.get_by_role("button", name="Withdraw certificate").click()
    expect(mentor.locator(".govuk-error-summary")).to_contain_text("Enter why you are withdrawing the certificate")
    check_accessibility(mentor)
    mentor.get_by_label("Why are you withdrawing this certificate?").fill("Signed off by mistake: evidence missing")
    mentor.get_by_role("button", name="Withdraw certificate").click()
    expect(mentor.get_by_role("alert", name="Success")).to_contain_text("has been withdrawn")

    # The employer looks again: withdrawn, with the date and without the reason.
    page.reload()
    expect_heading(page, "This certificate has been withdrawn")
    expect(page.get_by_text(f"This certificate was withdrawn on {format_date(utcnow())}")).to_be_visible()
    expect(page.get_by_text("evidence missing")).to_have_count(0)
    check_accessibility(page)
    _screenshot(page, "verify-revoked.png")


def test_an_employer_types_the_code_loosely_and_a_wrong_code_is_caught(page: Page, live_server: LiveServer) -> None:
    issued = _issue(live_server, username="lukasz", name="Łukasz Żółć", module_code="VER-02", title="Set up a laptop")
    page.goto("/verify")
    expect_heading(page, "Check a certificate")
    check_accessibility(page)
    wrong = issued.code[:-1] + ("A" if issued.code[-1] != "A" else "B")
    page.get_by_label("Certificate code").fill(wrong)
    page.get_by_role("button", name="Check certificate").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code has a typing mistake")
    expect(summary).to_be_focused()
    check_accessibility(page)

    page.get_by_label("Certificate code").fill(issued.code.lower().replace("-", " "))
    page.get_by_role("button", name="Check certificate").click()
    expect(page).to_have_url(f"{live_server.url}/verify/{issued.code}")
    expect_heading(page, "This certificate is valid")
    expect(page.get_by_text("Łukasz Żółć")).to_be_visible()


def test_a_learner_finds_their_certificate_shares_its_qr_code_and_hides_it(
    page: Page, live_server: LiveServer, new_context: Callable[..., BrowserContext], browser_errors: list[str]
) -> None:
    issued = _issue(
        live_server, username="siobhan", name="Siobhán Ní Bhriain", module_code="VER-03", title="Reset a password"
    )
    sign_in(page, live_server.url, issued.username, factories.PASSWORD)
    page.get_by_role("link", name="Certificates", exact=True).first.click()
    expect_heading(page, "My certificates")
    check_accessibility(page)
    page.get_by_role("link", name="Reset a password").click()
    expect_heading(page, "Reset a password")
    expect(page.get_by_role("img", name="QR code for this certificate’s check page")).to_be_visible()
    expect(page.get_by_text(issued.code).first).to_be_visible()
    check_accessibility(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the certificate (PDF)").click()
    assert download_info.value.suggested_filename == f"skillpath-certificate-{issued.code}.pdf"

    page.get_by_role("button", name="Hide it from employers").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("can no longer check")
    check_accessibility(page)

    employer = new_context().new_page()
    employer.goto(f"/verify/{issued.code}")
    expect_heading(employer, "We could not find that certificate")
    check_accessibility(employer)
    # The page is a 404 on purpose (as for any unknown code); Chromium logs that as a console error.
    expected = [error for error in browser_errors if "404" in error and f"/verify/{issued.code}" in error]
    assert len(expected) == 1, browser_errors
    browser_errors.remove(expected[0])

    page.get_by_role("button", name="Let employers check it again").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("can check this certificate again")
    employer.reload()
    expect_heading(employer, "This certificate is valid")
