"""The establishment view's figures, summed up by the database, against the row-by-row dashboard they replace.

`dashboards.summarise_establishment` counts learners per cohort, band, barrier and skill in SQL, reading
each learner's band from their current readiness period. `dashboards.build_dashboard` scores every learner
in Python with `assess`: it is the oracle here. Both run over randomised worlds (several cohorts, role
levels with and without skills, awards at every level, barriers in every state, releases near and far) with
no filter, with each filter alone and with a few together, and must give the same numbers.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierStatus, Cohort, CohortMembership, RoleLevel, SkillLevel, User
from skillpath.services import paging
from skillpath.services.readiness import barriers, dashboards
from skillpath.services.readiness.dashboards import Filters, ReleaseWindow
from skillpath.services.readiness.readiness import Band
from tests import factories
from tests.integration._mentor_world import days_ago, finish_module, sign_off_module

NAMES = ["Nguyễn Thị Minh", "Zoë Adams", "Sam Price", "Samir Khan", "Łukasz Nowak", "Ann Lee", "Jo Smith"]


def _world(seed: int) -> tuple[list[Cohort], list[RoleLevel]]:
    """An establishment's cohorts (one of them empty) full of learners at random stages."""
    rng = random.Random(seed)
    skills = [factories.make_skill(name=f"Skill {letter}") for letter in "PQRST"]
    jobs = [
        factories.make_role_level(skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.WORKING}),
        factories.make_role_level(
            skills={skills[1]: SkillLevel.AWARENESS, skills[2]: SkillLevel.PRACTITIONER, skills[3]: SkillLevel.EXPERT}
        ),
        factories.make_role_level(),  # needs no skills: scored on barriers alone, and in no skill grid
    ]
    modules = [
        factories.make_module(skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.AWARENESS}),
        factories.make_module(skills={skills[1]: SkillLevel.EXPERT, skills[2]: SkillLevel.WORKING}),
        factories.make_module(skills={skills[2]: SkillLevel.PRACTITIONER, skills[3]: SkillLevel.EXPERT}),
        factories.make_module(skills={skills[0]: SkillLevel.AWARENESS, skills[4]: SkillLevel.WORKING}),
    ]
    establishment = factories.make_establishment()
    cohorts = [factories.make_cohort(establishment=establishment, name=f"Cohort {n}") for n in range(4)]
    mentor = factories.make_mentor(cohorts=cohorts)
    releases = [None, -5, 10, 80, 84, 85, 150, 183, 184, 400]
    for n in range(36):
        release = rng.choice(releases)
        learner = factories.make_learner(
            cohort=cohorts[rng.randrange(3)],  # the fourth cohort stays empty
            target_role_level=rng.choice([*jobs, None]),
            release_date=None if release is None else (datetime.now(UTC) + timedelta(days=release)).date(),
            password=None,
        )
        learner.learner_profile.preferred_name = f"{rng.choice(NAMES)} {n}"
        learner.learner_profile.last_activity_at = days_ago(rng.randrange(30))
        _progress(rng, learner, mentor, modules)
        _barriers(rng, learner, mentor)
    _gone(cohorts[0], mentor, jobs[0])
    db.session.flush()
    return cohorts, jobs


def _progress(rng: random.Random, learner: User, mentor: User, modules: list[Any]) -> None:
    for module in modules:
        stage = rng.random()
        if stage < 0.35:
            sign_off_module(learner, module, mentor, at=days_ago(rng.randrange(2, 200)))
        elif stage < 0.55:
            finish_module(learner, module, at=days_ago(rng.randrange(2, 60)))


def _barriers(rng: random.Random, learner: User, mentor: User) -> None:
    for barrier in Barrier:
        state = rng.random()
        if state < 0.3:
            continue  # never touched: not started
        status = BarrierStatus.COMPLETED if state < 0.6 else BarrierStatus.IN_PROGRESS
        barriers.set_barrier(
            learner,
            barrier,
            status=status,
            already_in_place=state > 0.85,
            by=mentor,
            at=days_ago(rng.randrange(1, 150)),
        )


def _gone(cohort: Cohort, mentor: User, job: RoleLevel) -> None:
    """A learner who has left the cohort and one released: counted by neither."""
    left = factories.make_learner(cohort=cohort, target_role_level=job, password=None)
    membership = db.session.scalars(select(CohortMembership).where(CohortMembership.learner_id == left.id)).one()
    membership.left_at = datetime.now(UTC)
    released = factories.make_learner(cohort=cohort, target_role_level=job, password=None)
    released.learner_profile.released_at = datetime.now(UTC)


def _summary(summary: dashboards.CohortSummary) -> tuple[Any, ...]:
    return (
        summary.cohort.id if summary.cohort else None,
        summary.learners,
        dict(summary.bands),
        summary.awaiting_sign_off,
        summary.releases_soon,
    )


def _grids(grids: list[dashboards.CohortSkillGrid]) -> list[tuple[Any, ...]]:
    return [
        (
            grid.role_level.id,
            grid.skills,
            [(cohort.id, [(cell.met, cell.learners) for cell in cells]) for cohort, cells in grid.rows],
        )
        for grid in grids
    ]


def _weeks(weeks: list[Any]) -> list[tuple[Any, ...]]:
    return [(week.starts, dict(week.counts), round(week.mean_score, 6)) for week in weeks]


