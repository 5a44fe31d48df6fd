"""The JSON-LD credential with an embedded proof, its Bitstring Status List, and checking an uploaded one.

What a wallet or an employer's verifier sees: an Open Badges 3.0 credential (VC 2.0)
signed with eddsa-rdfc-2022 by the did:key of one of our keys, whose status is a bit
in a signed W3C Bitstring Status List. Outside software checks it: Digital Bazaar's
verifier, run under Node from here (offline), and the official JSON Schemas.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pyld import jsonld as pyld
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from skillpath.extensions import db
from skillpath.models import Certificate, SkillLevel
from skillpath.models.certificates import StatusList, StatusPurpose
from skillpath.services.catalogue.catalogue_data import load_catalogue
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import data_integrity, jsonld, openbadges, signing, status_lists
from skillpath.services.certificates.credential_check import check_jsonld_credential
from skillpath.services.demo import seed_demo
from tests import factories
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate, make_ready_learner

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "data" / "openbadges-3.0"
NODE_VERIFIER = ROOT / "tests" / "node" / "verify-credentials.mjs"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


@pytest.fixture(autouse=True)
def issuer(app, tmp_path, monkeypatch) -> signing.KeyStore:
    """Each test signs with its own key, in its own folder, as an issuer with a public address."""
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    return signing.KeyStore(tmp_path / "keys")


@pytest.fixture
def certificate(learner, mentor) -> Certificate:
    return issue_module_certificate(learner, mentor)


@pytest.fixture
def readiness_certificate(cohort) -> Certificate:
    learner = make_ready_learner(cohort)
    certificate = service.issue_role_readiness_certificate(learner, factories.make_mentor(cohorts=[cohort]))
    db.session.flush()
    return certificate


def _path(url: str) -> str:
    assert url.startswith(BASE_URL + "/")
    return url.removeprefix(BASE_URL)


def _status_list(client, credential: dict[str, Any]) -> dict[str, Any]:
    response = client.get(_path(credential["credentialStatus"]["statusListCredential"]))
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def _resigned(credential: dict[str, Any], key: signing.IssuerKey, **changes: Any) -> dict[str, Any]:
    body = {name: value for name, value in credential.items() if name != "proof"}
    return data_integrity.add_proof({**body, **changes}, key, created=datetime.now(UTC))


def _another_module():
    return factories.make_module(skills={factories.make_skill(): SkillLevel.WORKING})


# --- The credential ------------------------------------------------------------------------------


def test_a_certificate_gets_a_random_bit_in_a_revocation_list_of_131072(learner, mentor, cohort):
    first = issue_module_certificate(learner, mentor)
    second = issue_module_certificate(learner, mentor, _another_module())
    status_list = db.session.get(StatusList, first.status_list_id)
    assert status_list.purpose == StatusPurpose.REVOCATION and status_list.size == 131_072
    assert second.status_list_id == first.status_list_id
    assert {first.status_list_index, second.status_list_index} <= set(range(131_072))
    assert first.status_list_index != second.status_list_index


def test_a_full_list_is_followed_by_a_new_one(learner, mentor):
    full = StatusList(purpose=StatusPurpose.REVOCATION, size=1)
    db.session.add(full)
    db.session.flush()
    first = issue_module_certificate(learner, mentor)
    assert (first.status_list_id, first.status_list_index) == (full.id, 0)
    second = issue_module_certificate(learner, mentor, _another_module())
    assert second.status_list_id != full.id
    assert db.session.get(StatusList, second.status_list_id).size == status_lists.LIST_SIZE


def test_a_did_key_is_the_multicodec_ed25519_key_in_base58btc():
    """The did:key specification's Ed25519 example, and its public key as a JWK."""
    did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
    public_key = signing.public_key_from_did_key(did)
    assert public_key is not None and signing.did_key(public_key) == did
    assert signing.public_jwk(public_key)["x"] == "O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"
    assert signing.public_key_from_did_key(f"{did}#{did.removeprefix('did:key:')}") is not None
    for other in (f"{did}#key-2", "did:key:z6Mk", "did:key:zQ3s", "did:web:example.org", did[:-1] + "0", 5):
        assert signing.public_key_from_did_key(other) is None


