"""Issue 10, items 6 to 9, in a real browser: adding a learner through "Check your answers", correcting a
learner's name, landing on the next module to review after a sign-off (with the to-do list on the first
screen at 1280 by 800), the establishment's name search and the confirm page before a mentor is removed.
Every new page passes axe.

Like test_mentor_journeys.py, these run their own live server on their own SQLite file, so what they
change cannot disturb the other browser tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from skillpath.extensions import db
from skillpath.models import SkillLevel
from tests import factories
from tests.browser.helpers import check_accessibility, expect_heading, sign_in
from tests.conftest import dispose_engines, make_test_app
from tests.integration._mentor_world import finish_module

PASSWORD = factories.PASSWORD


@dataclass(frozen=True)
class FlowWorld:
    url: str
    cohort_name: str
    cohort_path: str
    admin_cohort_path: str
    establishment_path: str
    record_path: str  # the learner whose name is corrected
    spare_mentor: str  # the mentor the administrator removes


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _create_world() -> dict[str, str]:
    skill = factories.make_skill(name="Technical understanding")
    job = factories.make_role_level(skills={skill: SkillLevel.AWARENESS}, name="Service desk analyst")
    printer = factories.make_module(title="Fix a printer", skills={skill: SkillLevel.AWARENESS})
    password = factories.make_module(title="Reset a password", skills={skill: SkillLevel.AWARENESS})
    establishment = factories.make_establishment(name="HMP Flowfield", code="FLW")
    cohort = factories.make_cohort(establishment=establishment, name="Digital skills – summer")
    factories.make_mentor(cohorts=[cohort], username="flow-mentor", display_name="Mo Mentor")
    spare = factories.make_mentor(cohorts=[cohort], username="flow-spare", display_name="Sam Spare")
    factories.make_mentor(
        establishment=establishment, is_establishment_lead=True, username="flow-head", display_name="Hal Head"
    )
    factories.make_admin(username="flow-admin", display_name="Ada Admin")
    first = factories.make_learner(cohort=cohort, display_name="Ann First", target_role_level=job)
    second = factories.make_learner(cohort=cohort, display_name="Bea Second", target_role_level=job)
    finish_module(first, printer, at=_ago(5))
    finish_module(second, password, at=_ago(3))
    corrected = factories.make_learner(cohort=cohort, display_name="Cal Mistyped", username="cal.mistyped")
    factories.make_learner(cohort=cohort, display_name="Nguyễn Thị Minh")
    db.session.flush()
    return {
        "cohort_name": cohort.name,
        "cohort_path": f"/mentor/cohorts/{cohort.public_id}",
        "admin_cohort_path": f"/admin/cohorts/{cohort.public_id}",
        "establishment_path": f"/dashboards/establishments/{establishment.public_id}",
        "record_path": f"/mentor/learners/{corrected.public_id}",
        "spare_mentor": spare.display_name,
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlowWorld]:
    app: Flask = make_test_app(f"sqlite:///{tmp_path_factory.mktemp('mentor-flows') / 'flows.sqlite'}")
    with app.app_context():
        upgrade()
        paths = _create_world()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="mentor-flows-server", daemon=True)
    thread.start()
    try:
        yield FlowWorld(url=f"http://127.0.0.1:{server.server_port}", **paths)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            dispose_engines()


def _sign_in(page: Page, world: FlowWorld, username: str = "flow-mentor") -> None:
    sign_in(page, world.url, username, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _fits_at_320_px(page: Page, part: str | None = None) -> None:
    """Nothing scrolls sideways on a 320 px wide screen (WCAG 1.4.10): the page, or only `part` of it where
    the rest is not this test's to check. The viewport is put back after."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    if part is None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
    else:
        box = page.locator(part).bounding_box()
        assert box is not None, f"{part} is not shown"
        width = box["x"] + box["width"]
    assert width <= 321, f"{part or 'the page'} at {page.url} is {width} px wide at 320 px"
    if size is not None:
        page.set_viewport_size(size)


def test_a_mentor_adds_a_learner_after_checking_the_answers(page: Page, world: FlowWorld) -> None:
    _sign_in(page, world)
    page.goto(world.url + world.cohort_path)
    page.get_by_role("button", name="Add a learner").click()
    expect_heading(page, "Add a learner")
    page.get_by_label("Name the learner wants to be called").fill("Ola Okafor")
    page.get_by_label("Username").fill("ookafor")
    page.get_by_label("Prison number (optional)").fill("a4321bc")
    page.get_by_role("button", name="Continue").click()

    expect_heading(page, "Check your answers")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Ola Okafor")
    expect(summary).to_contain_text("A4321BC")
    check_accessibility(page)
    _fits_at_320_px(page)

    # Change goes back to the form as it was typed, then back to the check page.
    page.get_by_role("link", name="Change username").click()
    expect_heading(page, "Add a learner")
    expect(page.get_by_label("Name the learner wants to be called")).to_have_value("Ola Okafor")
    expect(page.get_by_label("Username")).to_have_value("ookafor")
    page.get_by_label("Username").fill("ola.okafor")
    page.get_by_role("button", name="Continue").click()
    expect_heading(page, "Check your answers")
    expect(summary).to_contain_text("ola.okafor")

    page.get_by_role("button", name="Add learner").click()
    expect_heading(page, "Activation code for Ola Okafor")
    expect(page.locator(".govuk-panel")).to_be_visible()
    check_accessibility(page)


