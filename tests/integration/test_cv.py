"""The learner's CV: built from the record and their own words, changed a part at a time without JavaScript,
downloaded as PDF, Word and plain text with the checked skills and certificate codes and nothing of custody."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    Certificate,
    CvDocument,
    SkillLevel,
    User,
)
from skillpath.services.certificates import certificates
from skillpath.services.certificates.signing import KeyStore
from skillpath.services.errors import InvalidInput
from skillpath.services.plans import cv
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, field_errors, flash_messages, heading, location_path, page, post_form

BASE_URL = "https://skills.example.org"
ISSUER = "Northbridge Education"
PRISON = "HMP Northfield"
PRISON_NUMBER = "A1234BC"
RELEASE = date(2027, 3, 14)
COHORT = "Digital skills – spring"
MENTOR = "Priya Shahbazian"
CUSTODY = [PRISON, PRISON_NUMBER, "14 March 2027", "2027-03-14", "14/03/2027", "14 Mar 2027", COHORT, MENTOR]


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> KeyStore:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    return KeyStore(tmp_path / "keys")


@pytest.fixture
def world(app):
    """A learner in custody, with a prison number and release date, a mentor, and modules signed off."""
    establishment = factories.make_establishment(name=PRISON)
    cohort = factories.make_cohort(establishment=establishment, name=COHORT)
    mentor = factories.make_mentor(cohorts=[cohort], display_name=MENTOR)
    learner = factories.make_learner(cohort=cohort, prison_number=PRISON_NUMBER, release_date=RELEASE)
    return learner, mentor


def sign_off(learner: User, mentor: User, title: str, skills: dict[str, SkillLevel], **kwargs) -> Certificate:
    module = factories.make_module(
        title=title, skills={factories.make_skill(name=name): level for name, level in skills.items()}, **kwargs
    )
    enrolment = progress.enrol(learner, module, actor=learner)
    progress.sign_off(enrolment, mentor=mentor)
    certificate = certificates.issue_module_certificate(enrolment, mentor=mentor)
    db.session.flush()
    return certificate


@pytest.fixture
def client_with_cv(app, world):
    """The learner's browser, with one module signed off and its certificate."""
    learner, mentor = world
    certificate = sign_off(
        learner, mentor, "Helping users", {"User support": SkillLevel.WORKING, "Customer service": SkillLevel.AWARENESS}
    )
    return sign_in(app.test_client(), learner), learner, certificate


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages) + "\n" + metadata)


def docx_text(data: bytes) -> str:
    """Every paragraph (hyperlinks included), every link target, and the document's properties."""
    document = docx.Document(io.BytesIO(data))
    links = [rel.target_ref for rel in document.part.rels.values() if rel.is_external]
    props = document.core_properties
    properties = [props.author, props.title, props.subject, props.comments, props.last_modified_by, props.keywords]
    return "\n".join([*(p.text for p in document.paragraphs), *links, *(value or "" for value in properties)])


def link(soup, text: str) -> str:
    """The address of the first link whose words start with `text` (visually hidden words follow some)."""
    found = soup.find(lambda tag: tag.name == "a" and tag.get_text(" ", strip=True).startswith(text))
    assert found is not None, f"no link “{text}”"
    return str(found["href"])


def add_entry(client, section: str, **fields) -> object:
    return post_form(client, f"/learner/cv/{section}/add", fields)


def write_cv(client) -> None:
    post_form(
        client,
        "/learner/cv/about-you",
        {"name": "Jordan Smith", "contact": "07700 900123\njordan@example.org", "statement": "I fix things."},
    )
    add_entry(client, "work-history", title="Warehouse operative", organisation="Parcel Co", dates="", description="")
    add_entry(client, "education", title="Level 1 English", organisation="", dates="", description="")
    add_entry(client, "interests", title="Football")


# --- Building it ----------------------------------------------------------------------------------------------


def test_a_learner_sees_their_checked_skills_and_certificate_codes_on_their_cv(client_with_cv):
    client, _learner, certificate = client_with_cv
    response = client.get("/learner/cv")
    assert response.status_code == 200 and heading(response) == "My CV"
    skills = page(response).select_one("#skills .govuk-summary-list").get_text(" ", strip=True)
    assert "User support Working level" in skills and "Customer service Awareness level" in skills
    training = page(response).select_one("#training .govuk-summary-list").get_text(" ", strip=True)
    assert "Helping users" in training and certificate.display_code in training


