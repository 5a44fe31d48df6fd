"""Dashboard figures are valid Plotly figures, and the small rules behind the dashboards."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import plotly.graph_objects as go
import pytest
from bs4 import BeautifulSoup

from skillpath.models import Barrier, Cohort, RoleLevel, SkillLevel, WorkReadiness
from skillpath.models.work_readiness import StatusChangeType
from skillpath.services.readiness import charts
from skillpath.services.readiness.dashboards import (
    CohortSkillGrid,
    CohortSummary,
    Filters,
    GroupSkillCell,
    LearnerFacts,
    LearnerRow,
    LearnerSkillGrid,
    ReleaseWindow,
)
from skillpath.services.readiness.readiness import Band, RequiredSkill, assess
from skillpath.services.readiness.readiness_history import Week
from skillpath.services.readiness.work_status import change_type

TODAY = date(2026, 11, 26)


def _valid(figure: dict) -> go.Figure:
    """Plotly's own schema check: it raises on any property it does not know."""
    json.dumps(figure)  # plain data, ready for the page
    return go.Figure(figure)


def _row(name: str, held: dict[int, SkillLevel]) -> LearnerRow:
    required = [RequiredSkill(1, "Fixing", SkillLevel.WORKING), RequiredSkill(2, "Talking", SkillLevel.WORKING)]
    learner = LearnerFacts(
        hash(name) % 1000, uuid.uuid4(), name, datetime(2026, 1, 1, tzinfo=UTC), False, None, None, None
    )
    return LearnerRow(learner, 1, assess(required, held, []), (), WorkReadiness.NOT_STARTED, ())


def test_every_figure_is_valid_plotly():
    counts = {Band.NOT_STARTED: 1, Band.BUILDING: 2, Band.NEARLY_READY: 3, Band.READY: 4}
    weeks = [Week(date(2026, 11, 2 + 7 * i), counts, 55.0) for i in range(3)]
    cohorts = [Cohort(name="Alpha"), Cohort(name="Bravo")]
    level = RoleLevel(name="Helper")
    rows = [_row("Ann", {1: SkillLevel.WORKING}), _row("Ben", {2: SkillLevel.AWARENESS})]
    learner_grid = LearnerSkillGrid(
        level, (("Fixing", "Working"), ("Talking", "Working")), tuple((r, r.readiness.skills) for r in rows)
    )
    cohort_grid = CohortSkillGrid(
        level, (("Fixing", "Working"),), ((cohorts[0], (GroupSkillCell(3, 4),)), (cohorts[1], (GroupSkillCell(0, 2),)))
    )
    figures = [
        charts.distribution_figure(counts),
        charts.weekly_figure(weeks),
        charts.barriers_figure(dict.fromkeys(Barrier, 2)),
        charts.cohorts_figure([CohortSummary(cohort, 10, counts) for cohort in cohorts]),
        charts.learner_grid_figure(learner_grid),
        charts.skill_totals_figure(cohort_grid),
        charts.places_figure(["HMP Alder", "HMP Birch"], [counts, counts]),
    ]
    for figure in figures:
        _valid(figure)


def test_the_learner_grid_puts_each_cell_in_its_category():
    level = RoleLevel(name="Helper")
    rows = [_row("Ann", {1: SkillLevel.WORKING, 2: SkillLevel.AWARENESS}), _row("Ben", {})]
    grid = LearnerSkillGrid(
        level, (("Fixing", "Working"), ("Talking", "Working")), tuple((r, r.readiness.skills) for r in rows)
    )
    traces = {trace["name"]: trace for trace in charts.learner_grid_figure(grid)["data"]}
    assert list(zip(traces["At the level needed"]["y"], traces["At the level needed"]["base"], strict=True)) == [(0, 0)]
    assert traces["Below the level needed"]["text"] == ["Awareness"]
    assert traces["Not shown yet"]["y"] == [1, 1]
    assert charts.learner_grid_figure(grid)["layout"]["yaxis"]["ticktext"] == ["Ann", "Ben"]


def test_the_learner_grid_table_has_the_charts_cells_in_words():
    level = RoleLevel(name="Helper")
    rows = [_row("Ann & <Co>", {1: SkillLevel.WORKING, 2: SkillLevel.AWARENESS}), _row("Ben", {})]
    grid = LearnerSkillGrid(
        level, (("Fixing", "Working"), ("Talking", "Working")), tuple((r, r.readiness.skills) for r in rows)
    )
    head, table = charts.learner_grid_table(grid)
    assert head == ["Learner", "Fixing (needs working)", "Talking (needs working)"]
    assert table == [["Ann & <Co>", "At level: Working", "Below: Awareness"], ["Ben", "Not yet", "Not yet"]]


