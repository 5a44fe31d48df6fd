"""What an employer's software learns when it checks a SkillPath credential file.

Both kinds of file end in the same answer: the JSON-LD credential with an embedded
Data Integrity proof (for wallets), and the VC-JWT. Each checker fills in a
`CredentialCheck`; pages and the JSON API turn it into words or JSON.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from skillpath.i18n import _, _l, format_date
from skillpath.models import Certificate
from skillpath.services.certificates import certificates, data_integrity, jsonld, openbadges, signing, status_lists
from skillpath.services.certificates.issuer import Issuer, current_issuer


@dataclass(frozen=True)
class CredentialCheck:
    """The answer to "can this file be trusted, and what does it certify?"."""

    # The signature holds, the issuer is this service, the dates are right and it has not been withdrawn.
    ok: bool
    # Plain English: why it cannot be trusted (None when ok).
    problem: str | None = None
    signature_valid: bool = False
    # True/False once the status was read; None when it could not be (the problem says why).
    withdrawn: bool | None = None
    withdrawn_at: datetime | None = None
    # What it certifies, as the employer may see it: recipient name, achievement, skills, issued date, issuer.
    certifies: dict[str, Any] | None = None
    # The certificate's display code, when the credential is one of ours.
    code: str | None = None


# --- The JSON-LD credential with an embedded proof -----------------------------------------------

MAX_DOCUMENT_BYTES = 64 * 1024  # a SkillPath credential is a few KB
MAX_DEPTH = 32  # ours nest about 8 deep
LEEWAY = timedelta(seconds=300)  # clocks differ; a credential is not refused for a few minutes either way
CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
_STATUS_PATH = re.compile(r"/credentials/status/(?P<list>[0-9a-fA-F-]{36})/(?P<kid>[A-Za-z0-9_-]{43})")

NOT_JSON = _l(
    "This is not a credential file we can read: it is not JSON. Use the .json file exactly as it was downloaded."
)
TOO_LARGE = _l(
    "The file is too large to be a SkillPath credential (the limit is %(size)d KB).", size=MAX_DOCUMENT_BYTES // 1024
)
TOO_DEEP = _l("The file is nested too deeply to be a SkillPath credential.")
NOT_OBJECT = _l("This is not a credential: a credential file holds one JSON object.")
NO_CONTEXT = _l("This is not a JSON-LD credential: it has no @context.")
NOT_A_BADGE = _l("This is not an Open Badges credential, so it is not a SkillPath certificate.")
NOT_OUR_KEY = _l("It was not signed with one of this service’s keys, so it was not issued by SkillPath.")
ANOTHER_ISSUER = _l("The credential names another issuer: it was not issued by this service.")
NOT_VALID_YET = _l("This credential is not valid yet.")
NO_RECORD = _l(
    "There is no certificate matching this credential that can be checked. Ask the person who gave it to you."
)
NOT_OUR_RECORD = _l("Our record of this certificate does not match the credential. Contact the issuer.")
CANNOT_CHECK = _l("The credential could not be checked. Use the .json file exactly as it was downloaded.")

logger = logging.getLogger(__name__)


class _Refused(ValueError):
    """Why the credential cannot be trusted; `signature_valid` says whether its signature held."""

    def __init__(self, problem: str, *, signature_valid: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.signature_valid = signature_valid


def check_jsonld_credential(
    document: object, issuer: Issuer | None = None, *, now: datetime | None = None
) -> CredentialCheck:
    """Can this JSON-LD credential (text, bytes or parsed JSON) be trusted, and what does it certify?

    Its proof is checked with the did:key it names, which must be one of our keys
    and the credential's issuer; its dates must hold; and its status is read from
    our own records, so a withdrawal shows at once. Never raises: any problem is
    said in plain English.
    """
    try:
        return _check(document, now or datetime.now(UTC), (issuer or current_issuer()).keys)
    except _Refused as refusal:
        return CredentialCheck(False, refusal.problem, signature_valid=refusal.signature_valid)
    except Exception:  # hostile input must get an answer, never a server error; the log keeps the detail
        logger.exception("credential check failed")
        return CredentialCheck(False, str(CANNOT_CHECK))


def _check(document: object, now: datetime, keys: signing.KeyStore) -> CredentialCheck:
    credential = _bounded(document)
    _require_shipped_contexts(credential)
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types or not CREDENTIAL_TYPES & set(types):
        raise _Refused(str(NOT_A_BADGE))
    try:
        proof = data_integrity.proof_of(credential)
        public_key = signing.public_key_from_did_key(proof.get("verificationMethod"))
        if public_key is None:
            raise data_integrity.ProofError("Its proof does not name a key that can check it (a did:key).")
        if keys.kid_of(public_key) is None:
            raise _Refused(str(NOT_OUR_KEY))
        issuer = credential.get("issuer")
        if (issuer.get("id") if isinstance(issuer, dict) else issuer) != signing.did_key(public_key):
            raise _Refused(str(ANOTHER_ISSUER))
        data_integrity.verify_proof(credential)
    except (data_integrity.ProofError, jsonld.JsonLdRefused) as error:
        raise _Refused(_sentence(error)) from None
    if problem := dates_problem(credential, now):
        raise _Refused(problem, signature_valid=True)
    return _against_our_record(credential, keys)


def _sentence(error: Exception) -> str:
    text = str(error)
    return text if text.startswith(("The ", "This ")) else _("This credential cannot be trusted. %(why)s", why=text)


def _bounded(document: object) -> dict[str, Any]:
    """The credential as a JSON object, refusing what is too large, too deep or not JSON at all."""
    if isinstance(document, bytes | bytearray | memoryview):
        document = _text_of(bytes(document))
    if isinstance(document, str):
        document = _parsed(document)
    if not isinstance(document, dict):
        raise _Refused(str(NOT_OBJECT))
    _check_depth(document)
    try:
        size = len(json.dumps(document, ensure_ascii=False).encode("utf-8", errors="surrogatepass"))
    except (TypeError, ValueError):
        raise _Refused(str(NOT_JSON)) from None
    if size > MAX_DOCUMENT_BYTES:
        raise _Refused(str(TOO_LARGE))
    return document


def _text_of(data: bytes) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _Refused(str(TOO_LARGE))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refused(str(NOT_JSON)) from None


def _parsed(text: str) -> object:
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_DOCUMENT_BYTES:
        raise _Refused(str(TOO_LARGE))
    try:
        return json.loads(text, parse_constant=_no_constants)
    except RecursionError:  # the parser recurses: absurd nesting ends here, within the size limit
        raise _Refused(str(TOO_DEEP)) from None
    except ValueError:
        raise _Refused(str(NOT_JSON)) from None


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python reads them, JSON has no such numbers


def _check_depth(document: dict[str, Any]) -> None:
    """Refuse deep nesting, and any @context but the top-level one (it could give a known term a new meaning)."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _Refused(str(TOO_DEEP))
        if isinstance(item, dict):
            if item is not document and "@context" in item:
                raise _Refused("It defines JSON-LD contexts inside itself, which SkillPath credentials never do.")
            stack.extend((value, depth + 1) for value in item.values())
        elif isinstance(item, list):
            stack.extend((value, depth + 1) for value in item)


