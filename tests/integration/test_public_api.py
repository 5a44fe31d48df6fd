"""The public API other software uses: the VC-JWT (ES256), verify by code or by credential, keys, CORS,
problem details, and the OpenAPI 3.1 document every response here is checked against.

A second JOSE library (joserfc, not PyJWT which signs) verifies the JWT, as an
employer's system or the 1EdTech validator would: fetching the key its `kid` names.
"""

from __future__ import annotations

import copy
import json
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, KeySet
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.deserializing.media_types.util import json_loads
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from werkzeug.test import EnvironBuilder

from skillpath.extensions import db, limiter
from skillpath.i18n import format_date
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import credential_files, openbadges, vc_jwt
from skillpath.services.certificates.es256_keys import Es256KeyStore, app_es256_store, thumbprint
from skillpath.services.certificates.signing import KeyStore, b64url_decode, b64url_encode, did_key, signing_key
from tests.helpers import heading
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate

SPEC = Path(__file__).resolve().parents[2] / "tests" / "data" / "openbadges-3.0"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> Iterator[KeyStore]:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield KeyStore(tmp_path / "keys")
    limiter.reset()


@pytest.fixture
def es256(tmp_path) -> Es256KeyStore:
    return Es256KeyStore(tmp_path / "keys")


@pytest.fixture
def certificate(learner, mentor):
    return issue_module_certificate(learner, mentor)


# --- Every response checked against the OpenAPI document ------------------------------------------


@pytest.fixture
def openapi(client) -> OpenAPI:
    document = client.get("/api/openapi.json").get_json()
    local = copy.deepcopy(document)
    local["servers"] = [{"url": "http://localhost"}]  # the test client's host, so paths match
    # openapi-core reads only a few JSON media types as JSON; ours all are (RFC 6839 +json suffixes).
    json_types = {
        "application/problem+json",
        "application/jwk+json",
        "application/jwk-set+json",
        "application/ld+json",
        "application/vc+ld+json",
        "application/vnd.oai.openapi+json",
    }
    config = Config(extra_media_type_deserializers=dict.fromkeys(json_types, json_loads))
    return OpenAPI.from_dict(local, config=config)


@pytest.fixture
def api(client, openapi):
    """Send a request with the test client and check the response against the OpenAPI document."""

    def send(method: str, path: str, **kwargs):
        response = client.open(path, method=method, **kwargs)
        # The app read the request body: give the validator a request of its own to read.
        request = EnvironBuilder(path=path, method=method, **kwargs).get_request()
        openapi.validate_response(WerkzeugOpenAPIRequest(request), WerkzeugOpenAPIResponse(response))
        return response

    return send


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= body.keys() and body["status"] == status
    assert body["detail"] and body["detail"][0].isupper()
    return body


def test_the_openapi_document_is_valid_openapi_3_1_and_names_this_server(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oai.openapi+json"
    document = response.get_json()
    validate(document, cls=OpenAPIV31SpecValidator)
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": BASE_URL}]
    assert {
        "/api/verify/{code}",
        "/api/verify",
        "/credentials/status/{listId}/{keyId}",
        "/issuer",
        "/.well-known/jwks.json",
        "/issuer/keys/{kid}",
    } <= document["paths"].keys()
    posted = document["paths"]["/api/verify"]["post"]["requestBody"]["content"]
    assert set(posted) == {
        "application/jwt",
        "application/vc+jwt",
        "text/plain",
        "application/json",
        "application/vc+ld+json",
        "application/ld+json",
    }


# --- The VC-JWT -------------------------------------------------------------------------------------


def _claims(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[1]))


def _header(token: str) -> dict:
    return json.loads(b64url_decode(token.split(".")[0]))


