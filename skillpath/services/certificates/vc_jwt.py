"""Certificates as VC-JWTs, in the form Open Badges 3.0 and the 1EdTech validator require.

The payload is the OpenBadgeCredential itself (built by openbadges.py) plus the
registered claims OB 3.0 section 8.2 asks for: `iss` (the issuer's id, the
absolute URL of its profile), `sub` (the subject's id), `jti` (the credential's
id), `nbf` (validFrom), `iat` (when this JWT was made) and `exp` only if the
credential has a validUntil. The header says `alg` ES256, `typ` JWT, and a `kid`
that is an absolute URL returning that one public key as a JWK, as the validator
fetches it. The ES256 keys rotate like the Ed25519 ones (es256_keys.py).

Checking a JWT needs more than its signature: it must be signed by one of OUR
keys (found by kid, never by a key the token brings along), name us as issuer,
be within its dates, and match a certificate we hold; its status is read from
our own record, so a withdrawal shows at once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy.exc import SQLAlchemyError

from skillpath.i18n import _, _l, format_date
from skillpath.models import Certificate
from skillpath.services.certificates import certificates, es256_keys, openbadges, signing
from skillpath.services.certificates.credential_check import (
    ANOTHER_ISSUER,
    NO_RECORD,
    NOT_OUR_RECORD,
    NOT_VALID_YET,
    CredentialCheck,
    certifies,
    dates_problem,
)
from skillpath.services.certificates.es256_keys import ALGORITHM
from skillpath.services.certificates.issuer import Issuer, current_issuer
from skillpath.services.certificates.urls import PublicUrls

# RFC 7519's own media type: the token says `typ` JWT, as OB 3.0 requires (not vc+jwt).
JWT_MEDIA_TYPE = "application/jwt"
# What a caller may send a JWT as: ours, the VC-JOSE-COSE one, and plain text.
JWT_MEDIA_TYPES = frozenset({"application/jwt", "application/vc+jwt", "text/plain"})
JWT_TYPE = "JWT"
MAX_TOKEN_LENGTH = 64 * 1024
LEEWAY = timedelta(seconds=300)  # clocks differ; a credential is not refused for a few minutes either way

UNREADABLE = _l(
    "This is not a credential file we can read. Use the .jwt file exactly as it was downloaded from SkillPath."
)
NOT_OUR_KEY = _l("It was not signed with one of this service’s keys, so it was not issued by SkillPath.")
KEY_ELSEWHERE = _l("It names a signing key kept somewhere other than this service, so it was not issued by SkillPath.")
OLD_FORMAT = _l(
    "This is a SkillPath credential file in an older format that can no longer be checked. "
    "Ask the person who gave it to you for a new copy, or check the certificate code instead."
)
WRONG_ALGORITHM = _l("It was not signed the way this service signs credentials, so it cannot be trusted.")
ALTERED = _l("The signature does not match: the credential has been changed since it was issued.")
ANOTHER_SUBJECT = _l("The credential’s subject does not match the person it names, so it has been changed.")
CANNOT_CHECK = _l("The credential could not be checked. Use the .jwt file exactly as it was downloaded.")

logger = logging.getLogger(__name__)


# --- Addresses -----------------------------------------------------------------------------------


def issuer_id(urls: PublicUrls) -> str:
    """The issuer's id in the JWT: the absolute URL of its profile."""
    return urls.issuer_profile()


def key_url(kid: str, urls: PublicUrls | None = None) -> str:
    """The absolute URL that returns the one ES256 key with this id, as a JWK: the JWT's `kid`."""
    return (urls or current_issuer().urls).issuer_key(kid)


def kid_of(url: object, urls: PublicUrls) -> str | None:
    """The key id inside one of our key URLs, or None for anything else (another host, a bare id, a path trick)."""
    if not isinstance(url, str):
        return None
    prefix = urls.issuer_key("x")[:-1]
    kid = url.removeprefix(prefix) if url.startswith(prefix) else None
    return kid if signing.is_key_id(kid) else None


def public_jwk(key_id: str, issuer: Issuer | None = None) -> dict[str, str] | None:
    """One ES256 public key as a JWK, named by its URL, or None if it is not one of ours."""
    issuer = issuer or current_issuer()
    public = issuer.es256_keys.public_key(key_id)
    if public is None:
        return None
    return {**es256_keys.public_jwk(public), "kid": key_url(key_id, issuer.urls), "alg": ALGORITHM, "use": "sig"}


def jwks_entries(issuer: Issuer) -> list[dict[str, str]]:
    """Every ES256 public key, current first, for the issuer's JWKS."""
    keys = sorted(issuer.es256_keys.list_keys(), key=lambda info: not info.is_current)
    return [jwk for info in keys if (jwk := public_jwk(info.kid, issuer)) is not None]


# --- Signing -------------------------------------------------------------------------------------


def _credential(certificate: Certificate, issuer: Issuer) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential, its issuer being the issuer profile's URL (not a did:key).

    It carries no credentialStatus: the status lists are signed by the did:key issuers of the
    JSON-LD credentials, and verifiers refuse a list whose issuer is not the credential's. A
    JWT's status is read where its id points (the public verification page) or from the API.
    """
    profile = {
        "id": issuer_id(issuer.urls),
        "type": ["Profile"],
        "name": certificate.issuer_name,
        "url": issuer.urls.home(),
    }
    return openbadges.credential_body(certificate, issuer, profile=profile, with_status=False)


def credential_jwt(certificate: Certificate, issuer: Issuer | None = None, *, now: datetime | None = None) -> str:
    """The certificate's OpenBadgeCredential as a compact VC-JWT signed with the current ES256 key."""
    issuer = issuer or current_issuer()
    credential = _credential(certificate, issuer)
    claims: dict[str, Any] = {
        **credential,
        "iss": credential["issuer"]["id"],
        "sub": credential["credentialSubject"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
        "iat": int((now or datetime.now(UTC)).timestamp()),
    }
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    key = issuer.es256_signing_key()
    headers = {"kid": key_url(key.kid, issuer.urls), "typ": JWT_TYPE}
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers=headers)


