"""The learner's goals: adding, changing, moving steps along, completing and archiving, only ever their own."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Goal, GoalStatus, StepStatus
from skillpath.models.plans import ReasonToArchiveGoal
from skillpath.services.errors import Conflict, InvalidInput, NotFound
from skillpath.services.plans import goals
from tests import factories
from tests.helpers import error_summary, field_errors, flash_messages, heading, location_path, page, post_form

NEW = "/learner/goals/new"


def _form_fields(client) -> dict[str, str]:
    """The CSRF token and one-time submission id of a freshly shown "Add a goal" form."""
    soup = page(client.get(NEW))
    return {
        "csrf_token": soup.find("input", attrs={"name": "csrf_token"})["value"],
        "submission_id": soup.find("input", attrs={"name": "submission_id"})["value"],
    }


def _goal_data(**overrides: str) -> dict[str, str]:
    data = {
        "title": "Get my CV ready",
        "target": "6",
        "step_1": "Ask the library for a CV template",
        "step_2": "",
        "step_3": "Write down my work history",
    }
    data.update(overrides)
    return data


def _create(client, **overrides: str):
    return post_form(client, NEW, _goal_data(**overrides))


def _goals_of(learner) -> list[Goal]:
    db.session.expire_all()
    return list(db.session.scalars(select(Goal).where(Goal.learner_id == learner.id).order_by(Goal.id)))


def _audit(learner, action: str) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_id == learner.id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
    )


def _make_goal(learner, *, steps=("First step", "Second step"), title="Find out about college courses") -> Goal:
    goal, _ = goals.create_goal(
        learner, title=title, target_date=date.today() + timedelta(days=90), steps=list(steps), actor=learner
    )
    db.session.flush()
    return goal


def _set_step(client, goal: Goal, position: int, status: StepStatus):
    url = f"/learner/goals/{goal.public_id}"
    return post_form(client, f"{url}/steps/{position}", {"status": status.value}, form_url=url)


# --- Adding a goal -------------------------------------------------------------------------------------------


def test_adding_a_goal_saves_its_steps_and_a_preset_target_date(learner_client, learner):
    response = _create(learner_client)
    [goal] = _goals_of(learner)
    assert location_path(response) == f"/learner/goals/{goal.public_id}"
    assert goal.title == "Get my CV ready"
    assert goal.status == GoalStatus.ACTIVE
    assert goal.target_date == goals.add_months(goals.today_in_uk(), 6)
    # The empty middle box is ignored; the steps are numbered in order.
    assert [(s.position, s.title, s.status) for s in goal.steps] == [
        (1, "Ask the library for a CV template", StepStatus.NOT_STARTED),
        (2, "Write down my work history", StepStatus.NOT_STARTED),
    ]
    [event] = _audit(learner, "learner.goal.created")
    assert event.actor_id == learner.id and event.object_id == str(goal.public_id)
    shown = learner_client.get(response.headers["Location"])
    assert heading(shown) == "Get my CV ready"
    assert flash_messages(shown) == ["Your goal has been saved."]


def test_the_form_offers_three_preset_dates_and_another_date_with_the_boxes_always_there(learner_client):
    soup = page(learner_client.get(NEW))
    labels = [label.get_text(" ", strip=True) for label in soup.select(".govuk-radios__label")]
    assert [label.split(" (")[0] for label in labels] == ["In 3 months", "In 6 months", "In 12 months", "Another date"]
    # Without JavaScript, the date boxes are on the page with a hint saying when to use them.
    for part in ("day", "month", "year"):
        assert soup.find("input", attrs={"id": f"target_date-{part}"}) is not None
    assert "Only if you chose another date" in soup.select_one("#target_date-hint").get_text()
    assert [box["name"] for box in soup.select("input[name^=step_]")] == ["step_1", "step_2", "step_3"]


def test_another_date_is_used_only_when_it_is_chosen(learner_client, learner):
    when = goals.today_in_uk() + timedelta(days=200)
    _create(learner_client, target="other", target_date=[str(when.day), str(when.month), str(when.year)])
    # With a preset chosen, anything in the date boxes is ignored, even nonsense.
    _create(learner_client, target="3", target_date=["99", "99", "x"], title="Second goal")
    first, second = _goals_of(learner)
    assert first.target_date == when
    assert second.target_date == goals.add_months(goals.today_in_uk(), 3)


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"title": ""}, {"#title": "Enter your goal"}),
        ({"title": "   "}, {"#title": "Enter your goal"}),
        ({"title": "x" * 201}, {"#title": "Your goal must be 200 characters or fewer"}),
        ({"target": ""}, {"#target": "Choose when you want to reach this goal"}),
        ({"target": "24"}, {"#target": "Choose when you want to reach this goal"}),
        ({"target": "other"}, {"#target_date": "Enter the date you want to reach this goal by"}),
        (
            {"target": "other", "target_date": ["31", "2", "2030"]},
            {"#target_date": "Target date must be a real date, like 27 3 2027"},
        ),
        (
            {"target": "other", "target_date": ["1", "", "2030"]},
            {"#target_date": "Target date must include a day, month and year"},
        ),
        ({"target": "other", "target_date": ["1", "1", "2020"]}, {"#target_date": "Target date must be in the future"}),
        ({"step_1": "", "step_3": ""}, {"#step_1": "Enter at least one step"}),
        ({"step_3": "y" * 201}, {"#step_3": "Step 3 must be 200 characters or fewer"}),
    ],
)
def test_bad_input_is_refused_with_a_message_that_says_what_to_do(learner_client, learner, overrides, expected):
    response = _create(learner_client, **overrides)
    assert response.status_code == 200
    assert error_summary(response) == expected
    assert page(response).title.get_text(strip=True).startswith("Error: ")
    assert _goals_of(learner) == []


def test_today_is_not_in_the_future(learner_client, learner):
    today = goals.today_in_uk()
    response = _create(learner_client, target="other", target_date=[str(today.day), str(today.month), str(today.year)])
    assert "Target date must be in the future" in field_errors(response)


def test_a_refused_form_keeps_what_was_typed_and_chosen(learner_client, learner):
    response = _create(learner_client, title="", target="other", target_date=["1", "1", "2020"])
    soup = page(response)
    assert soup.find("input", attrs={"name": "step_1"})["value"] == "Ask the library for a CV template"
    assert soup.find("input", attrs={"name": "step_3"})["value"] == "Write down my work history"
    assert soup.find("input", attrs={"name": "target", "value": "other"}).has_attr("checked")
    assert soup.find("input", attrs={"id": "target_date-year"})["value"] == "2020"


def test_add_another_step_shows_one_more_box_and_saves_nothing(learner_client, learner):
    response = _create(learner_client, add_step="y", steps_shown="3", title="")
    soup = page(response)
    assert [box["name"] for box in soup.select("input[name^=step_]")] == ["step_1", "step_2", "step_3", "step_4"]
    assert soup.find("input", attrs={"name": "step_3"})["value"] == "Write down my work history"
    assert soup.select_one(".govuk-error-summary") is None
    assert _goals_of(learner) == []
    response = _create(learner_client, steps_shown="4", step_4="Print it at the library")
    [goal] = _goals_of(learner)
    assert [step.title for step in goal.steps][-1] == "Print it at the library"


def test_sending_the_same_form_twice_makes_only_one_goal(learner_client, learner):
    fields = _form_fields(learner_client)
    first = learner_client.post(NEW, data={**_goal_data(), **fields})
    second = learner_client.post(NEW, data={**_goal_data(), **fields})
    [goal] = _goals_of(learner)
    assert str(goal.public_id) == fields["submission_id"]
    assert first.headers["Location"] == second.headers["Location"]
    assert flash_messages(learner_client.get(second.headers["Location"])) == [
        "Your goal has been saved.",
        "This goal was already saved.",
    ]
    assert len(_audit(learner, "learner.goal.created")) == 1


def test_each_new_form_gets_its_own_submission_id(learner_client, learner):
    assert _form_fields(learner_client)["submission_id"] != _form_fields(learner_client)["submission_id"]
    _create(learner_client)
    _create(learner_client)
    assert len(_goals_of(learner)) == 2  # the same goal on purpose, from two forms


def test_a_submission_id_copied_from_another_learners_goal_makes_a_fresh_goal(learner_client, learner, cohort):
    other = _make_goal(factories.make_learner(cohort=cohort))
    fields = _form_fields(learner_client)
    response = learner_client.post(NEW, data={**_goal_data(), **fields, "submission_id": str(other.public_id)})
    [mine] = _goals_of(learner)
    assert mine.public_id != other.public_id
    assert location_path(response) == f"/learner/goals/{mine.public_id}"
    db.session.refresh(other)
    assert other.title == "Find out about college courses"


def test_the_race_of_two_identical_submissions_is_settled_by_the_unique_id(app, learner, monkeypatch):
    submission = uuid.uuid4()
    goal, created = goals.create_goal(
        learner, title="A", target_date=None, steps=["x"], actor=learner, submission_id=submission
    )
    db.session.flush()
    assert created
    # Pretend the second request checked before the first one's goal existed.
    real_scalar = db.session.scalar
    lookups = []

    def first_lookup_misses(*args, **kwargs):
        lookups.append(args)
        return None if len(lookups) == 1 else real_scalar(*args, **kwargs)

    monkeypatch.setattr(db.session, "scalar", first_lookup_misses)
    again, created_again = goals.create_goal(
        learner, title="A", target_date=None, steps=["x"], actor=learner, submission_id=submission
    )
    assert not created_again and again.id == goal.id


# --- The list ------------------------------------------------------------------------------------------------


def test_the_list_shows_active_goals_with_steps_and_past_goals_separately(learner_client, learner):
    active = _make_goal(learner, title="Open a bank account")
    done = _make_goal(learner, title="Learn to type", steps=("Practise",))
    done.steps[0].status = StepStatus.COMPLETE
    goals.complete_goal(done, actor=learner)
    stopped = _make_goal(learner, title="Get a forklift licence")
    goals.archive_goal(stopped, "OTHER", other="Something changed", actor=learner)
    db.session.flush()
    soup = page(learner_client.get("/learner/goals"))
    cards = soup.select(".govuk-summary-card")
    assert [card.select_one(".govuk-summary-card__title").get_text(strip=True) for card in cards] == [active.title]
    assert [li.get_text(" ", strip=True) for li in cards[0].select("ol li")] == [
        "First step Not started",
        "Second step Not started",
    ]
    past = {
        row.select("td")[0].get_text(strip=True): row.select("td")[1].get_text(strip=True)
        for row in soup.select("tbody tr")
    }
    assert past == {"Learn to type": "Completed", "Get a forklift licence": "Archived: Something changed"}


def test_a_learner_with_no_goals_is_told_so(learner_client):
    soup = page(learner_client.get("/learner/goals"))
    assert soup.h1.get_text(strip=True) == "My goals"
    assert "You are not working on any goals at the moment." in soup.get_text()


# --- Steps, completing and archiving ---------------------------------------------------------------------------


def test_marking_steps_moves_them_along_and_is_audited(learner_client, learner):
    goal = _make_goal(learner)
    response = _set_step(learner_client, goal, 1, StepStatus.ACTIVE)
    # Back at the top, where the green banner says what changed (not down at the step, past it).
    assert location_path(response) == f"/learner/goals/{goal.public_id}"
    _set_step(learner_client, goal, 1, StepStatus.ACTIVE)  # a double click changes nothing
    [event] = _audit(learner, "learner.goal.step_updated")
    assert event.detail == {"step": 1, "status": "ACTIVE", "previous": "NOT_STARTED"}
    [goal] = _goals_of(learner)
    assert [step.status for step in goal.steps] == [StepStatus.ACTIVE, StepStatus.NOT_STARTED]
    soup = page(learner_client.get(f"/learner/goals/{goal.public_id}"))
    step_one = soup.select_one("#step-1")
    assert "In progress" in step_one.h3.get_text()
    buttons = [b.get_text(" ", strip=True) for b in step_one.select("button")]
    assert buttons == ["Mark as not started : step 1, First step", "Mark as done : step 1, First step"]
    assert {b["value"] for b in step_one.select("button")} == {"NOT_STARTED", "COMPLETE"}


def test_when_every_step_is_done_the_goal_can_be_completed(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}"
    _set_step(learner_client, goal, 1, StepStatus.COMPLETE)
    soup = page(learner_client.get(url))
    assert soup.find("button", string=lambda s: s and "Mark goal as completed" in s) is None
    # Forcing it early is refused with a message.
    response = post_form(learner_client, f"{url}/complete", {}, form_url=url)
    assert flash_messages(learner_client.get(response.headers["Location"])) == [
        "Mark every step as done before you complete the goal"
    ]
    assert _goals_of(learner)[0].status == GoalStatus.ACTIVE
    response = _set_step(learner_client, goal, 2, StepStatus.COMPLETE)
    soup = page(learner_client.get(url))
    assert soup.find("button", string=lambda s: s and "Mark goal as completed" in s) is not None
    response = post_form(learner_client, f"{url}/complete", {}, form_url=url)
    assert location_path(response) == "/learner/goals"
    assert _goals_of(learner)[0].status == GoalStatus.COMPLETED
    assert len(_audit(learner, "learner.goal.completed")) == 1
    # A completed goal no longer changes.
    _set_step(learner_client, goal, 1, StepStatus.ACTIVE)
    assert _goals_of(learner)[0].steps[0].status == StepStatus.COMPLETE
    assert location_path(learner_client.get(f"{url}/edit")) == url
    assert page(learner_client.get(url)).select("form button[name=status]") == []


def test_archiving_needs_a_reason_and_keeps_the_goal(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/archive"
    response = post_form(learner_client, url, {})
    assert error_summary(response) == {"#reason": "Choose why you are archiving this goal"}
    response = post_form(learner_client, url, {"reason": "delete everything"})
    assert error_summary(response) == {"#reason": "Choose why you are archiving this goal"}
    soup = page(response)
    labels = [label.get_text(strip=True) for label in soup.select(".govuk-radios__label")]
    assert labels == [
        "I no longer want this goal",
        "I no longer want careers advice and guidance",
        "The activities I need for it are not available here",
        "Other",
    ]
    # The values are the prison service's ReasonToArchiveGoal codes.
    assert [radio["value"] for radio in soup.select("input[name=reason]")] == [
        "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL",
        "PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG",
        "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON",
        "OTHER",
    ]
    # Words in the "other" box count only when "Other" is chosen.
    response = post_form(
        learner_client,
        url,
        {"reason": "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL", "reason_other": "ignored, not kept"},
    )
    assert location_path(response) == "/learner/goals"
    [goal] = _goals_of(learner)
    assert (goal.status, goal.archive_reason, goal.archive_reason_other) == (
        GoalStatus.ARCHIVED,
        ReasonToArchiveGoal.PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL,
        None,
    )
    [event] = _audit(learner, "learner.goal.archived")
    assert event.detail == {"reason": "PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL"}
    assert len(goal.steps) == 2


def test_archiving_for_another_reason_needs_a_few_words_which_stay_out_of_the_audit_log(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/archive"
    response = post_form(learner_client, url, {"reason": "OTHER", "reason_other": "   "})
    assert error_summary(response) == {"#reason_other": "Enter why you are archiving this goal"}
    response = post_form(learner_client, url, {"reason": "OTHER", "reason_other": "x" * 513})
    assert error_summary(response) == {"#reason_other": "Your reason must be 512 characters or fewer"}
    assert _goals_of(learner)[0].status == GoalStatus.ACTIVE
    response = post_form(learner_client, url, {"reason": "OTHER", "reason_other": "I was moved to another prison"})
    assert location_path(response) == "/learner/goals"
    [goal] = _goals_of(learner)
    assert (goal.archive_reason, goal.archive_reason_other) == (
        ReasonToArchiveGoal.OTHER,
        "I was moved to another prison",
    )
    [event] = _audit(learner, "learner.goal.archived")
    assert event.detail == {"reason": "OTHER"}
    soup = page(learner_client.get(f"/learner/goals/{goal.public_id}"))
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }
    assert rows["Why it was archived"] == "I was moved to another prison"


def test_the_archive_use_case_refuses_other_without_words_and_unknown_reasons(app, learner):
    goal = _make_goal(learner)
    with pytest.raises(InvalidInput) as refused:
        goals.archive_goal(goal, "OTHER", other="", actor=learner)
    assert (refused.value.field, refused.value.message) == ("reason_other", "Enter why you are archiving this goal")
    with pytest.raises(InvalidInput) as refused:
        goals.archive_goal(goal, "NO_LONGER_WANTED", actor=learner)  # SkillPath's old code is no longer one
    assert refused.value.field == "reason"
    goals.archive_goal(goal, ReasonToArchiveGoal.SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON, actor=learner)
    assert goal.status == GoalStatus.ARCHIVED
    with pytest.raises(Conflict) as refused:
        goals.archive_goal(goal, "OTHER", other="again", actor=learner)
    assert refused.value.message == "This goal is archived, so it cannot be changed"
    assert [event.detail for event in _audit(learner, "learner.goal.archived")] == [
        {"reason": "SUITABLE_ACTIVITIES_NOT_AVAILABLE_IN_THIS_PRISON"}
    ]


def test_editing_a_goal_changes_its_title_and_date(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/edit"
    soup = page(learner_client.get(url))
    assert soup.find("input", attrs={"name": "title"})["value"] == "Find out about college courses"
    when = goals.today_in_uk() + timedelta(days=400)
    response = post_form(
        learner_client,
        url,
        {"title": "Apply for a college course", "target_date": [str(when.day), str(when.month), str(when.year)]},
    )
    assert location_path(response) == f"/learner/goals/{goal.public_id}"
    [goal] = _goals_of(learner)
    assert (goal.title, goal.target_date) == ("Apply for a college course", when)
    [event] = _audit(learner, "learner.goal.updated")
    assert event.detail == {"changed": ["title", "target_date"]}


def test_editing_refuses_an_empty_title_and_a_new_date_in_the_past(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/edit"
    response = post_form(learner_client, url, {"title": "", "target_date": ["1", "1", "2020"]})
    assert error_summary(response) == {
        "#title": "Enter your goal",
        "#target_date": "Target date must be in the future",
    }
    assert _goals_of(learner)[0].title == "Find out about college courses"


def test_a_goal_whose_date_has_passed_can_keep_it_while_the_title_changes(learner_client, learner):
    goal = _make_goal(learner)
    goal.target_date = date(2024, 5, 1)
    db.session.flush()
    response = post_form(
        learner_client,
        f"/learner/goals/{goal.public_id}/edit",
        {"title": "New words", "target_date": ["1", "5", "2024"]},
    )
    assert location_path(response) == f"/learner/goals/{goal.public_id}"
    assert _goals_of(learner)[0].title == "New words"


# --- Only your own goals -------------------------------------------------------------------------------------------


def test_unknown_goal_ids_and_steps_are_not_found(learner_client, learner):
    goal = _make_goal(learner)
    forged = uuid.uuid4()
    for url in (f"/learner/goals/{forged}", f"/learner/goals/{forged}/edit", f"/learner/goals/{forged}/archive"):
        assert learner_client.get(url).status_code == 404, url
    assert learner_client.get("/learner/goals/not-a-uuid").status_code == 404
    assert _set_step(learner_client, goal, 99, StepStatus.COMPLETE).status_code == 404
    url = f"/learner/goals/{goal.public_id}"
    assert post_form(learner_client, f"{url}/steps/1", {"status": "FINISHED"}, form_url=url).status_code == 400


def test_another_learners_goal_is_not_found_and_not_changed(learner_client, learner, cohort):
    other_learner = factories.make_learner(cohort=cohort)
    theirs = _make_goal(other_learner, title="Their private goal")
    base = f"/learner/goals/{theirs.public_id}"
    own_page = f"/learner/goals/{_make_goal(learner).public_id}"
    for url in (base, f"{base}/edit", f"{base}/archive"):
        assert learner_client.get(url).status_code == 404, url
    assert post_form(learner_client, f"{base}/steps/1", {"status": "COMPLETE"}, form_url=own_page).status_code == 404
    assert post_form(learner_client, f"{base}/complete", {}, form_url=own_page).status_code == 404
    assert post_form(learner_client, f"{base}/archive", {"reason": "OTHER"}, form_url=own_page).status_code == 404
    assert post_form(learner_client, f"{base}/edit", {"title": "Hacked"}, form_url=own_page).status_code == 404
    [goal] = _goals_of(other_learner)
    assert (goal.title, goal.status, goal.steps[0].status) == (
        "Their private goal",
        GoalStatus.ACTIVE,
        StepStatus.NOT_STARTED,
    )
    assert "Their private goal" not in page(learner_client.get("/learner/goals")).get_text()


def test_staff_are_refused_the_learner_goal_pages(mentor_client, admin_client, learner):
    goal = _make_goal(learner)
    for client in (mentor_client, admin_client):
        for url in ("/learner/goals", NEW, f"/learner/goals/{goal.public_id}"):
            assert client.get(url).status_code == 403, url


def test_the_step_buttons_need_a_csrf_token(learner_client, learner):
    goal = _make_goal(learner)
    response = learner_client.post(f"/learner/goals/{goal.public_id}/steps/1", data={"status": "COMPLETE"})
    assert response.status_code == 400
    assert _goals_of(learner)[0].steps[0].status == StepStatus.NOT_STARTED


# --- The use cases, as any interface calls them ----------------------------------------------------------------


def test_each_use_case_makes_its_change_and_its_audit_event_and_a_learners_own_change_is_activity(app, learner):
    learner.learner_profile.last_activity_at = None
    goal, created = goals.create_goal(
        learner, title="  Get a CV  ", target_date=None, steps=["", "Write"], actor=learner
    )
    assert created and goal.title == "Get a CV" and [step.title for step in goal.steps] == ["Write"]
    assert learner.learner_profile.last_activity_at is not None
    assert goals.update_goal(goal, title="Get a good CV", target_date=None, actor=learner)
    assert not goals.update_goal(goal, title="Get a good CV", target_date=None, actor=learner)  # nothing changed
    step = goals.find_step(goal, 1)
    assert goals.set_step_status(goal, step, StepStatus.COMPLETE, actor=learner)
    goals.complete_goal(goal, actor=learner)
    assert goal.status == GoalStatus.COMPLETED
    db.session.flush()
    assert [(event.action, event.actor_id) for event in _events_of(goal)] == [
        ("learner.goal.created", learner.id),
        ("learner.goal.updated", learner.id),
        ("learner.goal.step_updated", learner.id),
        ("learner.goal.completed", learner.id),
    ]


def test_a_staff_api_client_acts_with_no_person_as_actor_and_is_not_the_learners_activity(app, learner):
    learner.learner_profile.last_activity_at = None
    goal, _ = goals.create_goal(learner, title="Open a bank account", target_date=None, steps=["Ask"], actor=None)
    goals.archive_goal(goal, "PRISONER_NO_LONGER_WANTS_TO_WORK_WITH_CIAG", actor=None)
    db.session.flush()
    assert goal.created_by_id is None and learner.learner_profile.last_activity_at is None
    assert [(event.action, event.actor_id, event.subject_id) for event in _events_of(goal)] == [
        ("learner.goal.created", None, learner.id),
        ("learner.goal.archived", None, learner.id),
    ]


def test_the_use_cases_refuse_bad_input_with_the_field_it_concerns(app, learner):
    with pytest.raises(InvalidInput) as refused:
        goals.create_goal(learner, title=" ", target_date=None, steps=["x"], actor=learner)
    assert (refused.value.field, refused.value.message) == ("title", "Enter your goal")
    with pytest.raises(InvalidInput) as refused:
        goals.create_goal(learner, title="A goal", target_date=None, steps=["x"] * 11, actor=learner)
    assert refused.value.field == "step_1"
    goal = _make_goal(learner)
    with pytest.raises(InvalidInput) as refused:
        goals.update_goal(goal, title="x" * 201, target_date=None, actor=learner)
    assert (refused.value.field, refused.value.message) == ("title", "Your goal must be 200 characters or fewer")
    with pytest.raises(NotFound):
        goals.find_step(goal, 9)
    with pytest.raises(Conflict) as refused:
        goals.complete_goal(goal, actor=learner)
    assert refused.value.message == "Mark every step as done before you complete the goal"


def test_a_refusal_from_the_use_case_is_shown_beside_its_field_or_as_a_banner(learner_client, learner, monkeypatch):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/archive"

    def refuse_other(*args, **kwargs):
        raise InvalidInput("That reason cannot be used now", field="reason_other")

    monkeypatch.setattr(goals, "archive_goal", refuse_other)
    response = post_form(learner_client, url, {"reason": "OTHER", "reason_other": "Moving"})
    assert error_summary(response) == {"#reason_other": "That reason cannot be used now"}

    def refuse(*args, **kwargs):
        raise Conflict("This goal is completed, so it cannot be changed")

    monkeypatch.setattr(goals, "archive_goal", refuse)
    response = post_form(learner_client, url, {"reason": "OTHER", "reason_other": "Moving"})
    assert flash_messages(response) == ["This goal is completed, so it cannot be changed"]
    assert _goals_of(learner)[0].status == GoalStatus.ACTIVE


def _events_of(goal: Goal) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.object_type == "goal", AuditEvent.object_id == str(goal.public_id))
            .order_by(AuditEvent.id)
        )
    )
