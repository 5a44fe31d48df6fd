"""First-time activation: a mentor creates a learner, hands over a one-time code, the learner chooses a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from skillpath.auth.passwords import CODE_ALPHABET, hash_secret
from skillpath.extensions import db
from skillpath.models import AuditEvent, User
from skillpath.models._types import utcnow
from skillpath.services.learners.accounts import find_user_by_username
from tests import factories
from tests.conftest import sign_in
from tests.helpers import add_learner, error_summary, heading, location_path, page, post_form

CODE = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
WRONG_CODE = (
    "The username or activation code is wrong, or the code has run out. "
    "Check them and try again, or ask your mentor for a new code"
)
GOOD_PASSWORD = "kettle orbit lantern meadow"
SIGNED_IN_PAGE = "/account/change-password"


def _add_learner_through_the_page(mentor_client, cohort, username: str) -> str:
    """The mentor's journey: add a learner, land on the page that shows the code once. Returns the code."""
    response = add_learner(
        mentor_client,
        cohort.public_id,
        {"preferred_name": "Sam", "username": username, "prison_number": "a1234bc", "release_date": ["", "", ""]},
    )
    assert response.status_code == 302, error_summary(response)
    shown = mentor_client.get(location_path(response))
    assert shown.status_code == 200
    code = page(shown).select_one(".sp-code").get_text(strip=True)
    assert CODE.fullmatch(code)
    return code


def _learner_with_code(cohort, code: str, *, expires_in: timedelta = timedelta(days=3), **kwargs) -> User:
    learner = factories.make_learner(cohort=cohort, password=None, **kwargs)
    learner.activation_code_hash = hash_secret(code)
    learner.activation_expires_at = utcnow() + expires_in
    db.session.flush()
    return learner


def _activate(client, username: str, code: str):
    return post_form(client, "/activate", {"username": username, "activation_code": code})


def _choose(client, password: str, confirm: str | None = None):
    return post_form(
        client, "/activate/choose-password", {"password": password, "confirm": password if confirm is None else confirm}
    )


def test_a_learner_added_by_their_mentor_activates_and_is_signed_in(app, mentor_client, cohort):
    code = _add_learner_through_the_page(mentor_client, cohort, "sam.jones")
    learner = find_user_by_username("sam.jones")
    assert learner is not None and learner.needs_activation
    assert learner.learner_profile.prison_number == "A1234BC"
    assert learner.activation_code_hash.startswith("$argon2id$")
    assert code not in learner.activation_code_hash

    # The learner's own computer: the code as typed, lower case and without the dash.
    device = app.test_client()
    response = _activate(device, "Sam.Jones", code.replace("-", "").lower())
    assert response.status_code == 302
    assert location_path(response) == "/activate/choose-password"
    assert heading(device.get("/activate/choose-password")) == "Choose your password"

    response = _choose(device, GOOD_PASSWORD)
    assert response.status_code == 302
    assert location_path(response) == "/learner/"
    assert device.get(SIGNED_IN_PAGE).status_code == 200

    db.session.refresh(learner)
    assert learner.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in learner.password_hash
    assert learner.activation_code_hash is None
    assert learner.activated_at is not None
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "auth.activation.completed", AuditEvent.subject_id == learner.id)
    )

    # The code is used up.
    again = _activate(app.test_client(), "sam.jones", code)
    assert again.status_code == 200
    assert error_summary(again) == {"#activation_code": WRONG_CODE}


def test_the_activation_code_is_shown_only_once(mentor_client, cohort):
    _add_learner_through_the_page(mentor_client, cohort, "shown.once")
    learner = find_user_by_username("shown.once")
    again = mentor_client.get(f"/mentor/learners/{learner.public_id}/activation-code")
    assert again.status_code == 302
    assert location_path(again) == f"/mentor/learners/{learner.public_id}"


def test_an_expired_activation_code_is_refused(client, cohort):
    learner = _learner_with_code(cohort, "7Q4K-29XD", expires_in=timedelta(seconds=-1))
    response = _activate(client, learner.username, "7Q4K-29XD")
    assert response.status_code == 200
    [message] = error_summary(response).values()
    assert "run out" in message
    assert client.get("/activate/choose-password").status_code == 302


@pytest.mark.parametrize(
    ("username", "code"), [("right", "7Q4K-29XE"), ("right", "7Q4K"), ("nobody-at-all", "7Q4K-29XD")]
)
def test_a_wrong_code_or_username_is_refused_with_one_message(client, cohort, username, code):
    learner = _learner_with_code(cohort, "7Q4K-29XD")
    response = _activate(client, learner.username if username == "right" else username, code)
    assert response.status_code == 200
    assert error_summary(response) == {"#activation_code": WRONG_CODE}
    db.session.refresh(learner)
    assert learner.activation_code_hash is not None


def test_choose_password_without_a_code_goes_back_to_activation(client):
    response = client.get("/activate/choose-password")
    assert response.status_code == 302
    assert location_path(response) == "/activate"


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("short1", None, "#password", "Your password must be at least 10 characters long"),
        (
            "password1234",
            None,
            "#password",
            "That password is too common and easy to guess. Try three random words together",
        ),
        ("Pat.Lee-garden-river", None, "#password", "Your password must not contain your username"),
        ("kettle orbit lantern", "kettle orbit lanterns", "#confirm", "The passwords do not match"),
        ("", "", "#password", "Enter a password"),
    ],
)
def test_a_weak_or_mismatched_password_is_refused_and_nothing_is_saved(
    client, cohort, password, confirm, field, message
):
    learner = _learner_with_code(cohort, "7Q4K-29XD", username="pat.lee")
    assert location_path(_activate(client, "pat.lee", "7q4k29xd")) == "/activate/choose-password"
    response = _choose(client, password, confirm)
    assert response.status_code == 200
    assert error_summary(response)[field] == message
    db.session.refresh(learner)
    assert learner.password_hash is None
    assert learner.activation_code_hash is not None
    assert client.get(SIGNED_IN_PAGE).status_code == 302


def test_a_new_code_from_the_mentor_ends_the_learners_sessions_and_old_password(app, mentor_client, learner):
    learners_device = sign_in(app.test_client(), learner)
    assert learners_device.get(SIGNED_IN_PAGE).status_code == 200

    record = f"/mentor/learners/{learner.public_id}"
    response = post_form(mentor_client, f"{record}/new-activation-code", {}, form_url=record)
    assert response.status_code == 302
    assert location_path(response) == f"{record}/activation-code"
    code = page(mentor_client.get(f"{record}/activation-code")).select_one(".sp-code").get_text(strip=True)
    assert CODE.fullmatch(code)

    assert location_path(learners_device.get(SIGNED_IN_PAGE)) == "/sign-in"
    old_password = post_form(
        app.test_client(), "/sign-in", {"username": learner.username, "password": factories.PASSWORD}
    )
    assert location_path(old_password) == "/activate"

    device = app.test_client()
    assert location_path(_activate(device, learner.username, code)) == "/activate/choose-password"
    assert location_path(_choose(device, GOOD_PASSWORD)) == "/learner/"


def test_a_new_code_needs_the_csrf_token(mentor_client, learner):
    response = mentor_client.post(f"/mentor/learners/{learner.public_id}/new-activation-code")
    assert response.status_code == 400
    db.session.refresh(learner)
    assert learner.password_hash is not None
