"""Importing the framework's official CSV files into the database, and the command that does it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import DdatRole, RoleFamily, RoleLevel, RoleLevelSkill, Skill, SkillLevel
from skillpath.services.catalogue.catalogue_import import CatalogueImportError, import_ddat_csv

DDAT_CSV = Path(__file__).resolve().parents[1] / "data" / "ddat"
ROLES_CSV = DDAT_CSV / "roles.csv"
SKILLS_CSV = DDAT_CSV / "skills.csv"
CATALOGUE_TABLES = (RoleFamily, DdatRole, RoleLevel, RoleLevelSkill, Skill)


def table_counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model)) or 0 for model in CATALOGUE_TABLES
    }


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def role_level(role: str, name: str) -> RoleLevel:
    return db.session.scalars(
        select(RoleLevel).join(DdatRole).where(DdatRole.name == role, RoleLevel.name == name)
    ).one()


def test_the_official_files_import_the_whole_framework(db_session):
    framework = json.loads((DDAT_CSV / "ddat-framework.json").read_text(encoding="utf-8"))
    # The JSON gives each Senior Civil Service role one pseudo-level without an order; those are not role levels.
    levels = [
        level
        for family in framework["role_families"]
        for role in family["roles"]
        for level in role["levels"]
        if level["level_order"]
    ]
    before = table_counts()
    report = import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    after = table_counts()

    added = {name: after[name] - before[name] for name in after}
    assert added == {
        "RoleFamily": len(framework["role_families"]),
        "DdatRole": 52,
        "RoleLevel": len(levels),
        "RoleLevelSkill": sum(len(level["skills"]) for level in levels),
        "Skill": len(framework["skills"]),
    }
    assert (len(levels), len(framework["skills"])) == (201, 188)
    assert report.counts.created == {
        "role families": 8,
        "roles": 52,
        "role levels": 201,
        "skills": 188,
        "required skill lists": 201,
    }
    assert report.counts.updated == {}
    assert report.summary().splitlines()[0] == "Read 1825 role rows and 188 skill rows."
    assert report.summary().splitlines()[1] == (
        "Created 201 required skill lists, 8 role families, 201 role levels, 52 roles, 188 skills; updated nothing."
    )


def test_service_desk_analyst_requires_customer_service_management_at_working(db_session):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    analyst = role_level("Service desk manager", "Service desk analyst")
    required = {link.skill.name: link.level for link in analyst.required_skills}
    assert required["Customer service management"] is SkillLevel.WORKING
    assert len(required) == 8
    assert analyst.is_entry_level
    assert analyst.level_order == 1
    assert analyst.role.family.name == "IT operations"
    assert (analyst.description or "").startswith("A service desk analyst")


def test_senior_civil_service_roles_are_imported_without_levels(db_session):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    chief = db.session.scalars(select(DdatRole).where(DdatRole.name == "Chief data officer")).one()
    assert chief.family.name == "Chief digital and data"
    assert chief.levels == []


def test_importing_again_creates_nothing_and_duplicates_nothing(db_session):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    counts = table_counts()

    report = import_ddat_csv(ROLES_CSV, SKILLS_CSV)

    assert table_counts() == counts
    assert report.summary().splitlines()[1] == "Created nothing; updated nothing."


def test_a_changed_description_updates_only_that_row(db_session, tmp_path):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    rows = read_rows(SKILLS_CSV)
    accessibility = next(cells for cells in rows if cells[0] == "Accessibility")
    accessibility[1] = "Making services everyone can use."
    skills = write_rows(tmp_path / "skills.csv", rows)

    report = import_ddat_csv(ROLES_CSV, skills)

    assert report.counts.created == {}
    assert report.counts.updated == {"skills": 1}
    assert db.session.scalars(select(Skill).where(Skill.name == "Accessibility")).one().description == (
        "Making services everyone can use."
    )


def test_a_changed_required_level_updates_that_role_level(db_session, tmp_path):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    rows = read_rows(ROLES_CSV)
    for cells in rows:
        if cells[3] == "Service desk analyst" and cells[5] == "Customer service management":
            cells[7] = "Practitioner"
    roles = write_rows(tmp_path / "roles.csv", rows)

    report = import_ddat_csv(roles, SKILLS_CSV)

    assert report.counts.updated == {"required skill lists": 1}
    required = {
        link.skill.name: link.level
        for link in role_level("Service desk manager", "Service desk analyst").required_skills
    }
    assert required["Customer service management"] is SkillLevel.PRACTITIONER


def test_import_keeps_skillpaths_own_learner_facing_words(db_session):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    analyst = role_level("Service desk manager", "Service desk analyst")
    analyst.plain_title = "Help people fix computer problems"
    analyst.plain_summary = "Answer calls and sort out problems."
    db.session.flush()

    import_ddat_csv(ROLES_CSV, SKILLS_CSV)

    assert analyst.plain_title == "Help people fix computer problems"
    assert analyst.plain_summary == "Answer calls and sort out problems."
    assert analyst.is_offered_to_learners


def broken_level(tmp_path: Path) -> Path:
    rows = read_rows(ROLES_CSV)
    rows[41][7] = "Expertt"
    return write_rows(tmp_path / "roles.csv", rows)


def missing_cell(tmp_path: Path) -> Path:
    rows = read_rows(ROLES_CSV)
    rows[1500][5] = ""
    return write_rows(tmp_path / "roles.csv", rows)


def missing_column(tmp_path: Path) -> Path:
    return write_rows(tmp_path / "roles.csv", [cells[:7] + cells[8:] for cells in read_rows(ROLES_CSV)])


def short_row(tmp_path: Path) -> Path:
    rows = read_rows(ROLES_CSV)
    rows[-1] = rows[-1][:9]
    return write_rows(tmp_path / "roles.csv", rows)


def not_utf8(tmp_path: Path) -> Path:
    path = tmp_path / "roles.csv"
    path.write_bytes(ROLES_CSV.read_bytes().replace("’".encode(), "’".encode("cp1252")))
    return path


@pytest.mark.parametrize(
    ("make_roles_file", "reason"),
    [
        (broken_level, 'the skill level "Expertt" is not one of awareness, working, practitioner, expert'),
        (missing_cell, 'the "Skill Name" cell is empty'),
        (missing_column, 'the column "Skill Level" is missing from the header row'),
        (short_row, "this row has 9 cells but the header row has 10; check for a missing or extra comma"),
        (not_utf8, "the file is not UTF-8 text; save the file as UTF-8 CSV"),
    ],
)
def test_a_broken_file_imports_nothing(db_session, tmp_path, make_roles_file, reason):
    before = table_counts()

    with pytest.raises(CatalogueImportError) as raised:
        import_ddat_csv(make_roles_file(tmp_path), SKILLS_CSV)

    [problem] = raised.value.problems
    assert problem.file == "roles.csv"
    assert problem.line > 1 or reason.startswith("the column")
    assert problem.reason.startswith(reason)
    assert table_counts() == before


def test_a_broken_file_changes_nothing_already_imported(db_session, tmp_path):
    import_ddat_csv(ROLES_CSV, SKILLS_CSV)
    rows = read_rows(SKILLS_CSV)
    rows[1][1] = "A new description that must not be saved."
    rows[2][0] = ""
    skills = write_rows(tmp_path / "skills.csv", rows)

    with pytest.raises(CatalogueImportError):
        import_ddat_csv(ROLES_CSV, skills)

    assert db.session.scalars(select(Skill).where(Skill.name == rows[1][0])).one().description != rows[1][1]


def test_the_command_imports_the_official_files(app, db_session):
    before = table_counts()

    result = app.test_cli_runner().invoke(args=["catalogue", "import-ddat", str(ROLES_CSV), str(SKILLS_CSV)])

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Read 1825 role rows and 188 skill rows.",
        "Created 201 required skill lists, 8 role families, 201 role levels, 52 roles, 188 skills; updated nothing.",
        # What a job needs counts in every learner's readiness, so the dashboards' read models follow at once.
        "The catalogue changed: working the dashboards' read models out again.",
        "The read models are up to date for 0 learners.",
    ]
    assert table_counts()["RoleLevel"] == before["RoleLevel"] + 201

    again = app.test_cli_runner().invoke(args=["catalogue", "import-ddat", str(ROLES_CSV), str(SKILLS_CSV)])
    assert "read models" not in again.output  # nothing changed, nothing to work out again


def test_the_command_lists_the_problems_and_imports_nothing(app, db_session, tmp_path):
    before = table_counts()
    rows = read_rows(ROLES_CSV)
    rows[41][7] = "Expertt"
    rows[1500][5] = ""
    roles = write_rows(tmp_path / "roles.csv", rows)

    result = app.test_cli_runner().invoke(args=["catalogue", "import-ddat", str(roles), str(SKILLS_CSV)])

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Nothing was imported. Fix these problems and run the command again:"
    assert [line.split(": ", 1)[1] for line in lines[1:]] == [
        'the skill level "Expertt" is not one of awareness, working, practitioner, expert',
        'the "Skill Name" cell is empty',
    ]
    assert all(line.startswith("  roles.csv, line ") for line in lines[1:])
    assert table_counts() == before
