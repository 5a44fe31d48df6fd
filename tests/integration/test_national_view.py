"""The national view: every establishment's learners, bands, modules awaiting sign-off and certificates this
month, for administrators only, sortable by each column, in the same number of statements however many
establishments there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Establishment, SkillLevel, User
from skillpath.models.audit import AuditAction
from skillpath.models.read_models import ReadinessPeriod
from skillpath.services.certificates import certificates as certificate_service
from skillpath.services.readiness import dashboards, national
from skillpath.services.readiness.readiness import Band
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, page
from tests.integration._mentor_world import count_queries, make_job, populate_cohort, sign_off_module

COLUMNS = ["name", "learners", "not-started", "building", "nearly-ready", "ready", "awaiting-sign-off", "certificates"]


def _establishment(name: str, learners: int, *, cohorts: int = 1) -> tuple[Establishment, User]:
    """An establishment with its learners spread over its cohorts, each with progress, sign-offs and barriers."""
    job, skills = make_job(level=SkillLevel.AWARENESS)
    modules = [
        factories.make_module(skills=dict.fromkeys(skills, SkillLevel.WORKING)),
        factories.make_module(skills=dict.fromkeys(skills[:1], SkillLevel.AWARENESS)),
    ]
    establishment = factories.make_establishment(name=name)
    groups = [factories.make_cohort(establishment=establishment) for _ in range(cohorts)]
    mentor = factories.make_mentor(cohorts=groups)
    for n, cohort in enumerate(groups):
        populate_cohort(cohort, mentor, learners // cohorts + (n < learners % cohorts), jobs=[job], modules=modules)
    return establishment, mentor


def _table(soup) -> list[list[str]]:
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in soup.select("#table-establishments tbody tr")
    ]


def test_each_establishment_has_the_same_numbers_as_its_own_view(app):
    places = [_establishment("HMP Alder", 3), _establishment("HMP Birch", 5, cohorts=2)]
    factories.make_establishment(name="HMP Cedar")  # no cohorts yet: a row of zeros

    rows = {row.name: row for row in national.list_establishment_figures()}

    for establishment, _mentor in places:
        cohorts = dashboards.list_active_cohorts(establishment.id)
        own = dashboards.build_dashboard(cohorts, app.config)
        row = rows[establishment.name]
        assert row.learners == own.overall.learners
        assert dict(row.bands) == own.distribution
        assert row.awaiting_sign_off == own.overall.awaiting_sign_off
    assert rows["HMP Birch"].learners == 5
    assert rows["HMP Cedar"].learners == 0 and set(rows["HMP Cedar"].bands.values()) == {0}


def test_released_learners_are_not_counted(app):
    establishment, _mentor = _establishment("HMP Alder", 3)
    learners = dashboards.current_learners([c.id for c in dashboards.list_active_cohorts(establishment.id)])
    released = db.session.get(User, learners[0][0].id)
    released.learner_profile.released_at = datetime.now(UTC)
    db.session.flush()
    (row,) = national.list_establishment_figures()
    assert row.learners == 2
    assert sum(row.bands.values()) == 2


def test_certificates_are_counted_from_the_first_of_this_month(app):
    establishment, mentor = _establishment("HMP Alder", 1)
    cohort = dashboards.list_active_cohorts(establishment.id)[0]
    learner = factories.make_learner(cohort=cohort)
    issued = []
    for _ in range(3):
        enrolment = sign_off_module(learner, factories.make_module(), mentor)
        issued.append(certificate_service.issue_module_certificate(enrolment, mentor=mentor))
    issued[0].issued_at = national.start_of_month(datetime.now(UTC)) - timedelta(minutes=1)  # last month
    db.session.flush()
    (row,) = national.list_establishment_figures()
    assert row.certificates_this_month == 2


def test_the_month_starts_at_midnight_in_the_uk():
    # 1 July 2026 starts at 23:00 on 30 June in UTC (British Summer Time).
    assert national.start_of_month(datetime(2026, 7, 15, 12, tzinfo=UTC)) == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert national.start_of_month(datetime(2026, 12, 1, 0, 30, tzinfo=UTC)) == datetime(2026, 12, 1, tzinfo=UTC)


def test_the_page_has_a_row_each_totals_a_chart_and_links_to_each_establishment(admin_client):
    (alder, _m), (birch, _n) = _establishment("HMP Alder", 2), _establishment("HMP Birch", 4)

    response = admin_client.get("/dashboards/")
    soup = page(response)

    assert heading(response) == "Every establishment"
    rows = _table(soup)
    assert [row[0] for row in rows] == [f"HMP Alder ({alder.code})", f"HMP Birch ({birch.code})"]
    assert [row[1] for row in rows] == ["2", "4"]
    foot = [cell.get_text(strip=True) for cell in soup.select("#table-establishments tfoot tr > *")]
    assert foot[0] == "Total, 2 establishments" and foot[1] == "6"
    for column in range(2, 8):  # each band and the other counts add up
        assert int(foot[column]) == sum(int(row[column]) for row in rows)
    assert sum(int(value) for value in foot[2:6]) == 6
    link = soup.select_one("#table-establishments tbody a")
    assert link["href"] == f"/dashboards/establishments/{alder.public_id}"
    chart = soup.select_one("#chart-establishments")
    assert chart["role"] == "img" and soup.select_one("#chart-establishments-data") is not None


@pytest.mark.parametrize("column", COLUMNS)
def test_every_column_sorts_both_ways_from_its_heading(admin_client, column):
    _establishment("HMP Alder", 4)
    _establishment("HMP Birch", 1)
    _establishment("HMP Cedar", 2)
    default = page(admin_client.get("/dashboards/"))
    index = COLUMNS.index(column)
    header = default.select("#table-establishments thead th")[index]
    href = header.select_one("a")["href"]
    assert f"sort={column}" in href

    first = page(admin_client.get(href))
    header = first.select("#table-establishments thead th")[index]
    first_order = header["aria-sort"]
    # Numbers go largest first; the names, already A to Z by default, turn round.
    assert first_order == "descending"
    values = [row[index] for row in _table(first)]
    key = (lambda v: v) if column == "name" else int
    assert values == sorted(values, key=key, reverse=first_order == "descending")

    again = page(admin_client.get(header.select_one("a")["href"]))
    turned = again.select("#table-establishments thead th")[index]["aria-sort"]
    assert turned != first_order
    others = [th["aria-sort"] for i, th in enumerate(again.select("#table-establishments thead th")) if i != index]
    assert set(others) == {"none"}


def test_a_column_not_known_sorts_by_name(admin_client):
    _establishment("HMP Birch", 1)
    _establishment("HMP Alder", 2)
    soup = page(admin_client.get("/dashboards/?sort=everything&order=sideways"))
    assert [row[0].split(" (")[0] for row in _table(soup)] == ["HMP Alder", "HMP Birch"]
    assert soup.select("#table-establishments thead th")[0]["aria-sort"] == "ascending"


def test_opening_the_view_is_audited_with_its_sort(admin_client, admin):
    admin_client.get("/dashboards/?sort=learners&order=descending")
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.NATIONAL_DASHBOARD_VIEWED)
    ).all()
    assert len(events) == 1
    assert events[0].actor_id == admin.id
    assert events[0].detail == {"filters": {"sort": "learners", "order": "descending"}}


def test_only_administrators_see_it(app, learner_client, mentor_client, establishment):
    head = factories.make_mentor(establishment=establishment, is_establishment_lead=True)
    assert learner_client.get("/dashboards/").status_code == 403
    assert mentor_client.get("/dashboards/").status_code == 404
    response = sign_in(app.test_client(), head).get("/dashboards/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dashboards/establishments/{establishment.public_id}")
    assert not db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.NATIONAL_DASHBOARD_VIEWED)
    ).all()


def test_the_same_statements_for_2_and_6_establishments(app, admin):
    client = sign_in(app.test_client(), admin)
    counts = []
    made = 0
    for total in (2, 6):
        while made < total:
            made += 1
            _establishment(f"HMP Place {made}", 2)
        client.get("/dashboards/")
        with count_queries() as statements:
            assert client.get("/dashboards/?sort=ready").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{counts[0]} statements for 2 establishments, {counts[1]} for 6"


def test_bands_add_up_to_the_learners_even_before_the_read_model_reaches_someone(app):
    _establishment("HMP Alder", 2)
    db.session.execute(ReadinessPeriod.__table__.delete())
    (row,) = national.list_establishment_figures()
    assert row.learners == 2
    assert row.bands[Band.NOT_STARTED] == 2
