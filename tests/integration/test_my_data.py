"""My data: everything SkillPath holds about a learner, as a page and a JSON download, and nothing secret."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from skillpath.auth.passwords import hash_secret
from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    Certificate,
    CertificateKind,
    Confidence,
    ConfidenceRating,
    DeclineReason,
    EmployabilitySkill,
    ReadinessStatusChange,
    SkillLevel,
    StatusChangeType,
    WorkReadiness,
)
from skillpath.services.audit.audit import record_event
from skillpath.services.exports import my_data
from skillpath.services.plans import goals
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page

PAGE = "/learner/my-data"
DOWNLOAD = "/learner/my-data/download"
SECTIONS = [
    "profile",
    "groups",
    "modules",
    "evidence",
    "skills_awarded",
    "goals",
    "confidence_ratings",
    "barriers_to_work",
    "barrier_changes",
    "work_readiness_history",
    "certificates",
    "activity",
]


@pytest.fixture
def record(app, learner, mentor):
    """A learner with something in every part of their record."""
    learner.display_name = "Zoë Ó Briain"
    learner.learner_profile.release_date = date(2027, 3, 27)
    learner.activation_code_hash = hash_secret("ACTIVATE-ME-1234")
    skill = factories.make_skill(name="Customer care")
    role_level = factories.make_role_level(
        name="Service desk analyst", plain_title="Help people fix computer problems", skills={skill: SkillLevel.WORKING}
    )
    learner.learner_profile.target_role_level = role_level
    module = factories.make_module(code="SDA-01", title="Helping users", units=2, skills={skill: SkillLevel.WORKING})
    enrolment = progress.enrol(learner, module, actor=learner)
    db.session.flush()
    progress.set_unit_done(enrolment, module.units[0], True, actor=learner)
    upload = evidence.check_upload(io.BytesIO(b"My notes about helping Sam."), "notes.txt", max_bytes=10_000)
    evidence.add_evidence(
        enrolment,
        reflection="I helped Sam reset a password.",
        upload=upload,
        actor=learner,
        storage=LocalFolderStorage(app.config["UPLOAD_FOLDER"]),
    )
    progress.sign_off(enrolment, mentor=mentor, note="Well done")
    goal, _ = goals.create_goal(
        learner, title="Get my CV ready", target_date=date(2027, 1, 31), steps=["Ask for a template"], actor=learner
    )
    db.session.add_all(
        [
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=learner.id,
                employability_skill=EmployabilitySkill.TEAMWORK,
                confidence=Confidence.LITTLE_CONFIDENCE,
            ),
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=mentor.id,
                skill_id=skill.id,
                assessed_level=SkillLevel.AWARENESS,
                comment="Good start",
            ),
            BarrierItem(
                learner_id=learner.id,
                barrier=Barrier.ID,
                status=BarrierStatus.IN_PROGRESS,
                id_documents=["BIRTH_CERTIFICATE"],
                updated_by_id=mentor.id,
            ),
            BarrierChange(
                learner_id=learner.id, barrier=Barrier.ID, status=BarrierStatus.IN_PROGRESS, changed_by_id=mentor.id
            ),
            ReadinessStatusChange(
                learner_id=learner.id,
                status=WorkReadiness.SUPPORT_DECLINED,
                change_type=StatusChangeType.NEW,
                decline_reason=DeclineReason.RETURNING_TO_JOB,
                changed_by_id=mentor.id,
            ),
            Certificate(
                code="7Q4K29XD",
                kind=CertificateKind.MODULE,
                learner_id=learner.id,
                recipient_name="Zoë Ó Briain",
                achievement_name="Helping users",
                achievement_description="Helped users with computer problems.",
                skills=[{"skill": "Customer care", "level": "working"}],
                issuer_name="SkillPath Digital Skills",
                signature="SIGNATURE-VALUE-NOT-FOR-EXPORT",
                revocation_reason=None,
            ),
        ]
    )
    record_event("learner.record.viewed", actor=mentor, subject=learner, ip_address="10.1.2.3", page="summary")
    record_event("learner.evidence.viewed", actor=mentor, subject=learner, object_type="evidence")
    record_event("auth.signin.failed", actor=None, subject=learner, ip_address="10.9.9.9")
    db.session.flush()
    return {"skill": skill, "module": module, "goal": goal}


def _section(soup, section_id: str):
    """The elements between one section's h2 and the next h2."""
    start = soup.find(id=section_id)
    assert start is not None, f"no section {section_id}"
    parts = []
    for sibling in start.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(sibling)
    return parts


def _section_text(soup, section_id: str) -> str:
    return " ".join(part.get_text(" ", strip=True) for part in _section(soup, section_id))


def _rows(soup, section_id: str) -> list[list[str]]:
    rows = []
    for part in _section(soup, section_id):
        for row in part.select("tbody tr") if part.name != "tr" else [part]:
            rows.append([cell.get_text(" ", strip=True) for cell in row.select("td")])
    return rows


# --- The page ---------------------------------------------------------------------------------------------------


