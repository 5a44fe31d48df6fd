"""Share links: a learner makes, sees and withdraws them; an employer opens one signed out; LinkedIn and downloads."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from skillpath.extensions import db, limiter
from skillpath.models import AuditEvent, Certificate, ShareLink, ShareLinkView, SkillLevel
from skillpath.models._types import utcnow
from skillpath.services.certificates import certificates as certificate_service
from skillpath.services.certificates import openbadges, sharing
from skillpath.services.certificates.signing import KeyStore
from tests import factories
from tests.conftest import sign_in
from tests.helpers import error_summary, flash_messages, heading, location_path, page
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate

ESTABLISHMENT = "HMP Larkhill"
PRISON_NUMBER = "A9876ZZ"
LABEL = "for the warehouse job"
COHORT = "Digital skills – spring"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> Iterator[KeyStore]:
    """Each test signs with its own keys, as an issuer with a public address, and starts with no rate counted."""
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield KeyStore(tmp_path / "keys")
    limiter.reset()


@pytest.fixture
def establishment(app):
    return factories.make_establishment(name=ESTABLISHMENT)


@pytest.fixture
def cohort(establishment):
    return factories.make_cohort(establishment=establishment, name=COHORT)


@pytest.fixture
def learner(cohort):
    """A learner at a named establishment, with a prison number and a release date: none of it may leak."""
    return factories.make_learner(cohort=cohort, prison_number=PRISON_NUMBER, release_date=date(2027, 3, 27))


@pytest.fixture
def certificate(learner, mentor) -> Certificate:
    return issue_module_certificate(learner, mentor)


def another_module(title: str):
    return factories.make_module(title=title, skills={factories.make_skill(): SkillLevel.WORKING})


def _form(client, url: str = "/learner/share-links/new") -> dict[str, str]:
    """The hidden fields of the new-link form as the page gave them (CSRF token, sealed token)."""
    soup = page(client.get(url))
    form = soup.find("form", attrs={"method": "post", "action": None})
    assert form is not None, "the page has no share link form"
    return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def make_link(client, certificates: list[Certificate], **fields: str | list[str]) -> tuple[str, str]:
    """Make a link through the form; returns (the link page's path, the share URL shown once)."""
    hidden = _form(client)
    data = {**hidden, "certificates": [str(item.public_id) for item in certificates], **fields}
    response = client.post("/learner/share-links/new", data=data)
    assert response.status_code == 302, error_summary(client.post("/learner/share-links/new", data=data))
    path = location_path(response)
    shown = page(client.get(path)).find("input", id="share-url")
    assert shown is not None, "the link page does not show the new link"
    return path, str(shown["value"])


def token_of(url: str) -> str:
    return url.rsplit("/share/", 1)[1]


def _visible_text_and_attributes(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    values = [soup.get_text(" ")]
    for element in soup.find_all(True):
        values.extend(str(value) for value in element.attrs.values())
    return " ".join(values)


# --- Making a link ---------------------------------------------------------------------------------


def test_a_learner_makes_a_link_that_is_shown_once_and_stored_only_as_a_hash(learner_client, learner, certificate):
    path, url = make_link(learner_client, [certificate], label=LABEL)

    token = token_of(url)
    assert url == f"{BASE_URL}/share/{token}"
    assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    link = db.session.scalar(select(ShareLink).where(ShareLink.learner_id == learner.id))
    assert link is not None and link.label == LABEL and link.certificates == [certificate]
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = db.session.execute(select(ShareLink.__table__).where(ShareLink.id == link.id)).one()
    assert all(token not in str(value) for value in row)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "share_link.created"))
    assert event is not None and event.subject_id == learner.id and event.object_id == str(link.public_id)
    assert token not in json.dumps(event.detail)

    # Shown once: the page carries a QR code of the link, and on the next visit neither is there.
    first = page(learner_client.get(path))
    assert first.find("input", id="share-url") is None
    assert first.find("svg") is None
    assert "shown only once" in first.get_text()


