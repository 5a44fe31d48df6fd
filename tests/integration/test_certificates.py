"""Issuing certificates, the learner's certificate pages and downloads, hiding, and staff withdrawing them."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.models import AuditEvent, BarrierItem, BarrierStatus, Certificate, CertificateKind, SkillLevel, User
from skillpath.models.work_readiness import Barrier
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import vc_jwt
from skillpath.services.certificates.signing import KeyStore, SigningKeyMissing
from skillpath.services.progress import progress
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, location_path, page, post_form

BASE_URL = "https://skills.example.org"
ISSUER = "Northbridge Education"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> KeyStore:
    """Each test signs with its own key, in its own folder, as an issuer with a public address."""
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    return KeyStore(tmp_path / "keys")


def make_skills_module(**kwargs):
    skills = {
        factories.make_skill(name="User support"): SkillLevel.WORKING,
        factories.make_skill(name="Customer service"): SkillLevel.AWARENESS,
    }
    kwargs.setdefault("title", "Helping users")
    kwargs.setdefault("summary", "Answer calls and messages, and fix common computer problems.")
    return factories.make_module(skills=skills, **kwargs)


def issue_module_certificate(learner: User, mentor: User, module=None) -> Certificate:
    """Start and sign off a module as the mentor's sign-off route does, with its certificate."""
    module = module or make_skills_module()
    enrolment = progress.enrol(learner, module, actor=learner)
    progress.sign_off(enrolment, mentor=mentor)
    certificate = service.issue_module_certificate(enrolment, mentor=mentor)
    db.session.flush()
    return certificate


def make_ready_learner(cohort) -> User:
    """A learner in the "Ready for work" band: every required skill held, and two barriers resolved (85/100)."""
    skill = factories.make_skill(name="Technical understanding")
    job = factories.make_role_level(name="Service desk analyst", skills={skill: SkillLevel.AWARENESS})
    learner = factories.make_learner(cohort=cohort, target_role_level=job)
    module = factories.make_module(title="Using a computer safely", skills={skill: SkillLevel.WORKING})
    mentor = factories.make_mentor(cohorts=[cohort])
    progress.sign_off(progress.enrol(learner, module, actor=learner), mentor=mentor)
    for barrier in (Barrier.BANK_ACCOUNT, Barrier.ID):
        db.session.add(BarrierItem(learner_id=learner.id, barrier=barrier, status=BarrierStatus.COMPLETED))
    db.session.flush()
    return learner


# --- Issuing ---------------------------------------------------------------------------------------


def test_signing_off_a_module_issues_a_signed_certificate_of_its_skills(learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)

    assert certificate.kind == CertificateKind.MODULE
    assert certificate.recipient_name == learner.learner_profile.preferred_name
    assert certificate.achievement_name == "Helping users"
    assert certificate.skills == [
        {"skill": "Customer service", "level": "awareness"},
        {"skill": "User support", "level": "working"},
    ]
    assert certificate.issuer_name == ISSUER
    assert certificate.issued_at.microsecond == 0
    assert service.normalise_code(certificate.code) == certificate.code
    assert certificate.key_id == issuer.current_kid()
    assert service.has_valid_signature(certificate, issuer)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.issued"))
    assert event is not None and event.subject_id == learner.id and event.actor_id == mentor.id


def test_issuing_again_for_the_same_module_returns_the_same_certificate(learner, mentor):
    module = make_skills_module()
    first = issue_module_certificate(learner, mentor, module)
    enrolment = progress.get_enrolment(learner, module)
    assert service.issue_module_certificate(enrolment, mentor=mentor) is first


def test_a_certificate_says_the_name_the_learner_chose_in_one_normal_form(learner_client, learner, mentor):
    response = post_form(learner_client, "/learner/certificates/my-name", {"name": "  Nguye\u0302\u0303n   Thị Minh "})
    assert location_path(response) == "/learner/certificates"
    db.session.refresh(learner.learner_profile)
    certificate = issue_module_certificate(learner, mentor)
    assert certificate.recipient_name == "Nguyễn Thị Minh"  # NFC: one character for ễ, single spaces


