"""Closing a learner's account: a page that says what happens and offers the downloads, then a confirmation.

The confirmation asks for the password, so that someone at a computer the learner left signed in cannot close
it. Once closed, the learner is signed out here and everywhere, and lands on the sign-in page.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from skillpath import transactions
from skillpath.account.forms import CloseAccountForm
from skillpath.auth import rechecks
from skillpath.auth.policy import learner_required
from skillpath.i18n import _l
from skillpath.services.errors import DomainError
from skillpath.services.learners import account_closure
from skillpath.services.learners.account_closure import CertificateChoice
from skillpath.services.learners.accounts import SignedOutForWrongPasswords
from skillpath.settings import app_issuer, evidence_storage

bp = Blueprint("account", __name__)

_CLOSED = {
    CertificateChoice.KEEP: _l(
        "Your account is closed and your record is deleted. Employers can still check your certificates."
    ),
    CertificateChoice.WITHDRAW: _l("Your account is closed and your record is deleted."),
}


@bp.route("/learner/close-account")
@learner_required
def start() -> str:
    return render_template(
        "account/start.html",
        certificates=account_closure.certificates_in_force(current_user),
        profile=current_user.learner_profile,
    )


@bp.route("/learner/close-account/confirm", methods=["GET", "POST"])
@learner_required
def confirm() -> str | Response:
    certificates = account_closure.certificates_in_force(current_user)
    form = CloseAccountForm()
    if not certificates:
        del form.certificates
    if form.validate_on_submit():
        # With nothing left to check, withdrawing only takes the name off certificates already withdrawn.
        choice = CertificateChoice(form.certificates.data) if certificates else CertificateChoice.WITHDRAW
        try:
            account_closure.close_own_account(
                current_user,
                password=form.password.data or "",
                certificates=choice,
                evidence_storage=evidence_storage(),
                issuer=app_issuer(),
                most_wrong=rechecks.most_wrong(),
                ip=request.remote_addr,
            )
        except SignedOutForWrongPasswords:
            return rechecks.signed_out_for_wrong_passwords()
        except DomainError as error:
            transactions.keep_on_error()  # a wrong password is counted and audited, whatever the page answers
            getattr(form, error.field or "password").errors = [error.message]
        else:
            logout_user()
            session.clear()
            flash(str(_CLOSED[choice]), "success")
            return redirect(url_for("auth.sign_in"))
    names = sorted({certificate.recipient_name for certificate in certificates})
    return render_template("account/confirm.html", form=form, certificates=certificates, names=names)
