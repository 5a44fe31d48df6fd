"""The private disclosure statement: written and downloaded in one visit with nothing kept, or saved as a draft
that only the learner can read. The words are criminal-offence data (UK GDPR Article 10): these tests look for
them everywhere SkillPath writes (every table, the logs, the session, every staff page and export) and find none.
"""

from __future__ import annotations

import io
import json
import logging
import unicodedata
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document
from flask.testing import FlaskClient
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.logs import JsonFormatter
from skillpath.models import (
    AuditEvent,
    Barrier,
    BarrierChange,
    BarrierItem,
    BarrierStatus,
    DisclosureDraft,
)
from skillpath.services.plans import disclosure
from skillpath.services.plans.disclosure import DraftUnreadable, Statement
from skillpath.services.readiness.barriers import set_barrier
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, field_errors, flash_messages, heading, location_path, page, post_form

BASE = "/learner/disclosure-statement"
WRITE = f"{BASE}/write"
# Every button of the statement posts its words to the write page, saying what it asks for.
CHECK = {"action": "check"}
TEXT = {"action": "download-text"}
WORD = {"action": "download-word"}
SAVE = {"action": "save-draft"}
CHANGE = {"action": "change"}
DELETE_DRAFT = f"{BASE}/draft/delete"
FINISHED = f"{BASE}/finished"

# Words no other part of SkillPath would ever hold, in several scripts, so that finding any of them anywhere
# means the statement leaked.
MARKERS = ("Quokka-zebra 7731", "Łódź Żółć", "Nguyễn Thị Minh", "أنا تغيرت", "пекарня")
STATEMENT = {
    "who_i_am": "I am Quokka-zebra 7731, a careful worker.\nI like fixing things.",
    "what_happened": "In 2019 I was convicted in Łódź Żółć.\r\n\r\n\r\nI am sorry for it.",
    "what_has_changed": "I learned to code with Nguyễn Thị Minh. أنا تغيرت",
    "why_this_job": "I ran the пекарня till.",
}


@pytest.fixture
def logged(caplog: pytest.LogCaptureFixture) -> Any:
    """Every line any logger wrote during the test, as the JSON a log store would hold."""
    caplog.set_level(logging.DEBUG)
    formatter = JsonFormatter()
    # Decoded again so that words in any script are searched as written, not as \u escapes.
    return lambda: [json.dumps(json.loads(formatter.format(r)), ensure_ascii=False) for r in caplog.records]


def _found_in(text: str) -> list[str]:
    return [marker for marker in MARKERS if marker in text]


def _found_in_database() -> list[str]:
    """Every table (reflected, so tables added later are searched too), every column, every row."""
    connection = db.session.connection()
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    found = []
    for table in metadata.sorted_tables:
        for row in connection.execute(sa.select(table)):
            for column, value in zip(table.columns, row, strict=True):
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                if isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                found += [f"{table.name}.{column.name}: {marker}" for marker in _found_in(text)]
    return found


