"""What certificates say to employers: what the person can do, the skill areas they signed, a typing mistake
told apart from an unknown code, and a withdrawal that blames nobody (issue #10, items 12 to 14).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jwt
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from skillpath.extensions import db, limiter
from skillpath.i18n import format_date
from skillpath.models import Certificate, EssentialSkillArea, SkillLevel
from skillpath.services.catalogue.catalogue_data import DATA_DIR, CatalogueDataError, can_do_statements, read_catalogue
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import credential_files, openbadges, signing
from skillpath.services.certificates.issuer import Issuer
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, page, post_form
from tests.integration._mentor_world import finish_module
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate
from tests.integration.test_credentials_jsonld import _assert_expands_without_loss
from tests.integration.test_verify_upload import upload

ADVERT = re.compile(r"\bLearn (to|how|the|why)\b|\bYou will\b|\bNone listed\b", re.IGNORECASE)
SERVICE_DESK_CAN_DO = can_do_statements()["SDA-01"]


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> signing.KeyStore:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield signing.KeyStore(tmp_path / "keys")
    limiter.reset()


def _service_desk_module():
    """SDA-01 as the catalogue loads it: a summary that invites a learner in, and a "can do" for its certificate."""
    return factories.make_module(
        code="SDA-01",
        title="Help people with computer problems",
        summary="Learn how a service desk helps people. You will practise listening and asking good questions.",
        skills={factories.make_skill(name="Customer service management"): SkillLevel.WORKING},
    )


def _email_module():
    """EDS-03: an Essential Digital Skills module, which evidences an area and no framework skills."""
    area = EssentialSkillArea(code="EDS_COMMUNICATING", name="Communicating", position=2)
    module = factories.make_module(
        code="EDS-03", title="Write and send emails", summary="Learn the parts of an email. You will practise replying."
    )
    module.essential_areas = [area]
    db.session.flush()
    return module


def _summary(response) -> dict[str, str]:
    return {
        row.select_one(".govuk-summary-list__key").get_text(" ", strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in page(response).select(".govuk-summary-list__row")
    }


def _credential(client, certificate: Certificate, ending: str) -> str:
    return client.get(f"/learner/certificates/{certificate.public_id}/{ending}").get_data(as_text=True)


# --- Item 12: what the person can do ------------------------------------------------------------------


def test_every_catalogue_module_says_what_its_learners_can_do_in_plain_words():
    modules = read_catalogue().modules
    assert {module.code for module in modules} == set(can_do_statements())
    for module in modules:
        assert module.can_do.startswith("Can "), module.code
        assert not ADVERT.search(module.can_do) and not re.search(r"\byou\b", module.can_do, re.I), module.code
        sentences = re.split(r"(?<=\.)\s+", module.can_do)
        assert all(len(sentence.split()) <= 24 for sentence in sentences), module.code


def test_the_catalogue_refuses_a_module_without_a_can_do_statement_or_with_an_advert(tmp_path):
    data = Path(shutil.copytree(DATA_DIR, tmp_path / "catalogue"))
    email = data / "modules/EDS-03.toml"
    text = email.read_text()
    email.write_text(text.replace("can_do = ", "can_do_later = "))
    with pytest.raises(CatalogueDataError) as missing:
        read_catalogue(data)
    assert any("modules/EDS-03.toml, module EDS-03" in line and "add can_do" in line for line in missing.value.problems)

    email.write_text(text.replace('can_do = """\nCan write', 'can_do = """\nYou will write'))
    with pytest.raises(CatalogueDataError) as advert:
        read_catalogue(data)
    assert any("can_do must say what the person can do" in line for line in advert.value.problems)


def test_a_module_certificate_says_what_the_person_can_do_everywhere_an_employer_sees_it(app, client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor, _service_desk_module())
    assert certificate.achievement_description == SERVICE_DESK_CAN_DO
    assert SERVICE_DESK_CAN_DO.startswith("Can answer help requests from users and fix common computer problems.")

    response = client.get(f"/verify/{certificate.display_code}")
    assert _summary(response)["What it means"] == SERVICE_DESK_CAN_DO
    assert not ADVERT.search(page(response).get_text(" "))
    api = client.get(f"/api/verify/{certificate.display_code}").get_json()
    assert api["certificate"]["achievement"]["description"] == SERVICE_DESK_CAN_DO

    learner_client = sign_in(app.test_client(), learner)
    document = json.loads(_credential(learner_client, certificate, "credential.json"))
    claims = jwt.decode(_credential(learner_client, certificate, "credential"), options={"verify_signature": False})
    for credential in (document, claims):
        assert credential["description"] == SERVICE_DESK_CAN_DO
        assert credential["credentialSubject"]["achievement"]["description"] == SERVICE_DESK_CAN_DO


def test_an_essential_digital_skills_certificate_signs_and_shows_its_skill_areas(app, client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor, _email_module())
    content = service.content_of(certificate)
    assert content.areas == ("Communicating",) and content.skills == ()
    signed = content.canonical()
    assert signed["format"] == service.CONTENT_FORMAT_WITH_AREAS and signed["areas"] == ["Communicating"]

    response = client.get(f"/verify/{certificate.display_code}")
    assert heading(response) == "This certificate is valid"  # the signature covers the areas
    summary = _summary(response)
    assert summary["Essential digital skills"] == "Communicating"
    assert "Skills and levels" not in summary and "None listed" not in page(response).get_text()
    assert summary["What it means"] == can_do_statements()["EDS-03"]

    api = client.get(f"/api/verify/{certificate.display_code}").get_json()
    assert api["certificate"]["skillAreas"] == ["Communicating"] and api["certificate"]["skills"] == []

    learner_client = sign_in(app.test_client(), learner)
    document = json.loads(_credential(learner_client, certificate, "credential.json"))
    alignment = document["credentialSubject"]["achievement"]["alignment"]
    assert [(a["targetName"], a["targetFramework"]) for a in alignment] == [
        ("Communicating", openbadges.EDS_FRAMEWORK_NAME)
    ]
    assert credential_files.check_credential_document(document, Issuer.from_settings(app.config, app.instance_path)).ok
    _assert_expands_without_loss(document)  # every new term is one the shipped JSON-LD contexts define
    token = _credential(learner_client, certificate, "credential")
    posted = client.post("/api/verify", data=token, content_type="application/vc+jwt")
    assert posted.status_code == 200 and posted.get_json()["certificate"]["skillAreas"] == ["Communicating"]


def test_a_certificate_signed_before_areas_keeps_its_content_and_still_verifies(client, learner, mentor, issuer):
    """An Essential Digital Skills certificate issued before areas were signed: no skills, an advert as description."""
    certificate = issue_module_certificate(learner, mentor, _email_module())
    certificate.skills = []
    certificate.achievement_description = "Learn the parts of an email. You will practise replying."
    old_content = service.content_of(certificate)
    assert old_content.canonical() == {
        "format": "skillpath-certificate/1",
        "code": certificate.display_code,
        "recipient": certificate.recipient_name,
        "achievement": {"name": "Write and send emails", "description": certificate.achievement_description},
        "skills": [],
        "issuer": ISSUER,
        "issued_at": service.iso_utc(certificate.issued_at),
    }
    certificate.signature = signing.sign(old_content.canonical_bytes(), signing.signing_key())
    db.session.flush()

    response = client.get(f"/verify/{certificate.display_code}")
    assert heading(response) == "This certificate is valid"
    summary = _summary(response)
    assert summary["What it means"] == certificate.achievement_description  # what was signed, unchanged
    assert "Essential digital skills" not in summary and "None listed" not in page(response).get_text()


def test_signing_off_a_module_with_no_framework_skills_never_says_0_skills_awarded(mentor_client, learner):
    enrolment = finish_module(learner, _email_module())
    url = f"/mentor/modules-to-review/{enrolment.public_id}"
    response = post_form(mentor_client, url + "/sign-off", {}, form_url=url)
    certificate = db.session.scalar(select(Certificate).where(Certificate.learner_id == learner.id))
    messages = flash_messages(mentor_client.get(response.headers["Location"]))
    said = f"Write and send emails is signed off. Certificate {certificate.display_code} issued."
    assert any(message.startswith(said) for message in messages), messages
    assert not any("0 skills" in message for message in messages)


# --- Item 13: a typing mistake, or no such certificate --------------------------------------------------


def _with_wrong_check_character(code: str) -> str:
    return code[:-1] + ("A" if code[-1] != "A" else "B")


def test_a_typing_mistake_is_told_apart_from_a_code_no_certificate_has(client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    typo = _with_wrong_check_character(certificate.display_code)
    mistake = error_summary(client.get("/verify", query_string={"code": typo}))["#code"]
    assert mistake.startswith("The code has a typing mistake. Check it against the certificate: ")

    unknown = service.format_code(service.new_code())
    response = client.get(f"/verify/{unknown}")
    assert response.status_code == 404 and heading(response) == "We could not find that certificate"
    text = page(response).get_text(" ", strip=True)
    assert f"The code {unknown} has no typing mistake that we can see" in text
    assert "there is no certificate with this code that can be checked" in text


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("SP-7Q4K-29XD", "Enter the whole code: SP and then 12 letters and numbers, such as SP-7Q4K-29XD-M3HW"),
        ("SP-7Q4K-29XD-M3HU", "The code has a typing mistake: certificate codes never use the letter U. It may be a V"),
        ("SP-7Q4K-29XD-M3H!", "The code has a typing mistake: certificate codes have only letters and numbers"),
        # Only the pairs that are in the code: 2 (for Z), 9 has none, D (for 0), M (for N).
        ("SP-7Q4K-29XD-M3HX", "Check it against the certificate: 0 and D, 2 and Z, M and N are easy to mix up"),
        ("SP-7QAK-7QAK-7QAX", "Check each character against the certificate, and that no two are swapped"),
    ],
)
def test_the_message_for_a_mistyped_code_says_what_is_wrong(typed, says):
    assert service.normalise_code(typed) is None
    assert says in service.code_mistake(typed)


def test_the_api_says_what_is_wrong_with_a_mistyped_code_and_typing_mistakes_count_against_the_limit(
    app, client, learner, mentor, monkeypatch
):
    certificate = issue_module_certificate(learner, mentor)
    typo = _with_wrong_check_character(certificate.display_code)
    problem = client.get(f"/api/verify/{typo}")
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["detail"] == service.code_mistake(typo)

    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    limiter.reset()
    answers = [client.get("/verify", query_string={"code": typo}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert client.get(f"/api/verify/{typo}").status_code == 429


def test_a_hidden_certificate_and_an_unknown_code_get_the_same_answer_on_every_page(client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    certificate.hidden_at = service.utcnow()
    db.session.flush()
    unknown = service.format_code(service.new_code())

    def shape(response, code: str) -> str:
        return re.sub(r'nonce="[^"]+"', "", response.get_data(as_text=True).replace(code, "CODE"))

    for path in ("/verify/{}", "/verify/{}/printable"):
        hidden = client.get(path.format(certificate.display_code))
        missing = client.get(path.format(unknown))
        assert hidden.status_code == missing.status_code == 404, path
        assert shape(hidden, certificate.display_code) == shape(missing, unknown), path


# --- Item 14: withdrawn, and when, by whom -------------------------------------------------------------


def _warning(response) -> str:
    soup: BeautifulSoup = page(response)
    for hidden in soup.select(".govuk-warning-text .govuk-visually-hidden"):
        hidden.decompose()
    return soup.select_one(".govuk-warning-text__text").get_text(" ", strip=True)


def test_a_withdrawn_certificate_says_only_that_the_issuer_withdrew_it_and_when(app, client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    learner_client = sign_in(app.test_client(), learner)
    token = _credential(learner_client, certificate, "credential")
    service.revoke_certificate(certificate, by=mentor, reason="Issued to the wrong person")
    db.session.flush()
    when = format_date(certificate.revoked_at)

    response = client.get(f"/verify/{certificate.display_code}")
    assert heading(response) == "This certificate has been withdrawn"
    assert _warning(response) == f"This certificate was withdrawn on {when} by its issuer, {ISSUER}."
    checked = upload(client, token, "certificate.jwt")
    assert _warning(checked) == f"But the certificate was withdrawn on {when} by its issuer, {ISSUER}."
    for text in (page(response).get_text(" "), page(checked).get_text(" ")):
        assert "no longer" not in text and "wrong person" not in text
