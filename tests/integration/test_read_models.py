"""The read models kept on write give the same rows as a rebuild from the logs alone, and what dashboards read
from them (weeks of readiness, modules awaiting sign-off) is what replaying the logs gives."""

import itertools
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from skillpath.extensions import db
from skillpath.models import (
    Barrier,
    BarrierChange,
    BarrierStatus,
    Enrolment,
    EnrolmentState,
    Evidence,
    ProgressEvent,
    ProgressKind,
    ReadinessPeriod,
    SkillAward,
    SkillLevel,
)
from skillpath.services.learners.account_closure import CertificateChoice, close_account
from skillpath.services.progress import learning, progress
from skillpath.services.progress.evidence import add_evidence, remove_evidence
from skillpath.services.progress.progress import ModuleStatus, list_module_progress
from skillpath.services.readiness import barriers, read_models
from skillpath.services.readiness.dashboards import modules_awaiting_sign_off, next_awaiting_sign_off
from skillpath.services.readiness.readiness import ReadinessRules
from skillpath.services.readiness.readiness_history import weekly_readiness_from_periods, weekly_readiness_of
from skillpath.services.readiness.scope import current_learner_ids
from tests import factories

NOW = datetime.now(UTC).replace(microsecond=0)


def _rules(app) -> ReadinessRules:
    return ReadinessRules.from_config(app.config)


def _snapshot() -> tuple[list[tuple], list[tuple]]:
    db.session.flush()
    periods = db.session.execute(
        select(
            ReadinessPeriod.learner_id,
            ReadinessPeriod.starts,
            ReadinessPeriod.ends,
            ReadinessPeriod.score,
            ReadinessPeriod.band,
        ).order_by(ReadinessPeriod.learner_id, ReadinessPeriod.starts)
    ).all()
    states = db.session.execute(
        select(
            EnrolmentState.enrolment_id,
            EnrolmentState.learner_id,
            EnrolmentState.module_id,
            EnrolmentState.status,
            EnrolmentState.units_done,
            EnrolmentState.evidence_count,
            EnrolmentState.last_activity_at,
        ).order_by(EnrolmentState.enrolment_id)
    ).all()
    return [tuple(row) for row in periods], [tuple(row) for row in states]


def assert_incremental_equals_rebuild(app) -> tuple[list[tuple], list[tuple]]:
    """What the listener kept equals a fresh working-out, and a rebuild from scratch changes nothing."""
    assert read_models.check_all(_rules(app)) == []
    kept = _snapshot()
    db.session.execute(delete(ReadinessPeriod))
    db.session.execute(delete(EnrolmentState))
    assert _snapshot() == ([], [])
    read_models.rebuild_all(_rules(app), batch_size=7)
    assert _snapshot() == kept
    return kept


def _week(moment: datetime) -> date:
    return (moment - timedelta(days=moment.weekday())).date()


# --- (a) one learner's history, through the services ------------------------------------------------------


