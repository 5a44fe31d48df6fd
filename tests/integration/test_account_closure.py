"""A learner closes their account: they choose whether their certificates stay checkable, are offered their data
first, confirm with their password, and then nothing else of them remains; their sessions and password stop
working."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import AuditEvent, Certificate, LearnerProfile, User, UserSession
from skillpath.services.certificates.certificates import VerificationStatus, verify_code
from skillpath.services.certificates.signing import app_key_store
from skillpath.services.learners import account_closure, transfers
from skillpath.services.learners.account_closure import CertificateChoice
from skillpath.services.progress import evidence, progress
from skillpath.settings import evidence_storage, upload_folder
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, field_errors, flash_messages, heading, location_path, page, post_form
from tests.integration import _leaving_world as world
from tests.integration._leaving_world import Leaver, build_leaver, found_in, scan_tables, snapshot

CONFIRM = "/learner/close-account/confirm"


@pytest.fixture
def leaver(app: Flask) -> Leaver:
    return build_leaver(released_at=None)


@pytest.fixture
def client(app: Flask, leaver: Leaver) -> FlaskClient:
    return sign_in(app.test_client(), leaver.learner)


def _close(client: FlaskClient, **answers: str) -> object:
    response = post_form(client, CONFIRM, {"password": factories.PASSWORD, **answers})
    db.session.expire_all()
    return response


def _everything_but_the_name(leaver: Leaver) -> list[str]:
    return [word for word in leaver.own_words if word != world.NAME] + leaver.custody_words + leaver.staff_notes


def test_the_first_page_says_what_happens_and_offers_the_downloads_first(client):
    response = client.get("/learner/close-account")

    assert heading(response) == "Close your account"
    links = {link.get_text(" ", strip=True): link["href"] for link in page(response).select("main a")}
    assert links["Download your data from My data"] == "/learner/my-data#download"
    assert links["Continue"] == CONFIRM
    assert "1 certificate that employers can check" in page(response).get_text(" ")


def test_my_data_links_to_closing_the_account(client):
    links = [link["href"] for link in page(client.get("/learner/my-data")).select("#close-account ~ p a")]
    assert "/learner/close-account" in links


def test_keeping_certificates_leaves_them_checkable_and_nothing_else(app, client, leaver):
    code, learner_id, file = leaver.certificate.display_code, leaver.learner.id, leaver.evidence_path
    assert file.exists()

    response = _close(client, certificates="keep")

    assert location_path(response) == "/sign-in"
    assert flash_messages(client.get("/sign-in")) == [
        "Your account is closed and your record is deleted. Employers can still check your certificates."
    ]
    checked = verify_code(code, app_key_store())
    assert checked.status == VerificationStatus.VALID
    assert checked.content.recipient_name == world.NAME  # the name as signed
    assert scan_tables(_everything_but_the_name(leaver), dates=[world.RELEASE_DATE]) == []
    assert scan_tables([world.NAME]) == [f"certificates.recipient_name holds {world.NAME!r}"]
    assert not file.exists()
    _assert_stub(learner_id)


def test_withdrawing_certificates_leaves_them_reading_withdrawn_without_the_name(app, client, leaver):
    code, learner_id = leaver.certificate.display_code, leaver.learner.id

    _close(client, certificates="withdraw")

    checked = verify_code(code, app_key_store())
    assert checked.status == VerificationStatus.REVOKED
    public_page = page(app.test_client().get(f"/verify/{code}")).get_text(" ")
    assert "withdrawn" in public_page and world.NAME not in public_page
    assert scan_tables(leaver.own_words + leaver.custody_words + leaver.staff_notes, dates=[world.RELEASE_DATE]) == []
    # The row stays, so the bit in the revocation list that wallets read stays set.
    row = db.session.scalar(select(Certificate).where(Certificate.code == leaver.certificate.code))
    assert row.revoked_at is not None and row.status_list_index is not None
    _assert_stub(learner_id)


def _assert_stub(learner_id: int) -> None:
    stub = db.session.get(User, learner_id)
    assert not stub.is_enabled
    assert (stub.display_name, stub.email, stub.phone, stub.password_hash, stub.recovery_code_hash) == (
        "",
        None,
        None,
        None,
        None,
    )
    assert db.session.get(LearnerProfile, learner_id) is None
    assert (
        db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == learner_id)) == 0
    )
    events = list(
        db.session.scalars(
            select(AuditEvent).where((AuditEvent.subject_id == learner_id) | (AuditEvent.actor_id == learner_id))
        )
    )
    assert "account.closed" in {event.action for event in events}
    assert all(event.ip_address is None for event in events)


@pytest.mark.parametrize("choice", ["keep", "withdraw"])
def test_the_old_session_and_password_no_longer_work(app, client, leaver, choice):
    elsewhere = sign_in(app.test_client(), leaver.learner)  # signed in on a second computer too

    _close(client, certificates=choice)

    for browser in (client, elsewhere):
        response = browser.get("/learner/my-data")
        assert response.status_code == 302 and location_path(response) == "/sign-in"
    again = post_form(app.test_client(), "/sign-in", {"username": world.USERNAME, "password": factories.PASSWORD})
    assert again.status_code == 200
    assert error_summary(again)


def test_a_wrong_password_closes_nothing(client, leaver):
    response = _close(client, certificates="keep", password="not my password at all")

    assert response.status_code == 200
    assert field_errors(response) == ["Your password is wrong. Check it and try again"]
    learner = db.session.get(User, leaver.learner.id)
    assert learner.is_enabled and learner.display_name == world.NAME
    assert leaver.evidence_path.exists()


def test_too_many_wrong_passwords_here_sign_the_session_out_and_close_nothing(app, client, leaver):
    most = app.config["PASSWORD_RECHECK_LIMIT"]
    for _ in range(most - 1):
        assert field_errors(_close(client, certificates="keep", password="a wrong guess")) == [
            "Your password is wrong. Check it and try again"
        ]

    response = _close(client, certificates="keep", password="a wrong guess")
    assert location_path(response) == "/sign-in"
    learner = db.session.get(User, leaver.learner.id)
    assert learner.is_enabled and learner.display_name == world.NAME
    assert leaver.evidence_path.exists()
    assert location_path(client.get(CONFIRM)).startswith("/sign-in")  # signed out: the page needs signing in again
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == learner.id)).all()
    assert actions.count("auth.password.recheck_failed") == most
    assert "auth.session.ended_wrong_passwords" in actions


def test_the_learner_must_choose_what_happens_to_their_certificates(client, leaver):
    response = _close(client)

    assert error_summary(response) == {"#certificates": "Select whether employers can still check your certificates"}
    assert db.session.get(User, leaver.learner.id).is_enabled


def test_a_learner_with_no_certificates_is_not_asked_about_them(app):
    learner = factories.make_learner(display_name="Nguyễn Văn An")
    username = learner.username
    client = sign_in(app.test_client(), learner)

    assert page(client.get(CONFIRM)).select("input[name=certificates]") == []
    response = _close(client)

    assert location_path(response) == "/sign-in"
    assert flash_messages(client.get("/sign-in")) == ["Your account is closed and your record is deleted."]
    assert scan_tables(["Nguyễn Văn An", username]) == []


def test_staff_cannot_close_an_account_here(app, leaver):
    mentor = sign_in(app.test_client(), leaver.mentor)
    assert mentor.get("/learner/close-account").status_code == 403
    assert mentor.post(CONFIRM, data={"password": factories.PASSWORD}).status_code in (400, 403)


def test_the_evidence_files_of_others_stay(app, client, leaver):
    other = _other_learners_evidence_file()

    _close(client, certificates="keep")

    assert other.exists()


def _other_learners_evidence_file() -> Path:
    """Another learner's evidence file, in the same folder."""
    someone = factories.make_learner()
    module = factories.make_module(units=1)
    enrolment = progress.enrol(someone, module, actor=someone)
    upload = evidence.check_upload(io.BytesIO(b"someone else's words\n"), "mine.txt", max_bytes=1024)
    item = evidence.add_evidence(enrolment, reflection="Mine", upload=upload, actor=someone, storage=evidence_storage())
    assert item.stored_name is not None
    return upload_folder() / item.stored_name


def test_the_closing_is_in_no_log_by_name(app, client, leaver, caplog):
    caplog.set_level("INFO")

    _close(client, certificates="withdraw")

    assert found_in(caplog.text, [world.NAME, world.USERNAME, world.EMAIL, world.PRISON_NUMBER]) == []
    assert any(getattr(record, "skillpath_fields", {}).get("action") == "account.closed" for record in caplog.records)


def test_closing_twice_changes_nothing_the_second_time(app, leaver):
    first = account_closure.close_account(leaver.learner, certificates=CertificateChoice.KEEP)
    before = snapshot()

    second = account_closure.close_account(leaver.learner, certificates=CertificateChoice.WITHDRAW)

    assert first.certificates_kept == 1 and len(first.evidence_files) == 1
    assert (second.certificates_kept, second.certificates_withdrawn, second.evidence_files) == (0, 0, ())
    assert snapshot() == before


def test_a_released_learner_reads_no_prison_wording_on_the_way_out(app, leaver, client):
    transfers.record_release(leaver.learner, by=leaver.mentor)

    for url in ("/learner/close-account", CONFIRM):
        text = page(client.get(url)).select_one("main").get_text(" ")
        assert "prison" not in text.lower()
