"""Mentor journeys in a real browser: signing a module off moves the learner's band on the dashboard,
the charts are drawn (non-empty SVG) beside tables with the same numbers, every mentor page passes axe,
and the pages work with JavaScript off.

These tests run their own live server on their own SQLite file, with a cohort made for them, so the
sign-off they make cannot disturb the other browser tests (and theirs cannot disturb these).
"""

from __future__ import annotations

import re
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
from skillpath.models import Barrier, RoleLevel, SkillLevel, User, WorkReadiness
from skillpath.services.readiness import work_status
from tests import factories
from tests.browser.helpers import check_accessibility, expect_heading, sign_in
from tests.conftest import dispose_engines, make_test_app
from tests.integration._mentor_world import finish_module, resolve_barriers, sign_off_module

PASSWORD = factories.PASSWORD


@dataclass(frozen=True)
class MentorWorld:
    url: str
    cohort_path: str
    establishment_path: str
    signoff_learner: str  # building skills; one module waits for sign-off that makes them nearly ready
    signoff_module: str
    feedback_learner: str  # a module waits for sign-off; used to return one with feedback
    feedback_module: str
    record_path: str  # a learner whose record pages are checked
    move_path: str  # a learner the head of education moves to another cohort


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _create_world() -> dict[str, str]:
    skill = factories.make_skill(name="Technical understanding")
    other = factories.make_skill(name="Customer service")
    job = factories.make_role_level(skills={skill: SkillLevel.AWARENESS}, name="Service desk analyst")
    two_skills = factories.make_role_level(
        skills={skill: SkillLevel.AWARENESS, other: SkillLevel.WORKING}, name="IT support technician"
    )
    basics = factories.make_module(title="Using a computer safely", skills={skill: SkillLevel.AWARENESS})
    talking = factories.make_module(title="Helping customers", skills={other: SkillLevel.WORKING})
    establishment = factories.make_establishment(name="HMP Journeyford", code="JNY")
    cohort = factories.make_cohort(establishment=establishment, name="Digital skills – spring")
    factories.make_cohort(establishment=establishment, name="Evening class")
    mentor = factories.make_mentor(cohorts=[cohort], username="journey-mentor", display_name="Mia Mentor")
    factories.make_mentor(
        establishment=establishment, is_establishment_lead=True, username="journey-head", display_name="Hal Head"
    )
    factories.make_admin(username="journey-admin", display_name="Ada Admin")

    def learner(name: str, target: RoleLevel | None = job, quiet_days: int = 1) -> User:
        made = factories.make_learner(cohort=cohort, display_name=name, target_role_level=target, created_at=_ago(120))
        made.learner_profile.last_activity_at = _ago(quiet_days)
        return made

    signoff = learner("Sam Signoff")
    finish_module(signoff, basics, at=_ago(2))
    resolve_barriers(signoff, mentor, 1, at=_ago(30))

    ready = learner("Rita Ready")
    sign_off_module(ready, basics, mentor, at=_ago(50))
    resolve_barriers(ready, mentor, len(Barrier), at=_ago(40))
    work_status.record_status(ready, WorkReadiness.READY_TO_WORK, decline_reason=None, by=mentor, at=_ago(35))

    wes = learner("Wes Waiting", target=two_skills)
    sign_off_module(wes, basics, mentor, at=_ago(70))
    finish_module(wes, talking, at=_ago(4))
    resolve_barriers(wes, mentor, 4, at=_ago(60))
    wes.learner_profile.release_date = (datetime.now(UTC) + timedelta(days=40)).date()

    quiet = learner("Quinn Quiet", target=two_skills, quiet_days=30)
    resolve_barriers(quiet, mentor, 2, at=_ago(90))
    new = learner("Nia New", target=None)
    db.session.flush()
    return {
        "cohort_path": f"/mentor/cohorts/{cohort.public_id}",
        "establishment_path": f"/dashboards/establishments/{establishment.public_id}",
        "signoff_learner": "Sam Signoff",
        "signoff_module": basics.title,
        "feedback_learner": "Wes Waiting",
        "feedback_module": talking.title,
        "record_path": f"/mentor/learners/{quiet.public_id}",
        "move_path": f"/mentor/learners/{new.public_id}",
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MentorWorld]:
    app: Flask = make_test_app(f"sqlite:///{tmp_path_factory.mktemp('mentor-journeys') / 'mentors.sqlite'}")
    with app.app_context():
        upgrade()
        paths = _create_world()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="mentor-journeys-server", daemon=True)
    thread.start()
    try:
        yield MentorWorld(url=f"http://127.0.0.1:{server.server_port}", **paths)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            dispose_engines()


