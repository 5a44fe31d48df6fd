"""The files a certificate downloads as: the PDF, the JSON-LD credential (for wallets) and the VC-JWT.

The learner's own certificate pages and a share link's public page both offer these, so an employer gets
exactly the files the learner would send. Each file has a name that carries the certificate's code; the
page sends it as an attachment.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from skillpath.extensions import db
from skillpath.i18n import _
from skillpath.models import Certificate, User
from skillpath.models.audit import AuditAction
from skillpath.services.access import can_manage_learner
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import openbadges, vc_jwt
from skillpath.services.certificates.certificate_pdf import CERTIFICATE_TITLES, render_certificate_pdf
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.errors import NotAllowed, NotFound


class FileFormat(StrEnum):
    PDF = "pdf"
    JSONLD = "json"
    JWT = "jwt"


@dataclass(frozen=True)
class CertificateFile:
    data: bytes
    mimetype: str
    filename: str


def download_name(certificate: Certificate, extension: str) -> str:
    return f"skillpath-certificate-{certificate.display_code}.{extension}"


def pdf_file(certificate: Certificate, issuer: Issuer, *, fonts_folder: Path) -> CertificateFile:
    pdf = render_certificate_pdf(
        service.content_of(certificate),
        verify_url=issuer.urls.verify(certificate),
        verify_home=issuer.urls.verify_home(),
        fonts_folder=fonts_folder,
        title=str(CERTIFICATE_TITLES[certificate.kind]),
    )
    return CertificateFile(pdf, "application/pdf", download_name(certificate, "pdf"))


def jwt_file(certificate: Certificate, issuer: Issuer) -> CertificateFile:
    token = vc_jwt.credential_jwt(certificate, issuer)
    return CertificateFile(token.encode("ascii"), vc_jwt.JWT_MEDIA_TYPE, download_name(certificate, "jwt"))


def jsonld_file(certificate: Certificate, issuer: Issuer) -> CertificateFile:
    document = openbadges.jsonld_credential(certificate, issuer)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return CertificateFile(body, openbadges.JSONLD_MEDIA_TYPE, download_name(certificate, "json"))


def certificate_file(
    certificate: Certificate, file_format: FileFormat, issuer: Issuer, *, fonts_folder: Path
) -> CertificateFile:
    """The certificate as a file in one of its formats."""
    if file_format == FileFormat.PDF:
        return pdf_file(certificate, issuer, fonts_folder=fonts_folder)
    if file_format == FileFormat.JWT:
        return jwt_file(certificate, issuer)
    return jsonld_file(certificate, issuer)


def download_certificate(
    certificate: Certificate,
    file_format: FileFormat,
    issuer: Issuer,
    *,
    by: User | None,
    fonts_folder: Path,
    ip_address: str | None = None,
) -> CertificateFile:
    """Someone downloads a certificate's file: the learner, staff printing it for them, or anyone a link reaches.

    A withdrawn certificate has no files (NotFound). Staff may download only the certificates of learners
    they manage (NotAllowed), and their download is recorded in the audit, as every staff read of a record
    is; the learner's own downloads and those from a share link's page are not (a link's openings are
    counted on the page).
    """
    if certificate.is_revoked:
        raise NotFound(_("This certificate has been withdrawn, so it has no files to download"))
    if by is not None and by.id != certificate.learner_id:
        learner = db.session.get(User, certificate.learner_id)
        if learner is None or not can_manage_learner(by, learner):
            raise NotAllowed(_("You cannot download this certificate"))
        record_event(
            AuditAction.CERTIFICATE_DOWNLOADED,
            actor=by,
            subject=learner,
            object_type="certificate",
            object_id=certificate.public_id,
            ip_address=ip_address,
        )
    return certificate_file(certificate, file_format, issuer, fonts_folder=fonts_folder)
