"""SkillPath's own catalogue: what loading it creates, that loading again changes nothing, and its plain English."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import (
    DdatRole,
    EssentialSkillArea,
    Module,
    ModuleSkill,
    ModuleUnit,
    ProgressEvent,
    ProgressKind,
    RoleFamily,
    RoleLevel,
    RoleLevelSkill,
    Skill,
    SkillLevel,
)
from skillpath.services.catalogue.catalogue_data import DATA_DIR, CatalogueDataError, load_catalogue
from tests import factories

# The entry jobs the starter modules build toward, and the code prefix of each job's modules.
TARGET_ROLE_LEVELS = {
    "Service desk analyst": "SDA-",
    "Apprentice developer": "DEV-",
    "Associate data analyst": "DATA-",
    "Associate test engineer": "TEST-",
}
TABLES = (RoleFamily, DdatRole, RoleLevel, RoleLevelSkill, Skill, EssentialSkillArea, Module, ModuleUnit, ModuleSkill)


@pytest.fixture
def report(app):
    return load_catalogue()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the packaged catalogue that a test can change."""
    return Path(shutil.copytree(DATA_DIR, tmp_path / "catalogue"))


def _modules() -> list[Module]:
    return list(db.session.scalars(select(Module).order_by(Module.code)))


def _module(code: str) -> Module:
    return db.session.scalars(select(Module).where(Module.code == code)).one()


def _row_counts() -> dict[str, int]:
    return {table.__tablename__: db.session.scalar(select(func.count()).select_from(table)) for table in TABLES}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_loading_creates_at_least_twelve_modules_each_with_units_and_something_it_evidences(report):
    modules = _modules()

    assert len(modules) >= 12
    for module in modules:
        assert 3 <= len(module.units) <= 6, module.code
        assert [unit.position for unit in module.units] == list(range(1, len(module.units) + 1)), module.code
        assert module.skills or module.essential_areas, module.code
    assert report.modules == len(modules)
    assert report.units == db.session.scalar(select(func.count()).select_from(ModuleUnit))


def test_essential_digital_skills_modules_cover_the_foundations(report):
    areas = {area.code for area in db.session.scalars(select(EssentialSkillArea))}
    assert areas == {
        "EDS_FOUNDATION",
        "EDS_COMMUNICATING",
        "EDS_HANDLING_INFORMATION",
        "EDS_TRANSACTING",
        "EDS_PROBLEM_SOLVING",
        "EDS_SAFE_LEGAL",
    }
    linked = {area.code for module in _modules() if module.code.startswith("EDS-") for area in module.essential_areas}
    assert linked == areas
    assert "EDS_FOUNDATION" in {area.code for area in _module("EDS-01").essential_areas}
    assert "EDS_SAFE_LEGAL" in {area.code for area in _module("EDS-02").essential_areas}
    assert "EDS_COMMUNICATING" in {area.code for area in _module("EDS-03").essential_areas}
    assert "EDS_TRANSACTING" in {area.code for area in _module("EDS-04").essential_areas}


@pytest.mark.parametrize(("role_level_name", "prefix"), TARGET_ROLE_LEVELS.items())
def test_a_target_role_levels_modules_evidence_every_skill_it_requires(report, role_level_name, prefix):
    level = db.session.scalars(select(RoleLevel).where(RoleLevel.name == role_level_name)).one()
    modules = [module for module in _modules() if module.code.startswith(prefix)]
    best: dict[str, int] = {}
    for module in modules:
        for link in module.skills:
            best[link.skill.name] = max(best.get(link.skill.name, 0), link.level.rank)

    assert level.is_offered_to_learners
    assert len(modules) >= 2
    short = {
        required.skill.name: required.level.value
        for required in level.required_skills
        if best.get(required.skill.name, 0) < required.level.rank
    }
    assert short == {}, f"{role_level_name}: no module evidences these at the level the job needs"


def test_the_eighteen_priority_role_levels_are_offered_to_learners_and_no_others(report):
    offered = {level.name for level in db.session.scalars(select(RoleLevel)) if level.is_offered_to_learners}

    assert len(offered) == 18 == report.offered_role_levels
    assert {"Service desk analyst", "Associate data analyst", "Junior content designer"} <= offered
    assert "Technical writer" not in offered
    assert db.session.scalars(select(RoleLevel).where(RoleLevel.name == "Problem analyst")).one().plain_title is None
    assert all(level.is_entry_level for level in db.session.scalars(select(RoleLevel)))


def test_skills_and_role_levels_carry_our_plain_english(report):
    service_desk = db.session.scalars(select(RoleLevel).where(RoleLevel.name == "Service desk analyst")).one()

    assert service_desk.plain_title == "Help people fix computer problems"
    assert service_desk.role.name == "Service desk manager"
    assert service_desk.role.family.name == "IT operations"
    assert {link.skill.name: link.level for link in service_desk.required_skills}[
        "Customer service management"
    ] is SkillLevel.WORKING
    assert all(skill.plain_description for skill in db.session.scalars(select(Skill)))


