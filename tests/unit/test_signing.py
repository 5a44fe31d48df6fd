"""Issuer keys and canonical signing, without an app or a database (VC-JWTs: tests/integration/test_public_api.py)."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from skillpath.services.certificates.certificates import CertificateContent, CertifiedSkill
from skillpath.services.certificates.signing import (
    IssuerKey,
    KeyStore,
    SigningKeyMissing,
    b64url_decode,
    b64url_encode,
    canonical_json,
    public_jwk,
    sign,
    thumbprint,
    verify_signature,
)

# RFC 8037, appendix A: an Ed25519 key, its thumbprint and a signature made with it.
RFC_PRIVATE = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC_THUMBPRINT = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
RFC_SIGNING_INPUT = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
RFC_SIGNATURE = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"


def _rfc_key() -> IssuerKey:
    private = Ed25519PrivateKey.from_private_bytes(b64url_decode(RFC_PRIVATE))
    return IssuerKey(thumbprint(private.public_key()), private)


def _content(**changes: object) -> CertificateContent:
    values: dict[str, object] = {
        "code": "SP-7Q4K-29XD-M3HW",
        "recipient_name": "Nguyễn Thị Minh",
        "achievement_name": "Helping users",
        "achievement_description": "Answer calls and fix common problems.",
        "skills": (
            CertifiedSkill("Customer service", "working"),
            CertifiedSkill("Technical understanding", "awareness"),
        ),
        "issuer_name": "Northbridge Education",
        "issued_at": datetime(2026, 3, 3, 10, 15, tzinfo=UTC),
    }
    values.update(changes)
    return CertificateContent(**values)  # type: ignore[arg-type]


# --- Canonical form and signatures ---------------------------------------------------------------


def test_the_canonical_form_is_sorted_compact_utf8_and_the_same_every_time():
    data = canonical_json({"b": 1, "a": {"z": "Żółć", "y": [1, 2]}})
    assert data == '{"a":{"y":[1,2],"z":"Żółć"},"b":1}'.encode()
    assert canonical_json(json.loads(data)) == data


def test_the_canonical_content_is_exactly_what_employers_see():
    canonical = _content().canonical()
    assert canonical == {
        "format": "skillpath-certificate/1",
        "code": "SP-7Q4K-29XD-M3HW",
        "recipient": "Nguyễn Thị Minh",
        "achievement": {"name": "Helping users", "description": "Answer calls and fix common problems."},
        "skills": [
            {"skill": "Customer service", "level": "working"},
            {"skill": "Technical understanding", "level": "awareness"},
        ],
        "issuer": "Northbridge Education",
        "issued_at": "2026-03-03T10:15:00Z",
    }


def test_key_ids_are_rfc_7638_thumbprints_and_signatures_match_rfc_8037():
    key = _rfc_key()
    assert public_jwk(key.public_key) == {"crv": "Ed25519", "kty": "OKP", "x": RFC_X}
    assert key.kid == RFC_THUMBPRINT
    assert sign(RFC_SIGNING_INPUT, key) == RFC_SIGNATURE
    assert verify_signature(RFC_SIGNING_INPUT, RFC_SIGNATURE, key.public_key)


def test_changing_one_byte_of_the_content_or_the_signature_fails_verification():
    key = _rfc_key()
    data = _content().canonical_bytes()
    signature = sign(data, key)
    assert verify_signature(data, signature, key.public_key)
    for position in (0, len(data) // 2, len(data) - 1):
        changed = bytearray(data)
        changed[position] ^= 0x01
        assert not verify_signature(bytes(changed), signature, key.public_key)
    raw = bytearray(b64url_decode(signature))
    raw[10] ^= 0x01
    assert not verify_signature(data, b64url_encode(bytes(raw)), key.public_key)
    assert not verify_signature(data, "not base64!", key.public_key)


def test_a_name_changed_by_one_letter_no_longer_verifies():
    key = _rfc_key()
    signature = sign(_content().canonical_bytes(), key)
    assert not verify_signature(_content(recipient_name="Nguyễn Thị Minb").canonical_bytes(), signature, key.public_key)
    other_level = (CertifiedSkill("Customer service", "expert"), CertifiedSkill("Technical understanding", "awareness"))
    assert not verify_signature(_content(skills=other_level).canonical_bytes(), signature, key.public_key)


# --- The key store -------------------------------------------------------------------------------


def test_an_empty_key_folder_has_no_current_key(tmp_path):
    store = KeyStore(tmp_path / "keys")
    assert store.current_kid() is None
    assert store.list_keys() == []
    assert store.jwks() == {"keys": []}
    with pytest.raises(SigningKeyMissing, match="flask keys generate"):
        store.current()


def test_generating_a_key_writes_a_private_file_and_makes_it_current(tmp_path):
    store = KeyStore(tmp_path / "keys")
    key = store.generate()
    path = tmp_path / "keys" / f"{key.kid}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert store.current().kid == key.kid == thumbprint(key.public_key)
    again, made = store.ensure()
    assert again.kid == key.kid and made is False


def test_rotation_keeps_old_keys_valid_for_what_they_signed(tmp_path):
    store = KeyStore(tmp_path / "keys")
    old = store.generate()
    signature = sign(b"signed before rotation", old)
    new = store.generate()
    assert store.current().kid == new.kid != old.kid
    old_public = store.public_key(old.kid)
    assert old_public is not None and verify_signature(b"signed before rotation", signature, old_public)
    assert [info.kid for info in store.list_keys() if info.is_current] == [new.kid]
    jwks = store.jwks()
    assert [entry["kid"] for entry in jwks["keys"]] == [new.kid, old.kid]
    assert all(entry.keys() == {"kty", "crv", "x", "kid", "alg", "use"} for entry in jwks["keys"])
    assert not any("d" in entry for entry in jwks["keys"])


def test_key_ids_that_are_not_thumbprints_are_never_used_as_file_names(tmp_path):
    store = KeyStore(tmp_path / "keys")
    store.generate()
    for kid in ("../../etc/passwd", "..", "", "a" * 42, "a" * 44, "current"):
        assert store.public_key(kid) is None
