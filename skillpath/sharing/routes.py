"""Share links: the learner makes, sees and withdraws them; anyone with a link opens its page, signed out.

The public page answers only to a link's token. A token that was never issued
gets the same 404 page as any unknown address; a withdrawn or expired link says
so and nothing else (not whose it was, not what it held). Opening the page and
its downloads are rate-limited per address, and every response under /share/
carries no referrer and is never stored, since the token is in the address.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.policy import learner_required, public
from skillpath.certificates import downloads
from skillpath.certificates.qr import qr_svg
from skillpath.extensions import db, limiter
from skillpath.models import Certificate, ShareLink
from skillpath.services.certificates import sharing
from skillpath.services.certificates.certificates import Verification, verification_of
from skillpath.services.certificates.signing import app_key_store
from skillpath.sharing import tokens
from skillpath.sharing.forms import CreateShareLinkForm, WithdrawShareLinkForm
from skillpath.verify.urls import public_url, verify_url

bp = Blueprint("sharing", __name__)

PUBLIC_PREFIX = "/share/"


def _share_limit() -> str:
    return str(current_app.config["SHARE_RATE_LIMIT"])


# One allowance per address for the page and its downloads, so that guessing tokens gets nowhere.
share_limit = limiter.shared_limit(_share_limit, scope="share-link")


@bp.after_request
def _private_address(response: Response) -> Response:
    if request.path.startswith(PUBLIC_PREFIX):
        # The token is in the address: no other site (nor our own pages) may be told it, and no copy is kept.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- The learner's links -----------------------------------------------------------------------


def _my_link_or_404(link_id: uuid.UUID) -> ShareLink:
    return sharing.get_learner_share_link(current_user, link_id) or abort(404)


@bp.route("/learner/share-links")
@learner_required
def index() -> str:
    links = sharing.list_share_links(current_user)
    return render_template(
        "sharing/index.html",
        links=links,
        openings=sharing.openings_of(links),
        states={link.id: sharing.state_of(link) for link in links},
        can_share=bool(sharing.shareable_certificates(current_user)),
        last_day_of=sharing.last_day_of,
    )


@bp.route("/learner/share-links/new", methods=["GET", "POST"])
@learner_required
def new() -> str | Response:
    form = CreateShareLinkForm()
    certificates = sharing.shareable_certificates(current_user)
    form.set_certificate_choices(certificates)
    if request.method == "GET":
        form.sealed_token.data = tokens.sealed_new_token()
        form.certificates.data = request.args.getlist("certificate")
    if form.validate_on_submit():
        token = tokens.token_from_form(form.sealed_token.data)
        try:
            link, created = sharing.create_share_link(
                current_user,
                token=token,
                certificate_ids=[uuid.UUID(value) for value in form.certificates.data or []],
                label=form.label.data,
                last_day=form.last_day.data,
                actor=current_user,
            )
        except sharing.SharingError as error:
            getattr(form, error.field or "certificates").errors = [str(error)]
        else:
            db.session.commit()
            if not created:  # the same form sent again (a double click, or the back button)
                flash("You had already made this link. To share other certificates, make a new link.")
            tokens.remember_for_reveal(link, token)
            return redirect(url_for("sharing.link", link_id=link.public_id))
    return render_template("sharing/new.html", form=form, certificates=certificates)


@bp.route("/learner/share-links/<uuid:link_id>")
@learner_required
def link(link_id: uuid.UUID) -> str:
    item = _my_link_or_404(link_id)
    state = sharing.state_of(item)
    token = tokens.take_for_reveal(item) if state == sharing.LinkState.ACTIVE else None
    url = public_url("sharing.shared", token=token) if token else None
    return render_template(
        "sharing/link.html",
        link=item,
        state=state,
        last_day=sharing.last_day_of(item),
        openings=sharing.openings_with_recent(item),
        url=url,
        qr_svg=qr_svg(url, "QR code for this share link") if url else None,
    )


@bp.route("/learner/share-links/<uuid:link_id>/withdraw", methods=["GET", "POST"])
@learner_required
def withdraw(link_id: uuid.UUID) -> str | Response:
    item = _my_link_or_404(link_id)
    back = url_for("sharing.link", link_id=item.public_id)
    if item.is_withdrawn:
        flash("This link has already been withdrawn.")
        return redirect(back)
    form = WithdrawShareLinkForm()
    if form.validate_on_submit():
        if sharing.withdraw_share_link(item, actor=current_user):
            db.session.commit()
        flash("The link has been withdrawn. Anyone who opens it now is told that it no longer works.", "success")
        return redirect(url_for("sharing.index"))
    return render_template("sharing/withdraw.html", form=form, link=item, back=back)


# --- The public page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedItem:
    """One certificate as the shared page shows it: its check, and its code for the download addresses."""

    code: str
    verification: Verification
    verify_url: str


def _open_link_or_404(token: str) -> ShareLink:
    return sharing.find_share_link(token) or abort(404)


def _shared_items(link: ShareLink) -> list[SharedItem]:
    keys = app_key_store()
    return [
        SharedItem(item.display_code, verification_of(item, keys), verify_url(item))
        for item in sharing.shared_certificates(link)
    ]


@bp.route("/share/<token>")
@public
@share_limit
def shared(token: str) -> tuple[str, int]:
    found = _open_link_or_404(token)
    state = sharing.state_of(found)
    if state != sharing.LinkState.ACTIVE:
        return render_template("sharing/closed.html", state=state.value), 410
    items = _shared_items(found)
    last_day = sharing.last_day_of(found)
    # The learner looking at their own link is not someone opening it.
    is_owner = current_user.is_authenticated and current_user.id == found.learner_id
    if request.method == "GET" and not is_owner:
        sharing.record_opening(found)
        db.session.commit()
    # The template gets only what it shows: never the link itself, so never its label or its learner.
    return render_template("sharing/shared.html", token=token, items=items, last_day=last_day), 200


def _shared_certificate_or_404(token: str, code: str) -> Certificate:
    found = _open_link_or_404(token)
    if sharing.state_of(found) != sharing.LinkState.ACTIVE:
        abort(404)
    item = sharing.get_shared_certificate(found, code)
    # Only files the page offers: a certificate whose record no longer matches its signature gets none.
    if item is None or not verification_of(item, app_key_store()).is_valid:
        abort(404)
    return item


@bp.route("/share/<token>/<code>/certificate.pdf")
@public
@share_limit
def shared_pdf(token: str, code: str) -> Response:
    return downloads.pdf_response(_shared_certificate_or_404(token, code))


@bp.route("/share/<token>/<code>/credential.json")
@public
@share_limit
def shared_jsonld(token: str, code: str) -> Response:
    return downloads.jsonld_response(_shared_certificate_or_404(token, code))


@bp.route("/share/<token>/<code>/credential.jwt")
@public
@share_limit
def shared_jwt(token: str, code: str) -> Response:
    return downloads.jwt_response(_shared_certificate_or_404(token, code))