def test_the_new_link_page_shows_a_selectable_link_and_a_qr_code(app, learner, certificate):
    client = sign_in(app.test_client(), learner)
    hidden = _form(client)
    response = client.post(
        "/learner/share-links/new", data={**hidden, "certificates": [str(certificate.public_id)]}, follow_redirects=True
    )
    soup = page(response)
    assert heading(response) == "Your share link is ready"
    field = soup.find("input", id="share-url")
    assert field.has_attr("readonly") and soup.find("label", attrs={"for": "share-url"}) is not None
    svg = soup.find("svg")
    assert svg is not None and svg["role"] == "img" and svg["aria-label"] == "QR code for this share link"
    assert soup.find(attrs={"style": True}) is None  # the strict CSP allows no style attributes


def test_sending_the_same_form_twice_makes_one_link_and_shows_it_both_times(learner_client, learner, certificate):
    hidden = _form(learner_client)
    data = {**hidden, "certificates": [str(certificate.public_id)]}
    first = learner_client.post("/learner/share-links/new", data=data)
    second = learner_client.post("/learner/share-links/new", data=data)
    assert first.status_code == second.status_code == 302
    assert location_path(first) == location_path(second)
    assert db.session.scalar(select(func.count()).where(ShareLink.learner_id == learner.id)) == 1
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "share_link.created")) == 1
    shown = learner_client.get(location_path(second))
    assert page(shown).find("input", id="share-url") is not None
    assert any("already made this link" in message for message in _banners(shown))


def _banners(response) -> list[str]:
    return [banner.get_text(" ", strip=True) for banner in page(response).select(".govuk-notification-banner")]


def test_a_tampered_sealed_token_makes_a_fresh_random_link(learner_client, learner, certificate):
    hidden = _form(learner_client)
    data = {**hidden, "sealed_token": "a" * 43, "certificates": [str(certificate.public_id)]}
    learner_client.post("/learner/share-links/new", data=data)
    link = db.session.scalar(select(ShareLink).where(ShareLink.learner_id == learner.id))
    assert link is not None and link.token_hash != hashlib.sha256(b"a" * 43).hexdigest()


def test_the_certificate_page_leads_to_the_form_with_that_certificate_chosen(learner_client, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    other = issue_module_certificate(learner, mentor, another_module(title="Tables of data"))
    soup = page(learner_client.get(f"/learner/certificates/{certificate.public_id}"))
    share = soup.find("a", string=re.compile("Make a share link"))
    assert share is not None
    form = page(learner_client.get(share["href"]))
    checked = {box["value"] for box in form.select("input[name=certificates][checked]")}
    assert checked == {str(certificate.public_id)}
    assert {box["value"] for box in form.select("input[name=certificates]")} == {
        str(certificate.public_id),
        str(other.public_id),
    }


def test_the_certificates_list_has_the_way_in_to_sharing(learner_client, certificate):
    soup = page(learner_client.get("/learner/certificates"))
    assert soup.find("a", string=re.compile("Share certificates"))["href"] == "/learner/share-links/new"
    assert soup.find("a", string=re.compile("My share links"))["href"] == "/learner/share-links"


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, {"#certificates": "Select at least one certificate to share"}),
        ({"label": "x" * 101}, {"#label": "The name for this link must be 100 characters or fewer"}),
        (
            {"last_day": ["1", "1", "2020"]},
            {"#last_day": "The last day must be today or in the future"},
        ),
        (
            {"last_day": ["31", "2", "2030"]},
            {"#last_day": "Last day the link works must be a real date, like 27 3 2027"},
        ),
    ],
    ids=["no certificate", "long label", "past day", "impossible day"],
)
def test_the_form_says_what_to_fix(learner_client, certificate, fields, expected):
    hidden = _form(learner_client)
    data = {**hidden, **fields}
    if fields:
        data["certificates"] = [str(certificate.public_id)]
    response = learner_client.post("/learner/share-links/new", data=data)
    assert response.status_code == 200
    summary = error_summary(response)
    assert {key.split("-")[0]: value for key, value in summary.items()} == expected
    assert db.session.scalar(select(func.count()).select_from(ShareLink)) == 0