def test_a_learner_adds_changes_and_removes_a_job_without_javascript(client_with_cv):
    client, learner, _certificate = client_with_cv
    form = page(client.get("/learner/cv/work-history/add"))
    entry_id = form.select_one("input[name=entry_id]")["value"]
    fields = {
        "entry_id": entry_id,
        "title": "Kitchen porter",
        "organisation": "The Anchor",
        "dates": "",
        "description": "",
    }

    response = post_form(client, "/learner/cv/work-history/add", fields)
    assert location_path(response) == "/learner/cv"
    post_form(client, "/learner/cv/work-history/add", fields)  # sent again: Back, or a double click
    assert [entry.title for entry in cv.get_cv_content(learner).entries(cv.Section.WORK)] == ["Kitchen porter"]

    jobs = page(client.get("/learner/cv")).select_one("#work-history .govuk-summary-list")
    assert "Kitchen porter" in jobs.get_text(" ", strip=True)
    change = link(jobs, "Change")
    post_form(client, change, {**fields, "title": "Head kitchen porter", "dates": "2 years"})
    (job,) = cv.get_cv_content(learner).entries(cv.Section.WORK)
    assert (job.title, job.organisation, job.dates) == ("Head kitchen porter", "The Anchor", "2 years")

    remove = link(page(client.get("/learner/cv")).select_one("#work-history .govuk-summary-list"), "Remove")
    confirm = client.get(remove)
    assert heading(confirm) == "Remove “Head kitchen porter” from your CV?"
    response = post_form(client, remove, {})
    assert location_path(response) == "/learner/cv"
    assert cv.get_cv_content(learner).entries(cv.Section.WORK) == ()
    assert "“Head kitchen porter” has been removed from your CV." in flash_messages(client.get("/learner/cv"))


def test_an_entry_needs_only_a_title_and_dates_are_never_asked_for(client_with_cv):
    client, learner, _certificate = client_with_cv
    response = add_entry(client, "work-history", title="", organisation="", dates="", description="")
    assert error_summary(response) == {"#title": "Enter the job title"}
    add_entry(client, "work-history", title="Cleaner", organisation="", dates="", description="")
    assert cv.get_cv_content(learner).entries(cv.Section.WORK)[0].dates == ""


def test_a_learner_cannot_add_more_than_the_limit_and_is_told_why(client_with_cv):
    client, learner, _certificate = client_with_cv
    for n in range(cv.MAX_ENTRIES):
        cv.save_entry(learner, cv.Section.INTERESTS, cv.Entry(id=cv.new_entry_id(), title=f"Interest {n}"))
    db.session.flush()
    assert "Add another interest" not in page(client.get("/learner/cv")).get_text()
    response = add_entry(client, "interests", title="Chess")
    assert field_errors(response) == ["You can add up to 10 to interests. Remove one to add another"]
    assert page(response).select_one("input[name=title]")["value"] == "Chess"


def test_another_learners_entry_is_not_found(app, client_with_cv, world):
    _client, learner, _certificate = client_with_cv
    cv.save_entry(learner, cv.Section.WORK, cv.Entry(id=(entry_id := cv.new_entry_id()), title="Painter"))
    db.session.flush()
    other = sign_in(app.test_client(), factories.make_learner())
    assert other.get(f"/learner/cv/work-history/{entry_id}").status_code == 404
    assert other.get(f"/learner/cv/work-history/{entry_id}/remove").status_code == 404
    assert other.get("/learner/cv/no-such-section/add").status_code == 404


def test_a_learner_writes_about_a_completed_module_in_their_own_words(client_with_cv):
    client, _learner, _certificate = client_with_cv
    words_page = link(page(client.get("/learner/cv")), "Add your words")
    response = post_form(client, words_page, {"words": "I reset passwords and set up laptops."})
    assert location_path(response) == "/learner/cv"
    training = page(client.get("/learner/cv")).select_one("#training .govuk-summary-list").get_text(" ", strip=True)
    assert "I reset passwords and set up laptops." in training


def test_only_modules_the_learner_completed_have_a_words_page(client_with_cv, world):
    client, learner, _certificate = client_with_cv
    started = factories.make_module(title="Not finished yet")
    progress.enrol(learner, started, actor=learner)
    db.session.flush()
    assert client.get(f"/learner/cv/modules/{started.code}").status_code == 404


# --- Long text and any script ------------------------------------------------------------------------------------