def test_the_vc_jwt_is_es256_and_a_second_jose_library_verifies_it_with_the_key_its_kid_names(api, certificate, es256):
    token = vc_jwt.credential_jwt(certificate)
    header = _header(token)
    kid = es256.current_kid()
    assert header == {"alg": "ES256", "typ": "JWT", "kid": f"{BASE_URL}/issuer/keys/{kid}"}

    # Fetch the key as the validator does: the kid is a URL returning that one key.
    key_response = api("GET", urlsplit(header["kid"]).path)
    assert key_response.status_code == 200 and key_response.mimetype == "application/jwk+json"
    jwk = key_response.get_json()
    assert jwk["kty"] == "EC" and jwk["crv"] == "P-256" and jwk["kid"] == header["kid"] and "d" not in jwk
    verified = jose_jwt.decode(token, ECKey.import_key(jwk), algorithms=["ES256"])
    claims = verified.claims

    credential = {name: value for name, value in claims.items() if name not in {"iss", "sub", "jti", "nbf", "iat"}}
    _validate(credential, "achievementcredential.schema.json")
    assert claims["iss"] == credential["issuer"]["id"] == f"{BASE_URL}/issuer"
    assert claims["sub"] == credential["credentialSubject"]["id"] == openbadges.subject_id(certificate)
    assert claims["jti"] == credential["id"] == f"{BASE_URL}/verify/{certificate.display_code}"
    assert claims["nbf"] == int(certificate.issued_at.timestamp())
    assert abs(claims["iat"] - datetime.now(UTC).timestamp()) < 60
    assert "exp" not in claims  # SkillPath certificates have no validUntil

    # The same, finding the key in the published JWKS by its kid.
    key_set = KeySet.import_key_set(api("GET", "/.well-known/jwks.json").get_json())
    assert jose_jwt.decode(token, key_set, algorithms=["ES256"]).claims == claims
    with pytest.raises(BadSignatureError):
        jose_jwt.decode(_with_claims(token, recipient="Someone Else"), key_set, algorithms=["ES256"])


def _validate(instance: dict, schema_name: str) -> None:
    schema = json.loads((SPEC / schema_name).read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def _with_claims(token: str, *, recipient: str) -> str:
    """The token with its recipient's name changed and its signature left alone: a forgery."""
    header, _, signature = token.split(".")
    claims = _claims(token)
    claims["credentialSubject"]["identifier"][0]["identityHash"] = recipient
    return f"{header}.{b64url_encode(json.dumps(claims).encode())}.{signature}"


def _resigned(token: str, change) -> str:
    """The token's claims, changed, then signed again with the issuer's own current ES256 key."""
    claims = _claims(token)
    change(claims)
    own = app_es256_store().current()
    return jwt.encode(
        claims, own.private_key, algorithm="ES256", headers={"kid": vc_jwt.key_url(own.kid), "typ": "JWT"}
    )


def test_keys_generate_makes_both_kinds_private_and_rotation_keeps_old_jwts_checking(app, api, certificate, tmp_path):
    folder = tmp_path / "keys"
    output = app.test_cli_runner().invoke(args=["keys", "generate"]).output
    es256 = Es256KeyStore(folder)
    first = es256.current_kid()
    assert first is not None and f"ES256 signing key in {folder} (key id {first})" in output
    assert stat.S_IMODE((folder / f"es256-{first}.pem").stat().st_mode) == 0o600
    old_token = vc_jwt.credential_jwt(certificate)

    rotated = app.test_cli_runner().invoke(args=["keys", "rotate"]).output
    second = es256.current_kid()
    assert second != first and f"Key {first} still checks what it signed" in rotated
    new_token = vc_jwt.credential_jwt(certificate)
    assert _header(new_token)["kid"].endswith(second)
    for token in (old_token, new_token):
        assert vc_jwt.check_jwt_credential(token).ok
        assert api("POST", "/api/verify", data=token, content_type="application/jwt").get_json()["status"] == "valid"
    published = [key["kid"] for key in api("GET", "/.well-known/jwks.json").get_json()["keys"] if key["kty"] == "EC"]
    assert published == [vc_jwt.key_url(second), vc_jwt.key_url(first)]
    listing = app.test_cli_runner().invoke(args=["keys", "list"]).output
    assert f"current  {second}  ES256" in listing and f"older    {first}  ES256" in listing


def _stranger_es256(claims_from: str, kid: str) -> str:
    stranger = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(claims_from), stranger, algorithm="ES256", headers={"kid": kid, "typ": "JWT"})


