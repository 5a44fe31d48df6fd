"""The files a certificate downloads as: the PDF, the JSON-LD credential (for wallets) and the VC-JWT.

The learner's own certificate pages and a share link's public page both serve
these, so an employer gets exactly the files the learner would send. Every file
is an attachment with a name that carries the certificate's code.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from flask import current_app, send_file
from werkzeug.wrappers import Response

from skillpath.models import Certificate, CertificateKind
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import openbadges, vc_jwt
from skillpath.services.certificates.certificate_pdf import render_certificate_pdf
from skillpath.verify.urls import public_url, verify_url

_PDF_TITLES = {
    CertificateKind.MODULE: "Certificate of achievement",
    CertificateKind.ROLE_READINESS: "Certificate of readiness for work",
}


def fonts_folder() -> Path:
    return Path(current_app.static_folder or "static") / "dist" / "fonts"


def download_name(certificate: Certificate, extension: str) -> str:
    return f"skillpath-certificate-{certificate.display_code}.{extension}"


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)


def pdf_response(certificate: Certificate) -> Response:
    pdf = render_certificate_pdf(
        service.content_of(certificate),
        verify_url=verify_url(certificate),
        verify_home=public_url("verify.index"),
        fonts_folder=fonts_folder(),
        title=_PDF_TITLES[certificate.kind],
    )
    return _attachment(pdf, "application/pdf", download_name(certificate, "pdf"))


def jwt_response(certificate: Certificate) -> Response:
    token = vc_jwt.credential_jwt(certificate)
    return _attachment(token.encode("ascii"), vc_jwt.JWT_MEDIA_TYPE, download_name(certificate, "jwt"))


def jsonld_response(certificate: Certificate) -> Response:
    document = openbadges.jsonld_credential(certificate)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    return _attachment(body, openbadges.JSONLD_MEDIA_TYPE, download_name(certificate, "json"))