def _sign_in(page: Page, world: MentorWorld, username: str = "journey-mentor") -> None:
    sign_in(page, world.url, username, PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def _table(page: Page, table_id: str) -> list[list[str]]:
    return page.locator(f"#{table_id} tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.querySelectorAll('th, td')].map(cell => cell.innerText.trim()))"
    )


def _band_of(page: Page, name: str) -> str:
    row = next(row for row in _table(page, "table-learners") if row[0].startswith(name))
    return row[3]


def _band_counts(page: Page) -> dict[str, int]:
    return {band: int(count) for band, count in _table(page, "table-distribution")}


def _expect_drawn(page: Page, chart_id: str) -> None:
    """The chart's SVG is there and has marks in it; plotly's data matches the payload it was given."""
    chart = page.locator(f"#{chart_id}")
    expect(chart).to_have_attribute("data-chart-drawn", "true")
    expect(chart.locator("svg.main-svg").first).to_be_visible()
    assert chart.locator("g.point path").count() > 0, f"{chart_id} has no bars"
    box = chart.locator("svg.main-svg").first.bounding_box()
    assert box is not None and box["height"] > 100 and box["width"] > 200


def test_a_mentor_signs_off_a_module_and_sees_the_learner_move_band(page: Page, world: MentorWorld) -> None:
    _sign_in(page, world)
    expect_heading(page, "My cohorts")
    check_accessibility(page)

    page.get_by_role("link", name="Digital skills – spring").click()
    expect_heading(page, "Digital skills – spring")
    assert _band_of(page, world.signoff_learner) == "Building skills"
    before = _band_counts(page)
    for chart_id in ("chart-distribution", "chart-weekly", "chart-skills-1", "chart-barriers"):
        _expect_drawn(page, chart_id)
    drawn = page.locator("#chart-distribution").evaluate("chart => chart.data[0].y")
    assert drawn == list(before.values()), "the chart shows the table's numbers"
    check_accessibility(page)

    page.goto(world.url + "/mentor/")
    page.get_by_role("link", name=f"Review {world.signoff_module}").click()
    expect_heading(page, world.signoff_module)
    check_accessibility(page)
    page.get_by_role("button", name="Sign off this module").click()

    expect(page.get_by_role("alert", name="Success")).to_contain_text(f"{world.signoff_module} is signed off")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("certificate SP-")
    expect_heading(page, world.feedback_module)  # the next module waiting: see test_mentor_flows.py
    check_accessibility(page)

    page.goto(world.url + world.cohort_path)
    assert _band_of(page, world.signoff_learner) == "Nearly ready"
    after = _band_counts(page)
    assert after["Building skills"] == before["Building skills"] - 1
    assert after["Nearly ready"] == before["Nearly ready"] + 1
    _expect_drawn(page, "chart-distribution")
    assert page.locator("#chart-distribution").evaluate("chart => chart.data[0].y") == list(after.values())
    weekly = page.locator("#chart-weekly").evaluate("chart => chart.data.map(trace => trace.y[trace.y.length - 1])")
    assert weekly == list(after.values()), "this week's readiness counts the sign-off"


def test_every_mentor_page_passes_axe(page: Page, world: MentorWorld) -> None:
    _sign_in(page, world)
    page.goto(world.url + world.cohort_path + "?release=12-weeks")
    expect(page.locator("#showing")).to_have_text(re.compile(r"Showing 1 of \d+ learners"))
    check_accessibility(page)
    page.goto(world.url + world.cohort_path + "?name=nobody")
    expect(page.get_by_text("No learners match these filters.")).to_be_visible()
    check_accessibility(page)

    page.goto(world.url + world.record_path)
    expect_heading(page, "Quinn Quiet")
    check_accessibility(page)
    for role, name, heading in [
        ("link", "See everything that happened", "What happened"),
        ("link", "Change the status", "Work-readiness status"),
        ("link", "Update the barriers checklist", "Barriers to work"),
        ("link", "Assess Technical understanding", "Assess a skill"),
        ("link", "Change expected release date", "Expected release date"),
        ("button", "Record release", "Record release"),  # a link styled, and announced, as a button
    ]:
        page.goto(world.url + world.record_path)
        page.get_by_role(role, name=name).first.click()  # type: ignore[arg-type]
        expect_heading(page, heading)
        check_accessibility(page)

    # A form with an error: the error summary and the field's message.
    page.goto(world.url + world.record_path + "/work-readiness")
    page.get_by_label("Does not want support").check()
    page.get_by_role("button", name="Save status").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the learner does not want support")
    check_accessibility(page)

    page.goto(world.url + "/mentor/")
    page.get_by_role("link", name=f"Review {world.feedback_module}").click()
    page.get_by_role("button", name="Return with feedback").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter feedback for the learner")
    check_accessibility(page)


def test_a_head_of_education_sees_the_establishment_and_moves_a_learner(page: Page, world: MentorWorld) -> None:
    _sign_in(page, world, "journey-head")
    page.get_by_role("link", name="Establishment").click()
    expect_heading(page, "Every cohort")
    for chart_id in ("chart-cohorts", "chart-distribution", "chart-weekly", "chart-skills-1", "chart-barriers"):
        _expect_drawn(page, chart_id)
    cohorts = _table(page, "table-cohorts")
    assert [row[0] for row in cohorts] == ["Digital skills – spring", "Evening class"]
    assert page.locator("#chart-cohorts").evaluate("chart => chart.data.map(trace => trace.x)") == [
        [int(row[3 + band]) for row in cohorts] for band in range(4)
    ]
    check_accessibility(page)

    page.goto(world.url + world.move_path)
    page.get_by_role("button", name="Move to another cohort").click()
    expect_heading(page, "Move to another cohort")
    check_accessibility(page)
    page.get_by_label("Move to").select_option(label="Evening class – HMP Journeyford")
    page.get_by_role("button", name="Move learner").click()
    expect(page.get_by_role("alert", name="Success")).to_contain_text("Moved to Evening class")
    page.get_by_role("link", name="See everything that happened").click()
    expect(page.locator(".sp-timeline")).to_contain_text("Joined Evening class")


def test_an_administrator_chooses_an_establishment_then_a_cohort(page: Page, world: MentorWorld) -> None:
    _sign_in(page, world, "journey-admin")
    page.get_by_role("link", name="Dashboards").click()
    expect_heading(page, "Every establishment")
    check_accessibility(page)
    page.get_by_role("link", name="HMP Journeyford").click()
    expect_heading(page, "Every cohort")
    page.locator("#table-cohorts").get_by_role("link", name="Digital skills – spring").click()
    expect_heading(page, "Digital skills – spring")
    _expect_drawn(page, "chart-distribution")
    check_accessibility(page)


def test_the_pages_work_with_javascript_off(new_context, world: MentorWorld) -> None:
    page = new_context(java_script_enabled=False).new_page()
    _sign_in(page, world)
    page.goto(world.url + world.cohort_path)
    # No charts without JavaScript; the tables carry the numbers.
    expect(page.locator("#chart-distribution")).to_be_hidden()
    learners = len(_table(page, "table-learners"))
    assert learners >= 4
    assert sum(int(count) for _, count in _table(page, "table-distribution")) == learners

    # Filters are a plain GET form.
    page.get_by_label("Readiness", exact=True).select_option(label="Ready for work")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"band=READY"))
    assert [row[0] for row in _table(page, "table-learners")] == ["Rita Ready"]

    # Returning a module with feedback is a plain form post.
    page.goto(world.url + "/mentor/")
    page.get_by_role("link", name=f"Review {world.feedback_module}").click()
    page.get_by_label("Feedback for the learner").fill("Add a photo of the finished ticket, please.")
    page.get_by_role("button", name="Return with feedback").click()
    expect(page.get_by_text(f"{world.feedback_module} is returned to the learner with your feedback.")).to_be_visible()

    # So is the barriers checklist.
    page.goto(world.url + world.record_path + "/barriers")
    page.get_by_role("group", name="Housing").get_by_label("In progress").check()
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("Barriers checklist saved: 1 change.")).to_be_visible()


