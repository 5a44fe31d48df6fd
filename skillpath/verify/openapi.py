"""The OpenAPI 3.1 description of SkillPath's public API, served at /api/openapi.json.

Built in code so that the media types, limits and problem types it states are
the very constants the endpoints use. Tests validate it with
openapi-spec-validator and check every response they get against it.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from skillpath.services.certificates import vc_jwt
from skillpath.services.certificates.credential_files import MAX_CREDENTIAL_BYTES, MAX_JSON_DEPTH
from skillpath.services.certificates.openbadges import JSONLD_MEDIA_TYPE
from skillpath.verify.problems import PROBLEM_TYPES

MEDIA_TYPE = "application/vnd.oai.openapi+json"
PROBLEM = "application/problem+json"
_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


_RATE_LIMITED = {
    "description": "Too many checks from this address: wait, then try again (see Retry-After).",
    "headers": {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait."}},
    "content": {PROBLEM: {"schema": _ref("Problem")}},
}
_UNAVAILABLE = _problem("The service is not available right now. Try again in a few minutes.")

_CODE = {
    "name": "code",
    "in": "path",
    "required": True,
    "description": "The certificate code, as printed (SP-7Q4K-29XD-M3HW); case, spaces and hyphens do not matter.",
    "schema": {"type": "string", "maxLength": 64},
    "example": "SP-7Q4K-29XD-M3HW",
}


def _verify_by_code() -> dict[str, Any]:
    return {
        "get": {
            "operationId": "verifyByCode",
            "summary": "Check a certificate by its code",
            "description": "Whether the certificate is valid or withdrawn, and what it says. Rate-limited per address.",
            "tags": ["Verification"],
            "parameters": [_CODE],
            "responses": {
                "200": {
                    "description": "The certificate exists: valid, or withdrawn (status says which, with revokedAt).",
                    "content": {"application/json": {"schema": _ref("VerificationResult")}},
                },
                "400": _problem("Not a certificate code (type …/api/problems/invalid-code). Nothing was looked up."),
                "404": _problem("No certificate with this code can be checked (…/certificate-not-found)."),
                "409": _problem("The record does not match its signature (…/certificate-not-confirmed)."),
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
            },
        }
    }


def _verify_by_credential() -> dict[str, Any]:
    jwt_body = {"schema": {"type": "string", "maxLength": MAX_CREDENTIAL_BYTES}, "example": "eyJhbGciOiJFUzI1NiIs…"}
    jsonld_body = {"schema": _ref("Credential")}
    return {
        "post": {
            "operationId": "verifyCredential",
            "summary": "Check a credential file (VC-JWT or JSON-LD with a Data Integrity proof)",
            "description": (
                "Checks the signature with this issuer's own keys, the issuer, the dates, and the certificate's "
                f"current status. The body must be {MAX_CREDENTIAL_BYTES // 1024} KB or smaller and JSON at most "
                f"{MAX_JSON_DEPTH} levels deep. No cookies or CSRF token are needed. Rate-limited per address."
            ),
            "tags": ["Verification"],
            "requestBody": {
                "required": True,
                "content": {
                    **{media: jwt_body for media in sorted(vc_jwt.JWT_MEDIA_TYPES)},
                    JSONLD_MEDIA_TYPE: jsonld_body,
                    "application/ld+json": jsonld_body,
                    "application/json": {
                        "schema": {"oneOf": [_ref("WrappedCredential"), _ref("Credential")]},
                        "example": {"credential": "eyJhbGciOiJFUzI1NiIs…"},
                    },
                },
            },
            "responses": {
                "200": {
                    "description": "A genuine credential of this issuer: valid, or withdrawn (status says which).",
                    "content": {"application/json": {"schema": _ref("VerificationResult")}},
                },
                "400": _problem("The body is not a credential that can be read (…/unreadable-credential)."),
                "413": _problem("The body is too large."),
                "415": _problem("The body's media type is not one listed here."),
                "422": _problem("The credential cannot be trusted; detail says why (…/credential-not-trusted)."),
                "429": _RATE_LIMITED,
                "503": _UNAVAILABLE,
            },
        }
    }


def _get(operation_id: str, summary: str, description: str, media_type: str, schema: str, **extra: Any) -> dict:
    responses: dict[str, Any] = {
        "200": {"description": summary, "content": {media_type: {"schema": _ref(schema)}}},
        **extra.pop("responses", {}),
    }
    return {
        "get": {
            "operationId": operation_id,
            "summary": summary,
            "description": description,
            "tags": ["Issuer"],
            "responses": responses,
            **extra,
        }
    }


def _issuer_paths() -> dict[str, Any]:
    not_found = {"404": _problem("No such key or list.")}
    return {
        "/credentials/status/{listId}/{keyId}": _get(
            "getStatusList",
            "A W3C Bitstring Status List credential (revocation)",
            "What a JSON-LD credential's credentialStatus points at, signed by the key that signed the credential. "
            "Cacheable for a short while; a withdrawal shows at once on the next fetch.",
            JSONLD_MEDIA_TYPE,
            "StatusListCredential",
            parameters=[
                {"name": "listId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
                {"name": "keyId", "in": "path", "required": True, "schema": {"type": "string"}},
            ],
            responses={**not_found, "304": {"description": "Not modified since the ETag sent in If-None-Match."}},
        ),
        "/issuer": _get(
            "getIssuerProfile",
            "The issuer's Open Badges 3.0 Profile",
            "The issuer the VC-JWTs name (their iss). It names the organisation only.",
            "application/ld+json",
            "Profile",
        ),
        "/.well-known/jwks.json": _get(
            "getKeys",
            "Every public key of the issuer, as a JSON Web Key Set",
            "Ed25519 keys (certificates, JSON-LD credentials; also each a did:key) and ES256 keys (VC-JWTs). "
            "Old keys stay, so everything they signed still checks.",
            "application/jwk-set+json",
            "JwkSet",
        ),
        "/issuer/keys/{kid}": _get(
            "getKey",
            "One ES256 public key, as a JWK",
            "The URL a VC-JWT's kid header names, as the 1EdTech validator expects.",
            "application/jwk+json",
            "Jwk",
            parameters=[{"name": "kid", "in": "path", "required": True, "schema": {"type": "string"}}],
            responses=not_found,
        ),
        "/api/openapi.json": _get(
            "getOpenApi", "This description of the API", "OpenAPI 3.1.", MEDIA_TYPE, "OpenApiDocument"
        ),
        "/api/problems/{slug}": {
            "get": {
                "operationId": "getProblemType",
                "summary": "What a problem type means (a web page)",
                "tags": ["Issuer"],
                "parameters": [
                    {"name": "slug", "in": "path", "required": True, "schema": {"enum": sorted(PROBLEM_TYPES)}}
                ],
                "responses": {
                    "200": {
                        "description": "A page for people.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    },
                    "404": _problem("No such problem type."),
                },
            }
        },
    }


_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details: the one shape of every error.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference", "description": "about:blank, or a problem type URL."},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "Plain English: what went wrong and what to do."},
            "code": {"type": "string", "description": "The certificate code asked about, when there was one."},
            "signatureValid": {"type": "boolean", "description": "For credential-not-trusted: did the signature hold?"},
            "requestId": {"type": ["string", "null"], "description": "Quote it when asking the issuer for help."},
        },
    },
    "VerificationResult": {
        "type": "object",
        "required": ["status", "message", "code", "certificate", "verificationUrl", "signature"],
        "properties": {
            "status": {"enum": ["valid", "revoked"]},
            "message": {"type": "string"},
            "code": {"type": "string"},
            "certificate": _ref("Certificate"),
            "verificationUrl": {"type": "string", "format": "uri"},
            "signature": {
                "type": "object",
                "description": "The issuer's signature over its record of the certificate.",
                "required": ["algorithm", "keyId", "keys"],
                "properties": {
                    "algorithm": {"const": "EdDSA"},
                    "keyId": {"type": ["string", "null"]},
                    "keys": {"type": "string", "format": "uri"},
                },
            },
            "revokedAt": {"type": "string", "format": "date-time", "description": "When it was withdrawn."},
        },
    },
    "Certificate": {
        "type": "object",
        "description": "What the certificate says. Never anything about where it was earned.",
        "required": ["code", "recipientName", "achievement", "skills", "issuer", "issuedAt"],
        "properties": {
            "code": {"type": "string"},
            "recipientName": {"type": "string"},
            "achievement": {
                "type": "object",
                "required": ["name", "description"],
                "properties": {"name": {"type": "string"}, "description": {"type": "string"}},
            },
            "skills": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["skill", "level"],
                    "properties": {
                        "skill": {"type": "string"},
                        "level": {"enum": ["awareness", "working", "practitioner", "expert"]},
                    },
                },
            },
            "skillAreas": {
                "type": "array",
                "description": "The Essential Digital Skills areas it shows, such as Communicating. Only on "
                "certificates that list them: older ones, and those for job skills, have none.",
                "items": {"type": "string"},
            },
            "issuer": {
                "type": "object",
                "required": ["name", "id"],
                "properties": {"name": {"type": "string"}, "id": {"type": "string", "format": "uri"}},
            },
            "issuedAt": {"type": "string", "format": "date-time"},
        },
    },
    "Credential": {
        "type": "object",
        "description": "An Open Badges 3.0 OpenBadgeCredential (VC 2.0) with an embedded Data Integrity proof.",
        "required": ["@context", "type"],
        "additionalProperties": True,
    },
    "WrappedCredential": {
        "type": "object",
        "required": ["credential"],
        "additionalProperties": False,
        "properties": {"credential": {"oneOf": [{"type": "string", "description": "A VC-JWT."}, _ref("Credential")]}},
    },
    "StatusListCredential": {
        "type": "object",
        "description": "A BitstringStatusListCredential with a Data Integrity proof.",
        "required": ["@context", "type", "issuer", "credentialSubject", "proof"],
        "additionalProperties": True,
    },
    "Profile": {
        "type": "object",
        "required": ["@context", "id", "type", "name"],
        "additionalProperties": True,
        "properties": {"id": {"type": "string", "format": "uri"}, "name": {"type": "string"}},
    },
    "Jwk": {
        "type": "object",
        "required": ["kty", "kid"],
        "additionalProperties": True,
        "not": {"required": ["d"]},
        "properties": {
            "kty": {"enum": ["OKP", "EC"]},
            "crv": {"enum": ["Ed25519", "P-256"]},
            "kid": {"type": "string"},
            "alg": {"enum": ["EdDSA", "ES256"]},
            "use": {"const": "sig"},
        },
    },
    "JwkSet": {
        "type": "object",
        "required": ["keys"],
        "properties": {"keys": {"type": "array", "items": _ref("Jwk")}},
    },
    "OpenApiDocument": {"type": "object", "required": ["openapi", "paths"]},
}


def _with_defaults(paths: dict[str, Any]) -> dict[str, Any]:
    """Every operation may also answer any other error (a 500, say) as problem details."""
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"].setdefault("default", _problem("Any other error, such as 500 or 503."))
    return paths


def document() -> dict[str, Any]:
    """The OpenAPI document, its server being this installation's public address."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "SkillPath certificate checks",
            "version": "1.0.0",
            "summary": "Check SkillPath digital-skills certificates from your own software.",
            "description": (
                "No account, key or cookie is needed, and any web origin may call these endpoints (CORS). "
                "Checks are rate-limited per address. Every error is RFC 9457 problem details "
                "(application/problem+json)."
            ),
        },
        "servers": [{"url": str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")}],
        "tags": [
            {"name": "Verification", "description": "Is this certificate or credential genuine, and in force?"},
            {"name": "Issuer", "description": "The issuer's profile, keys and status lists."},
        ],
        "paths": _with_defaults(
            {"/api/verify/{code}": _verify_by_code(), "/api/verify": _verify_by_credential(), **_issuer_paths()}
        ),
        "components": {"schemas": _SCHEMAS},
    }