# --- Checking ------------------------------------------------------------------------------------


def looks_like_jwt(text: str) -> bool:
    """Three base64url parts, as a compact JWS is: worth handing to the JWT check."""
    parts = text.split(".")
    return len(parts) == 3 and all(part.isascii() and _is_base64url(part) for part in parts[:2])


def _is_base64url(part: str) -> bool:
    return bool(part) and all(character.isalnum() or character in "-_" for character in part)


def check_jwt_credential(token: str, issuer: Issuer | None = None, *, now: datetime | None = None) -> CredentialCheck:
    """Can this VC-JWT be trusted, and what does it certify? The answer, in plain words when not.

    Never raises for anything a token holds: a shape we never issue, even signed
    with our own key, gets an answer. Only the database being down gets through.
    """
    try:
        return _check(token, now or datetime.now(UTC), issuer or current_issuer())
    except SQLAlchemyError:
        raise
    except Exception:  # hostile input must get an answer, never a server error; the log keeps the detail
        logger.exception("VC-JWT check failed")
        return CredentialCheck(False, str(CANNOT_CHECK))


def _check(token: str, now: datetime, issuer: Issuer) -> CredentialCheck:
    token = token.strip() if isinstance(token, str) else ""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not looks_like_jwt(token):
        return CredentialCheck(False, str(UNREADABLE))
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return CredentialCheck(False, str(UNREADABLE))
    public_key, problem = _our_key(header, issuer)
    if problem is not None:
        return CredentialCheck(False, problem)
    claims = _decode(token, public_key)
    if isinstance(claims, str):
        return CredentialCheck(False, claims)
    if problem := claims_problem(claims, issuer=issuer_id(issuer.urls), now=now):
        return CredentialCheck(False, problem, signature_valid=True)
    return _against_our_record(claims, issuer)


def _our_key(header: dict[str, Any], issuer: Issuer) -> tuple[Any, str | None]:
    """The public key of ours the header names, or why there is none."""
    algorithm, kid = header.get("alg"), header.get("kid")
    if algorithm == "EdDSA" and signing.is_key_id(kid) and issuer.keys.public_key(kid) is not None:
        return None, OLD_FORMAT  # signed by our Ed25519 key before the JWT moved to ES256
    if algorithm != ALGORITHM:
        return None, WRONG_ALGORITHM
    key_id = kid_of(kid, issuer.urls)
    if key_id is None:
        return None, KEY_ELSEWHERE
    public_key = issuer.es256_keys.public_key(key_id)
    return (public_key, None) if public_key is not None else (None, str(NOT_OUR_KEY))


def _decode(token: str, public_key: Any) -> dict[str, Any] | str:
    """The verified claims, or why they cannot be trusted."""
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "jti", "nbf"], "verify_aud": False},
            leeway=LEEWAY,
        )
    except jwt.InvalidSignatureError:
        return str(ALTERED)
    except jwt.ExpiredSignatureError:
        return _("This credential has expired.")
    except jwt.ImmatureSignatureError:
        return str(NOT_VALID_YET)
    except jwt.MissingRequiredClaimError as error:
        return _("The credential is missing its “%(claim)s” claim, so it cannot be checked.", claim=error.claim)
    except jwt.InvalidTokenError:
        return str(UNREADABLE)
    return claims


def claims_problem(claims: dict[str, Any], *, issuer: str, now: datetime) -> str | None:
    """Why a credential signed with our key must still be refused, or None.

    A signature only proves who signed: the credential must also name that signer
    as its issuer (in `iss` and in its own `issuer`), its `sub` must be its
    subject's id, and it must be within its validFrom and validUntil dates.
    """
    named = claims.get("issuer")
    named = named.get("id") if isinstance(named, dict) else named  # VC allows the issuer as a bare URL
    if named != claims.get("iss") or named != issuer:
        return str(ANOTHER_ISSUER)
    subject = claims.get("credentialSubject")
    if not isinstance(subject, dict) or ("sub" in claims and claims["sub"] != subject.get("id")):
        return str(ANOTHER_SUBJECT)
    return dates_problem(claims, now)


def _against_our_record(claims: dict[str, Any], issuer: Issuer) -> CredentialCheck:
    """A genuine credential of ours: what our record says about it now, withdrawn or not."""
    certificate = find_certificate(claims.get("jti"), issuer.urls)
    if certificate is None:
        return CredentialCheck(False, str(NO_RECORD), signature_valid=True)
    verification = certificates.verification_of(certificate, issuer.keys)
    content = verification.content
    if content is None or not _matches(claims, content):
        return CredentialCheck(False, str(NOT_OUR_RECORD), signature_valid=True)
    said = certifies(content, issuer_id=issuer_id(issuer.urls))
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


def _matches(claims: dict[str, Any], content: certificates.CertificateContent) -> bool:
    try:
        return openbadges.matches_content(claims, content)
    except (AttributeError, TypeError, KeyError):  # a shape we never issue cannot say what our record says
        return False


def find_certificate(credential_id: object, urls: PublicUrls) -> Certificate | None:
    """The checkable certificate a credential id names: its verification page's URL, or its urn:uuid."""
    if not isinstance(credential_id, str) or len(credential_id) > 500:
        return None
    code = certificates.normalise_code(credential_id.rstrip("/").rsplit("/", 1)[-1])
    if code is not None and credential_id.startswith(urls.base_url + "/"):
        return certificates.get_checkable_certificate(code)
    return None
