"""Absolute public URLs for QR codes and credentials, built from PUBLIC_BASE_URL.

They must not depend on the request that happens to build them (a learner on
the prison network downloading a PDF), so they never use the request's host.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from skillpath.models import Certificate
from skillpath.services.certificates.certificates import achievement_id, format_code
from skillpath.services.certificates.openbadges import CredentialLinks


def public_url(endpoint: str, **values: Any) -> str:
    base = str(current_app.config["PUBLIC_BASE_URL"]).rstrip("/")
    return base + current_app.url_map.bind("localhost").build(endpoint, values)


def verify_url(certificate: Certificate) -> str:
    return public_url("verify.certificate", code=format_code(certificate.code))


def credential_links(certificate: Certificate) -> CredentialLinks:
    code = format_code(certificate.code)
    return CredentialLinks(
        credential_id=public_url("verify.certificate", code=code),
        achievement_id=achievement_id(certificate),
        issuer_id=public_url("verify.issuer_profile"),
        issuer_url=public_url("main.index"),
    )