def test_the_credential_is_signed_by_the_did_key_of_the_current_key(certificate, issuer):
    credential = openbadges.jsonld_credential(certificate)
    key = issuer.current()
    did = signing.did_key(key.public_key)
    assert did.startswith("did:key:z6Mk")
    assert credential["@context"] == [VC_V2, OB_V3]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {"id": did, "type": ["Profile"], "name": ISSUER, "url": f"{BASE_URL}/"}
    assert credential["id"] == f"{BASE_URL}/verify/{certificate.display_code}"
    subject = credential["credentialSubject"]
    assert subject["id"] == openbadges.subject_id(certificate)
    assert subject["id"].startswith("urn:uuid:") and str(certificate.public_id) not in subject["id"]
    (proof,) = credential["proof"]
    assert {name: proof[name] for name in ("type", "cryptosuite", "proofPurpose", "verificationMethod")} == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
    }
    assert proof["proofValue"].startswith("z")
    list_id = db.session.get(StatusList, certificate.status_list_id).public_id
    url = f"{BASE_URL}/credentials/status/{list_id}/{key.kid}"
    assert credential["credentialStatus"] == {
        "id": f"{url}#{certificate.status_list_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_list_index),
        "statusListCredential": url,
    }
    assert "1EdTechRevocationList" not in json.dumps(credential)


def test_the_proof_is_the_eddsa_rdfc_2022_algorithm_step_by_step(certificate, issuer):
    """Recomputed here with pyld and cryptography directly, as the cryptosuite specification says."""
    credential = openbadges.jsonld_credential(certificate)
    (proof,) = (dict(item) for item in credential["proof"])
    proof_value = proof.pop("proofValue")
    unsecured = {name: value for name, value in credential.items() if name != "proof"}
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": jsonld.document_loader}
    canonical_document = pyld.normalize(unsecured, options)
    canonical_config = pyld.normalize({**proof, "@context": credential["@context"]}, options)
    hash_data = (
        hashlib.sha256(canonical_config.encode()).digest() + hashlib.sha256(canonical_document.encode()).digest()
    )
    signature = signing.base58btc_decode(proof_value[1:])
    issuer.current().public_key.verify(signature, hash_data)  # raises if it does not hold
    assert "did:key:z6Mk" in canonical_document and "Helping users" in canonical_document


def _leaves(value: Any, *, under: str | None = None) -> set[str]:
    """Every literal a compact document states, except its types and contexts (which expand to IRIs)."""
    if isinstance(value, dict):
        found: set[str] = set()
        for name, item in value.items():
            if name not in {"@context", "type"}:
                found |= _leaves(item, under=name)
        return found
    if isinstance(value, list):
        return set().union(*(_leaves(item, under=under) for item in value)) if value else set()
    return {json.dumps(value)}


def _expanded_leaves(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {json.dumps(value["@value"])} if "@value" in value else set()
        if "@id" in value:
            found.add(json.dumps(value["@id"]))
        for name, item in value.items():
            if name not in {"@value", "@id", "@type"}:
                found |= _expanded_leaves(item)
        return found
    if isinstance(value, list):
        return set().union(*(_expanded_leaves(item) for item in value)) if value else set()
    return set()


def _assert_expands_without_loss(document: dict[str, Any]) -> None:
    dropped: list[str | None] = []
    expanded = pyld.expand(document, {"documentLoader": jsonld.document_loader}, on_property_dropped=dropped.append)
    assert dropped == []
    found = _expanded_leaves(expanded)
    # A value of a property typed @vocab ("proofPurpose": "assertionMethod") expands to an IRI ending in it.
    missing = {leaf for leaf in _leaves(document) - found if not any(f.endswith(f"#{leaf[1:]}") for f in found)}
    assert not missing, f"values lost in expansion: {sorted(missing)}"


def test_pyld_expands_every_credential_with_the_shipped_contexts_and_drops_nothing(
    client, certificate, readiness_certificate
):
    module = openbadges.jsonld_credential(certificate)
    readiness = openbadges.jsonld_credential(readiness_certificate)
    for document in (module, readiness, _status_list(client, module)):
        _assert_expands_without_loss(document)


def test_the_expansion_check_would_see_a_term_the_contexts_do_not_define(certificate):
    credential = openbadges.jsonld_credential(certificate)
    with pytest.raises(AssertionError):
        _assert_expands_without_loss({**credential, "prisonNumber": "A1234BC"})


def test_the_loader_serves_only_the_shipped_contexts(certificate):
    assert jsonld.document_loader(VC_V2)["document"]["@context"]["@protected"] is True
    with pytest.raises(jsonld.UnknownContext, match="does not know"):
        jsonld.document_loader("https://example.org/context.json")
    with pytest.raises(jsonld.JsonLdRefused, match="does not know"):
        jsonld.canonize({"@context": ["https://example.org/context.json"], "name": "x"})


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SPEC / name).read_text(encoding="utf-8"))


