"""Every staff page costs the same number of SQL statements however much data there is, and stays small.

The pages are read from `app.url_map` (every GET endpoint that mentors or administrators may open and
learners may not), so a new staff page is covered without anyone remembering to add it. Each is opened
as every staff role that may use it, with real values in its address (tests/integration/_fuzz_world.py),
in a small world and again after the world has grown: more establishments, more cohorts in the head of
education's establishment, more learners with progress, sign-offs and barriers everywhere. The number of
statements must not change, and no page may be over 200 KB.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from skillpath.auth.policy import ACCESS_ATTRIBUTE
from skillpath.extensions import db
from skillpath.models import Cohort, Module, RoleLevel, SkillLevel, UserRole
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page
from tests.integration._fuzz_world import FuzzWorld, build_world
from tests.integration._mentor_world import count_queries, make_job, populate_cohort

MAX_PAGE_BYTES = 200 * 1024

# Pages whose statements are allowed to grow with the data, each with its reason. Empty: none may.
GROWS_ON_PURPOSE: dict[str, str] = {}


@dataclass
class Growth:
    """What the world grows by: another establishment or two, each with cohorts of learners, and more of
    everything in the head of education's own establishment."""

    establishments: int
    cohorts_each: int
    learners_each: int


SMALL = Growth(establishments=1, cohorts_each=1, learners_each=2)
LARGER = Growth(establishments=3, cohorts_each=2, learners_each=4)


def _staff_pages(app: Flask) -> list[tuple[Rule, UserRole]]:
    """(rule, role) for every GET page open to mentors or administrators and closed to learners."""
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTRIBUTE, None)
        if not isinstance(access, frozenset) or UserRole.LEARNER in access or "GET" not in (rule.methods or ()):
            continue
        pages += [(rule, role) for role in (UserRole.MENTOR, UserRole.ADMIN) if role in access]
    return pages


def _url(app: Flask, rule: Rule, world: FuzzWorld, role: UserRole) -> str:
    values = {}
    blueprint = rule.endpoint.rpartition(".")[0]
    for name in rule.arguments:
        keys = [(rule.endpoint, name), (blueprint, name), (str(role), name)]
        value = next((world.endpoint_values[key] for key in keys if key in world.endpoint_values), None)
        values[name] = value or world.values[name]
    return app.url_map.bind("localhost").build(rule.endpoint, values, method="GET")


def _grow(world: FuzzWorld, growth: Growth, jobs: list[RoleLevel], modules: list[Module]) -> None:
    """Add learners with progress to the head's establishment (a new cohort of theirs, and more in the one
    the world's learner is in) and to new establishments, each with a mentor."""
    learners_cohort = db.session.scalar(select(Cohort).where(Cohort.public_id == uuid.UUID(world.values["cohort_id"])))
    assert learners_cohort is not None
    populate_cohort(learners_cohort, world.mentor, growth.learners_each, jobs=jobs, modules=modules)
    extra = factories.make_cohort(establishment=learners_cohort.establishment)
    populate_cohort(extra, world.mentor, growth.learners_each, jobs=jobs, modules=modules)
    for _ in range(growth.establishments):
        establishment = factories.make_establishment()
        cohorts = [factories.make_cohort(establishment=establishment) for _ in range(growth.cohorts_each)]
        mentor = factories.make_mentor(cohorts=cohorts)
        for cohort in cohorts:
            populate_cohort(cohort, mentor, growth.learners_each, jobs=jobs, modules=modules)
    db.session.flush()


def _measure(client: FlaskClient, url: str) -> tuple[int, int, int, str]:
    """(status, statements, bytes, mimetype) of the second opening: the first warms per-process caches."""
    client.get(url)
    with count_queries() as statements:
        response = client.get(url)
        body = response.get_data()  # a streamed export runs its queries while it is read
    return response.status_code, len(statements), len(body), response.mimetype