def _require_shipped_contexts(credential: dict[str, Any]) -> None:
    contexts = credential.get("@context")
    if contexts is None:
        raise _Refused(str(NO_CONTEXT))
    if not isinstance(contexts, list) or not contexts or contexts[0] != jsonld.VC_V2_CONTEXT:
        raise _Refused(_("It is not a Verifiable Credential of data model 2.0: its first @context must be the VC one."))
    for context in contexts:
        if not isinstance(context, str) or context not in jsonld.SHIPPED_CONTEXTS:
            raise _Refused(str(jsonld.UnknownContext(context if isinstance(context, str) else None)))


def dates_problem(credential: dict[str, Any], now: datetime) -> str | None:
    """Why a credential's validFrom/validUntil make it untrustworthy now, or None. Both checkers use this."""
    valid_from, from_problem = _timestamp(credential, "validFrom")
    valid_until, until_problem = _timestamp(credential, "validUntil")
    if from_problem or until_problem:
        return from_problem or until_problem
    if valid_from is not None and valid_from > now + LEEWAY:
        return str(NOT_VALID_YET)
    if valid_until is not None and valid_until < now - LEEWAY:
        return _("This credential expired on %(date)s.", date=format_date(valid_until))
    return None


def _timestamp(credential: dict[str, Any], name: str) -> tuple[datetime | None, str | None]:
    """A date-time if present, or why it cannot be read. It must say its time zone, as VC 2.0 requires."""
    if name not in credential:
        return None, None
    value = credential[name]
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) and len(value) <= 40 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None, _("The credential’s %(name)s date cannot be read.", name=name)
    return moment, None