def test_a_history_driven_through_the_services_is_kept_as_a_rebuild_would_make_it(app, cohort, mentor, tmp_path):
    skill_a, skill_b = factories.make_skill(), factories.make_skill()
    level = factories.make_role_level(skills={skill_a: SkillLevel.WORKING, skill_b: SkillLevel.WORKING})
    other_level = factories.make_role_level(skills={skill_a: SkillLevel.WORKING})
    first = factories.make_module(units=2, skills={skill_a: SkillLevel.WORKING})
    second = factories.make_module(units=1, skills={skill_b: SkillLevel.AWARENESS})
    start = NOW - timedelta(weeks=20)
    learner = factories.make_learner(cohort=cohort, target_role_level=level, created_at=start)
    assert _snapshot()[0] == [(learner.id, _week(start), None, 0, "Not started")]

    def week(n: int) -> datetime:
        return start + timedelta(weeks=n)

    enrolment = progress.enrol(learner, first, actor=learner, at=week(1))
    for unit in first.units:
        progress.set_unit_done(enrolment, unit, True, actor=learner, at=week(2))
    add_evidence(enrolment, reflection="I reset a password.", upload=None, actor=learner, storage=None)
    db.session.flush()
    assert read_models.check_all(_rules(app)) == []
    assert [s.status for s in modules_awaiting_sign_off([learner.id])[learner.id]] == [ModuleStatus.READY_FOR_SIGN_OFF]

    # Evidence is logged as it is added (now): what follows it happens now too.
    progress.return_module(enrolment, feedback="Say which tool you used.", by=mentor)
    db.session.flush()
    assert modules_awaiting_sign_off([learner.id])[learner.id] == []
    assert read_models.check_all(_rules(app)) == []
    add_evidence(enrolment, reflection="I used the admin console.", upload=None, actor=learner, storage=None)
    db.session.flush()
    assert len(modules_awaiting_sign_off([learner.id])[learner.id]) == 1
    progress.sign_off_module(enrolment, by=mentor)

    for barrier in list(Barrier)[:3]:
        barriers.set_barrier(learner, barrier, status=BarrierStatus.COMPLETED, by=mentor, at=week(5))
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.COMPLETED, by=mentor, at=week(6))
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.NOT_STARTED, by=mentor, at=week(7))
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.IN_PROGRESS, by=mentor, at=week(8))
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.COMPLETED, by=mentor, at=week(8))

    later = progress.enrol(learner, second, actor=learner, at=week(9))
    progress.set_unit_done(later, second.units[0], True, actor=learner, at=week(10))
    kept = add_evidence(later, reflection="I wrote a ticket.", upload=None, actor=learner, storage=None)
    remove_evidence(kept, actor=learner)
    db.session.flush()
    assert modules_awaiting_sign_off([learner.id])[learner.id] == []  # its only evidence was removed
    before = _snapshot()[0]

    learner.learner_profile.target_role_level = other_level  # as choosing a job does
    db.session.flush()
    assert _snapshot()[0] != before  # every week is scored against the new target

    periods, states = assert_incremental_equals_rebuild(app)
    assert periods[0][1] == _week(start) and periods[-1][2] is None
    assert all(earlier[2] == later_[1] for earlier, later_ in itertools.pairwise(periods))
    assert {row[3] for row in states} == {ModuleStatus.SIGNED_OFF.value, ModuleStatus.IN_PROGRESS.value}


def test_choosing_a_job_and_a_new_learner_refresh_the_periods(app, cohort):
    skill = factories.make_skill()
    level = factories.make_role_level(skills={skill: SkillLevel.WORKING})
    learner = factories.make_learner(cohort=cohort, created_at=NOW - timedelta(weeks=3))
    for band in ("Not started",):
        assert [row[4] for row in _snapshot()[0]] == [band]
    db.session.add(
        SkillAward(
            learner_id=learner.id, skill_id=skill.id, level=SkillLevel.WORKING, awarded_at=NOW - timedelta(weeks=1)
        )
    )
    db.session.flush()
    assert [row[3] for row in _snapshot()[0]] == [0]  # no target yet: nothing counts

    learning.choose_target_role(learner, level.public_id)
    db.session.flush()
    assert [row[3] for row in _snapshot()[0]] == [0, 80]
    assert_incremental_equals_rebuild(app)


# --- (b) the demo ---------------------------------------------------------------------------------------------