def test_the_page_shows_every_part_of_the_record(learner_client, learner, mentor, record):
    soup = page(learner_client.get(PAGE))
    assert [h1.get_text(strip=True) for h1 in soup.find_all("h1")] == ["My data"]
    assert soup.title.get_text(strip=True) == "My data – SkillPath"
    about = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in soup.find(id="about-you").find_next("dl").select(".govuk-summary-list__row")
    }
    assert about["Name"] == "Zoë Ó Briain"
    assert about["Username"] == learner.username
    assert about["Job you are working towards"] == "Help people fix computer problems (Service desk analyst)"
    assert about["Prison number (seen only by staff)"] == "A1234BC"
    assert about["Release date (seen only by staff)"] == "27 March 2027"
    assert "Helping users" in _section_text(soup, "modules")
    assert _rows(soup, "modules")[1][1:3] == ["Marked a part as done", "Part 1"]
    assert _rows(soup, "evidence")[0][:3] == ["Helping users", "I helped Sam reset a password.", "notes.txt"]
    assert _rows(soup, "skills")[0][:3] == ["Customer care", "Working", "Helping users"]
    goals_text = _section_text(soup, "goals")
    assert "Get my CV ready" in goals_text and "Ask for a template: not started" in goals_text
    ratings = _rows(soup, "confidence")
    assert ratings[0][:4] == ["Teamwork", "A little confident", "", "You"]
    assert ["Customer care", "Level: Awareness", "Good start", f"{mentor.display_name} (Mentor)"] == ratings[1][:4]
    barriers = _rows(soup, "barriers")
    assert barriers[0][:4] == [
        "Identification (ID)",
        "In progress",
        "Documents: Birth certificate",
        f"{mentor.display_name} (Mentor)",
    ]
    assert _rows(soup, "readiness")[0][1:4] == ["Does not want support", "First recorded", "Returning to job"]
    assert _rows(soup, "certificates")[0][:3] == ["SP-7Q4K-29XD", "Helping users", "Zoë Ó Briain"]


def test_the_page_says_who_has_viewed_or_changed_the_record_in_plain_words(learner_client, learner, mentor, record):
    soup = page(learner_client.get(PAGE))
    staff = [row[1:] for row in _rows(soup, "who-has-seen")]
    assert staff == [
        [f"{mentor.display_name} (Mentor)", "Opened your evidence file"],
        [f"{mentor.display_name} (Mentor)", "Viewed your record"],
    ]
    own = [row[1:] for row in _rows(soup, "your-activity")]
    assert ["SkillPath", "Someone tried to sign in with a wrong password"] in own
    assert ["You", "Added a goal"] in own
    assert "learner.record.viewed" not in soup.get_text()
    assert "10.1.2.3" not in soup.get_text()


def test_an_empty_record_says_nothing_is_recorded(learner_client, learner):
    soup = page(learner_client.get(PAGE))
    assert _section_text(soup, "certificates") == "Nothing recorded."
    assert _section_text(soup, "goals") == "Nothing recorded."
    assert "No member of staff has viewed or changed your record yet." in _section_text(soup, "who-has-seen")


def test_another_learners_record_is_not_included(learner_client, learner, cohort):
    other = factories.make_learner(cohort=cohort, prison_number="Z9999ZZ")
    goals.create_goal(other, title="Somebody else's goal", target_date=None, steps=["x"], actor=other)
    db.session.flush()
    text = page(learner_client.get(PAGE)).get_text()
    assert "Somebody else's goal" not in text and "Z9999ZZ" not in text


@pytest.mark.parametrize(
    ("action", "phrase"),
    [
        ("learner.record.viewed", "Viewed your record"),
        ("learner.evidence.viewed", "Opened your evidence file"),
        ("learner.goal.archived", "Archived a goal"),
        ("learner.something_new.viewed", "Viewed your record"),
        ("learner.work_status.changed", "Work status changed"),
        ("report.exported", "Report exported"),
        ("", "Something changed on your record"),
    ],
)
def test_audit_actions_are_described_in_plain_words_with_a_fallback(action, phrase):
    assert my_data.describe_action(action) == phrase


# --- The download -------------------------------------------------------------------------------------------------