def test_withdrawn_hidden_and_other_learners_certificates_cannot_be_shared(app, learner, mentor, learner_client):
    withdrawn = issue_module_certificate(learner, mentor)
    certificate_service.revoke_certificate(withdrawn, by=mentor, reason="Signed off by mistake")
    hidden = issue_module_certificate(learner, mentor, another_module(title="Hidden one"))
    certificate_service.set_hidden(hidden, True, by=learner)
    someone_else = issue_module_certificate(factories.make_learner(), mentor, another_module(title="Not yours"))
    db.session.flush()

    form = page(learner_client.get("/learner/share-links/new"))
    assert form.select("input[name=certificates]") == []
    assert "no certificates to share" in form.get_text()

    shareable = issue_module_certificate(learner, mentor, another_module(title="Shareable"))
    form = page(learner_client.get("/learner/share-links/new"))
    assert [box["value"] for box in form.select("input[name=certificates]")] == [str(shareable.public_id)]
    for item in (withdrawn, hidden, someone_else):
        data = {**_form(learner_client), "certificates": [str(shareable.public_id), str(item.public_id)]}
        response = learner_client.post("/learner/share-links/new", data=data)
        assert error_summary(response) == {"#certificates": "Select only certificates that employers can check"}
    assert db.session.scalar(select(func.count()).select_from(ShareLink)) == 0


def test_the_service_refuses_certificates_the_learner_cannot_share(learner, mentor):
    withdrawn = issue_module_certificate(learner, mentor)
    certificate_service.revoke_certificate(withdrawn, by=mentor, reason="Signed off by mistake")
    with pytest.raises(sharing.SharingError, match="Select only certificates"):
        sharing.create_share_link(
            learner,
            token=sharing.new_token(),
            certificate_ids=[withdrawn.public_id],
            label=None,
            last_day=None,
            actor=learner,
        )


# --- The learner's list and withdrawing ------------------------------------------------------------


def test_the_learner_sees_each_link_with_its_label_certificates_end_and_openings(app, learner_client, certificate):
    path, url = make_link(
        learner_client,
        [certificate],
        label=LABEL,
        last_day=["27", "3", str(date.today().year + 1)],
    )
    employer = app.test_client()
    employer.get(urlsplit(url).path)
    employer.get(urlsplit(url).path)

    soup = page(learner_client.get("/learner/share-links"))
    card = soup.select_one(".govuk-summary-card")
    assert card.select_one(".govuk-summary-card__title").get_text(strip=True) == LABEL
    rows = {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in card.select(".govuk-summary-list__row")
    }
    assert rows["Status"] == "Working"
    assert certificate.achievement_name in rows["Certificates"] and certificate.display_code in rows["Certificates"]
    assert rows["Works until"] == f"27 March {date.today().year + 1}"
    assert rows["Opened"].startswith("2 times, last on ")

    details = page(learner_client.get(path))
    times = details.select("table tbody tr")
    assert len(times) == 2
    assert "Opened 2 times" in details.get_text()


def test_only_the_learner_who_made_a_link_can_see_or_withdraw_it(app, learner_client, learner, certificate, mentor):
    path, _url = make_link(learner_client, [certificate])
    other = sign_in(app.test_client(), factories.make_learner())
    assert other.get(path).status_code == 404
    assert other.get(f"{path}/withdraw").status_code == 404
    token = page(other.get("/learner/share-links")).find("input", attrs={"name": "csrf_token"})["value"]
    assert other.post(f"{path}/withdraw", data={"csrf_token": token}).status_code == 404
    assert page(other.get("/learner/share-links")).select(".govuk-summary-card") == []
    staff = sign_in(app.test_client(), mentor)
    assert staff.get(path).status_code == 403
    assert app.test_client().get(path).status_code == 302  # signed out: sent to sign in
    link = db.session.scalar(select(ShareLink))
    db.session.refresh(link)
    assert not link.is_withdrawn