def _row_counts() -> dict[str, int]:
    connection = db.session.connection()
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    return {
        table.name: connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def _staff_pages(app: Any, learner: Any, cohort: Any, mentor: Any, admin: Any) -> dict[str, str]:
    """What staff can see of this learner: the record, its timeline and barriers, the cohort, the exports."""
    mentor_client = sign_in(app.test_client(), mentor)
    admin_client = sign_in(app.test_client(), admin)
    record = f"/mentor/learners/{learner.public_id}"
    urls = {
        "mentor record": (mentor_client, record),
        "timeline": (mentor_client, f"{record}/timeline"),
        "barriers": (mentor_client, f"{record}/barriers"),
        "cohort": (mentor_client, f"/mentor/cohorts/{cohort.public_id}"),
        "cohort export": (mentor_client, f"/dashboards/cohorts/{cohort.public_id}/export.csv"),
        "admin record": (admin_client, record),
        "establishment export": (
            admin_client,
            f"/dashboards/establishments/{cohort.establishment.public_id}/export.csv",
        ),
    }
    pages = {}
    for name, (client, url) in urls.items():
        response = client.get(url)
        assert response.status_code == 200, f"{name}: {url} gave {response.status_code}"
        pages[name] = response.get_data(as_text=True)
    return pages


def _learner_downloads(client: FlaskClient) -> dict[str, str]:
    return {
        "my data": client.get("/learner/my-data").get_data(as_text=True),
        "my data download": client.get("/learner/my-data/download").get_data(as_text=True),
    }


def _docx_text(body: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in Document(io.BytesIO(body)).paragraphs)


# --- The pages say what is kept --------------------------------------------------------------------------------


def test_the_pages_say_plainly_what_is_and_is_not_kept(learner_client):
    start = page(learner_client.get(BASE))
    kept = start.find("h2", string="What SkillPath keeps").find_next("ul").get_text(" ", strip=True)
    assert "SkillPath does not keep what you write here" in kept
    assert "only you can read it. Staff cannot see it" in kept
    write = page(learner_client.get(WRITE))
    assert "SkillPath does not keep what you write unless you save a draft" in write.get_text(" ", strip=True)


def test_the_guide_explains_spent_convictions_checks_and_when_an_employer_may_ask(learner_client):
    response = learner_client.get(f"{BASE}/when-to-tell-an-employer")
    assert heading(response) == "When you need to tell an employer about a conviction"
    headings = [
        h.get_text(strip=True)
        for h in page(response).select(".govuk-grid-column-two-thirds h2, .govuk-grid-column-two-thirds h3")
    ]
    assert headings[:3] == [
        "Spent and unspent convictions",
        "When an employer may ask",
        "Criminal record checks (DBS checks)",
    ]
    assert {"Basic check", "Standard check", "Enhanced check"} <= set(headings)
    assert "never filtered" in page(response).get_text(" ", strip=True)


def test_staff_cannot_open_the_disclosure_pages(mentor_client, admin_client):
    for client in (mentor_client, admin_client):
        assert client.get(BASE).status_code == 403
        assert client.get(WRITE).status_code == 403


# --- Written and downloaded in one visit, nothing kept ---------------------------------------------------------


def test_a_statement_written_without_saving_is_downloaded_and_nothing_of_it_is_kept(
    app, learner_client, learner, cohort, mentor, admin, logged
):
    before = _row_counts()

    checked = post_form(learner_client, WRITE, {**STATEMENT, **CHECK})
    assert heading(checked) == "Check and download your statement"
    shown = page(checked).select_one(".sp-statement").get_text(" ", strip=True)
    assert not [m for m in MARKERS if m not in shown], shown
    hidden = {field["name"]: field["value"] for field in page(checked).select("form input[type=hidden]")}
    assert hidden["what_happened"] == "In 2019 I was convicted in Łódź Żółć.\n\nI am sorry for it."

    text = post_form(learner_client, WRITE, {**hidden, **TEXT})
    assert text.status_code == 200
    assert text.headers["Content-Disposition"] == 'attachment; filename="disclosure-statement.txt"'
    assert text.headers["Cache-Control"] == "no-store"
    body = text.get_data().decode("utf-8")
    assert body.startswith("Disclosure statement\n")
    assert not [m for m in MARKERS if m not in body]
    assert "What has changed since\n----------------------\nI learned to code" in body

    word = post_form(learner_client, WRITE, {**hidden, **WORD})
    assert word.headers["Content-Disposition"] == 'attachment; filename="disclosure-statement.docx"'
    document = _docx_text(word.get_data())
    assert not [m for m in MARKERS if m not in document]

    assert _found_in_database() == []
    assert _row_counts() == before, "writing and downloading a statement must add no row anywhere"
    assert db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id)) is None
    lines = logged()
    posts = [line for line in lines if '"method": "POST"' in line and '"/learner/disclosure-statement/write"' in line]
    assert len(posts) == 3, "the request log saw every post, and not a word of what they carried"
    assert [line for line in lines if _found_in(line)] == []
    with learner_client.session_transaction() as session:
        assert _found_in(json.dumps(dict(session), ensure_ascii=False, default=str)) == []
    for name, html in {
        **_staff_pages(app, learner, cohort, mentor, admin),
        **_learner_downloads(learner_client),
    }.items():
        assert _found_in(html) == [], name


def test_text_in_any_script_is_kept_as_written_without_invisible_characters(learner_client):
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Minh")
    response = post_form(
        learner_client, WRITE, {"who_i_am": f"I am {decomposed}\u202e and \u200bمرحبا  \r\n\r\nNext line", **TEXT}
    )
    body = response.get_data().decode("utf-8")
    assert "I am Nguyễn Thị Minh and مرحبا\n\nNext line" in body
    assert "\u202e" not in body and "\u200b" not in body
    # Arabic or Hebrew typed into a box reads right to left as it is typed.
    assert {box.get("dir") for box in page(learner_client.get(WRITE)).select("textarea")} == {"auto"}


def test_a_paragraph_in_arabic_reads_right_to_left_in_the_word_document(learner_client):
    response = post_form(learner_client, WRITE, {"who_i_am": "أنا أحب الحواسيب.\r\n\r\nI like computers.", **WORD})
    paragraphs = {p.text: p for p in Document(io.BytesIO(response.get_data())).paragraphs}
    assert paragraphs["أنا أحب الحواسيب."].paragraph_format.element.xpath("./w:pPr/w:bidi")
    assert not paragraphs["I like computers."].paragraph_format.element.xpath("./w:pPr/w:bidi")


