"""Getting back in after release: a one-time recovery code and the learner's date of birth."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent
from skillpath.models._types import utcnow
from skillpath.services.learners import recovery, transfers
from tests import factories
from tests.helpers import error_summary, location_path, page, post_form

NEW_PASSWORD = "lantern meadow kettle orbit"
SAME_MESSAGE = "The details do not match. Check your username, recovery code and date of birth, then try again"


def _set_up(client, learner) -> str:
    """As the learner: save a date of birth and print a recovery code."""
    response = post_form(
        client,
        "/account/getting-back-in/date-of-birth",
        {"date_of_birth": ["14", "2", "1991"]},
        form_url="/account/getting-back-in",
    )
    assert response.status_code == 302
    made = post_form(client, "/account/getting-back-in/new-code", {}, form_url="/account/getting-back-in")
    assert made.status_code == 302
    return page(client.get(location_path(made))).select_one(".sp-code").get_text(strip=True)


def _recover(client, username: str, code: str, born=("14", "2", "1991"), password: str = NEW_PASSWORD):
    return post_form(
        client,
        "/recover",
        {
            "username": username,
            "recovery_code": code,
            "date_of_birth": list(born),
            "password": password,
            "confirm": password,
        },
    )


def test_a_learner_gets_back_in_with_their_code_and_date_of_birth_once(app, learner, learner_client):
    code = _set_up(learner_client, learner)
    assert len(code) == 19 and code.count("-") == 3

    stranger_browser = app.test_client()
    response = _recover(stranger_browser, learner.username, code.lower().replace("-", " "))
    assert response.status_code == 302 and location_path(response) == "/account/getting-back-in"
    assert stranger_browser.get("/learner/my-data").status_code == 200
    # The code is used up, and the old sign-in has ended (the password changed).
    assert learner_client.get("/learner/my-data").status_code == 302
    again = _recover(app.test_client(), learner.username, code, password="another orbit lantern kettle")
    assert error_summary(again) == {"#recovery_code": SAME_MESSAGE}
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "auth.recovery.completed", AuditEvent.subject_id == learner.id)
    )


@pytest.mark.parametrize("wrong", ["code", "date of birth", "username"])
def test_anything_wrong_gets_one_plain_message(app, learner, learner_client, wrong):
    code = _set_up(learner_client, learner)
    username = "nobody-at-all" if wrong == "username" else learner.username
    typed = "AAAA-BBBB-CCCC-DDDD" if wrong == "code" else code
    born = ("15", "2", "1991") if wrong == "date of birth" else ("14", "2", "1991")
    response = _recover(app.test_client(), username, typed, born)
    assert response.status_code == 200
    assert error_summary(response) == {"#recovery_code": SAME_MESSAGE}


def test_repeated_wrong_tries_are_slowed_not_locked(app, learner, learner_client):
    code = _set_up(learner_client, learner)
    client = app.test_client()
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert error_summary(_recover(client, learner.username, "AAAA-BBBB-CCCC-DDDD")) == {
            "#recovery_code": SAME_MESSAGE
        }
    slowed = _recover(client, learner.username, code)
    assert "Wait" in error_summary(slowed)["#recovery_code"]
    db.session.refresh(learner)
    learner.recovery_throttled_until = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert _recover(client, learner.username, code).status_code == 302


def test_codes_and_dates_of_birth_are_kept_only_as_hashes(learner, learner_client):
    code = _set_up(learner_client, learner)
    db.session.refresh(learner)
    assert learner.recovery_code_hash and code not in learner.recovery_code_hash
    assert learner.recovery_check_hash and "1991" not in learner.recovery_check_hash
    page_text = page(learner_client.get("/learner/my-data")).get_text()
    assert "1991" not in page_text


def test_a_new_code_replaces_the_old_one(app, learner, learner_client):
    first = _set_up(learner_client, learner)
    made = post_form(learner_client, "/account/getting-back-in/new-code", {}, form_url="/account/getting-back-in")
    second = page(learner_client.get(location_path(made))).select_one(".sp-code").get_text(strip=True)
    # Shown once: a second look (a refresh) does not show it again.
    assert learner_client.get(location_path(made)).status_code == 302
    assert error_summary(_recover(app.test_client(), learner.username, first)) == {"#recovery_code": SAME_MESSAGE}
    assert _recover(app.test_client(), learner.username, second).status_code == 302


def test_an_admin_gives_a_released_learner_a_new_code_and_it_is_audited(
    app, learner, learner_client, admin_client, mentor
):
    _set_up(learner_client, learner)
    refused = post_form(admin_client, "/staff/recovery-code", {"username": learner.username})
    assert "has not been released" in page(refused).get_text()

    transfers.record_release(learner, by=mentor)
    db.session.flush()
    given = post_form(admin_client, "/staff/recovery-code", {"username": learner.username})
    code = page(admin_client.get(location_path(given))).select_one(".sp-code").get_text(strip=True)
    assert _recover(app.test_client(), learner.username, code).status_code == 302
    issued = AuditEvent.action == "account.recovery.code_issued"
    assert db.session.scalar(select(AuditEvent).where(issued, AuditEvent.actor_id != learner.id))


def test_mentors_cannot_give_recovery_codes(mentor_client):
    assert mentor_client.get("/staff/recovery-code").status_code == 403


def test_staff_accounts_cannot_be_recovered_this_way(app, admin):
    admin.recovery_check_hash = "x"
    code = recovery.issue_recovery_code(admin, by=admin)
    db.session.flush()
    response = _recover(app.test_client(), admin.username, code)
    assert error_summary(response) == {"#recovery_code": SAME_MESSAGE}


def test_the_sign_in_page_offers_recovery(client):
    link = page(client.get("/sign-in")).find("a", href="/recover")
    assert link is not None and "recovery code" in link.get_text()


def test_a_date_of_birth_in_the_future_is_refused(learner_client):
    response = post_form(
        learner_client,
        "/account/getting-back-in/date-of-birth",
        {"date_of_birth": ["1", "1", str(utcnow().year + 1)]},
        form_url="/account/getting-back-in",
    )
    assert error_summary(response)["#date_of_birth"] == "Your date of birth must be in the past"


def test_recovered_learners_can_sign_in_with_the_new_password(app, learner, learner_client):
    code = _set_up(learner_client, learner)
    _recover(app.test_client(), learner.username, code)
    signed_in = post_form(app.test_client(), "/sign-in", {"username": learner.username, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and location_path(signed_in) == "/learner/"
    old = post_form(app.test_client(), "/sign-in", {"username": learner.username, "password": factories.PASSWORD})
    assert old.status_code == 200


def test_recording_a_release_prints_a_recovery_code_once(app, learner, learner_client, mentor_client):
    _set_up(learner_client, learner)
    url = f"/mentor/learners/{learner.public_id}/record-release"
    recorded = post_form(mentor_client, url, {})
    assert recorded.status_code == 302
    summary = mentor_client.get(location_path(recorded))
    html = page(summary)
    code = html.select_one(".sp-code").get_text(strip=True)
    assert learner.username in html.get_text()
    # What the learner takes away says nothing about where they were.
    assert "HMP" not in html.select_one("main").get_text()
    assert mentor_client.get(location_path(recorded)).status_code == 302  # shown once
    assert _recover(app.test_client(), learner.username, code).status_code == 302


def test_a_learner_may_add_their_own_email_and_phone_and_the_audit_keeps_no_values(learner, learner_client):
    response = post_form(
        learner_client,
        "/account/getting-back-in/contact",
        {"email": "jo@example.org", "phone": "07700  900 982"},
        form_url="/account/getting-back-in",
    )
    assert response.status_code == 302
    db.session.refresh(learner)
    assert (learner.email, learner.phone) == ("jo@example.org", "07700 900 982")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account.contact.changed")).all()
    assert event.detail is None
    cleared = post_form(
        learner_client,
        "/account/getting-back-in/contact",
        {"email": "", "phone": ""},
        form_url="/account/getting-back-in",
    )
    assert cleared.status_code == 302
    db.session.refresh(learner)
    assert (learner.email, learner.phone) == (None, None)


def test_a_malformed_email_or_phone_gets_a_message_and_keeps_what_was_typed(learner, learner_client):
    response = post_form(
        learner_client,
        "/account/getting-back-in/contact",
        {"email": "not an email", "phone": "call me"},
        form_url="/account/getting-back-in",
    )
    assert response.status_code == 200
    assert error_summary(response) == {
        "#email": "Enter an email address like name@example.com",
        "#phone": "Enter a phone number using digits, like 07700 900 982",
    }
    assert page(response).find("input", id="email")["value"] == "not an email"