def _validate(instance: dict[str, Any], schema_name: str) -> None:
    schema = _schema(schema_name)
    validator_class = jsonschema.validators.validator_for(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_the_credential_and_its_issuer_profile_validate_against_the_official_schemas(
    certificate, readiness_certificate
):
    for item in (certificate, readiness_certificate):
        credential = openbadges.jsonld_credential(item)
        _validate(credential, "achievementcredential.schema.json")
        _validate({"@context": credential["@context"], **credential["issuer"]}, "profile.schema.json")


# --- The status list -------------------------------------------------------------------------------


def test_the_status_list_is_signed_by_the_same_issuer_and_cached_briefly(client, certificate, issuer):
    credential = openbadges.jsonld_credential(certificate)
    response = client.get(_path(credential["credentialStatus"]["statusListCredential"]))
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    document = json.loads(response.get_data(as_text=True))
    assert document["id"] == credential["credentialStatus"]["statusListCredential"]
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == credential["issuer"]["id"]
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    assert subject["encodedList"].startswith("u") and "=" not in subject["encodedList"]
    bits = status_lists.decode_list(subject["encodedList"])
    assert len(bits) == 131_072 // 8 and not any(bits)
    assert data_integrity.verify_proof(document).public_key == issuer.current().public_key


def test_withdrawing_a_certificate_flips_its_bit_at_once(client, certificate, mentor):
    credential = openbadges.jsonld_credential(certificate)
    before = _status_list(client, credential)
    service.revoke_certificate(certificate, by=mentor, reason="Issued to the wrong learner")
    db.session.flush()
    after = _status_list(client, credential)
    bits = status_lists.decode_list(after["credentialSubject"]["encodedList"])
    assert status_lists.is_set(bits, certificate.status_list_index)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    assert after["proof"][0]["proofValue"] != before["proof"][0]["proofValue"]
    data_integrity.verify_proof(after)


def test_the_bitstring_is_gzip_then_base64url_with_index_0_the_left_most_bit():
    encoded = status_lists.encode_list(16, [0, 9])
    bits = status_lists.decode_list(encoded)
    assert bits == bytes([0b1000_0000, 0b0100_0000])


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)


def test_serving_a_list_reads_its_withdrawn_bits_in_one_query(client, certificate):
    url = _path(openbadges.jsonld_credential(certificate)["credentialStatus"]["statusListCredential"])
    client.get(url)
    with _statements() as seen:
        assert client.get(url).status_code == 200
    assert len([s for s in seen if "certificates" in s]) == 1, seen


@pytest.mark.parametrize("path_end", ["x", "IAKT8BCaz8veBrVz-u62pY_44RGBwasYd_aVnbI0YY8", "../../issuer"])
def test_a_list_or_key_that_is_not_ours_is_not_found(client, certificate, path_end):
    list_id = db.session.get(StatusList, certificate.status_list_id).public_id
    assert client.get(f"/credentials/status/{list_id}/{path_end}").status_code == 404
    kid = signing.app_key_store().current_kid()
    assert client.get(f"/credentials/status/00000000-0000-4000-8000-000000000000/{kid}").status_code == 404


def test_after_a_key_rotation_old_credentials_keep_verifying_with_their_own_list(client, certificate, issuer):
    old = openbadges.jsonld_credential(certificate)
    issuer.generate()
    new = openbadges.jsonld_credential(certificate)
    assert new["issuer"]["id"] != old["issuer"]["id"]
    assert check_jsonld_credential(old).ok and check_jsonld_credential(new).ok
    old_list = _status_list(client, old)
    assert old_list["issuer"] == old["issuer"]["id"]  # verifiers require the list's issuer to be the credential's
    assert _status_list(client, new)["issuer"] == new["issuer"]["id"]


# --- Checking an uploaded credential -----------------------------------------------------------


