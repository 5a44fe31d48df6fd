"""Confidence questions in plain words, and My data's download to share, in a real browser (issue #10, items 4, 5).

An empty confidence form shows one error summary naming each question in a few words; its links lead to the
question. My data says what each file holds, and the file to share carries no custody detail.

Each test has its own learner on the shared live server, so nothing here changes what the other tests see.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, EmployabilitySkill, User
from skillpath.services.audit.audit import record_event
from skillpath.services.plans import goals
from skillpath.services.progress.self_assessment import work_skill_question
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading, sign_in

PRISON_NUMBER = "B4410XK"
RELEASE_DATE = date(2027, 5, 14)


def _learner(live_server: LiveServer, username: str, display_name: str) -> None:
    """A learner in the mentor's cohort, with a goal of their own and a mentor who has read their record."""
    with live_server.app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        assert cohort and mentor
        learner = factories.make_learner(
            cohort=cohort,
            username=username,
            display_name=display_name,
            prison_number=PRISON_NUMBER,
            release_date=RELEASE_DATE,
        )
        goals.create_goal(
            learner, title="Open a bank account", target_date=None, steps=["Ask for a form"], actor=learner
        )
        record_event("learner.record.viewed", actor=mentor, subject=learner, page="summary")
        db.session.commit()


def _signed_in(new_context: Callable[..., BrowserContext], live_server: LiveServer, username: str) -> Page:
    page = new_context().new_page()
    sign_in(page, live_server.url, username, factories.PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def _scrolls_sideways(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth"))


def test_an_empty_confidence_form_names_each_question_once_and_leads_to_it(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    _learner(live_server, "browser-confident", "Cleo Confident")
    page = _signed_in(new_context, live_server, "browser-confident")
    page.goto(f"{live_server.url}/learner/confidence/work-skills")
    expect_heading(page, "Skills for work")
    expect(page.get_by_role("group", name="Coping with change: can you carry on when plans change?")).to_be_visible()

    page.get_by_role("button", name="Save my answers").click()  # nothing chosen
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Answer every question, then save. These 10 questions still need an answer:")
    names = [work_skill_question(code).short_name for code in EmployabilitySkill]
    expect(summary.get_by_role("link")).to_have_text(names)
    check_accessibility(page)

    summary.get_by_role("link", name="Coping with change").click()
    expect(page.locator("#work_adaptability")).to_be_focused()

    page.set_viewport_size({"width": 320, "height": 640})
    assert not _scrolls_sideways(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    for name in names:
        page.get_by_role("group", name=name).get_by_label("Quite confident").check()
    page.get_by_role("button", name="Save my answers").click()
    expect_heading(page, "How confident I feel")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your answers have been saved.")
    row = page.get_by_role("row").filter(has_text="Coping with change")
    expect(row).to_contain_text("Quite confident")
    check_accessibility(page)


def test_my_data_says_what_each_file_holds_and_the_file_to_share_has_no_custody_detail(
    new_context: Callable[..., BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    _learner(live_server, "browser-sharer", "Sasha Sharer")
    page = _signed_in(new_context, live_server, "browser-sharer")
    page.goto(f"{live_server.url}/learner/my-data")
    expect_heading(page, "My data")
    email = page.locator(".govuk-summary-list__row").filter(has_text="Email address")
    expect(email.locator("dd")).to_have_text("Not given")
    expect(page.locator("#to-share-leaves-out")).to_contain_text("your prison number or your release date")
    check_accessibility(page)

    with page.expect_download() as shared:
        page.get_by_role("button", name="Download my data to share").click()
    assert shared.value.suggested_filename == "skillpath-my-data-to-share.json"
    text = Path(shared.value.path()).read_text(encoding="utf-8")
    for detail in (
        PRISON_NUMBER,
        RELEASE_DATE.isoformat(),
        live_server.establishment_name,
        "TBK",
        live_server.cohort_name,
        live_server.mentor.display_name,
        live_server.mentor.username,
        "browser-sharer",
    ):
        assert detail not in text, detail
    document = json.loads(text)
    assert document["profile"]["name"] == "Sasha Sharer"
    assert document["goals"][0]["title"] == "Open a bank account"

    with page.expect_download() as full:
        page.get_by_role("button", name="Download all my data").click()
    everything = json.loads(Path(full.value.path()).read_text(encoding="utf-8"))
    assert everything["profile"]["prison_number"] == PRISON_NUMBER
    assert everything["groups"][0]["establishment"] == live_server.establishment_name

    page.reload()
    activity = page.locator("#your-activity ~ table").first
    expect(activity).to_contain_text("Downloaded your data to share")
