"""The printable plan: the learner's goals with their steps, modules with their status and certificates with their
codes on one page, for a learner who leaves with no device, and nothing on it that names staff or custody."""

from __future__ import annotations

from datetime import date

import pytest

from skillpath.extensions import db
from skillpath.models import SkillLevel, StepStatus
from skillpath.services.certificates import certificates
from skillpath.services.plans import goals
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, page

PLAN = "/learner/plan"
PUBLIC_BASE_URL = "https://skills.example.org"
MENTOR_NAME = "Marjorie Sentinel"
ESTABLISHMENT = "HMP Blackfell"
PRISON_NUMBER = "B7421QZ"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", PUBLIC_BASE_URL)


@pytest.fixture
def planner(app):
    """A learner with goals, modules and certificates, looked after by a named mentor at a named prison."""
    establishment = factories.make_establishment(name=ESTABLISHMENT)
    cohort = factories.make_cohort(establishment=establishment, name="Blackfell digital autumn")
    mentor = factories.make_mentor(cohorts=[cohort], display_name=MENTOR_NAME)
    skill = factories.make_skill(name="User support")
    job = factories.make_role_level(name="Service desk analyst", plain_title="Help people fix computer problems")
    learner = factories.make_learner(
        cohort=cohort,
        display_name="Wiktoria Wiśniewska",
        prison_number=PRISON_NUMBER,
        release_date=date(2027, 3, 14),
        target_role_level=job,
    )

    goal, _ = goals.create_goal(
        learner,
        title="Get my CV ready",
        target_date=date(2027, 5, 1),
        steps=["Write down every job", "Ask for a reference"],
        actor=mentor,
    )
    goals.set_step_status(goal, goal.steps[0], StepStatus.COMPLETE, actor=learner)
    done, _ = goals.create_goal(learner, title="Open a bank account", target_date=None, steps=["Go"], actor=learner)
    goals.set_step_status(done, done.steps[0], StepStatus.COMPLETE, actor=learner)
    goals.complete_goal(done, actor=learner)
    dropped, _ = goals.create_goal(learner, title="Learn French", target_date=None, steps=["Buy a book"], actor=learner)
    goals.archive_goal(dropped, "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL", actor=learner)

    held, hidden, withdrawn = (
        factories.make_module(title=title, units=1, skills={skill: SkillLevel.AWARENESS})
        for title in ("Using a computer safely", "Fixing printers", "Old module")
    )
    issued = {}
    for module in (held, hidden, withdrawn):
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.set_unit_done(enrolment, module.units[0], True, actor=learner)
        progress.sign_off(enrolment, mentor=mentor, note=f"Well done, from {MENTOR_NAME}")
        issued[module.title] = certificates.issue_module_certificate(enrolment, mentor=mentor)
    certificates.set_hidden(issued["Fixing printers"], True, by=learner)
    certificates.revoke_certificate(issued["Old module"], by=mentor, reason="Issued by mistake")
    in_progress = factories.make_module(title="Answering calls", units=3)
    enrolment = progress.enrol(learner, in_progress, actor=learner)
    progress.set_unit_done(enrolment, in_progress.units[0], True, actor=learner)
    db.session.flush()
    return learner, issued


def test_the_plan_shows_goals_with_steps_modules_and_certificates_with_codes(app, planner):
    learner, issued = planner
    response = sign_in(app.test_client(), learner).get(PLAN)
    assert response.status_code == 200
    assert heading(response) == "My plan"
    html = page(response)
    text = html.get_text(" ", strip=True)
    assert "Name: Wiktoria Wiśniewska" in text
    assert "The job I am working towards: Help people fix computer problems" in text

    goal = html.select_one(".sp-plan-goal")
    assert goal.h3.get_text(strip=True) == "Get my CV ready"
    assert "Reach by 1 May 2027. 1 of 2 steps done." in goal.get_text(" ", strip=True)
    assert [li.get_text(" ", strip=True) for li in goal.select("li")] == [
        "Write down every job (done)",
        "Ask for a reference (not started)",
    ]
    assert "Open a bank account" in text  # reached
    assert "Learn French" not in text  # archived

    tables = {table.caption.get_text(strip=True): table for table in html.select("table")}
    modules = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")] for row in tables["My modules"].tbody("tr")
    ]
    assert ["Answering calls", "1 of 3 parts done", "In progress"] in modules
    assert ["Using a computer safely", "1 of 1 parts done", "Signed off"] in modules
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")] for row in tables["My certificates"].tbody("tr")
    ]
    codes = {row[1]: row[0] for row in rows}
    assert codes == {
        issued["Using a computer safely"].display_code: "Using a computer safely",
        issued["Fixing printers"].display_code: "Fixing printers (hidden: employers cannot check it now)",
    }
    assert f"{PUBLIC_BASE_URL}/verify" in text


def test_the_plan_leaves_out_staff_names_and_custody_details(app, planner):
    learner, issued = planner
    response = sign_in(app.test_client(), learner).get(PLAN)
    text = page(response).get_text(" ", strip=True)
    assert issued["Using a computer safely"].display_code in text  # the plan itself, not an error page
    for detail in (MENTOR_NAME, "Marjorie", ESTABLISHMENT, "Blackfell", PRISON_NUMBER, "14 March 2027", "2027-03-14"):
        assert detail not in text


def test_a_learner_with_nothing_yet_gets_a_plan_that_says_so(learner_client):
    response = learner_client.get(PLAN)
    assert heading(response) == "My plan"
    text = page(response).get_text(" ", strip=True)
    assert "I am not working on any goals at the moment." in text
    assert "I have not started a module yet." in text
    assert "I do not have a certificate yet." in text


def test_the_print_button_needs_javascript_and_the_page_says_how_to_print_without_it(learner_client):
    html = page(learner_client.get(PLAN))
    button = html.select_one("button[data-sp-print]")
    assert button.has_attr("hidden")
    assert "press Ctrl and P" in html.get_text(" ", strip=True)
    assert html.select_one("script[src$='/js/print.js']") is not None


def test_the_plan_is_linked_from_the_learner_home_and_from_goals(app, planner):
    learner, _ = planner
    client = sign_in(app.test_client(), learner)
    for url in ("/learner/", "/learner/goals"):
        links = [a for a in page(client.get(url)).select("a") if a.get("href") == PLAN]
        assert [a.get_text(strip=True) for a in links] == ["Print my plan"], url


def test_staff_cannot_open_the_plan(mentor_client, admin_client):
    assert mentor_client.get(PLAN).status_code == 403
    assert admin_client.get(PLAN).status_code == 403
