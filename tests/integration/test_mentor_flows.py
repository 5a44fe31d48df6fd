"""Issue 10, items 6 to 9: what a new member of staff trips over, put right.

6. Staff correct a learner's name, username and prison number (audited, never with the prison number in
   the audit detail), and adding a learner has a "Check your answers" step before anything is written.
7. After a sign-off or a return the mentor lands on the next module to review, or home when there is none;
   the home page's figures lead to the learners behind them, and the to-do list comes first.
8. Name search ignores case and accents, on the cohort dashboard, its export and the establishment view.
9. Removing a mentor from a cohort asks first.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Barrier, CohortMembership, LearnerProfile, SkillLevel, User
from skillpath.services.learners import accounts
from skillpath.services.readiness.dashboards import fold_name, name_matches
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, location_path, page, post_form
from tests.integration._mentor_world import days_ago, finish_module, make_job, resolve_barriers, sign_off_module


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _summary(soup) -> dict[str, tuple[str, str | None]]:
    """A GOV.UK summary list as {key: (value, href of its Change link or None)}."""
    rows = {}
    for row in soup.select(".govuk-summary-list__row"):
        link = row.select_one(".govuk-summary-list__actions a")
        rows[row.select_one(".govuk-summary-list__key").get_text(" ", strip=True)] = (
            row.select_one(".govuk-summary-list__value").get_text(" ", strip=True),
            str(link["href"]) if link else None,
        )
    return rows


# --- 6. Adding a learner: check your answers first ------------------------------------------------------------

ANSWERS = {
    "preferred_name": "Jo Bloggs",
    "username": "Jo.Bloggs",
    "prison_number": " b 9876 cd ",
    "release_date": ["27", "3", "2027"],
}


def _add_url(cohort) -> str:
    return f"/mentor/cohorts/{cohort.public_id}/add-learner"


def test_adding_a_learner_shows_the_answers_to_check_before_anything_is_written(mentor_client, mentor, cohort):
    users = _count(User)
    refused = post_form(mentor_client, _add_url(cohort), {**ANSWERS, "prison_number": "AB12345"})
    assert error_summary(refused) == {"#prison_number": "Enter a prison number in the format A1234BC"}
    assert location_path(mentor_client.get(_add_url(cohort) + "/check")) == _add_url(cohort), "nothing to check yet"

    response = post_form(mentor_client, _add_url(cohort), ANSWERS)
    assert location_path(response) == _add_url(cohort) + "/check"
    assert _count(User) == users, "nothing is written until the answers are checked"
    with mentor_client.session_transaction() as session:
        waiting = str(dict(session))
    assert "B9876CD" not in waiting and "Bloggs" not in waiting, "the answers in the cookie cannot be read"

    check = mentor_client.get(_add_url(cohort) + "/check")
    assert heading(check) == "Check your answers"
    rows = _summary(page(check))
    assert {key: value for key, (value, _) in rows.items()} == {
        "Name": "Jo Bloggs",
        "Username": "jo.bloggs",
        "Prison number": "B9876CD",
        "Expected release date": "27 March 2027",
    }
    for key, (_, href) in rows.items():
        assert href is not None and href.startswith(_add_url(cohort) + "?change="), key
    assert [urlsplit(href).fragment for _, href in rows.values()] == [
        "preferred_name",
        "username",
        "prison_number",
        "release_date",
    ]

    added = post_form(mentor_client, _add_url(cohort) + "/check", {})
    learner = accounts.find_user_by_username("jo.bloggs")
    assert location_path(added) == f"/mentor/learners/{learner.public_id}/activation-code"
    profile = learner.learner_profile
    assert (profile.preferred_name, profile.prison_number, profile.release_date) == (
        "Jo Bloggs",
        "B9876CD",
        date(2027, 3, 27),
    )
    assert _count(CohortMembership, CohortMembership.learner_id == learner.id) == 1
    [event] = _events("account.learner.created")
    assert (event.actor_id, event.subject_id) == (mentor.id, learner.id)
    assert heading(mentor_client.get(location_path(added))) == "Activation code for Jo Bloggs"
    # The answers are forgotten once used: the check page now leads back to an empty form.
    assert location_path(mentor_client.get(_add_url(cohort) + "/check")) == _add_url(cohort)


def test_a_change_link_brings_back_the_form_as_it_was_typed(mentor_client, cohort):
    post_form(mentor_client, _add_url(cohort), ANSWERS)
    change = page(mentor_client.get(_add_url(cohort) + "?change=yes"))
    assert [change.find("input", id=name)["value"] for name in ("preferred_name", "username", "prison_number")] == [
        "Jo Bloggs",
        "jo.bloggs",
        "B9876CD",
    ]
    assert [int(change.find("input", id=f"release_date-{part}")["value"]) for part in ("day", "month", "year")] == [
        27,
        3,
        2027,
    ]
    assert change.select_one(".govuk-back-link")["href"] == _add_url(cohort) + "/check"
    # The changed answer replaces the old one on the check page.
    post_form(mentor_client, _add_url(cohort), {**ANSWERS, "username": "jo.b2"})
    rows = _summary(page(mentor_client.get(_add_url(cohort) + "/check")))
    assert rows["Username"][0] == "jo.b2" and rows["Name"][0] == "Jo Bloggs"
    # "Add a learner" from the cohort starts afresh.
    fresh = page(mentor_client.get(_add_url(cohort)))
    assert not fresh.find("input", id="preferred_name").get("value")


def test_the_check_page_with_no_answers_goes_to_the_form(mentor_client, cohort):
    response = mentor_client.get(_add_url(cohort) + "/check")
    assert location_path(response) == _add_url(cohort)
    other = factories.make_cohort(establishment=cohort.establishment)
    assert mentor_client.get(_add_url(other) + "/check").status_code == 404


def test_answers_typed_for_one_cohort_are_not_added_to_another(app, cohort, mentor):
    other = factories.make_cohort(establishment=cohort.establishment)
    other.mentors.append(mentor)
    db.session.flush()
    client = sign_in(app.test_client(), mentor)
    post_form(client, _add_url(cohort), ANSWERS)
    assert location_path(client.get(_add_url(other) + "/check")) == _add_url(other)


def test_a_username_taken_while_the_answers_were_checked_goes_back_to_the_form(mentor_client, cohort):
    post_form(mentor_client, _add_url(cohort), ANSWERS)
    factories.make_learner(cohort=cohort, username="jo.bloggs")
    users = _count(User)
    response = post_form(mentor_client, _add_url(cohort) + "/check", {})
    assert response.status_code == 200
    assert heading(response) == "Add a learner"
    assert error_summary(response) == {"#username": "That username is already taken. Choose a different username"}
    form = page(response)
    assert form.find("input", id="preferred_name")["value"] == "Jo Bloggs"
    assert form.select_one("form:has(#preferred_name)")["action"] == _add_url(cohort)
    assert _count(User) == users


def test_a_double_click_on_add_learner_adds_one_account_and_shows_its_code(mentor_client, cohort):
    post_form(mentor_client, _add_url(cohort), ANSWERS)
    token = page(mentor_client.get(_add_url(cohort) + "/check")).find("input", attrs={"name": "csrf_token"})["value"]
    with mentor_client.session_transaction() as session:
        before_first_click = dict(session)
    first = mentor_client.post(_add_url(cohort) + "/check", data={"csrf_token": token})
    with mentor_client.session_transaction() as session:
        after_first_click = dict(session)
        session.clear()
        session.update(before_first_click)  # the second click carries the cookie the first one was sent with
    second = mentor_client.post(_add_url(cohort) + "/check", data={"csrf_token": token})
    assert _count(User, User.username == "jo.bloggs") == 1
    assert location_path(second) == location_path(first)
    with mentor_client.session_transaction() as session:
        assert dict(session) == before_first_click, "the second click leaves the first click's cookie in place"
        session.clear()
        session.update(after_first_click)
    assert heading(mentor_client.get(location_path(second))) == "Activation code for Jo Bloggs"


# --- 6. Correcting a learner's details ------------------------------------------------------------------------


def _details_url(learner) -> str:
    return f"/mentor/learners/{learner.public_id}/change-details"


def test_the_record_has_a_change_link_for_name_username_and_prison_number(mentor_client, learner):
    rows = _summary(page(mentor_client.get(f"/mentor/learners/{learner.public_id}")))
    assert rows["Name"][1] == _details_url(learner) + "#preferred_name"
    assert rows["Username"][1] == _details_url(learner) + "#username"
    assert rows["Prison number"][1] == _details_url(learner) + "#prison_number"
    form = page(mentor_client.get(_details_url(learner)))
    assert [form.find("input", id=name)["value"] for name in ("preferred_name", "username", "prison_number")] == [
        learner.learner_profile.preferred_name,
        learner.username,
        "A1234BC",
    ]


def test_staff_correct_a_learners_name_username_and_prison_number(mentor_client, mentor, learner):
    response = post_form(
        mentor_client,
        _details_url(learner),
        {"preferred_name": "Nguyễn Thị Minh", "username": "Minh.N", "prison_number": "b 9876 cd"},
    )
    assert location_path(response) == f"/mentor/learners/{learner.public_id}"
    db.session.refresh(learner)
    db.session.refresh(learner.learner_profile)
    assert (learner.learner_profile.preferred_name, learner.display_name) == ("Nguyễn Thị Minh", "Nguyễn Thị Minh")
    assert (learner.username, learner.learner_profile.prison_number) == ("minh.n", "B9876CD")
    [event] = _events("account.details.changed")
    assert (event.actor_id, event.subject_id) == (mentor.id, learner.id)
    assert event.detail == {"fields": ["name", "username", "prison number"]}
    record = mentor_client.get(location_path(response))
    assert flash_messages(record) == [
        "Details saved: name, username and prison number changed. "
        "Tell the learner their new username, minh.n. Their password stays the same."
    ]
    assert heading(record) == "Nguyễn Thị Minh"


def test_the_audit_log_never_holds_the_prison_number(mentor_client, learner):
    post_form(
        mentor_client,
        _details_url(learner),
        {"preferred_name": learner.learner_profile.preferred_name, "username": learner.username, "prison_number": ""},
    )
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.prison_number is None
    [event] = _events("account.details.changed")
    assert event.detail == {"fields": ["prison number"]}
    every_detail = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
    assert "A1234BC" not in every_detail


def test_saving_the_same_details_changes_and_records_nothing(mentor_client, learner):
    response = post_form(
        mentor_client,
        _details_url(learner),
        {
            "preferred_name": learner.learner_profile.preferred_name,
            "username": learner.username.upper(),
            "prison_number": "a1234bc",
        },
    )
    assert response.status_code == 302
    assert _events("account.details.changed") == []
    assert flash_messages(mentor_client.get(location_path(response))) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"preferred_name": "  "}, "#preferred_name", "Enter the learner's name"),
        ({"preferred_name": "J" * 101}, "#preferred_name", "Names are 100 characters or fewer"),
        ({"username": "Taken.Name"}, "#username", "That username is already taken. Choose a different username"),
        ({"username": "no spaces"}, "#username", None),
        ({"username": ""}, "#username", "Enter a username"),
        ({"prison_number": "AB12345"}, "#prison_number", "Enter a prison number in the format A1234BC"),
        ({"prison_number": "A1234BCD"}, "#prison_number", "Prison numbers are 7 characters, like A1234BC"),
    ],
)
def test_a_correction_follows_the_rules_for_adding_a_learner(mentor_client, cohort, learner, changes, field, message):
    factories.make_learner(cohort=cohort, username="taken.name")
    before = (learner.username, learner.learner_profile.preferred_name, learner.learner_profile.prison_number)
    data = {"preferred_name": "New Name", "username": "new.name", "prison_number": "C1111DD", **changes}
    response = post_form(mentor_client, _details_url(learner), data)
    assert response.status_code == 200
    errors = error_summary(response)
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == message
    assert page(response).find("input", id="username")["value"] == data["username"], "what was typed is kept"
    db.session.refresh(learner)
    db.session.refresh(learner.learner_profile)
    assert (learner.username, learner.learner_profile.preferred_name, learner.learner_profile.prison_number) == before
    assert _events("account.details.changed") == []


def test_a_username_taken_at_the_same_moment_gets_a_message_not_an_error(mentor_client, cohort, learner, monkeypatch):
    other = factories.make_learner(cohort=cohort, username="wanted.name")
    # The other request took the name after this one checked it: only the unique index can refuse it now.
    monkeypatch.setattr(accounts, "check_username", accounts.normalise_username)
    data = {"preferred_name": "Changed Too", "username": other.username, "prison_number": "A1234BC"}
    response = post_form(mentor_client, _details_url(learner), data)
    assert response.status_code == 200
    assert error_summary(response) == {"#username": "That username is already taken. Choose a different username"}
    db.session.refresh(learner)
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.preferred_name != "Changed Too"
    assert _events("account.details.changed") == []


def test_opening_the_form_is_recorded_as_a_look_at_the_record(mentor_client, mentor, learner):
    mentor_client.get(_details_url(learner))
    [event] = [e for e in _events("learner.record.viewed") if e.detail.get("page") == "change-details"]
    assert (event.actor_id, event.subject_id) == (mentor.id, learner.id)


def test_a_mentor_cannot_correct_a_learner_in_another_cohort(mentor_client, learner):
    stranger = factories.make_learner(username="stranger.one")
    assert mentor_client.get(_details_url(stranger)).status_code == 404
    data = {"preferred_name": "Hacked", "username": "hacked", "prison_number": ""}
    response = post_form(mentor_client, _details_url(stranger), data, form_url=_details_url(learner))
    assert response.status_code == 404
    db.session.refresh(stranger)
    assert stranger.username == "stranger.one"


# --- 7. The next item to review, figures that lead somewhere, the to-do list first ----------------------------


@pytest.fixture
def reviews(mentor, cohort):
    """Three modules waiting for this mentor (ready 5, 3 and 1 days ago) and one in a cohort they do not mentor."""
    job, skills = make_job(level=SkillLevel.AWARENESS)
    module = factories.make_module(title="Fix a printer", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    other_module = factories.make_module(title="Reset a password", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    first = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Ann First")
    second = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Bea Second")
    elsewhere = factories.make_cohort(establishment=cohort.establishment)
    factories.make_mentor(cohorts=[elsewhere])
    stranger = factories.make_learner(cohort=elsewhere, target_role_level=job, display_name="Cat Elsewhere")
    return {
        "first": finish_module(first, module, at=days_ago(5)),
        "second": finish_module(second, module, at=days_ago(3)),
        "third": finish_module(first, other_module, at=days_ago(1)),
        "stranger": finish_module(stranger, module, at=days_ago(9)),
    }


def _review_url(enrolment) -> str:
    return f"/mentor/modules-to-review/{enrolment.public_id}"


def test_after_a_sign_off_the_mentor_lands_on_the_next_module_to_review(mentor_client, reviews):
    response = post_form(mentor_client, _review_url(reviews["first"]) + "/sign-off", {}, form_url="/mentor/")
    assert location_path(response) == _review_url(reviews["second"])
    landed = mentor_client.get(location_path(response))
    assert heading(landed) == "Fix a printer"
    assert "Bea Second" in page(landed).select_one(".govuk-caption-l").get_text()
    [message] = flash_messages(landed)
    assert message.startswith("Fix a printer is signed off.") and message.endswith("Here is the next module to review.")


def test_after_a_return_the_mentor_lands_on_the_next_module_then_home(mentor_client, reviews):
    response = post_form(
        mentor_client, _review_url(reviews["second"]) + "/return", {"feedback": "Add a photo."}, form_url="/mentor/"
    )
    assert location_path(response) == _review_url(reviews["first"])
    post_form(mentor_client, _review_url(reviews["first"]) + "/sign-off", {}, form_url="/mentor/")
    last = post_form(mentor_client, _review_url(reviews["third"]) + "/sign-off", {}, form_url="/mentor/")
    assert location_path(last) == "/mentor/", "the stranger's module is not this mentor's to review"
    home = mentor_client.get("/mentor/")
    [message] = flash_messages(home)
    assert message.startswith("Reset a password is signed off.") and message.endswith("Nothing else to review.")
    assert "No modules are waiting for you to sign them off." in page(home).get_text(" ", strip=True)


def test_an_administrator_goes_back_to_the_learners_record(admin_client, reviews):
    response = post_form(
        admin_client, _review_url(reviews["first"]) + "/sign-off", {}, form_url="/account/change-password"
    )
    assert location_path(response) == f"/mentor/learners/{reviews['first'].learner.public_id}"


def test_the_to_do_list_comes_before_the_cohort_figures(mentor_client, reviews):
    soup = page(mentor_client.get("/mentor/"))
    order = [
        element.get_text(" ", strip=True) if element.name == "h2" else "figures"
        for element in soup.select("main h2, main .sp-key-figures")
        if not element.find_parent(id="sp-timeout")
    ]
    assert order[0] == "To do"
    assert order.index("To do") < order.index("figures")
    first_table = soup.select_one("main table")
    assert first_table["id"] == "table-awaiting-sign-off"


def test_each_headline_figure_leads_to_the_learners_behind_it(mentor_client, mentor, cohort):
    job, skills = make_job(level=SkillLevel.AWARENESS)
    module = factories.make_module(title="Fix a printer", skills=dict.fromkeys(skills, SkillLevel.AWARENESS))
    ready = factories.make_learner(cohort=cohort, target_role_level=job, display_name="Rita Ready")
    sign_off_module(ready, module, mentor)
    resolve_barriers(ready, mentor, len(Barrier))
    soon = factories.make_learner(
        cohort=cohort, display_name="Sol Soon", release_date=(datetime.now(UTC) + timedelta(days=20)).date()
    )
    finish_module(soon, module)
    factories.make_learner(cohort=cohort, display_name="Nat Other")

    soup = page(mentor_client.get("/mentor/"))
    figures = {
        item.get_text(" ", strip=True): (item.a["href"] if item.a else None)
        for item in soup.select(".sp-key-figures__item")
    }
    dashboard = f"/mentor/cohorts/{cohort.public_id}"
    assert figures == {
        "3 learners": dashboard + "#learners",
        "1 ready for work": dashboard + "?band=READY#learners",
        "0 nearly ready": None,  # nothing behind a 0
        "1 module awaiting sign-off": "#awaiting-sign-off",
        "1 due for release within 12 weeks": dashboard + "?release=12-weeks#learners",
    }

    def names(href: str) -> list[str]:
        shown = page(mentor_client.get(href.split("#")[0]))
        return [row.select("td")[0].get_text(" ", strip=True) for row in shown.select("#table-learners tbody tr")]

    assert names(figures["1 ready for work"]) == ["Rita Ready"]
    assert names(figures["1 due for release within 12 weeks"]) == ["Sol Soon"]
    assert len(names(figures["3 learners"])) == 3
    awaiting = soup.select_one("#awaiting-sign-off")
    assert awaiting is not None and awaiting.name == "h3"


def test_with_several_cohorts_each_figure_says_which_cohort(app, mentor, cohort):
    other = factories.make_cohort(establishment=cohort.establishment, name="Evening class")
    other.mentors.append(mentor)
    factories.make_learner(cohort=other, display_name="Eve Evening")
    factories.make_learner(cohort=cohort, display_name="Dan Day")
    db.session.flush()
    soup = page(sign_in(app.test_client(), mentor).get("/mentor/"))
    links = [a.get_text(" ", strip=True) for a in soup.select(".sp-key-figures__item a")]
    assert f"1 learner in {cohort.name}" in links and "1 learner in Evening class" in links


# --- 8. Name search without case or accents ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "name"),
    [
        ("nguyen", "Nguyễn Thị Minh"),
        ("NGUYEN THI", "Nguyễn Thị Minh"),
        ("minh nguyen", "Nguyễn Thị Minh"),
        ("nguyen  thị", "Nguyễn   Thị Minh"),
        ("lukasz zolc", "Łukasz Żółć"),
        ("jose", "JOSÉ María"),
        ("soren", "Søren"),
        ("dang", "Đặng Văn"),
    ],
)
def test_a_name_search_ignores_case_accents_and_word_order(search, name):
    assert name_matches(search, name)


def test_names_fold_to_plain_letters_and_every_word_must_match():
    assert fold_name("  Nguyễn   Thị MINH ") == "nguyen thi minh"
    assert fold_name("Straße") == "strasse"
    assert not name_matches("nguyen x", "Nguyễn Thị Minh")
    assert not name_matches("%", "Nguyễn Thị Minh")
    assert name_matches("", "Anyone")


@pytest.fixture
def names(cohort):
    for name in ("Nguyễn Thị Minh", "Nina Nguyen", "Ann Other"):
        factories.make_learner(cohort=cohort, display_name=name)


def test_the_cohort_dashboard_and_its_export_find_a_name_without_its_accents(mentor_client, cohort, names):
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?name=nguyen"))
    shown = [row.select("td")[0].get_text(" ", strip=True) for row in soup.select("#table-learners tbody tr")]
    assert [name.removesuffix(" Not set up yet") for name in shown] == ["Nguyễn Thị Minh", "Nina Nguyen"]
    export = mentor_client.get(f"/dashboards/cohorts/{cohort.public_id}/export.csv?name=NGUYEN+THI")
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["Nguyễn Thị Minh"]


def test_the_establishment_view_has_a_name_search(app, cohort, names):
    head = factories.make_mentor(establishment=cohort.establishment, is_establishment_lead=True)
    client = sign_in(app.test_client(), head)
    url = f"/dashboards/establishments/{cohort.establishment.public_id}"
    soup = page(client.get(url))
    assert soup.select_one("form.sp-filters input#name") is not None
    assert soup.select_one("#table-learners-found") is None, "no list of learners until a name is searched for"

    soup = page(client.get(url + "?name=nguyen"))
    found = [
        [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select("#table-learners-found tbody tr")
    ]
    assert [row[:2] for row in found] == [["Nguyễn Thị Minh", cohort.name], ["Nina Nguyen", cohort.name]]
    link = soup.select_one("#table-learners-found tbody a")["href"]
    assert client.get(link).status_code == 200
    assert soup.select_one("input#name")["value"] == "nguyen"

    nobody = page(client.get(url + "?name=zzz"))
    assert "No learner here matches “zzz”." in nobody.get_text(" ", strip=True)


def test_the_establishment_view_lists_only_the_first_hundred_found(app, cohort, monkeypatch):
    from skillpath.dashboards import routes as dashboard_routes

    monkeypatch.setattr(dashboard_routes, "NAME_MATCHES_SHOWN", 2)
    for n in range(3):
        factories.make_learner(cohort=cohort, display_name=f"Nguyễn {n}")
    client = sign_in(app.test_client(), factories.make_admin())
    soup = page(client.get(f"/dashboards/establishments/{cohort.establishment.public_id}?name=nguyen"))
    assert len(soup.select("#table-learners-found tbody tr")) == 2
    assert "These are the first 2 of 3. Type more of the name to find fewer." in soup.get_text(" ", strip=True)


# --- 9. Removing a mentor asks first ------------------------------------------------------------------------------


def test_removing_a_mentor_asks_for_confirmation_first(admin_client, admin, cohort, mentor):
    cohort_url = f"/admin/cohorts/{cohort.public_id}"
    remove_url = f"{cohort_url}/mentors/{mentor.public_id}/remove"
    cohort_page = page(admin_client.get(cohort_url))
    assert not cohort_page.select(f"form[action='{remove_url}']"), "no button removes a mentor at once"
    link = cohort_page.find("a", href=remove_url)
    assert link.get_text(" ", strip=True) == f"Remove {mentor.display_name} from this cohort"

    confirm = admin_client.get(remove_url)
    assert heading(confirm) == f"Are you sure you want to remove {mentor.display_name} from this cohort?"
    soup = page(confirm)
    button = soup.select_one(f"form:not([action]) button, form[action='{remove_url}'] button")
    assert button.get_text(strip=True) == "Remove mentor" and "govuk-button--warning" in button["class"]
    assert soup.find("a", string="Cancel")["href"] == cohort_url
    assert "This cohort will have no mentor." in soup.get_text(" ", strip=True)
    db.session.refresh(cohort)
    assert mentor in cohort.mentors, "opening the page removes no one"

    response = post_form(admin_client, remove_url, {})
    assert location_path(response) == cohort_url
    db.session.refresh(cohort)
    assert mentor not in cohort.mentors
    [event] = _events("cohort.mentor.removed")
    assert (event.actor_id, event.subject_id) == (admin.id, mentor.id)

    again = post_form(admin_client, remove_url, {}, form_url=cohort_url)  # the second click of a double click
    assert location_path(again) == cohort_url
    assert flash_messages(admin_client.get(cohort_url)) == [f"{mentor.display_name} no longer mentors {cohort.name}."]
    assert len(_events("cohort.mentor.removed")) == 1


def test_the_confirm_page_is_404_for_a_mentor_not_in_the_cohort(admin_client, cohort):
    other = factories.make_mentor(establishment=cohort.establishment)
    assert admin_client.get(f"/admin/cohorts/{cohort.public_id}/mentors/{other.public_id}/remove").status_code == 404


def test_mentors_cannot_open_the_confirm_page(mentor_client, cohort, mentor):
    assert mentor_client.get(f"/admin/cohorts/{cohort.public_id}/mentors/{mentor.public_id}/remove").status_code == 403


def test_the_profile_of_a_corrected_learner_is_the_one_the_dashboard_shows(mentor_client, cohort, learner):
    post_form(
        mentor_client,
        _details_url(learner),
        {"preferred_name": "Zoë Corrected", "username": learner.username, "prison_number": "A1234BC"},
    )
    soup = page(mentor_client.get(f"/mentor/cohorts/{cohort.public_id}?name=zoe"))
    assert [a.get_text(strip=True) for a in soup.select("#table-learners tbody a")] == ["Zoë Corrected"]
    assert db.session.scalar(select(LearnerProfile.preferred_name).where(LearnerProfile.user_id == learner.id)) == (
        "Zoë Corrected"
    )
