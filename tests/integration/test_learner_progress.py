"""The learner's side: choosing a job, the home page, modules, progress and evidence."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Evidence, ProgressEvent, ProgressKind, SkillLevel
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, field_errors, flash_messages, heading, location_path, page, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def world(learner):
    skills = [factories.make_skill(name=f"Customer care {i}") for i in range(4)]
    role_level = factories.make_role_level(
        name="Service desk analyst",
        plain_title="Help people fix computer problems",
        skills={skills[0]: SkillLevel.WORKING, skills[1]: SkillLevel.AWARENESS, skills[2]: SkillLevel.AWARENESS},
    )
    module = factories.make_module(
        code="SDA-01", title="Helping users", units=3, skills={skills[0]: SkillLevel.WORKING}
    )
    other = factories.make_module(
        code="DATA-01", title="Tables of data", units=2, skills={skills[3]: SkillLevel.AWARENESS}
    )
    learner.learner_profile.target_role_level = role_level
    db.session.flush()
    return {"skills": skills, "role_level": role_level, "module": module, "other": other}


def _events(learner, kind=None) -> list[ProgressEvent]:
    query = select(ProgressEvent).where(ProgressEvent.learner_id == learner.id)
    if kind:
        query = query.where(ProgressEvent.kind == kind)
    return list(db.session.scalars(query.order_by(ProgressEvent.id)))


def _start(client, code="SDA-01"):
    return post_form(client, f"/learner/modules/{code}/start", {}, form_url=f"/modules/{code}")


def _mark(client, module, position, done="yes"):
    unit = module.units[position - 1]
    return post_form(
        client,
        f"/learner/modules/{module.code}/parts/{unit.public_id}",
        {"done": done},
        form_url=f"/learner/modules/{module.code}",
    )


def _add_evidence(client, code="SDA-01", reflection="I reset a password for a user.", file=None):
    data = {"reflection": reflection}
    if file is not None:
        data["file"] = file
    token_page = client.get(f"/learner/modules/{code}/add-evidence")
    token = page(token_page).find("input", attrs={"name": "csrf_token"})["value"]
    return client.post(
        f"/learner/modules/{code}/add-evidence", data={**data, "csrf_token": token}, content_type="multipart/form-data"
    )


# --- Choosing a job -----------------------------------------------------------------------------


def test_a_learner_with_no_job_chosen_is_asked_to_choose_one(learner_client, world, learner):
    learner.learner_profile.target_role_level = None
    db.session.flush()
    response = learner_client.get("/learner/")
    assert location_path(response) == "/learner/choose-a-job"
    choices = learner_client.get("/learner/choose-a-job")
    assert heading(choices) == "What job would you like to work towards?"
    labels = [label.get_text(strip=True) for label in page(choices).select(".govuk-radios__label")]
    assert "Help people fix computer problems" in labels


def test_choosing_a_job_saves_it_and_can_be_changed(learner_client, world, learner):
    other_level = factories.make_role_level(name="Apprentice developer", plain_title="Learn to write code")
    response = post_form(learner_client, "/learner/choose-a-job", {"role_level": str(other_level.public_id)})
    assert location_path(response) == "/learner/"
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.target_role_level_id == other_level.id


def test_choosing_nothing_or_a_forged_job_is_refused(learner_client, world, learner):
    response = post_form(learner_client, "/learner/choose-a-job", {})
    assert error_summary(response) == {"#role_level": "Select the job you would like to work towards"}
    not_offered = factories.make_role_level(name="Senior architect", is_entry_level=False)
    response = post_form(learner_client, "/learner/choose-a-job", {"role_level": str(not_offered.public_id)})
    assert "Select one of the jobs in the list" in field_errors(response)


# --- Home and readiness ------------------------------------------------------------------------------


def test_home_answers_where_how_ready_and_what_next(learner_client, world, learner):
    _start(learner_client)
    _mark(learner_client, world["module"], 1)
    soup = page(learner_client.get("/learner/"))
    text = soup.get_text(" ", strip=True)
    assert "Help people fix computer problems" in text
    assert "0 out of 100" in text and "Not started" in text
    missing = [li.get_text(strip=True) for li in soup.select("ol.govuk-list--number li")]
    assert len(missing) == 3
    assert "Customer care 0" in missing[0]  # a working-level skill costs the most points
    assert "Part 2" in text or world["module"].units[1].title in text


def test_signing_off_a_module_raises_the_score_on_the_readiness_page(learner_client, world, learner, mentor):
    _start(learner_client)
    enrolment = progress.get_enrolment(learner, world["module"])
    progress.sign_off(enrolment, mentor=mentor)
    db.session.flush()
    soup = page(learner_client.get("/learner/readiness"))
    # One of three equal skills held in full: 80/3 = 26.7 -> 27 points.
    assert "27 out of 100" in soup.get_text(" ", strip=True)
    rows = {
        row.select("td")[0].get_text(strip=True): row.select("td")[3].get_text(strip=True)
        for row in soup.select("tbody tr")
    }
    assert rows["Customer care 0"] == "Done"
    assert rows["Customer care 1"] == "Still to do"


# --- Catalogue -------------------------------------------------------------------------------------


def test_the_catalogue_lists_modules_and_filters_by_job_skill_and_level(learner_client, world):
    def titles(url):
        return [a.get_text(strip=True) for a in page(learner_client.get(url)).select(".govuk-task-list__link")]

    assert titles("/modules/") == ["Helping users", "Tables of data"]  # the learner's job first, then the rest
    assert titles(f"/modules/?role={world['role_level'].public_id}") == ["Helping users"]
    assert titles(f"/modules/?skill={world['skills'][3].id}") == ["Tables of data"]
    assert titles("/modules/?level=working") == ["Helping users"]
    assert titles("/modules/?level=nonsense&role=not-a-uuid&skill=abc") != []  # bad filters are ignored, not a 500


def test_a_module_page_shows_skills_levels_hours_and_units(learner_client, world):
    soup = page(learner_client.get("/modules/SDA-01"))
    assert soup.h1.get_text(strip=True) == "Helping users"
    assert "Customer care 0" in soup.get_text() and "Working" in soup.get_text()
    assert [li.get_text(strip=True) for li in soup.select("ol.govuk-list--number li")] == ["Part 1", "Part 2", "Part 3"]
    assert soup.find("button", string=lambda s: s and "Start this module" in s)


def test_an_unknown_module_is_not_found(learner_client, world):
    assert learner_client.get("/modules/NOPE-99").status_code == 404
    assert learner_client.get("/learner/modules/NOPE-99").status_code == 404


# --- Progress ----------------------------------------------------------------------------------------


def test_starting_twice_creates_one_enrolment_and_one_event(learner_client, world, learner):
    _start(learner_client)
    _start(learner_client)
    assert len(_events(learner, ProgressKind.ENROLLED)) == 1


def test_marking_parts_done_and_undoing_appends_to_the_log(learner_client, world, learner):
    module = world["module"]
    _start(learner_client)
    _mark(learner_client, module, 1)
    _mark(learner_client, module, 1)  # a double submission adds nothing
    _mark(learner_client, module, 1, done="no")
    kinds = [event.kind for event in _events(learner)]
    assert kinds == [ProgressKind.ENROLLED, ProgressKind.UNIT_COMPLETED, ProgressKind.UNIT_UNDONE]
    state = progress.get_module_progress(progress.get_enrolment(learner, module))
    assert state.units_done == 0


def test_a_module_is_ready_for_sign_off_when_every_part_is_done_and_evidence_is_attached(
    learner_client, world, learner
):
    module = world["module"]
    _start(learner_client)
    for position in (1, 2, 3):
        _mark(learner_client, module, position)
    soup = page(learner_client.get("/learner/modules/SDA-01"))
    assert "Add some evidence" in soup.get_text()
    _add_evidence(learner_client)
    soup = page(learner_client.get("/learner/modules/SDA-01"))
    assert soup.select_one(".govuk-tag").get_text(strip=True) == "Ready for sign-off"


def test_marking_a_part_of_another_module_is_not_found(learner_client, world, learner):
    _start(learner_client)
    foreign_unit = world["other"].units[0]
    response = post_form(
        learner_client,
        f"/learner/modules/SDA-01/parts/{foreign_unit.public_id}",
        {"done": "yes"},
        form_url="/learner/modules/SDA-01",
    )
    assert response.status_code == 404


# --- Evidence ----------------------------------------------------------------------------------------


def test_evidence_with_a_png_is_stored_outside_static_under_a_random_name(
    app, learner_client, world, learner, tmp_path
):
    _start(learner_client)
    response = _add_evidence(learner_client, file=(io.BytesIO(PNG), "screen shot.png"))
    assert location_path(response) == "/learner/modules/SDA-01"
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    assert item.content_type == "image/png" and item.original_filename == "screen shot.png"
    assert item.stored_name and "." not in item.stored_name and len(item.stored_name) == 32
    download = learner_client.get(f"/learner/evidence/{item.public_id}/file")
    assert download.status_code == 200 and download.data == PNG
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00" + b"\x00" * 100, "cv.pdf", "must be a PDF, PNG, JPEG or plain text"),
        (b"\x7fELF\x02\x01" + b"\x00" * 100, "photo.png", "must be a PDF, PNG, JPEG or plain text"),
        (b"#!/bin/sh\nrm -rf /\n", "notes.txt", "must be a PDF, PNG, JPEG or plain text"),
        (b"PK\x03\x04" + b"\x00" * 100, "work.docx", "must be a PDF, PNG, JPEG or plain text"),
        (b"", "empty.txt", "The file is empty"),
    ],
)
def test_unsafe_or_wrong_files_are_refused_and_nothing_is_stored(
    learner_client, world, learner, content, name, message
):
    _start(learner_client)
    response = _add_evidence(learner_client, reflection="Keep this text", file=(io.BytesIO(content), name))
    assert response.status_code == 200
    assert any(message in error for error in field_errors(response))
    assert page(response).find("textarea").get_text().strip() == "Keep this text"
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert _events(learner, ProgressKind.EVIDENCE_ADDED) == []


def test_a_file_over_5mb_is_refused_with_its_size_limit(app, learner_client, world):
    _start(learner_client)
    big = PDF + b"0" * (app.config["MAX_UPLOAD_BYTES"])
    response = _add_evidence(learner_client, file=(io.BytesIO(big), "big.pdf"))
    assert any("5MB or smaller" in error for error in field_errors(response))
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_evidence_needs_a_reflection(learner_client, world):
    _start(learner_client)
    response = _add_evidence(learner_client, reflection="")
    assert error_summary(response) == {"#reflection": "Write a few sentences about what you did and what you learned"}


def test_their_mentor_can_open_evidence_and_it_is_audited(app, learner_client, world, learner, mentor):
    _start(learner_client)
    _add_evidence(learner_client, file=(io.BytesIO(PDF), "cv.pdf"))
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    mentor_client = sign_in(app.test_client(), mentor)
    assert mentor_client.get(f"/learner/evidence/{item.public_id}/file").data == PDF
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "learner.evidence.viewed")).all()
    assert [(e.actor_id, e.subject_id) for e in events] == [(mentor.id, learner.id)]


def test_another_learner_or_mentor_gets_not_found_for_evidence(app, learner_client, world, learner):
    _start(learner_client)
    _add_evidence(learner_client, file=(io.BytesIO(PDF), "cv.pdf"))
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    someone_else = factories.make_learner()
    other_mentor = factories.make_mentor(cohorts=[factories.make_cohort()])
    for user in (someone_else, other_mentor):
        client = sign_in(app.test_client(), user)
        assert client.get(f"/learner/evidence/{item.public_id}/file").status_code == 404
    other_client = sign_in(app.test_client(), someone_else)
    response = post_form(other_client, f"/learner/evidence/{item.public_id}/remove", {}, form_url="/modules/")
    assert response.status_code == 404


def test_a_learner_cannot_open_another_learners_module_progress(app, world, learner):
    other = factories.make_learner(target_role_level=world["role_level"])
    other_client = sign_in(app.test_client(), other)
    assert other_client.get("/learner/modules/SDA-01").status_code == 404  # they have not started it


def test_removing_evidence_hides_it_and_logs_it(learner_client, world, learner):
    _start(learner_client)
    _add_evidence(learner_client)
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    response = post_form(
        learner_client, f"/learner/evidence/{item.public_id}/remove", {}, form_url="/learner/modules/SDA-01"
    )
    assert flash_messages(learner_client.get(location_path(response))) == ["That evidence has been removed."]
    assert [e.kind for e in _events(learner)][-1] == ProgressKind.EVIDENCE_REMOVED


def test_a_date_sent_without_its_three_boxes_gets_a_message_not_an_error(mentor_client, cohort):
    response = post_form(
        mentor_client,
        f"/mentor/cohorts/{cohort.public_id}/add-learner",
        {"preferred_name": "Sam", "username": "sam-date", "release_date": "2027-03-01"},
    )
    assert response.status_code == 200
    assert "Expected release date must include a day, month and year" in field_errors(response)