def test_loading_twice_changes_nothing_and_duplicates_nothing(report):
    before = _row_counts()
    unit_ids = {unit.public_id for unit in db.session.scalars(select(ModuleUnit))}
    db.session.expire_all()

    again = load_catalogue()

    assert report.changed_anything
    assert not again.changed_anything
    assert "created nothing; updated nothing" in again.summary()
    assert _row_counts() == before
    assert {unit.public_id for unit in db.session.scalars(select(ModuleUnit))} == unit_ids


def test_loading_again_puts_back_edited_text_and_keeps_the_same_units(report):
    module = _module("SDA-01")
    unit_ids = [unit.id for unit in module.units]
    module.units[0].title = "Edited by hand"
    module.skills[0].level = SkillLevel.EXPERT
    module.essential_areas = []
    db.session.flush()
    db.session.expire_all()

    again = load_catalogue()

    module = _module("SDA-01")
    assert again.counts.updated == {"modules": 1}
    assert module.units[0].title == "What a service desk does"
    assert {link.skill.name: link.level for link in module.skills}["Customer service management"] is SkillLevel.WORKING
    assert [unit.id for unit in module.units] == unit_ids


def test_a_module_can_lose_and_gain_units_on_reload(report, data_copy):
    path = data_copy / "modules" / "SDA-01.toml"
    text = path.read_text()
    path.write_text(text[: text.rindex("[[units]]")])
    kept = [unit.id for unit in _module("SDA-01").units][:4]

    load_catalogue(data_copy)
    db.session.expire_all()
    assert [unit.id for unit in _module("SDA-01").units] == kept

    load_catalogue()
    db.session.expire_all()
    units = _module("SDA-01").units
    assert [unit.position for unit in units] == [1, 2, 3, 4, 5]
    assert [unit.id for unit in units][:4] == kept
    assert units[4].title == "Practise a support call"


def test_a_unit_with_learner_progress_is_not_removed(report, data_copy):
    unit = _module("SDA-01").units[-1]
    learner = factories.make_learner()
    db.session.add(ProgressEvent(learner_id=learner.id, unit_id=unit.id, kind=ProgressKind.UNIT_COMPLETED))
    db.session.flush()
    path = data_copy / "modules" / "SDA-01.toml"
    text = path.read_text()
    path.write_text(text[: text.rindex("[[units]]")])

    with pytest.raises(CatalogueDataError) as error:
        load_catalogue(data_copy)

    assert "modules/SDA-01.toml, module SDA-01: unit 5" in str(error.value)
    assert len(_module("SDA-01").units) == 5


def test_the_cli_loads_the_catalogue_and_prints_a_summary(app):
    result = app.test_cli_runner().invoke(args=["catalogue", "load"])

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Catalogue loaded: ")
    assert "18 offered to learners" in result.output
    assert len(_modules()) >= 12


def _remove_last_unit(text: str) -> str:
    text = text[: text.rindex("[[units]]")]
    return text[: text.rindex("[[units]]")]


BROKEN_DATA: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "unknown skill": (
        lambda d: _edit(d / "modules/SDA-01.toml", '"Service focus"', '"Service focuss"'),
        "modules/SDA-01.toml, module SDA-01",
        "skill 'Service focuss' is not a skill in skills.toml",
    ),
    "unknown essential skills area": (
        lambda d: _edit(d / "modules/EDS-03.toml", '"EDS_COMMUNICATING"', '"EDS_CHATTING"'),
        "modules/EDS-03.toml, module EDS-03",
        "essential area 'EDS_CHATTING' is not a code",
    ),
    "bad level": (
        lambda d: _edit(d / "modules/DEV-02.toml", 'level = "working"', 'level = "master"'),
        "modules/DEV-02.toml, module DEV-02",
        "'master' is not a skill level",
    ),
    "duplicate code": (
        lambda d: shutil.copy(d / "modules/TEST-01.toml", d / "modules/TEST-99.toml"),
        "modules/TEST-99.toml, module TEST-01",
        "the code TEST-01 is already used in modules/TEST-01.toml",
    ),
    "skill the target role does not require": (
        lambda d: _edit(d / "modules/SDA-03.toml", '"Technical understanding"', '"Prototyping"'),
        "modules/SDA-03.toml, module SDA-03",
        "skill 'Prototyping' is not one that 'Service desk analyst' requires",
    ),
    "unknown target role level": (
        lambda d: _edit(d / "modules/SDA-02.toml", '"Service desk analyst"', '"Service desk wizard"'),
        "modules/SDA-02.toml, module SDA-02",
        "target_role_level 'Service desk wizard' is not in framework.toml",
    ),
    "role module without a target": (
        lambda d: _edit(d / "modules/DATA-01.toml", 'target_role_level = "Associate data analyst"\n', ""),
        "modules/DATA-01.toml, module DATA-01",
        "must name the role level it works toward",
    ),
    "too few units": (
        lambda d: (d / "modules/TEST-02.toml").write_text(_remove_last_unit((d / "modules/TEST-02.toml").read_text())),
        "modules/TEST-02.toml, module TEST-02",
        "give the module 3 to 6 [[units]]",
    ),
    "not valid TOML": (
        lambda d: _edit(d / "modules/EDS-01.toml", 'title = "Get started with a laptop"', 'title = "Get started'),
        "modules/EDS-01.toml",
        "not valid TOML",
    ),
    "misspelt field": (
        lambda d: _edit(d / "framework.toml", "plain_title = ", "plain_titel = "),
        "framework.toml, role level 'Associate data analyst'",
        "remove or correct plain_titel",
    ),
    "framework skill without a plain description": (
        lambda d: _edit(d / "skills.toml", 'name = "Service focus"', 'name = "Service fokus"'),
        "framework.toml, role level 'Service desk analyst'",
        "skill 'Service focus' has no plain description in skills.toml",
    ),
}


