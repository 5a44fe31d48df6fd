"""An administrator opens the national view and sorts it; a head of education opens "See all" on a to-do list
and pages through it. Both pass axe, the chart is drawn with the table's numbers, and sorting works with
JavaScript off (the headings are links).

Its own live server on its own SQLite file, like test_mentor_journeys.py, so nothing here disturbs other tests.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from skillpath.extensions import db
from skillpath.models import Barrier, SkillLevel
from tests import factories
from tests.browser.helpers import check_accessibility, expect_heading, sign_in
from tests.conftest import dispose_engines, make_test_app
from tests.integration._mentor_world import finish_module, resolve_barriers, sign_off_module

PASSWORD = factories.PASSWORD
QUIET_LEARNERS = 57  # more than one page (50) of "no activity for 14 days"


@dataclass(frozen=True)
class World:
    url: str
    screenshots: Path


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _create_world() -> None:
    skill = factories.make_skill(name="Technical understanding")
    job = factories.make_role_level(skills={skill: SkillLevel.AWARENESS}, name="Service desk analyst")
    basics = factories.make_module(title="Using a computer safely", skills={skill: SkillLevel.AWARENESS})
    factories.make_admin(username="national-admin", display_name="Ada Admin")
    for number, (name, code, learners) in enumerate(
        [("HMP Northfield", "NFD", 6), ("HMP Eastmoor", "EMR", 3), ("HMP Westgate", "WGT", 9)]
    ):
        establishment = factories.make_establishment(name=name, code=code)
        cohort = factories.make_cohort(establishment=establishment, name=f"{name} digital skills")
        mentor = factories.make_mentor(cohorts=[cohort], username=f"national-mentor-{number}")
        for n in range(learners):
            learner = factories.make_learner(
                cohort=cohort, display_name=f"{code} learner {n}", target_role_level=job, created_at=_ago(90)
            )
            learner.learner_profile.last_activity_at = _ago(1)
            if n % 3 == 0:
                sign_off_module(learner, basics, mentor, at=_ago(20))
                resolve_barriers(learner, mentor, len(Barrier), at=_ago(10))
            elif n % 3 == 1:
                finish_module(learner, basics, at=_ago(2))
    eastmoor = factories.make_establishment(name="HMP Quietwood", code="QWD")
    cohort = factories.make_cohort(establishment=eastmoor, name="Quietwood evening class")
    factories.make_mentor(
        establishment=eastmoor, is_establishment_lead=True, username="national-head", display_name="Hal Head"
    )
    for n in range(QUIET_LEARNERS):
        quiet = factories.make_learner(cohort=cohort, display_name=f"Quiet learner {n:02d}", created_at=_ago(60))
        quiet.learner_profile.last_activity_at = _ago(15 + n)
    db.session.flush()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("national-journeys")
    app: Flask = make_test_app(f"sqlite:///{folder / 'national.sqlite'}")
    with app.app_context():
        upgrade()
        _create_world()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, name="national-journeys-server", daemon=True)
    thread.start()
    try:
        yield World(url=f"http://127.0.0.1:{server.server_port}", screenshots=folder)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            dispose_engines()


def _column(page: Page, index: int) -> list[str]:
    return page.locator("#table-establishments tbody tr").evaluate_all(
        f"rows => rows.map(row => row.querySelectorAll('th, td')[{index}].innerText.trim())"
    )


def test_an_administrator_opens_the_national_view_and_sorts_it(page: Page, world: World) -> None:
    sign_in(page, world.url, "national-admin", PASSWORD)
    page.goto(world.url + "/dashboards/")
    expect_heading(page, "Every establishment")
    assert _column(page, 0) == [
        "HMP Eastmoor (EMR)",
        "HMP Northfield (NFD)",
        "HMP Quietwood (QWD)",
        "HMP Westgate (WGT)",
    ]
    chart = page.locator("#chart-establishments")
    expect(chart).to_have_attribute("data-chart-drawn", "true")
    assert chart.locator("g.point path").count() > 0
    totals = chart.evaluate("chart => chart.data.map(trace => trace.x.reduce((a, b) => a + b, 0))")
    assert sum(totals) == sum(int(value) for value in _column(page, 1)), "the chart shows the table's learners"
    check_accessibility(page)

    page.get_by_role("link", name="Learners", exact=True).click()
    expect(page.locator("#table-establishments th[aria-sort=descending]")).to_contain_text("Learners")
    assert _column(page, 1) == ["57", "9", "6", "3"]
    page.screenshot(path=str(world.screenshots / "national-by-learners.png"), full_page=True)
    check_accessibility(page)

    page.get_by_role("link", name="Learners", exact=False).first.click()
    expect(page.locator("#table-establishments th[aria-sort=ascending]")).to_contain_text("Learners")
    assert _column(page, 1) == ["3", "6", "9", "57"]

    page.get_by_role("link", name="HMP Westgate").click()
    expect_heading(page, "Every cohort")


def test_sorting_works_without_javascript(browser: Browser, world: World) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, world.url, "national-admin", PASSWORD)
    page.goto(world.url + "/dashboards/")
    page.get_by_role("link", name="Modules to sign off").click()
    expect(page.locator("#table-establishments th[aria-sort=descending]")).to_contain_text("Modules to sign off")
    values = [int(value) for value in _column(page, 6)]
    assert values == sorted(values, reverse=True)
    context.close()


def test_a_head_of_education_sees_all_of_a_long_to_do_list(page: Page, world: World) -> None:
    sign_in(page, world.url, "national-head", PASSWORD)
    expect_heading(page, "My cohorts")
    expect(page.locator("#table-no-activity tbody tr")).to_have_count(10)
    check_accessibility(page)

    page.get_by_role("link", name=f"See all {QUIET_LEARNERS} learners with no activity for 14 days").click()
    expect_heading(page, "No activity for 14 days")
    expect(page.locator("#table-no-activity tbody tr")).to_have_count(50)
    expect(page.get_by_text(f"Showing 1 to 50 of {QUIET_LEARNERS}.")).to_be_visible()
    page.screenshot(path=str(world.screenshots / "worklist-page-1.png"), full_page=True)
    check_accessibility(page)

    page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    expect(page.locator("#table-no-activity tbody tr")).to_have_count(QUIET_LEARNERS - 50)
    expect(page.get_by_role("navigation", name="Pages").locator("[aria-current=page]")).to_have_text("2")
    check_accessibility(page)
