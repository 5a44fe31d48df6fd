"""Share links: the learner makes, sees and withdraws them; anyone with a link opens its page, signed out.

The public page answers only to a link's token. A token that was never issued
gets the same 404 page as any unknown address; a withdrawn or expired link says
so and nothing else (not whose it was, not what it held). Opening the page and
its downloads are rate-limited per address, and every response under /share/
carries no referrer and is never stored, since the token is in the address.
"""

from __future__ import annotations

import io
import uuid
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.auth.loaders import my_share_link_or_404, share_link_for_token_or_404, shared_certificate_or_404
from skillpath.auth.policy import learner_required, public
from skillpath.i18n import _
from skillpath.services.certificates import sharing
from skillpath.services.certificates.downloads import FileFormat, download_certificate
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.certificates.qr import qr_svg
from skillpath.services.errors import DomainError
from skillpath.sharing import tokens
from skillpath.sharing.forms import CreateShareLinkForm, WithdrawShareLinkForm
from skillpath.web import limiter

bp = Blueprint("sharing", __name__)

PUBLIC_PREFIX = "/share/"


def _issuer() -> Issuer:
    return Issuer.from_settings(current_app.config, current_app.instance_path)


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
        except DomainError as error:
            getattr(form, error.field or "certificates").errors = [error.message]
        else:
            if not created:  # the same form sent again (a double click, or the back button)
                flash(_("You had already made this link. To share other certificates, make a new link."))
            tokens.remember_for_reveal(link, token)
            return redirect(url_for("sharing.link", link_id=link.public_id))
    return render_template("sharing/new.html", form=form, certificates=certificates)


@bp.route("/learner/share-links/<uuid:link_id>")
@learner_required
def link(link_id: uuid.UUID) -> str:
    item = my_share_link_or_404(link_id)
    state = sharing.state_of(item)
    token = tokens.take_for_reveal(item) if state == sharing.LinkState.ACTIVE else None
    url = _issuer().urls.share(token) if token else None
    return render_template(
        "sharing/link.html",
        link=item,
        state=state,
        last_day=sharing.last_day_of(item),
        openings=sharing.openings_with_recent(item),
        url=url,
        qr_svg=qr_svg(url, _("QR code for this share link")) if url else None,
    )


@bp.route("/learner/share-links/<uuid:link_id>/withdraw", methods=["GET", "POST"])
@learner_required
def withdraw(link_id: uuid.UUID) -> str | Response:
    item = my_share_link_or_404(link_id)
    back = url_for("sharing.link", link_id=item.public_id)
    if item.is_withdrawn:
        flash(_("This link has already been withdrawn."))
        return redirect(back)
    form = WithdrawShareLinkForm()
    if form.validate_on_submit():
        sharing.withdraw_share_link(item, actor=current_user)
        flash(_("The link has been withdrawn. Anyone who opens it now is told that it no longer works."), "success")
        return redirect(url_for("sharing.index"))
    return render_template("sharing/withdraw.html", form=form, link=item, back=back)


# --- The public page -----------------------------------------------------------------------------


@bp.route("/share/<token>")
@public
@share_limit
def shared(token: str) -> tuple[str, int]:
    found = share_link_for_token_or_404(token)
    viewer = current_user if current_user.is_authenticated else None
    page = sharing.open_share_link(found, _issuer(), viewer=viewer, counted=request.method == "GET")
    if page.state != sharing.LinkState.ACTIVE:
        return render_template("sharing/closed.html", state=page.state.value), 410
    # The template gets only what it shows: never the link itself, so never its label or its learner.
    return render_template("sharing/shared.html", token=token, items=page.items, last_day=page.last_day), 200


def _shared_download(token: str, code: str, file_format: FileFormat) -> Response:
    issuer = _issuer()
    item = shared_certificate_or_404(token, code, issuer)
    file = download_certificate(item, file_format, issuer, by=None, fonts_folder=_fonts_folder())
    return send_file(
        io.BytesIO(file.data), mimetype=file.mimetype, as_attachment=True, download_name=file.filename, max_age=0
    )


def _fonts_folder() -> Path:
    return Path(current_app.static_folder or "static") / "dist" / "fonts"


@bp.route("/share/<token>/<code>/certificate.pdf")
@public
@share_limit
def shared_pdf(token: str, code: str) -> Response:
    return _shared_download(token, code, FileFormat.PDF)


@bp.route("/share/<token>/<code>/credential.json")
@public
@share_limit
def shared_jsonld(token: str, code: str) -> Response:
    return _shared_download(token, code, FileFormat.JSONLD)


@bp.route("/share/<token>/<code>/credential.jwt")
@public
@share_limit
def shared_jwt(token: str, code: str) -> Response:
    return _shared_download(token, code, FileFormat.JWT)
