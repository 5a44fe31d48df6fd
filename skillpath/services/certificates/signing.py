"""The issuer's Ed25519 keys, and signing over a canonical form of a certificate's content.

Keys live as PEM files in a folder outside the repository (KEYS_FOLDER, by
default instance/keys; see issuer.py), one file per key id, readable only by the app's user.
A small `current` file names the key that signs new certificates. Rotating
adds a key and moves `current`; old keys stay, so everything they signed still
verifies, and all public keys are published as a JWKS.

The key id is the RFC 7638 thumbprint of the public key, so anyone holding the
JWKS can check that a key id belongs to its key.

Each key is also a `did:key` (multicodec ed25519-pub, base58btc): the issuer of
the JSON-LD credentials it signs. A did:key is its own public key, so a verifier
resolves it with nothing but the credential, and a rotated key keeps verifying
what it signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeGuard

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

CURRENT_MARKER = "current"
# An RFC 7638 SHA-256 thumbprint is 43 base64url characters. Anything else is not one of our key ids,
# and is never used to build a file name.
_KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


class SigningKeyMissing(RuntimeError):
    """There is no current issuer key, and this environment does not make one on its own."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical_json(content: Mapping[str, Any]) -> bytes:
    """Deterministic bytes for signing: sorted keys, no whitespace, UTF-8 (not \\u escapes)."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    """The key's required JWK members (RFC 8037), in the order RFC 7638 hashes them."""
    return {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(public_key_bytes(public_key))}


def thumbprint(public_key: Ed25519PublicKey) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256, base64url): our key id."""
    members = json.dumps(public_jwk(public_key), sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url_encode(hashlib.sha256(members).digest())


def is_key_id(text: object) -> TypeGuard[str]:
    return isinstance(text, str) and _KID_PATTERN.fullmatch(text) is not None


# --- did:key and Multikey (W3C Controlled Identifiers; did:key method) ---------------------------

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {character: value for value, character in enumerate(_BASE58_ALPHABET)}
_ED25519_PUB_PREFIX = b"\xed\x01"  # the multicodec ed25519-pub, as an unsigned varint
DID_KEY_PREFIX = "did:key:"
# 'z' + base58btc of 34 bytes is 48 or 49 characters; refuse anything much longer before decoding it.
_MULTIKEY_MAX = 60


def base58btc_encode(data: bytes) -> str:
    """Bitcoin's base58 alphabet; leading zero bytes become leading '1's."""
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes | None:
    """The bytes, or None if the text is not base58btc."""
    number = 0
    for character in text:
        value = _BASE58_INDEX.get(character)
        if value is None:
            return None
        number = number * 58 + value
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multikey(public_key: Ed25519PublicKey) -> str:
    """The public key as a Multikey publicKeyMultibase: 'z6Mk…'."""
    return "z" + base58btc_encode(_ED25519_PUB_PREFIX + public_key_bytes(public_key))


