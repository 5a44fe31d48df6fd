"""The issuer's ES256 (ECDSA P-256) keys, which sign the VC-JWT.

Open Badges 3.0 and the 1EdTech validator accept a VC-JWT signed only with
RS256 or ES256, so the JWT has keys of its own beside the Ed25519 ones that
sign certificates and JSON-LD credentials. They live in the same folder
(KEYS_FOLDER) and rotate the same way: one PEM file per key, readable only by
the app's user, named `es256-<key id>.pem` so the Ed25519 store never reads
one; a `current-es256` file names the key that signs new JWTs. Rotating adds a
key and moves the marker; old keys stay, so every JWT they signed still checks.

The key id is the RFC 7638 thumbprint of the public key. A JWT names its key
by an absolute URL ending in that id (see vc_jwt.py), which returns the one key.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

# _write_private: the same atomic, owner-only file writing as the Ed25519 keys.
from skillpath.services.certificates.signing import (
    KeyInfo,
    SigningKeyMissing,
    _write_private,
    b64url_encode,
    is_key_id,
)

ALGORITHM = "ES256"
CURRENT_MARKER = "current-es256"
FILE_PREFIX = "es256-"
_COORDINATE_BYTES = 32  # P-256 coordinates are 32 bytes, zero-padded (RFC 7518 section 6.2.1.2)


def public_jwk(public_key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    """The key's required JWK members (RFC 7518), in the order RFC 7638 hashes them."""
    numbers = public_key.public_numbers()
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url_encode(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": b64url_encode(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
    }


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url): the key id."""
    members = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url_encode(hashlib.sha256(members).digest())


@dataclass(frozen=True)
class Es256Key:
    kid: str
    private_key: ec.EllipticCurvePrivateKey

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()


# Public keys never change once written: one cache for the process, keyed by folder and key id.
_public_keys: dict[tuple[str, str], ec.EllipticCurvePublicKey] = {}
_lock = threading.Lock()


class Es256KeyStore:
    """The issuer's ES256 keys in one folder (the same folder as the Ed25519 keys)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, kid: str) -> Path:
        if not is_key_id(kid):
            raise ValueError("Not a key id")
        return self.folder / f"{FILE_PREFIX}{kid}.pem"

    def current_kid(self) -> str | None:
        try:
            kid = (self.folder / CURRENT_MARKER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return kid if is_key_id(kid) and self._path(kid).is_file() else None

    def current(self) -> Es256Key:
        """The key that signs new JWTs."""
        kid = self.current_kid()
        if kid is None:
            raise SigningKeyMissing(
                f"There is no ES256 signing key in {self.folder}. "
                "Run `flask keys generate` (or point KEYS_FOLDER at the shared key folder)."
            )
        return self._load_private(kid)

    def _load_private(self, kid: str) -> Es256Key:
        private = serialization.load_pem_private_key(self._path(kid).read_bytes(), password=None)
        if not isinstance(private, ec.EllipticCurvePrivateKey) or not isinstance(private.curve, ec.SECP256R1):
            raise ValueError(f"Key {kid} is not a P-256 key")
        return Es256Key(kid, private)

    def public_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """The public key for a key id, or None if it is not one of ours."""
        if not is_key_id(kid):
            return None
        cache_key = (str(self.folder), kid)
        cached = _public_keys.get(cache_key)
        if cached is not None:
            return cached
        try:
            key = self._load_private(kid).public_key
        except FileNotFoundError:
            return None
        _public_keys[cache_key] = key
        return key

    def generate(self) -> Es256Key:
        """Make a new key pair and make it current. Earlier keys are kept."""
        with _lock:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            private = ec.generate_private_key(ec.SECP256R1())
            kid = thumbprint(private.public_key())
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(self._path(kid), pem)
            _write_private(self.folder / CURRENT_MARKER, kid.encode("ascii") + b"\n", replace=True)
            return Es256Key(kid, private)

    def ensure(self) -> tuple[Es256Key, bool]:
        """The current key, making one if there is none. The flag says whether it was made now."""
        kid = self.current_kid()
        if kid is not None:
            return self._load_private(kid), False
        return self.generate(), True

    def list_keys(self) -> list[KeyInfo]:
        """Every ES256 key in the folder, oldest first."""
        if not self.folder.is_dir():
            return []
        current = self.current_kid()
        keys = []
        for path in self.folder.glob(f"{FILE_PREFIX}*.pem"):
            kid = path.stem.removeprefix(FILE_PREFIX)
            if is_key_id(kid):
                created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                keys.append(KeyInfo(kid, created, kid == current))
        return sorted(keys, key=lambda info: (info.created_at, info.kid))


def app_es256_store() -> Es256KeyStore:
    """The running app's ES256 keys, for callers that were not given an issuer (see issuer.current_issuer)."""
    from skillpath.services.certificates.issuer import current_issuer

    return current_issuer().es256_keys


def es256_signing_key() -> Es256Key:
    """The running app's current ES256 key for new JWTs, for callers that were not given an issuer."""
    from skillpath.services.certificates.issuer import current_issuer

    return current_issuer().es256_signing_key()
