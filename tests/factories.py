"""Plain functions that make test data, with keyword defaults. They flush, never commit."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from skillpath.auth.passwords import hash_secret
from skillpath.extensions import db
from skillpath.models import (
    Cohort,
    CohortMembership,
    DdatRole,
    Establishment,
    LearnerProfile,
    Module,
    ModuleSkill,
    ModuleUnit,
    RoleFamily,
    RoleLevel,
    RoleLevelSkill,
    Skill,
    SkillLevel,
    User,
    UserRole,
)

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def _n() -> int:
    return next(_counter)


def _letters(n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return alphabet[(n // 676) % 26] + alphabet[(n // 26) % 26] + alphabet[n % 26]


def make_establishment(**kwargs: Any) -> Establishment:
    n = _n()
    kwargs.setdefault("name", f"HMP Example {n}")
    kwargs.setdefault("code", _letters(n + 1000))
    establishment = Establishment(**kwargs)
    db.session.add(establishment)
    db.session.flush()
    return establishment


def make_cohort(*, establishment: Establishment | None = None, **kwargs: Any) -> Cohort:
    kwargs.setdefault("name", f"Cohort {_n()}")
    cohort = Cohort(establishment=establishment or make_establishment(), **kwargs)
    db.session.add(cohort)
    db.session.flush()
    return cohort


def make_user(*, role: UserRole, password: str | None = PASSWORD, **kwargs: Any) -> User:
    n = _n()
    kwargs.setdefault("username", f"{role.value}{n}")
    kwargs.setdefault("display_name", f"Test {role.label} {n}")
    user = User(
        role=role,
        password_hash=hash_secret(password) if password else None,
        **kwargs,
    )
    db.session.add(user)
    db.session.flush()
    return user


def make_admin(**kwargs: Any) -> User:
    return make_user(role=UserRole.ADMIN, **kwargs)


def make_mentor(*, cohorts: list[Cohort] | None = None, **kwargs: Any) -> User:
    cohorts = cohorts or []
    if "establishment" not in kwargs and cohorts:
        kwargs["establishment"] = cohorts[0].establishment
    mentor = make_user(role=UserRole.MENTOR, **kwargs)
    for cohort in cohorts:
        cohort.mentors.append(mentor)
    db.session.flush()
    return mentor


def make_learner(
    *,
    cohort: Cohort | None = None,
    prison_number: str | None = "A1234BC",
    release_date: date | None = None,
    target_role_level: RoleLevel | None = None,
    **kwargs: Any,
) -> User:
    cohort = cohort or make_cohort()
    learner = make_user(role=UserRole.LEARNER, **kwargs)
    learner.learner_profile = LearnerProfile(
        preferred_name=learner.display_name,
        establishment_id=cohort.establishment_id,
        prison_number=prison_number,
        release_date=release_date,
        target_role_level=target_role_level,
    )
    db.session.add(CohortMembership(cohort_id=cohort.id, learner_id=learner.id))
    db.session.flush()
    return learner


def make_skill(**kwargs: Any) -> Skill:
    kwargs.setdefault("name", f"Skill {_n()}")
    skill = Skill(**kwargs)
    db.session.add(skill)
    db.session.flush()
    return skill


def make_role_level(*, skills: dict[Skill, SkillLevel] | None = None, **kwargs: Any) -> RoleLevel:
    n = _n()
    family = RoleFamily(name=f"Family {n}")
    role = DdatRole(name=f"Role {n}", family=family)
    kwargs.setdefault("name", f"Associate role {n}")
    kwargs.setdefault("is_entry_level", True)
    kwargs.setdefault("plain_title", f"Do useful job {n}")
    level = RoleLevel(role=role, level_order=1, **kwargs)
    for skill, skill_level in (skills or {}).items():
        level.required_skills.append(RoleLevelSkill(skill=skill, level=skill_level))
    db.session.add(level)
    db.session.flush()
    return level


def make_module(*, units: int = 3, skills: dict[Skill, SkillLevel] | None = None, **kwargs: Any) -> Module:
    n = _n()
    kwargs.setdefault("code", f"T{n:03d}")
    kwargs.setdefault("title", f"Test module {n}")
    kwargs.setdefault("summary", "A module for tests.")
    kwargs.setdefault("estimated_hours", 4)
    module = Module(**kwargs)
    for position in range(1, units + 1):
        module.units.append(ModuleUnit(position=position, title=f"Part {position}", body="Do this."))
    for skill, level in (skills or {}).items():
        module.skills.append(ModuleSkill(skill=skill, level=level))
    db.session.add(module)
    db.session.flush()
    return module
