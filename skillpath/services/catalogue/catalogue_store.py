"""Idempotent writes to the skills framework: find by natural key, create if missing, update if changed.

Both the official CSV importer and SkillPath's own catalogue loader use these,
so a re-import updates rows and never duplicates them. Natural keys: role
family name; role name; (role, role level name); skill name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import DdatRole, RoleFamily, RoleLevel, RoleLevelSkill, Skill, SkillLevel


@dataclass
class UpsertCounts:
    """How many rows of each kind were created or updated."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def note(self, kind: str, *, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    def summary(self) -> str:
        def part(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())) or "nothing"

        return f"created {part(self.created)}; updated {part(self.updated)}"


def _set(obj: object, **values: object) -> bool:
    """Set attributes that differ; say whether anything changed. None means 'leave as it is'."""
    changed = False
    for name, value in values.items():
        if value is not None and getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def upsert_family(name: str, counts: UpsertCounts) -> RoleFamily:
    family = db.session.scalar(select(RoleFamily).where(RoleFamily.name == name))
    created = family is None
    if family is None:
        family = RoleFamily(name=name)
        db.session.add(family)
    counts.note("role families", created=created, changed=False)
    return family


def upsert_role(family: RoleFamily, name: str, description: str | None, counts: UpsertCounts) -> DdatRole:
    role = db.session.scalar(select(DdatRole).where(DdatRole.name == name))
    created = role is None
    if role is None:
        role = DdatRole(name=name, family=family, description=description)
        db.session.add(role)
        changed = False
    else:
        changed = _set(role, description=description)
        if role.family is not family:
            role.family = family
            changed = True
    counts.note("roles", created=created, changed=changed)
    return role


def upsert_role_level(
    role: DdatRole,
    name: str,
    counts: UpsertCounts,
    *,
    level_order: int | None = None,
    is_entry_level: bool | None = None,
    description: str | None = None,
    plain_title: str | None = None,
    plain_summary: str | None = None,
    keep_existing_order: bool = False,
) -> RoleLevel:
    level = None
    if role.id is not None:
        level = db.session.scalar(select(RoleLevel).where(RoleLevel.role_id == role.id, RoleLevel.name == name))
    if level is None:
        level = next((existing for existing in role.levels if existing.name == name), None)
    created = level is None
    if level is None:
        level = RoleLevel(name=name, role=role, level_order=level_order or 1, is_entry_level=bool(is_entry_level))
        db.session.add(level)
    elif keep_existing_order:
        # An order inferred from job titles never overrides one already set (SkillPath's own data is curated).
        level_order = is_entry_level = None
    changed = _set(
        level,
        level_order=level_order,
        is_entry_level=is_entry_level,
        description=description,
        plain_title=plain_title,
        plain_summary=plain_summary,
    )
    counts.note("role levels", created=created, changed=changed and not created)
    return level


def upsert_skill(
    name: str, counts: UpsertCounts, *, description: str | None = None, plain_description: str | None = None
) -> Skill:
    skill = db.session.scalar(select(Skill).where(Skill.name == name))
    created = skill is None
    if skill is None:
        skill = Skill(name=name)
        db.session.add(skill)
    changed = _set(skill, description=description, plain_description=plain_description)
    counts.note("skills", created=created, changed=changed and not created)
    return skill


def set_required_skills(level: RoleLevel, required: dict[Skill, SkillLevel], counts: UpsertCounts) -> None:
    """Make the role level require exactly these skills at these levels."""
    current = {link.skill.name: link for link in level.required_skills}
    wanted = {skill.name: (skill, skill_level) for skill, skill_level in required.items()}
    changed = False
    for name, link in list(current.items()):
        if name not in wanted:
            level.required_skills.remove(link)
            changed = True
    for name, (skill, skill_level) in wanted.items():
        existing = current.get(name)
        if existing is None:
            level.required_skills.append(RoleLevelSkill(skill=skill, level=skill_level))
            changed = True
        elif existing.level != skill_level:
            existing.level = skill_level
            changed = True
    if changed:
        counts.note("required skill lists", created=not current, changed=True)
