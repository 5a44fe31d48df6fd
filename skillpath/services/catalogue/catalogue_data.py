"""Load SkillPath's own catalogue: the entry-level jobs we offer, our plain-English skills and our starter modules.

The data lives in TOML files under skillpath/data/catalogue/:

- framework.toml: entry-level role levels and the skills each requires, copied exactly from the
  framework, with our plain_title and plain_summary on the ones offered to learners;
- skills.toml: our plain-English description of every skill those role levels require;
- essential_skills.toml: the Essential Digital Skills areas;
- modules/*.toml: one starter module per file, with the skills or areas it evidences, its units, and
  what someone who completes it can do (`can_do`, the words on its certificate).

Everything is read and checked before anything is written, so bad data changes nothing. Writes go
through the shared upserts in catalogue_store, so loading again updates rows in place and never
duplicates them. The caller commits.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import (
    DdatRole,
    EssentialSkillArea,
    Module,
    ModuleSkill,
    ModuleUnit,
    ProgressEvent,
    RoleFamily,
    Skill,
    SkillLevel,
)
from skillpath.services.catalogue.catalogue_store import (
    UpsertCounts,
    set_required_skills,
    upsert_family,
    upsert_role,
    upsert_role_level,
    upsert_skill,
)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "catalogue"
FRAMEWORK_FILE = "framework.toml"
SKILLS_FILE = "skills.toml"
AREAS_FILE = "essential_skills.toml"
MODULES_DIR = "modules"
MIN_UNITS, MAX_UNITS = 3, 6
# Column sizes in the catalogue tables, checked here so a long value gets a clear message, not a database error.
MAX_CODE, MAX_NAME = 20, 160


T = TypeVar("T")


class CatalogueDataError(Exception):
    """The catalogue files have problems. Each problem names its file and, where there is one, the module."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The catalogue data has problems:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class RoleLevelData:
    family: str
    role: str
    name: str
    level_order: int
    is_entry_level: bool
    plain_title: str | None
    plain_summary: str | None
    skills: dict[str, SkillLevel]


@dataclass(frozen=True)
class SkillData:
    name: str
    plain_description: str


@dataclass(frozen=True)
class AreaData:
    code: str
    name: str
    plain_description: str
    position: int


@dataclass(frozen=True)
class UnitData:
    title: str
    body: str


@dataclass(frozen=True)
class ModuleData:
    source: str
    code: str
    title: str
    summary: str
    # What someone who completes the module can do, such as "Can write clear, polite emails…": its certificate
    # says this, not the summary, which invites a learner in ("Learn to…"). See can_do_statements.
    can_do: str
    estimated_hours: float
    # Which role level the module works toward. Only used to check the data: it is not stored.
    target_role_level: str | None
    skills: dict[str, SkillLevel]
    essential_areas: tuple[str, ...]
    units: tuple[UnitData, ...]

    @property
    def where(self) -> str:
        return f"{self.source}, module {self.code}"


@dataclass(frozen=True)
class CatalogueData:
    role_levels: tuple[RoleLevelData, ...]
    skills: tuple[SkillData, ...]
    areas: tuple[AreaData, ...]
    modules: tuple[ModuleData, ...]


@dataclass(frozen=True)
class LoadReport:
    """What the catalogue holds and what loading it created or changed."""

    counts: UpsertCounts
    role_levels: int
    offered_role_levels: int
    skills: int
    essential_areas: int
    modules: int
    units: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.counts.created or self.counts.updated)

    def summary(self) -> str:
        return (
            f"Catalogue loaded: {self.role_levels} role levels ({self.offered_role_levels} offered to learners), "
            f"{self.skills} skills, {self.essential_areas} essential digital skills areas, "
            f"{self.modules} modules with {self.units} units; {self.counts.summary()}."
        )


# Reading -------------------------------------------------------------------------------------------------------


class _Invalid(Exception):
    """One entry cannot be used. The reader records why and goes on to the next entry."""


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where}: {message}")

    @contextmanager
    def entry(self, where: str) -> Iterator[None]:
        try:
            yield
        except _Invalid as error:
            self.add(where, str(error))

    def raise_any(self) -> None:
        if self.messages:
            raise CatalogueDataError(self.messages)


