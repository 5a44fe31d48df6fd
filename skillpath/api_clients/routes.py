"""Administrators register the staff API's clients (the secret is shown once, on the page after), see who they
are and what they may do, and revoke them."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from skillpath.api_clients.forms import RegisterApiClientForm, RevokeApiClientForm
from skillpath.auth.passwords import hash_secret
from skillpath.auth.policy import admin_required
from skillpath.i18n import _
from skillpath.models import ApiClient
from skillpath.services.api import clients
from skillpath.services.api.clients import SCOPE_DESCRIPTIONS
from skillpath.services.errors import DomainError
from skillpath.services.learners import organisations

bp = Blueprint("api_clients", __name__, url_prefix="/admin/api-clients")


def _client_or_404(client_id: uuid.UUID) -> ApiClient:
    return clients.get_client(client_id) or abort(404)


@bp.route("/")
@admin_required
def index() -> str:
    return render_template("api_clients/index.html", clients=clients.list_clients(), scopes=SCOPE_DESCRIPTIONS)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> str:
    form = RegisterApiClientForm()
    form.set_establishment_choices(organisations.list_establishments())
    if form.validate_on_submit():
        try:
            registered = clients.register_client(
                name=form.name.data or "",
                scopes=form.scopes.data or [],
                establishment_ids=[uuid.UUID(value) for value in form.establishments.data or []],
                by=current_user,
                hash_secret=hash_secret,
            )
        except DomainError as error:
            getattr(form, error.field or "name").errors = [str(error.message)]
        else:
            # Shown on this one answer and never again: only its hash is kept. The page is not cached.
            return render_template("api_clients/registered.html", client=registered.client, secret=registered.secret)
    return render_template("api_clients/new.html", form=form)


@bp.route("/<uuid:client_id>")
@admin_required
def show(client_id: uuid.UUID) -> str:
    client = _client_or_404(client_id)
    return render_template(
        "api_clients/show.html", client=client, scopes=SCOPE_DESCRIPTIONS, form=RevokeApiClientForm()
    )


@bp.route("/<uuid:client_id>/revoke", methods=["POST"])
@admin_required
def revoke(client_id: uuid.UUID) -> Response:
    client = _client_or_404(client_id)
    if not RevokeApiClientForm().validate_on_submit():
        abort(400)
    try:
        clients.revoke_client(client, by=current_user)
    except DomainError as error:
        flash(str(error.message))
    else:
        flash(_("%(name)s is revoked. Its tokens no longer work.", name=client.name), "success")
    return redirect(url_for("api_clients.show", client_id=client.public_id))