def test_the_download_is_a_json_attachment_with_every_section(learner_client, learner, mentor, record):
    response = learner_client.get(DOWNLOAD)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.mimetype_params.get("charset") == "utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="skillpath-my-data.json"'
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    assert "Zoë Ó Briain".encode() in raw  # real UTF-8, not \u escapes
    document = json.loads(raw.decode("utf-8"))
    assert [key for key in document if key not in ("about", "generated_at")] == SECTIONS
    assert document["profile"]["prison_number"] == "A1234BC"
    assert document["profile"]["release_date"] == "2027-03-27"
    assert datetime.fromisoformat(document["generated_at"]).tzinfo is not None
    assert datetime.fromisoformat(document["profile"]["account_created_at"]).utcoffset().total_seconds() == 0
    assert document["goals"][0]["title"] == "Get my CV ready"
    assert document["goals"][0]["target_date"] == "2027-01-31"
    assert document["goals"][0]["steps"] == [{"position": 1, "title": "Ask for a template", "status": "Not started"}]
    assert [m["module_code"] for m in document["modules"]] == ["SDA-01"]
    assert [e["what"] for e in document["modules"][0]["progress"]] == [
        "Started the module",
        "Marked a part as done",
        "Added evidence",
        "Signed off",
    ]
    assert document["evidence"][0]["file_name"] == "notes.txt"
    assert document["skills_awarded"][0]["skill"] == "Customer care"
    assert {r["rated_by"] for r in document["confidence_ratings"]} == {"You", f"{mentor.display_name} (Mentor)"}
    assert document["barriers_to_work"][0]["id_documents"] == ["Birth certificate"]
    assert document["barrier_changes"][0]["item"] == "Identification (ID)"
    assert document["work_readiness_history"][0]["status"] == "Does not want support"
    assert document["certificates"][0]["code"] == "SP-7Q4K-29XD"
    actions = [a["action"] for a in document["activity"]]
    assert "learner.record.viewed" in actions and "auth.signin.failed" in actions
    by_action = {a["action"]: a for a in document["activity"]}
    assert by_action["learner.record.viewed"]["what"] == "Viewed your record"
    assert by_action["learner.record.viewed"]["by_staff"] is True


def test_the_same_sections_are_on_the_page_and_in_the_download(learner_client, record):
    document = json.loads(learner_client.get(DOWNLOAD).get_data(as_text=True))
    soup = page(learner_client.get(PAGE))
    page_ids = {
        "profile": "about-you",
        "skills_awarded": "skills",
        "confidence_ratings": "confidence",
        "barriers_to_work": "barriers",
        "work_readiness_history": "readiness",
        "activity": "who-has-seen",
    }
    for section in SECTIONS:
        if section == "barrier_changes":
            continue  # shown under the barriers heading
        assert soup.find(id=page_ids.get(section, section)) is not None, section
        assert section in document


def test_downloading_is_written_to_the_audit_log(learner_client, learner, record):
    learner_client.get(DOWNLOAD)
    events = list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == learner.id, AuditEvent.action == "learner.data.downloaded"
            )
        )
    )
    assert len(events) == 1 and events[0].actor_id == learner.id
    own = [row[1:] for row in _rows(page(learner_client.get(PAGE)), "your-activity")]
    assert ["You", "Downloaded your data"] in own


def test_no_secret_is_ever_in_the_page_or_the_download(app, learner, mentor, record):
    client = sign_in(app.test_client(), learner)
    db.session.refresh(learner)
    secrets = [
        learner.password_hash,
        learner.activation_code_hash,
        learner.current_session.token_hash,
        learner.current_session_token,
        mentor.password_hash,
        "SIGNATURE-VALUE-NOT-FOR-EXPORT",
        "10.1.2.3",
    ]
    stored_names = list(db.session.scalars(select(sa.text("stored_name")).select_from(sa.text("evidence"))))
    assert all(secret for secret in secrets) and stored_names and all(stored_names)
    body = client.get(DOWNLOAD).get_data(as_text=True)
    html = client.get(PAGE).get_data(as_text=True)
    for secret in [*secrets, *stored_names]:
        assert secret not in body
        assert secret not in html

    def keys(value):
        if isinstance(value, dict):
            for key, item in value.items():
                yield key
                yield from keys(item)
        elif isinstance(value, list):
            for item in value:
                yield from keys(item)

    forbidden = {"password", "hash", "token", "session", "secret", "signature", "stored", "ip"}
    for key in set(keys(json.loads(body))):
        assert not forbidden & set(key.lower().split("_")), key


# --- Loading ----------------------------------------------------------------------------------------------------


def _count_queries(function, *args):
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", count)
    try:
        function(*args)
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", count)
    return len(statements)


def test_loading_the_record_takes_the_same_number_of_queries_however_long_it_is(app, learner, mentor, record):
    db.session.expire_all()
    small = _count_queries(my_data.collect, learner)
    for n in range(6):
        module = factories.make_module(code=f"BIG-{n}", units=3, skills={record["skill"]: SkillLevel.AWARENESS})
        enrolment = progress.enrol(learner, module, actor=learner)
        db.session.flush()
        for unit in module.units:
            progress.set_unit_done(enrolment, unit, True, actor=learner)
        progress.sign_off(enrolment, mentor=factories.make_mentor())
        goals.create_goal(learner, title=f"Goal {n}", target_date=None, steps=["a", "b", "c"], actor=learner)
        db.session.add(
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=factories.make_mentor().id,
                skill_id=record["skill"].id,
                confidence=Confidence.QUITE_CONFIDENT,
                rated_at=datetime(2026, 1, n + 1, tzinfo=UTC),
            )
        )
        record_event("learner.record.viewed", actor=factories.make_mentor(), subject=learner)
    db.session.flush()
    db.session.expire_all()
    big = _count_queries(my_data.collect, learner)
    assert big == small
    assert small <= 30  # one or two per table, never one per row


# --- Access ----------------------------------------------------------------------------------------------------


def test_staff_are_refused_the_my_data_pages(mentor_client, admin_client):
    for client in (mentor_client, admin_client):
        for url in (PAGE, DOWNLOAD):
            assert client.get(url).status_code == 403, url
