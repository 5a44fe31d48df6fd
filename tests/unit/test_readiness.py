"""Hand-worked examples of the readiness rule (weights 0.8 skills, 0.2 barriers; bands at 60 and 85)."""

import pytest

from skillpath.models.catalogue import SkillLevel
from skillpath.models.work_readiness import Barrier
from skillpath.services.readiness.readiness import Band, BarrierState, ReadinessRules, RequiredSkill, assess

A, W, P = SkillLevel.AWARENESS, SkillLevel.WORKING, SkillLevel.PRACTITIONER

# Four required skills: 20 points each at weight 0.8. Eight barriers: 2.5 points each at weight 0.2.
REQUIRED = [
    RequiredSkill(1, "Customer service management", W),
    RequiredSkill(2, "IT service reporting", W),
    RequiredSkill(3, "Service focus", A),
    RequiredSkill(4, "Technical understanding", P),
]


def barriers(resolved: int) -> list[BarrierState]:
    return [BarrierState(b, resolved=i < resolved) for i, b in enumerate(Barrier)]


def test_nothing_held_and_no_barriers_resolved_is_not_started():
    result = assess(REQUIRED, {}, barriers(0))
    assert (result.score, result.band) == (0, Band.NOT_STARTED)
    assert len(result.missing) == 4 + 8


def test_every_skill_met_and_every_barrier_resolved_is_ready_at_100():
    result = assess(REQUIRED, {1: W, 2: P, 3: A, 4: P}, barriers(8))
    assert (result.score, result.band) == (100, Band.READY)
    assert result.missing == ()


def test_partial_credit_for_a_skill_held_below_the_required_level():
    # Skill 4 needs practitioner (rank 3); working (rank 2) earns 2/3 of its 20 points.
    # Skills: 20 + 20 + 20 + 13.33 = 73.33; barriers: 4 of 8 = 10. Total 83.33 -> 83.
    result = assess(REQUIRED, {1: W, 2: W, 3: A, 4: W}, barriers(4))
    assert result.score == 83
    assert result.band == Band.NEARLY_READY
    skill_gap = result.missing[0]
    assert skill_gap.name == "Technical understanding"
    assert skill_gap.points == pytest.approx(20 / 3)
    assert "practitioner" in skill_gap.reason and "working" in skill_gap.reason


def test_high_score_with_a_skill_below_its_level_is_never_ready():
    # 20+20+20+13.33 = 73.33 + barriers 20 = 93.33 -> 93, but one skill is not met.
    result = assess(REQUIRED, {1: W, 2: W, 3: A, 4: W}, barriers(8))
    assert result.score == 93
    assert result.band == Band.NEARLY_READY


def test_building_skills_band_below_the_nearly_ready_threshold():
    # Two skills fully held: 40 points; 2 barriers: 5 points -> 45.
    result = assess(REQUIRED, {1: W, 3: A}, barriers(2))
    assert (result.score, result.band) == (45, Band.BUILDING)


def test_a_skill_held_above_the_required_level_earns_no_more_than_full_credit():
    result = assess(REQUIRED[:1], {1: SkillLevel.EXPERT}, barriers(0))
    assert result.skills_share == 1.0
    assert result.score == 80


def test_missing_is_ordered_by_points_lost_and_top_three_are_the_biggest():
    result = assess(REQUIRED, {4: A}, barriers(0))
    points = [item.points for item in result.missing]
    assert points == sorted(points, reverse=True)
    assert [item.kind for item in result.top_missing] == ["skill", "skill", "skill"]
    # Technical understanding at awareness against practitioner: 1/3 earned, 13.33 lost - less than the others.
    assert result.missing[3].name == "Technical understanding"


def test_barriers_not_in_the_checklist_count_as_not_resolved():
    result = assess([], {}, [BarrierState(Barrier.ID, resolved=True)])
    # No skills required: full skill share (80) + 1 of 8 barriers (2.5) = 82.5 -> 82 (banker's rounding to even).
    assert result.score == 82
    assert {m.name for m in result.missing} == {b.label for b in Barrier if b is not Barrier.ID}


def test_no_target_role_is_not_started_and_says_to_choose_one():
    result = assess(REQUIRED, {1: W}, barriers(8), has_target=False)
    assert (result.score, result.band) == (0, Band.NOT_STARTED)
    assert result.missing[0].kind == "role"


def test_rules_come_from_configuration():
    rules = ReadinessRules.from_config(
        {"READINESS_SKILL_WEIGHT": "1", "READINESS_BARRIER_WEIGHT": "0", "READINESS_READY_FROM": 90}
    )
    result = assess(REQUIRED, {1: W, 2: W, 3: A, 4: P}, barriers(0), rules)
    assert (result.score, result.band) == (100, Band.READY)


@pytest.mark.parametrize(
    "kwargs", [{"skill_weight": 0.5, "barrier_weight": 0.2}, {"nearly_ready_from": 90, "ready_from": 80}]
)
def test_inconsistent_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        ReadinessRules(**kwargs)