def test_jwts_not_signed_by_our_es256_keys_are_refused_with_a_plain_reason(certificate, issuer, es256):
    token = vc_jwt.credential_jwt(certificate)
    claims = _claims(token)
    stranger = ec.generate_private_key(ec.SECP256R1())
    our_kid = _header(token)["kid"]
    ed25519 = signing_key()
    cases = {
        "not a JWT": ("hello", vc_jwt.UNREADABLE),
        "changed after signing": (_with_claims(token, recipient="Someone Else"), vc_jwt.ALTERED),
        "a stranger's key under our kid": (_stranger_es256(token, our_kid), vc_jwt.ALTERED),
        "a kid of ours that is no key": (
            _stranger_es256(token, vc_jwt.key_url(thumbprint(stranger.public_key()))),
            vc_jwt.NOT_OUR_KEY,
        ),
        "a kid pointing elsewhere": (
            _stranger_es256(token, "https://attacker.example/keys/" + es256.current_kid()),
            vc_jwt.KEY_ELSEWHERE,
        ),
        "a bare key id": (_stranger_es256(token, es256.current_kid()), vc_jwt.KEY_ELSEWHERE),
        "alg none": (jwt.encode(claims, None, algorithm="none", headers={"kid": our_kid}), vc_jwt.WRONG_ALGORITHM),
        # The public key as an HMAC secret: the classic algorithm confusion.
        "HS256": (
            jwt.encode(claims, vc_jwt.public_jwk(es256.current_kid())["x"], algorithm="HS256"),
            vc_jwt.WRONG_ALGORITHM,
        ),
        "EdDSA by a stranger": (
            jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": "x" * 43}),
            vc_jwt.WRONG_ALGORITHM,
        ),
        "EdDSA by our old JWT key": (
            jwt.encode(claims, ed25519.private_key, algorithm="EdDSA", headers={"kid": ed25519.kid}),
            vc_jwt.OLD_FORMAT,
        ),
    }
    for case, (bad, reason) in cases.items():
        check = vc_jwt.check_jwt_credential(bad)
        assert not check.ok and not check.signature_valid and check.problem == reason, case
        assert check.certifies is None and check.code is None, case


def _other_issuer(claims) -> None:
    claims["issuer"]["id"] = claims["iss"] = "https://another-issuer.example/issuer"


def _other_iss(claims) -> None:
    claims["iss"] = "https://another-issuer.example/issuer"


def _other_subject(claims) -> None:
    claims["sub"] = "urn:uuid:00000000-0000-0000-0000-000000000000"


def _expired(claims) -> None:
    claims["validUntil"] = "2020-01-01T00:00:00Z"


def _jwt_expired(claims) -> None:
    claims["exp"] = 1577836800


def _unreadable_date(claims) -> None:
    claims["validUntil"] = "13/45/2020"


def _not_yet(claims) -> None:
    claims["validFrom"] = "2099-01-01T00:00:00Z"


def _no_jti(claims) -> None:
    del claims["jti"]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_other_issuer, vc_jwt.ANOTHER_ISSUER),
        (_other_iss, vc_jwt.ANOTHER_ISSUER),
        (_other_subject, vc_jwt.ANOTHER_SUBJECT),
        (_expired, "This credential expired on 1 January 2020."),
        (_jwt_expired, "This credential has expired."),
        (_unreadable_date, "The credential’s validUntil date cannot be read."),
        (_not_yet, vc_jwt.NOT_VALID_YET),
        (_no_jti, "The credential is missing its “jti” claim, so it cannot be checked."),
    ],
)
def test_a_jwt_signed_with_our_key_is_still_refused_when_its_claims_are_wrong(certificate, change, reason):
    check = vc_jwt.check_jwt_credential(_resigned(vc_jwt.credential_jwt(certificate), change))
    assert not check.ok and check.problem == reason


def _identifier_text(claims) -> None:
    claims["credentialSubject"]["identifier"] = "Jo"


