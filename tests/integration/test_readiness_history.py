"""Readiness week by week, replayed from the skill-award and barrier logs."""

from datetime import UTC, date, datetime

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierStatus, SkillAward, SkillLevel
from skillpath.services.readiness import barriers
from skillpath.services.readiness.readiness import Band
from skillpath.services.readiness.readiness_history import weekly_readiness
from tests import factories

TODAY = date(2026, 11, 25)  # a Wednesday; the last week starts Monday 23 November


def at(day: int, month: int = 11) -> datetime:
    return datetime(2026, month, day, 12, tzinfo=UTC)


def test_each_week_counts_learners_by_band_from_what_had_happened_by_then(app, cohort, mentor):
    skill_a, skill_b = factories.make_skill(), factories.make_skill()
    level = factories.make_role_level(skills={skill_a: SkillLevel.WORKING, skill_b: SkillLevel.WORKING})
    learner = factories.make_learner(cohort=cohort, target_role_level=level, created_at=at(1, 10))
    # Week of 2 Nov: skill A at awareness -> credit 0.5 of 40 points = 20.
    db.session.add(SkillAward(learner_id=learner.id, skill_id=skill_a.id, level=SkillLevel.AWARENESS, awarded_at=at(3)))
    # Week of 9 Nov: both skills at working -> 80 points.
    db.session.add(SkillAward(learner_id=learner.id, skill_id=skill_a.id, level=SkillLevel.WORKING, awarded_at=at(10)))
    db.session.add(SkillAward(learner_id=learner.id, skill_id=skill_b.id, level=SkillLevel.WORKING, awarded_at=at(10)))
    # Week of 16 Nov: every barrier done -> 100.
    for barrier in Barrier:
        barriers.set_barrier(learner, barrier, status=BarrierStatus.COMPLETED, by=mentor, at=at(17))
    db.session.flush()

    weeks = weekly_readiness([learner], app.config, weeks=5, today=TODAY)

    assert [week.starts for week in weeks] == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert [week.mean_score for week in weeks] == [0, 20, 80, 100, 100]
    assert [next(band for band, n in week.counts.items() if n) for week in weeks] == [
        Band.NOT_STARTED,
        Band.BUILDING,
        Band.NEARLY_READY,
        Band.READY,
        Band.READY,
    ]


def test_a_learner_is_not_counted_before_they_joined(app, cohort):
    learner = factories.make_learner(cohort=cohort, created_at=at(18))
    weeks = weekly_readiness([learner], app.config, weeks=3, today=TODAY)
    # Weeks are counted at their end: the learner is in the week they joined and after.
    assert [week.learners for week in weeks] == [0, 1, 1]
