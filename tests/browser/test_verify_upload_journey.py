"""An employer, on a phone and with no account, uploads the credential files a learner sent: genuine ones read
"valid" with what they certify, a tampered one says exactly why it cannot be trusted. Every page passes axe.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import Cohort, Skill, SkillLevel, User
from skillpath.services.certificates import certificates, openbadges, vc_jwt
from skillpath.services.progress import progress
from tests import factories
from tests.browser.helpers import LiveServer, check_accessibility, expect_heading

NAME = "Aoife Ní Bhriain"


@pytest.fixture(scope="module", autouse=True)
def public_base_url(live_server: LiveServer) -> Iterator[None]:
    previous = live_server.app.config["PUBLIC_BASE_URL"]
    live_server.app.config["PUBLIC_BASE_URL"] = live_server.url
    yield
    live_server.app.config["PUBLIC_BASE_URL"] = previous


def _credential_files(live_server: LiveServer, folder: Path) -> tuple[Path, Path, Path]:
    """A signed-off module's certificate, committed, as the .json and .jwt files the learner downloads."""
    with live_server.app.app_context(), live_server.app.test_request_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == live_server.cohort_name))
        mentor = db.session.scalar(select(User).where(User.username == live_server.mentor.username))
        skill = db.session.scalar(select(Skill).where(Skill.name == "Technical understanding"))
        assert cohort is not None and mentor is not None and skill is not None
        module = factories.make_module(
            code="UPL-01", title="Keep a laptop updated", units=1, skills={skill: SkillLevel.AWARENESS}
        )
        learner = factories.make_learner(cohort=cohort, username="aoife", display_name="Aoife")
        learner.learner_profile.certificate_name = NAME
        enrolment = progress.enrol(learner, module, actor=learner)
        progress.sign_off(enrolment, mentor=mentor)
        certificate = certificates.issue_module_certificate(enrolment, mentor=mentor)
        db.session.commit()
        document = openbadges.jsonld_credential(certificate)
        token = vc_jwt.credential_jwt(certificate)
        db.session.commit()  # the key made on first use, the status list entry
        db.session.remove()
    genuine_json, genuine_jwt, tampered = folder / "credential.json", folder / "credential.jwt", folder / "edited.json"
    genuine_json.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    genuine_jwt.write_text(token, encoding="ascii")
    document["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "expert"  # a claimed promotion
    tampered.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return genuine_json, genuine_jwt, tampered


def _upload(page: Page, file: Path) -> None:
    page.goto("/verify")
    page.get_by_label("Upload a credential file").set_input_files(str(file))
    page.get_by_role("button", name="Check file").click()


def test_an_employer_uploads_genuine_files_then_a_tampered_one_and_sees_why_not(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    genuine_json, genuine_jwt, tampered = _credential_files(live_server, tmp_path)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/verify")
    expect_heading(page, "Check a certificate")
    check_accessibility(page)

    for file in (genuine_json, genuine_jwt):
        _upload(page, file)
        expect_heading(page, "This credential is valid")
        expect(page.get_by_text(NAME)).to_be_visible()
        expect(page.get_by_text("Keep a laptop updated").first).to_be_visible()
        check_accessibility(page)

    _upload(page, tampered)
    expect_heading(page, "This credential cannot be trusted")
    expect(page.locator("#reason")).to_contain_text("signature")
    expect(page.get_by_text(NAME)).to_have_count(0)
    check_accessibility(page)

    page.goto("/verify")
    page.get_by_role("button", name="Check file").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select a credential file")
    check_accessibility(page)


def test_a_problem_type_page_explains_itself(page: Page, live_server: LiveServer) -> None:
    page.goto("/api/problems/credential-not-trusted")
    expect_heading(page, "Credential cannot be trusted")
    check_accessibility(page)
