"""Confidence questions in everyday words, and an empty form that stays readable (issue #10, item 4).

Every skill is put to the learner as a short name, a plain question and one line that explains it,
instead of a single hard word ("Adaptability") or a framework name. An empty or part-filled form
gets one error summary that names each unanswered question in a few words.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from skillpath.extensions import db
from skillpath.models import EmployabilitySkill, SkillLevel
from skillpath.services.progress.self_assessment import job_skill_question, work_skill_question
from tests import factories
from tests.helpers import error_summary, field_errors, page, post_form

WORK = "/learner/confidence/work-skills"
JOB = "/learner/confidence/job-skills"
DATA = Path(__file__).resolve().parents[2] / "skillpath" / "data"
CATALOGUE_SKILLS = [
    entry["name"] for entry in tomllib.loads((DATA / "catalogue" / "skills.toml").read_text("utf-8"))["skills"]
]
QUESTIONS = tomllib.loads((DATA / "confidence_questions.toml").read_text("utf-8"))

# Words a reader aged 9 to 11 should not meet in a question: framework terms and the hard single words.
JARGON = re.compile(
    r"\b(stakeholders?|methodolog\w*|agile|lean|infrastructure|optimis\w*|synthesis|metadata|integration|"
    r"capacity|configuration|continuity|initiative|adaptability|reliability|creativity|timekeeping|"
    r"organisation|communication|collaboration|requirements?|defects?|insight|analytical|statistical|"
    r"prototyp\w*|lifecycle|deliver\w*|momentum|strategic|consultancy|incidents?|assets?)\b",
    re.IGNORECASE,
)


def _syllables(word: str) -> int:
    # A rough count, good enough to keep a grade in check: groups of vowels, a silent final "e" dropped.
    word = word.lower()
    if len(word) > 2 and word.endswith("e") and not word.endswith(("le", "ee")):
        word = word[:-1]
    return max(1, len(re.findall(r"[aeiouy]+", word)))


def flesch_kincaid_grade(text: str) -> float:
    sentences = max(1, len(re.findall(r"[.?!]+", text)))
    words = re.findall(r"[A-Za-z']+", text)
    syllables = sum(_syllables(word) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def _first_column(soup, section_id: str) -> list[str]:
    table = soup.find(id=section_id).find_next("table")
    return [row.select("td")[0].get_text(strip=True) for row in table.select("tbody tr")]


def _all_written():
    for code in EmployabilitySkill:
        yield code.value, work_skill_question(code)
    for name in CATALOGUE_SKILLS:
        yield name, job_skill_question(name)


# --- The words ------------------------------------------------------------------------------------------------


def test_every_employability_skill_and_every_catalogue_skill_has_our_own_question():
    assert set(QUESTIONS["work"]) == {code.value for code in EmployabilitySkill}
    written = [entry["skill"] for entry in QUESTIONS["job"]]
    assert len(written) == len(set(written)), "a skill has two questions"
    # Both ways: a new catalogue skill needs a question, and a renamed one leaves no question behind.
    assert sorted(written) == sorted(CATALOGUE_SKILLS)
    assert all(job_skill_question(name).is_ours for name in CATALOGUE_SKILLS)


@pytest.mark.parametrize("question", [pytest.param(question, id=skill) for skill, question in _all_written()])
def test_each_question_is_short_plain_and_easy_to_read(question):
    assert question.question.startswith(("Can ", "Do ")) and question.question.endswith("?")
    assert "\n" not in question.explanation and question.explanation.endswith(".")
    assert len(question.short_name.split()) <= 7
    assert len(question.question.split()) <= 16
    assert len(question.explanation.split()) <= 16
    text = f"{question.short_name}. {question.question} {question.explanation}"
    assert not JARGON.search(text), JARGON.search(text)
    # Flesch-Kincaid grade 6 is a reading age of about 11.
    assert flesch_kincaid_grade(text) <= 6.5, text
    # Lower-casing the first letter for "Name: can you …?" must never break an acronym.
    assert question.short_name[1].islower() and question.question[1].islower()


def test_short_names_are_all_different_so_an_error_list_never_repeats_itself():
    names = [question.short_name for _, question in _all_written()]
    assert len(names) == len(set(names))


def test_the_hard_single_words_are_replaced_by_a_name_and_a_question():
    question = work_skill_question(EmployabilitySkill.ADAPTABILITY)
    assert question.legend == "Coping with change: can you carry on when plans change?"
    assert question.short_name_in_sentence == "coping with change"


def test_a_skill_we_have_no_words_for_yet_is_still_asked_with_its_catalogue_description():
    question = job_skill_question("IT asset tracking", "Keeping a list of kit.")
    assert not question.is_ours
    assert question.legend == "IT asset tracking: how confident do you feel about this?"
    assert question.short_name_in_sentence == "IT asset tracking"
    assert question.explanation == "Keeping a list of kit."


# --- The pages -----------------------------------------------------------------------------------------------


def test_the_work_page_asks_plain_questions_with_an_explanation_under_each(learner_client):
    soup = page(learner_client.get(WORK))
    fieldsets = soup.select("fieldset")
    assert len(fieldsets) == 10
    legends = [fieldset.legend.get_text(strip=True) for fieldset in fieldsets]
    assert "Coping with change: can you carry on when plans change?" in legends
    assert not {code.label for code in EmployabilitySkill} & set(legends)
    for code, fieldset in zip(EmployabilitySkill, fieldsets, strict=True):
        assert fieldset.select_one(".govuk-hint").get_text(strip=True) == work_skill_question(code).explanation


def test_the_job_page_asks_about_catalogue_skills_in_our_words_not_the_framework_name(learner_client, learner):
    skill = factories.make_skill(
        name="Asset and configuration management", plain_description="Keeping an accurate list of equipment."
    )
    learner.learner_profile.target_role_level = factories.make_role_level(
        plain_title="Help people fix computer problems", skills={skill: SkillLevel.AWARENESS}
    )
    db.session.flush()
    soup = page(learner_client.get(JOB))
    [fieldset] = soup.select("fieldset")
    assert fieldset.legend.get_text(strip=True) == (
        "Keeping a list of equipment: can you keep a list of computers and other kit up to date?"
    )
    assert fieldset.select_one(".govuk-hint").get_text(strip=True) == (
        "You write down what each thing is, where it is and who has it."
    )
    assert _first_column(page(learner_client.get("/learner/confidence")), "job-skills") == [
        "Keeping a list of equipment"
    ]


def test_the_overview_names_skills_for_work_in_everyday_words(learner_client):
    names = _first_column(page(learner_client.get("/learner/confidence")), "work-skills")
    assert names == [work_skill_question(code).short_name for code in EmployabilitySkill]
    assert "Adaptability" not in names


# --- An empty or part-filled form ---------------------------------------------------------------------------------


def test_an_empty_submit_shows_one_summary_naming_each_question_not_ten_identical_errors(learner_client):
    response = post_form(learner_client, WORK, {})
    soup = page(response)
    assert soup.title.get_text(strip=True).startswith("Error: ")
    [summary] = soup.select(".govuk-error-summary")
    assert summary.select_one(".govuk-error-summary__title").get_text(strip=True) == "There is a problem"
    assert summary.select_one(".govuk-error-summary__body p").get_text(strip=True) == (
        "Answer every question, then save. These 10 questions still need an answer:"
    )
    links = error_summary(response)
    assert list(links.values()) == [work_skill_question(code).short_name for code in EmployabilitySkill]
    # Each link leads to its question's first radio button.
    for target in links:
        assert soup.select_one(f"input[type=radio]{target}") is not None, target
    # Beside each question, its own message: ten different lines, each naming the question.
    messages = field_errors(response)
    assert len(messages) == 10 and len(set(messages)) == 10
    assert "Choose an answer for coping with change" in messages


def test_a_part_filled_form_keeps_the_answers_and_lists_only_what_is_left(learner_client):
    answers = {
        f"work_{code.value.lower()}": "QUITE_CONFIDENT"
        for code in EmployabilitySkill
        if code is not EmployabilitySkill.ADAPTABILITY
    }
    response = post_form(learner_client, WORK, answers)
    soup = page(response)
    assert error_summary(response) == {"#work_adaptability": "Coping with change"}
    assert soup.select_one(".govuk-error-summary__body p").get_text(strip=True) == (
        "Answer every question, then save. This question still needs an answer:"
    )
    assert field_errors(response) == ["Choose an answer for coping with change"]
    checked = {radio["name"]: radio["value"] for radio in soup.select("input[type=radio][checked]")}
    assert checked == answers


def test_staff_still_see_the_official_names(mentor_client, learner):
    soup = page(mentor_client.get(f"/mentor/learners/{learner.public_id}"))
    text = soup.get_text(" ", strip=True)
    assert "Adaptability" in text and "Coping with change" not in text
