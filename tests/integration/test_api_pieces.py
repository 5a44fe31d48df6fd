"""The staff API's small parts on their own: cursors, ETags, the JSON body checks, the token's scopes."""

from __future__ import annotations

import pytest

from skillpath.api.bodies import GOAL_PATCH, WORK_STATUS_UPDATE
from skillpath.api.problems import ApiRefusal
from skillpath.api.validation import check_object
from skillpath.services.api import cursors, etags

SECRET = "test-secret"


def test_a_cursor_reads_back_only_for_its_own_list_and_secret():
    cursor = cursors.make_cursor(SECRET, "/api/v1/learners", 42)
    assert cursors.read_cursor(SECRET, "/api/v1/learners", cursor) == 42
    assert cursors.read_cursor(SECRET, "/api/v1/learners", None) == 0
    for secret, listing, text in (
        ("another-secret", "/api/v1/learners", cursor),
        (SECRET, "/api/v1/establishments", cursor),
        (SECRET, "/api/v1/learners", cursor[:-2] + "xx"),
        (SECRET, "/api/v1/learners", "\u202e"),
    ):
        with pytest.raises(cursors.CursorError):
            cursors.read_cursor(secret, listing, text)


def test_an_etag_changes_with_the_representation_and_if_match_compares_strongly():
    first = etags.etag_of({"status": "READY_TO_WORK", "changedAt": None})
    assert first == etags.etag_of({"changedAt": None, "status": "READY_TO_WORK"})  # key order does not matter
    assert first != etags.etag_of({"status": "SUPPORT_NEEDED", "changedAt": None})
    assert first.startswith('"') and first.endswith('"')
    assert etags.matches(first, first) and etags.matches(f'"other", {first}', first) and etags.matches("*", first)
    assert not etags.matches(f"W/{first}", first) and not etags.matches('"other"', first)


def _errors(data, fields):
    with pytest.raises(ApiRefusal) as refused:
        check_object(data, fields, "")
    return refused.value.response.get_json()["errors"]


def test_body_checks_name_every_bad_field_at_once(app):
    with app.test_request_context():
        errors = _errors({"status": True, "declineReason": "BORED", "extra": 1}, WORK_STATUS_UPDATE)
    assert {error["pointer"] for error in errors} == {"/status", "/declineReason", "/extra"}
    assert check_object({"status": "READY_TO_WORK", "declineReason": None}, WORK_STATUS_UPDATE, "") == {
        "status": "READY_TO_WORK",
        "declineReason": None,
    }


def test_goal_changes_check_dates_and_each_step(app):
    with app.test_request_context():
        errors = _errors({"targetDate": "2027-02-30", "steps": [{"position": 1, "status": "DONE"}]}, GOAL_PATCH)
    assert errors == [
        {"pointer": "/targetDate", "detail": "Must be a real date in the form YYYY-MM-DD."},
        {"pointer": "/steps", "detail": "Item 0: /status: Must be one of: NOT_STARTED, ACTIVE, COMPLETE."},
    ]