def test_withdrawing_asks_first_then_stops_the_link_once(app, learner_client, learner, certificate):
    path, url = make_link(learner_client, [certificate], label=LABEL)
    confirm = learner_client.get(f"{path}/withdraw")
    assert heading(confirm) == "Withdraw this share link?"
    link = db.session.scalar(select(ShareLink))
    assert not link.is_withdrawn  # looking at the question changes nothing

    token = page(confirm).find("input", attrs={"name": "csrf_token"})["value"]
    response = learner_client.post(f"{path}/withdraw", data={"csrf_token": token})
    assert location_path(response) == "/learner/share-links"
    assert any(
        "has been withdrawn" in message for message in flash_messages(learner_client.get("/learner/share-links"))
    )
    db.session.refresh(link)
    assert link.is_withdrawn
    again = learner_client.post(f"{path}/withdraw", data={"csrf_token": token})
    assert location_path(again) == path
    events = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("share_link.%"))).all()
    assert events == ["share_link.created", "share_link.withdrawn"]
    assert app.test_client().get(urlsplit(url).path).status_code == 410


# --- The public page -------------------------------------------------------------------------------


def test_an_employer_opens_the_link_signed_out_and_sees_the_certificate_checked(app, learner_client, certificate):
    _, url = make_link(learner_client, [certificate])
    response = app.test_client().get(urlsplit(url).path)
    assert response.status_code == 200
    assert heading(response) == "Certificates shared with you"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    soup = page(response)
    assert soup.find("h2", string=certificate.achievement_name) is not None
    assert [tag.get_text(strip=True) for tag in soup.select("main .govuk-tag")] == ["Valid"]
    text = soup.get_text(" ")
    assert certificate.recipient_name in text and certificate.display_code in text and ISSUER in text
    check = soup.find("a", href=f"{BASE_URL}/verify/{certificate.display_code}")
    assert check is not None
    assert db.session.scalar(select(func.count()).select_from(ShareLinkView)) == 1


def test_the_shared_page_shows_nothing_but_the_shared_certificates(app, learner_client, learner, mentor):
    shared = issue_module_certificate(learner, mentor)
    not_shared = issue_module_certificate(learner, mentor, another_module(title="Kept to myself"))
    later_hidden = issue_module_certificate(learner, mentor, another_module(title="Hidden later"))
    _, url = make_link(learner_client, [shared, later_hidden], label=LABEL)
    certificate_service.set_hidden(later_hidden, True, by=learner)
    db.session.flush()

    response = app.test_client().get(urlsplit(url).path)
    everything = _visible_text_and_attributes(response.get_data(as_text=True))
    assert shared.achievement_name in everything
    for secret in (
        ESTABLISHMENT,
        PRISON_NUMBER,
        "27 March 2027",
        "2027-03-27",
        LABEL,
        COHORT,
        not_shared.achievement_name,
        not_shared.display_code,
        later_hidden.achievement_name,
        later_hidden.display_code,
        str(learner.public_id),
        learner.username,
        mentor.display_name,
    ):
        assert secret not in everything, f"the shared page shows {secret!r}"
    assert app.test_client().get(f"{urlsplit(url).path}/{later_hidden.display_code}/certificate.pdf").status_code == 404


def test_a_certificate_withdrawn_after_sharing_shows_as_withdrawn_with_no_downloads(
    app, learner_client, mentor, certificate
):
    _, url = make_link(learner_client, [certificate])
    certificate_service.revoke_certificate(certificate, by=mentor, reason="Evidence was someone else's")
    db.session.flush()

    response = app.test_client().get(urlsplit(url).path)
    soup = page(response)
    assert [tag.get_text(strip=True) for tag in soup.select("main .govuk-tag")] == ["Withdrawn"]
    assert "This certificate was withdrawn on" in soup.get_text()
    assert "someone else" not in soup.get_text()
    assert soup.find("a", href=re.compile(r"\.(pdf|json|jwt)$")) is None
    for name in ("certificate.pdf", "credential.json", "credential.jwt"):
        assert app.test_client().get(f"{urlsplit(url).path}/{certificate.display_code}/{name}").status_code == 404


def test_a_certificate_edited_in_the_database_is_not_confirmed_and_offers_no_files(app, learner_client, certificate):
    _, url = make_link(learner_client, [certificate])
    certificate.achievement_name = "Chief technology officer"
    db.session.flush()

    soup = page(app.test_client().get(urlsplit(url).path))
    assert "We could not confirm this certificate" in soup.get_text()
    assert "Chief technology officer" not in soup.get_text()
    for name in ("certificate.pdf", "credential.json", "credential.jwt"):
        assert app.test_client().get(f"{urlsplit(url).path}/{certificate.display_code}/{name}").status_code == 404


