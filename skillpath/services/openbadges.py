"""Certificates as Open Badges 3.0 credentials, signed as VC-JWTs.

An OpenBadgeCredential (VC data model 2.0 with the OB 3.0.3 context) carries
the same content as the certificate page: the name the learner chose (as an
IdentityObject of type "name"), the achievement, the issuing organisation and
the date. Each DDaT skill is an alignment of the achievement (the level as its
code) and a result of the subject (the level reached). Its status entry points
at a per-credential 1EdTech revocation list, so a verifier learns about
withdrawal at once without a public list of every withdrawn credential.

The credential is signed as a JWT (alg EdDSA, the key id in the header), the
payload being the credential itself plus `iss`, `jti` and `nbf`. Checking one
needs more than the signature: a credential signed with our key must also name
us as its issuer and be within its validFrom and validUntil dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from skillpath.models.certificates import CertificateKind
from skillpath.services import signing
from skillpath.services.certificates import CertificateContent, iso_utc
from skillpath.template_helpers import format_date

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
FRAMEWORK_NAME = "Government Digital and Data Profession Capability Framework"
FRAMEWORK_URL = "https://ddat-capability-framework.service.gov.uk/"
JWT_MEDIA_TYPE = "application/vc+jwt"
JWT_TYPE = "vc+jwt"
STATUS_TYPE = "1EdTechRevocationList"
LEVELS = ("awareness", "working", "practitioner", "expert")
LEEWAY = timedelta(seconds=300)  # clocks differ; a credential is not refused for a few minutes either way
ANOTHER_ISSUER = "The credential names another issuer: it was not issued by this service."

_CRITERIA = {
    CertificateKind.MODULE: (
        "Completed every part of the module, recorded evidence of the work, and had that evidence "
        "checked and signed off by a mentor."
    ),
    CertificateKind.ROLE_READINESS: (
        "Holds every skill the role needs at the level it needs, each shown in a module a mentor signed off, "
        "and has been confirmed by a mentor as ready for work."
    ),
}
_ACHIEVEMENT_TYPES = {CertificateKind.MODULE: "CertificateOfCompletion", CertificateKind.ROLE_READINESS: "Certificate"}


@dataclass(frozen=True)
class CredentialLinks:
    """The absolute identifiers and URLs a credential refers to."""

    credential_id: str  # the certificate's public verification page, so a wallet's link shows its status
    achievement_id: str
    issuer_id: str  # the issuer profile's URL
    issuer_url: str  # the service's home address
    status_url: str


def _alignment(skill: str, level: str) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetType": "ceasn:Competency",
        "targetName": skill,
        "targetCode": level,
        "targetDescription": f"{skill} at {level} level",
        "targetFramework": FRAMEWORK_NAME,
        "targetUrl": FRAMEWORK_URL,
    }


def build_credential(content: CertificateContent, kind: CertificateKind, links: CredentialLinks) -> dict[str, Any]:
    """The OpenBadgeCredential for a certificate, unsigned."""
    descriptions = [
        {
            "id": f"{links.achievement_id}#skill-{number}",
            "type": ["ResultDescription"],
            "name": skill.skill,
            "resultType": "PerformanceLevel",
            "allowedValue": list(LEVELS),
            "requiredLevel": skill.level,
            "alignment": [_alignment(skill.skill, skill.level)],
        }
        for number, skill in enumerate(content.skills, start=1)
    ]
    results = [
        {
            "type": ["Result"],
            "resultDescription": description["id"],
            "value": skill.level,
            "status": "Completed",
            "alignment": description["alignment"],
        }
        for skill, description in zip(content.skills, descriptions, strict=True)
    ]
    issued = iso_utc(content.issued_at)
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": links.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": content.achievement_name,
        "description": content.achievement_description,
        "issuer": {"id": links.issuer_id, "type": ["Profile"], "name": content.issuer_name, "url": links.issuer_url},
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            # The name exactly as the learner chose it for certificates; nothing else identifies them.
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": content.recipient_name,
                }
            ],
            "achievement": {
                "id": links.achievement_id,
                "type": ["Achievement"],
                "achievementType": _ACHIEVEMENT_TYPES[kind],
                "name": content.achievement_name,
                "description": content.achievement_description,
                "criteria": {"narrative": _CRITERIA[kind]},
                "alignment": [_alignment(s.skill, s.level) for s in content.skills],
                "resultDescription": descriptions,
            },
            "result": results,
        },
        "credentialStatus": {"id": links.status_url, "type": STATUS_TYPE},
    }


def sign_credential(credential: dict[str, Any], key: signing.IssuerKey, *, not_before: int) -> str:
    """The credential as a compact VC-JWT signed with EdDSA."""
    payload = {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"], "nbf": not_before}
    return jwt.encode(payload, key.private_key, algorithm="EdDSA", headers={"kid": key.kid, "typ": JWT_TYPE})


@dataclass(frozen=True)
class CredentialCheck:
    """What a posted VC-JWT says, once its signature has been checked."""

    ok: bool
    reason: str
    payload: dict[str, Any] | None = None
    kid: str | None = None


def check_credential_jwt(
    token: str, keys: signing.KeyStore, *, issuer_id: str | None = None, now: datetime | None = None
) -> CredentialCheck:
    """Check a VC-JWT: its signature against this issuer's keys, who it names as issuer, and its dates.

    `issuer_id` is this issuer's profile URL; a credential naming any other is
    refused even when our key signed it. Without it, only the agreement of `iss`
    and the credential's own issuer is checked.
    """
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return CredentialCheck(False, "This is not a readable credential: send the .jwt file exactly as downloaded.")
    kid = header.get("kid")
    if header.get("alg") != "EdDSA" or not signing.is_key_id(kid):
        return CredentialCheck(False, "The credential was not signed with one of this issuer's keys.")
    public_key = keys.public_key(kid)
    if public_key is None:
        return CredentialCheck(False, "The credential was not signed with one of this issuer's keys.", kid=kid)
    payload = _decode(token, public_key)
    if isinstance(payload, str):
        return CredentialCheck(False, payload, kid=kid)
    if reason := claims_problem(payload, issuer_id=issuer_id, now=now or datetime.now(UTC)):
        return CredentialCheck(False, reason, kid=kid)
    return CredentialCheck(True, "The signature is valid.", payload, kid)


def _decode(token: str, public_key: Any) -> dict[str, Any] | str:
    """The verified payload, or the reason it cannot be trusted."""
    try:
        payload: dict[str, Any] = jwt.decode(
            token,
            public_key,
            algorithms=["EdDSA"],
            options={"require": ["iss", "jti", "nbf"], "verify_aud": False},
            leeway=LEEWAY,
        )
    except jwt.InvalidSignatureError:
        return "The signature does not match: the credential has been changed since it was issued."
    except jwt.ExpiredSignatureError:
        return "This credential has expired."
    except jwt.ImmatureSignatureError:
        return "This credential is not valid yet."
    except jwt.InvalidTokenError as error:
        return f"The credential could not be checked: {error}."
    return payload


def claims_problem(payload: dict[str, Any], *, issuer_id: str | None, now: datetime) -> str | None:
    """Why a correctly signed credential must still be refused, or None.

    A signature only proves who signed: the credential must also name that
    signer as its issuer (both in `iss` and in its own `issuer`), and be within
    its validFrom and validUntil dates.
    """
    issuer = payload.get("issuer")
    named = issuer.get("id") if isinstance(issuer, dict) else issuer  # VC allows the issuer as a bare URL
    if named != payload.get("iss") or (issuer_id is not None and named != issuer_id):
        return ANOTHER_ISSUER
    valid_from, from_problem = _timestamp(payload, "validFrom")
    valid_until, until_problem = _timestamp(payload, "validUntil")
    if from_problem or until_problem:
        return from_problem or until_problem
    if valid_from is not None and valid_from > now + LEEWAY:
        return "This credential is not valid yet."
    if valid_until is not None and valid_until < now - LEEWAY:
        return f"This credential expired on {format_date(valid_until)}."
    return None


def _timestamp(payload: dict[str, Any], name: str) -> tuple[datetime | None, str | None]:
    """A date-time claim if present, or why it cannot be read. It must say its time zone, as VC 2.0 requires."""
    if name not in payload:
        return None, None
    value = payload[name]
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        return None, f"The credential's {name} date cannot be read."
    return moment, None


def issuer_profile(*, issuer_id: str, name: str, url: str, jwks_url: str) -> dict[str, Any]:
    """The issuer's public Profile. It names the organisation only: never an establishment."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_id,
        "type": ["Profile"],
        "name": name,
        "url": url,
        "description": f"{name} issues SkillPath digital-skills certificates. Keys that sign them: {jwks_url}",
    }


def revocation_list(*, list_id: str, issuer_id: str, credential_id: str, revoked: bool) -> dict[str, Any]:
    """A 1EdTech revocation list for one credential: empty unless it was withdrawn. Reasons stay private."""
    return {
        "id": list_id,
        "issuer": issuer_id,
        "revokedCredentials": [{"id": credential_id, "revoked": True}] if revoked else [],
    }


def matches_content(payload: dict[str, Any], content: CertificateContent) -> bool:
    """Whether a signed credential says what the certificate's record says (links aside: addresses can move)."""
    try:
        subject = payload["credentialSubject"]
        achievement = subject["achievement"]
        said = (
            payload["name"],
            payload["description"],
            payload["issuer"]["name"],
            payload["validFrom"],
            [entry["identityHash"] for entry in subject["identifier"] if entry.get("identityType") == "name"],
            [(a["targetName"], a["targetCode"]) for a in achievement["alignment"]],
        )
    except (KeyError, TypeError):
        return False
    recorded = (
        content.achievement_name,
        content.achievement_description,
        content.issuer_name,
        iso_utc(content.issued_at),
        [content.recipient_name],
        [(s.skill, s.level) for s in content.skills],
    )
    return said == recorded
