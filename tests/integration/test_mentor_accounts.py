"""Mentors see only their own cohorts and learners (404 for anyone else's), and add learner accounts."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, CohortMembership, LearnerProfile, User
from skillpath.models._types import utcnow
from skillpath.services.learners.accounts import find_user_by_username
from tests import factories
from tests.conftest import sign_in
from tests.helpers import add_learner, error_summary, heading, location_path, page, post_form


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _cohort_links(response) -> list[str]:
    return [a.get_text(strip=True) for a in page(response).select("h2 a")]


@pytest.fixture
def world(app):
    """Two establishments; in the first, two cohorts with their own mentors; in the second, one."""
    north, south = factories.make_establishment(), factories.make_establishment()
    a = factories.make_cohort(establishment=north, name="Alpha")
    b = factories.make_cohort(establishment=north, name="Bravo")
    c = factories.make_cohort(establishment=south, name="Charlie")
    return {
        "north": north,
        "a": a,
        "b": b,
        "c": c,
        "mentor_a": factories.make_mentor(cohorts=[a]),
        "mentor_b": factories.make_mentor(cohorts=[b]),
        "learner_a": factories.make_learner(cohort=a),
        "learner_b": factories.make_learner(cohort=b),
        "learner_c": factories.make_learner(cohort=c),
    }


def test_a_mentor_sees_only_their_own_cohorts(app, world):
    client = sign_in(app.test_client(), world["mentor_a"])
    response = client.get("/mentor/")
    assert heading(response) == "My cohorts"
    assert _cohort_links(response) == ["Alpha"]
    cohort_page = client.get(f"/mentor/cohorts/{world['a'].public_id}")
    assert cohort_page.status_code == 200
    names = [a.get_text(strip=True) for a in page(cohort_page).select("table a")]
    assert names == [world["learner_a"].learner_profile.preferred_name]


def test_a_mentor_gets_404_for_cohorts_and_learners_they_do_not_mentor(app, world):
    client = sign_in(app.test_client(), world["mentor_a"])
    strangers = [
        f"/mentor/cohorts/{world['b'].public_id}",
        f"/mentor/cohorts/{world['c'].public_id}",
        f"/mentor/cohorts/{world['b'].public_id}/add-learner",
        f"/mentor/learners/{world['learner_b'].public_id}",
        f"/mentor/learners/{world['learner_c'].public_id}",
        f"/mentor/learners/{world['learner_b'].public_id}/activation-code",
    ]
    missing = [f"/mentor/cohorts/{uuid.uuid4()}", f"/mentor/learners/{uuid.uuid4()}"]
    for url in strangers + missing:
        response = client.get(url)
        assert response.status_code == 404, url
        assert heading(response) == "Page not found"
    own = f"/mentor/learners/{world['learner_a'].public_id}"
    response = post_form(
        client, f"/mentor/learners/{world['learner_b'].public_id}/new-activation-code", {}, form_url=own
    )
    assert response.status_code == 404
    db.session.refresh(world["learner_b"])
    assert world["learner_b"].password_hash is not None


def test_a_mentor_cannot_see_another_mentors_account_as_a_learner(app, world):
    client = sign_in(app.test_client(), world["mentor_a"])
    assert client.get(f"/mentor/learners/{world['mentor_b'].public_id}").status_code == 404


def test_an_establishment_lead_sees_every_cohort_of_their_establishment_only(app, world):
    lead = factories.make_mentor(establishment=world["north"], is_establishment_lead=True)
    client = sign_in(app.test_client(), lead)
    assert _cohort_links(client.get("/mentor/")) == ["Alpha", "Bravo"]
    assert client.get(f"/mentor/cohorts/{world['b'].public_id}").status_code == 200
    assert client.get(f"/mentor/learners/{world['learner_b'].public_id}").status_code == 200
    assert client.get(f"/mentor/cohorts/{world['c'].public_id}").status_code == 404
    assert client.get(f"/mentor/learners/{world['learner_c'].public_id}").status_code == 404


def test_a_released_learner_is_no_longer_visible_to_mentors(app, world):
    client = sign_in(app.test_client(), world["mentor_a"])
    learner = world["learner_a"]
    learner.learner_profile.released_at = utcnow()
    db.session.flush()
    assert client.get(f"/mentor/learners/{learner.public_id}").status_code == 404
    cohort_page = page(client.get(f"/mentor/cohorts/{world['a'].public_id}"))
    assert cohort_page.find("a", href=f"/mentor/learners/{learner.public_id}") is None


def test_viewing_a_learner_is_written_to_the_audit_log(app, world):
    mentor, learner = world["mentor_a"], world["learner_a"]
    client = sign_in(app.test_client(), mentor)
    response = client.get(f"/mentor/learners/{learner.public_id}")
    assert response.status_code == 200
    assert heading(response).endswith(learner.learner_profile.preferred_name)
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "learner.record.viewed")))
    assert [(e.actor_id, e.subject_id) for e in events] == [(mentor.id, learner.id)]


def test_a_refused_view_is_not_logged_as_a_view(app, world):
    client = sign_in(app.test_client(), world["mentor_a"])
    client.get(f"/mentor/learners/{world['learner_b'].public_id}")
    assert not db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.record.viewed"))


# --- Adding learners ------------------------------------------------------------------------


def _learner_form(**overrides):
    data = {"preferred_name": "Jo", "username": "jo.bloggs", "prison_number": "", "release_date": ["", "", ""]}
    return {**data, **overrides}


def test_a_mentor_adds_a_learner_to_their_cohort(mentor_client, mentor, cohort):
    response = add_learner(
        mentor_client, cohort.public_id, _learner_form(prison_number=" b 9876 cd ", release_date=["27", "3", "2027"])
    )
    assert response.status_code == 302
    learner = find_user_by_username("jo.bloggs")
    assert location_path(response) == f"/mentor/learners/{learner.public_id}/activation-code"
    profile = learner.learner_profile
    assert (profile.prison_number, str(profile.release_date)) == ("B9876CD", "2027-03-27")
    assert profile.establishment_id == cohort.establishment_id
    membership = db.session.scalar(select(CohortMembership).where(CohortMembership.learner_id == learner.id))
    assert membership.cohort_id == cohort.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "account.learner.created"))
    assert (event.actor_id, event.subject_id) == (mentor.id, learner.id)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "Taken.Name"}, "#username", "That username is already taken. Choose a different username"),
        ({"prison_number": "AB12345"}, "#prison_number", "Enter a prison number in the format A1234BC"),
        ({"prison_number": "A1234BCD"}, "#prison_number", "Prison numbers are 7 characters, like A1234BC"),
        (
            {"release_date": ["31", "2", "2027"]},
            "#release_date",
            "Expected release date must be a real date, like 27 3 2027",
        ),
        (
            {"release_date": ["12", "", "2027"]},
            "#release_date",
            "Expected release date must include a day, month and year",
        ),
        (
            {"release_date": ["1", "1", "27"]},
            "#release_date",
            "Expected release date must be a real date, like 27 3 2027",
        ),
        ({"preferred_name": "J" * 101}, "#preferred_name", "Names are 100 characters or fewer"),
        ({"preferred_name": ""}, "#preferred_name", "Enter the learner's name"),
        ({"preferred_name": "   "}, "#preferred_name", "Enter the learner's name"),
        ({"username": "x"}, "#username", None),
        ({"username": "u" * 41}, "#username", "Usernames are 40 characters or fewer"),
    ],
)
def test_a_bad_learner_is_refused_and_nothing_is_written(mentor_client, cohort, overrides, field, message):
    factories.make_learner(cohort=cohort, username="taken.name")
    counts = (_count(User), _count(LearnerProfile), _count(CohortMembership), _count(AuditEvent))
    response = post_form(mentor_client, f"/mentor/cohorts/{cohort.public_id}/add-learner", _learner_form(**overrides))
    assert response.status_code == 200
    errors = error_summary(response)
    assert list(errors) == [field]
    if message is not None:
        assert errors[field] == message
    assert (_count(User), _count(LearnerProfile), _count(CohortMembership), _count(AuditEvent)) == counts


def test_what_was_typed_is_kept_when_a_learner_is_refused(mentor_client, cohort):
    response = post_form(
        mentor_client,
        f"/mentor/cohorts/{cohort.public_id}/add-learner",
        _learner_form(prison_number="AB12345", release_date=["27", "3", "2027"]),
    )
    html = page(response)
    assert html.find("input", id="preferred_name")["value"] == "Jo"
    assert html.find("input", id="username")["value"] == "jo.bloggs"
    assert [html.find("input", id=f"release_date-{part}")["value"] for part in ("day", "month", "year")] == [
        "27",
        "3",
        "2027",
    ]


def test_admins_cannot_use_the_mentor_pages_for_cohorts(admin_client, cohort):
    assert admin_client.get("/mentor/").status_code == 403
    assert admin_client.get(f"/mentor/cohorts/{cohort.public_id}/add-learner").status_code == 403