def test_a_blank_name_for_certificates_is_refused(learner_client):
    response = post_form(learner_client, "/learner/certificates/my-name", {"name": "   "})
    assert error_summary(response) == {"#name": "Enter your name as you want it on your certificates"}


def test_without_a_key_a_production_issuer_refuses_to_issue_and_says_how_to_fix_it(app, learner, mentor, monkeypatch):
    monkeypatch.setitem(app.config, "KEYS_AUTO_GENERATE", False)
    with pytest.raises(SigningKeyMissing, match="flask keys generate"):
        issue_module_certificate(learner, mentor)


def test_rotating_the_key_keeps_earlier_certificates_valid(learner, mentor, issuer):
    before = issue_module_certificate(learner, mentor)
    issuer.generate()
    another = factories.make_module(title="Tables of data", skills={factories.make_skill(): SkillLevel.AWARENESS})
    after = issue_module_certificate(learner, mentor, another)
    assert before.key_id != after.key_id
    assert service.has_valid_signature(before, issuer) and service.has_valid_signature(after, issuer)


# --- Ready for work ------------------------------------------------------------------------------


def test_role_readiness_is_refused_until_the_learner_is_in_the_ready_band(cohort, learner, mentor):
    with pytest.raises(service.CertificateError, match="chosen a job"):
        service.issue_role_readiness_certificate(learner, mentor)
    ready = make_ready_learner(cohort)
    db.session.execute(db.delete(BarrierItem).where(BarrierItem.learner_id == ready.id))
    db.session.flush()
    with pytest.raises(service.CertificateError, match="not ready for work yet"):
        service.issue_role_readiness_certificate(ready, mentor)


def test_a_mentor_confirms_a_ready_learner_and_a_readiness_certificate_is_issued(mentor_client, cohort, issuer):
    learner = make_ready_learner(cohort)
    url = f"/mentor/learners/{learner.public_id}/certificates"
    listing = mentor_client.get(url)
    assert listing.status_code == 200
    assert page(listing).find("button", string=lambda s: s and "Confirm ready for work" in s) is not None

    response = post_form(mentor_client, f"/mentor/learners/{learner.public_id}/confirm-ready", {}, form_url=url)

    assert location_path(response) == url
    certificate = db.session.scalar(select(Certificate).where(Certificate.learner_id == learner.id))
    assert certificate is not None
    assert certificate.kind == CertificateKind.ROLE_READINESS
    assert certificate.achievement_name == "Ready for work as a service desk analyst"
    # The certificate attests the level shown (working), which meets the level the job needs (awareness).
    assert certificate.skills == [{"skill": "Technical understanding", "level": "working"}]
    assert service.has_valid_signature(certificate, issuer)
    # Confirming again issues nothing new, and the button has gone.
    again = post_form(mentor_client, f"/mentor/learners/{learner.public_id}/confirm-ready", {}, form_url=url)
    assert location_path(again) == url
    assert len(service.list_certificates(learner)) == 1
    assert page(mentor_client.get(url)).find("button", string=lambda s: s and "Confirm ready" in s) is None


def test_a_learner_who_is_not_ready_is_not_confirmed(mentor_client, learner):
    url = f"/mentor/learners/{learner.public_id}/certificates"
    response = post_form(mentor_client, f"/mentor/learners/{learner.public_id}/confirm-ready", {}, form_url=url)
    assert location_path(response) == url
    assert service.list_certificates(learner) == []
    assert any("not chosen a job" in m or "not ready" in m for m in _banners(mentor_client.get(url)))


def test_staff_who_cannot_manage_the_learner_get_a_404_for_their_certificates(app, cohort):
    learner = make_ready_learner(cohort)
    stranger = sign_in(app.test_client(), factories.make_mentor(cohorts=[factories.make_cohort()]))
    assert stranger.get(f"/mentor/learners/{learner.public_id}/certificates").status_code == 404
    token_page = "/account/change-password"
    token = page(stranger.get(token_page)).find("input", attrs={"name": "csrf_token"})["value"]
    response = stranger.post(f"/mentor/learners/{learner.public_id}/confirm-ready", data={"csrf_token": token})
    assert response.status_code == 404
    assert service.list_certificates(learner) == []


