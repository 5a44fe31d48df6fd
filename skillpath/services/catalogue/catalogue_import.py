"""Import the framework's official CSV downloads into the skills catalogue.

The Government Digital and Data Profession Capability Framework offers two CSV
files at https://ddat-capability-framework.service.gov.uk/download: roles.csv
(one row per role level and required skill) and skills.csv (one row per skill).

`import_ddat_csv` works in two steps. First it reads and checks both files
completely, without touching the database, and collects every problem with its
file and line. If there is any problem it raises `CatalogueImportError` with all
of them, so a broken file imports nothing and the person running the import can
fix everything in one go. Only then does it write, through the idempotent
helpers in `catalogue_store`, so running it again changes nothing and a changed
description updates its row. It never deletes: a role level that disappears from
the framework may still be a learner's goal. The caller owns the transaction.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

from skillpath.models import DdatRole, RoleFamily, RoleLevel, Skill, SkillLevel
from skillpath.services.catalogue.catalogue_store import (
    UpsertCounts,
    set_required_skills,
    upsert_family,
    upsert_role,
    upsert_role_level,
    upsert_skill,
)
from skillpath.text import BIDI_CONTROLS

# Columns are found by name, so reordered columns still work. We only need
# these; the others (skill level descriptions, role type, the level columns of
# skills.csv) have no place in our model and are ignored.
ROLE_FAMILY = "Role Family"
ROLE = "Role"
ROLE_DESCRIPTION = "Role Description"
ROLE_LEVEL = "Role Level"
ROLE_LEVEL_DESCRIPTION = "Role Level Description"
SKILL_NAME = "Skill Name"
SKILL_DESCRIPTION = "Skill Description"
SKILL_LEVEL = "Skill Level"

ROLES_REQUIRED = (ROLE_FAMILY, ROLE, ROLE_LEVEL, SKILL_NAME, SKILL_LEVEL)
ROLES_OPTIONAL = (ROLE_DESCRIPTION, ROLE_LEVEL_DESCRIPTION)
SKILLS_REQUIRED = (SKILL_NAME,)
# roles.csv repeats each skill's description, but says "MISSING" where skills.csv
# has none; skills.csv is the one source of skill descriptions.
SKILLS_OPTIONAL = (SKILL_DESCRIPTION,)

# The Senior Civil Service roles (Chief data officer and others) have no role
# levels: their rows say NOT IN USE in every level cell. We import the role and
# check its skills exist, but store no levels and no skills for it, because our
# model ties required skills to role levels. NOT IN USE is the only "not defined"
# marker in roles.csv, so it is the only one we accept, and only where the role
# level itself is NOT IN USE: a real role level must require each skill at one of
# the four levels. (skills.csv says "This skill level is currently not defined."
# in some level cells; we do not read those cells at all.)
NOT_IN_USE = "not in use"

# Prefixes that place a role level title on the career ladder, lowest first.
# Titles without one (e.g. "Data analyst") sit between Junior and Senior.
_TITLE_RANKS = {
    "trainee": 0,
    "apprentice": 0,
    "associate": 1,
    "junior": 2,
    "senior": 4,
    "lead": 5,
    "principal": 6,
    "head": 7,
    "chief": 7,
}
_PLAIN_RANK = 3
_ENTRY_RANK = _TITLE_RANKS["junior"]


def _name_length(model: Any) -> int:
    return int(model.__table__.c.name.type.length)


_MAX_LENGTHS = {
    "role family": _name_length(RoleFamily),
    "role": _name_length(DdatRole),
    "role level": _name_length(RoleLevel),
    "skill": _name_length(Skill),
}


@dataclass(frozen=True)
class ImportProblem:
    """Something wrong in one place of one file, said so that a person can fix it."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}: {self.reason}"


