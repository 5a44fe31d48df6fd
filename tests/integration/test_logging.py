"""Logs an operator can use: one JSON line per request and per security event, and nothing that says who."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest

from skillpath.extensions import db
from skillpath.logs import JsonFormatter, TextFormatter, pseudonym
from skillpath.services.audit.audit import record_event
from tests import factories
from tests.helpers import page, post_form

REQUEST_FIELDS = {
    "timestamp",
    "level",
    "logger",
    "event",
    "request_id",
    "method",
    "route",
    "endpoint",
    "status",
    "duration_ms",
    "user",
}


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture):
    """Every line logged during the test, as the JSON objects an operator's log store would hold."""
    caplog.set_level(logging.INFO, logger="skillpath")
    formatter = JsonFormatter()

    def lines() -> list[dict[str, Any]]:
        return [json.loads(formatter.format(record)) for record in caplog.records]

    return lines


@pytest.fixture
def named_learner(cohort):
    return factories.make_learner(
        cohort=cohort, username="zquartermaine", display_name="Zebedee Quartermaine", prison_number="Z9876XY"
    )


def _requests(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["event"] == "request"]


def _security(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line["logger"] == "skillpath.security"]


def test_sign_in_page_views_and_a_failed_sign_in_never_log_who_the_learner_is(app, named_learner, logged):
    client = app.test_client()
    signed_in = post_form(client, "/sign-in", {"username": "zquartermaine", "password": factories.PASSWORD})
    assert signed_in.status_code == 302
    client.get("/learner/", follow_redirects=True)
    client.get("/modules?search=Zebedee+Quartermaine+Z9876XY")
    missing = client.get(f"/learner/evidence/{uuid.uuid4()}/file")
    assert missing.status_code == 404
    stranger = app.test_client()
    refused = post_form(stranger, "/sign-in", {"username": "zquartermaine", "password": "wrong password here"})
    assert refused.status_code == 200

    lines = logged()
    text = "\n".join(json.dumps(line) for line in lines)
    never = ["Zebedee", "Quartermaine", "zquartermaine", "Z9876XY", factories.PASSWORD, "wrong password", "search="]
    for secret in never:
        assert secret.lower() not in text.lower()

    requests = _requests(lines)
    assert len(requests) >= 5
    for line in requests:
        assert set(line) >= REQUEST_FIELDS
        assert re.fullmatch(r"[A-Za-z0-9-]{8,64}", line["request_id"])
        assert isinstance(line["duration_ms"], float)
        assert "?" not in (line["route"] or "")
    who = pseudonym(named_learner.public_id)
    assert re.fullmatch(r"[0-9a-f]{16}", who)
    evidence = next(line for line in requests if line["status"] == 404)
    assert evidence["route"] == "/learner/evidence/<uuid:evidence_id>/file"
    assert evidence["endpoint"] == "learners.evidence_file"
    assert evidence["request_id"] == missing.headers["X-Request-ID"]
    assert evidence["user"] == who
    sign_ins = [(line["method"], line["status"], line["user"]) for line in requests if line["route"] == "/sign-in"]
    # The page, then a good sign-in (which names the person signed in), then the stranger's page and bad sign-in.
    assert sign_ins == [("GET", 200, None), ("POST", 302, who), ("GET", 200, None), ("POST", 200, None)]

    failed = [line for line in _security(lines) if line.get("action") == "auth.signin.failed"]
    assert len(failed) == 1
    assert failed[0]["subject"] == who
    assert failed[0]["level"] == "WARNING"
    assert failed[0]["request_id"] == refused.headers["X-Request-ID"]
    assert set(failed[0]) == {"timestamp", "level", "logger", "event", "action", "actor", "subject", "request_id"}


def test_refused_pages_and_expired_forms_are_security_events(learner_client, learner, logged):
    learner_client.get("/admin/")
    learner_client.post("/account/change-password", data={"csrf_token": "stale"})

    events = {line["event"]: line for line in _security(logged())}
    assert events["access.refused"]["route"] == "/admin/"
    assert events["access.refused"]["status"] == 403
    assert events["access.refused"]["user"] == pseudonym(learner.public_id)
    assert events["csrf.failed"]["route"] == "/account/change-password"


def test_an_audit_event_is_logged_when_it_commits_without_its_detail(app, learner, mentor, logged):
    record_event("certificate.revoked", actor=mentor, subject=learner, reason="Zebedee did something private")
    db.session.commit()
    record_event("account.activation.reissued", actor=mentor, subject=learner)
    db.session.rollback()
    record_event("learner.confidence.rated", actor=learner, subject=learner)  # not a security event
    db.session.commit()

    security = _security(logged())
    assert [line["action"] for line in security] == ["certificate.revoked"]
    assert security[0]["actor"] == pseudonym(mentor.public_id)
    assert security[0]["subject"] == pseudonym(learner.public_id)
    assert "private" not in json.dumps(security)


@pytest.mark.parametrize("incoming", ["abc-1234-DEF-5678", "a" * 64])
def test_a_well_formed_incoming_request_id_is_kept(client, incoming):
    response = client.get("/sign-in", headers={"X-Request-ID": incoming})
    assert response.headers["X-Request-ID"] == incoming


@pytest.mark.parametrize("incoming", ["", "short", "a" * 65, "abc 12345678", "abc12345;drop", "ab\u00e9cdefgh1"])
def test_a_malformed_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/sign-in", headers={"X-Request-ID": incoming})
    made = response.headers["X-Request-ID"]
    assert made != incoming
    assert re.fullmatch(r"[0-9a-f]{32}", made)


def test_every_response_gets_its_own_request_id(client):
    ids = {client.get("/sign-in").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


@pytest.mark.parametrize(
    ("path", "status"),
    [("/no-such-page", 404), ("/admin/", 403), ("/learner/?q=%00", 400)],
)
def test_error_pages_show_the_request_reference(learner_client, path, status):
    response = learner_client.get(path)
    assert response.status_code == status
    reference = page(response).select_one("#error-reference")
    assert reference is not None
    assert f"Reference: {response.headers['X-Request-ID']}" in reference.get_text(" ", strip=True)


def test_a_too_large_request_shows_the_reference(app, client):
    body = b"username=" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/sign-in", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert f"Reference: {response.headers['X-Request-ID']}" in page(response).select_one("#error-reference").text


def test_the_text_format_is_one_readable_line(app):
    record = logging.LogRecord("skillpath.requests", logging.INFO, __file__, 1, "request", None, None)
    record.skillpath_fields = {"route": "/learner/", "status": 200, "user": None}
    line = TextFormatter().format(record)
    assert "\n" not in line
    assert line.endswith("INFO skillpath.requests request route=/learner/ status=200")


def test_other_libraries_lines_are_json_too_with_their_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("somelib", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert line["event"] == "log"
    assert line["message"] == "failed here"
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in line["exception"]