def test_a_withdrawn_link_says_so_and_nothing_else(app, learner_client, learner, certificate):
    _path, url = make_link(learner_client, [certificate], label=LABEL)
    link = db.session.scalar(select(ShareLink))
    sharing.withdraw_share_link(link, actor=learner)
    db.session.flush()

    response = app.test_client().get(urlsplit(url).path)
    assert response.status_code == 410
    assert heading(response) == "This link has been withdrawn"
    assert "This link has been withdrawn by the person who shared it." in page(response).get_text()
    assert response.headers["Referrer-Policy"] == "no-referrer"
    everything = _visible_text_and_attributes(response.get_data(as_text=True))
    for secret in (certificate.achievement_name, certificate.display_code, certificate.recipient_name, LABEL):
        assert secret not in everything
    assert db.session.scalar(select(func.count()).select_from(ShareLinkView)) == 0
    for name in ("certificate.pdf", "credential.json", "credential.jwt"):
        assert app.test_client().get(f"{urlsplit(url).path}/{certificate.display_code}/{name}").status_code == 404


def test_an_expired_link_says_so_and_nothing_else(app, learner_client, certificate):
    today = sharing.today_in_uk()
    _, url = make_link(
        learner_client,
        [certificate],
        last_day=[str(today.day), str(today.month), str(today.year)],
    )
    employer = app.test_client()
    assert employer.get(urlsplit(url).path).status_code == 200  # works to the end of its last day
    link = db.session.scalar(select(ShareLink))
    assert sharing.last_day_of(link) == today
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()

    response = employer.get(urlsplit(url).path)
    assert response.status_code == 410
    assert heading(response) == "This link has expired"
    everything = _visible_text_and_attributes(response.get_data(as_text=True))
    assert certificate.achievement_name not in everything and certificate.recipient_name not in everything
    assert employer.get(f"{urlsplit(url).path}/{certificate.display_code}/certificate.pdf").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(ShareLinkView)) == 1


def test_a_link_ends_at_midnight_uk_time_after_its_last_day():
    assert sharing.expires_at_for(date(2026, 7, 1)) == datetime(2026, 7, 1, 23, 0, tzinfo=UTC)  # BST
    assert sharing.expires_at_for(date(2026, 12, 1)) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # GMT


def _main_text(response) -> str:
    soup = page(response)
    for reference in soup.select("#error-reference"):
        reference.decompose()
    return soup.select_one("main").get_text(" ", strip=True)


@pytest.mark.parametrize("token", ["x" * 43, sharing.new_token(), "short", "has spaces in it" * 3])
def test_an_unknown_token_gets_the_same_page_as_any_unknown_address(client, token):
    response = client.get(f"/share/{token}")
    unknown = client.get("/no-such-page")
    assert response.status_code == unknown.status_code == 404
    assert _main_text(response) == _main_text(unknown)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_guessing_tokens_meets_the_rate_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SHARE_RATE_LIMIT", "5 per minute")
    for _ in range(5):
        assert client.get(f"/share/{sharing.new_token()}").status_code == 404
    response = client.get(f"/share/{sharing.new_token()}")
    assert response.status_code == 429
    assert heading(response) == "Too many attempts"
    # The downloads share the allowance: switching to them gains nothing.
    assert client.get(f"/share/{sharing.new_token()}/SP-0000-0000-0000/certificate.pdf").status_code == 429


# --- Openings and downloads ------------------------------------------------------------------------


def test_each_opening_is_counted_but_downloads_are_not(app, learner_client, certificate):
    _path, url = make_link(learner_client, [certificate])
    employer = app.test_client()
    share = urlsplit(url).path
    employer.get(share)
    employer.get(share)
    for name in ("certificate.pdf", "credential.jwt"):
        assert employer.get(f"{share}/{certificate.display_code}/{name}").status_code == 200
    employer.head(share)
    learner_client.get(share)  # the learner checking their own link is not an opening
    views = db.session.scalars(select(ShareLinkView)).all()
    assert len(views) == 2
    assert all(set(ShareLinkView.__table__.columns.keys()) == {"id", "share_link_id", "opened_at"} for _ in views)


