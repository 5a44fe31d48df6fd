"""Reading the catalogue: target role levels offered to learners, and modules with filters."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skillpath.extensions import db
from skillpath.models import DdatRole, Module, ModuleSkill, RoleLevel, RoleLevelSkill, Skill, SkillLevel


def list_target_role_levels() -> list[RoleLevel]:
    """Entry-level role levels that have our plain-English description, so learners can choose them."""
    return list(
        db.session.scalars(
            select(RoleLevel)
            .where(RoleLevel.is_entry_level.is_(True), RoleLevel.plain_title.is_not(None))
            .options(selectinload(RoleLevel.role).selectinload(DdatRole.family))
            .order_by(RoleLevel.plain_title)
        )
    )


def get_role_level(public_id: object) -> RoleLevel | None:
    return db.session.scalar(select(RoleLevel).where(RoleLevel.public_id == public_id))


def get_module_by_code(code: str) -> Module | None:
    return db.session.scalar(
        select(Module)
        .where(Module.code == code.upper(), Module.is_published.is_(True))
        .options(
            selectinload(Module.units),
            selectinload(Module.skills).selectinload(ModuleSkill.skill),
            selectinload(Module.essential_areas),
        )
    )


def list_modules(
    *, role_level: RoleLevel | None = None, skill: Skill | None = None, level: SkillLevel | None = None
) -> list[Module]:
    """Published modules, optionally only those that evidence a role level's skills, one skill, or a level."""
    query = select(Module).where(Module.is_published.is_(True))
    if role_level is not None:
        query = query.where(
            Module.id.in_(
                select(ModuleSkill.module_id)
                .join(RoleLevelSkill, RoleLevelSkill.skill_id == ModuleSkill.skill_id)
                .where(RoleLevelSkill.role_level_id == role_level.id)
            )
        )
    if skill is not None:
        query = query.where(Module.id.in_(select(ModuleSkill.module_id).where(ModuleSkill.skill_id == skill.id)))
    if level is not None:
        query = query.where(Module.id.in_(select(ModuleSkill.module_id).where(ModuleSkill.level == level)))
    query = query.options(
        selectinload(Module.skills).selectinload(ModuleSkill.skill),
        selectinload(Module.units),
        selectinload(Module.essential_areas),
    ).order_by(Module.code)
    return list(db.session.scalars(query))


def list_skills_in_modules() -> list[Skill]:
    return list(
        db.session.scalars(select(Skill).where(Skill.id.in_(select(ModuleSkill.skill_id))).order_by(Skill.name))
    )


def get_skill(skill_id: int) -> Skill | None:
    return db.session.get(Skill, skill_id)