def test_a_genuine_credential_checks_and_says_what_it_certifies(certificate):
    check = check_jsonld_credential(json.dumps(openbadges.jsonld_credential(certificate)).encode())
    assert check.ok and check.problem is None and check.signature_valid and check.withdrawn is False
    assert check.code == certificate.display_code
    assert check.certifies is not None
    assert check.certifies["recipientName"] == certificate.recipient_name
    assert check.certifies["achievement"]["name"] == "Helping users"
    assert check.certifies["skills"] == [
        {"skill": "Customer service", "level": "awareness"},
        {"skill": "User support", "level": "working"},
    ]


def test_a_withdrawn_certificate_reads_as_withdrawn(certificate, mentor):
    credential = openbadges.jsonld_credential(certificate)
    service.revoke_certificate(certificate, by=mentor, reason="Issued to the wrong learner")
    db.session.flush()
    check = check_jsonld_credential(credential)
    assert not check.ok and check.signature_valid and check.withdrawn is True
    assert check.problem is not None and check.problem.startswith("This certificate was withdrawn on")
    assert "wrong learner" not in check.problem  # the reason stays private


def test_one_changed_character_is_caught(certificate):
    credential = openbadges.jsonld_credential(certificate)
    text = json.dumps(credential, ensure_ascii=False)
    changed = text.replace("Helping users", "Helping userz", 1)
    check = check_jsonld_credential(changed)
    assert not check.ok and not check.signature_valid
    assert check.problem == "The signature does not match: the credential has been changed since it was issued."


def _expired(credential: dict[str, Any]) -> dict[str, Any]:
    return {**credential, "validUntil": "2020-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: {k: v for k, v in c.items() if k != "proof"}, "It has no proof"),
        (lambda c: {**c, "proof": "yes"}, "Its proof cannot be read"),
        (lambda c: {**c, "proof": [{**c["proof"][0], "cryptosuite": "ecdsa-rdfc-2019"}]}, "expects eddsa-rdfc-2022"),
        (lambda c: {**c, "proof": {**c["proof"][0], "proofValue": "zzz"}}, "Its signature cannot be read"),
        (
            lambda c: {**c, "proof": {**c["proof"][0], "verificationMethod": "https://evil.example/key"}},
            "does not name a key",
        ),
        (lambda c: {**c, "@context": [VC_V2, "https://evil.example/ctx.json"]}, "does not know (https://evil.example"),
        (lambda c: {**c, "@context": [OB_V3, VC_V2]}, "first @context must be the VC one"),
        (lambda c: {k: v for k, v in c.items() if k != "@context"}, "it has no @context"),
        (lambda c: {**c, "credentialSubject": {**c["credentialSubject"], "@context": {"x": "y"}}}, "inside itself"),
        (lambda c: {**c, "prisonNumber": "A1234BC"}, "“prisonNumber”, which its JSON-LD contexts do not define"),
        (lambda c: {**c, "id": "relative/path"}, "not a full address"),
        (lambda c: {**c, "type": ["VerifiableCredential"]}, "not an Open Badges credential"),
    ],
)
def test_a_broken_or_altered_credential_says_why(certificate, change, expected):
    check = check_jsonld_credential(change(openbadges.jsonld_credential(certificate)))
    assert not check.ok and not check.signature_valid
    assert check.problem is not None and expected in check.problem


def test_a_credential_signed_by_another_key_is_not_ours(certificate, tmp_path):
    stranger = signing.KeyStore(tmp_path / "stranger").generate()
    credential = openbadges.jsonld_credential(certificate)
    forged = _resigned(
        credential, stranger, issuer={**credential["issuer"], "id": signing.did_key(stranger.public_key)}
    )
    check = check_jsonld_credential(forged)
    assert not check.ok and check.problem is not None and "not issued by SkillPath" in check.problem


def test_our_key_naming_another_issuer_is_refused(certificate, issuer):
    credential = openbadges.jsonld_credential(certificate)
    changed = _resigned(credential, issuer.current(), issuer={**credential["issuer"], "id": f"{BASE_URL}/issuer"})
    check = check_jsonld_credential(changed)
    assert not check.ok and check.problem == "The credential names another issuer: it was not issued by this service."


