"""My data says what each download holds, and offers one without custody details (issue #10, item 5).

The full download keeps everything it had. The download to share is for someone the learner trusts:
no prison name or code, prison number, release date, group, username, staff name, staff note or
audit entry; it still has the learner's own words, skills, certificates and goals.
"""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierItem,
    BarrierStatus,
    Certificate,
    CertificateKind,
    Confidence,
    ConfidenceRating,
    EmployabilitySkill,
    SkillLevel,
)
from skillpath.services.audit.audit import record_event
from skillpath.services.plans import goals
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from tests import factories
from tests.conftest import sign_in
from tests.helpers import page

PAGE = "/learner/my-data"
FULL = "/learner/my-data/download"
TO_SHARE = "/learner/my-data/download-to-share"
FULL_SECTIONS = [
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
def world(app):
    """A learner in a named prison and group, with a named mentor who wrote about them, and a full record."""
    establishment = factories.make_establishment(name="HMP Larkspur Fen", code="ZQW")
    cohort = factories.make_cohort(establishment=establishment, name="Wednesday coders")
    mentor = factories.make_mentor(cohorts=[cohort], username="mentor-ottoline", display_name="Ottoline Quarrie")
    learner = factories.make_learner(
        cohort=cohort,
        username="learner-zx81",
        display_name="Zoë Ó Briain",
        prison_number="K7734QP",
        release_date=date(2027, 3, 27),
    )
    skill = factories.make_skill(name="Customer care")
    module = factories.make_module(code="SDA-01", title="Helping users", units=2, skills={skill: SkillLevel.WORKING})
    enrolment = progress.enrol(learner, module, actor=learner)
    db.session.flush()
    progress.set_unit_done(enrolment, module.units[0], True, actor=learner)
    upload = evidence.check_upload(io.BytesIO(b"My notes."), "notes.txt", max_bytes=10_000)
    evidence.add_evidence(
        enrolment,
        reflection="I helped Sam reset a password.",
        upload=upload,
        actor=learner,
        storage=LocalFolderStorage(app.config["UPLOAD_FOLDER"]),
    )
    # Staff write freely: their words can name the prison, the group or themselves.
    progress.sign_off(enrolment, mentor=mentor, note="Well done, see you in HMP Larkspur Fen on Wednesday coders day")
    goals.create_goal(
        learner, title="Get my CV ready", target_date=date(2027, 1, 31), steps=["Ask for a template"], actor=learner
    )
    db.session.add_all(
        [
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=learner.id,
                employability_skill=EmployabilitySkill.TEAMWORK,
                confidence=Confidence.QUITE_CONFIDENT,
            ),
            ConfidenceRating(
                learner_id=learner.id,
                assessor_id=mentor.id,
                skill_id=skill.id,
                assessed_level=SkillLevel.AWARENESS,
                comment="Ottoline thinks this is going well",
            ),
            BarrierItem(
                learner_id=learner.id,
                barrier=Barrier.DISCLOSURE_LETTER,
                status=BarrierStatus.IN_PROGRESS,
                note="Ask the ZQW resettlement team",
                updated_by_id=mentor.id,
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
                signature="SIGNATURE",
            ),
        ]
    )
    record_event("learner.record.viewed", actor=mentor, subject=learner, page="summary")
    db.session.flush()
    return {"learner": learner, "mentor": mentor, "establishment": establishment, "cohort": cohort}


@pytest.fixture
def client(app, world):
    return sign_in(app.test_client(), world["learner"])


def _custody_details(world) -> list[str]:
    mentor, learner = world["mentor"], world["learner"]
    return [
        world["establishment"].name,
        world["establishment"].code,
        "K7734QP",
        "2027-03-27",
        "27 March 2027",
        world["cohort"].name,
        mentor.display_name,
        "Ottoline",
        mentor.username,
        learner.username,
        "Disclosure letter",
    ]


# --- The download to share ------------------------------------------------------------------------------------


def test_the_download_to_share_holds_no_custody_detail(client, world):
    response = client.get(TO_SHARE)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="skillpath-my-data-to-share.json"'
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    for detail in _custody_details(world):
        assert detail not in text, detail
    document = json.loads(text)
    assert "groups" not in document and "activity" not in document and "barriers_to_work" not in document
    assert set(document["profile"]) == {
        "name",
        "preferred_name",
        "certificate_name",
        "email",
        "job_working_towards",
        "job_title",
    }