@pytest.mark.parametrize("case", BROKEN_DATA)
def test_bad_catalogue_data_is_refused_with_a_message_naming_the_file_and_module(db_session, data_copy, case):
    break_it, where, problem = BROKEN_DATA[case]
    break_it(data_copy)

    with pytest.raises(CatalogueDataError) as error:
        load_catalogue(data_copy)

    assert any(where in line and problem in line for line in error.value.problems), error.value.problems
    assert _row_counts()["modules"] == 0


# Plain English ---------------------------------------------------------------------------------------------------

FORBIDDEN = re.compile(r"\bDDaT\b|capability framework|\be\.g\.|\bi\.e\.|\betc\b", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    return [sentence for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence]


def _plain_english_problems(where: str, text: str) -> list[str]:
    """A rough check that learner-facing text is plain: short sentences on average, none very long, no jargon."""
    problems = []
    lengths = [len(sentence.split()) for sentence in _sentences(text)]
    if sum(lengths) / len(lengths) > 20:
        problems.append(f"{where}: sentences average {sum(lengths) / len(lengths):.0f} words (keep it to 20)")
    if max(lengths) > 24:
        problems.append(f"{where}: a sentence has {max(lengths)} words")
    if FORBIDDEN.search(text):
        problems.append(f"{where}: uses {FORBIDDEN.search(text).group()!r}")
    return problems


def _count_problems(where: str, text: str, low: int, high: int, unit: str) -> list[str]:
    count = len(text.split()) if unit == "words" else len(_sentences(text))
    return [] if low <= count <= high else [f"{where}: has {count} {unit}, not {low} to {high}"]


def test_learner_facing_text_is_plain_english(report):
    problems = []
    for level in db.session.scalars(select(RoleLevel)):
        if level.is_offered_to_learners:
            problems += _plain_english_problems(f"{level.name} title", level.plain_title)
            problems += _count_problems(f"{level.name} title", level.plain_title, 2, 8, "words")
            problems += _plain_english_problems(f"{level.name} summary", level.plain_summary)
            problems += _count_problems(f"{level.name} summary", level.plain_summary, 2, 3, "sentences")
    for skill in db.session.scalars(select(Skill)):
        problems += _plain_english_problems(skill.name, skill.plain_description)
        problems += _count_problems(skill.name, skill.plain_description, 1, 2, "sentences")
    for area in db.session.scalars(select(EssentialSkillArea)):
        problems += _plain_english_problems(area.code, area.plain_description)
    for module in _modules():
        problems += _plain_english_problems(f"{module.code} title", module.title)
        problems += _plain_english_problems(f"{module.code} summary", module.summary)
        problems += _count_problems(f"{module.code} summary", module.summary, 2, 3, "sentences")
        if not 3 <= module.estimated_hours <= 15:
            problems.append(f"{module.code}: {module.estimated_hours} hours is not 3 to 15")
        for unit in module.units:
            where = f"{module.code} unit {unit.position}"
            problems += _plain_english_problems(f"{where} title", unit.title)
            problems += _plain_english_problems(where, unit.body)
            problems += _count_problems(where, unit.body, 40, 120, "words")

    assert problems == []


def test_the_plain_english_check_catches_long_sentences_and_jargon():
    long_sentence = " ".join(["word"] * 25) + "."

    assert _plain_english_problems("x", long_sentence)
    assert _plain_english_problems("x", "This module maps to DDaT skills.")
    assert _plain_english_problems("x", "Write a short note. Save it in a folder.") == []
