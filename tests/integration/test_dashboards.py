"""The cohort dashboard and the establishment view: numbers, charts, filters, access, audit and query counts."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Barrier, SkillLevel
from skillpath.services.readiness.readiness import Band
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, page
from tests.integration._mentor_world import (
    count_queries,
    days_ago,
    finish_module,
    make_job,
    populate_cohort,
    resolve_barriers,
    sign_off_module,
)


def _table(soup, table_id: str) -> list[list[str]]:
    table = soup.find("table", id=table_id)
    assert table is not None, f"no table #{table_id}"
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in table.select("tbody tr")]


def _figure(soup, chart_id: str) -> dict:
    payload = soup.find("script", id=f"{chart_id}-data")
    assert payload is not None and payload["type"] == "application/json"
    return json.loads(payload.string)


@pytest.fixture
def scene(app, cohort, mentor):
    """A cohort with learners in three bands, a module awaiting sign-off and a learner due out soon."""
    job, skills = make_job("Fixing things", "Explaining things", level=SkillLevel.AWARENESS, name="Helpdesk helper")
    both = factories.make_module(title="Both skills", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    one = factories.make_module(title="Fixing only", skills={skills[0]: SkillLevel.AWARENESS})
    ready = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Rita Ready")
    sign_off_module(ready, both, mentor, at=days_ago(20))
    resolve_barriers(ready, mentor, len(Barrier), at=days_ago(20))
    nearly = factories.make_learner(
        cohort=cohort, target_role_level=job, display_name="Nico Nearly", created_at=days_ago(90)
    )
    sign_off_module(nearly, both, mentor, at=days_ago(3))
    building = factories.make_learner(
        cohort=cohort,
        target_role_level=job,
        display_name="Bob Building",
        release_date=(datetime.now(UTC) + timedelta(days=30)).date(),
    )
    finish_module(building, one)
    fresh = factories.make_learner(cohort=cohort, display_name="Fay Fresh", release_date=date(2030, 1, 1))
    return {"job": job, "skills": skills, "ready": ready, "nearly": nearly, "building": building, "fresh": fresh}


def test_the_cohort_dashboard_shows_each_learner_with_score_band_and_work_waiting(mentor_client, cohort, scene):
    response = mentor_client.get(f"/mentor/cohorts/{cohort.public_id}")
    assert response.status_code == 200
    soup = page(response)
    assert heading(response) == cohort.name
    rows = {row[0].removesuffix(" Not set up yet"): row for row in _table(soup, "table-learners")}
    assert rows["Rita Ready"][2:5] == ["100", "Ready for work", "0"]
    assert rows["Nico Nearly"][2:4] == ["80", "Nearly ready"]
    assert rows["Bob Building"][3:5] == ["Not started", "1"]  # a module waits for sign-off, no skills yet
    assert rows["Fay Fresh"][1] == "Not chosen yet"
    figures = [li.get_text(" ", strip=True) for li in soup.select(".sp-key-figures__item")]
    assert figures == [
        "4 learners",
        "1 ready for work",
        "1 nearly ready",
        "1 module awaiting sign-off",
        "1 due for release within 12 weeks",
    ]


def test_each_chart_has_a_json_payload_and_a_table_with_the_same_numbers(mentor_client, cohort, scene):
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}"))

    distribution = _figure(soup, "chart-distribution")
    assert distribution["data"][0]["x"] == [band.label for band in Band]
    assert distribution["data"][0]["y"] == [2, 0, 1, 1]
    assert [[row[0], int(row[1])] for row in _table(soup, "table-distribution")] == [
        ["Not started", 2],
        ["Building skills", 0],
        ["Nearly ready", 1],
        ["Ready for work", 1],
    ]

    barriers = _figure(soup, "chart-barriers")
    table = {row[0]: int(row[1]) for row in _table(soup, "table-barriers")}
    assert dict(zip(barriers["data"][0]["y"], barriers["data"][0]["x"], strict=True)) == table
    assert table[Barrier.BANK_ACCOUNT.label] == 3  # everyone but Rita

    weekly = _figure(soup, "chart-weekly")
    assert len(weekly["data"]) == 4 and len(weekly["data"][0]["x"]) == 26
    newest = _table(soup, "table-weekly")[0]
    assert [int(n) for n in newest[1:5]] == [trace["y"][-1] for trace in weekly["data"]]

    skills = _figure(soup, "chart-skills-1")
    cells = {trace["name"]: len(trace["y"]) for trace in skills["data"]}
    assert cells == {"At the level needed": 4, "Below the level needed": 0, "Not shown yet": 2}
    grid = _table(soup, "table-skills-1")
    assert [row[0] for row in grid] == ["Bob Building", "Nico Nearly", "Rita Ready"]
    assert grid[0][1:] == ["Not yet", "Not yet"] and grid[2][1:] == ["At level: Awareness", "At level: Awareness"]


def test_charts_are_drawn_by_one_static_script_with_no_inline_script(mentor_client, cohort, scene):
    response = mentor_client.get(f"/mentor/cohorts/{cohort.public_id}")
    soup = page(response)
    for script in soup.find_all("script"):
        inline = not script.get("src")
        if inline and script.get("type") != "application/json":
            assert script.get("nonce"), f"an inline script without the page's nonce: {script}"
            assert "Plotly" not in (script.string or "")
    sources = [script["src"] for script in soup.find_all("script", src=True)]
    assert "/assets/dist/plotly-basic.min.js" in sources
    assert sources.index("/assets/dist/plotly-basic.min.js") < sources.index("/assets/js/charts.js")
    for chart in soup.select(".sp-chart"):
        assert chart["role"] == "img" and chart["aria-label"]
        assert soup.find("script", id=chart["data-chart-payload"]) is not None
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_a_name_cannot_break_out_of_the_chart_payload(mentor_client, cohort, scene):
    job = scene["job"]
    factories.make_learner(cohort=cohort, target_role_level=job, display_name="</script><script>alert(1)</script>")
    response = mentor_client.get(f"/mentor/cohorts/{cohort.public_id}")
    assert "</script><script>alert(1)" not in response.get_data(as_text=True)
    names = [
        tick for trace in _figure(page(response), "chart-skills-1")["layout"]["yaxis"]["ticktext"] for tick in [trace]
    ]
    assert any("alert(1)" in name for name in names)


def test_readiness_over_time_is_recomputed_from_the_log(mentor_client, cohort, mentor, scene):
    # Nico's skills were signed off 3 days ago: in the weeks before that, Nico was not started.
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?name=nico"))
    weekly = {trace["name"]: trace["y"] for trace in _figure(soup, "chart-weekly")["data"]}
    assert weekly["Nearly ready"][-1] == 1
    assert weekly["Nearly ready"][-3] == 0 and weekly["Not started"][-3] == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Bob Building", "Fay Fresh", "Nico Nearly", "Rita Ready"]),
        ("?band=READY", ["Rita Ready"]),
        ("?band=NOT_STARTED", ["Bob Building", "Fay Fresh"]),
        ("?release=12-weeks", ["Bob Building"]),
        ("?release=6-months", ["Bob Building"]),
        ("?name=NI", ["Nico Nearly"]),
        ("?name=%25", []),  # a % is a character, not a wildcard
        ("?name=_", []),
        ("?band=nonsense&release=forever&role=not-a-uuid", ["Bob Building", "Fay Fresh", "Nico Nearly", "Rita Ready"]),
    ],
)
def test_filters_narrow_the_learners_and_every_chart(mentor_client, cohort, scene, query, expected):
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}{query}"))
    shown = [row[0] for row in _table(soup, "table-learners")] if soup.find("table", id="table-learners") else []
    assert [name.removesuffix(" Not set up yet") for name in shown] == expected
    if expected:
        assert sum(_figure(soup, "chart-distribution")["data"][0]["y"]) == len(expected)


def test_the_role_filter_offers_the_cohorts_target_roles(mentor_client, cohort, scene):
    other, _ = make_job(name="Data helper")
    factories.make_learner(cohort=cohort, target_role_level=other, display_name="Dee Data")
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}"))
    options = {o.get_text(strip=True): o["value"] for o in soup.select("select#role option")}
    assert list(options) == ["All target roles", "Data helper", "Helpdesk helper"]
    filtered = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?role={options['Data helper']}"))
    assert [row[0] for row in _table(filtered, "table-learners")] == ["Dee Data"]
    assert filtered.select_one("select#role option[selected]").get_text(strip=True) == "Data helper"


def test_a_name_search_ignores_case_in_any_script(mentor_client, cohort, scene):
    factories.make_learner(cohort=cohort, display_name="Łukasz Żółć")
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?name=łUKASZ"))
    assert [row[0].removesuffix(" Not set up yet") for row in _table(soup, "table-learners")] == ["Łukasz Żółć"]


def test_viewing_a_dashboard_writes_one_audit_event_for_the_cohort(mentor_client, mentor, cohort, scene):
    mentor_client.get(f"/mentor/cohorts/{cohort.public_id}")
    mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?band=READY")
    events = list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == mentor.id, AuditEvent.action.like("%.viewed"))
            .order_by(AuditEvent.id)
        )
    )
    assert [(e.action, e.object_type, e.object_id, e.detail) for e in events] == [
        ("cohort.dashboard.viewed", "cohort", str(cohort.public_id), None),
        ("cohort.dashboard.viewed", "cohort", str(cohort.public_id), {"filters": {"band": "READY"}}),
    ]


def test_a_dashboard_works_with_no_learners(mentor_client, cohort):
    response = mentor_client.get(f"/mentor/cohorts/{cohort.public_id}")
    assert response.status_code == 200
    assert "No learners in this cohort yet." in page(response).get_text()
    assert not page(response).select(".sp-chart")


# --- Who sees what ---------------------------------------------------------------------------------


@pytest.fixture
def two_prisons(app):
    north, south = factories.make_establishment(name="HMP North"), factories.make_establishment(name="HMP South")
    alpha = factories.make_cohort(establishment=north, name="Alpha")
    bravo = factories.make_cohort(establishment=north, name="Bravo")
    charlie = factories.make_cohort(establishment=south, name="Charlie")
    for cohort in (alpha, bravo, charlie):
        factories.make_learner(cohort=cohort, display_name=f"Learner in {cohort.name}")
    return {"north": north, "south": south, "alpha": alpha, "bravo": bravo, "charlie": charlie}


def test_a_head_of_education_sees_every_cohort_of_their_establishment_side_by_side(app, two_prisons):
    lead = factories.make_mentor(establishment=two_prisons["north"], is_establishment_lead=True)
    client = sign_in(app.test_client(), lead)
    response = client.get(f"/dashboards/establishments/{two_prisons['north'].public_id}")
    assert response.status_code == 200
    soup = page(response)
    assert heading(response) == "Every cohort"
    assert [row[0] for row in _table(soup, "table-cohorts")] == ["Alpha", "Bravo"]
    assert _figure(soup, "chart-cohorts")["layout"]["yaxis"]["ticktext"] == ["Alpha", "Bravo"]
    assert client.get("/dashboards/").headers["Location"].endswith(f"/establishments/{two_prisons['north'].public_id}")
    nav = [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation__link")]
    assert "Establishment" in nav


def test_only_heads_of_education_and_admins_see_an_establishment(app, admin, two_prisons):
    north, south = two_prisons["north"], two_prisons["south"]
    lead = factories.make_mentor(establishment=north, is_establishment_lead=True)
    mentor = factories.make_mentor(cohorts=[two_prisons["alpha"]])
    admin_client = sign_in(app.test_client(), admin)
    assert admin_client.get(f"/dashboards/establishments/{south.public_id}").status_code == 200
    assert [a.get_text(strip=True) for a in page(admin_client.get("/dashboards/")).select("table tbody a")] == [
        "HMP North",
        "HMP South",
    ]
    lead_client = sign_in(app.test_client(), lead)
    mentor_client = sign_in(app.test_client(), mentor)
    for client, url in [
        (lead_client, f"/dashboards/establishments/{south.public_id}"),
        (lead_client, f"/dashboards/establishments/{south.public_id}/export.csv"),
        (mentor_client, f"/dashboards/establishments/{north.public_id}"),
        (mentor_client, f"/dashboards/establishments/{north.public_id}/export.csv"),
        (mentor_client, "/dashboards/"),
        (mentor_client, f"/mentor/cohorts/{two_prisons['bravo'].public_id}"),
    ]:
        assert client.get(url).status_code == 404, url


def test_an_admin_can_open_a_cohort_dashboard_from_the_establishment_view(app, admin, two_prisons):
    client = sign_in(app.test_client(), admin)
    soup = page(client.get(f"/dashboards/establishments/{two_prisons['north'].public_id}"))
    link = soup.select_one("#table-cohorts a")["href"]
    assert client.get(link).status_code == 200


def test_viewing_the_establishment_writes_one_audit_event(app, admin, two_prisons):
    client = sign_in(app.test_client(), admin)
    client.get(f"/dashboards/establishments/{two_prisons['north'].public_id}")
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.actor_id == admin.id)))
    assert [(e.action, e.object_id, e.detail) for e in events] == [
        ("establishment.dashboard.viewed", str(two_prisons["north"].public_id), None)
    ]


# --- Queries do not grow with the number of learners ------------------------------------------------


def _queries_for(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm up: the first request loads things once per process
    with count_queries() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("view", ["cohort", "establishment", "home"])
def test_the_number_of_queries_is_the_same_for_5_and_50_learners(app, view):
    jobs = [make_job(name="Job A")[0], make_job(name="Job B")[0]]
    skills = [link.skill for job in jobs for link in job.required_skills]
    modules = [
        factories.make_module(skills=dict.fromkeys(skills[:2], SkillLevel.WORKING)),
        factories.make_module(skills=dict.fromkeys(skills[2:], SkillLevel.AWARENESS)),
    ]
    counts = []
    for size in (5, 50):
        establishment = factories.make_establishment()
        cohort = factories.make_cohort(establishment=establishment)
        mentor = factories.make_mentor(cohorts=[cohort], is_establishment_lead=True)
        factories.make_cohort(establishment=establishment)  # a second, empty cohort in the establishment view
        populate_cohort(cohort, mentor, size, jobs=jobs, modules=modules)
        client = sign_in(app.test_client(), mentor)
        url = {
            "cohort": f"/mentor/cohorts/{cohort.public_id}",
            "establishment": f"/dashboards/establishments/{establishment.public_id}",
            "home": "/mentor/",
        }[view]
        counts.append(_queries_for(client, url))
    assert counts[0] == counts[1], f"{counts[0]} queries for 5 learners, {counts[1]} for 50"
    assert counts[0] < 40
