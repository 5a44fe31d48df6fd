"""Custody details fade: `flask custody remove-expired` removes what ties a learner to prison, a set time after
release, and keeps what they built. Run twice, it changes nothing the second time; it reports counts and logs no
name or number."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    BarrierItem,
    BarrierStatus,
    CohortMembership,
    ConfidenceRating,
    CvDocument,
    Evidence,
    Goal,
    ProgressEvent,
    ReadinessStatusChange,
    SkillAward,
    User,
)
from skillpath.models._types import utcnow
from skillpath.services.certificates.certificates import VerificationStatus, verify_code
from skillpath.services.certificates.signing import app_key_store
from skillpath.services.learners.custody import months_before
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page
from tests.integration import _leaving_world as world
from tests.integration._leaving_world import Leaver, build_leaver, found_in, scan_tables, snapshot


def _run(app: Flask, *args: str) -> Result:
    result = app.test_cli_runner().invoke(args=["custody", "remove-expired", *args])
    assert result.exit_code == 0, result.output
    db.session.expire_all()  # the command worked in its own session
    return result


@pytest.fixture
def leaver(app: Flask) -> Leaver:
    return build_leaver(released_at=months_before(utcnow(), 13))


def _count(model: type, *conditions: object) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


def test_the_command_leaves_no_custody_detail_or_staff_note_in_any_table(app, leaver, caplog):
    caplog.set_level(logging.INFO)
    result = _run(app)

    assert "Custody details removed for 1 learner" in result.output
    assert scan_tables(leaver.custody_words + leaver.staff_notes, dates=[world.RELEASE_DATE]) == []
    profile = db.session.get(User, leaver.learner.id).learner_profile
    assert (profile.prison_number, profile.establishment_id, profile.release_date) == (None, None, None)
    assert profile.custody_removed_at is not None
    assert profile.released_at == profile.custody_removed_at  # the time of release itself is gone
    assert _count(CohortMembership, CohortMembership.learner_id == leaver.learner.id) == 0
    assert _count(ReadinessStatusChange, ReadinessStatusChange.learner_id == leaver.learner.id) == 0


def test_no_row_of_the_record_leads_to_a_member_of_prison_staff(app, leaver):
    _run(app)

    staff = {leaver.mentor.id, leaver.admin.id}
    learner_id = leaver.learner.id
    assert db.session.get(User, learner_id).created_by_id is None
    assert (
        not set(db.session.scalars(select(SkillAward.awarded_by_id).where(SkillAward.learner_id == learner_id))) & staff
    )
    assert (
        not set(db.session.scalars(select(ProgressEvent.actor_id).where(ProgressEvent.learner_id == learner_id)))
        & staff
    )
    assert not set(db.session.scalars(select(Goal.created_by_id).where(Goal.learner_id == learner_id))) & staff
    assert (
        not set(db.session.scalars(select(BarrierItem.updated_by_id).where(BarrierItem.learner_id == learner_id)))
        & staff
    )
    assert db.session.get(type(leaver.certificate), leaver.certificate.id).issued_by_id is None
    assert (
        _count(ConfidenceRating, ConfidenceRating.learner_id == learner_id, ConfidenceRating.assessor_id != learner_id)
        == 0
    )


def test_audit_events_keep_only_pseudonymous_references(app, leaver):
    _run(app)

    events = list(
        db.session.scalars(
            select(AuditEvent).where(
                (AuditEvent.subject_id == leaver.learner.id) | (AuditEvent.actor_id == leaver.learner.id)
            )
        )
    )
    assert {event.action for event in events} >= {"learner.record.viewed", "learner.transferred", "learner.released"}
    assert all(event.ip_address is None for event in events)
    assert all(event.object_type not in ("cohort", "establishment") or event.object_id is None for event in events)
    assert not [event.detail for event in events if found_in(json.dumps(event.detail), leaver.custody_words)]
    assert "learner.custody_details.removed" in {event.action for event in events}
    # Who did what stays, by id: the mentor who looked at the record is still accountable.
    assert any(event.actor_id == leaver.mentor.id and event.action == "learner.record.viewed" for event in events)


def test_what_the_learner_built_stays(app, leaver):
    code, learner_id = leaver.certificate.display_code, leaver.learner.id
    _run(app)

    assert verify_code(code, app_key_store()).status == VerificationStatus.VALID
    assert verify_code(code, app_key_store()).content.recipient_name == world.NAME
    assert _count(SkillAward, SkillAward.learner_id == learner_id) == 1
    assert db.session.scalar(select(Goal.title).where(Goal.learner_id == learner_id)) == world.GOAL
    assert db.session.scalar(select(Evidence.reflection).where(Evidence.learner_id == learner_id)) == world.REFLECTION
    assert leaver.evidence_path.read_bytes() == world.FILE_BYTES
    assert _count(ConfidenceRating, ConfidenceRating.assessor_id == learner_id) == 1
    assert db.session.scalar(select(CvDocument.content).where(CvDocument.learner_id == learner_id)) == {
        "about": {"statement": world.CV_STATEMENT}
    }
    # An ID in progress is still in progress: what the learner has for work is not a staff note.
    assert db.session.scalar(select(BarrierItem.status).where(BarrierItem.learner_id == learner_id)) == (
        BarrierStatus.IN_PROGRESS
    )
    learner = db.session.get(User, learner_id)
    assert learner.is_enabled and learner.password_hash is not None and learner.learner_profile.is_released


def test_staff_can_no_longer_see_the_learner_or_export_them(app, leaver):
    learner_public_id, cohort_id, establishment_id = (
        leaver.learner.public_id,
        leaver.cohort.public_id,
        leaver.establishment.public_id,
    )
    _run(app)

    mentor, lead = sign_in(app.test_client(), leaver.mentor), sign_in(app.test_client(), leaver.lead)
    for client in (mentor, lead):
        assert client.get(f"/mentor/learners/{learner_public_id}").status_code == 404
    mentor_home = page(mentor.get(f"/mentor/cohorts/{cohort_id}")).get_text(" ")
    assert world.NAME not in mentor_home
    for client, url in (
        (mentor, f"/dashboards/cohorts/{cohort_id}/export.csv"),
        (lead, f"/dashboards/establishments/{establishment_id}/export.csv"),
    ):
        export = client.get(url)
        assert export.status_code == 200
        text = export.get_data(as_text=True)  # streamed: read before the next request
        assert found_in(text, [world.NAME, world.PRISON_NUMBER, world.RELEASE_DATE.isoformat()]) == []


def test_the_learners_own_page_and_downloads_hold_no_custody_detail_nor_staff_name(app, leaver):
    mentor_name = leaver.mentor.display_name
    _run(app)

    client = sign_in(app.test_client(), db.session.get(User, leaver.learner.id))
    responses = [client.get("/learner/my-data"), client.get("/learner/my-data/download")]
    responses.append(client.get("/learner/my-data/download-to-share"))
    for response in responses:
        assert response.status_code == 200
        text = page(response).get_text(" ") if response.mimetype == "text/html" else response.get_data(as_text=True)
        assert found_in(text, [*leaver.custody_words, *leaver.staff_notes, mentor_name, "14 February 2025"]) == []
        assert world.REFLECTION in text  # the learner's own words stay
    document = json.loads(responses[1].get_data())
    assert document["profile"]["custody_details_removed_at"] is not None
    assert document["profile"]["released_at"] is None
    assert document["groups"] == [] and document["work_readiness_history"] == []


def test_the_run_reports_counts_and_logs_no_name_or_number(app, leaver, caplog):
    caplog.set_level(logging.INFO)
    result = _run(app)

    lines = [result.output, caplog.text, *(json.dumps(getattr(r, "__dict__", {}), default=str) for r in caplog.records)]
    secrets = [world.NAME, world.USERNAME, world.EMAIL, *leaver.custody_words, *leaver.staff_notes]
    assert found_in("\n".join(lines), secrets) == []
    assert any(record.getMessage() == "custody.removed" for record in caplog.records)
    assert "1 learner" in result.output and "2 cohort memberships" in result.output


def test_running_it_twice_changes_nothing_the_second_time(app, leaver):
    _run(app)
    before = snapshot()

    again = _run(app)

    assert "No learner was due" in again.output
    assert snapshot() == before


def test_a_dry_run_counts_and_changes_nothing(app, leaver):
    before = snapshot()

    result = _run(app, "--dry-run")

    assert "1 learner is due" in result.output and "nothing changed" in result.output
    assert snapshot() == before


def test_learners_not_yet_due_keep_their_details(app):
    recent = build_leaver(released_at=months_before(utcnow(), 11))
    in_custody = factories.make_learner(prison_number="Z9999ZZ")
    before = snapshot()

    result = _run(app)

    assert "No learner was due" in result.output
    assert snapshot() == before
    assert db.session.get(User, recent.learner.id).learner_profile.prison_number == world.PRISON_NUMBER
    assert db.session.get(User, in_custody.id).learner_profile.prison_number == "Z9999ZZ"


def test_the_time_after_release_is_a_setting(app, monkeypatch):
    leaver = build_leaver(released_at=months_before(utcnow(), 7))
    monkeypatch.setitem(app.config, "CUSTODY_REMOVAL_MONTHS", 6)

    _run(app)

    assert db.session.get(User, leaver.learner.id).learner_profile.custody_removed_at is not None


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), 1, datetime(2026, 2, 28, 9, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=UTC), 12, datetime(2025, 1, 15, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 10, tzinfo=UTC), 13, datetime(2024, 12, 10, tzinfo=UTC)),
    ],
)
def test_months_are_calendar_months(moment, months, expected):
    assert months_before(moment, months) == expected


def test_a_negative_time_after_release_is_refused(app, leaver, monkeypatch):
    monkeypatch.setitem(app.config, "CUSTODY_REMOVAL_MONTHS", -1)

    result = app.test_cli_runner().invoke(args=["custody", "remove-expired"])

    assert result.exit_code == 1
    assert "CUSTODY_REMOVAL_MONTHS must be 0 or more" in result.output
    assert db.session.get(User, leaver.learner.id).learner_profile.prison_number == world.PRISON_NUMBER
