"""A learner writes a disclosure statement without saving it, checks it and downloads it as text and as Word;
then nothing of it is in the database, the logs or the staff pages. They mark their disclosure letter done, and
save and delete a private draft. Every new page passes axe; the statement can be written without JavaScript.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from docx import Document
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierItem, BarrierStatus, Cohort, DisclosureDraft, RoleLevel, User
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

WHO = "Ich bin Wiktoria Quokkastraße, ruhig und zuverlässig."
WHAT = "Skazano mnie w Łodzi za kradzież.\nBardzo tego żałuję."
CHANGED = "Tôi đã học lập trình. تعلمت البرمجة في السجن"
WHY = "I fixed 40 laptops for the Quokkastraße library."
MARKERS = ("Quokkastraße", "Skazano mnie w Łodzi", "Tôi đã học lập trình", "تعلمت البرمجة")


def _learner(live_server: LiveServer, username: str) -> int:
    """A learner of the mentor's cohort, working towards the one job; returns their id."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        job = db.session.scalar(select(RoleLevel).where(RoleLevel.plain_title == live_server.job_title))
        learner = factories.make_learner(cohort=cohort, username=username, display_name="Wiki", target_role_level=job)
        learner_id = learner.id
        db.session.commit()
        db.session.remove()
    return learner_id


def _found_in_database(live_server: LiveServer) -> list[str]:
    """Every row of every table of the live server's database, searched for the statement's words."""
    with live_server.app.app_context():
        connection = db.session.connection()
        metadata = sa.MetaData()
        metadata.reflect(bind=connection)
        found = [
            f"{table.name}: {marker}"
            for table in metadata.sorted_tables
            for row in connection.execute(sa.select(table))
            for marker in MARKERS
            if marker in json.dumps([str(value) for value in row], ensure_ascii=False)
        ]
        db.session.remove()
    return found


def _fill(page: Page) -> None:
    page.get_by_label("Who I am").fill(WHO)
    page.get_by_label("What happened").fill(WHAT)
    page.get_by_label("What has changed since").fill(CHANGED)
    page.get_by_label("Why I am right for this job").fill(WHY)


def test_a_learner_writes_and_downloads_a_statement_and_nothing_of_it_is_kept(
    page: Page,
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    learner_id = _learner(live_server, "browser-discloser")
    sign_in(page, live_server.url, "browser-discloser", factories.PASSWORD)

    page.get_by_role("link", name="Write a disclosure statement").click()
    expect_heading(page, "Your disclosure statement")
    expect(page.get_by_role("heading", name="What SkillPath keeps")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="When you need to tell an employer about a conviction").click()
    expect_heading(page, "When you need to tell an employer about a conviction")
    check_accessibility(page)
    page.get_by_role("button", name="Write my statement").click()

    expect_heading(page, "Write your disclosure statement")
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()  # nothing written
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write at least one part of your statement")
    check_accessibility(page)
    _fill(page)
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Check and download your statement")
    expect(page.get_by_text(CHANGED)).to_be_visible()
    check_accessibility(page)
    with page.expect_download() as text_download:
        page.get_by_role("button", name="Download as a text file").click()
    assert text_download.value.suggested_filename == "disclosure-statement.txt"
    text_download.value.save_as(tmp_path / "statement.txt")
    text = (tmp_path / "statement.txt").read_text(encoding="utf-8")
    assert all(part in text for part in (WHO, WHAT, CHANGED, WHY))
    with page.expect_download() as word_download:
        page.get_by_role("button", name="Download as a Word document").click()
    assert word_download.value.suggested_filename == "disclosure-statement.docx"
    word_download.value.save_as(tmp_path / "statement.docx")
    document = Document(io.BytesIO((tmp_path / "statement.docx").read_bytes()))
    assert CHANGED in [paragraph.text for paragraph in document.paragraphs]
    expect_heading(page, "Check and download your statement")  # a download leaves the page as it was

    # Nothing of it anywhere: the database, every log line, the learner's record as staff see it.
    assert _found_in_database(live_server) == []
    assert any(record.name == "skillpath.requests" for record in caplog.records), "the server's lines are captured"
    assert [r.getMessage() for r in caplog.records if any(m in r.getMessage() for m in MARKERS)] == []
    with live_server.app.app_context():
        learner = db.session.get(User, learner_id)
        record = f"/mentor/learners/{learner.public_id}"
        db.session.remove()
    mentor = new_context().new_page()
    sign_in(mentor, live_server.url, live_server.mentor.username, live_server.mentor.password)
    for path in (record, f"{record}/timeline", f"{record}/barriers"):
        mentor.goto(f"{live_server.url}{path}")
        content = mentor.content()
        assert [marker for marker in MARKERS if marker in content] == [], path

    # Finishing offers to tick the disclosure letter off.
    page.get_by_role("link", name="I have finished my statement").click()
    expect_heading(page, "Mark your disclosure letter as done")
    check_accessibility(page)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select yes if your disclosure letter is ready")
    check_accessibility(page)
    page.get_by_label("Yes, mark it as done").check()
    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Your disclosure statement")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your disclosure letter is marked as done.")
    check_accessibility(page)
    with live_server.app.app_context():
        item = db.session.scalar(
            select(BarrierItem).where(
                BarrierItem.learner_id == learner_id, BarrierItem.barrier == Barrier.DISCLOSURE_LETTER
            )
        )
        assert (item.status, item.updated_by_id) == (BarrierStatus.COMPLETED, learner_id)
        db.session.remove()


def test_a_learner_saves_a_private_draft_opens_it_again_and_deletes_it(page: Page, live_server: LiveServer) -> None:
    learner_id = _learner(live_server, "browser-drafter")
    sign_in(page, live_server.url, "browser-drafter", factories.PASSWORD)
    page.goto(f"{live_server.url}/learner/disclosure-statement/write")
    page.get_by_label("What happened").fill(WHAT)
    page.get_by_role("button", name="Save a draft").click()

    expect_heading(page, "Write your disclosure statement")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your draft is saved. Only you can read it.")
    expect(page.get_by_label("What happened")).to_have_value(WHAT)
    check_accessibility(page)
    with live_server.app.app_context():
        draft = db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner_id))
        assert draft is not None and not [marker for marker in MARKERS if marker in draft.ciphertext]
        db.session.remove()

    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("heading", name="Your saved draft")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Delete my draft").click()
    expect_heading(page, "Delete your saved draft?")
    check_accessibility(page)
    page.get_by_role("button", name="Delete my draft").click()
    expect_heading(page, "Your disclosure statement")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your saved draft has been deleted.")
    with live_server.app.app_context():
        assert db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner_id)) is None
        db.session.remove()


def test_the_statement_is_written_and_downloaded_without_javascript(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    _learner(live_server, "browser-nojs-discloser")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server.url, "browser-nojs-discloser", factories.PASSWORD)
        page.goto(f"{live_server.url}/learner/disclosure-statement/write")
        expect(page.get_by_text("You can enter up to 2000 characters").first).to_be_visible()
        _fill(page)
        page.get_by_role("button", name="Continue").click()
        expect_heading(page, "Check and download your statement")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download as a text file").click()
        download.value.save_as(tmp_path / "statement.txt")
        assert WHAT in (tmp_path / "statement.txt").read_text(encoding="utf-8")
        page.get_by_role("button", name="Change my statement").click()
        expect(page.get_by_label("What has changed since")).to_have_value(CHANGED)
    finally:
        context.close()