def did_key(public_key: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + multikey(public_key)


def verification_method(public_key: Ed25519PublicKey) -> str:
    """The did:key's one verification method: did:key:z6Mk…#z6Mk…."""
    return f"{did_key(public_key)}#{multikey(public_key)}"


def public_key_from_multikey(text: object) -> Ed25519PublicKey | None:
    """The Ed25519 public key a 'z6Mk…' Multikey holds, or None if it holds none."""
    if not isinstance(text, str) or not text.startswith("z") or len(text) > _MULTIKEY_MAX:
        return None
    raw = base58btc_decode(text[1:])
    if raw is None or len(raw) != 34 or not raw.startswith(_ED25519_PUB_PREFIX):
        return None
    try:
        return Ed25519PublicKey.from_public_bytes(raw[2:])
    except ValueError:
        return None


def public_key_from_did_key(did: object) -> Ed25519PublicKey | None:
    """The key of a 'did:key:z6Mk…' (or of its verification method 'did:key:z6Mk…#z6Mk…'), else None."""
    if not isinstance(did, str) or not did.startswith(DID_KEY_PREFIX):
        return None
    identifier, _, fragment = did.removeprefix(DID_KEY_PREFIX).partition("#")
    if fragment and fragment != identifier:
        return None
    return public_key_from_multikey(identifier)


@dataclass(frozen=True)
class IssuerKey:
    kid: str
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()


@dataclass(frozen=True)
class KeyInfo:
    kid: str
    created_at: datetime
    is_current: bool


def sign(data: bytes, key: IssuerKey) -> str:
    return b64url_encode(key.private_key.sign(data))


def _check(public_key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
    try:
        public_key.verify(b64url_decode(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


class _SignatureChecks:
    """Answers already worked out, per process: a signature over given bytes, under a given key, never changes.

    Verification pages are read far more often than certificates change, and the content they sign is fixed when
    they are issued. The key is a SHA-256 digest of the public key, the signature and the signed bytes (the
    certificate's content), so an entry is 32 bytes however long the content, and a row edited in the database
    (or a signature replaced) is a different key, checked afresh. Whether a certificate is withdrawn is no part of
    it: that is read from the database on every check.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._answers: OrderedDict[bytes, bool] = OrderedDict()
        self._lock = threading.Lock()

    def verified(self, public_key: Ed25519PublicKey, data: bytes, signature: str) -> bool:
        # The public key has a fixed length and base64url has no NUL, so the parts cannot run into each other.
        public_raw = public_key_bytes(public_key)
        digest = hashlib.sha256(public_raw + signature.encode("ascii", "replace") + b"\0" + data).digest()
        with self._lock:
            known = self._answers.get(digest)
            if known is not None:
                self._answers.move_to_end(digest)
                return known
        answer = _check(public_key, data, signature)
        with self._lock:
            self._answers[digest] = answer
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
        return answer

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()


# Enough for every certificate a national service has in force (about 10 MB a process).
signature_checks = _SignatureChecks(65_536)


def verify_signature(data: bytes, signature: str, public_key: Ed25519PublicKey) -> bool:
    return signature_checks.verified(public_key, data, signature)


# Public keys never change once written: one cache for the process, keyed by folder and key id.
_public_keys: dict[tuple[str, str], Ed25519PublicKey] = {}
_lock = threading.Lock()


class KeyStore:
    """The issuer keys in one folder."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def _path(self, kid: str) -> Path:
        if not is_key_id(kid):
            raise ValueError("Not a key id")
        return self.folder / f"{kid}.pem"

    def current_kid(self) -> str | None:
        try:
            kid = (self.folder / CURRENT_MARKER).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return kid if is_key_id(kid) and self._path(kid).is_file() else None

    def current(self) -> IssuerKey:
        """The key that signs new certificates."""
        kid = self.current_kid()
        if kid is None:
            raise SigningKeyMissing(
                f"There is no issuer signing key in {self.folder}. "
                "Run `flask keys generate` (or point KEYS_FOLDER at the shared key folder)."
            )
        return self._load_private(kid)

    def _load_private(self, kid: str) -> IssuerKey:
        private = serialization.load_pem_private_key(self._path(kid).read_bytes(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ValueError(f"Key {kid} is not an Ed25519 key")
        return IssuerKey(kid, private)

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
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

    def issuer_key(self, kid: str) -> IssuerKey | None:
        """The key pair for one of our key ids (old ones too: they still sign their status lists), else None."""
        if not is_key_id(kid):
            return None
        try:
            return self._load_private(kid)
        except FileNotFoundError:
            return None

    def kid_of(self, public_key: Ed25519PublicKey) -> str | None:
        """Our key id for this public key, or None when it is not one of our keys."""
        kid = thumbprint(public_key)
        ours = self.public_key(kid)
        if ours is None or public_key_bytes(ours) != public_key_bytes(public_key):
            return None
        return kid

    def generate(self) -> IssuerKey:
        """Make a new key pair and make it current. Earlier keys are kept."""
        with _lock:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            private = Ed25519PrivateKey.generate()
            kid = thumbprint(private.public_key())
            pem = private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(self._path(kid), pem)
            _write_private(self.folder / CURRENT_MARKER, kid.encode("ascii") + b"\n", replace=True)
            return IssuerKey(kid, private)

    def ensure(self) -> tuple[IssuerKey, bool]:
        """The current key, making one if there is none. The flag says whether it was made now."""
        kid = self.current_kid()
        if kid is not None:
            return self._load_private(kid), False
        return self.generate(), True

    def list_keys(self) -> list[KeyInfo]:
        """Every key in the folder, oldest first."""
        if not self.folder.is_dir():
            return []
        current = self.current_kid()
        keys = []
        for path in self.folder.glob("*.pem"):
            if is_key_id(path.stem):
                created = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                keys.append(KeyInfo(path.stem, created, path.stem == current))
        return sorted(keys, key=lambda info: (info.created_at, info.kid))

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """All public keys, current first, as a JSON Web Key Set."""
        keys = sorted(self.list_keys(), key=lambda info: not info.is_current)
        entries = []
        for info in keys:
            public = self.public_key(info.kid)
            if public is not None:
                entries.append({**public_jwk(public), "kid": info.kid, "alg": "EdDSA", "use": "sig"})
        return {"keys": entries}


def _write_private(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write a file only the owner can read, atomically (a reader never sees half a key)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    if not replace and path.exists():
        temporary.unlink()
        raise FileExistsError(path)
    os.replace(temporary, path)


def app_key_store() -> KeyStore:
    """The running app's Ed25519 keys, for callers that were not given an issuer (see issuer.current_issuer)."""
    from skillpath.services.certificates.issuer import current_issuer

    return current_issuer().keys


def signing_key() -> IssuerKey:
    """The running app's current key for new signatures, for callers that were not given an issuer."""
    from skillpath.services.certificates.issuer import current_issuer

    return current_issuer().signing_key()
