"""Certificates as Open Badges 3.0 credentials: JSON-LD with an embedded proof (the VC-JWT: vc_jwt.py).

An OpenBadgeCredential (VC data model 2.0 with the OB 3.0.3 context) carries
the same content as the certificate page: the name the learner chose (as an
IdentityObject of type "name"), the achievement, the issuing organisation and
the date. Each DDaT skill is an alignment of the achievement (the level as its
code) and a result of the subject (the level reached); each Essential Digital
Skills area is an alignment with no code (that framework has no levels). The subject's id is a
UUID derived from the certificate alone, so two certificates of one learner
cannot be linked by it.

The JSON-LD credential (`jsonld_credential`, for wallets and verifiers) carries a
Data Integrity proof (eddsa-rdfc-2022, see data_integrity.py). Its issuer is the
did:key of the Ed25519 key that signed it, so a verifier needs nothing but the
file to check the signature; its credentialStatus is an entry in a W3C Bitstring
Status List signed by the same key (see status_lists.py). The 1EdTech revocation
list entry is gone from it: no verifier read it, and the status list replaces it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from skillpath.models import Certificate
from skillpath.models._types import utcnow
from skillpath.models.certificates import CertificateKind
from skillpath.services.certificates import data_integrity, signing, status_lists
from skillpath.services.certificates.certificates import CertificateContent, achievement_id, content_of, iso_utc
from skillpath.services.certificates.issuer import Issuer, current_issuer
from skillpath.services.certificates.jsonld import OB_V3_CONTEXT, VC_V2_CONTEXT

VC_CONTEXT = VC_V2_CONTEXT
OB_CONTEXT = OB_V3_CONTEXT
# The VC 2.0 media type for JSON-LD credentials as first registered; it ends in +json, so the
# JSON-LD loaders verifiers use (jsonld.js, the DCC's) read it as JSON, which "application/vc" is not.
JSONLD_MEDIA_TYPE = "application/vc+ld+json"
# Subject ids are UUIDv5s of the certificate's public id in this namespace (itself a random UUID).
SUBJECT_NAMESPACE = uuid.UUID("6f0f7c1e-3b0a-4d55-9a57-2c61b3c58e0d")
FRAMEWORK_NAME = "Government Digital and Data Profession Capability Framework"
FRAMEWORK_URL = "https://ddat-capability-framework.service.gov.uk/"
LEVELS = ("awareness", "working", "practitioner", "expert")
EDS_FRAMEWORK_NAME = "Essential Digital Skills framework"
EDS_FRAMEWORK_URL = "https://www.gov.uk/government/publications/essential-digital-skills-framework"

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


def _area_alignment(area: str) -> dict[str, Any]:
    return {
        "type": ["Alignment"],
        "targetType": "ceasn:Competency",
        "targetName": area,
        "targetDescription": f"{area}, an area of the {EDS_FRAMEWORK_NAME}",
        "targetFramework": EDS_FRAMEWORK_NAME,
        "targetUrl": EDS_FRAMEWORK_URL,
    }


def _alignments(content: CertificateContent) -> list[dict[str, Any]]:
    return [_alignment(s.skill, s.level) for s in content.skills] + [_area_alignment(a) for a in content.areas]


def _subject(content: CertificateContent, kind: CertificateKind, achievement_id: str) -> dict[str, Any]:
    """The AchievementSubject: the learner's chosen name, the achievement and a result per skill."""
    descriptions = [
        {
            "id": f"{achievement_id}#skill-{number}",
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
    return {
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
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": _ACHIEVEMENT_TYPES[kind],
            "name": content.achievement_name,
            "description": content.achievement_description,
            "criteria": {"narrative": _CRITERIA[kind]},
            "alignment": _alignments(content),
            "resultDescription": descriptions,
        },
        "result": results,
    }


# --- The JSON-LD credential with a Data Integrity proof -----------------------------------------


def subject_id(certificate: Certificate) -> str:
    """The credential subject's id: stable for the certificate, and linking it to nothing else."""
    return f"urn:uuid:{uuid.uuid5(SUBJECT_NAMESPACE, str(certificate.public_id))}"


def issuer_for(public_key: Ed25519PublicKey, *, name: str, url: str) -> dict[str, Any]:
    """The issuer Profile of JSON-LD credentials signed with this key: its did:key, name and address."""
    return {"id": signing.did_key(public_key), "type": ["Profile"], "name": name, "url": url}


def credential_links(certificate: Certificate, issuer: Issuer) -> CredentialLinks:
    return CredentialLinks(
        credential_id=issuer.urls.verify(certificate),
        achievement_id=achievement_id(certificate),
        issuer_id=issuer.urls.issuer_profile(),
        issuer_url=issuer.urls.home(),
    )


def _status_kid(issuer_id: object, keys: signing.KeyStore) -> str | None:
    """Our key id when the issuer is the did:key of one of our keys: its status lists are signed by that key."""
    public_key = signing.public_key_from_did_key(issuer_id)
    return keys.kid_of(public_key) if public_key is not None else None


def credential_body(
    certificate: Certificate,
    issuer: Issuer,
    *,
    profile: dict[str, Any],
    status_key_id: str | None = None,
    with_status: bool = True,
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential (VC 2.0) for a certificate, with this issuer `profile`.

    Its credentialStatus points at the certificate's Bitstring Status List as
    signed by `status_key_id`; by default the key whose did:key is the issuer,
    else the current key. Verifiers require the list's issuer to be the
    credential's, which only holds for a did:key issuer: a credential whose issuer
    is not a did:key (the VC-JWT) is built `with_status=False`.
    """
    content = content_of(certificate)
    links = credential_links(certificate, issuer)
    issued = iso_utc(content.issued_at)
    subject = {"id": subject_id(certificate), **_subject(content, certificate.kind, links.achievement_id)}
    body: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": links.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": content.achievement_name,
        "description": content.achievement_description,
        "issuer": profile,
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": subject,
    }
    if not with_status:
        return body
    kid = status_key_id or _status_kid(profile.get("id"), issuer.keys) or issuer.signing_key().kid
    entry = status_lists.status_entry(certificate, kid, issuer.urls)
    if entry is not None:
        body["credentialStatus"] = entry
    return body


def jsonld_credential(certificate: Certificate, issuer: Issuer | None = None) -> dict[str, Any]:
    """The certificate as a signed JSON-LD credential, ready to download: issuer and proof are the current key."""
    issuer = issuer or current_issuer()
    key = issuer.signing_key()
    profile = issuer_for(key.public_key, name=certificate.issuer_name, url=issuer.urls.home())
    body = credential_body(certificate, issuer, profile=profile, status_key_id=key.kid)
    return data_integrity.add_proof(body, key, created=utcnow())


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
            [(a["targetName"], a.get("targetCode")) for a in achievement["alignment"]],
        )
    except (KeyError, TypeError, AttributeError):  # shapes SkillPath never issues
        return False
    recorded = (
        content.achievement_name,
        content.achievement_description,
        content.issuer_name,
        iso_utc(content.issued_at),
        [content.recipient_name],
        [(s.skill, s.level) for s in content.skills] + [(area, None) for area in content.areas],
    )
    return said == recorded
