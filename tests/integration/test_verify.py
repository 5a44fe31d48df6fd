"""The public check: the page, the form, the JSON API, posted credentials, status entries, keys and the profile.

An employer needs no account; codes cannot be guessed in bulk; a hidden
certificate is indistinguishable from a missing one; nothing shown reveals custody.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jsonschema
import jwt
import pytest
from pypdf import PdfReader
from sqlalchemy import event
from sqlalchemy.engine import Engine

from skillpath.extensions import db, limiter
from skillpath.i18n import format_date
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates.es256_keys import Es256KeyStore
from skillpath.services.certificates.signing import KeyStore, b64url_decode, b64url_encode
from tests.conftest import sign_in
from tests.helpers import error_summary, heading, location_path, page
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate

SPEC = Path(__file__).resolve().parents[1] / "data" / "openbadges-3.0"


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


@contextmanager
def sql_statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def _text(response) -> str:
    return page(response).get_text(" ", strip=True)


def _summary(response) -> dict[str, str]:
    soup = page(response)
    return {
        row.select_one(".govuk-summary-list__key").get_text(" ", strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in soup.select(".govuk-summary-list__row")
    }


def _download_credential(app, learner, certificate) -> str:
    client = sign_in(app.test_client(), learner)
    return client.get(f"/learner/certificates/{certificate.public_id}/credential").get_data(as_text=True)


# --- The page ----------------------------------------------------------------------------------------


def test_the_qr_link_shows_a_valid_certificate_and_everything_it_says(client, certificate):
    response = client.get(f"/verify/{certificate.display_code}")
    assert response.status_code == 200
    assert heading(response) == "This certificate is valid"
    assert _summary(response) == {
        "Name": certificate.recipient_name,
        "Achievement": "Helping users",
        "What it means": "Answer calls and messages, and fix common computer problems.",
        "Skills and levels": "Customer service: Awareness level User support: Working level",
        "Date issued": format_date(certificate.issued_at),
        "Issued by": ISSUER,
        "Certificate code": certificate.display_code,
    }
    assert "Set-Cookie" not in response.headers  # an employer's visit leaves nothing behind
    assert response.headers["Cache-Control"] == "no-store"


def test_codes_typed_loosely_go_to_the_one_address_of_the_certificate(client, certificate):
    canonical = f"/verify/{certificate.display_code}"
    for typed in (certificate.code.lower(), certificate.code, certificate.display_code.lower().replace("-", " ")):
        response = client.get("/verify", query_string={"code": typed})
        assert location_path(response) == canonical, typed
    response = client.get(f"/verify/{certificate.code.lower()}")
    assert location_path(response) == canonical


def test_the_form_asks_for_a_code_and_refuses_a_wrong_check_character_before_any_lookup(client, certificate):
    empty = client.get("/verify", query_string={"code": ""})
    assert error_summary(empty) == {"#code": "Enter the certificate code"}
    wrong = certificate.display_code[:-1] + ("A" if certificate.display_code[-1] != "A" else "B")
    with sql_statements() as statements:
        response = client.get("/verify", query_string={"code": wrong})
        on_path = client.get(f"/verify/{wrong}")
    typing_mistake = {"#code": service.code_mistake(wrong)}
    assert typing_mistake["#code"].startswith("The code has a typing mistake")
    assert error_summary(response) == typing_mistake
    assert response.status_code == 200 and page(response).find("title").get_text().startswith("Error:")
    assert on_path.status_code == 400 and error_summary(on_path) == typing_mistake
    assert not [s for s in statements if "certificates" in s], statements
    with sql_statements() as control:  # the listener does see the lookup of a well-formed code
        client.get(f"/verify/{certificate.display_code}")
    assert [s for s in control if "FROM certificates" in s]


def test_the_form_page_without_a_code_is_a_plain_form(client):
    response = client.get("/verify")
    assert response.status_code == 200
    assert heading(response) == "Check a certificate"
    assert page(response).select(".govuk-error-summary") == []


def test_not_found_and_hidden_by_the_learner_look_exactly_the_same(client, certificate):
    missing_code = service.format_code(service.new_code())
    certificate.hidden_at = service.utcnow()
    db.session.flush()
    hidden = client.get(f"/verify/{certificate.display_code}")
    missing = client.get(f"/verify/{missing_code}")
    assert hidden.status_code == missing.status_code == 404
    assert heading(hidden) == heading(missing) == "We could not find that certificate"

    def shape(response, code: str) -> str:
        html = response.get_data(as_text=True).replace(code, "CODE")
        return re.sub(r'nonce="[^"]+"', 'nonce=""', html)

    assert shape(hidden, certificate.display_code) == shape(missing, missing_code)
    assert dict(hidden.headers).keys() == dict(missing.headers).keys()
    api_hidden = client.get(f"/api/verify/{certificate.display_code}")
    api_missing = client.get(f"/api/verify/{missing_code}")
    assert api_hidden.status_code == api_missing.status_code == 404
    blank = {"code": "", "requestId": ""}
    assert {**api_hidden.get_json(), **blank} == {**api_missing.get_json(), **blank}


def test_a_withdrawn_certificate_says_when_but_never_why(client, certificate, mentor):
    service.revoke_certificate(certificate, by=mentor, reason="Evidence was copied")
    db.session.flush()
    response = client.get(f"/verify/{certificate.display_code}")
    assert response.status_code == 200
    assert heading(response) == "This certificate has been withdrawn"
    assert f"This certificate was withdrawn on {format_date(certificate.revoked_at)}" in _text(response)
    assert _summary(response)["Name"] == certificate.recipient_name
    assert "copied" not in response.get_data(as_text=True)
    api = client.get(f"/api/verify/{certificate.display_code}").get_json()
    assert api["status"] == "revoked" and api["revokedAt"] and "copied" not in json.dumps(api)


def test_a_page_seen_before_shows_a_withdrawal_at_once_and_every_response_has_its_own_nonce(
    client, certificate, mentor
):
    url = f"/verify/{certificate.display_code}"
    first, second = client.get(url), client.get(url)  # the second is served from the rendered pages

    def nonces(response) -> tuple[str, set[str]]:
        header = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"])
        assert header is not None
        return header.group(1), set(re.findall(r'nonce="([^"]+)"', response.get_data(as_text=True)))

    for response in (first, second):
        in_header, in_page = nonces(response)
        assert in_page == {in_header}
    assert nonces(first)[0] != nonces(second)[0]
    assert heading(second) == "This certificate is valid"

    service.revoke_certificate(certificate, by=mentor, reason="Issued in error")
    db.session.flush()
    assert heading(client.get(url)) == "This certificate has been withdrawn"


def test_a_certificate_edited_in_the_database_is_not_confirmed(client, certificate):
    certificate.recipient_name = certificate.recipient_name + "x"  # one changed byte
    db.session.flush()
    response = client.get(f"/verify/{certificate.display_code}")
    assert response.status_code == 409
    assert heading(response) == "We could not confirm this certificate"
    api = client.get(f"/api/verify/{certificate.display_code}")
    assert api.status_code == 409 and api.get_json()["type"] == f"{BASE_URL}/api/problems/certificate-not-confirmed"


def test_a_burst_of_wrong_guesses_meets_the_rate_limit(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "5 per minute")
    guesses = [service.format_code(service.new_code()) for _ in range(6)]
    for guess in guesses[:5]:
        assert client.get(f"/verify/{guess}").status_code == 404
    response = client.get(f"/verify/{guesses[5]}")
    assert response.status_code == 429
    assert heading(response) == "Too many attempts"
    # The form, the API and posted credentials share the allowance: switching gains nothing.
    assert client.get("/verify", query_string={"code": guesses[0]}).status_code == 429
    api = client.get(f"/api/verify/{guesses[0]}")
    assert api.status_code == 429 and api.mimetype == "application/problem+json" and api.get_json()["status"] == 429
    assert client.post("/api/verify", data="x", content_type="application/vc+jwt").status_code == 429
    # The empty form and the issuer's keys are never limited.
    assert client.get("/verify").status_code == 200
    assert client.get("/.well-known/jwks.json").status_code == 200


def test_a_check_is_counted_once_by_its_view_alone(app, client, monkeypatch):
    # Every limit is on a view, so the limiter's own check before every request is taken out (it would walk the
    # limits a second time); each check still takes exactly one from the allowance.
    assert limiter._check_request_limit not in app.before_request_funcs[None]
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 404
    assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 429


def test_every_limit_the_setting_gives_is_counted(app, client, monkeypatch):
    # A minute's allowance and a longer one: the longer one refuses once used up, though the minute's is not.
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "100 per minute; 3 per hour")
    for _ in range(3):
        assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 404
    refused = client.get(f"/verify/{service.format_code(service.new_code())}")
    assert refused.status_code == 429 and 60 < int(refused.headers["Retry-After"]) <= 3600


# --- The JSON API for employers' systems ----------------------------------------------------------


def test_the_json_check_by_code(client, certificate, issuer):
    response = client.get(f"/api/verify/{certificate.code.lower()}")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    data = response.get_json()
    assert data["status"] == "valid"
    assert data["certificate"] == {
        "code": certificate.display_code,
        "recipientName": certificate.recipient_name,
        "achievement": {"name": "Helping users", "description": certificate.achievement_description},
        "skills": [{"skill": "Customer service", "level": "awareness"}, {"skill": "User support", "level": "working"}],
        "issuer": {"name": ISSUER, "id": f"{BASE_URL}/issuer"},
        "issuedAt": certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert data["signature"]["keyId"] == issuer.current_kid()
    assert data["verificationUrl"] == f"{BASE_URL}/verify/{certificate.display_code}"

    invalid = client.get("/api/verify/SP-0000-0000-0001")
    assert invalid.status_code == 400 and invalid.mimetype == "application/problem+json"
    assert invalid.get_json()["type"] == f"{BASE_URL}/api/problems/invalid-code"
    assert invalid.get_json()["detail"].startswith("The code has a typing mistake")


def test_a_posted_credential_is_checked_and_its_status_reported(app, client, learner, certificate, mentor):
    token = _download_credential(app, learner, certificate)
    response = client.post("/api/verify", data=token, content_type="application/vc+jwt")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "valid"
    as_json = client.post("/api/verify", json={"credential": token})
    assert as_json.get_json()["status"] == "valid"

    service.revoke_certificate(certificate, by=mentor, reason="Issued in error")
    db.session.flush()
    revoked = client.post("/api/verify", data=token, content_type="application/vc+jwt").get_json()
    assert revoked["status"] == "revoked" and "revokedAt" in revoked


def test_a_tampered_credential_fails_with_a_clear_reason(app, client, learner, certificate):
    token = _download_credential(app, learner, certificate)
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["achievement"]["alignment"][1]["targetCode"] = "expert"
    forged = f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"
    response = client.post("/api/verify", data=forged, content_type="application/vc+jwt")
    assert response.status_code == 422
    assert response.get_json()["detail"] == (
        "The signature does not match: the credential has been changed since it was issued."
    )
    nothing = client.post("/api/verify", data="", content_type="application/vc+jwt")
    assert nothing.status_code == 400 and "application/vc+jwt" in nothing.get_json()["detail"]


def test_a_posted_credential_of_a_hidden_certificate_is_not_found(app, client, learner, certificate):
    token = _download_credential(app, learner, certificate)
    certificate.hidden_at = service.utcnow()
    db.session.flush()
    response = client.post("/api/verify", data=token, content_type="application/vc+jwt")
    assert response.status_code == 422 and response.get_json()["detail"].startswith("There is no certificate")


# --- Open Badges 3.0 ----------------------------------------------------------------------------------


def _schema(name: str) -> dict:
    path = SPEC / name
    if not path.is_file():
        pytest.fail(f"The Open Badges 3.0 schema is missing: expected {path}")
    return json.loads(path.read_text())


def _validate(instance: dict, schema_name: str) -> None:
    schema = _schema(schema_name)
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft201909Validator
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_downloaded_credential_is_a_valid_open_badge_3_credential(app, learner, certificate, issuer):
    token = _download_credential(app, learner, certificate)
    es256 = Es256KeyStore(issuer.folder)
    claims = jwt.decode(token, es256.public_key(es256.current_kid()), algorithms=["ES256"])
    credential = {key: value for key, value in claims.items() if key not in {"iss", "sub", "jti", "nbf", "iat"}}
    _validate(credential, "achievementcredential.schema.json")

    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": f"{BASE_URL}/issuer",
        "type": ["Profile"],
        "name": ISSUER,
        "url": f"{BASE_URL}/",
    }
    subject = credential["credentialSubject"]
    assert subject["identifier"][0]["identityHash"] == certificate.recipient_name
    alignments = subject["achievement"]["alignment"]
    assert [(a["targetName"], a["targetCode"]) for a in alignments] == [
        ("Customer service", "awareness"),
        ("User support", "working"),
    ]
    assert all(
        a["targetFramework"] == "Government Digital and Data Profession Capability Framework" for a in alignments
    )
    assert [r["value"] for r in subject["result"]] == ["awareness", "working"]
    # Its status lists are signed by the JSON-LD credentials' did:key issuers, which a JWT's verifier would refuse.
    assert "credentialStatus" not in credential
    assert claims["iss"] == f"{BASE_URL}/issuer" and claims["jti"] == credential["id"]


def test_the_issuer_profile_and_keys_are_published(client, certificate, issuer):
    profile = client.get("/issuer")
    assert profile.status_code == 200
    data = profile.get_json()
    _validate(data, "profile.schema.json")
    assert data["id"] == f"{BASE_URL}/issuer" and data["name"] == ISSUER and data["type"] == ["Profile"]
    keys = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert certificate.key_id in [key["kid"] for key in keys]


# --- Nothing that reveals custody ---------------------------------------------------------------------


def test_nothing_an_employer_can_see_names_the_establishment_or_the_prison_number(
    app, client, learner, certificate, cohort
):
    profile = learner.learner_profile
    establishment = profile.establishment.name
    prison_number = profile.prison_number
    assert establishment.startswith("HMP") and prison_number == "A1234BC"
    secrets = [establishment, prison_number, cohort.name, learner.username]

    token = _download_credential(app, learner, certificate)
    own = sign_in(app.test_client(), learner)
    pdf_text = PdfReader(io.BytesIO(own.get(f"/learner/certificates/{certificate.public_id}/pdf").data)).pages[0]
    seen = {
        "verification page": client.get(f"/verify/{certificate.display_code}").get_data(as_text=True),
        "JSON check": client.get(f"/api/verify/{certificate.display_code}").get_data(as_text=True),
        "posted credential check": client.post("/api/verify", data=token, content_type="application/jwt").get_data(
            as_text=True
        ),
        "issuer profile": client.get("/issuer").get_data(as_text=True),
        "PDF text": pdf_text.extract_text(),
        "credential": json.dumps(jwt.decode(token, options={"verify_signature": False}), ensure_ascii=False),
        "credential header": json.dumps(jwt.get_unverified_header(token)),
    }
    for where, text in seen.items():
        for secret in secrets:
            assert secret.lower() not in text.lower(), f"{secret!r} appears in the {where}"
        assert "hmp" not in text.lower() and "prison" not in text.lower(), where
