"""The certificate PDF describes itself (title, language, XMP), and an accessible web page sits beside it (item 15).

reportlab cannot tag a PDF (see services/certificate_pdf.py), so the page to print is the accessible form: the
same content as the PDF, with headings, a table and a QR code that has a name, linked from the learner's
certificate page and from the check page.
"""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from skillpath.extensions import db, limiter
from skillpath.i18n import format_date
from skillpath.models import EssentialSkillArea
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import signing
from tests import factories
from tests.conftest import sign_in
from tests.helpers import heading, location_path, page
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate

NAME = "Nguyễn Thị Minh"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> signing.KeyStore:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield signing.KeyStore(tmp_path / "keys")
    limiter.reset()


@pytest.fixture
def certificate(learner, mentor):
    learner.learner_profile.certificate_name = NAME
    return issue_module_certificate(learner, mentor)


def _pdf(app, learner, certificate) -> PdfReader:
    client = sign_in(app.test_client(), learner)
    response = client.get(f"/learner/certificates/{certificate.public_id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


# --- The PDF -------------------------------------------------------------------------------------------


def test_the_pdf_has_a_title_a_language_and_matching_xmp_metadata(app, learner, certificate):
    reader = _pdf(app, learner, certificate)
    title = f"Certificate of achievement: Helping users – {NAME}"
    assert reader.metadata.title == title
    assert reader.metadata.author == ISSUER
    assert certificate.display_code in reader.metadata.subject
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en-GB"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])  # readers show the title, not the file name
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": title}
    assert xmp.dc_language == ["en-GB"] and xmp.dc_creator == [ISSUER]


# --- The page beside it --------------------------------------------------------------------------------


def test_the_learner_and_the_employer_are_offered_the_page_to_print(app, client, learner, certificate):
    printable = f"/verify/{certificate.display_code}/printable"
    learner_page = page(sign_in(app.test_client(), learner).get(f"/learner/certificates/{certificate.public_id}"))
    check_page = page(client.get(f"/verify/{certificate.display_code}"))
    for soup in (learner_page, check_page):
        link = soup.find("a", href=printable)
        assert link is not None and link.get_text(strip=True) == "Open the certificate as a web page to print"


def test_the_page_to_print_says_what_the_pdf_says_with_headings_a_table_and_a_named_qr_code(
    app, client, learner, certificate
):
    response = client.get(f"/verify/{certificate.display_code}/printable")
    assert response.status_code == 200
    soup = page(response)
    assert soup.html["lang"] == "en-GB"
    assert soup.title.get_text(strip=True).startswith(f"Certificate of achievement: Helping users – {NAME}")
    assert heading(response) == "Certificate of achievement"
    assert [h.get_text(strip=True) for h in soup.select("main h2")] == ["Check this certificate"]
    table = soup.select_one("main table")
    assert table.caption.get_text(strip=True) == "Skills and levels"
    assert [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in table.select("tr")] == [
        ["Skill", "Level"],
        ["Customer service", "Awareness"],
        ["User support", "Working"],
    ]
    qr = soup.select_one("main svg")
    assert qr["role"] == "img" and qr["aria-label"] == "QR code that opens this certificate’s check page"
    # The header and footer stay on screen but not on paper.
    assert "govuk-!-display-none-print" in soup.select_one("header").parent["class"]

    text = soup.select_one("main").get_text(" ", strip=True)
    for said in (NAME, "Helping users", certificate.achievement_description, ISSUER, certificate.display_code):
        assert said in text
    assert f"Issued on {format_date(certificate.issued_at)} by {ISSUER}." in text
    # Every word the PDF prints is on the page (the page adds headings and links).
    pdf_text = _pdf(app, learner, certificate).pages[0].extract_text()
    missing = set(_words(pdf_text)) - set(_words(text))
    assert missing == set(), missing


def test_the_page_to_print_lists_essential_digital_skills_areas(client, learner, mentor):
    module = factories.make_module(code="EDS-01", title="Get started with a laptop")
    module.essential_areas = [EssentialSkillArea(code="EDS_FOUNDATION", name="Foundation skills", position=1)]
    db.session.flush()
    certificate = issue_module_certificate(learner, mentor, module)
    soup = page(client.get(f"/verify/{certificate.display_code}/printable"))
    assert [h.get_text(strip=True) for h in soup.select("main h2")] == [
        "Essential digital skills",
        "Check this certificate",
    ]
    assert [li.get_text(strip=True) for li in soup.select("main ul.govuk-list--bullet li")] == ["Foundation skills"]
    assert soup.select_one("main table") is None


def test_only_a_valid_certificate_has_a_page_to_print(client, certificate, mentor):
    loose = client.get(f"/verify/{certificate.code.lower()}/printable")
    assert location_path(loose) == f"/verify/{certificate.display_code}/printable"
    wrong = client.get("/verify/SP-0000-0000-0001/printable")
    assert location_path(wrong) == "/verify/SP-0000-0000-0001"  # which says what is wrong with the code

    service.revoke_certificate(certificate, by=mentor, reason="Issued in error")
    db.session.flush()
    withdrawn = client.get(f"/verify/{certificate.display_code}/printable")
    assert withdrawn.status_code == 200 and heading(withdrawn) == "This certificate has been withdrawn"