def test_the_shared_files_are_the_certificate_pdf_and_jwt(app, learner_client, certificate):
    _, url = make_link(learner_client, [certificate])
    base = f"{urlsplit(url).path}/{certificate.display_code}"
    employer = app.test_client()
    pdf = employer.get(f"{base}/certificate.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store" and pdf.headers["Referrer-Policy"] == "no-referrer"
    assert f"skillpath-certificate-{certificate.display_code}.pdf" in pdf.headers["Content-Disposition"]
    token = employer.get(f"{base}/credential.jwt")
    assert token.headers["Content-Disposition"].endswith(".jwt")
    assert token.get_data(as_text=True).count(".") == 2
    assert (
        employer.get(f"{base}/certificate.pdf".replace(certificate.display_code, "SP-0000-0000-0000")).status_code
        == 404
    )


def test_the_shared_json_ld_credential_carries_its_proof(app, learner_client, certificate):
    _, url = make_link(learner_client, [certificate])
    response = app.test_client().get(f"{urlsplit(url).path}/{certificate.display_code}/credential.json")
    assert response.status_code == 200
    assert response.mimetype == openbadges.JSONLD_MEDIA_TYPE
    assert response.headers["Content-Disposition"].endswith(".json")
    document = json.loads(response.data)
    assert "OpenBadgeCredential" in document["type"]
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    assert "eddsa-rdfc-2022" in {proof.get("cryptosuite") for proof in proofs}
    assert document["credentialSubject"]["achievement"]["name"] == certificate.achievement_name


# --- The learner's certificate page: downloads and LinkedIn ----------------------------------------


def test_the_certificate_page_offers_the_pdf_json_ld_and_jwt(learner_client, certificate):
    soup = page(learner_client.get(f"/learner/certificates/{certificate.public_id}"))
    base = f"/learner/certificates/{certificate.public_id}"
    hrefs = {a["href"] for a in soup.select("a.govuk-button")}
    assert {f"{base}/pdf", f"{base}/credential.json", f"{base}/credential"} <= hrefs
    response = learner_client.get(f"{base}/credential.json")
    assert response.mimetype == openbadges.JSONLD_MEDIA_TYPE
    assert "proof" in json.loads(response.data)


def test_add_to_linkedin_carries_the_certificate_and_never_a_prison(learner_client, certificate):
    soup = page(learner_client.get(f"/learner/certificates/{certificate.public_id}"))
    link = soup.find("a", string=re.compile("Add it to your LinkedIn profile"))
    parts = urlsplit(link["href"])
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    issued = certificate.issued_at.astimezone(sharing.UK)
    assert parse_qs(parts.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": [certificate.achievement_name],
        "organizationName": [ISSUER],
        "issueYear": [str(issued.year)],
        "issueMonth": [str(issued.month)],
        "certUrl": [f"{BASE_URL}/verify/{certificate.display_code}"],
        "certId": [certificate.display_code],
    }
    assert ESTABLISHMENT not in link["href"] and PRISON_NUMBER not in link["href"]


def test_linkedin_gets_the_month_the_certificate_was_issued_in_uk_time(certificate):
    content = certificate_service.content_of(certificate)
    late = type(content)(**{**content.__dict__, "issued_at": datetime(2026, 6, 30, 23, 30, tzinfo=UTC)})
    query = parse_qs(urlsplit(sharing.linkedin_add_url(late, verify_url="https://x.example/v")).query)
    assert query["issueYear"] == ["2026"] and query["issueMonth"] == ["7"]


def test_a_hidden_certificate_offers_no_share_link_and_no_linkedin(learner_client, learner, certificate):
    certificate_service.set_hidden(certificate, True, by=learner)
    db.session.flush()
    soup = page(learner_client.get(f"/learner/certificates/{certificate.public_id}"))
    assert soup.find("a", string=re.compile("Add it to your LinkedIn profile")) is None
    assert soup.find("a", string=re.compile("Make a share link")) is None