def test_text_that_is_too_long_is_refused_with_a_message_and_everything_typed_is_kept(client_with_cv):
    client, learner, _certificate = client_with_cv
    statement = "I like to fix computers. " * 70  # 1,750 characters
    response = post_form(
        client, "/learner/cv/about-you", {"name": "Jordan Smith", "contact": "07700 900123", "statement": statement}
    )
    assert response.status_code == 200
    assert error_summary(response) == {
        "#statement": "About me must be 1,500 characters or fewer. You have written 1,749 characters"
    }
    form = page(response)
    assert form.select_one("textarea[name=statement]").get_text() == statement.strip()
    assert form.select_one("textarea[name=contact]").get_text() == "07700 900123"
    assert form.select_one("input[name=name]")["value"] == "Jordan Smith"
    assert not form.select_one("textarea[name=statement]").has_attr("maxlength")  # a browser would cut it off
    assert db.session.scalar(select(CvDocument).where(CvDocument.learner_id == learner.id)) is None


def test_a_long_job_description_is_refused_and_kept(client_with_cv):
    client, learner, _certificate = client_with_cv
    description = "x" * (cv.DESCRIPTION_MAX + 1)
    response = add_entry(client, "work-history", title="Cleaner", organisation="", dates="", description=description)
    assert "What you did must be 1,000 characters or fewer. You have written 1,001 characters" in field_errors(response)
    assert page(response).select_one("textarea[name=description]").get_text() == description
    assert cv.get_cv_content(learner).entries(cv.Section.WORK) == ()


NAMES = ["Nguyễn Thị Minh", "Łukasz Żółć", "Siobhán Ní Bhriain", "Αθηνά Παπαδοπούλου"]


@pytest.mark.parametrize("name", NAMES)
def test_names_and_text_in_any_script_are_in_the_word_document_and_the_pdf(client_with_cv, name):
    client, _learner, _certificate = client_with_cv
    statement = f"Mój przyjaciel {name} mówi, że jestem cierpliwy."
    post_form(client, "/learner/cv/about-you", {"name": name, "contact": "", "statement": statement})
    add_entry(client, "work-history", title="Kierowca wózka", organisation="Żabka", dates="", description="")

    word = docx_text(client.get("/learner/cv/download/word").data)
    pdf = pdf_text(client.get("/learner/cv/download/pdf").data)
    text = client.get("/learner/cv/download/text").get_data(as_text=True)
    for document in (word, pdf, text):
        assert name in document and statement in document.replace("\n", " ") and "Kierowca wózka" in document


def test_arabic_goes_in_the_word_document_and_the_pdf_is_refused_with_a_message(client_with_cv):
    client, _learner, _certificate = client_with_cv
    name = "محمد علي"
    post_form(client, "/learner/cv/about-you", {"name": name, "contact": "", "statement": ""})

    document = docx.Document(io.BytesIO(client.get("/learner/cv/download/word").data))
    title = document.paragraphs[0]
    assert title.text == name and title.runs[0].font.rtl is True

    message = page(client.get("/learner/cv")).select_one("#download ul").get_text(" ", strip=True)
    assert "The PDF cannot show “م”" in message and "Download the Word document or the plain text instead" in message
    response = client.get("/learner/cv/download/pdf")
    assert response.status_code == 302 and location_path(response) == "/learner/cv#download"
    assert any("The PDF cannot show" in m for m in flash_messages(client.get("/learner/cv")))


# --- Downloads: what is on them, and what never is ----------------------------------------------------------------


def test_the_pdf_word_and_text_have_the_checked_skills_and_codes_and_nothing_of_custody(client_with_cv):
    client, _learner, certificate = client_with_cv
    write_cv(client)
    verify = f"{BASE_URL}/verify/{certificate.display_code}"

    pdf = client.get("/learner/cv/download/pdf")
    word = client.get("/learner/cv/download/word")
    text = client.get("/learner/cv/download/text")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert word.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert text.mimetype == "text/plain" and text.mimetype_params["charset"] == "utf-8"
    assert 'filename="Jordan Smith CV.pdf"' in pdf.headers["Content-Disposition"]

    for document in (pdf_text(pdf.data), docx_text(word.data), text.get_data(as_text=True)):
        for expected in ["Jordan Smith", "User support: Working level", "Customer service: Awareness level"]:
            assert expected in document
        for expected in ["Helping users", certificate.display_code, verify, ISSUER, "Warehouse operative"]:
            assert expected in document
        assert "Level 1 English" in document and "Football" in document
        for custody in CUSTODY:
            assert custody.lower() not in document.lower(), custody
        assert "skillpath" not in document.lower()  # not even in the file's properties
        # Skills come before experience: the layout that keeps gaps in dates from standing out.
        assert document.index("User support") < document.index("Helping users") < document.index("Warehouse operative")