class CatalogueImportError(Exception):
    """The files have problems, so nothing was imported."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class SkillRecord:
    name: str
    description: str | None


@dataclass(frozen=True)
class RoleLevelRecord:
    name: str
    description: str | None
    level_order: int
    is_entry_level: bool
    required_skills: tuple[tuple[str, SkillLevel], ...]


@dataclass(frozen=True)
class RoleRecord:
    family: str
    name: str
    description: str | None
    levels: tuple[RoleLevelRecord, ...]


@dataclass(frozen=True)
class DdatCatalogue:
    """Everything both files say, checked and ready to write."""

    skills: tuple[SkillRecord, ...]
    roles: tuple[RoleRecord, ...]
    role_rows: int
    skill_rows: int

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(sorted({role.family for role in self.roles}))


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows read, and rows created or updated by kind."""

    counts: UpsertCounts
    role_rows: int
    skill_rows: int

    def summary(self) -> str:
        counts = self.counts.summary()
        return f"Read {self.role_rows} role rows and {self.skill_rows} skill rows.\n{counts[0].upper()}{counts[1:]}."


def import_ddat_csv(roles_path: Path, skills_path: Path) -> ImportReport:
    """Import the official roles and skills CSV files, or raise CatalogueImportError and write nothing."""
    catalogue = read_ddat_csv(roles_path, skills_path)
    counts = UpsertCounts()
    _write(catalogue, counts)
    return ImportReport(counts=counts, role_rows=catalogue.role_rows, skill_rows=catalogue.skill_rows)


def read_ddat_csv(roles_path: Path, skills_path: Path) -> DdatCatalogue:
    """Read and check both files without touching the database."""
    skill_rows, skill_problems = _read_rows(skills_path, SKILLS_REQUIRED, SKILLS_OPTIONAL)
    skills, more_skill_problems = _collect_skills(skills_path.name, skill_rows)
    role_rows, role_problems = _read_rows(roles_path, ROLES_REQUIRED, ROLES_OPTIONAL)
    # If skills.csv has problems of its own its list of names cannot be trusted,
    # and checking against it could flag every role row as an unknown skill.
    known_skills = None if skill_problems else {skill.name for skill in skills}
    table = _RoleTable(roles_path.name, skills_path.name, known_skills)
    for row in role_rows:
        table.add(row)
    problems = skill_problems + more_skill_problems + role_problems + table.problems
    if problems:
        raise CatalogueImportError(problems)
    return DdatCatalogue(skills=skills, roles=table.records(), role_rows=len(role_rows), skill_rows=len(skill_rows))


def _write(catalogue: DdatCatalogue, counts: UpsertCounts) -> None:
    skills = {
        record.name: upsert_skill(record.name, counts, description=record.description) for record in catalogue.skills
    }
    families = {name: upsert_family(name, counts) for name in catalogue.families}
    for record in catalogue.roles:
        role = upsert_role(families[record.family], record.name, record.description, counts)
        for level_record in record.levels:
            level = upsert_role_level(
                role,
                level_record.name,
                counts,
                level_order=level_record.level_order,
                is_entry_level=level_record.is_entry_level,
                description=level_record.description,
                # SkillPath's own learner-facing words come from its own loader, never from here.
                plain_title=None,
                plain_summary=None,
                keep_existing_order=True,
            )
            required = {skills[name]: skill_level for name, skill_level in level_record.required_skills}
            set_required_skills(level, required, counts)


# Reading the files -----------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One record of a CSV file: where it starts, and its cells by column name, trimmed."""

    line: int
    cells: dict[str, str]

    def text(self, column: str) -> str | None:
        return self.cells.get(column) or None


