"""A learner's certificates (list, downloads, sharing, hide or show), and staff withdrawing and confirming readiness."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.loaders import learner_for_staff_or_404
from skillpath.auth.policy import can_manage_learner, learner_required, staff_required
from skillpath.certificates import downloads
from skillpath.certificates.forms import CertificateNameForm, RevokeCertificateForm
from skillpath.certificates.qr import qr_svg
from skillpath.extensions import db
from skillpath.forms_common import ConfirmForm
from skillpath.models import Certificate, User
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates import sharing
from skillpath.services.certificates.certificate_pdf import unprintable_characters
from skillpath.services.readiness.learner_state import readiness_for
from skillpath.services.readiness.readiness import Band
from skillpath.verify.urls import verify_url

bp = Blueprint("certificates", __name__)


# --- The learner's own certificates -------------------------------------------------------------


def _my_certificate_or_404(certificate_id: uuid.UUID) -> Certificate:
    return service.get_learner_certificate(current_user, certificate_id) or abort(404)


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
    item = _my_certificate_or_404(certificate_id)
    url = verify_url(item)
    content = service.content_of(item)
    return render_template(
        "certificates/certificate.html",
        certificate=item,
        content=content,
        verify_url=url,
        qr_svg=qr_svg(url, "QR code for this certificate’s check page"),
        linkedin_url=sharing.linkedin_add_url(content, verify_url=url),
        form=ConfirmForm(),
    )


def _my_downloadable_certificate_or_404(certificate_id: uuid.UUID) -> Certificate:
    item = _my_certificate_or_404(certificate_id)
    if item.is_revoked:
        abort(404)
    return item


@bp.route("/learner/certificates/<uuid:certificate_id>/pdf")
@learner_required
def pdf(certificate_id: uuid.UUID) -> Response:
    return downloads.pdf_response(_my_downloadable_certificate_or_404(certificate_id))


@bp.route("/learner/certificates/<uuid:certificate_id>/credential")
@learner_required
def credential(certificate_id: uuid.UUID) -> Response:
    """The VC-JWT (a .jwt file)."""
    return downloads.jwt_response(_my_downloadable_certificate_or_404(certificate_id))


@bp.route("/learner/certificates/<uuid:certificate_id>/credential.json")
@learner_required
def credential_jsonld(certificate_id: uuid.UUID) -> Response:
    """The JSON-LD credential with its embedded proof, for digital wallets."""
    return downloads.jsonld_response(_my_downloadable_certificate_or_404(certificate_id))


def _set_hidden(certificate_id: uuid.UUID, hidden: bool) -> Response:
    item = _my_certificate_or_404(certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if service.set_hidden(item, hidden, by=current_user):
        db.session.commit()
        if hidden:
            flash("Employers can no longer check this certificate. You can show it again at any time.", "success")
        else:
            flash("Employers can check this certificate again.", "success")
    return redirect(url_for("certificates.certificate", certificate_id=item.public_id))


@bp.route("/learner/certificates/<uuid:certificate_id>/hide", methods=["POST"])
@learner_required
def hide(certificate_id: uuid.UUID) -> Response:
    return _set_hidden(certificate_id, True)


@bp.route("/learner/certificates/<uuid:certificate_id>/show", methods=["POST"])
@learner_required
def unhide(certificate_id: uuid.UUID) -> Response:
    return _set_hidden(certificate_id, False)


@bp.route("/learner/certificates/my-name", methods=["GET", "POST"])
@learner_required
def name() -> str | Response:
    form = CertificateNameForm()
    if request.method == "GET":
        form.name.data = service.certificate_name_for(current_user)
    if form.validate_on_submit():
        try:
            saved = service.set_certificate_name(
                current_user,
                form.name.data or "",
                by=current_user,
                unprintable=lambda name: unprintable_characters(name, downloads.fonts_folder()),
            )
        except service.CertificateError as error:
            form.name.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"New certificates will say “{saved}”.", "success")
            return redirect(url_for("certificates.index"))
    return render_template("certificates/name.html", form=form)


# --- Staff ---------------------------------------------------------------------------------------


def _certificate_for_staff_or_404(certificate_id: uuid.UUID) -> tuple[Certificate, User]:
    item = service.get_certificate(certificate_id)
    learner = db.session.get(User, item.learner_id) if item is not None else None
    if item is None or learner is None or not can_manage_learner(current_user, learner):
        abort(404)
    return item, learner


@bp.route("/mentor/learners/<uuid:learner_id>/certificates")
@staff_required
def learner_certificates(learner_id: uuid.UUID) -> str:
    learner = learner_for_staff_or_404(learner_id)
    if not can_manage_learner(current_user, learner):
        abort(404)
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED,
        actor=current_user,
        subject=learner,
        ip_address=request.remote_addr,
        page="certificates",
    )
    db.session.commit()
    readiness = readiness_for([learner], current_app.config)[learner.id]
    role_level = learner.learner_profile.target_role_level if learner.learner_profile else None
    can_confirm = (
        readiness.band == Band.READY
        and role_level is not None
        and service.current_readiness_certificate(learner, role_level) is None
    )
    return render_template(
        "certificates/learner_certificates.html",
        learner=learner,
        certificates=service.list_certificates(learner),
        readiness=readiness,
        can_confirm=can_confirm,
        form=ConfirmForm(),
    )


@bp.route("/mentor/learners/<uuid:learner_id>/confirm-ready", methods=["POST"])
@staff_required
def confirm_ready(learner_id: uuid.UUID) -> Response:
    learner = learner_for_staff_or_404(learner_id)
    if not can_manage_learner(current_user, learner):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        issued = service.issue_role_readiness_certificate(learner, current_user)
    except service.CertificateError as error:
        flash(str(error))
    else:
        db.session.commit()
        flash(f"Certificate {issued.display_code} issued: “{issued.achievement_name}”.", "success")
    return redirect(url_for("certificates.learner_certificates", learner_id=learner.public_id))


@bp.route("/mentor/certificates/<uuid:certificate_id>/withdraw", methods=["GET", "POST"])
@staff_required
def revoke(certificate_id: uuid.UUID) -> str | Response:
    item, learner = _certificate_for_staff_or_404(certificate_id)
    back = url_for("certificates.learner_certificates", learner_id=learner.public_id)
    if item.is_revoked:
        flash("This certificate has already been withdrawn.")
        return redirect(back)
    form = RevokeCertificateForm()
    if form.validate_on_submit():
        try:
            service.revoke_certificate(item, by=current_user, reason=form.reason.data or "")
        except service.CertificateError as error:
            form.reason.errors = [str(error)]
        else:
            db.session.commit()
            flash(f"Certificate {item.display_code} has been withdrawn.", "success")
            return redirect(back)
    db.session.rollback()  # a refused withdrawal writes nothing but the view below
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED,
        actor=current_user,
        subject=learner,
        ip_address=request.remote_addr,
        page="withdraw-certificate",
        object_type="certificate",
        object_id=item.public_id,
    )
    db.session.commit()
    return render_template("certificates/revoke.html", form=form, certificate=item, learner=learner, back=back)


@bp.route("/mentor/certificates/<uuid:certificate_id>/pdf")
@staff_required
def staff_pdf(certificate_id: uuid.UUID) -> Response:
    """Staff print certificates for learners who cannot download them."""
    item, learner = _certificate_for_staff_or_404(certificate_id)
    if item.is_revoked:
        abort(404)
    record_event(
        AuditAction.CERTIFICATE_DOWNLOADED,
        actor=current_user,
        subject=learner,
        object_type="certificate",
        object_id=item.public_id,
        ip_address=request.remote_addr,
    )
    db.session.commit()
    return downloads.pdf_response(item)