def test_the_download_to_share_keeps_the_learners_own_words_skills_certificates_and_goals(client, world):
    document = json.loads(client.get(TO_SHARE).get_data(as_text=True))
    assert document["profile"]["name"] == "Zoë Ó Briain"
    assert document["evidence"][0]["reflection"] == "I helped Sam reset a password."
    assert document["evidence"][0]["file_name"] == "notes.txt"
    assert document["goals"][0]["title"] == "Get my CV ready"
    assert document["goals"][0]["steps"][0]["title"] == "Ask for a template"
    assert [award["skill"] for award in document["skills_awarded"]] == ["Customer care"]
    assert document["skills_awarded"][0]["awarded_by"] == "A member of staff"
    assert document["certificates"][0]["code"] == "SP-7Q4K-29XD"
    assert document["modules"][0]["module_title"] == "Helping users"
    signed_off = document["modules"][0]["progress"][-1]
    assert (signed_off["what"], signed_off["by"], signed_off["note"]) == ("Signed off", "A member of staff", None)
    ratings = {(r["skill"], r["rated_by"]): r for r in document["confidence_ratings"]}
    assert ratings["Teamwork", "You"]["confidence"] == "Quite confident"
    assert ratings["Customer care", "A member of staff"]["comment"] is None
    assert "does not have your prison number" in document["about"]


# --- The full download ---------------------------------------------------------------------------------------------


def test_the_full_download_still_holds_everything(client, world):
    text = client.get(FULL).get_data(as_text=True)
    # Not the mentor's username (no download ever held it) nor the page's way of writing the date.
    held = [detail for detail in _custody_details(world) if detail not in ("mentor-ottoline", "27 March 2027")]
    for detail in held:
        assert detail in text, detail
    document = json.loads(text)
    assert [key for key in document if key not in ("about", "generated_at")] == FULL_SECTIONS
    assert document["profile"]["prison_number"] == "K7734QP"
    assert document["profile"]["establishment"] == "HMP Larkspur Fen"
    assert document["groups"][0]["group"] == "Wednesday coders"
    assert document["modules"][0]["progress"][-1]["by"] == "Ottoline Quarrie (Mentor)"
    assert "your prison number" in document["about"]


# --- The audit log -------------------------------------------------------------------------------------------------


def test_each_download_is_audited_with_its_kind_and_shown_to_the_learner(client, world):
    learner = world["learner"]
    client.get(FULL)
    client.get(TO_SHARE)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == learner.id, AuditEvent.action == "learner.data.downloaded")
        .order_by(AuditEvent.id)
    ).all()
    assert [(event.actor_id, event.detail) for event in events] == [
        (learner.id, {"kind": "full"}),
        (learner.id, {"kind": "to_share"}),
    ]
    soup = page(client.get(PAGE))
    table = soup.find(id="your-activity").find_next("table")
    what = [row.select("td")[2].get_text(strip=True) for row in table.select("tbody tr")]
    assert what[:2] == ["Downloaded your data to share", "Downloaded your data"]


# --- The page ---------------------------------------------------------------------------------------------------


def test_the_page_says_what_each_download_holds_and_offers_both(client):
    soup = page(client.get(PAGE))
    links = {a.get_text(strip=True): a["href"] for a in soup.select("a.govuk-button")}
    assert links == {"Download all my data": FULL, "Download my data to share": TO_SHARE}
    leaves_out = soup.select_one("#to-share-leaves-out").get_text(" ", strip=True)
    for words in ("prison number", "release date", "name of the prison", "groups", "username", "names of staff"):
        assert words in leaves_out
    has = soup.select_one("#to-share-has").get_text(" ", strip=True)
    for words in ("evidence you wrote", "skills", "goals", "certificates"):
        assert words in has
    full = soup.find(id="download-all").find_next("p").get_text(" ", strip=True)
    assert "prison number" in full and "release date" in full


def test_a_missing_email_address_reads_not_given_never_none(client):
    soup = page(client.get(PAGE))
    about = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)
        for row in soup.find(id="about-you").find_next("dl").select(".govuk-summary-list__row")
    }
    assert about["Email address"] == "Not given"
    assert "None" not in about.values()


def test_staff_are_refused_the_download_to_share(mentor_client, admin_client):
    for client in (mentor_client, admin_client):
        assert client.get(TO_SHARE).status_code == 403