def _measure_all(
    app: Flask, pages: list[tuple[Rule, UserRole]], clients: dict[UserRole, FlaskClient], world: FuzzWorld
) -> dict[tuple[str, UserRole], tuple[int, int, int, str]]:
    return {(rule.endpoint, role): _measure(clients[role], _url(app, rule, world, role)) for rule, role in pages}


def test_every_staff_page_is_covered(app):
    """The walk finds the pages it should: if this fails, the access rules or the URL map changed shape."""
    endpoints = {rule.endpoint for rule, _role in _staff_pages(app)}
    assert {"mentors.home", "mentors.worklist", "dashboards.index", "dashboards.establishment", "admin.home"} <= (
        endpoints
    )
    assert set(GROWS_ON_PURPOSE) <= endpoints


def test_no_staff_page_costs_more_statements_as_the_data_grows_or_is_over_200_kb(app):
    world = build_world()
    job, skills = make_job(level=SkillLevel.AWARENESS)
    other_job, _skills = make_job()
    modules = [
        factories.make_module(skills=dict.fromkeys(skills, SkillLevel.WORKING)),
        factories.make_module(skills=dict.fromkeys(skills, SkillLevel.AWARENESS)),
    ]
    jobs = [job, other_job]
    _grow(world, SMALL, jobs, modules)
    db.session.commit()
    clients = {
        UserRole.MENTOR: sign_in(app.test_client(), world.mentor),
        UserRole.ADMIN: sign_in(app.test_client(), world.admin),
    }
    pages = _staff_pages(app)

    before = _measure_all(app, pages, clients, world)
    _grow(world, LARGER, jobs, modules)
    db.session.commit()
    after = _measure_all(app, pages, clients, world)

    server_errors = [f"{page} gave {after[page][0]}" for page in after if after[page][0] >= 500]
    assert not server_errors
    grew = [
        f"{endpoint} as {role}: {before[endpoint, role][1]} statements, then {after[endpoint, role][1]}"
        for endpoint, role in after
        if after[endpoint, role][1] != before[endpoint, role][1] and endpoint not in GROWS_ON_PURPOSE
    ]
    assert not grew, "statements grew with the data:\n" + "\n".join(grew)
    too_big = [
        f"{endpoint} as {role}: {size:,} bytes"
        for (endpoint, role), (_status, _count, size, mimetype) in after.items()
        if mimetype == "text/html" and size > MAX_PAGE_BYTES
    ]
    assert not too_big, "pages over 200 KB:\n" + "\n".join(too_big)
    pages_shown = [page for page, (status, *_rest) in after.items() if status == 200]
    assert len(pages_shown) >= 30, "most staff pages should open for the world's head of education or admin"


def test_the_staff_list_shows_a_hundred_accounts_a_page(admin_client):
    for n in range(101):
        factories.make_mentor(display_name=f"Mentor {n:03d}")
    first = page(admin_client.get("/admin/staff"))
    last = page(admin_client.get("/admin/staff?page=2"))
    past = page(admin_client.get("/admin/staff?page=7"))
    assert len(first.select("tbody tr")) == 100
    assert len(last.select("tbody tr")) == 2  # the hundred and first mentor, and the administrator
    assert last.select_one("nav.govuk-pagination [aria-current=page]").get_text(strip=True) == "2"
    assert "There is no page 7: this is the last page." in past.get_text(" ")


def test_the_staff_list_pages_in_the_database_and_shows_each_account_once(admin_client):
    for _ in range(101):
        factories.make_mentor(display_name="Same Name")  # ties on the name, across the page boundary
    shown = []
    for number in (1, 2):
        rows = page(admin_client.get(f"/admin/staff?page={number}")).select("tbody tr")
        shown += [row.select("td")[1].get_text(strip=True) for row in rows]  # the username
    assert len(shown) == len(set(shown)) == 102  # every account once: the 101 mentors and the administrator