def test_a_data_table_escapes_every_value_and_keeps_markup():
    from markupsafe import Markup

    from skillpath.template_helpers import data_table

    html = data_table(
        'id"x',
        "Caption <i>",
        ["Name", "<b>Count</b>"],
        [["<script>", 3], [Markup('<a href="/x">Ann</a>'), ""]],
        numeric=[1],
        row_headers=True,
    )
    soup = BeautifulSoup(html, "html.parser")
    table = soup.find("table")
    assert table["id"] == 'id"x'
    assert soup.find("caption").get_text() == "Caption <i>"
    assert [th.get_text() for th in soup.select("thead th")] == ["Name", "<b>Count</b>"]
    assert "govuk-table__header--numeric" in soup.select("thead th")[1]["class"]
    assert soup.find("script") is None and soup.find("b") is None and soup.find("i") is None
    first, second = soup.select("tbody tr")
    assert first.find("th", scope="row").get_text() == "<script>"
    assert first.find("td")["class"] == ["govuk-table__cell", "govuk-table__cell--numeric"]
    assert first.find("td").get_text() == "3"
    assert second.find("th").find("a")["href"] == "/x"
    assert second.find("td").get_text() == ""


@pytest.mark.parametrize(
    ("percent", "label"), [(100, "75% or more"), (75, "75% or more"), (74, "50% to 74%"), (0, "Under 25%")]
)
def test_share_categories(percent, label):
    assert charts.share_category(percent)[1] == label


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        (None, WorkReadiness.SUPPORT_NEEDED, StatusChangeType.NEW),
        (WorkReadiness.SUPPORT_NEEDED, WorkReadiness.SUPPORT_DECLINED, StatusChangeType.ACCEPTED_TO_DECLINED),
        (WorkReadiness.SUPPORT_DECLINED, WorkReadiness.READY_TO_WORK, StatusChangeType.DECLINED_TO_ACCEPTED),
        (WorkReadiness.SUPPORT_NEEDED, WorkReadiness.READY_TO_WORK, None),
    ],
)
def test_status_change_types(previous, new, expected):
    assert change_type(previous, new) == expected


def test_filters_keep_by_role_release_window_and_name():
    role = uuid.uuid4()
    keep = {"role_level": role, "release_date": date(2027, 1, 10), "name": "Łukasz Żółć", "today": TODAY}
    assert Filters().keeps(**keep)
    assert Filters(role_level=role).keeps(**keep)
    assert not Filters(role_level=uuid.uuid4()).keeps(**keep)
    assert Filters(release=ReleaseWindow.TWELVE_WEEKS).keeps(**keep)
    assert not Filters(release=ReleaseWindow.TWELVE_WEEKS).keeps(**{**keep, "release_date": date(2027, 6, 1)})
    assert not Filters(release=ReleaseWindow.SIX_MONTHS).keeps(**{**keep, "release_date": None})
    assert Filters(release=ReleaseWindow.SIX_MONTHS).keeps(**{**keep, "release_date": date(2026, 1, 1)})  # overdue
    assert Filters(name="  łukasz ").keeps(**keep)
    assert not Filters(name="%").keeps(**keep)
    assert not Filters().is_active and Filters(name="x").is_active


def test_bands_and_module_statuses_show_their_words_and_are_coloured_by_code():
    from skillpath.services.progress.progress import ModuleStatus
    from skillpath.template_helpers import module_tag_classes, readiness_tag_classes

    assert [band.label for band in Band] == ["Not started", "Building skills", "Nearly ready", "Ready for work"]
    assert ModuleStatus.RETURNED.label == "Returned with feedback"
    assert ModuleStatus.RETURNED.learner_label == "Returned — look again"
    assert readiness_tag_classes(Band.READY) == readiness_tag_classes("READY") == "govuk-tag--green"
    assert module_tag_classes(ModuleStatus.RETURNED) == "govuk-tag--orange"
    assert readiness_tag_classes("Ready for work") == "govuk-tag--grey", "words are not keys"


def test_the_charts_name_the_bands_in_words_not_codes():
    figure = charts.distribution_figure(dict.fromkeys(Band, 1))
    assert figure["data"][0]["x"] == [band.label for band in Band]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Readiness band"
    assert [trace["name"] for trace in charts.weekly_figure([])["data"]] == [band.label for band in Band]