def test_too_long_text_is_refused_with_the_text_kept(learner_client, learner):
    too_long = "ś" * (disclosure.SECTION_MAX + 1)
    for action in (CHECK, TEXT, WORD, SAVE, CHANGE):
        response = post_form(learner_client, WRITE, {**STATEMENT, "what_happened": too_long, **action})
        assert response.status_code == 200, action
        assert "Content-Disposition" not in response.headers
        assert heading(response) == "Write your disclosure statement"
        assert error_summary(response) == {"#what_happened": "‘What happened’ must be 2,000 characters or fewer"}
        boxes = {box["name"]: box.get_text() for box in page(response).select("textarea")}
        assert boxes["what_happened"] == too_long
        assert boxes["who_i_am"] == STATEMENT["who_i_am"]
    assert db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id)) is None


def test_an_empty_statement_is_refused(learner_client):
    response = post_form(learner_client, WRITE, {"who_i_am": "  \u200b ", "why_this_job": "", **TEXT})
    assert "Content-Disposition" not in response.headers
    assert error_summary(response) == {"#who_i_am": "Write at least one part of your statement"}


def test_change_my_statement_brings_the_words_back_into_the_boxes(learner_client):
    response = post_form(learner_client, WRITE, {**STATEMENT, **CHANGE})
    assert heading(response) == "Write your disclosure statement"
    boxes = {box["name"]: box.get_text() for box in page(response).select("textarea")}
    assert boxes["why_this_job"] == STATEMENT["why_this_job"]
    assert field_errors(response) == []


# --- The private draft ------------------------------------------------------------------------------------------


def test_saving_a_draft_stores_only_ciphertext_that_only_the_learner_can_read(
    app, learner_client, learner, cohort, mentor, admin, logged
):
    response = post_form(learner_client, WRITE, {**STATEMENT, **SAVE})
    assert location_path(response) == WRITE
    opened = learner_client.get(WRITE)
    assert flash_messages(opened) == ["Your draft is saved. Only you can read it."]
    boxes = {box["name"]: box.get_text() for box in page(opened).select("textarea")}
    assert boxes["what_has_changed"] == STATEMENT["what_has_changed"]

    draft = db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id))
    assert draft is not None and draft.ciphertext
    assert _found_in_database() == [], "only ciphertext may be stored"
    other = factories.make_learner(cohort=cohort)
    with pytest.raises(DraftUnreadable):
        disclosure.decrypt(other, draft.ciphertext, app.config["SECRET_KEY"])
    with pytest.raises(DraftUnreadable):
        disclosure.decrypt(learner, draft.ciphertext, "another secret key")
    assert (
        disclosure.decrypt(learner, draft.ciphertext, app.config["SECRET_KEY"]).why_this_job
        == "I ran the пекарня till."
    )

    other_client = sign_in(app.test_client(), other)
    assert [box.get_text() for box in page(other_client.get(WRITE)).select("textarea")] == ["", "", "", ""]

    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("learner.disclosure%"))).all()
    assert [(e.action, e.actor_id, e.detail) for e in events] == [("learner.disclosure_draft.saved", learner.id, None)]
    assert [line for line in logged() if _found_in(line) or draft.ciphertext[:40] in line] == []
    for name, html in {
        **_staff_pages(app, learner, cohort, mentor, admin),
        **_learner_downloads(learner_client),
    }.items():
        assert _found_in(html) == [], name
        assert draft.ciphertext[:40] not in html, name


def test_saving_again_replaces_the_draft(learner_client, learner):
    post_form(learner_client, WRITE, {**STATEMENT, **SAVE})
    post_form(learner_client, WRITE, {"who_i_am": "Changed my mind", **SAVE})
    drafts = db.session.scalars(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id)).all()
    assert len(drafts) == 1
    boxes = {box["name"]: box.get_text() for box in page(learner_client.get(WRITE)).select("textarea")}
    assert boxes == {"who_i_am": "Changed my mind", "what_happened": "", "what_has_changed": "", "why_this_job": ""}