def _against_our_record(credential: dict[str, Any], keys: signing.KeyStore) -> CredentialCheck:
    """A genuine credential of ours: what our record says about it now, withdrawn or not."""
    certificate = _find_certificate(credential.get("id"))
    if certificate is None:
        return CredentialCheck(False, str(NO_RECORD), signature_valid=True)
    verification = certificates.verification_of(certificate, keys)
    content = verification.content
    if (
        content is None
        or not openbadges.matches_content(credential, content)
        or not _same_status_entry(credential, certificate)
    ):
        return CredentialCheck(False, str(NOT_OUR_RECORD), signature_valid=True)
    issuer = credential["issuer"]
    said = certifies(content, issuer_id=issuer["id"] if isinstance(issuer, dict) else str(issuer))
    if verification.revoked_at is not None:
        withdrawn = _("This certificate was withdrawn on %(date)s.", date=format_date(verification.revoked_at))
        return CredentialCheck(
            False,
            withdrawn,
            True,
            withdrawn=True,
            withdrawn_at=verification.revoked_at,
            certifies=said,
            code=content.code,
        )
    return CredentialCheck(True, None, True, withdrawn=False, certifies=said, code=content.code)


def _find_certificate(credential_id: object) -> Certificate | None:
    """The checkable certificate a credential id (its verification page's address) names; hidden ones are not."""
    if not isinstance(credential_id, str) or len(credential_id) > 500:
        return None
    code = certificates.normalise_code(credential_id.rstrip("/").rsplit("/", 1)[-1])
    return certificates.get_checkable_certificate(code) if code else None


def _same_status_entry(credential: dict[str, Any], certificate: Certificate) -> bool:
    """Whether the credential's status entry is the certificate's bit (or it has none, as old files may not)."""
    entry = credential.get("credentialStatus")
    if entry is None:
        return True
    if not isinstance(entry, dict) or not isinstance(entry.get("statusListCredential"), str):
        return False
    match = _STATUS_PATH.fullmatch(urlsplit(entry["statusListCredential"]).path)
    status_list = status_lists.get_status_list_by_id(certificate.status_list_id) if certificate.status_list_id else None
    return (
        match is not None
        and status_list is not None
        and match["list"].lower() == str(status_list.public_id)
        and entry.get("statusListIndex") == str(certificate.status_list_index)
    )


def certifies(content: certificates.CertificateContent, *, issuer_id: str) -> dict[str, Any]:
    """What a checked credential certifies, as an employer may see it: never anything about custody.

    The same shape as the VC-JWT check's, with this credential's issuer id.
    """
    return {
        "code": content.code,
        "recipientName": content.recipient_name,
        "achievement": {"name": content.achievement_name, "description": content.achievement_description},
        "skills": [{"skill": s.skill, "level": s.level} for s in content.skills],
        "issuer": {"name": content.issuer_name, "id": issuer_id},
        "issuedAt": certificates.iso_utc(content.issued_at),
    }
