"""Reading and checking the framework's official CSV files, without a database."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import pytest

from skillpath.models import SkillLevel
from skillpath.services.catalogue.catalogue_import import (
    CatalogueImportError,
    DdatCatalogue,
    ImportProblem,
    RoleRecord,
    rank_role_levels,
    read_ddat_csv,
)

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ddat"
ROLES_CSV = REFERENCE / "roles.csv"
SKILLS_CSV = REFERENCE / "skills.csv"
SENIOR_CIVIL_SERVICE_ROLES = {
    "Chief data officer",
    "Chief digital and information officer",
    "Chief information security officer",
    "Chief technology officer",
}


def read_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def write_rows(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", line_end: str = "\n") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file, lineterminator=line_end).writerows(rows)
    return path


def with_cell(rows: list[list[str]], row: int, column: str, value: str) -> list[list[str]]:
    changed = [list(cells) for cells in rows]
    changed[row][rows[0].index(column)] = value
    return changed


def problems_for(roles: Path, skills: Path = SKILLS_CSV) -> list[ImportProblem]:
    with pytest.raises(CatalogueImportError) as raised:
        read_ddat_csv(roles, skills)
    return raised.value.problems


def start_line(path: Path, row: int) -> int:
    """The physical line a record starts on, worked out independently of the importer."""
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        line = 1
        for _ in range(row):
            next(reader)
            line = reader.line_num + 1
    return line


@pytest.fixture(scope="module")
def catalogue() -> DdatCatalogue:
    return read_ddat_csv(ROLES_CSV, SKILLS_CSV)


@pytest.fixture(scope="module")
def framework() -> dict:
    return json.loads((REFERENCE / "ddat-framework.json").read_text(encoding="utf-8"))


def role(catalogue: DdatCatalogue, name: str) -> RoleRecord:
    return next(record for record in catalogue.roles if record.name == name)


def level_names(catalogue: DdatCatalogue, role_name: str) -> list[str]:
    return [level.name for level in role(catalogue, role_name).levels]


# The real files -----------------------------------------------------------------


def test_real_files_hold_the_whole_framework(catalogue, framework):
    assert len(catalogue.families) == len(framework["role_families"]) == 8
    assert len(catalogue.roles) == sum(len(family["roles"]) for family in framework["role_families"]) == 52
    assert sum(len(record.levels) for record in catalogue.roles) == 201
    assert sorted(skill.name for skill in catalogue.skills) == sorted(framework["skills"])
    assert len(catalogue.skills) == 188


def test_real_files_require_the_same_skill_levels_as_the_framework(catalogue, framework):
    for family in framework["role_families"]:
        for expected_role in family["roles"]:
            if expected_role["name"] in SENIOR_CIVIL_SERVICE_ROLES:
                continue
            levels = {
                level.name: dict(level.required_skills) for level in role(catalogue, expected_role["name"]).levels
            }
            for expected in expected_role["levels"]:
                wanted = {skill["name"]: SkillLevel(skill["level"]) for skill in expected["skills"]}
                assert levels[expected["name"]] == wanted, expected["name"]


def test_service_desk_analyst_needs_customer_service_management_at_working(catalogue):
    analyst = next(
        level for level in role(catalogue, "Service desk manager").levels if level.name == "Service desk analyst"
    )
    assert dict(analyst.required_skills)["Customer service management"] is SkillLevel.WORKING


def test_senior_civil_service_roles_are_kept_without_inventing_levels(catalogue):
    for name in SENIOR_CIVIL_SERVICE_ROLES:
        record = role(catalogue, name)
        assert record.family == "Chief digital and data"
        assert record.description
        assert record.levels == ()


def test_skill_descriptions_come_from_the_skills_file_and_missing_ones_stay_empty(catalogue):
    skills = {skill.name: skill for skill in catalogue.skills}
    assert skills["Accessibility"].description.startswith("Accessibility involves ensuring your service")
    # roles.csv says "MISSING" where skills.csv has no description; that word is not a description.
    assert skills["Analysis and synthesis"].description is None


def test_names_are_trimmed(catalogue):
    # The official file has "End user computing engineer " with a trailing space.
    assert "End user computing engineer" in level_names(catalogue, "End user computing engineer")


# Role level order and entry levels ---------------------------------------------------


def test_role_levels_are_ordered_by_title_not_by_the_alphabetical_file(catalogue):
    assert level_names(catalogue, "Software developer") == [
        "Apprentice developer",
        "Junior developer",
        "Developer",
        "Senior developer",
        "Senior developer - management",
        "Lead developer",
        "Lead developer - management",
        "Principal developer",
        "Principal developer - management",
    ]
    assert level_names(catalogue, "Business architect") == [
        "Trainee business architect",
        "Associate business architect",
        "Business architect",
        "Lead business architect",
    ]


def test_analysts_come_before_the_managers_of_their_role(catalogue):
    assert level_names(catalogue, "Service desk manager") == [
        "Service desk analyst",
        "Senior service desk analyst",
        "Service desk manager",
        "Head of service desk",
    ]
    assert level_names(catalogue, "Change and release manager") == [
        "Configuration analyst",
        "Change and release analyst",
        "Change and release manager",
    ]


def test_level_order_matches_the_projects_classification(catalogue, framework):
    # ddat.md calls the order of Service transition manager's two analysts unverified;
    # we put first the one whose required skills are lower.
    for family in framework["role_families"]:
        for expected_role in family["roles"]:
            if expected_role["name"] in SENIOR_CIVIL_SERVICE_ROLES | {"Service transition manager"}:
                continue
            expected = [
                level["name"] for level in sorted(expected_role["levels"], key=lambda level: level["level_order"])
            ]
            assert level_names(catalogue, expected_role["name"]) == expected
            assert [level.level_order for level in role(catalogue, expected_role["name"]).levels] == list(
                range(1, len(expected) + 1)
            )


def test_entry_levels_are_the_ways_in_not_simply_the_lowest_level(catalogue):
    entry = {(record.name, level.name) for record in catalogue.roles for level in record.levels if level.is_entry_level}
    assert ("Service desk manager", "Service desk analyst") in entry
    assert ("Software developer", "Apprentice developer") in entry
    assert ("Software developer", "Junior developer") in entry
    assert ("Software developer", "Developer") not in entry
    assert ("Data analyst", "Data analyst") not in entry
    # Lowest of their roles, but they ask for practitioner and expert skills.
    assert ("Technical writer", "Technical writer") not in entry
    assert ("Machine learning engineer", "Senior machine learning engineer") not in entry


def test_rank_role_levels_ignores_the_order_it_is_given():
    required = {
        "Senior thing maker": [SkillLevel.PRACTITIONER],
        "Thing maker": [SkillLevel.WORKING],
        "Head of thing making": [SkillLevel.EXPERT],
        "Trainee thing maker": [SkillLevel.AWARENESS],
    }
    ranks = rank_role_levels("Thing maker", required)
    reversed_ranks = rank_role_levels("Thing maker", dict(reversed(required.items())))
    assert ranks == reversed_ranks
    assert sorted(ranks, key=lambda name: ranks[name].level_order) == [
        "Trainee thing maker",
        "Thing maker",
        "Senior thing maker",
        "Head of thing making",
    ]
    assert [name for name, rank in ranks.items() if rank.is_entry_level] == ["Trainee thing maker"]


# What a spreadsheet program might do to the files ------------------------------------------


def test_excel_utf8_with_byte_order_mark_and_windows_line_endings_reads_the_same(catalogue, tmp_path):
    roles = write_rows(tmp_path / "roles.csv", read_rows(ROLES_CSV), encoding="utf-8-sig", line_end="\r\n")
    skills = write_rows(tmp_path / "skills.csv", read_rows(SKILLS_CSV), encoding="utf-8-sig", line_end="\r\n")
    assert roles.read_bytes().startswith(b"\xef\xbb\xbfRole Family,")
    assert read_ddat_csv(roles, skills) == catalogue


def test_line_breaks_inside_cells_are_the_same_whatever_the_line_endings(catalogue, tmp_path):
    # Some programs write CRLF inside quoted cells too.
    text = ROLES_CSV.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
    roles = tmp_path / "roles.csv"
    roles.write_bytes(text.encode("utf-8"))
    assert read_ddat_csv(roles, SKILLS_CSV) == catalogue


def test_reordered_rows_read_the_same(catalogue, tmp_path):
    shuffled = {}
    for name, source in (("roles.csv", ROLES_CSV), ("skills.csv", SKILLS_CSV)):
        header, *rows = read_rows(source)
        random.Random(20250901).shuffle(rows)
        shuffled[name] = write_rows(tmp_path / name, [header, *rows])
    assert read_ddat_csv(shuffled["roles.csv"], shuffled["skills.csv"]) == catalogue


def test_reordered_columns_with_untidy_headers_read_the_same(catalogue, tmp_path):
    reordered = {}
    for name, source in (("roles.csv", ROLES_CSV), ("skills.csv", SKILLS_CSV)):
        rows = read_rows(source)
        order = list(reversed(range(len(rows[0]))))
        rows = [[cells[index] for index in order] for cells in rows]
        rows[0] = [f"  {title.upper()} " for title in rows[0]]
        reordered[name] = write_rows(tmp_path / name, rows)
    assert read_ddat_csv(reordered["roles.csv"], reordered["skills.csv"]) == catalogue


def test_surrounding_spaces_and_trailing_blank_lines_are_ignored(catalogue, tmp_path):
    rows = [[f" {cell}\t" for cell in cells] for cells in read_rows(ROLES_CSV)]
    roles = write_rows(tmp_path / "roles.csv", [*rows, [], [""] * len(rows[0]), []])
    assert read_ddat_csv(roles, SKILLS_CSV) == catalogue


# Broken files --------------------------------------------------------------------------


def test_an_unknown_skill_level_is_reported_with_its_file_and_line(tmp_path):
    rows = read_rows(ROLES_CSV)
    roles = write_rows(tmp_path / "roles.csv", with_cell(rows, 41, "Skill Level", "Expertt"))
    line = start_line(roles, 41)
    assert line > 42  # earlier records have line breaks inside quoted cells
    assert [str(problem) for problem in problems_for(roles)] == [
        f'roles.csv, line {line}: the skill level "Expertt" is not one of awareness, working, practitioner, expert'
    ]


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    rows = with_cell(read_rows(ROLES_CSV), 10, "Skill Level", "Expertt")
    rows = with_cell(rows, 500, "Role", "")
    rows = with_cell(rows, 900, "Skill Name", "Acessibility")
    roles = write_rows(tmp_path / "roles.csv", rows)
    problems = problems_for(roles)
    assert [(problem.line, problem.reason) for problem in problems] == [
        (start_line(roles, 10), 'the skill level "Expertt" is not one of awareness, working, practitioner, expert'),
        (start_line(roles, 500), 'the "Role" cell is empty'),
        (start_line(roles, 900), 'the skill "Acessibility" is not in skills.csv'),
    ]


def test_not_in_use_is_only_accepted_for_roles_without_levels(tmp_path):
    rows = read_rows(ROLES_CSV)
    row = next(index for index, cells in enumerate(rows) if cells[rows[0].index("Role Level")] == "Data architect")
    roles = write_rows(tmp_path / "roles.csv", with_cell(rows, row, "Skill Level", "NOT IN USE"))
    assert [problem.reason for problem in problems_for(roles)] == [
        'the skill level "NOT IN USE" is not one of awareness, working, practitioner, expert'
    ]


def test_a_missing_column_is_named(tmp_path):
    rows = read_rows(ROLES_CSV)
    index = rows[0].index("Skill Level")
    roles = write_rows(tmp_path / "roles.csv", [cells[:index] + cells[index + 1 :] for cells in rows])
    assert [str(problem) for problem in problems_for(roles)] == [
        'roles.csv, line 1: the column "Skill Level" is missing from the header row'
    ]


def test_a_row_with_the_wrong_number_of_cells_is_reported(tmp_path):
    rows = read_rows(ROLES_CSV)
    rows[7] = rows[7][:-2]
    roles = write_rows(tmp_path / "roles.csv", rows)
    assert [str(problem) for problem in problems_for(roles)] == [
        f"roles.csv, line {start_line(roles, 7)}: this row has 8 cells but the header row has 10;"
        " check for a missing or extra comma"
    ]


def test_a_file_that_is_not_utf8_asks_for_utf8(tmp_path):
    rows = [["Skill Name", "Skill Description"], ["Accessibility", "Used by as many people as possible"]]
    rows += [["Café management", "Coffee – for everyone"]]
    skills = write_rows(tmp_path / "skills.csv", rows, encoding="cp1252")
    problems = problems_for(ROLES_CSV, skills)
    assert [str(problem) for problem in problems] == [
        'skills.csv, line 3: the file is not UTF-8 text; save the file as UTF-8 CSV (in Excel: "CSV UTF-8 (Comma'
        ' delimited)")'
    ]


def test_over_long_names_are_problems_not_crashes(tmp_path):
    rows = with_cell(read_rows(ROLES_CSV), 3, "Role Family", "F" * 121)
    roles = write_rows(tmp_path / "roles.csv", with_cell(rows, 3, "Role Level", "L" * 161))
    assert [problem.reason for problem in problems_for(roles)] == [
        "the role family name is 121 characters long; the most the catalogue can hold is 120",
        "the role level name is 161 characters long; the most the catalogue can hold is 160",
    ]


def test_rows_that_disagree_about_a_role_are_reported(tmp_path):
    rows = read_rows(ROLES_CSV)
    roles = write_rows(tmp_path / "roles.csv", with_cell(rows, 2, "Role Family", "Data"))
    [problem] = problems_for(roles)
    assert problem.line == start_line(roles, 2)
    assert problem.reason == (
        f'the role "{rows[2][1]}" is in the role family "Architecture" on line {start_line(roles, 1)}, not "Data"'
    )


def test_a_skill_required_at_two_levels_by_one_role_level_is_reported(tmp_path):
    rows = read_rows(ROLES_CSV)
    clash = with_cell(rows, 1, "Skill Level", "Expert" if rows[1][7] != "Expert" else "Working")
    roles = write_rows(tmp_path / "roles.csv", [*rows, clash[1]])
    [problem] = problems_for(roles)
    assert problem.reason.startswith(f'the role level "{rows[1][3]}" requires "{rows[1][5]}" at ')


def test_identical_repeated_rows_are_harmless(catalogue, tmp_path):
    rows = read_rows(ROLES_CSV)
    roles = write_rows(tmp_path / "roles.csv", [*rows, rows[1], rows[2]])
    assert read_ddat_csv(roles, SKILLS_CSV).roles == catalogue.roles


def test_bad_quoting_is_reported_at_its_line(tmp_path):
    roles = tmp_path / "roles.csv"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(read_rows(ROLES_CSV)[:3])
    roles.write_text(text.getvalue() + 'Data,"Data analyst"x,broken\n', encoding="utf-8")
    [problem] = problems_for(roles)
    assert problem.line == start_line(roles, 3)
    assert problem.reason.startswith("this row is not valid CSV")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty; it needs a header row"),
        (b"Skill Name,Skill Description\r\n\r\n", "the file has a header row but nothing after it"),
    ],
)
def test_an_empty_skills_file_is_a_problem(tmp_path, content, reason):
    skills = tmp_path / "skills.csv"
    skills.write_bytes(content)
    assert [problem.reason for problem in problems_for(ROLES_CSV, skills)] == [reason]
