"""W3C Bitstring Status Lists: how a verifier learns, without asking about one credential, that it was withdrawn.

Each certificate holds a random free index in a revocation list of 131,072
entries (16 KB of bits, the size the spec advises so that a list says little
about any one person); a new list starts when one is full. The bits are never
stored: each request reads the withdrawn indexes of the list (one indexed query)
and builds the bitstring, so a withdrawal shows at once.

The list is served as a BitstringStatusListCredential signed like the
credentials (eddsa-rdfc-2022). A verifier requires the list's issuer to be the
credential's issuer, and our issuer is the did:key of the key that signed, so
each list is served once per key, at /credentials/status/<list>/<key id>: a
credential signed before a key rotation still finds a list its issuer signed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import secrets
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from skillpath.extensions import db
from skillpath.models import Certificate
from skillpath.models.certificates import StatusList, StatusPurpose
from skillpath.services.certificates import data_integrity, jsonld, signing
from skillpath.services.certificates.urls import PublicUrls
from skillpath.services.locking import lock_row

LIST_SIZE = 131_072  # 16 KB of bits: the herd-privacy minimum the Bitstring Status List spec advises
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
CACHE_SECONDS = 60  # verifiers may keep a list this long; a withdrawal reaches them within a minute
_CANDIDATES = 32  # random indexes tried in one query before falling back to reading the whole list


# --- Placing a certificate ---------------------------------------------------------------------


def _used(status_list: StatusList) -> int:
    return db.session.scalar(select(func.count()).where(Certificate.status_list_id == status_list.id)) or 0


def _current_list(purpose: StatusPurpose) -> StatusList:
    """The newest list for the purpose with room in it, made when there is none."""
    newest = db.session.scalar(
        select(StatusList).where(StatusList.purpose == purpose).order_by(StatusList.id.desc()).limit(1)
    )
    if newest is not None and _used(newest) < newest.size:
        return newest
    fresh = StatusList(purpose=purpose, size=LIST_SIZE)
    db.session.add(fresh)
    db.session.flush()
    return fresh


def _free_index(status_list: StatusList) -> int:
    """A random index nobody holds in the list. Call it holding the list's lock."""
    random = secrets.SystemRandom()
    for _ in range(4):
        candidates = random.sample(range(status_list.size), min(_CANDIDATES, status_list.size))
        taken = set(
            db.session.scalars(
                select(Certificate.status_list_index).where(
                    Certificate.status_list_id == status_list.id, Certificate.status_list_index.in_(candidates)
                )
            )
        )
        free = [index for index in candidates if index not in taken]
        if free:
            return free[0]
    # Nearly full: choose among what is left.
    used = set(
        db.session.scalars(select(Certificate.status_list_index).where(Certificate.status_list_id == status_list.id))
    )
    return random.choice([index for index in range(status_list.size) if index not in used])


def place_certificate(certificate: Certificate, purpose: StatusPurpose = StatusPurpose.REVOCATION) -> None:
    """Give a new certificate a random free index in the current list (call before adding it to the session).

    The list's row is locked until the transaction ends, so two certificates issued
    at once never draw the same index.
    """
    status_list = _current_list(purpose)
    lock_row(StatusList, status_list.id)
    if _used(status_list) >= status_list.size:  # filled while we waited for the lock
        status_list = _current_list(purpose)
        lock_row(StatusList, status_list.id)
    certificate.status_list_id = status_list.id
    certificate.status_list_index = _free_index(status_list)


# --- Reading -----------------------------------------------------------------------------------


def get_status_list_by_id(status_list_id: int) -> StatusList | None:
    return db.session.get(StatusList, status_list_id)


