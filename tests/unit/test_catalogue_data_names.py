"""Our catalogue files copy the framework's names and required levels exactly.

Checked against the shared reference copy of the framework beside this repository; the app itself never reads it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skillpath.services.catalogue.catalogue_data import CatalogueData, read_catalogue

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "ddat" / "ddat-framework.json"

# ddat.md section 5: the entry-level role levels SkillPath offers first. Technical writer is not entry level.
PRIORITY_ROLE_LEVELS = {
    "Associate data analyst",
    "Associate performance analyst",
    "Associate application operations engineer",
    "Associate end user computing engineer",
    "IT service analyst",
    "Associate infrastructure engineer",
    "Associate infrastructure operations engineer",
    "Service desk analyst",
    "Trainee business analyst",
    "Junior business analyst",
    "Associate delivery manager",
    "Associate quality assurance test analyst",
    "Associate test engineer",
    "Apprentice DevOps engineer",
    "Apprentice developer",
    "Junior developer",
    "Associate content designer",
    "Junior content designer",
}


@pytest.fixture(scope="module")
def framework() -> dict[str, Any]:
    return json.loads(REFERENCE.read_text())


@pytest.fixture(scope="module")
def reference_levels(framework: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        level["name"]: (family["name"], role["name"], level)
        for family in framework["role_families"]
        for role in family["roles"]
        for level in role["levels"]
    }


@pytest.fixture(scope="module")
def catalogue() -> CatalogueData:
    return read_catalogue()


def test_every_role_level_has_the_frameworks_family_role_order_and_required_skills(catalogue, reference_levels):
    for level in catalogue.role_levels:
        assert level.name in reference_levels, f"{level.name!r} is not a role level in the framework"
        family, role, reference = reference_levels[level.name]
        assert (level.family, level.role) == (family, role), level.name
        assert level.level_order == reference["level_order"], level.name
        assert level.is_entry_level == reference["entry_level"], level.name
        assert {name: skill_level.value for name, skill_level in level.skills.items()} == {
            skill["name"]: skill["level"] for skill in reference["skills"]
        }, level.name


def test_every_skill_we_describe_or_evidence_is_a_framework_skill(catalogue, framework):
    known = set(framework["skills"])

    assert {skill.name for skill in catalogue.skills} - known == set()
    assert {name for module in catalogue.modules for name in module.skills} - known == set()


def test_every_priority_role_level_is_there_with_a_plain_title(catalogue):
    titled = {level.name for level in catalogue.role_levels if level.plain_title and level.plain_summary}

    assert titled == PRIORITY_ROLE_LEVELS
    assert "Technical writer" not in {level.name for level in catalogue.role_levels}


def test_skills_toml_describes_exactly_the_skills_the_role_levels_require(catalogue):
    required = {name for level in catalogue.role_levels for name in level.skills}

    assert {skill.name for skill in catalogue.skills} == required
