"""A learner's certificates (list, downloads, sharing, hide or show), and staff withdrawing and confirming readiness."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.loaders import (
    certificate_for_staff_or_404,
    learner_for_staff_or_404,
    my_certificate_or_404,
    my_downloadable_certificate_or_404,
)
from skillpath.auth.policy import learner_required, staff_required
from skillpath.certificates.forms import CertificateNameForm, RevokeCertificateForm
from skillpath.forms_common import ConfirmForm
from skillpath.i18n import _
from skillpath.models import Certificate
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import sharing
from skillpath.services.certificates.certificate_pdf import unprintable_characters
from skillpath.services.certificates.downloads import CertificateFile, FileFormat, download_certificate
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.certificates.qr import qr_svg
from skillpath.services.errors import DomainError

bp = Blueprint("certificates", __name__)


def _issuer() -> Issuer:
    return Issuer.from_settings(current_app.config, current_app.instance_path)


def _fonts_folder() -> Path:
    return Path(current_app.static_folder or "static") / "dist" / "fonts"


def _send(file: CertificateFile) -> Response:
    return send_file(
        io.BytesIO(file.data), mimetype=file.mimetype, as_attachment=True, download_name=file.filename, max_age=0
    )


def _download(item: Certificate, file_format: FileFormat) -> Response:
    try:
        file = download_certificate(
            item,
            file_format,
            _issuer(),
            by=current_user,
            fonts_folder=_fonts_folder(),
            ip_address=request.remote_addr,
        )
    except DomainError:
        abort(404)
    return _send(file)


# --- The learner's own certificates -------------------------------------------------------------


@bp.route("/learner/certificates")
@learner_required
def index() -> str:
    items = service.list_certificates(current_user)
    return render_template(
        "certificates/index.html",
        certificates=items,
        name=service.certificate_name_for(current_user),
        can_share=any(not item.is_revoked and not item.is_hidden for item in items),
        share_link_count=sharing.count_share_links(current_user),
    )


@bp.route("/learner/certificates/<uuid:certificate_id>")
@learner_required
def certificate(certificate_id: uuid.UUID) -> str:
    item = my_certificate_or_404(certificate_id)
    url = _issuer().urls.verify(item)
    content = service.content_of(item)
    return render_template(
        "certificates/certificate.html",
        certificate=item,
        content=content,
        verify_url=url,
        qr_svg=qr_svg(url, _("QR code for this certificate’s check page")),
        linkedin_url=sharing.linkedin_add_url(content, verify_url=url),
        form=ConfirmForm(),
    )


@bp.route("/learner/certificates/<uuid:certificate_id>/pdf")
@learner_required
def pdf(certificate_id: uuid.UUID) -> Response:
    return _download(my_downloadable_certificate_or_404(certificate_id), FileFormat.PDF)


@bp.route("/learner/certificates/<uuid:certificate_id>/credential")
@learner_required
def credential(certificate_id: uuid.UUID) -> Response:
    """The VC-JWT (a .jwt file)."""
    return _download(my_downloadable_certificate_or_404(certificate_id), FileFormat.JWT)


@bp.route("/learner/certificates/<uuid:certificate_id>/credential.json")
@learner_required
def credential_jsonld(certificate_id: uuid.UUID) -> Response:
    """The JSON-LD credential with its embedded proof, for digital wallets."""
    return _download(my_downloadable_certificate_or_404(certificate_id), FileFormat.JSONLD)


@bp.route("/learner/certificates/<uuid:certificate_id>/hide", methods=["POST"])
@learner_required
def hide(certificate_id: uuid.UUID) -> Response:
    item = my_certificate_or_404(certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.hide_certificate(item, by=current_user):
        flash(_("Employers can no longer check this certificate. You can show it again at any time."), "success")
    return redirect(url_for("certificates.certificate", certificate_id=item.public_id))


@bp.route("/learner/certificates/<uuid:certificate_id>/show", methods=["POST"])
@learner_required
def unhide(certificate_id: uuid.UUID) -> Response:
    item = my_certificate_or_404(certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.show_certificate(item, by=current_user):
        flash(_("Employers can check this certificate again."), "success")
    return redirect(url_for("certificates.certificate", certificate_id=item.public_id))


@bp.route("/learner/certificates/my-name", methods=["GET", "POST"])
@learner_required
def name() -> str | Response:
    form = CertificateNameForm()
    if request.method == "GET":
        form.name.data = service.certificate_name_for(current_user)
    if form.validate_on_submit():
        fonts = _fonts_folder()
        try:
            saved = service.set_certificate_name(
                current_user,
                form.name.data or "",
                by=current_user,
                unprintable=lambda name: unprintable_characters(name, fonts),
            )
        except DomainError as error:
            form.name.errors = [error.message]
        else:
            flash(_("New certificates will say “%(name)s”.", name=saved), "success")
            return redirect(url_for("certificates.index"))
    return render_template("certificates/name.html", form=form)


# --- Staff ---------------------------------------------------------------------------------------


@bp.route("/mentor/learners/<uuid:learner_id>/certificates")
@staff_required
def learner_certificates(learner_id: uuid.UUID) -> str:
    learner = learner_for_staff_or_404(learner_id)
    try:
        page = service.view_learner_certificates(
            current_user, learner, readiness_settings=current_app.config, ip_address=request.remote_addr
        )
    except DomainError:
        abort(404)
    return render_template(
        "certificates/learner_certificates.html",
        learner=learner,
        certificates=page.certificates,
        readiness=page.readiness,
        can_confirm=page.can_confirm,
        form=ConfirmForm(),
    )


@bp.route("/mentor/learners/<uuid:learner_id>/confirm-ready", methods=["POST"])
@staff_required
def confirm_ready(learner_id: uuid.UUID) -> Response:
    learner = learner_for_staff_or_404(learner_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        issued = service.issue_role_readiness_certificate(
            learner, current_user, issuer=_issuer(), readiness_settings=current_app.config
        )
    except DomainError as error:
        flash(error.message)
    else:
        flash(
            _("Certificate %(code)s issued: “%(name)s”.", code=issued.display_code, name=issued.achievement_name),
            "success",
        )
    return redirect(url_for("certificates.learner_certificates", learner_id=learner.public_id))


@bp.route("/mentor/certificates/<uuid:certificate_id>/withdraw", methods=["GET", "POST"])
@staff_required
def revoke(certificate_id: uuid.UUID) -> str | Response:
    item = certificate_for_staff_or_404(certificate_id)
    learner = service.learner_of(item)
    back = url_for("certificates.learner_certificates", learner_id=learner.public_id)
    if item.is_revoked:
        flash(_("This certificate has already been withdrawn."))
        return redirect(back)
    form = RevokeCertificateForm()
    if form.validate_on_submit():
        try:
            service.withdraw_certificate(item, by=current_user, reason=form.reason.data or "")
        except DomainError as error:
            form.reason.errors = [error.message]
        else:
            flash(_("Certificate %(code)s has been withdrawn.", code=item.display_code), "success")
            return redirect(back)
    service.record_certificate_view(
        current_user, learner, page="withdraw-certificate", ip_address=request.remote_addr, certificate=item
    )
    return render_template("certificates/revoke.html", form=form, certificate=item, learner=learner, back=back)


@bp.route("/mentor/certificates/<uuid:certificate_id>/pdf")
@staff_required
def staff_pdf(certificate_id: uuid.UUID) -> Response:
    """Staff print certificates for learners who cannot download them (a withdrawn one has no PDF)."""
    return _download(certificate_for_staff_or_404(certificate_id), FileFormat.PDF)