# Each word in a table cell inside a sideways-scrolling box, as [word, lines it is drawn on]: more than one line
# means the word was broken in the middle ("Awarene" / "ss"). Hyphens and dashes may break a line between words.
_WORDS_BROKEN = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('.sp-table-scroll th, .sp-table-scroll td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/[^\\s\\-–]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""


def test_wide_tables_keep_whole_words_and_scroll_from_the_keyboard_at_320_pixels(
    page: Page, world: MentorWorld
) -> None:
    _sign_in(page, world)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(world.url + world.cohort_path)
    page.locator("details").evaluate_all("all => all.forEach(details => { details.open = true })")

    assert page.evaluate(_WORDS_BROKEN) == []
    # Each visible caption wraps within the screen's column, however wide its table.
    widths = page.locator(".sp-table-scroll caption:not(.govuk-visually-hidden)").evaluate_all(
        "captions => captions.map(caption => caption.getBoundingClientRect().width)"
    )
    assert widths and max(widths) <= 320 - 30
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320  # the page itself does not scroll
    boxes = page.locator(".sp-table-scroll")
    scrolling = [
        box for box in boxes.all() if box.evaluate("box => box.scrollWidth > box.clientWidth") and box.is_visible()
    ]
    assert scrolling, "at 320 px the learners and skills tables are wider than the screen"
    for box in scrolling:
        expect(box).to_have_attribute("role", "region")
        expect(box).to_have_attribute("tabindex", "0")
        assert box.get_attribute("aria-label")
    box = page.get_by_role("region", name=re.compile("^Skill gaps for "))
    box.first.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=box.first.element_handle())
    check_accessibility(page)