def _tidy(text: str) -> str:
    """Join the lines of each paragraph, so the files can hold one sentence a line."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in paragraphs)


def _check_keys(table: dict[str, Any], required: AbstractSet[str], optional: AbstractSet[str] = frozenset()) -> None:
    missing = sorted(required - table.keys())
    unknown = sorted(table.keys() - required - optional)
    if missing:
        raise _Invalid(f"add {', '.join(missing)}")
    if unknown:
        raise _Invalid(f"remove or correct {', '.join(unknown)} (not a known field)")


def _text(table: dict[str, Any], key: str, max_length: int | None = None) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{key} must be some text")
    text = _tidy(value)
    if max_length is not None and len(text) > max_length:
        raise _Invalid(f"{key} must be {max_length} characters or fewer")
    return text


def _optional_text(table: dict[str, Any], key: str, max_length: int | None = None) -> str | None:
    return _text(table, key, max_length) if key in table else None


def _integer(table: dict[str, Any], key: str) -> int:
    value = table.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _Invalid(f"{key} must be a whole number, 1 or more")
    return value


def _level(value: object) -> SkillLevel:
    try:
        if isinstance(value, str):
            return SkillLevel.from_text(value)
    except ValueError:
        pass
    raise _Invalid(f"{value!r} is not a skill level: use awareness, working, practitioner or expert")


def _skill_levels(table: dict[str, Any], key: str) -> dict[str, SkillLevel]:
    entries = table.get(key, [])
    if not isinstance(entries, list):
        raise _Invalid(f"{key} must be a list of {{ skill = ..., level = ... }}")
    levels: dict[str, SkillLevel] = {}
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"skill", "level"} or not isinstance(entry["skill"], str):
            raise _Invalid(f"each entry in {key} must be {{ skill = ..., level = ... }}, not {entry!r}")
        if entry["skill"] in levels:
            raise _Invalid(f"skill {entry['skill']!r} is listed twice")
        levels[entry["skill"]] = _level(entry["level"])
    return levels


def _strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    values = table.get(key, [])
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise _Invalid(f"{key} must be a list of text")
    if len(set(values)) != len(values):
        raise _Invalid(f"{key} lists something twice")
    return tuple(values)


def _tables(document: dict[str, Any], key: str) -> list[dict[str, Any]]:
    tables = document.get(key)
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables) or not tables:
        raise _Invalid(f"add at least one [[{key}]] table")
    return tables


def _label(table: dict[str, Any], key: str, kind: str, index: int) -> str:
    value = table.get(key)
    return f"{kind} {value!r}" if isinstance(value, str) else f"{kind} number {index}"


def _load_toml(path: Path, name: str, problems: _Problems) -> dict[str, Any] | None:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        problems.add(name, "the file is missing")
    except tomllib.TOMLDecodeError as error:
        problems.add(name, f"this is not valid TOML ({error})")
    return None


def _read_role_level(table: dict[str, Any]) -> RoleLevelData:
    _check_keys(
        table, {"family", "role", "name", "level_order", "skills"}, {"entry_level", "plain_title", "plain_summary"}
    )
    entry_level = table.get("entry_level", True)
    if not isinstance(entry_level, bool):
        raise _Invalid("entry_level must be true or false")
    skills = _skill_levels(table, "skills")
    if not skills:
        raise _Invalid("list the skills this role level requires")
    return RoleLevelData(
        family=_text(table, "family", MAX_NAME),
        role=_text(table, "role", MAX_NAME),
        name=_text(table, "name", MAX_NAME),
        level_order=_integer(table, "level_order"),
        is_entry_level=entry_level,
        plain_title=_optional_text(table, "plain_title", MAX_NAME),
        plain_summary=_optional_text(table, "plain_summary"),
        skills=skills,
    )


def _read_skill(table: dict[str, Any]) -> SkillData:
    _check_keys(table, {"name", "plain_description"})
    return SkillData(name=_text(table, "name", MAX_NAME), plain_description=_text(table, "plain_description"))


def _read_area(table: dict[str, Any]) -> AreaData:
    _check_keys(table, {"code", "name", "position", "plain_description"})
    return AreaData(
        code=_text(table, "code", 40),
        name=_text(table, "name", 120),
        plain_description=_text(table, "plain_description"),
        position=_integer(table, "position"),
    )


def _read_units(table: dict[str, Any]) -> tuple[UnitData, ...]:
    units = table.get("units")
    if not isinstance(units, list) or not MIN_UNITS <= len(units) <= MAX_UNITS:
        raise _Invalid(f"give the module {MIN_UNITS} to {MAX_UNITS} [[units]]")
    read = []
    for number, unit in enumerate(units, start=1):
        if not isinstance(unit, dict) or set(unit) != {"title", "body"}:
            raise _Invalid(f"unit {number} must have a title and a body, and nothing else")
        read.append(UnitData(title=_text(unit, "title", MAX_NAME), body=_text(unit, "body")))
    return tuple(read)


def _read_module(table: dict[str, Any], source: str) -> ModuleData:
    _check_keys(
        table,
        {"code", "title", "summary", "can_do", "estimated_hours", "units"},
        {"target_role_level", "skills", "essential_areas"},
    )
    hours = table.get("estimated_hours")
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours < 1000:
        raise _Invalid("estimated_hours must be a number of hours, more than 0")
    return ModuleData(
        source=source,
        code=_text(table, "code", MAX_CODE),
        title=_text(table, "title", MAX_NAME),
        summary=_text(table, "summary"),
        can_do=_can_do(table),
        estimated_hours=float(hours),
        target_role_level=_optional_text(table, "target_role_level"),
        skills=_skill_levels(table, "skills"),
        essential_areas=_strings(table, "essential_areas"),
        units=_read_units(table),
    )


def _can_do(table: dict[str, Any]) -> str:
    text = _text(table, "can_do")
    if not text.startswith("Can "):
        raise _Invalid("can_do must say what the person can do, starting “Can ”")
    return text


def _read_entries(
    data_dir: Path, file: str, key: str, reader: Callable[[dict[str, Any]], T], problems: _Problems
) -> tuple[T, ...]:
    """Read each [[key]] table of one file. An unusable entry becomes a problem, and reading goes on."""
    document = _load_toml(data_dir / file, file, problems)
    if document is None:
        return ()
    kind, label_key = _ENTRY_LABELS[key]
    entries: list[T] = []
    with problems.entry(file):
        for index, table in enumerate(_tables(document, key), start=1):
            with problems.entry(f"{file}, {_label(table, label_key, kind, index)}"):
                entries.append(reader(table))
    return tuple(entries)


# How each kind of entry is named in messages: by its name, or by its code.
_ENTRY_LABELS = {"role_levels": ("role level", "name"), "skills": ("skill", "name"), "areas": ("area", "code")}


def _read_modules(data_dir: Path, problems: _Problems) -> list[ModuleData]:
    modules_dir = data_dir / MODULES_DIR
    paths = sorted(modules_dir.glob("*.toml"))
    if not paths:
        problems.add(f"{MODULES_DIR}/", "add at least one module file")
    modules = []
    for path in paths:
        source = f"{MODULES_DIR}/{path.name}"
        document = _load_toml(path, source, problems)
        if document is not None:
            code = document.get("code")
            with problems.entry(f"{source}, module {code}" if isinstance(code, str) else source):
                modules.append(_read_module(document, source))
    return modules


@cache
def can_do_statements(data_dir: Path | None = None) -> dict[str, str]:
    """Each catalogue module's "can do" statement, by module code, for the certificates it earns.

    Read from the files rather than the database because the modules table has no column for it
    yet. Certificates must still be issued when a module file is unreadable, so a file that cannot
    be read is left out (its module's certificate falls back to the summary), never an error.
    """
    statements = {}
    for path in sorted((data_dir or DATA_DIR).joinpath(MODULES_DIR).glob("*.toml")):
        try:
            with path.open("rb") as file:
                document = tomllib.load(file)
            statements[str(document["code"])] = _can_do(document)
        except (OSError, tomllib.TOMLDecodeError, KeyError, _Invalid):
            continue
    return statements


# Checking references between files ------------------------------------------------------------------------------


def _check_framework(data: CatalogueData, problems: _Problems) -> None:
    described = {skill.name for skill in data.skills}
    seen_levels: set[str] = set()
    role_families: dict[str, str] = {}
    for level in data.role_levels:
        where = f"{FRAMEWORK_FILE}, role level {level.name!r}"
        if level.name in seen_levels:
            problems.add(where, "this role level is listed twice")
        seen_levels.add(level.name)
        if role_families.setdefault(level.role, level.family) != level.family:
            problems.add(where, f"role {level.role!r} is in family {role_families[level.role]!r} elsewhere")
        for name in sorted(set(level.skills) - described):
            problems.add(where, f"skill {name!r} has no plain description in {SKILLS_FILE}")
        if level.plain_title and not level.plain_summary:
            problems.add(where, "a role level offered to learners needs a plain_summary as well as a plain_title")


def _check_skills(data: CatalogueData, problems: _Problems) -> None:
    required = {name for level in data.role_levels for name in level.skills}
    seen: set[str] = set()
    for skill in data.skills:
        where = f"{SKILLS_FILE}, skill {skill.name!r}"
        if skill.name in seen:
            problems.add(where, "this skill is described twice")
        seen.add(skill.name)
        if skill.name not in required:
            problems.add(where, f"no role level in {FRAMEWORK_FILE} requires this skill; check the spelling")


def _check_areas(data: CatalogueData, problems: _Problems) -> None:
    seen: set[str] = set()
    for area in data.areas:
        if area.code in seen:
            problems.add(f"{AREAS_FILE}, area {area.code!r}", "this code is used twice")
        seen.add(area.code)


def _check_module_skills(module: ModuleData, data: CatalogueData, problems: _Problems) -> None:
    known_skills = {skill.name for skill in data.skills}
    levels = {level.name: level for level in data.role_levels}
    target = levels.get(module.target_role_level or "")
    if module.skills and module.target_role_level is None:
        problems.add(module.where, "a module with skills must name the role level it works toward (target_role_level)")
    elif module.target_role_level is not None and target is None:
        problems.add(module.where, f"target_role_level {module.target_role_level!r} is not in {FRAMEWORK_FILE}")
    for name in module.skills:
        if name not in known_skills:
            problems.add(module.where, f"skill {name!r} is not a skill in {SKILLS_FILE}; check the spelling")
        elif target is not None and name not in target.skills:
            problems.add(module.where, f"skill {name!r} is not one that {target.name!r} requires")


def _check_modules(data: CatalogueData, problems: _Problems) -> None:
    area_codes = {area.code for area in data.areas}
    sources: dict[str, str] = {}
    for module in data.modules:
        if module.code in sources:
            problems.add(module.where, f"the code {module.code} is already used in {sources[module.code]}")
        sources.setdefault(module.code, module.source)
        if not module.skills and not module.essential_areas:
            problems.add(module.where, "a module must evidence at least one skill or essential digital skills area")
        for code in module.essential_areas:
            if code not in area_codes:
                problems.add(module.where, f"essential area {code!r} is not a code in {AREAS_FILE}")
        _check_module_skills(module, data, problems)


def read_catalogue(data_dir: Path | None = None) -> CatalogueData:
    """Read and check every catalogue file, without touching the database. Raises CatalogueDataError."""
    data_dir = data_dir or DATA_DIR
    problems = _Problems()
    data = CatalogueData(
        role_levels=_read_entries(data_dir, FRAMEWORK_FILE, "role_levels", _read_role_level, problems),
        skills=_read_entries(data_dir, SKILLS_FILE, "skills", _read_skill, problems),
        areas=_read_entries(data_dir, AREAS_FILE, "areas", _read_area, problems),
        modules=tuple(_read_modules(data_dir, problems)),
    )
    problems.raise_any()
    for check in (_check_framework, _check_skills, _check_areas, _check_modules):
        check(data, problems)
    problems.raise_any()
    return data


# Writing ----------------------------------------------------------------------------------------------------------


def _update(obj: object, **values: object) -> bool:
    """Set the attributes that differ, and say whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _write_framework(data: CatalogueData, counts: UpsertCounts) -> dict[str, Skill]:
    skills = {
        skill.name: upsert_skill(skill.name, counts, plain_description=skill.plain_description) for skill in data.skills
    }
    families: dict[str, RoleFamily] = {}
    roles: dict[str, DdatRole] = {}
    for level_data in data.role_levels:
        if level_data.family not in families:
            families[level_data.family] = upsert_family(level_data.family, counts)
        if level_data.role not in roles:
            roles[level_data.role] = upsert_role(families[level_data.family], level_data.role, None, counts)
        level = upsert_role_level(
            roles[level_data.role],
            level_data.name,
            counts,
            level_order=level_data.level_order,
            is_entry_level=level_data.is_entry_level,
            plain_title=level_data.plain_title,
            plain_summary=level_data.plain_summary,
        )
        set_required_skills(level, {skills[name]: lvl for name, lvl in level_data.skills.items()}, counts)
    return skills


def _write_areas(areas: tuple[AreaData, ...], counts: UpsertCounts) -> dict[str, EssentialSkillArea]:
    existing = {area.code: area for area in db.session.scalars(select(EssentialSkillArea))}
    for data in areas:
        area = existing.get(data.code)
        created = area is None
        if area is None:
            area = existing[data.code] = EssentialSkillArea(code=data.code)
            db.session.add(area)
        changed = _update(area, name=data.name, plain_description=data.plain_description, position=data.position)
        counts.note("essential skill areas", created=created, changed=changed)
    return existing


def _replace_units(module: Module, units: tuple[UnitData, ...]) -> bool:
    """Make the module's units these, in this order.

    Units are updated in place by position, so their ids (and learners' progress against them) survive
    a reload. A position is either updated, added or removed, never removed and added again, so the
    unique (module, position) constraint holds whatever order the database applies the changes in.
    """
    by_position = {unit.position: unit for unit in module.units}
    changed = False
    for position, data in enumerate(units, start=1):
        unit = by_position.pop(position, None)
        if unit is None:
            module.units.append(ModuleUnit(position=position, title=data.title, body=data.body))
            changed = True
        else:
            changed |= _update(unit, title=data.title, body=data.body)
    for unit in by_position.values():
        module.units.remove(unit)
        changed = True
    return changed


def _set_module_skills(module: Module, wanted: dict[Skill, SkillLevel]) -> bool:
    current = {link.skill.name: link for link in module.skills}
    wanted_by_name = {skill.name: (skill, level) for skill, level in wanted.items()}
    changed = False
    for name, unwanted in current.items():
        if name not in wanted_by_name:
            module.skills.remove(unwanted)
            changed = True
    for name, (skill, level) in wanted_by_name.items():
        link = current.get(name)
        if link is None:
            module.skills.append(ModuleSkill(skill=skill, level=level))
            changed = True
        elif link.level != level:
            link.level = level
            changed = True
    return changed


def _set_areas(module: Module, wanted: list[EssentialSkillArea]) -> bool:
    if {area.code for area in module.essential_areas} == {area.code for area in wanted}:
        return False
    module.essential_areas = wanted
    return True


def _write_module(
    data: ModuleData, skills: dict[str, Skill], areas: dict[str, EssentialSkillArea], counts: UpsertCounts
) -> None:
    module = db.session.scalar(select(Module).where(Module.code == data.code))
    created = module is None
    if module is None:
        module = Module(code=data.code, title=data.title, summary=data.summary, estimated_hours=data.estimated_hours)
        db.session.add(module)
    changed = _update(module, title=data.title, summary=data.summary, estimated_hours=data.estimated_hours)
    changed |= _replace_units(module, data.units)
    changed |= _set_module_skills(module, {skills[name]: level for name, level in data.skills.items()})
    changed |= _set_areas(module, [areas[code] for code in data.essential_areas])
    counts.note("modules", created=created, changed=changed)


def _check_units_can_be_removed(modules: tuple[ModuleData, ...]) -> None:
    """Refuse to drop a unit that learners have progress against, before anything is written."""
    problems = _Problems()
    for data in modules:
        in_use = db.session.execute(
            select(ModuleUnit.position, ModuleUnit.title)
            .join(Module)
            .where(Module.code == data.code, ModuleUnit.position > len(data.units))
            .where(ModuleUnit.id.in_(select(ProgressEvent.unit_id).where(ProgressEvent.unit_id.is_not(None))))
            .order_by(ModuleUnit.position)
        ).all()
        for position, title in in_use:
            problems.add(
                data.where,
                f"unit {position} ({title!r}) cannot be removed because learners have progress recorded against it",
            )
    problems.raise_any()


def load_catalogue(data_dir: Path | None = None) -> LoadReport:
    """Read, check and write SkillPath's catalogue. Safe to run again; the caller commits."""
    data = read_catalogue(data_dir)
    _check_units_can_be_removed(data.modules)
    counts = UpsertCounts()
    skills = _write_framework(data, counts)
    areas = _write_areas(data.areas, counts)
    for module in data.modules:
        _write_module(module, skills, areas, counts)
    db.session.flush()
    return LoadReport(
        counts=counts,
        role_levels=len(data.role_levels),
        offered_role_levels=sum(1 for level in data.role_levels if level.is_entry_level and level.plain_title),
        skills=len(data.skills),
        essential_areas=len(data.areas),
        modules=len(data.modules),
        units=sum(len(module.units) for module in data.modules),
    )
