"""The skills framework and the skill modules that evidence it.

The framework is the UK government's Digital and Data capability framework
(formerly DDaT): role families hold roles, roles hold role levels, and each role
level requires skills at one of four ascending levels. Modules are ours: each
evidences some skills at a level, and is made of ordered units.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Integer, Numeric, String, Table, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillpath.extensions import db
from skillpath.models._types import UTCDateTime, new_uuid, str_enum, utcnow


class SkillLevel(StrEnum):
    """The framework's four skill levels, in ascending order."""

    AWARENESS = "awareness"
    WORKING = "working"
    PRACTITIONER = "practitioner"
    EXPERT = "expert"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @classmethod
    def from_text(cls, text: str) -> SkillLevel:
        return cls(text.strip().lower())


_LEVEL_RANK = {SkillLevel.AWARENESS: 1, SkillLevel.WORKING: 2, SkillLevel.PRACTITIONER: 3, SkillLevel.EXPERT: 4}


class RoleFamily(db.Model):  # type: ignore[name-defined]
    __tablename__ = "role_families"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    roles: Mapped[list[DdatRole]] = relationship(back_populates="family", order_by="DdatRole.name")


class DdatRole(db.Model):  # type: ignore[name-defined]
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("role_families.id"), index=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str | None] = mapped_column(Text)

    family: Mapped[RoleFamily] = relationship(back_populates="roles")
    levels: Mapped[list[RoleLevel]] = relationship(back_populates="role", order_by="RoleLevel.level_order")


class RoleLevel(db.Model):  # type: ignore[name-defined]
    __tablename__ = "role_levels"
    __table_args__ = (db.UniqueConstraint("role_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    level_order: Mapped[int] = mapped_column(Integer, default=1)
    is_entry_level: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    # Our plain-English words for learners, such as "Help people fix computer problems".
    plain_title: Mapped[str | None] = mapped_column(String(160))
    plain_summary: Mapped[str | None] = mapped_column(Text)

    role: Mapped[DdatRole] = relationship(back_populates="levels")
    required_skills: Mapped[list[RoleLevelSkill]] = relationship(
        back_populates="role_level", cascade="all, delete-orphan"
    )

    @property
    def is_offered_to_learners(self) -> bool:
        return self.is_entry_level and self.plain_title is not None


class Skill(db.Model):  # type: ignore[name-defined]
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # Our plain-English explanation for learners.
    plain_description: Mapped[str | None] = mapped_column(Text)


class RoleLevelSkill(db.Model):  # type: ignore[name-defined]
    """The level a role level requires of one skill."""

    __tablename__ = "role_level_skills"

    role_level_id: Mapped[int] = mapped_column(ForeignKey("role_levels.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    level: Mapped[SkillLevel] = mapped_column(str_enum(SkillLevel))

    role_level: Mapped[RoleLevel] = relationship(back_populates="required_skills")
    skill: Mapped[Skill] = relationship()


class EssentialSkillArea(db.Model):  # type: ignore[name-defined]
    """An area of the Essential Digital Skills framework, where most learners start."""

    __tablename__ = "essential_skill_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    plain_description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


module_essential_areas = Table(
    "module_essential_areas",
    db.metadata,
    Column("module_id", ForeignKey("modules.id"), primary_key=True),
    Column("area_id", ForeignKey("essential_skill_areas.id"), primary_key=True),
)


class Module(db.Model):  # type: ignore[name-defined]
    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text)
    estimated_hours: Mapped[float] = mapped_column(Numeric(5, 1, asdecimal=False))
    is_published: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    units: Mapped[list[ModuleUnit]] = relationship(
        back_populates="module", order_by="ModuleUnit.position", cascade="all, delete-orphan"
    )
    skills: Mapped[list[ModuleSkill]] = relationship(back_populates="module", cascade="all, delete-orphan")
    essential_areas: Mapped[list[EssentialSkillArea]] = relationship(
        secondary=module_essential_areas, order_by="EssentialSkillArea.position"
    )


class ModuleUnit(db.Model):  # type: ignore[name-defined]
    __tablename__ = "module_units"
    __table_args__ = (db.UniqueConstraint("module_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=new_uuid)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(160))
    body: Mapped[str] = mapped_column(Text)

    module: Mapped[Module] = relationship(back_populates="units")


class ModuleSkill(db.Model):  # type: ignore[name-defined]
    """A skill that a module evidences, and the level it evidences it at."""

    __tablename__ = "module_skills"

    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id"), primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id"), primary_key=True)
    level: Mapped[SkillLevel] = mapped_column(str_enum(SkillLevel))

    module: Mapped[Module] = relationship(back_populates="skills")
    skill: Mapped[Skill] = relationship()
