"""Sessions that really end: one server-side record per sign-in, idle and absolute time-outs,
and a page where anyone can see where they are signed in and sign out there."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, SessionEndReason, UserSession
from skillpath.models._types import utcnow
from tests import factories
from tests.conftest import sign_in
from tests.helpers import location_path, page, post_form

SIGNED_IN_PAGE = "/account/change-password"
SESSIONS = "/account/sessions"


def _cookie(client) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _sign_in_by_form(client, user) -> None:
    response = post_form(client, "/sign-in", {"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_a_copied_cookie_opens_nothing_after_sign_out(app, learner):
    client = app.test_client()
    _sign_in_by_form(client, learner)
    copied = _cookie(client)
    post_form(client, "/sign-out", {}, form_url=SIGNED_IN_PAGE)

    thief = app.test_client()
    thief.set_cookie("session", copied)
    response = thief.get(SIGNED_IN_PAGE)
    assert response.status_code == 302 and location_path(response) == "/sign-in"
    [row] = db.session.scalars(select(UserSession).where(UserSession.user_id == learner.id))
    assert row.ended_reason == SessionEndReason.SIGNED_OUT


def test_signing_out_ends_this_session_alone(app, learner):
    laptop, phone = app.test_client(), app.test_client()
    _sign_in_by_form(laptop, learner)
    _sign_in_by_form(phone, learner)
    post_form(laptop, "/sign-out", {}, form_url=SIGNED_IN_PAGE)
    assert laptop.get(SIGNED_IN_PAGE).status_code == 302
    assert phone.get(SIGNED_IN_PAGE).status_code == 200


def test_a_session_ends_after_the_idle_time_with_a_message(app, learner):
    client = app.test_client()
    _sign_in_by_form(client, learner)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == learner.id))
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"], seconds=1)
    db.session.flush()
    response = client.get(SIGNED_IN_PAGE)
    assert response.status_code == 302 and location_path(response) == "/sign-in"
    message = page(client.get("/sign-in")).find(class_="govuk-notification-banner").get_text(" ", strip=True)
    assert "signed out because you had not used SkillPath for a while" in message
    db.session.refresh(row)
    assert row.ended_reason == SessionEndReason.IDLE


def test_using_the_service_keeps_a_session_going(app, learner):
    client = app.test_client()
    _sign_in_by_form(client, learner)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == learner.id))
    # Nearly idle for too long, then a page is opened: the clock starts again.
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.flush()
    assert client.get(SIGNED_IN_PAGE).status_code == 200
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(seconds=5)


def test_a_session_ends_a_fixed_time_after_sign_in_however_busy(app, learner):
    client = app.test_client()
    _sign_in_by_form(client, learner)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == learner.id))
    row.created_at = utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], seconds=1)
    db.session.flush()
    assert client.get(SIGNED_IN_PAGE).status_code == 302
    db.session.refresh(row)
    assert row.ended_reason == SessionEndReason.EXPIRED


def test_the_timeout_warning_is_on_every_signed_in_page_and_offers_to_stay(app, learner_client):
    html = page(learner_client.get(SIGNED_IN_PAGE))
    banner = html.find(id="sp-timeout")
    assert banner is not None and banner.has_attr("hidden")
    assert int(banner["data-idle-seconds"]) == app.config["SESSION_IDLE_MINUTES"] * 60
    form = banner.find("form")
    assert form["action"] == "/account/keep-signed-in"
    assert html.find("script", src="/assets/js/timeout.js") is not None


def test_stay_signed_in_restarts_the_idle_clock(app, learner, learner_client):
    row = learner.current_session
    row.last_seen_at = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1)
    db.session.flush()
    response = post_form(learner_client, "/account/keep-signed-in", {"next": "/my-data/"}, form_url=SIGNED_IN_PAGE)
    assert response.status_code == 302 and location_path(response) == "/my-data/"
    db.session.refresh(row)
    assert utcnow() - row.last_seen_at < timedelta(seconds=5)


def test_staff_see_where_they_are_signed_in_and_end_another_session(app, mentor):
    office, ward = app.test_client(), app.test_client()
    _sign_in_by_form(office, mentor)
    ward.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0 Safari/537.36"
    _sign_in_by_form(ward, mentor)

    html = page(office.get(SESSIONS))
    items = html.select(".sp-session-list__item")
    assert len(items) == 2
    this_one = [item for item in items if "This browser" in item.get_text()]
    assert len(this_one) == 1 and this_one[0].find("form") is None
    [other] = [item for item in items if item is not this_one[0]]
    assert "Chrome on Windows" in other.get_text()

    action = other.find("form")["action"]
    response = post_form(office, action, {}, form_url=SESSIONS)
    assert response.status_code == 302
    assert ward.get(SIGNED_IN_PAGE).status_code == 302
    assert office.get(SIGNED_IN_PAGE).status_code == 200
    ended = AuditEvent.action == "auth.session.ended_elsewhere"
    assert db.session.scalar(select(AuditEvent).where(ended, AuditEvent.subject_id == mentor.id))


def test_sign_out_everywhere_else_keeps_this_session(app, mentor):
    clients = [app.test_client() for _ in range(3)]
    for client in clients:
        _sign_in_by_form(client, mentor)
    post_form(clients[0], "/account/sessions/end-others", {}, form_url=SESSIONS)
    assert [c.get(SIGNED_IN_PAGE).status_code for c in clients] == [200, 302, 302]


def test_nobody_can_end_another_persons_session(app, learner, mentor):
    sign_in(app.test_client(), mentor)
    victim = mentor.current_session
    attacker = sign_in(app.test_client(), learner)
    url = f"/account/sessions/{victim.public_id}/end"
    assert post_form(attacker, url, {}, form_url=SESSIONS).status_code == 404
    db.session.refresh(victim)
    assert victim.ended_at is None


def test_the_database_holds_only_a_hash_of_the_session_token(app, learner):
    client = app.test_client()
    _sign_in_by_form(client, learner)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == learner.id))
    with client.session_transaction() as session:
        token = session["_user_id"].partition(":")[2]
    assert token and row.token_hash != token and token not in row.token_hash


def test_a_new_activation_code_ends_every_session(app, learner, mentor):
    learner_client = sign_in(app.test_client(), learner)
    mentor_client = sign_in(app.test_client(), mentor)
    url = f"/mentor/learners/{learner.public_id}/new-activation-code"
    response = post_form(mentor_client, url, {}, form_url=f"/mentor/learners/{learner.public_id}")
    assert response.status_code in (200, 302)
    assert learner_client.get(SIGNED_IN_PAGE).status_code == 302
