"""A learner builds a CV from their home page, in Vietnamese and Polish as well as English, adds and removes
entries, writes about a module in their own words, downloads the PDF and the Word document, and finishes it,
ticking "CV and covering letter" off their checklist. A second journey does it all without JavaScript.

Both files are opened: they hold the checked skills and the certificate code, and no establishment name,
prison number, release date, cohort or mentor. Every new page is checked with axe and for sideways scrolling
at 320 px. Set SKILLPATH_SCREENSHOTS to a folder to save the README's screenshot of the CV page.
"""

from __future__ import annotations

import io
import os
import unicodedata
from datetime import date
from pathlib import Path

import docx
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import format_date
from skillpath.models import BarrierItem, BarrierStatus, Certificate, Cohort, RoleLevel, Skill, SkillLevel, User
from skillpath.models.work_readiness import Barrier
from skillpath.services.certificates import certificates
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

NAME = "Nguyễn Thị Minh"
STATEMENT = "Cierpliwa i dokładna. I like to find out why a computer has stopped working, then fix it."
MODULE = "Set up a new phone"
PRISON_NUMBER = "B7654CD"
RELEASE = date(2027, 5, 9)


def _learner_with_certificate(live_server: LiveServer, username: str, module_code: str) -> tuple[str, str]:
    """A learner of the mentor's cohort working towards the job, with one module signed off and its certificate."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
    mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
    skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
    job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
    assert cohort is not None and mentor is not None and skill is not None and job is not None
    learner = factories.make_learner(
        cohort=cohort,
        username=username,
        display_name="Minh",
        prison_number=PRISON_NUMBER,
        release_date=RELEASE,
        target_role_level=job,
    )
    module = factories.make_module(
        code=module_code,
        title=MODULE,
        summary="Set up a smartphone for someone: their accounts, updates, a screen lock and backups.",
        units=1,
        skills={skill: SkillLevel.WORKING},
    )
    enrolment = progress.enrol(learner, module, actor=learner)
    progress.sign_off(enrolment, mentor=mentor)
    certificate: Certificate = certificates.issue_module_certificate(enrolment, mentor=mentor)
    code = certificate.display_code
    db.session.commit()
    db.session.remove()
    return username, code


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


def _download(page: Page, link: str, folder: Path) -> bytes:
    with page.expect_download() as download_info:
        page.get_by_role("link", name=link).click()
    download = download_info.value
    saved = folder / download.suggested_filename
    download.save_as(saved)
    return saved.read_bytes()


def _custody(live_server: LiveServer) -> list[str]:
    return [
        live_server.establishment_name,
        PRISON_NUMBER,
        format_date(RELEASE),
        RELEASE.isoformat(),
        RELEASE.strftime("%d/%m/%Y"),
        live_server.cohort_name,
        live_server.mentor.display_name,
    ]


def _add(page: Page, button: str, fields: dict[str, str]) -> None:
    page.get_by_role("button", name=button).click()  # a link that looks like a button, as GOV.UK marks it
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()


def test_a_learner_builds_a_cv_downloads_it_as_pdf_and_word_and_finishes_it(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        username, code = _learner_with_certificate(live_server, "cv-minh", "CVJ-01")

    sign_in(page, live_server.url, username, factories.PASSWORD)
    page.get_by_role("link", name="Build my CV").click()
    expect_heading(page, "My CV")
    expect(page.locator("#skills .govuk-summary-list")).to_contain_text("Technical understanding")
    expect(page.locator("#training .govuk-summary-list")).to_contain_text(code)
    _check_page(page)

    # About you, with text that is too long first: it is refused and nothing typed is lost.
    page.get_by_role("link", name="Change your name").click()
    expect_heading(page, "About you")
    _check_page(page)
    page.get_by_label("Your name").fill(NAME)
    too_long = "I am reliable. " * 110
    page.get_by_label("About me (optional)").fill(too_long)
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("About me must be 1,500 characters or fewer")
    expect(page.get_by_label("About me (optional)")).to_have_value(too_long.strip())
    expect(page.get_by_label("Your name")).to_have_value(NAME)
    _check_page(page)
    page.get_by_label("About me (optional)").fill(STATEMENT)
    page.get_by_label("How an employer can contact you (optional)").fill("07700 900123\nminh@example.org")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Your details have been saved")

    # Entries the learner adds: a job, a course and two interests, one of them removed again.
    _add(page, "Add a job", {"Job title": "Kierowca wózka widłowego", "When (optional)": "2 years"})
    expect(page.locator("#work-history .govuk-summary-list")).to_contain_text("Kierowca wózka widłowego")
    page.get_by_role("link", name="Change Kierowca wózka widłowego").click()
    expect_heading(page, "Change this job")
    expect(page.get_by_label("When (optional)", exact=True)).to_have_value("2 years")
    _check_page(page)
    page.get_by_role("link", name="Back to my CV").click()
    page.get_by_role("button", name="Add another job").click()
    expect_heading(page, "Add a job")
    _check_page(page)
    page.get_by_role("link", name="Back to my CV").click()
    _add(page, "Add a course or qualification", {"Course or qualification": "Level 1 English"})
    _add(page, "Add an interest", {"Interest": "Football"})
    _add(page, "Add another interest", {"Interest": "Chess"})
    page.get_by_role("link", name="Remove Chess").click()
    expect_heading(page, "Remove “Chess” from your CV?")
    _check_page(page)
    page.get_by_role("button", name="Remove it").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("“Chess” has been removed from your CV")
    expect(page.locator("#interests .govuk-summary-list")).not_to_contain_text("Chess")

    # A completed module in the learner's own words.
    page.get_by_role("link", name=f"Add your words about {MODULE}").click()
    expect_heading(page, MODULE)
    _check_page(page)
    page.get_by_label("In your own words (optional)").fill("I set up phones for three people and showed them how.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#training .govuk-summary-list")).to_contain_text("I set up phones for three people")
    expect(page.locator(".govuk-warning-text")).to_have_count(0)  # nothing of custody written
    _check_page(page)
    page.goto(f"{live_server.url}/learner/cv")  # without the banner, for the README
    _screenshot(page, "learner-cv.png")

    # The downloads: the checked skills, the certificate code, and nothing of custody.
    pdf = _download(page, "Download as a PDF", tmp_path)
    if folder := os.environ.get("SKILLPATH_SCREENSHOTS"):
        (Path(folder) / "learner-cv.pdf").write_bytes(pdf)  # for a picture of the PDF beside the page's
    word = _download(page, "Download as a Word document", tmp_path)
    pdf_text = unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    word_text = "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(word)).paragraphs)
    for text in (pdf_text, word_text):
        for expected in (NAME, "Technical understanding: Working level", MODULE, code, "Kierowca wózka widłowego"):
            assert expected in text, expected
        for custody in _custody(live_server):
            assert custody not in text, custody

    # Finished: the learner ticks "CV and covering letter" off their checklist.
    page.get_by_role("button", name="I have finished my CV").click()
    expect_heading(page, "Finish my CV")
    _check_page(page)
    page.get_by_role("button", name="Finish my CV").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose yes if you want to mark")
    _check_page(page)
    page.get_by_label("Yes, mark it as done").check()
    page.get_by_role("button", name="Finish my CV").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("‘CV and covering letter’ is now marked as done")
    with live_server.app.app_context():
        learner = db.session.scalar(select(User).where(User.username == username))
        item = db.session.scalar(
            select(BarrierItem).where(
                BarrierItem.learner_id == learner.id, BarrierItem.barrier == Barrier.CV_AND_COVERING_LETTER
            )
        )
        assert item is not None and item.status == BarrierStatus.COMPLETED
        db.session.remove()


def test_without_javascript_a_learner_adds_and_removes_a_job_and_downloads_the_word_document(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        username, code = _learner_with_certificate(live_server, "cv-lukasz", "CVJ-02")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, accept_downloads=True)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, username, factories.PASSWORD)
        page.goto("/learner/cv")
        page.get_by_role("link", name="Change your name").click()
        page.get_by_label("Your name").fill("Łukasz Żółć")
        page.get_by_role("button", name="Save").click()
        _add(page, "Add a job", {"Job title": "Magazynier", "Employer (optional)": "Hurtownia Łódź"})
        _add(page, "Add another job", {"Job title": "Sprzątacz"})
        page.get_by_role("link", name="Remove Sprzątacz").click()
        page.get_by_role("button", name="Remove it").click()
        expect(page.locator("#work-history .govuk-summary-list")).not_to_contain_text("Sprzątacz")
        word = _download(page, "Download as a Word document", tmp_path)
        text = "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(word)).paragraphs)
        assert "Łukasz Żółć" in text and "Hurtownia Łódź" in text and code in text and "Sprzątacz" not in text
    finally:
        context.close()