def test_hidden_and_withdrawn_certificates_are_left_off(client_with_cv, world):
    client, learner, shown = client_with_cv
    _learner, mentor = world
    hidden = sign_off(learner, mentor, "Keeping data safe", {"Data security": SkillLevel.AWARENESS})
    withdrawn = sign_off(learner, mentor, "Fixing printers", {"Printer care": SkillLevel.AWARENESS})
    certificates.set_hidden(hidden, True, by=learner)
    certificates.revoke_certificate(withdrawn, by=mentor, reason="Signed off by mistake")
    db.session.flush()

    for document in (
        client.get("/learner/cv").get_data(as_text=True),
        pdf_text(client.get("/learner/cv/download/pdf").data),
        docx_text(client.get("/learner/cv/download/word").data),
        client.get("/learner/cv/download/text").get_data(as_text=True),
    ):
        assert shown.display_code in document
        assert hidden.display_code not in document and withdrawn.display_code not in document
        assert "Keeping data safe" in document  # a completed module, without its hidden certificate
        assert "Fixing printers" not in document  # its certificate was withdrawn: staff say it does not stand


def test_the_cv_page_points_out_custody_details_only_when_the_learner_wrote_them(client_with_cv):
    client, _learner, _certificate = client_with_cv
    assert page(client.get("/learner/cv")).select_one(".govuk-warning-text") is None
    add_entry(client, "education", title="Level 2 Maths", organisation=f"Education department, {PRISON}", dates="")
    warning = page(client.get("/learner/cv")).select_one(".govuk-warning-text").get_text(" ", strip=True)
    assert f"Your CV mentions “{PRISON}”" in warning
    # It is the learner's choice: what they wrote is on their CV.
    assert PRISON in client.get("/learner/cv/download/text").get_data(as_text=True)


# --- Finishing ----------------------------------------------------------------------------------------------------


def _cv_barrier(learner: User) -> BarrierItem | None:
    return db.session.scalar(
        select(BarrierItem).where(
            BarrierItem.learner_id == learner.id, BarrierItem.barrier == Barrier.CV_AND_COVERING_LETTER
        )
    )


def test_finishing_the_cv_offers_to_mark_cv_and_covering_letter_as_done(client_with_cv, world):
    client, learner, _certificate = client_with_cv
    _learner, mentor = world
    from skillpath.services.readiness.barriers import set_barrier

    set_barrier(learner, Barrier.CV_AND_COVERING_LETTER, status=BarrierStatus.IN_PROGRESS, by=mentor, note="Started")
    db.session.flush()
    response = client.get("/learner/cv/finish")
    assert page(response).find("legend").get_text(strip=True) == "Do you want to mark ‘CV and covering letter’ as done?"

    response = post_form(client, "/learner/cv/finish", {})
    assert error_summary(response) == {
        "#mark_barrier": "Choose yes if you want to mark ‘CV and covering letter’ as done"
    }
    response = post_form(client, "/learner/cv/finish", {"mark_barrier": "yes"})
    assert location_path(response) == "/learner/cv"
    item = _cv_barrier(learner)
    assert item.status == BarrierStatus.COMPLETED and item.updated_by_id == learner.id
    assert item.note == "Started"  # the note on the checklist is kept
    change = db.session.scalars(select(BarrierChange).where(BarrierChange.learner_id == learner.id)).all()[-1]
    assert change.status == BarrierStatus.COMPLETED and change.changed_by_id == learner.id
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "learner.barrier.changed", AuditEvent.actor_id == learner.id)
    ).one()
    assert event.object_id == Barrier.CV_AND_COVERING_LETTER.value
    assert cv.get_cv_content(learner).finished_at is not None
    assert "‘CV and covering letter’ is now marked as done." in " ".join(flash_messages(client.get("/learner/cv")))

    # Done already: nothing more to ask.
    again = client.get("/learner/cv/finish")
    assert page(again).find("legend") is None
    assert "already marked as done" in again.get_data(as_text=True)