def test_the_learner_can_delete_their_draft(learner_client, learner):
    assert learner_client.get(DELETE_DRAFT).status_code == 302  # nothing to delete yet
    post_form(learner_client, WRITE, {**STATEMENT, **SAVE})
    start = page(learner_client.get(BASE))
    assert start.find("a", string="Delete my draft")["href"] == DELETE_DRAFT
    confirm = learner_client.get(DELETE_DRAFT)
    assert heading(confirm) == "Delete your saved draft?"

    response = post_form(learner_client, DELETE_DRAFT, {})
    assert location_path(response) == BASE
    assert db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id)) is None
    assert [box.get_text() for box in page(learner_client.get(WRITE)).select("textarea")] == ["", "", "", ""]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("learner.disclosure%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["learner.disclosure_draft.saved", "learner.disclosure_draft.deleted"]
    assert _found_in_database() == []


def test_a_draft_that_cannot_be_opened_says_so_instead_of_failing(learner_client, learner):
    post_form(learner_client, WRITE, {**STATEMENT, **SAVE})
    draft = db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id))
    draft.ciphertext = draft.ciphertext[:-8] + "AAAAAAAA"
    db.session.flush()
    response = learner_client.get(WRITE)
    assert response.status_code == 200
    assert "Your saved draft could not be opened. Delete it and write your statement again." in flash_messages(response)


def test_a_draft_opens_to_exactly_what_was_saved(learner):
    statement = Statement.from_texts(STATEMENT)
    ciphertext = disclosure.encrypt(learner, statement, "a secret key")
    assert disclosure.decrypt(learner, ciphertext, "a secret key") == statement
    assert _found_in(ciphertext) == []


# --- Finishing ------------------------------------------------------------------------------------------------


def test_finishing_marks_the_disclosure_letter_done_as_the_learner(learner_client, learner, mentor):
    set_barrier(learner, Barrier.DISCLOSURE_LETTER, status=BarrierStatus.IN_PROGRESS, by=mentor, note="Ask Nacro")
    db.session.flush()
    assert heading(learner_client.get(FINISHED)) == "Mark your disclosure letter as done"
    refused = post_form(learner_client, FINISHED, {})
    assert error_summary(refused) == {"#answer": "Select yes if your disclosure letter is ready to use"}

    response = post_form(learner_client, FINISHED, {"answer": "yes"})
    assert location_path(response) == BASE
    item = db.session.scalar(
        select(BarrierItem).where(
            BarrierItem.learner_id == learner.id, BarrierItem.barrier == Barrier.DISCLOSURE_LETTER
        )
    )
    assert (item.status, item.updated_by_id, item.note) == (BarrierStatus.COMPLETED, learner.id, "Ask Nacro")
    change = db.session.scalars(select(BarrierChange).order_by(BarrierChange.id.desc())).first()
    assert (change.barrier, change.changed_by_id) == (Barrier.DISCLOSURE_LETTER, learner.id)
    assert heading(learner_client.get(FINISHED)) == "Your disclosure letter is done"


def test_not_yet_leaves_the_checklist_alone(learner_client, learner):
    post_form(learner_client, FINISHED, {"answer": "no"})
    assert db.session.scalar(select(BarrierItem).where(BarrierItem.learner_id == learner.id)) is None


# --- Use cases: saving and deleting the draft, each with its audit event and nothing else -----------------------


def _draft_events(learner) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_id == learner.id, AuditEvent.action.like("learner.disclosure%"))
            .order_by(AuditEvent.id)
        )
    )


def test_saving_and_deleting_a_draft_are_one_use_case_each_with_its_event(app, learner):
    statement = Statement.from_texts({"who_i_am": STATEMENT["who_i_am"]})

    disclosure.save_draft(learner, statement, app.config["SECRET_KEY"])
    assert disclosure.read_draft(learner, app.config["SECRET_KEY"]) == statement
    assert disclosure.delete_draft(learner) is True

    assert disclosure.draft_saved_at(learner) is None
    assert _draft_events(learner) == ["learner.disclosure_draft.saved", "learner.disclosure_draft.deleted"]


def test_deleting_a_draft_that_is_not_there_changes_nothing(learner):
    assert disclosure.delete_draft(learner) is False
    assert _draft_events(learner) == []


def test_a_refused_save_keeps_nothing_and_records_nothing(learner_client, learner):
    response = post_form(learner_client, WRITE, {"who_i_am": "", **SAVE})

    assert response.status_code == 200
    assert error_summary(response) == {"#who_i_am": "Write at least one part of your statement"}
    assert db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id)) is None
    assert _draft_events(learner) == []


def test_an_unreadable_draft_is_a_domain_error_with_the_learners_message(app, learner):
    disclosure.save_draft(learner, Statement(who_i_am="Me"), app.config["SECRET_KEY"])

    with pytest.raises(DraftUnreadable) as refused:
        disclosure.read_draft(learner, "another secret key")

    assert refused.value.message == "Your saved draft could not be opened. Delete it and write your statement again."
