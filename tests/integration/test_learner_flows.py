"""What a learner meets first and where each page leads: a returned module, the readiness page and the module list.

Issue #10, items 1 to 3: a module returned with feedback comes first on the home page with the one action that
sends it back; each missing skill says what it means and links to the modules that teach it; the module list
puts the learner's job first, each module with where they are with it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup, Tag

from skillpath.extensions import db
from skillpath.models import Barrier, BarrierStatus, ModuleUnit, ProgressKind, SkillLevel
from skillpath.services.progress import progress
from skillpath.services.progress.progress import ModuleStatus
from skillpath.services.readiness import barriers
from skillpath.services.readiness.dashboards import modules_awaiting_sign_off
from tests import factories
from tests.helpers import flash_messages, page, post_form
from tests.integration._mentor_world import days_ago, finish_module, sign_off_module

FEEDBACK = "Add a photo of the ticket.\nSay <b>why</b> you closed it.\n\nThanks & well done so far."


@pytest.fixture
def job(learner):
    skills = [factories.make_skill(name=f"Helping users {i}") for i in range(2)]
    role_level = factories.make_role_level(
        name="Service desk analyst",
        plain_title="Help people fix computer problems",
        skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.AWARENESS},
    )
    learner.learner_profile.target_role_level = role_level
    db.session.flush()
    return {"skills": skills, "role_level": role_level}


def _return(learner, module, mentor, note=FEEDBACK):
    """The learner finished the module; their mentor returned it with feedback."""
    enrolment = finish_module(learner, module, at=days_ago(3))
    progress.log_event(enrolment, ProgressKind.RETURNED, actor=mentor, at=days_ago(2), note=note)
    db.session.flush()
    return enrolment


def _start(learner, module, parts_done=1):
    enrolment = progress.enrol(learner, module, actor=learner, at=days_ago(1))
    for unit in module.units[:parts_done]:
        progress.set_unit_done(enrolment, unit, True, actor=learner, at=days_ago(1) + timedelta(minutes=unit.position))
    db.session.flush()
    return enrolment


def _add_evidence(client, code, reflection="I added the photo and said why."):
    url = f"/learner/modules/{code}/add-evidence"
    return post_form(client, url, {"reflection": reflection})


def _status(learner, module) -> ModuleStatus:
    return progress.get_module_progress(progress.get_enrolment(learner, module)).status


def _text(node: Tag | BeautifulSoup | None) -> str:
    assert node is not None
    return node.get_text(" ", strip=True)


# --- 1. A returned module comes first ------------------------------------------------------------------------


def test_a_returned_module_comes_first_on_home_with_its_feedback_and_the_action_that_resubmits_it(
    learner_client, job, learner, mentor
):
    returned = factories.make_module(
        code="SDA-01", title="Helping users", skills={job["skills"][0]: SkillLevel.WORKING}
    )
    other = factories.make_module(code="SDA-02", title="Logging a call", units=3)
    _return(learner, returned, mentor)
    _start(learner, other)  # newer activity, with a next part: the home page used to point here

    soup = page(learner_client.get("/learner/"))
    banner = soup.select_one(".govuk-notification-banner")
    assert banner is not None and banner.sourceline < soup.h1.sourceline, "the feedback comes before anything else"
    assert "Your mentor has asked you to look again at Helping users" in _text(banner)

    said = banner.select(".govuk-inset-text p")
    assert [p.get_text("|") for p in said] == [
        "Add a photo of the ticket.|Say <b>why</b> you closed it.",  # escaped, its line break kept
        "Thanks & well done so far.",
    ]
    assert banner.select("b") == [] and len(said[0].select("br")) == 1

    actions = banner.select("a.govuk-button")
    assert [(a["href"], _text(a)) for a in actions] == [
        ("/learner/modules/SDA-01/add-evidence", "Add evidence to Helping users")
    ]
    assert "Adding evidence sends the module back to your mentor to check" in _text(banner)

    next_step = _text(soup.find("h2", string="What to do next").parent)
    assert "look again at Helping users" in next_step and "Logging a call" not in next_step
    statuses = [_text(row.select("td")[2]) for row in soup.select("tbody tr")]
    assert "Returned — look again" in statuses


def test_the_module_page_says_that_adding_evidence_sends_a_returned_module_back(learner_client, job, learner, mentor):
    module = factories.make_module(code="SDA-01", title="Helping users")
    _return(learner, module, mentor)

    soup = page(learner_client.get("/learner/modules/SDA-01"))
    assert _text(soup.select_one(".govuk-tag")) == "Returned — look again"
    feedback = soup.select_one(".govuk-inset-text")
    assert "Say <b>why</b> you closed it." in _text(feedback) and feedback.select("b") == []
    assert "When you add evidence, the module goes back to your mentor to check." in _text(soup)
    assert [a["href"] for a in soup.select("a.govuk-button") if _text(a) == "Add evidence"] == [
        "/learner/modules/SDA-01/add-evidence"
    ]
    form_page = page(learner_client.get("/learner/modules/SDA-01/add-evidence"))
    assert "When you save this evidence, the module goes back to your mentor to check." in _text(form_page)


def test_adding_evidence_to_a_returned_module_makes_it_ready_for_sign_off_again(learner_client, job, learner, mentor):
    module = factories.make_module(code="SDA-01", title="Helping users")
    _return(learner, module, mentor)
    assert modules_awaiting_sign_off([learner.id])[learner.id] == []

    response = _add_evidence(learner_client, "SDA-01")

    assert _status(learner, module) == ModuleStatus.READY_FOR_SIGN_OFF
    follow = learner_client.get(response.headers["Location"])
    assert flash_messages(follow) == [
        "Your evidence has been saved. Helping users has gone back to your mentor to check again."
    ]
    assert [state.module.code for state in modules_awaiting_sign_off([learner.id])[learner.id]] == ["SDA-01"]
    assert page(learner_client.get("/learner/")).select_one(".govuk-notification-banner") is None


def test_a_returned_module_with_a_part_left_to_do_leads_to_the_module_and_goes_back_once_finished(
    learner_client, job, learner, mentor
):
    module = factories.make_module(code="SDA-01", title="Helping users", units=2)
    _return(learner, module, mentor)
    module.units.append(ModuleUnit(position=3, title="Part 3", body="A part added since it was returned."))
    db.session.flush()

    banner = page(learner_client.get("/learner/")).select_one(".govuk-notification-banner")
    assert [(a["href"], _text(a)) for a in banner.select("a.govuk-button")] == [
        ("/learner/modules/SDA-01", "Go to Helping users")
    ]
    module_page = _text(page(learner_client.get("/learner/modules/SDA-01")))
    assert "When every part is done and you have added evidence, the module goes back to your mentor" in module_page

    unit = module.units[2]
    post_form(
        learner_client,
        f"/learner/modules/SDA-01/parts/{unit.public_id}",
        {"done": "yes"},
        form_url="/learner/modules/SDA-01",
    )
    response = _add_evidence(learner_client, "SDA-01")
    assert _status(learner, module) == ModuleStatus.READY_FOR_SIGN_OFF
    assert flash_messages(learner_client.get(response.headers["Location"])) == [
        "Your evidence has been saved. Helping users has gone back to your mentor to check again."
    ]


def test_finishing_a_module_says_it_is_ready_for_the_mentor(learner_client, job, learner):
    module = factories.make_module(code="SDA-01", title="Helping users", units=1)
    _start(learner, module, parts_done=0)
    response = _add_evidence(learner_client, "SDA-01")
    assert flash_messages(learner_client.get(response.headers["Location"])) == ["Your evidence has been saved."]
    response = post_form(
        learner_client,
        f"/learner/modules/SDA-01/parts/{module.units[0].public_id}",
        {"done": "yes"},
        form_url="/learner/modules/SDA-01",
    )
    assert flash_messages(learner_client.get(response.headers["Location"])) == [
        "“Part 1” is marked as done. Helping users is ready for your mentor to check and sign off."
    ]


# --- 2. The readiness page leads somewhere -------------------------------------------------------------------


def test_each_missing_skill_says_what_it_means_and_links_to_modules_that_teach_it_at_the_level_needed(
    learner_client, job, learner, mentor
):
    plain, unexplained = job["skills"]
    plain.plain_description = "Helping people who are stuck, kindly and clearly."
    factories.make_module(code="SDA-03", title="Supporting users", skills={unexplained: SkillLevel.WORKING})
    at_level = factories.make_module(code="SDA-02", title="Answering calls", skills={plain: SkillLevel.WORKING})
    below = factories.make_module(code="SDA-01", title="First steps", skills={plain: SkillLevel.AWARENESS})
    factories.make_module(
        code="SDA-09", title="Hidden draft", is_published=False, skills={unexplained: SkillLevel.EXPERT}
    )
    sign_off_module(learner, below, mentor)  # shows `plain` at awareness: too low for the job
    _start(learner, at_level)

    soup = page(learner_client.get("/learner/readiness"))
    cards = {_text(card.select_one(".govuk-summary-card__title")): card for card in soup.select(".govuk-summary-card")}
    assert list(cards) == ["Helping users 1", "Helping users 0"]  # the skill not shown at all costs the most

    missing = cards["Helping users 1"]
    assert "For this job you need to know what it is and how it is used at work." in _text(missing)
    assert _summary(missing) == {
        "The job needs you to": "Know what it is and how it is used at work",
        "You have shown you can": "Nothing yet",
    }
    assert _links(missing) == [("/modules/SDA-03", "Supporting users (not started)")]

    too_low = cards["Helping users 0"]
    assert "Helping people who are stuck, kindly and clearly." in _text(too_low)
    assert _summary(too_low) == {
        "The job needs you to": "Use it in your work, with some help",
        "You have shown you can": "Know what it is and how it is used at work",
    }
    assert _links(too_low) == [("/learner/modules/SDA-02", "Answering calls (in progress)")]  # not "First steps"

    text = _text(soup)
    assert "points)" not in text and "up to" not in text


def test_a_missing_skill_no_module_teaches_says_to_ask_the_mentor(learner_client, job):
    card = page(learner_client.get("/learner/readiness")).select(".govuk-summary-card")[0]
    assert "No module teaches this yet. Ask your mentor how you could show this skill." in _text(card)


def test_each_open_barrier_says_in_plain_words_what_the_learner_can_do_with_their_mentor(
    learner_client, job, learner, mentor
):
    barriers.set_barrier(learner, Barrier.HOUSING, status=BarrierStatus.IN_PROGRESS, by=mentor)
    barriers.set_barrier(learner, Barrier.ID, status=BarrierStatus.COMPLETED, by=mentor)
    db.session.flush()

    soup = page(learner_client.get("/learner/readiness"))
    section = soup.find("h2", id="practical-things")
    rows = {
        _text(row.select_one(".govuk-summary-list__key")): _text(row.select_one(".govuk-summary-list__value"))
        for row in section.find_next("dl").select(".govuk-summary-list__row")
    }
    assert len(rows) == len(Barrier) - 1 and "Identification (ID)" not in rows
    assert rows["Housing"].endswith("You have started on this.")
    assert rows["Bank account"] == (
        "You need a bank account to be paid. Your mentor can help you apply for one. Not started yet."
    )
    assert all("mentor" in value for value in rows.values())
    assert "Housing: in progress" not in _text(soup)


def _summary(card: Tag) -> dict[str, str]:
    return {
        _text(row.select_one(".govuk-summary-list__key")): _text(row.select_one(".govuk-summary-list__value"))
        for row in card.select(".govuk-summary-list__row")
    }


def _links(card: Tag) -> list[tuple[str, str]]:
    return [(str(li.a["href"]), _text(li)) for li in card.select("ul.govuk-list li")]


# --- 3. The module list, arranged for the learner -----------------------------------------------------------


def _task_lists(soup: BeautifulSoup) -> dict[str, list[tuple[str, str, str]]]:
    """Each task list under its heading, as (title, link, status)."""
    lists = {}
    for task_list in soup.select("ul.govuk-task-list"):
        heading = task_list.find_previous("h2")
        lists[_text(heading)] = [
            (
                _text(item.select_one(".govuk-task-list__link")),
                str(item.select_one(".govuk-task-list__link")["href"]),
                _text(item.select_one(".govuk-task-list__status")),
            )
            for item in task_list.select(".govuk-task-list__item")
        ]
    return lists


def test_the_module_list_puts_my_jobs_modules_first_each_with_where_i_am(learner_client, job, learner, mentor):
    skill = job["skills"][0]
    factories.make_module(code="AAA-01", title="Spreadsheets")  # first in code order, but not for this job
    factories.make_module(code="SDA-01", title="Not begun", skills={skill: SkillLevel.AWARENESS})
    started = factories.make_module(code="SDA-02", title="Begun", skills={skill: SkillLevel.WORKING})
    returned = factories.make_module(code="SDA-03", title="Sent back", skills={skill: SkillLevel.WORKING})
    ready = factories.make_module(code="SDA-04", title="Finished", skills={job["skills"][1]: SkillLevel.AWARENESS})
    done = factories.make_module(code="SDA-05", title="Signed", skills={skill: SkillLevel.AWARENESS})
    _start(learner, started)
    _return(learner, returned, mentor)
    finish_module(learner, ready)
    sign_off_module(learner, done, mentor)

    soup = page(learner_client.get("/modules/"))
    assert _task_lists(soup) == {
        "For your job: Help people fix computer problems": [
            ("Not begun", "/modules/SDA-01", "Not started"),
            ("Begun", "/learner/modules/SDA-02", "In progress"),
            ("Sent back", "/learner/modules/SDA-03", "Returned — look again"),
            ("Finished", "/learner/modules/SDA-04", "Ready for sign-off"),
            ("Signed", "/learner/modules/SDA-05", "Signed off"),
        ],
        "Other modules": [("Spreadsheets", "/modules/AAA-01", "Not started")],
    }
    # The task list pattern: what is still to do is a tag; what is finished is plain text.
    assert [_text(tag) for tag in soup.select(".govuk-task-list__status .govuk-tag")] == [
        "Not started",
        "In progress",
        "Returned — look again",
        "Ready for sign-off",
        "Not started",
    ]


def test_module_filters_are_in_plain_words_and_bookmarked_filters_still_work(learner_client, job):
    skill = job["skills"][0]
    factories.make_module(code="AAA-01", title="Spreadsheets", skills={factories.make_skill(): SkillLevel.EXPERT})
    factories.make_module(code="SDA-01", title="Answering calls", skills={skill: SkillLevel.WORKING})

    soup = page(learner_client.get("/modules/"))
    labels = [_text(label) for label in soup.select("form[method=get] label")]
    assert labels == ["Modules for a job", "Modules that teach a skill", "How far the module takes a skill"]
    levels = [_text(option) for option in soup.select("select[name=level] option")]
    assert levels == [
        "Any level",
        "Know what it is and how it is used at work (Awareness level)",
        "Use it in your work, with some help (Working level)",
        "Use it well on your own and show others how (Practitioner level)",
        "Lead others in it and be the person they ask (Expert level)",
    ]

    def titles(url: str) -> list[str]:
        return [title for rows in _task_lists(page(learner_client.get(url))).values() for title, _, _ in rows]

    assert titles(f"/modules/?role={job['role_level'].public_id}") == ["Answering calls"]
    assert titles(f"/modules/?skill={skill.id}") == ["Answering calls"]
    assert titles("/modules/?level=expert") == ["Spreadsheets"]
    assert titles("/modules/?level=nonsense&role=not-a-uuid&skill=abc") == ["Answering calls", "Spreadsheets"]


def test_staff_see_one_module_list_without_a_job_or_statuses(mentor_client, job):
    factories.make_module(code="SDA-01", title="Answering calls", skills={job["skills"][0]: SkillLevel.WORKING})
    soup = page(mentor_client.get("/modules/"))
    assert soup.select("ul.govuk-task-list .govuk-tag") == []
    assert "For your job" not in _text(soup)
    titles = [_text(link) for link in soup.select(".govuk-task-list__link")]
    assert "Answering calls" in titles