def test_a_learner_can_finish_their_cv_without_marking_the_checklist(client_with_cv):
    client, learner, _certificate = client_with_cv
    response = post_form(client, "/learner/cv/finish", {"mark_barrier": "no"})
    assert location_path(response) == "/learner/cv"
    assert _cv_barrier(learner) is None
    assert cv.get_cv_content(learner).finished_at is not None
    assert page(client.get("/learner/cv")).select_one(".govuk-inset-text") is not None


def test_the_learner_home_page_links_to_the_cv(client_with_cv):
    client, learner, _certificate = client_with_cv
    learner.learner_profile.target_role_level = factories.make_role_level()
    db.session.flush()
    links = [a["href"] for a in page(client.get("/learner/")).select("a")]
    assert "/learner/cv" in links


# --- Use cases: each change is saved, counted as activity and audited without the learner's words ------------------


def _cv_events(learner: User) -> list[tuple[str, dict | None]]:
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == learner.id, AuditEvent.action.like("learner.cv.%"))
    ).all()
    return [(event.action, event.detail) for event in sorted(events, key=lambda event: event.id)]


def test_each_change_to_the_cv_is_audited_by_part_and_never_with_the_learners_words(client_with_cv):
    client, learner, _certificate = client_with_cv
    learner.learner_profile.last_activity_at = None
    db.session.flush()

    write_cv(client)
    job = cv.get_cv_content(learner).entries(cv.Section.WORK)[0]
    post_form(client, f"/learner/cv/work-history/{job.id}/remove", {})
    post_form(client, "/learner/cv/finish", {"mark_barrier": "no"})

    assert _cv_events(learner) == [
        ("learner.cv.changed", {"kind": "about_you"}),
        ("learner.cv.entry_saved", {"kind": "work", "added": True}),
        ("learner.cv.entry_saved", {"kind": "education", "added": True}),
        ("learner.cv.entry_saved", {"kind": "interests", "added": True}),
        ("learner.cv.entry_removed", {"kind": "work"}),
        ("learner.cv.finished", None),
    ]
    everything = " ".join(str(detail) for _action, detail in _cv_events(learner))
    for words in ("Jordan", "Warehouse", "Football", "I fix things"):
        assert words not in everything
    db.session.expire_all()
    assert learner.learner_profile.last_activity_at is not None


def test_removing_an_entry_that_is_gone_already_changes_nothing_and_is_not_audited(client_with_cv):
    _client, learner, _certificate = client_with_cv

    assert cv.remove_entry(learner, cv.Section.WORK, cv.new_entry_id()) is False
    assert _cv_events(learner) == []


def test_the_entry_limit_is_a_domain_error_on_the_title_with_a_message_for_the_learner(client_with_cv):
    _client, learner, _certificate = client_with_cv
    for n in range(cv.MAX_ENTRIES):
        cv.save_entry(learner, cv.Section.WORK, cv.Entry(id=cv.new_entry_id(), title=f"Job {n}"))

    with pytest.raises(cv.CvError) as refused:
        cv.save_entry(learner, cv.Section.WORK, cv.Entry(id=cv.new_entry_id(), title="One too many"))

    assert isinstance(refused.value, InvalidInput)
    assert refused.value.field == "title"
    assert refused.value.message == "You can add up to 10 to work history. Remove one to add another"


@pytest.mark.parametrize(("kind", "address"), [("pdf", "pdf"), ("word", "word"), ("text", "text")])
def test_each_download_is_audited_with_the_kind_of_file(client_with_cv, kind, address):
    client, learner, _certificate = client_with_cv

    response = client.get(f"/learner/cv/download/{address}")

    assert response.status_code == 200
    assert _cv_events(learner) == [("learner.cv.downloaded", {"kind": kind})]


def test_a_refused_pdf_records_no_download(client_with_cv):
    client, learner, _certificate = client_with_cv
    cv.save_about_you(learner, name="محمد علي", contact="", statement="")
    db.session.flush()

    response = client.get("/learner/cv/download/pdf")

    assert response.status_code == 302
    assert ("learner.cv.downloaded", {"kind": "pdf"}) not in _cv_events(learner)


def test_the_pdf_says_which_language_its_words_are_in(client_with_cv):
    client, _learner, _certificate = client_with_cv

    english = PdfReader(io.BytesIO(client.get("/learner/cv/download/pdf").data))
    client.get("/language?to=cy")
    welsh = PdfReader(io.BytesIO(client.get("/learner/cv/download/pdf").data))

    assert english.trailer["/Root"]["/Lang"] == "en-GB"
    assert welsh.trailer["/Root"]["/Lang"] == "cy"