def test_a_mentor_corrects_a_learners_name(page: Page, world: FlowWorld) -> None:
    _sign_in(page, world)
    page.goto(world.url + world.record_path)
    expect_heading(page, "Cal Mistyped")
    page.get_by_role("link", name="Change name").click()

    expect_heading(page, "Change the learner’s details")
    expect(page.get_by_label("Name the learner wants to be called")).to_have_value("Cal Mistyped")
    check_accessibility(page)
    _fits_at_320_px(page)

    page.get_by_label("Name the learner wants to be called").fill("")
    page.get_by_role("button", name="Save changes").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter the learner's name")
    check_accessibility(page)

    page.get_by_label("Name the learner wants to be called").fill("Cal Corrected")
    page.get_by_role("button", name="Save changes").click()
    expect_heading(page, "Cal Corrected")
    banner = page.get_by_role("alert", name="Success")
    expect(banner).to_contain_text("Details saved: name changed.")
    expect(banner).to_be_in_viewport()
    check_accessibility(page)


def test_a_sign_off_lands_on_the_next_module_to_review(new_context, world: FlowWorld) -> None:
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    _sign_in(page, world)
    page.goto(world.url + "/mentor/")
    expect_heading(page, "My cohorts")
    # The to-do list is on the first screen, above the cohort's figures.
    expect(page.get_by_role("heading", name="To do")).to_be_in_viewport()
    first_review = page.get_by_role("link", name="Review Fix a printer")
    expect(first_review).to_be_in_viewport()
    figures = page.locator(".sp-key-figures").first.bounding_box()
    to_do = page.get_by_role("heading", name="To do").bounding_box()
    assert figures is not None and to_do is not None and to_do["y"] < figures["y"]
    check_accessibility(page)

    first_review.click()
    expect_heading(page, "Fix a printer")
    page.get_by_role("button", name="Sign off this module").click()

    # The next module waiting, with the banner for the one just signed off.
    expect_heading(page, "Reset a password")
    banner = page.get_by_role("alert", name="Success")
    expect(banner).to_contain_text("Fix a printer is signed off.")
    expect(banner).to_contain_text("Here is the next module to review.")
    expect(banner).to_be_in_viewport()
    check_accessibility(page)

    page.get_by_label("Feedback for the learner").fill("Add a photo of the reset screen, please.")
    page.get_by_role("button", name="Return with feedback").click()
    expect_heading(page, "My cohorts")
    banner = page.get_by_role("alert", name="Success")
    expect(banner).to_contain_text("Nothing else to review.")
    expect(page.get_by_text("No modules are waiting for you to sign them off.")).to_be_visible()
    check_accessibility(page)

    # A headline figure leads to the learners behind it.
    page.get_by_role("link", name="learners", exact=False).first.click()
    expect_heading(page, world.cohort_name)


def test_a_head_of_education_finds_a_learner_by_name_without_accents(page: Page, world: FlowWorld) -> None:
    _sign_in(page, world, "flow-head")
    page.goto(world.url + world.establishment_path)
    page.get_by_label("Name contains").fill("nguyen")
    page.get_by_role("button", name="Apply filters").click()
    found = page.locator("#table-learners-found")
    expect(found).to_contain_text("Nguyễn Thị Minh")
    expect(found).to_contain_text(world.cohort_name)
    check_accessibility(page)
    # The charts below are drawn for the width the page had when it loaded, so only the new table is measured.
    _fits_at_320_px(page, ".sp-table-scroll:has(#table-learners-found)")
    found.get_by_role("link", name="Nguyễn Thị Minh").click()
    expect_heading(page, "Nguyễn Thị Minh")


def test_removing_a_mentor_asks_first(page: Page, world: FlowWorld) -> None:
    _sign_in(page, world, "flow-admin")
    page.goto(world.url + world.admin_cohort_path)
    page.get_by_role("link", name=f"Remove {world.spare_mentor} from this cohort").click()

    expect_heading(page, f"Are you sure you want to remove {world.spare_mentor} from this cohort?")
    check_accessibility(page)
    _fits_at_320_px(page)
    page.get_by_role("link", name="Cancel").click()
    expect_heading(page, world.cohort_name)
    expect(page.locator("main")).to_contain_text(world.spare_mentor)

    page.get_by_role("link", name=f"Remove {world.spare_mentor} from this cohort").click()
    page.get_by_role("button", name="Remove mentor").click()
    expect_heading(page, world.cohort_name)
    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"{world.spare_mentor} no longer mentors")
    expect(page.get_by_role("link", name=f"Remove {world.spare_mentor} from this cohort")).to_have_count(0)
    check_accessibility(page)