def _identifier_lists(claims) -> None:
    claims["credentialSubject"]["identifier"] = [["Jo"]]


def _alignment_text(claims) -> None:
    claims["credentialSubject"]["achievement"]["alignment"] = ["x"]


def _subject_text(claims) -> None:
    claims["credentialSubject"] = "Jo"
    del claims["sub"]


def _jti_number(claims) -> None:
    claims["jti"] = 5


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (_identifier_text, vc_jwt.NOT_OUR_RECORD),
        (_identifier_lists, vc_jwt.NOT_OUR_RECORD),
        (_alignment_text, vc_jwt.NOT_OUR_RECORD),
        (_subject_text, vc_jwt.ANOTHER_SUBJECT),
        (_jti_number, vc_jwt.UNREADABLE),  # PyJWT refuses a jti that is not text
    ],
)
def test_shapes_we_never_issue_signed_with_our_own_key_get_a_plain_answer(api, certificate, change, reason):
    token = _resigned(vc_jwt.credential_jwt(certificate), change)
    assert vc_jwt.check_jwt_credential(token).problem == reason
    response = api("POST", "/api/verify", data=token, content_type="application/jwt")
    assert _is_problem(response, 422)["detail"] == reason


def test_a_check_that_fails_unexpectedly_still_answers_plainly(api, certificate, monkeypatch):
    token = vc_jwt.credential_jwt(certificate)

    def broken(*_args, **_kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(vc_jwt, "claims_problem", broken)
    assert vc_jwt.check_jwt_credential(token).problem == vc_jwt.CANNOT_CHECK
    _is_problem(api("POST", "/api/verify", data=token, content_type="application/jwt"), 422)


def test_a_jwt_reports_withdrawal_hiding_and_an_edited_record_from_our_database(certificate, mentor):
    token = vc_jwt.credential_jwt(certificate)
    check = vc_jwt.check_jwt_credential(token)
    assert check.ok and check.signature_valid and check.withdrawn is False and check.problem is None
    assert check.code == certificate.display_code
    assert check.certifies is not None and check.certifies["recipientName"] == certificate.recipient_name
    assert check.certifies["issuer"] == {"name": ISSUER, "id": f"{BASE_URL}/issuer"}

    service.revoke_certificate(certificate, by=mentor, reason="Issued in error")
    db.session.flush()
    withdrawn = vc_jwt.check_jwt_credential(token)
    assert not withdrawn.ok and withdrawn.signature_valid and withdrawn.withdrawn is True
    assert withdrawn.withdrawn_at == certificate.revoked_at
    assert withdrawn.problem == f"This certificate was withdrawn on {format_date(certificate.revoked_at)}."

    certificate.recipient_name += "x"
    db.session.flush()
    assert vc_jwt.check_jwt_credential(token).problem == vc_jwt.NOT_OUR_RECORD
    certificate.hidden_at = service.utcnow()
    db.session.flush()
    assert vc_jwt.check_jwt_credential(token).problem == vc_jwt.NO_RECORD


# --- POST /api/verify ----------------------------------------------------------------------------------


@pytest.mark.parametrize("media_type", ["application/jwt", "application/vc+jwt", "text/plain"])
def test_a_jwt_posted_as_any_of_its_media_types_is_checked(api, certificate, media_type):
    response = api("POST", "/api/verify", data=vc_jwt.credential_jwt(certificate), content_type=media_type)
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert data["status"] == "valid" and data["code"] == certificate.display_code
    assert data["certificate"]["recipientName"] == certificate.recipient_name
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_jwt_posted_wrapped_in_json_is_checked(api, certificate):
    response = api("POST", "/api/verify", json={"credential": vc_jwt.credential_jwt(certificate)})
    assert response.status_code == 200 and response.get_json()["status"] == "valid"


@pytest.mark.parametrize("media_type", ["application/vc+ld+json", "application/ld+json", "application/json"])
def test_a_json_ld_credential_posted_as_any_of_its_media_types_is_checked(api, certificate, media_type):
    body = json.dumps(openbadges.jsonld_credential(certificate))
    response = api("POST", "/api/verify", data=body, content_type=media_type)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "valid"
    wrapped = api("POST", "/api/verify", json={"credential": json.loads(body)})
    assert wrapped.status_code == 200 and wrapped.get_json()["status"] == "valid"


def test_a_withdrawn_certificate_posted_as_either_file_is_reported_withdrawn(api, certificate, mentor):
    token, document = vc_jwt.credential_jwt(certificate), openbadges.jsonld_credential(certificate)
    service.revoke_certificate(certificate, by=mentor, reason="Evidence was copied")
    db.session.flush()
    for response in (
        api("POST", "/api/verify", data=token, content_type="application/jwt"),
        api("POST", "/api/verify", json=document),
    ):
        data = response.get_json()
        assert response.status_code == 200 and data["status"] == "revoked" and data["revokedAt"]
        assert "copied" not in response.get_data(as_text=True)


def test_credentials_that_cannot_be_trusted_get_422_problem_details_saying_why(api, certificate):
    token = vc_jwt.credential_jwt(certificate)
    forged = api("POST", "/api/verify", data=_with_claims(token, recipient="X"), content_type="application/jwt")
    body = _is_problem(forged, 422)
    assert body["type"] == f"{BASE_URL}/api/problems/credential-not-trusted"
    assert body["title"] == "Credential cannot be trusted"
    assert body["detail"] == vc_jwt.ALTERED and body["signatureValid"] is False

    document = openbadges.jsonld_credential(certificate)
    document["credentialSubject"]["identifier"][0]["identityHash"] += "x"
    _is_problem(api("POST", "/api/verify", json=document), 422)
    del document["proof"]
    _is_problem(api("POST", "/api/verify", json=document), 422)


@pytest.mark.parametrize(
    ("body", "media_type", "status"),
    [
        ("", "application/jwt", 400),
        ("not a token", "application/jwt", 400),
        ("{", "application/json", 400),
        ("[" * 50000, "application/json", 400),
        ("[1, 2]", "application/json", 400),
        ('{"credential": 12}', "application/json", 400),
        ("<credential/>", "application/xml", 415),
        ("x" * (credential_files.MAX_CREDENTIAL_BYTES + 1), "application/jwt", 413),
    ],
)
def test_bodies_that_are_not_credentials_get_problem_details(api, body, media_type, status):
    _is_problem(api("POST", "/api/verify", data=body, content_type=media_type), status)


def test_csrf_never_blocks_the_public_json_post(app, api, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = api("POST", "/api/verify", data=vc_jwt.credential_jwt(certificate), content_type="application/jwt")
    assert response.status_code == 200


# --- Verify by code, the issuer, its keys and status lists --------------------------------------------


def test_verify_by_code_answers_json_or_problem_details(api, certificate, mentor):
    valid = api("GET", f"/api/verify/{certificate.display_code}")
    assert valid.status_code == 200 and valid.mimetype == "application/json"
    assert valid.get_json()["status"] == "valid"

    invalid = _is_problem(api("GET", "/api/verify/SP-0000-0000-0001"), 400)
    assert invalid["type"] == f"{BASE_URL}/api/problems/invalid-code" and "code" not in invalid
    missing_code = service.format_code(service.new_code())
    missing = _is_problem(api("GET", f"/api/verify/{missing_code}"), 404)
    assert missing["code"] == missing_code and missing["type"].endswith("/certificate-not-found")

    certificate.recipient_name += "x"
    db.session.flush()
    tampered = _is_problem(api("GET", f"/api/verify/{certificate.display_code}"), 409)
    assert tampered["type"].endswith("/certificate-not-confirmed")


def test_every_problem_type_url_is_a_page_that_explains_it(client, api):
    from skillpath.verify.problems import PROBLEM_TYPES

    for slug, kind in PROBLEM_TYPES.items():
        response = api("GET", f"/api/problems/{slug}")
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert heading(response) == str(kind.title)
    _is_problem(api("GET", "/api/problems/no-such-thing"), 404)


def test_the_issuer_profile_keys_and_status_lists_have_their_media_types(api, certificate, es256):
    es256.generate()
    profile = api("GET", "/issuer")
    assert profile.status_code == 200 and profile.mimetype == "application/ld+json"
    data = profile.get_json()
    _validate(data, "profile.schema.json")
    assert data["id"] == f"{BASE_URL}/issuer"
    pointers = {(entry["identifierType"], entry["identifier"]) for entry in data["otherIdentifier"]}
    assert pointers == {
        ("ext:jwks_uri", f"{BASE_URL}/.well-known/jwks.json"),
        ("ext:es256_key", vc_jwt.key_url(es256.current_kid())),
        ("ext:did_key", did_key(signing_key().public_key)),
    }

    jwks = api("GET", "/.well-known/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    keys = jwks.get_json()["keys"]
    assert {(key["kty"], key["alg"]) for key in keys} == {("OKP", "EdDSA"), ("EC", "ES256")}
    assert all("d" not in key for key in keys)
    _is_problem(api("GET", f"/issuer/keys/{thumbprint(ec.generate_private_key(ec.SECP256R1()).public_key())}"), 404)
    _is_problem(api("GET", "/issuer/keys/current-es256"), 404)

    status_url = openbadges.jsonld_credential(certificate)["credentialStatus"]["statusListCredential"]
    status = api("GET", urlsplit(status_url).path)
    assert status.status_code == 200 and status.mimetype == "application/vc+ld+json"
    assert status.headers["Access-Control-Allow-Origin"] == "*"


# --- CORS ---------------------------------------------------------------------------------------------

MACHINE_PATHS = ["/api/verify", "/api/verify/SP-0000-0000-0000", "/issuer", "/.well-known/jwks.json"]


@pytest.mark.parametrize("path", MACHINE_PATHS)
def test_a_preflight_is_answered_for_any_origin_without_cookies(app, client, path, monkeypatch):
    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "1 per minute")
    for _ in range(3):  # preflights never use up the caller's allowance
        response = client.options(
            path,
            headers={
                "Origin": "https://employer.example",
                "Access-Control-Request-Method": "POST" if path == "/api/verify" else "GET",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        assert response.status_code == 204
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]
        assert int(response.headers["Access-Control-Max-Age"]) >= 600
        assert "Access-Control-Allow-Credentials" not in response.headers
        assert "Set-Cookie" not in response.headers
    methods = response.headers["Access-Control-Allow-Methods"]
    assert ("POST" in methods) == (path == "/api/verify") and ("GET" in methods) == (path != "/api/verify")


def test_responses_and_errors_from_machine_endpoints_carry_cors_headers_but_pages_do_not(client):
    origin = {"Origin": "https://employer.example"}
    for path in [*MACHINE_PATHS[1:], "/api/openapi.json", "/api/no-such-endpoint"]:
        response = client.get(path, headers=origin)
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "Access-Control-Allow-Credentials" not in response.headers, path
    assert "Access-Control-Allow-Origin" not in client.get("/verify", headers=origin).headers


# --- One shape for every error ------------------------------------------------------------------------


def test_every_error_under_api_is_problem_details(app, client, api, monkeypatch):
    _is_problem(client.put("/api/verify/SP-0000-0000-0000"), 405)
    _is_problem(client.get("/api/no-such-endpoint"), 404)
    _is_problem(client.post("/.well-known/jwks.json"), 405)
    _is_problem(client.get("/credentials/status/not-a-list/nothing"), 404)

    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "1 per minute")
    api("GET", "/api/verify/SP-0000-0000-0000")
    limited = api("GET", "/api/verify/SP-0000-0000-0000")
    _is_problem(limited, 429)
    assert "Retry-After" in limited.headers

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setitem(app.config, "VERIFY_RATE_LIMIT", "1000 per minute")
    limiter.reset()
    monkeypatch.setattr("skillpath.verify.routes.read_checkable_certificate", broken)
    crashed = _is_problem(api("GET", f"/api/verify/{service.format_code(service.new_code())}"), 500)
    assert "bug" not in json.dumps(crashed) and crashed["requestId"]