def _assert_same(app: Any, cohorts: list[Cohort], filters: Filters) -> None:
    today = datetime.now(UTC).date()
    old = dashboards.build_dashboard(cohorts, app.config, filters=filters, today=today)
    new = dashboards.summarise_establishment(cohorts, filters=filters, today=today, matches_shown=5)
    where = f"with {filters}"
    assert new.total == old.selection.total, where
    assert new.shown == len(old.rows), where
    assert [level.id for level in new.role_levels] == [level.id for level in old.selection.role_levels], where
    assert [_summary(s) for s in new.summaries] == [_summary(s) for s in old.summaries], where
    assert _summary(new.overall) == _summary(old.overall), where
    assert new.distribution == old.distribution, where
    assert new.barriers_outstanding == old.barriers_outstanding, where
    assert _grids(new.cohort_grids) == _grids(old.cohort_grids), where
    assert _weeks(new.weeks) == _weeks(old.weeks), where
    if filters.name:
        cohort_of = {cohort.id: cohort for cohort in cohorts}
        expected = [
            (row.learner.public_id, cohort_of[row.cohort_id].id, row.readiness.band, row.learner.target_role_level)
            for row in old.rows[:5]
        ]
        assert new.matches is not None
        found = [(match.public_id, match.cohort.id, match.band, match.role_level) for match in new.matches]
        assert found == expected, where
    else:
        assert new.matches is None


def _filters(jobs: list[RoleLevel]) -> list[Filters]:
    singles = [
        Filters(),
        *(Filters(role_level=job.public_id) for job in jobs),
        *(Filters(band=band) for band in Band),
        *(Filters(release=window) for window in ReleaseWindow),
        Filters(name="sam"),
        Filters(name="NGUYEN minh"),
        Filters(name="lukasz"),
        Filters(name="nobody at all"),
    ]
    together = [
        Filters(role_level=jobs[0].public_id, band=Band.BUILDING),
        Filters(band=Band.NOT_STARTED, release=ReleaseWindow.TWELVE_WEEKS),
        Filters(role_level=jobs[1].public_id, release=ReleaseWindow.SIX_MONTHS, name="a"),
        Filters(band=Band.NEARLY_READY, name="e"),
    ]
    return singles + together


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_establishment_figures_from_sql_match_the_row_by_row_dashboard(app, seed):
    cohorts, jobs = _world(seed)

    for filters in _filters(jobs):
        _assert_same(app, cohorts, filters)


def test_an_establishment_with_no_cohorts_has_no_learners_and_empty_weeks(app):
    overview = dashboards.summarise_establishment([])

    assert (overview.total, overview.shown, overview.summaries, overview.cohort_grids) == (0, 0, [], [])
    assert overview.distribution == dict.fromkeys(Band, 0)
    assert all(week.learners == 0 for week in overview.weeks)


def _awaiting(items: list[Any]) -> list[tuple[Any, ...]]:
    return [(row.learner.public_id, row.cohort_id, state.enrolment.id, state.last_activity_at) for row, state in items]


def _learners(items: list[Any]) -> list[tuple[Any, ...]]:
    return [(row.learner.public_id, row.cohort_id, row.learner.last_activity_at) for row in items]


def _releasing(items: list[Any]) -> list[tuple[Any, ...]]:
    return [(row.learner.public_id, row.cohort_id, tuple(row.open_barriers)) for row in items]


@pytest.mark.parametrize("seed", [1, 2])
def test_the_cohort_summaries_and_to_do_lists_from_sql_match_the_rows(app, monkeypatch, seed):
    cohorts, _jobs = _world(seed)
    now = datetime.now(UTC)
    ids = [cohort.id for cohort in cohorts]
    rows = dashboards.select_learners(ids, app.config, today=now.date()).rows
    old = dashboards.worklist(rows, now=now)
    assert min(len(old.awaiting), len(old.inactive), len(old.releasing_with_barriers)) > 7  # several pages each

    assert [_summary(s) for s in dashboards.summarise_cohorts(cohorts, now.date())] == [
        _summary(s) for s in dashboards.summarise(cohorts, rows, now.date())
    ]
    # The home page reads both in one pass (home_figures); each on its own must say the same.
    summaries, at_home = dashboards.home_figures(cohorts, now=now, shown=4)
    assert [_summary(s) for s in summaries] == [_summary(s) for s in dashboards.summarise(cohorts, rows, now.date())]
    for to_do in (dashboards.list_to_do(ids, now=now, shown=4), at_home):
        assert (to_do.awaiting.total, _awaiting(to_do.awaiting.items)) == (
            len(old.awaiting),
            _awaiting(old.awaiting[:4]),
        )
        assert (to_do.inactive.total, _learners(to_do.inactive.items)) == (
            len(old.inactive),
            _learners(old.inactive[:4]),
        )
        assert (to_do.releasing_with_barriers.total, _releasing(to_do.releasing_with_barriers.items)) == (
            len(old.releasing_with_barriers),
            _releasing(old.releasing_with_barriers[:4]),
        )
    monkeypatch.setattr(dashboards, "WORKLIST_PAGE_SIZE", 7)
    shape = {
        dashboards.WorklistKind.AWAITING: _awaiting,
        dashboards.WorklistKind.INACTIVE: _learners,
        dashboards.WorklistKind.RELEASING: _releasing,
    }
    for kind, plain in shape.items():
        for number in range(0, 9):  # before the first page and past the last, too
            new = dashboards.worklist_page(ids, kind, number, now=now)
            expected = paging.page_of(old.of(kind), number, 7)
            assert (new.number, new.pages, new.total, new.asked) == (
                expected.number,
                expected.pages,
                expected.total,
                expected.asked,
            ), (kind, number)
            assert plain(new.items) == plain(expected.items), (kind, number)
