"""The ES256 (P-256) keys that sign VC-JWTs, without an app or a database."""

from __future__ import annotations

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc.jwk import ECKey

from skillpath.services.certificates.es256_keys import Es256KeyStore, public_jwk, thumbprint
from skillpath.services.certificates.signing import KeyStore, SigningKeyMissing, b64url_decode


def test_an_empty_folder_has_no_current_es256_key(tmp_path):
    store = Es256KeyStore(tmp_path / "keys")
    assert store.current_kid() is None and store.list_keys() == []
    with pytest.raises(SigningKeyMissing, match="flask keys generate"):
        store.current()


def test_a_generated_key_is_a_private_p256_file_and_becomes_current(tmp_path):
    store = Es256KeyStore(tmp_path / "keys")
    key = store.generate()
    path = tmp_path / "keys" / f"es256-{key.kid}.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys" / "current-es256").stat().st_mode) == 0o600
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey) and isinstance(loaded.curve, ec.SECP256R1)
    assert store.current_kid() == key.kid and store.current().kid == key.kid


def test_key_ids_are_rfc_7638_thumbprints_as_another_jose_library_computes_them(tmp_path):
    for _ in range(20):  # some coordinates have leading zero bytes: the JWK must keep them (32 bytes each)
        public = ec.generate_private_key(ec.SECP256R1()).public_key()
        jwk = public_jwk(public)
        assert len(b64url_decode(jwk["x"])) == len(b64url_decode(jwk["y"])) == 32
        assert thumbprint(public) == ECKey.import_key(jwk).thumbprint()


def test_rotation_keeps_old_keys_and_the_ed25519_store_never_reads_them(tmp_path):
    folder = tmp_path / "keys"
    store, ed25519 = Es256KeyStore(folder), KeyStore(folder)
    first = store.generate()
    second = store.generate()
    ed25519.generate()
    assert store.current_kid() == second.kid
    assert [info.kid for info in store.list_keys()] == [first.kid, second.kid]
    assert public_jwk(store.public_key(first.kid)) == public_jwk(first.public_key)
    assert [info.kid for info in ed25519.list_keys()] == [ed25519.current_kid()]
    assert store.public_key(ed25519.current_kid()) is None and ed25519.public_key(first.kid) is None


def test_key_ids_that_are_not_thumbprints_are_never_used_as_file_names(tmp_path):
    store = Es256KeyStore(tmp_path / "keys")
    store.generate()
    for kid in ("../../etc/passwd", "..", "", "a" * 42, "a" * 44, "current-es256", "es256-x"):
        assert store.public_key(kid) is None