def _banners(response) -> list[str]:
    return [banner.get_text(" ", strip=True) for banner in page(response).select(".govuk-notification-banner")]


# --- The learner's pages -------------------------------------------------------------------------


def test_a_learner_sees_their_certificates_and_the_nav_leads_there(learner_client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    response = learner_client.get("/learner/certificates")
    assert heading(response) == "My certificates"
    soup = page(response)
    link = soup.find("a", string="Helping users")
    assert link is not None and link["href"] == f"/learner/certificates/{certificate.public_id}"
    assert certificate.display_code in soup.get_text()
    nav = soup.select_one(".govuk-service-navigation__item--active")
    assert nav is not None and "Certificates" in nav.get_text()


def test_the_certificate_page_shows_the_code_and_a_qr_code_the_csp_allows(learner_client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    response = learner_client.get(f"/learner/certificates/{certificate.public_id}")
    assert heading(response) == "Helping users"
    soup = page(response)
    svg = soup.find("svg")
    assert svg is not None and svg["role"] == "img" and svg.get("aria-label")
    assert soup.find(attrs={"style": True}) is None  # style attributes would break the CSP
    verify_url = f"{BASE_URL}/verify/{certificate.display_code}"
    assert soup.find("a", href=verify_url) is not None


def test_a_learner_cannot_open_someone_elses_certificate(app, learner, mentor, cohort):
    certificate = issue_module_certificate(learner, mentor)
    other = sign_in(app.test_client(), factories.make_learner(cohort=cohort))
    for suffix in ("", "/pdf", "/credential"):
        assert other.get(f"/learner/certificates/{certificate.public_id}{suffix}").status_code == 404


def test_the_learner_downloads_the_pdf_and_the_signed_credential(learner_client, learner, mentor, issuer):
    certificate = issue_module_certificate(learner, mentor)
    pdf = learner_client.get(f"/learner/certificates/{certificate.public_id}/pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert f"{certificate.display_code}.pdf" in pdf.headers["Content-Disposition"]

    credential = learner_client.get(f"/learner/certificates/{certificate.public_id}/credential")
    assert credential.status_code == 200 and credential.mimetype == vc_jwt.JWT_MEDIA_TYPE
    assert credential.headers["Content-Disposition"].endswith(".jwt")
    token = credential.get_data(as_text=True)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["typ"] == "JWT"
    public = jwt.PyJWK(learner_client.get(urlsplit(header["kid"]).path).get_json())  # the kid is a URL of one key
    claims = jwt.decode(token, public, algorithms=["ES256"], options={"verify_aud": False})
    assert claims["jti"] == f"{BASE_URL}/verify/{certificate.display_code}"
    assert claims["sub"] == claims["credentialSubject"]["id"]


def test_a_learner_hides_a_certificate_and_shows_it_again(learner_client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    url = f"/learner/certificates/{certificate.public_id}"
    response = post_form(learner_client, f"{url}/hide", {}, form_url=url)
    assert location_path(response) == url
    assert any("can no longer check" in message for message in flash_messages(learner_client.get(url)))
    db.session.refresh(certificate)
    assert certificate.is_hidden
    assert "Hidden" in page(learner_client.get("/learner/certificates")).get_text()

    response = post_form(learner_client, f"{url}/show", {}, form_url=url)
    db.session.refresh(certificate)
    assert not certificate.is_hidden
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("certificate.%"))))
    assert actions == ["certificate.issued", "certificate.hidden", "certificate.shown"]


# --- Withdrawing -----------------------------------------------------------------------------------


def test_a_mentor_withdraws_a_certificate_with_a_private_reason(mentor_client, learner, mentor, learner_client):
    certificate = issue_module_certificate(learner, mentor)
    url = f"/mentor/certificates/{certificate.public_id}/withdraw"
    assert heading(mentor_client.get(url)) == "Withdraw a certificate"

    refused = post_form(mentor_client, url, {"reason": ""})
    assert error_summary(refused) == {"#reason": "Enter why you are withdrawing the certificate"}

    response = post_form(mentor_client, url, {"reason": "Evidence was copied from another learner"})
    assert location_path(response) == f"/mentor/learners/{learner.public_id}/certificates"
    db.session.refresh(certificate)
    assert certificate.is_revoked and certificate.revoked_by_id == mentor.id
    assert certificate.revocation_reason == "Evidence was copied from another learner"
    # Staff see the reason; the learner sees that it was withdrawn, not why, and can no longer download it.
    staff_page = mentor_client.get(f"/mentor/learners/{learner.public_id}/certificates")
    assert "Evidence was copied" in page(staff_page).get_text()
    learner_page = learner_client.get(f"/learner/certificates/{certificate.public_id}")
    assert "withdrawn" in page(learner_page).get_text()
    assert "Evidence was copied" not in learner_page.get_data(as_text=True)
    assert learner_client.get(f"/learner/certificates/{certificate.public_id}/pdf").status_code == 404
    # A second withdrawal is not possible.
    assert location_path(mentor_client.get(url)) == f"/mentor/learners/{learner.public_id}/certificates"


def test_an_admin_can_withdraw_and_a_mentor_elsewhere_cannot(app, learner, mentor, admin_client):
    certificate = issue_module_certificate(learner, mentor)
    url = f"/mentor/certificates/{certificate.public_id}/withdraw"
    stranger = sign_in(app.test_client(), factories.make_mentor(cohorts=[factories.make_cohort()]))
    assert stranger.get(url).status_code == 404
    response = post_form(admin_client, url, {"reason": "Issued to the wrong learner"})
    assert response.status_code == 302
    db.session.refresh(certificate)
    assert certificate.is_revoked


def test_staff_download_a_learners_pdf_to_print_it_and_it_is_audited(mentor_client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    response = mentor_client.get(f"/mentor/certificates/{certificate.public_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "certificate.downloaded"))
    assert event is not None and event.actor_id == mentor.id


# --- The PDF ---------------------------------------------------------------------------------------


NAMES = ["Łukasz Żółć", "Siobhán Ní Bhriain", "Nguyễn Thị Minh"]


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_are_printed_as_written(app, learner_client, learner, mentor, name):
    learner.learner_profile.certificate_name = name
    certificate = issue_module_certificate(learner, mentor)
    pdf = learner_client.get(f"/learner/certificates/{certificate.public_id}/pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = reader.pages[0].extract_text()
    for expected in (name, "Helping users", "User support", "Working", ISSUER, certificate.display_code):
        assert expected in text
    fonts = {str(font["/BaseFont"]) for font in _fonts(reader)}
    assert fonts and all("DejaVuSans" in font for font in fonts), fonts  # embedded subsets; no Helvetica


def _fonts(reader: PdfReader) -> list:
    resources = reader.pages[0]["/Resources"]["/Font"]
    return [resources[key].get_object() for key in resources]


def test_the_pdfs_qr_code_opens_the_verification_page(learner_client, learner, mentor, tmp_path):
    if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
        pytest.skip("zbarimg (zbar-tools) and pdftoppm (poppler-utils) are needed to read the QR code")
    certificate = issue_module_certificate(learner, mentor)
    pdf_path = tmp_path / "certificate.pdf"
    pdf_path.write_bytes(learner_client.get(f"/learner/certificates/{certificate.public_id}/pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "150", str(pdf_path), str(tmp_path / "page")], check=True)
    image = next(Path(tmp_path).glob("page*.png"))
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=True)
    assert decoded.stdout.strip() == f"{BASE_URL}/verify/{certificate.display_code}"


def test_missing_fonts_fail_with_a_message_that_says_how_to_build_them(tmp_path):
    from skillpath.services.certificates.certificate_pdf import CertificateFontsMissing, _registered, register_fonts

    saved = set(_registered)
    _registered.clear()
    try:
        with pytest.raises(CertificateFontsMissing, match="make setup"):
            register_fonts(tmp_path)
    finally:
        _registered.update(saved)
