"""Administrators run establishments, cohorts, staff accounts and who mentors which cohort."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, update

from skillpath.auth.passwords import CODE_ALPHABET
from skillpath.extensions import db
from skillpath.models import AuditEvent, Cohort, CohortMembership, Establishment, User, UserRole
from skillpath.models._types import utcnow
from skillpath.services.learners.accounts import find_user_by_username
from tests import factories
from tests.helpers import csrf_token, error_summary, heading, location_path, page, post_form

CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- Establishments -------------------------------------------------------------------------


def test_admin_adds_an_establishment(admin_client, admin):
    response = post_form(
        admin_client, "/admin/establishments/new", {"name": " HMP Bexley ", "code": "bxi", "kind": "prison"}
    )
    assert response.status_code == 302
    establishment = db.session.scalar(select(Establishment).where(Establishment.code == "BXI"))
    assert establishment is not None and establishment.name == "HMP Bexley"
    assert location_path(response) == f"/admin/establishments/{establishment.public_id}"
    assert heading(admin_client.get(location_path(response))) == "HMP Bexley"
    [event] = _events("establishment.created")
    assert event.actor_id == admin.id


@pytest.mark.parametrize(
    ("name", "code", "field", "message"),
    [
        ("HMP New", "bx1", "#code", "Enter a code of 3 letters, like BXI"),
        ("HMP New", "dup", "#code", "An establishment already has that code. Enter a different code"),
        ("hmp EXISTING", "NEW", "#name", "An establishment already has that name. Enter a different name"),
        ("", "NEW", "#name", "Enter the establishment's name"),
        ("   ", "NEW", "#name", "Enter the establishment's name"),
        ("H" * 200, "NEW", "#name", "Names are 120 characters or fewer"),
        ("HMP New", "", "#code", "Enter the 3-letter code"),
    ],
)
def test_a_bad_establishment_is_refused_with_a_specific_message(admin_client, name, code, field, message):
    factories.make_establishment(name="HMP Existing", code="DUP")
    before = _count(Establishment)
    response = post_form(admin_client, "/admin/establishments/new", {"name": name, "code": code, "kind": "prison"})
    assert response.status_code == 200
    assert error_summary(response) == {field: message}
    assert page(response).title.get_text(strip=True).startswith("Error:")
    assert _count(Establishment) == before


def test_establishment_names_are_shown_as_text_in_a_link(admin_client):
    establishment = factories.make_establishment(name="HMP <b>Bold</b>")
    cell = page(admin_client.get("/admin/")).find("a", href=f"/admin/establishments/{establishment.public_id}")
    assert cell is not None
    assert cell.get_text() == "HMP <b>Bold</b>"
    assert cell.find("b") is None


# --- Cohorts --------------------------------------------------------------------------------


def test_admin_adds_a_cohort_and_names_are_unique_only_within_an_establishment(admin_client, establishment):
    other = factories.make_establishment()
    factories.make_cohort(establishment=other, name="Spring 2027")
    url = f"/admin/establishments/{establishment.public_id}/cohorts/new"

    response = post_form(admin_client, url, {"name": "Spring 2027"})
    assert response.status_code == 302
    cohort = db.session.scalar(select(Cohort).where(Cohort.establishment_id == establishment.id))
    assert cohort is not None and cohort.name == "Spring 2027"
    assert location_path(response) == f"/admin/cohorts/{cohort.public_id}"

    before = _count(Cohort)
    clash = post_form(admin_client, url, {"name": "spring 2027"})
    assert clash.status_code == 200
    assert error_summary(clash) == {
        "#name": "This establishment already has a cohort with that name. Enter a different name"
    }
    assert _count(Cohort) == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the cohort"),
        (" ", "Enter a name for the cohort"),
        ("C" * 121, "Names are 120 characters or fewer"),
    ],
)
def test_a_cohort_needs_a_sensible_name(admin_client, establishment, name, message):
    before = _count(Cohort)
    response = post_form(admin_client, f"/admin/establishments/{establishment.public_id}/cohorts/new", {"name": name})
    assert error_summary(response) == {"#name": message}
    assert _count(Cohort) == before


def test_an_unknown_establishment_is_404(admin_client):
    assert admin_client.get("/admin/establishments/6a1d1b5e-0000-4000-8000-000000000000").status_code == 404
    assert admin_client.get("/admin/establishments/6a1d1b5e-0000-4000-8000-000000000000/cohorts/new").status_code == 404


# --- Staff accounts -------------------------------------------------------------------------


def _staff(where=None, **overrides):
    data = {
        "display_name": "Alex Morgan",
        "username": "amorgan",
        "email": "",
        "role": "mentor",
        "establishment": str(where.public_id) if where else "",
    }
    return {**data, **overrides}


def test_admin_creates_a_mentor_and_sees_the_activation_code_once(admin_client, admin, establishment):
    response = post_form(
        admin_client,
        "/admin/staff/new",
        _staff(establishment, email="alex@example.org", is_establishment_lead="y"),
    )
    assert response.status_code == 302
    mentor = find_user_by_username("amorgan")
    assert mentor is not None
    assert mentor.role == UserRole.MENTOR
    assert mentor.establishment_id == establishment.id
    assert mentor.is_establishment_lead
    assert mentor.email == "alex@example.org"
    assert mentor.needs_activation
    assert location_path(response) == f"/admin/staff/{mentor.public_id}/created"

    shown = admin_client.get(location_path(response))
    code = page(shown).select_one(".sp-code").get_text(strip=True)
    assert CODE.fullmatch(code)
    assert mentor.activation_code_hash.startswith("$argon2id$")
    again = admin_client.get(location_path(response))
    assert again.status_code == 302
    assert location_path(again) == "/admin/staff"

    [event] = _events("account.staff.created")
    assert (event.actor_id, event.subject_id) == (admin.id, mentor.id)
    listed = page(admin_client.get("/admin/staff")).get_text(" ", strip=True)
    assert "Alex Morgan" in listed


def test_admin_creates_an_administrator_without_an_establishment(admin_client):
    response = post_form(admin_client, "/admin/staff/new", _staff(role="admin", username="second.admin"))
    assert response.status_code == 302
    assert find_user_by_username("second.admin").role == UserRole.ADMIN


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "EXISTING.MENTOR"}, "#username", "That username is already taken. Choose a different username"),
        ({"establishment": ""}, "#establishment", "Select the establishment this mentor works in"),
        (
            {"establishment": "6a1d1b5e-0000-4000-8000-000000000000"},
            "#establishment",
            "Select the establishment this mentor works in",
        ),
        ({"email": "not-an-email"}, "#email", "Enter an email address in the correct format, like name@example.com"),
        ({"username": "a b"}, "#username", None),
        ({"display_name": ""}, "#display_name", "Enter the person's full name"),
        ({"display_name": "  "}, "#display_name", "Enter the person's full name"),
        ({"role": ""}, "#role", "Select a role"),
        ({"role": "learner"}, "#role", None),
    ],
)
def test_a_bad_staff_account_is_refused_and_nothing_is_written(admin_client, establishment, overrides, field, message):
    factories.make_mentor(username="existing.mentor", establishment=establishment)
    users, events = _count(User), _count(AuditEvent)
    response = post_form(admin_client, "/admin/staff/new", _staff(establishment, **overrides))
    assert response.status_code == 200
    errors = error_summary(response)
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == message
    assert (_count(User), _count(AuditEvent)) == (users, events)


# --- Mentors of a cohort --------------------------------------------------------------------


def test_only_mentors_of_the_cohorts_establishment_are_offered(admin_client, cohort):
    here = factories.make_mentor(establishment=cohort.establishment)
    elsewhere = factories.make_mentor(establishment=factories.make_establishment())
    options = [
        option["value"]
        for option in page(admin_client.get(f"/admin/cohorts/{cohort.public_id}")).select("#mentor option")
    ]
    assert str(here.public_id) in options
    assert str(elsewhere.public_id) not in options


def test_admin_assigns_and_removes_a_mentor(admin_client, admin, cohort):
    mentor = factories.make_mentor(establishment=cohort.establishment)
    url = f"/admin/cohorts/{cohort.public_id}"
    response = post_form(admin_client, url, {"mentor": str(mentor.public_id)})
    assert response.status_code == 302
    db.session.refresh(cohort)
    assert mentor in cohort.mentors
    [event] = _events("cohort.mentor.assigned")
    assert (event.actor_id, event.subject_id) == (admin.id, mentor.id)
    # Once assigned, the mentor is no longer offered.
    assert str(mentor.public_id) not in [o["value"] for o in page(admin_client.get(url)).select("#mentor option")]

    response = post_form(admin_client, f"{url}/mentors/{mentor.public_id}/remove", {}, form_url=url)
    assert response.status_code == 302
    assert location_path(response) == url
    db.session.refresh(cohort)
    assert mentor not in cohort.mentors
    assert _events("cohort.mentor.removed")


def test_a_forged_mentor_from_another_establishment_is_refused(admin_client, cohort):
    factories.make_mentor(establishment=cohort.establishment)  # so that the form is shown
    elsewhere = factories.make_mentor(establishment=factories.make_establishment())
    response = post_form(admin_client, f"/admin/cohorts/{cohort.public_id}", {"mentor": str(elsewhere.public_id)})
    assert response.status_code == 200
    assert error_summary(response) == {"#mentor": "Select a mentor from the list"}
    db.session.refresh(cohort)
    assert elsewhere not in cohort.mentors


def test_removing_a_mentor_who_is_not_assigned_is_404(admin_client, cohort):
    other = factories.make_mentor(establishment=cohort.establishment)
    url = f"/admin/cohorts/{cohort.public_id}"
    response = post_form(admin_client, f"{url}/mentors/{other.public_id}/remove", {}, form_url=url)
    assert response.status_code == 404


# --- Who may use the admin pages ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/admin/", "/admin/staff", "/admin/staff/new", "/admin/establishments/new"])
def test_mentors_and_learners_cannot_use_admin_pages(mentor_client, learner_client, url):
    for client in (mentor_client, learner_client):
        response = client.get(url)
        assert response.status_code == 403
        assert heading(response) == "You cannot see this page"


def test_a_form_posted_without_its_csrf_token_is_refused(admin_client):
    assert admin_client.application.config.get("WTF_CSRF_ENABLED", True) is True
    before = _count(Establishment)
    response = admin_client.post(
        "/admin/establishments/new", data={"name": "HMP Forged", "code": "FRG", "kind": "prison"}
    )
    assert response.status_code == 400
    assert heading(response) == "Your page has expired"
    assert _count(Establishment) == before


def test_a_csrf_token_from_another_session_is_refused(app, admin_client):
    stranger = app.test_client()
    token = csrf_token(stranger, "/sign-in")
    response = admin_client.post(
        "/admin/establishments/new", data={"name": "HMP Forged", "code": "FRG", "kind": "prison", "csrf_token": token}
    )
    assert response.status_code == 400
    assert heading(response) == "Your page has expired"


def test_learner_counts_leave_out_released_learners(admin_client, cohort):
    factories.make_learner(cohort=cohort)
    released = factories.make_learner(cohort=cohort)
    released.learner_profile.released_at = utcnow()
    db.session.flush()

    def learners_cell(url: str, name: str) -> str:
        row = page(admin_client.get(url)).find("a", string=name).find_parent("tr")
        return row.select("td")[-1].get_text(strip=True)

    assert learners_cell("/admin/", cohort.establishment.name) == "1"
    assert learners_cell(f"/admin/establishments/{cohort.establishment.public_id}", cohort.name) == "1"
    summary = page(admin_client.get(f"/admin/cohorts/{cohort.public_id}")).find(string=re.compile("in this cohort"))
    assert summary.strip().startswith("1 learner in this cohort")


def test_the_admin_home_counts_each_establishments_cohorts_and_current_learners(admin_client, cohort):
    establishment = cohort.establishment
    archived = factories.make_cohort(establishment=establishment)
    archived.archived_at = utcnow()
    factories.make_learner(cohort=cohort)
    factories.make_learner(cohort=archived)
    gone = factories.make_learner(cohort=cohort)
    db.session.execute(update(CohortMembership).where(CohortMembership.learner_id == gone.id).values(left_at=utcnow()))
    elsewhere = factories.make_cohort()
    factories.make_learner(cohort=elsewhere)
    empty = factories.make_establishment()
    db.session.flush()

    def cells(name: str) -> list[str]:
        row = page(admin_client.get("/admin/")).find("a", string=name).find_parent("tr")
        return [cell.get_text(strip=True) for cell in row.select("td")[-2:]]

    assert cells(establishment.name) == ["2", "2"]  # both cohorts; the learner who left is not counted
    assert cells(elsewhere.establishment.name) == ["1", "1"]
    assert cells(empty.name) == ["0", "0"]
