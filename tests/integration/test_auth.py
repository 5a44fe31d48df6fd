"""Signing in and out, throttling wrong passwords, the login rate limit, safe `next` redirects, changing passwords."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import select

from skillpath.extensions import db, limiter
from skillpath.models import AuditEvent, User
from skillpath.models._types import utcnow
from tests import factories
from tests.conftest import dispose_engines, make_test_app, sign_in
from tests.helpers import csrf_token, error_summary, field_errors, heading, location_path, page, post_form

WRONG = "The username or password is wrong. Check them and try again"
NEW_PASSWORD = "kettle orbit lantern meadow"
# A page every signed-in user can open, whatever their role: the probe for "still signed in?".
SIGNED_IN_PAGE = "/account/change-password"


def _sign_in(client, username: str, password: str, *, next_url: str | None = None):
    url = "/sign-in" if next_url is None else f"/sign-in?{urlencode({'next': next_url})}"
    return post_form(client, url, {"username": username, "password": password})


def _events(action: str, subject: User) -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject_id == subject.id))
    )


@pytest.mark.parametrize(
    ("make", "home"),
    [(factories.make_learner, "/learner/"), (factories.make_mentor, "/mentor/"), (factories.make_admin, "/admin/")],
)
def test_signing_in_with_the_right_password_lands_on_the_role_home(client, make, home):
    user = make()
    response = _sign_in(client, user.username.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert location_path(response) == home
    assert client.get(SIGNED_IN_PAGE).status_code == 200
    assert _events("auth.signin.succeeded", user)


@pytest.mark.parametrize("case", ["unknown username", "wrong password"])
def test_unknown_username_and_wrong_password_get_the_same_message(client, learner, case):
    username = "nobody-here" if case == "unknown username" else learner.username
    response = _sign_in(client, username, "not the password at all")
    assert response.status_code == 200
    assert error_summary(response) == {"#password": WRONG}
    assert field_errors(response) == [WRONG]
    html = page(response)
    assert html.find("input", id="username")["value"] == username
    assert not html.find("input", id="password").get("value")
    assert html.title.get_text(strip=True).startswith("Error:")


def test_empty_fields_get_an_error_summary_linking_to_each_field(client):
    response = _sign_in(client, "", "")
    assert response.status_code == 200
    assert error_summary(response) == {"#username": "Enter your username", "#password": "Enter your password"}
    html = page(response)
    assert html.title.get_text(strip=True) == "Error: Sign in – SkillPath"
    assert html.find("input", id="username") is not None
    assert html.find("input", id="password") is not None


@pytest.mark.parametrize(
    ("username", "password", "field", "message"),
    [
        ("u" * 41, "whatever password", "#username", "Usernames are 40 characters or fewer"),
        ("someone", "p" * 129, "#password", "Passwords are 128 characters or fewer"),
        ("u" * 5000, "p" * 50000, "#username", "Usernames are 40 characters or fewer"),
    ],
)
def test_over_long_username_or_password_gets_a_clear_message(client, username, password, field, message):
    response = _sign_in(client, username, password)
    assert response.status_code == 200
    assert error_summary(response)[field] == message


def _fail_until_throttled(client, app, learner) -> None:
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert error_summary(_sign_in(client, learner.username, "wrong password here")) == {"#password": WRONG}


def test_wrong_passwords_from_a_stranger_slow_sign_in_down_and_never_lock(app, client, learner):
    _fail_until_throttled(client, app, learner)
    refused = _sign_in(client, learner.username, factories.PASSWORD)
    assert refused.status_code == 200
    message = error_summary(refused)["#password"]
    assert message.startswith("Too many wrong passwords for this account. Wait ")
    assert "second" in message and "minutes" not in message
    assert _events("auth.signin.throttled", learner)

    # Waiting is all it takes: the wait has passed, and the right password works.
    db.session.refresh(learner)
    wait = learner.throttled_until - utcnow()
    assert timedelta(0) < wait <= timedelta(seconds=app.config["LOGIN_MAX_DELAY_SECONDS"])
    learner.throttled_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    response = _sign_in(client, learner.username, factories.PASSWORD)
    assert response.status_code == 302 and location_path(response) == "/learner/"
    db.session.refresh(learner)
    assert learner.failed_logins == 0 and learner.throttled_until is None


def test_the_wait_doubles_with_each_wrong_guess_up_to_the_most(app, client, learner):
    waits = []
    _fail_until_throttled(client, app, learner)
    for _ in range(8):
        db.session.refresh(learner)
        waits.append(round((learner.throttled_until - utcnow()).total_seconds()))
        learner.throttled_until = utcnow() - timedelta(seconds=1)
        db.session.flush()
        _sign_in(client, learner.username, "wrong password here")
    assert waits[:3] == [2, 4, 8]
    assert max(waits) == app.config["LOGIN_MAX_DELAY_SECONDS"]


def test_a_stranger_guessing_cannot_keep_the_owner_out_of_a_browser_they_have_used(app, learner):
    owner = app.test_client()
    assert _sign_in(owner, learner.username, factories.PASSWORD).status_code == 302
    post_form(owner, "/sign-out", {}, form_url=SIGNED_IN_PAGE)

    stranger = app.test_client()  # another computer, perhaps in the same prison, behind the same address
    _fail_until_throttled(stranger, app, learner)
    assert "Wait" in error_summary(_sign_in(stranger, learner.username, factories.PASSWORD))["#password"]

    response = _sign_in(owner, learner.username, factories.PASSWORD)
    assert response.status_code == 302 and location_path(response) == "/learner/"


def test_a_wrong_password_on_a_trusted_browser_uses_up_its_trust(app, learner):
    shared = app.test_client()
    assert _sign_in(shared, learner.username, factories.PASSWORD).status_code == 302
    post_form(shared, "/sign-out", {}, form_url=SIGNED_IN_PAGE)
    # A neighbour on the same shared computer gets one free guess, not many.
    assert error_summary(_sign_in(shared, learner.username, "a neighbour guessing")) == {"#password": WRONG}
    db.session.refresh(learner)
    assert learner.failed_logins == 0
    _fail_until_throttled(shared, app, learner)
    assert "Wait" in error_summary(_sign_in(shared, learner.username, factories.PASSWORD))["#password"]


def test_a_forged_trusted_browser_cookie_is_ignored(app, client, learner):
    client.set_cookie("skillpath_browser", "WyJhYmMiXQ.forged-signature")
    _fail_until_throttled(client, app, learner)
    assert "Wait" in error_summary(_sign_in(client, learner.username, factories.PASSWORD))["#password"]


@pytest.fixture
def rate_limited_app(database_url: str) -> Iterator[Flask]:
    # The limiter is one module-level extension: a new app gives it new, empty storage.
    app = make_test_app(database_url, LOGIN_RATE_LIMIT="3 per minute")
    limiter.reset()
    yield app
    limiter.reset()
    with app.app_context():
        dispose_engines()


def test_the_fourth_sign_in_attempt_in_a_minute_gets_too_many_attempts(rate_limited_app):
    client = rate_limited_app.test_client()
    token = csrf_token(client, "/sign-in")
    # Empty passwords fail validation, so these attempts write nothing outside the test's transaction.
    for _ in range(3):
        response = client.post("/sign-in", data={"csrf_token": token, "username": "someone", "password": ""})
        assert response.status_code == 200
    response = client.post("/sign-in", data={"csrf_token": token, "username": "someone", "password": ""})
    assert response.status_code == 429
    assert heading(response) == "Too many attempts"
    assert page(response).find("input", attrs={"name": "password"}) is None
    # Reading the page is never limited.
    assert client.get("/sign-in").status_code == 200


def test_activation_codes_cannot_be_guessed_quickly(rate_limited_app):
    client = rate_limited_app.test_client()
    token = csrf_token(client, "/activate")
    attempts = [
        client.post("/activate", data={"csrf_token": token, "username": "", "activation_code": "AAAA-AAAA"})
        for _ in range(4)
    ]
    assert [r.status_code for r in attempts] == [200, 200, 200, 429]
    assert heading(attempts[-1]) == "Too many attempts"


def test_sign_out_needs_a_post_and_ends_the_session(learner_client):
    assert learner_client.get("/sign-out").status_code == 405
    assert learner_client.get(SIGNED_IN_PAGE).status_code == 200
    response = post_form(learner_client, "/sign-out", {}, form_url=SIGNED_IN_PAGE)
    assert response.status_code == 302
    assert location_path(response) == "/sign-in"
    after = learner_client.get(SIGNED_IN_PAGE)
    assert after.status_code == 302
    assert location_path(after) == "/sign-in"


def test_sign_out_without_the_csrf_token_is_refused(learner_client):
    response = learner_client.post("/sign-out")
    assert response.status_code == 400
    assert learner_client.get(SIGNED_IN_PAGE).status_code == 200


def test_a_local_next_page_is_followed_after_signing_in(client, mentor):
    response = _sign_in(client, mentor.username, factories.PASSWORD, next_url="/account/change-password")
    assert location_path(response) == "/account/change-password"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example",
        "https:evil.example",
        "/\t/evil.example",  # browsers drop the tab, leaving //evil.example
        "/\n/evil.example",
    ],
)
def test_a_next_page_on_another_site_is_ignored(client, mentor, next_url):
    response = _sign_in(client, mentor.username, factories.PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/mentor/"


def test_a_signed_in_visitor_to_sign_in_goes_home(mentor_client):
    response = mentor_client.get("/sign-in")
    assert response.status_code == 302
    assert location_path(response) == "/mentor/"


def test_signing_in_to_an_account_not_set_up_yet_goes_to_activation(client, cohort):
    learner = factories.make_learner(cohort=cohort, password=None)
    response = _sign_in(client, learner.username, "any password at all")
    assert location_path(response) == "/activate"


def test_a_closed_account_cannot_sign_in(client, cohort):
    learner = factories.make_learner(cohort=cohort, is_enabled=False)
    response = _sign_in(client, learner.username, factories.PASSWORD)
    assert response.status_code == 200
    assert error_summary(response) == {
        "#username": "This account has been closed. Ask your mentor or administrator for help"
    }
    wrong = _sign_in(client, learner.username, "not the password")
    assert error_summary(wrong) == {"#password": WRONG}


# --- Changing a password --------------------------------------------------------------------


def _change(client, current: str, new: str, confirm: str | None = None):
    return post_form(
        client,
        "/account/change-password",
        {"current_password": current, "password": new, "confirm": new if confirm is None else confirm},
    )


def test_changing_password_with_the_wrong_current_password_is_refused(learner_client, learner):
    before = learner.password_hash
    response = _change(learner_client, "not my password", NEW_PASSWORD)
    assert response.status_code == 200
    assert error_summary(response) == {"#current_password": "Your current password is wrong. Check it and try again"}
    db.session.refresh(learner)
    assert learner.password_hash == before


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("short1", None, "#password", "Your password must be at least 10 characters long"),
        (
            "password1234",
            None,
            "#password",
            "That password is too common and easy to guess. Try three random words together",
        ),
        ("kettle orbit lantern", "kettle orbit lanterns", "#confirm", "The passwords do not match"),
    ],
)
def test_a_weak_new_password_is_refused(learner_client, learner, new, confirm, field, message):
    before = learner.password_hash
    response = _change(learner_client, factories.PASSWORD, new, confirm)
    assert response.status_code == 200
    assert error_summary(response) == {field: message}
    db.session.refresh(learner)
    assert learner.password_hash == before


def test_changing_password_signs_out_every_other_session(app, learner_client, learner):
    other_device = sign_in(app.test_client(), learner)
    assert other_device.get(SIGNED_IN_PAGE).status_code == 200

    response = _change(learner_client, factories.PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert location_path(response) == "/learner/"

    assert learner_client.get(SIGNED_IN_PAGE).status_code == 200
    signed_out = other_device.get(SIGNED_IN_PAGE)
    assert signed_out.status_code == 302
    assert location_path(signed_out) == "/sign-in"

    db.session.refresh(learner)
    assert learner.password_hash.startswith("$argon2id$")
    assert NEW_PASSWORD not in learner.password_hash
    assert _events("auth.password.changed", learner)
    fresh = app.test_client()
    assert error_summary(_sign_in(fresh, learner.username, factories.PASSWORD)) == {"#password": WRONG}
    assert location_path(_sign_in(fresh, learner.username, NEW_PASSWORD)) == "/learner/"


def test_closing_an_account_ends_its_sessions_at_once(learner_client, learner):
    assert learner_client.get(SIGNED_IN_PAGE).status_code == 200
    learner.is_enabled = False
    db.session.flush()
    response = learner_client.get(SIGNED_IN_PAGE)
    assert response.status_code == 302
    assert location_path(response) == "/sign-in"


def test_learners_sharing_one_address_do_not_block_each_other(rate_limited_app):
    client = rate_limited_app.test_client()
    token = csrf_token(client, "/sign-in")
    for _ in range(4):
        client.post("/sign-in", data={"csrf_token": token, "username": "someone", "password": ""})
    other = client.post("/sign-in", data={"csrf_token": token, "username": "someone-else", "password": ""})
    assert other.status_code == 200


def test_one_address_guessing_across_many_accounts_is_limited(database_url):
    app = make_test_app(database_url, LOGIN_ADDRESS_RATE_LIMIT="5 per minute")
    limiter.reset()
    try:
        client = app.test_client()
        token = csrf_token(client, "/sign-in")
        codes = [
            client.post("/sign-in", data={"csrf_token": token, "username": f"user{i}", "password": ""}).status_code
            for i in range(6)
        ]
        assert codes == [200, 200, 200, 200, 200, 429]
    finally:
        limiter.reset()
        with app.app_context():
            dispose_engines()