def encode_list(size: int, indexes: tuple[int, ...] | list[int]) -> str:
    """The spec's encodedList: multibase base64url (no padding, 'u' prefix) of the GZIP of the bits.

    Index 0 is the left-most (most significant) bit of the first byte.
    """
    bits = bytearray(size // 8)
    for index in indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)  # mtime 0: the same bits, the same bytes
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_list(encoded: str) -> bytes:
    """The bits of an encodedList (for checks and tests)."""
    if not encoded.startswith("u"):
        raise ValueError("An encodedList starts with 'u' (multibase base64url)")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def is_set(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# --- The signed list ---------------------------------------------------------------------------


def status_entry(certificate: Certificate, kid: str, urls: PublicUrls) -> dict[str, Any] | None:
    """The credential's BitstringStatusListEntry, pointing at the list as signed by this key."""
    if certificate.status_list_id is None or certificate.status_list_index is None:
        return None
    status_list = get_status_list_by_id(certificate.status_list_id)
    if status_list is None:
        return None
    url = urls.status_list(status_list.public_id, kid)
    index = certificate.status_list_index
    return {
        "id": f"{url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": status_list.purpose.value,
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


@dataclass(frozen=True)
class SignedStatusList:
    document: dict[str, Any]
    body: bytes  # the document as served
    etag: str


# The list and the indexes of its withdrawn certificates, in one query (through the certificates' index
# on list and position), built once: this is the query behind every verifier's status check.
_LIST_AND_WITHDRAWN = (
    select(
        StatusList.id,
        StatusList.size,
        StatusList.purpose,
        StatusList.created_at,
        Certificate.status_list_index,
        Certificate.revoked_at,
    )
    .outerjoin(Certificate, and_(Certificate.status_list_id == StatusList.id, Certificate.revoked_at.is_not(None)))
    .where(StatusList.public_id == bindparam("public_id"))
)

# Signed lists, by list, key, address and withdrawn indexes: signing takes milliseconds, and lists
# are read far more often than they change. The key includes the indexes, so a change is never missed.
_CACHE_SIZE = 256
_signed: OrderedDict[tuple[Any, ...], SignedStatusList] = OrderedDict()
_signed_lock = threading.Lock()


def signed_status_list(
    public_id: uuid.UUID, kid: str, keys: signing.KeyStore, urls: PublicUrls
) -> SignedStatusList | None:
    """The list as a BitstringStatusListCredential signed by this key, its issuer the key's did:key.

    None when there is no such list or the key is not ours. Its bits are read now.
    """
    public_key = keys.public_key(kid)
    if public_key is None:
        return None
    rows = db.session.execute(_LIST_AND_WITHDRAWN, {"public_id": public_id}).all()
    if not rows:
        return None
    list_id, size, purpose, created_at = rows[0][:4]
    withdrawn: list[tuple[int, datetime]] = [
        (index, revoked_at) for *_, index, revoked_at in rows if index is not None and revoked_at is not None
    ]
    indexes = tuple(sorted(index for index, _ in withdrawn))
    cache_key = (list_id, size, kid, urls.base_url, indexes)
    with _signed_lock:
        cached = _signed.get(cache_key)
        if cached is not None:
            _signed.move_to_end(cache_key)
            return cached
    key = keys.issuer_key(kid)
    if key is None:
        return None
    # When the list last changed, so the signed document stays the same for as long as its bits do.
    changed = max([created_at, *(revoked_at for _, revoked_at in withdrawn)]).replace(microsecond=0)
    url = urls.status_list(public_id, kid)
    document = data_integrity.add_proof(
        {
            "@context": [jsonld.VC_V2_CONTEXT],
            "id": url,
            "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
            "issuer": signing.did_key(public_key),
            "validFrom": changed.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "credentialSubject": {
                "id": f"{url}#list",
                "type": "BitstringStatusList",
                "statusPurpose": str(purpose),
                "encodedList": encode_list(size, indexes),
                "ttl": CACHE_SECONDS * 1000,
            },
        },
        key,
        created=changed,
    )
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    signed = SignedStatusList(document, body, hashlib.sha256(body).hexdigest()[:32])
    with _signed_lock:
        _signed[cache_key] = signed
        while len(_signed) > _CACHE_SIZE:
            _signed.popitem(last=False)
    return signed