def test_the_demo_data_is_kept_as_a_rebuild_would_make_it(app):
    from skillpath.services.catalogue.catalogue_data import load_catalogue

    load_catalogue()
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    periods, states = assert_incremental_equals_rebuild(app)
    assert len({row[0] for row in periods}) > 10
    assert ModuleStatus.READY_FOR_SIGN_OFF.value in {row[3] for row in states}

    checked = app.test_cli_runner().invoke(args=["read-models", "check"])
    assert checked.exit_code == 0, checked.output
    db.session.execute(delete(ReadinessPeriod).where(ReadinessPeriod.learner_id == periods[0][0]))
    checked = app.test_cli_runner().invoke(args=["read-models", "check"])
    assert checked.exit_code == 1
    rebuilt = app.test_cli_runner().invoke(args=["read-models", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert _snapshot() == (periods, states)

    # A database just upgraded to the read models has learners and no rows: `make run` fills it once.
    skipped = app.test_cli_runner().invoke(args=["read-models", "rebuild-if-empty"])
    assert "already" in skipped.output
    db.session.execute(delete(ReadinessPeriod))
    db.session.execute(delete(EnrolmentState))
    filled = app.test_cli_runner().invoke(args=["read-models", "rebuild-if-empty"])
    assert filled.exit_code == 0, filled.output
    assert _snapshot() == (periods, states)


# --- (c) a randomised history -------------------------------------------------------------------------------


class RandomWorld:
    """Learners with events logged in random order of time, back-dated ones included, written straight to the
    tables (as the services would write them) so that many histories are cheap to make."""

    def __init__(self, rng: random.Random, cohort, mentor, learners: int = 24) -> None:
        self.rng = rng
        self.mentor = mentor
        skills = [factories.make_skill() for _ in range(5)]
        levels = list(SkillLevel)
        self.levels = [
            factories.make_role_level(skills={skill: rng.choice(levels[:3]) for skill in rng.sample(skills, k)})
            for k in (1, 3, 5)
        ]
        self.modules = [
            factories.make_module(
                units=rng.randint(1, 3), skills={skill: rng.choice(levels) for skill in rng.sample(skills, 2)}
            )
            for _ in range(6)
        ]
        self.learners = []
        for _ in range(learners):
            created = NOW - timedelta(weeks=rng.randint(0, 40), hours=rng.randint(0, 167))
            target = rng.choice([*self.levels, None])
            self.learners.append(factories.make_learner(cohort=cohort, target_role_level=target, created_at=created))

    def moment(self, learner) -> datetime:
        """Any time from a while before the learner's account (back-dated) to a week from now."""
        low = learner.created_at - timedelta(weeks=3)
        span = (NOW + timedelta(weeks=1) - low).total_seconds()
        return low + timedelta(seconds=self.rng.uniform(0, span))

    def play(self, actions: int) -> None:
        rng = self.rng
        for step in range(actions):
            learner = rng.choice(self.learners)
            roll = rng.random()
            at = self.moment(learner)
            if roll < 0.25:
                barrier, status = rng.choice(list(Barrier)), rng.choice(list(BarrierStatus))
                db.session.add(
                    BarrierChange(
                        learner_id=learner.id,
                        barrier=barrier,
                        status=status,
                        already_in_place=rng.random() < 0.2,
                        changed_at=at,
                        changed_by_id=self.mentor.id,
                    )
                )
            elif roll < 0.35:
                learner.learner_profile.target_role_level = rng.choice([*self.levels, None])
            else:
                self._progress(learner, at)
            if step % 7 == 0:
                db.session.flush()
        db.session.flush()

    def _progress(self, learner, at: datetime) -> None:
        rng = self.rng
        module = rng.choice(self.modules)
        enrolment = db.session.scalar(
            select(Enrolment).where(Enrolment.learner_id == learner.id, Enrolment.module_id == module.id)
        )
        if enrolment is None:
            enrolment = Enrolment(learner_id=learner.id, module_id=module.id, enrolled_at=at)
            db.session.add(enrolment)
            db.session.flush()
            progress.log_event(enrolment, ProgressKind.ENROLLED, actor=learner, at=at)
            return
        kind = rng.choice(["unit", "unit", "unit", "undo", "evidence", "evidence", "remove", "return", "sign"])
        if kind in ("unit", "undo"):
            unit = rng.choice(module.units)
            progress.log_event(
                enrolment,
                ProgressKind.UNIT_COMPLETED if kind == "unit" else ProgressKind.UNIT_UNDONE,
                actor=learner,
                at=at,
                unit_id=unit.id,
            )
        elif kind == "evidence":
            db.session.add(
                Evidence(learner_id=learner.id, enrolment_id=enrolment.id, reflection="Did it.", created_at=at)
            )
            progress.log_event(enrolment, ProgressKind.EVIDENCE_ADDED, actor=learner, at=at)
        elif kind == "remove":
            item = db.session.scalar(
                select(Evidence).where(Evidence.enrolment_id == enrolment.id, Evidence.removed_at.is_(None)).limit(1)
            )
            if item is not None:
                item.removed_at = at
                progress.log_event(enrolment, ProgressKind.EVIDENCE_REMOVED, actor=learner, at=at)
        elif kind == "return":
            progress.log_event(enrolment, ProgressKind.RETURNED, actor=self.mentor, at=at, note="Look again.")
        else:
            progress.sign_off(enrolment, mentor=self.mentor, at=at)


@pytest.fixture(params=[1, 7, 2026])
def world(request, app, cohort, mentor) -> RandomWorld:
    world = RandomWorld(random.Random(request.param), cohort, mentor)
    world.play(400)
    return world


def test_a_randomised_history_is_kept_as_a_rebuild_would_make_it(app, world):
    periods, states = assert_incremental_equals_rebuild(app)
    assert len({row[0] for row in periods}) == len(world.learners)
    assert len({row[3] for row in states}) >= 3


# --- (d) weeks read from the periods are the weeks the replay gives --------------------------------------------


def test_weeks_from_the_periods_equal_the_replay_of_the_logs(app, world, cohort):
    for weeks_back in (0, 9, 30):
        _compare_weeks(app, world, cohort, NOW.date() - timedelta(weeks=weeks_back, days=world.rng.randint(0, 6)))


def _compare_weeks(app, world, cohort, today: date) -> None:
    people = [
        (learner.id, learner.learner_profile.target_role_level_id, learner.created_at) for learner in world.learners
    ]
    replayed = weekly_readiness_of(people, app.config, weeks=26, today=today)
    assert weekly_readiness_from_periods(current_learner_ids([cohort.id]), weeks=26, today=today) == replayed
    assert weekly_readiness_from_periods([p[0] for p in people], weeks=26, today=today) == replayed

    kept = people[::3]
    expected = weekly_readiness_of(kept, app.config, weeks=26, today=today)
    from_periods = weekly_readiness_from_periods(
        current_learner_ids([cohort.id]), weeks=26, today=today, keep={p[0] for p in kept}
    )
    assert from_periods == expected
    assert weekly_readiness_from_periods(current_learner_ids([cohort.id]), weeks=26, today=today, keep=set()) == (
        weekly_readiness_of([], app.config, weeks=26, today=today)
    )


# --- (e) modules awaiting sign-off ------------------------------------------------------------------------------


def test_modules_awaiting_sign_off_are_those_the_log_says_are_ready(app, world, cohort):
    derived = {}
    for learner in world.learners:
        ready = [state for state in list_module_progress(learner) if state.status == ModuleStatus.READY_FOR_SIGN_OFF]
        derived[learner.id] = sorted(ready, key=lambda state: state.last_activity_at)

    def facts(states):
        return [
            (s.enrolment.id, s.done_unit_ids, s.units_done, s.evidence_count, s.feedback, s.last_activity_at)
            for s in states
        ]

    read = modules_awaiting_sign_off([learner.id for learner in world.learners])
    assert {i: facts(states) for i, states in read.items()} == {i: facts(states) for i, states in derived.items()}
    assert sum(len(states) for states in derived.values()) > 0
    by_cohort = modules_awaiting_sign_off(current_learner_ids([cohort.id]))
    assert {i: facts(s) for i, s in by_cohort.items() if s} == {i: facts(s) for i, s in derived.items() if s}

    first = min((s for states in derived.values() for s in states), key=lambda s: s.last_activity_at)
    chosen = next_awaiting_sign_off([cohort.id])
    assert chosen is not None and chosen.enrolment.id == first.enrolment.id


# --- (f) closing an account -----------------------------------------------------------------------------------


def test_closing_an_account_leaves_no_read_model_rows(app, cohort, mentor):
    world = RandomWorld(random.Random(12), cohort, mentor, learners=6)
    world.play(120)
    learner = next(learner for learner in world.learners if learner.id in _learners_with_states())
    close_account(learner, certificates=CertificateChoice.KEEP)
    db.session.flush()
    for table in (ReadinessPeriod, EnrolmentState):
        count = db.session.scalar(select(func.count()).select_from(table).where(table.learner_id == learner.id))
        assert count == 0
    assert (
        db.session.scalar(select(func.count()).select_from(ProgressEvent).where(ProgressEvent.learner_id == learner.id))
        == 0
    )
    assert read_models.check_all(_rules(app)) == []


def _learners_with_states() -> set[int]:
    return set(db.session.scalars(select(EnrolmentState.learner_id)))
