"""An employer uploads a credential file on the verification page: whether it can be trusted, and why not.

Both files a learner can hand over are accepted: the JSON-LD credential with its
proof (.json) and the VC-JWT (.jwt). The answer says in plain words whether the
signature holds, whether the certificate was withdrawn (and when), and what it
certifies, or exactly why the file cannot be trusted. Never a 500, never custody.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest

from skillpath.extensions import db, limiter
from skillpath.i18n import format_date
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import credential_files, openbadges, vc_jwt
from skillpath.services.certificates.signing import KeyStore, b64url_decode, b64url_encode
from tests.helpers import error_summary, heading, page
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate
from tests.integration.test_public_api import _resigned


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> Iterator[KeyStore]:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield KeyStore(tmp_path / "keys")
    limiter.reset()


@pytest.fixture
def certificate(learner, mentor):
    return issue_module_certificate(learner, mentor)


def _token(client) -> str:
    field = page(client.get("/verify")).select_one("form[enctype='multipart/form-data'] input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def upload(client, data: bytes | str, filename: str = "credential.json", *, token: str | None = None):
    body = data.encode("utf-8", errors="surrogatepass") if isinstance(data, str) else data
    form = {"csrf_token": token if token is not None else _token(client), "credential": (io.BytesIO(body), filename)}
    return client.post("/verify/check-file", data=form, content_type="multipart/form-data")


def _text(response) -> str:
    return page(response).get_text(" ", strip=True)


def _reason(response) -> str:
    reason = page(response).select_one("#reason")
    assert reason is not None, _text(response)
    return reason.get_text(" ", strip=True)


def _summary(response) -> dict[str, str]:
    return {
        row.select_one(".govuk-summary-list__key").get_text(" ", strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in page(response).select(".govuk-summary-list__row")
    }


def test_the_page_offers_a_gov_uk_file_upload_with_csrf_beside_the_code_form(client):
    response = client.get("/verify")
    soup = page(response)
    form = soup.select_one("form[enctype='multipart/form-data']")
    assert form is not None and form["method"] == "post" and form["action"] == "/verify/check-file"
    assert form.select_one("input[name=csrf_token]")["value"]
    upload_input = form.select_one("input[type=file].govuk-file-upload")
    assert upload_input is not None and ".jwt" in upload_input["accept"] and ".json" in upload_input["accept"]
    assert soup.select_one(f"label[for={upload_input['id']}]").get_text(strip=True) == "Upload a credential file"
    assert soup.select_one("form[method=get] input[name=code]") is not None
    assert soup.select_one("a[href='/api/openapi.json']") is not None


@pytest.mark.parametrize("kind", ["json", "jwt"])
def test_a_genuine_file_is_valid_and_says_what_it_certifies(client, certificate, kind):
    data = (
        json.dumps(openbadges.jsonld_credential(certificate)) if kind == "json" else vc_jwt.credential_jwt(certificate)
    )
    response = upload(client, data, f"skillpath-certificate.{kind}")
    assert response.status_code == 200
    assert heading(response) == "This credential is valid"
    assert "The signature holds and the certificate has not been withdrawn" in _text(response)
    assert _summary(response) == {
        "Name": certificate.recipient_name,
        "Achievement": "Helping users",
        "What it means": "Answer calls and messages, and fix common computer problems.",
        "Skills and levels": "Customer service: Awareness level User support: Working level",
        "Date issued": format_date(certificate.issued_at),
        "Issued by": ISSUER,
        "Certificate code": certificate.display_code,
    }
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", ["json", "jwt"])
def test_a_withdrawn_certificate_says_so_and_when_but_never_why(client, certificate, mentor, kind):
    data = (
        json.dumps(openbadges.jsonld_credential(certificate)) if kind == "json" else vc_jwt.credential_jwt(certificate)
    )
    service.revoke_certificate(certificate, by=mentor, reason="Evidence was copied")
    db.session.flush()
    response = upload(client, data, f"skillpath-certificate.{kind}")
    assert response.status_code == 200
    assert heading(response) == "This certificate has been withdrawn"
    text = _text(response)
    assert "The credential’s signature holds" in text
    assert f"withdrawn on {format_date(certificate.revoked_at)}" in text
    assert _summary(response)["Name"] == certificate.recipient_name
    assert "copied" not in response.get_data(as_text=True)


def _changed_json(certificate) -> str:
    document = openbadges.jsonld_credential(certificate)
    text = json.dumps(document)
    name = certificate.recipient_name
    return text.replace(name, name[:-1] + ("x" if name[-1] != "x" else "y"), 1)  # one changed character


def _changed_jwt(certificate) -> str:
    header, payload, signature = vc_jwt.credential_jwt(certificate).split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "expert"
    return f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"


def _without_proof(certificate) -> str:
    document = openbadges.jsonld_credential(certificate)
    del document["proof"]
    return json.dumps(document)


def _unknown_context(certificate) -> str:
    document = openbadges.jsonld_credential(certificate)
    document["@context"].append("https://contexts.example/evil.jsonld")
    return json.dumps(document)


def _another_issuer(certificate) -> str:
    document = openbadges.jsonld_credential(certificate)
    document["issuer"]["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    return json.dumps(document)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (_changed_json, "signature"),
        (_changed_jwt, vc_jwt.ALTERED),
        (_without_proof, "proof"),
        (_unknown_context, "context"),
        (_another_issuer, "issuer"),
        (lambda _: "Dear employer, this person is great.", credential_files.NOT_A_CREDENTIAL),
        (lambda _: b"\x89PNG\r\n\x1a\n\xff\xfe", credential_files.NOT_TEXT),
        (lambda _: "[" * 40 + "]" * 40, credential_files.TOO_DEEP),
        (lambda _: "[" * 20000, credential_files.TOO_DEEP),
        (lambda _: '{"@context": ', credential_files.BROKEN_JSON),
        (lambda _: "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", vc_jwt.WRONG_ALGORITHM),
    ],
)
def test_a_file_that_cannot_be_trusted_says_exactly_why(client, certificate, make, says):
    response = upload(client, make(certificate))
    assert response.status_code == 200
    assert heading(response) == "This credential cannot be trusted"
    assert says.lower() in _reason(response).lower()
    assert page(response).select(".govuk-summary-list") == []  # nothing it claims is shown as fact


def test_an_expired_credential_says_when_it_expired(client, certificate, issuer):
    def expired(claims) -> None:
        claims["validUntil"] = "2020-01-01T00:00:00Z"

    response = upload(client, _resigned(vc_jwt.credential_jwt(certificate), expired), "old.jwt")
    assert _reason(response) == "This credential expired on 1 January 2020."
    assert "The signature holds, but" in _text(response)


def test_the_form_asks_for_a_file_and_refuses_one_too_large_or_empty(client):
    token = _token(client)
    nothing = client.post("/verify/check-file", data={"csrf_token": token}, content_type="multipart/form-data")
    assert nothing.status_code == 200
    assert error_summary(nothing) == {"#credential": "Select a credential file"}
    assert page(nothing).title.get_text().startswith("Error:")
    empty = upload(client, b"", token=token)
    assert empty.status_code == 200 and error_summary(empty) == {"#credential": "The selected file is empty"}
    large = upload(client, b" " * (credential_files.MAX_CREDENTIAL_BYTES + 1), token=token)
    assert large.status_code == 200
    assert error_summary(large) == {"#credential": "The selected file must be smaller than 64 KB"}


def test_an_upload_without_the_csrf_token_is_refused(client, certificate):
    response = upload(client, vc_jwt.credential_jwt(certificate), token="")
    assert response.status_code == 400
    assert heading(response) != "This credential is valid"


def test_uploads_share_the_allowance_of_every_other_check(app, client, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "2 per minute")
    token = _token(client)
    for _ in range(2):
        assert upload(client, "x", token=token).status_code == 200
    assert upload(client, "x", token=token).status_code == 429
    assert client.get(f"/api/verify/{certificate.display_code}").status_code == 429


def test_the_answer_never_shows_custody_details(client, learner, certificate, cohort):
    profile = learner.learner_profile
    secrets = [profile.establishment.name, profile.prison_number, cohort.name, learner.username]
    for data in (json.dumps(openbadges.jsonld_credential(certificate)), vc_jwt.credential_jwt(certificate)):
        html = upload(client, data).get_data(as_text=True).lower()
        for secret in secrets:
            assert secret.lower() not in html
        assert "prison" not in html and "hmp" not in html


# --- Hostile input: never a 500, on the page or the API -----------------------------------------------

HOSTILE_BODIES = [
    b"",
    b"\x00\x01\x02",
    b"\xff\xfe\xfd",
    b"null",
    b"123",
    b'"a string"',
    b"[]",
    b"{}",
    b'{"@context": 12}',
    b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential"}',
    b'{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential", "OpenBadgeCredential"]}',
    b'{"@context": {"@vocab": "https://evil.example/"}}',
    b'{"credential": null}',
    b'{"credential": ["a"]}',
    b'{"credential": "\\ud800"}',
    b'{"name": "\\udfff"}',
    b'{"a": NaN}',
    b"[" * 100_000,
    b"{" * 50_000,
    b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
    b"x" * (credential_files.MAX_CREDENTIAL_BYTES + 10),
    b"a.b.c",
    b"...",
    b"eyJ.eyJ.x",
    b"eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln",
    b"eyJhbGciOiJFUzI1NiIsImtpZCI6MTJ9.e30.c2ln",  # kid is a number
    b"eyJhbGciOiJFUzI1NiIsImtpZCI6WzFdfQ.W10.c2ln",  # kid is a list, payload a list
    b"e30.e30.e30",
    b"\xef\xbb\xbf{}",  # a byte-order mark
]


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=[f"body{number}" for number in range(len(HOSTILE_BODIES))])
def test_hostile_uploads_get_a_plain_answer_never_an_error(client, body):
    response = upload(client, body)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert heading(response) in {"This credential cannot be trusted", "Check a certificate"}


@pytest.mark.parametrize(
    "media_type",
    [
        "application/jwt",
        "application/vc+jwt",
        "text/plain",
        "application/json",
        "application/ld+json",
        "application/vc+ld+json",
        "application/octet-stream",
        "multipart/form-data",
        "",
    ],
)
def test_hostile_bodies_posted_to_the_api_get_problem_details_never_an_error(client, media_type):
    for body in HOSTILE_BODIES:
        response = client.post("/api/verify", data=body, content_type=media_type or None)
        assert 400 <= response.status_code < 500, (body[:40], response.status_code)
        assert response.mimetype == "application/problem+json", (body[:40], response.mimetype)
        problem = response.get_json()
        assert problem["status"] == response.status_code and problem["detail"]
