"""Loading what the readiness rule needs, for one learner or many, in a fixed number of queries.

Dashboards call this for whole cohorts, so nothing here queries per learner.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from functools import cache

from sqlalchemy import String, select, type_coerce

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierItem, BarrierStatus, RoleLevelSkill, Skill, SkillAward, SkillLevel, User
from skillpath.services.readiness.readiness import (
    ALREADY_IN_PLACE,
    BarrierState,
    Readiness,
    ReadinessRules,
    RequiredSkill,
    assess,
)
from skillpath.services.readiness.scope import LearnerSet, among, is_empty


def held_levels(learners: LearnerSet) -> dict[int, dict[int, SkillLevel]]:
    """The highest level of each skill each learner has been awarded."""
    held: dict[int, dict[int, SkillLevel]] = defaultdict(dict)
    if is_empty(learners):
        return held
    rows = db.session.execute(
        select(SkillAward.learner_id, SkillAward.skill_id, SkillAward.level).where(
            among(SkillAward.learner_id, learners)
        )
    )
    for learner_id, skill_id, level in rows:
        current = held[learner_id].get(skill_id)
        if current is None or level.rank > current.rank:
            held[learner_id][skill_id] = level
    return held


def barrier_states(learners: LearnerSet) -> dict[int, list[BarrierState]]:
    states: dict[int, list[BarrierState]] = defaultdict(list)
    if is_empty(learners):
        return states
    # Plain rows with the codes as text, not BarrierItem objects: an establishment's dashboard reads
    # ten thousand of them, and building objects (or enum members through the column type) was most of the cost.
    rows = (
        db.session.connection()
        .execute(
            select(
                BarrierItem.learner_id,
                type_coerce(BarrierItem.barrier, String),
                type_coerce(BarrierItem.status, String),
                BarrierItem.already_in_place,
            ).where(among(BarrierItem.learner_id, learners))
        )
        .all()
    )
    for learner_id, barrier, status, already_in_place in rows:
        states[learner_id].append(_barrier_state(barrier, status, already_in_place))
    return states


_BARRIERS = {barrier.value: barrier for barrier in Barrier}


@cache
def _barrier_state(barrier: str, status: str, already_in_place: bool) -> BarrierState:
    """One shared (immutable) state for each of the few combinations, rather than an object per row."""
    resolved = already_in_place or status == BarrierStatus.COMPLETED  # as BarrierItem.is_resolved
    code = ALREADY_IN_PLACE if already_in_place else status
    return BarrierState(_BARRIERS[barrier], resolved, code)


def required_skills(role_level_ids: Collection[int]) -> dict[int, list[RequiredSkill]]:
    required: dict[int, list[RequiredSkill]] = defaultdict(list)
    if not role_level_ids:
        return required
    rows = db.session.execute(
        select(RoleLevelSkill.role_level_id, Skill.id, Skill.name, RoleLevelSkill.level)
        .join(Skill, Skill.id == RoleLevelSkill.skill_id)
        .where(RoleLevelSkill.role_level_id.in_(role_level_ids))
    )
    for role_level_id, skill_id, name, level in rows:
        required[role_level_id].append(RequiredSkill(skill_id, name, level))
    return required


def readiness_for(learners: Collection[User], config: Mapping[str, object]) -> dict[int, Readiness]:
    """Readiness of each learner for their own target role level: four queries whatever the number."""
    rules = ReadinessRules.from_config(config)
    ids = [learner.id for learner in learners]
    targets = {
        learner.id: learner.learner_profile.target_role_level_id
        for learner in learners
        if learner.learner_profile is not None
    }
    required = required_skills({t for t in targets.values() if t is not None})
    held = held_levels(ids)
    barriers = barrier_states(ids)
    result = {}
    for learner_id in ids:
        target = targets.get(learner_id)
        result[learner_id] = assess(
            required.get(target, []) if target else [],
            held.get(learner_id, {}),
            barriers.get(learner_id, []),
            rules,
            has_target=target is not None,
        )
    return result