def test_dates_are_checked(certificate, issuer):
    credential = openbadges.jsonld_credential(certificate)
    expired = check_jsonld_credential(_resigned(credential, issuer.current(), validUntil="2020-01-01T00:00:00Z"))
    assert (
        not expired.ok and expired.signature_valid and expired.problem == "This credential expired on 1 January 2020."
    )
    later = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    early = check_jsonld_credential(_resigned(credential, issuer.current(), validFrom=later))
    assert not early.ok and early.problem == "This credential is not valid yet."


def test_a_hidden_certificate_cannot_be_checked_by_its_credential(certificate, learner):
    credential = openbadges.jsonld_credential(certificate)
    service.set_hidden(certificate, True, by=learner)
    db.session.flush()
    check = check_jsonld_credential(credential)
    assert not check.ok and check.signature_valid and check.certifies is None
    assert check.problem is not None and check.problem.startswith("There is no certificate matching")


@pytest.mark.parametrize(
    "hostile",
    [
        None,
        5,
        [],
        "",
        "null",
        "[1, 2]",
        "{not json",
        b"\xff\xfe",
        "NaN",
        '{"@context": 5}',
        '{"@context": [{"@vocab": "https://evil.example/"}]}',
        "[" * 100_000,
        '{"a":' * 40 + "1" + "}" * 40,
        "x" * (65 * 1024),
        {"@context": [VC_V2], "type": ["VerifiableCredential", "OpenBadgeCredential"], "proof": [1, 2]},
        {"@context": [VC_V2, OB_V3], "type": ["VerifiableCredential", "OpenBadgeCredential"], "proof": {}},
        {
            "@context": [VC_V2, OB_V3],
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": 5},
            "proof": {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-rdfc-2022",
                "proofPurpose": "assertionMethod",
            },
        },
    ],
)
def test_hostile_input_gets_a_plain_answer_never_an_error(hostile):
    check = check_jsonld_credential(hostile)
    assert not check.ok and isinstance(check.problem, str) and check.problem


# --- An outside verifier: Digital Bazaar's, under Node, offline -------------------------------------


def _node_verify(credentials: list[dict[str, Any]], status_lists_by_url: dict[str, Any]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.fail("The outside verifier needs Node.js and the npm dev dependencies: run `make setup` (npm ci).")
    contexts = {
        url: str(resources.files("skillpath.data").joinpath("contexts", name))
        for url, name in jsonld.SHIPPED_CONTEXTS.items()
    }
    payload = json.dumps({"contexts": contexts, "statusLists": status_lists_by_url, "credentials": credentials})
    result = subprocess.run(
        [node, str(NODE_VERIFIER)], input=payload, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _lists_for(client, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    urls = {c["credentialStatus"]["statusListCredential"] for c in credentials}
    return {url: json.loads(client.get(_path(url)).get_data(as_text=True)) for url in urls}


def test_digital_bazaars_verifier_accepts_every_demo_certificate(app, client):
    load_catalogue()
    seed_demo(password="skillpath-demo")
    db.session.flush()
    issued = list(db.session.scalars(select(Certificate).order_by(Certificate.id)))
    assert len(issued) >= 2
    credentials = [openbadges.jsonld_credential(item) for item in issued]
    results = _node_verify(credentials, _lists_for(client, credentials))
    for item, result in zip(issued, results, strict=True):
        assert result["verified"], (item.display_code, result["error"])
        assert result["statusChecked"] and result["revoked"] is item.is_revoked


def test_digital_bazaars_verifier_reads_a_withdrawal_and_catches_one_changed_character(
    client, certificate, readiness_certificate, mentor, issuer
):
    module = openbadges.jsonld_credential(certificate)
    readiness = openbadges.jsonld_credential(readiness_certificate)
    issuer.generate()  # a rotation: the credentials above were signed by a key that is no longer current
    service.revoke_certificate(certificate, by=mentor, reason="Issued to the wrong learner")
    db.session.flush()
    name = readiness_certificate.recipient_name
    one_character = json.dumps(readiness, ensure_ascii=False).replace(name, name[:-1] + chr(ord(name[-1]) ^ 1), 1)
    changed = json.loads(one_character)
    results = _node_verify([module, readiness, changed], _lists_for(client, [module, readiness]))
    assert results[0]["verified"] and results[0]["statusChecked"] and results[0]["revoked"] is True
    assert results[1]["verified"] and results[1]["statusChecked"] and results[1]["revoked"] is False
    assert not results[2]["verified"] and "Invalid signature" in results[2]["error"]