def _read_rows(
    path: Path, required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[list[_Row], list[ImportProblem]]:
    text, problem = _read_text(path)
    if problem is not None:
        return [], [problem]
    records, problems = _split_records(path.name, text)
    if not records:
        return [], [*problems, ImportProblem(path.name, 1, "the file is empty; it needs a header row")]
    header = records[0][1]
    columns, header_problems = _find_columns(path.name, header, required, optional)
    header_problems += [ImportProblem(path.name, 1, reason) for reason in _hidden_character_reasons(header, header)]
    if header_problems:
        return [], header_problems
    rows = []
    for line, cells in records[1:]:
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, such as those a spreadsheet leaves at the end
        if reasons := _hidden_character_reasons(header, cells):
            problems.extend(ImportProblem(path.name, line, reason) for reason in reasons)
            continue
        if reason := _cell_count_reason(cells, len(header)):
            problems.append(ImportProblem(path.name, line, reason))
            continue
        rows.append(_Row(line, {column: _clean(cells[index]) for column, index in columns.items()}))
    if not rows and not problems:
        problems.append(ImportProblem(path.name, 2, "the file has a header row but nothing after it"))
    return rows, problems


def _read_text(path: Path) -> tuple[str, ImportProblem | None]:
    try:
        data = path.read_bytes()
    except OSError as error:
        return "", ImportProblem(path.name, 1, f"the file cannot be read ({error.strerror})")
    try:
        # utf-8-sig drops the byte order mark that Excel puts at the start of "CSV UTF-8".
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        reason = 'the file is not UTF-8 text; save the file as UTF-8 CSV (in Excel: "CSV UTF-8 (Comma delimited)")'
        return "", ImportProblem(path.name, line, reason)


def _split_records(file_name: str, text: str) -> tuple[list[tuple[int, list[str]]], list[ImportProblem]]:
    """Split into records, each with the physical line it starts on (quoted cells may hold line breaks)."""
    # newline="" keeps the file's own line endings, so line breaks inside quoted
    # cells survive and CRLF files count lines correctly.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records = []
    start = 1
    try:
        for cells in reader:
            records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        return records, [ImportProblem(file_name, start, f"this row is not valid CSV ({error})")]
    return records, []


def _find_columns(
    file_name: str, header: list[str], required: tuple[str, ...], optional: tuple[str, ...]
) -> tuple[dict[str, int], list[ImportProblem]]:
    positions: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        key = _column_key(title)
        if key in positions and title.strip():
            problems.append(ImportProblem(file_name, 1, f'the column "{title.strip()}" appears more than once'))
        positions.setdefault(key, index)
    columns = {name: positions[_column_key(name)] for name in (*required, *optional) if _column_key(name) in positions}
    for name in required:
        if name not in columns:
            problems.append(ImportProblem(file_name, 1, f'the column "{name}" is missing from the header row'))
    return columns, problems


def _column_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def _cell_count_reason(cells: list[str], expected: int) -> str | None:
    # A spreadsheet may add empty cells at the end of a row; only real cells count.
    if len(cells) == expected or (len(cells) > expected and not any(cell.strip() for cell in cells[expected:])):
        return None
    return f"this row has {len(cells)} cells but the header row has {expected}; check for a missing or extra comma"


def _hidden_character_reasons(header: list[str], cells: list[str]) -> list[str]:
    """A reason for each cell holding a character no catalogue text should hold.

    A NUL or another control character (white space aside) would make a role that
    looks like an existing one but is not (PostgreSQL refuses NUL outright), and a
    direction control would show a name backwards. Every cell is checked, even
    those we do not import: such a file has been damaged or tampered with.
    """
    reasons = []
    for index, cell in enumerate(cells):
        found = next((ch for ch in cell if _is_control(ch) or ch in BIDI_CONTROLS), None)
        if found is None:
            continue
        title = header[index].strip() if index < len(header) else ""
        where = f'the "{title}" cell' if title else f"cell {index + 1}"
        kind = "a direction control character" if found in BIDI_CONTROLS else "a control character"
        reasons.append(f"{where} has {kind} (U+{ord(found):04X}) in it; remove it and save the file again")
    return reasons


def _is_control(character: str) -> bool:
    # Tabs and line breaks are white space: trimmed around a cell, kept inside a description.
    return character not in "\t\r\n" and unicodedata.category(character) == "Cc"


def _clean(cell: str) -> str:
    # Line breaks inside cells become "\n" whatever the file's line endings, so a
    # file saved on Windows imports the same text as the original.
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()


def _is_not_in_use(text: str) -> bool:
    return _column_key(text) == NOT_IN_USE


def _length_reason(kind: str, name: str | None) -> str | None:
    limit = _MAX_LENGTHS[kind]
    if name is not None and len(name) > limit:
        return f"the {kind} name is {len(name)} characters long; the most the catalogue can hold is {limit}"
    return None


def _empty_cell_reasons(row: _Row, columns: Iterable[str]) -> list[str]:
    return [f'the "{column}" cell is empty' for column in columns if not row.text(column)]


# skills.csv -------------------------------------------------------------------


def _collect_skills(file_name: str, rows: list[_Row]) -> tuple[tuple[SkillRecord, ...], list[ImportProblem]]:
    skills: dict[str, tuple[int, SkillRecord]] = {}
    problems: list[ImportProblem] = []
    for row in rows:
        name = row.text(SKILL_NAME)
        reasons = _empty_cell_reasons(row, SKILLS_REQUIRED) + _present(_length_reason("skill", name))
        record = SkillRecord(name=name or "", description=row.text(SKILL_DESCRIPTION))
        if not reasons and record.name in skills and skills[record.name][1] != record:
            reasons.append(f'the skill "{record.name}" is also on line {skills[record.name][0]}, differently')
        if reasons:
            problems.extend(ImportProblem(file_name, row.line, reason) for reason in reasons)
        else:
            skills.setdefault(record.name, (row.line, record))
    return tuple(record for _, record in sorted(skills.values(), key=lambda item: item[1].name)), problems


def _present(reason: str | None) -> list[str]:
    return [reason] if reason else []


# roles.csv --------------------------------------------------------------------


@dataclass
class _LevelDraft:
    line: int
    description: str | None
    required: dict[str, tuple[SkillLevel, int]] = field(default_factory=dict)


@dataclass
class _RoleDraft:
    line: int
    family: str
    description: str | None
    levels: dict[str, _LevelDraft] = field(default_factory=dict)


class _RoleTable:
    """Gathers roles.csv rows into roles and role levels, noting rows that disagree with earlier ones."""

    def __init__(self, file_name: str, skills_file_name: str, known_skills: Collection[str] | None) -> None:
        self.file_name = file_name
        self.skills_file_name = skills_file_name
        self.known_skills = known_skills
        self.roles: dict[str, _RoleDraft] = {}
        self.problems: list[ImportProblem] = []

    def add(self, row: _Row) -> None:
        reasons = self._row_reasons(row)
        if not reasons:
            role = self._role(row, reasons)
            if role is not None and not _is_not_in_use(row.cells[ROLE_LEVEL]):
                self._require(self._level(role, row, reasons), row, reasons)
        self.problems.extend(ImportProblem(self.file_name, row.line, reason) for reason in reasons)

    def records(self) -> tuple[RoleRecord, ...]:
        return tuple(_role_record(name, draft) for name, draft in sorted(self.roles.items()))

    def _row_reasons(self, row: _Row) -> list[str]:
        reasons = _empty_cell_reasons(row, ROLES_REQUIRED)
        for kind, column in (
            ("role family", ROLE_FAMILY),
            ("role", ROLE),
            ("role level", ROLE_LEVEL),
            ("skill", SKILL_NAME),
        ):
            reasons += _present(_length_reason(kind, row.text(column)))
        skill = row.text(SKILL_NAME)
        if skill and self.known_skills is not None and skill not in self.known_skills:
            reasons.append(f'the skill "{skill}" is not in {self.skills_file_name}')
        level = row.text(SKILL_LEVEL)
        if level and not _allows_skill_level(level, role_has_levels=not _is_not_in_use(row.cells[ROLE_LEVEL])):
            reasons.append(f'the skill level "{level}" is not one of {", ".join(SkillLevel)}')
        return reasons

    def _role(self, row: _Row, reasons: list[str]) -> _RoleDraft | None:
        name, family, description = row.cells[ROLE], row.cells[ROLE_FAMILY], row.text(ROLE_DESCRIPTION)
        role = self.roles.setdefault(name, _RoleDraft(row.line, family, description))
        if role.family != family:
            reasons.append(
                f'the role "{name}" is in the role family "{role.family}" on line {role.line}, not "{family}"'
            )
        elif role.description != description:
            reasons.append(f'the role "{name}" has a different description on line {role.line}; they must match')
        else:
            return role
        return None

    def _level(self, role: _RoleDraft, row: _Row, reasons: list[str]) -> _LevelDraft | None:
        name, description = row.cells[ROLE_LEVEL], row.text(ROLE_LEVEL_DESCRIPTION)
        level = role.levels.setdefault(name, _LevelDraft(row.line, description))
        if level.description != description:
            reasons.append(f'the role level "{name}" has a different description on line {level.line}; they must match')
            return None
        return level

    def _require(self, level: _LevelDraft | None, row: _Row, reasons: list[str]) -> None:
        if level is None:
            return
        skill, line = row.cells[SKILL_NAME], row.line
        skill_level = SkillLevel.from_text(row.cells[SKILL_LEVEL])
        earlier = level.required.setdefault(skill, (skill_level, line))
        # The official file repeats some rows word for word (e.g. "Managing a data
        # project" for Associate data analyst, three times); only a clash matters.
        if earlier[0] != skill_level:
            reasons.append(
                f'the role level "{row.cells[ROLE_LEVEL]}" requires "{skill}" at {earlier[0]} on line {earlier[1]}'
                f" but at {skill_level} here"
            )


def _allows_skill_level(text: str, *, role_has_levels: bool) -> bool:
    if not role_has_levels and _is_not_in_use(text):
        return True
    try:
        SkillLevel.from_text(text)
    except ValueError:
        return False
    return True


def _role_record(name: str, draft: _RoleDraft) -> RoleRecord:
    required = {
        level_name: [skill_level for skill_level, _ in level.required.values()]
        for level_name, level in draft.levels.items()
    }
    ranks = rank_role_levels(name, required)
    levels = tuple(
        RoleLevelRecord(
            name=level_name,
            description=level.description,
            level_order=ranks[level_name].level_order,
            is_entry_level=ranks[level_name].is_entry_level,
            required_skills=tuple(sorted((skill, skill_level) for skill, (skill_level, _) in level.required.items())),
        )
        for level_name, level in draft.levels.items()
    )
    return RoleRecord(
        family=draft.family,
        name=name,
        description=draft.description,
        levels=tuple(sorted(levels, key=lambda level: level.level_order)),
    )


# Role level order -------------------------------------------------------------


@dataclass(frozen=True)
class LevelRank:
    level_order: int
    is_entry_level: bool


def rank_role_levels(role: str, required: Mapping[str, Collection[SkillLevel]]) -> dict[str, LevelRank]:
    """Order one role's levels from junior to senior, and say which are ways in.

    The CSV has no order of its own: the official file is sorted by name, so the
    order rows appear in says nothing, and a reordered file must give the same
    result. We order by the title (Trainee/Apprentice < Associate < Junior <
    plain < Senior < Lead < Principal < Head/Chief), with analysts below the
    managers of the same role (Service desk analyst < Senior service desk analyst
    < Service desk manager), then by how much the level asks (the average of its
    required skill levels, since proficiency rises with seniority), then by name.
    This reproduces the order in ddat-framework.json for every role but Service
    transition manager, whose two analyst levels it calls "unverified".

    Entry levels are titles starting Trainee, Apprentice, Associate or Junior
    and, in a manager's role, its plain analyst levels (IT service analyst in IT
    service manager). That matches ddat-framework.json except that we also count
    Change and release analyst, which asks no more than Service acceptance
    analyst does. The lowest level of a role is not always a way in: Technical
    writer and Service owner ask for practitioner and expert skills from the start.
    """

    def key(name: str) -> tuple[bool, int, float, str]:
        mean = fmean(level.rank for level in required[name]) if required[name] else 0.0
        return (not _is_analyst(name), _title_rank(name), mean, name.casefold())

    ranks = {}
    for order, name in enumerate(sorted(required, key=key), start=1):
        rank = _title_rank(name)
        is_entry = rank <= _ENTRY_RANK or (rank == _PLAIN_RANK and _is_analyst(name) and not _is_analyst(role))
        ranks[name] = LevelRank(level_order=order, is_entry_level=is_entry)
    return ranks


def _title_rank(title: str) -> int:
    words = title.casefold().split()
    return _TITLE_RANKS.get(words[0], _PLAIN_RANK) if words else _PLAIN_RANK


def _is_analyst(title: str) -> bool:
    return "analyst" in title.casefold().split()
