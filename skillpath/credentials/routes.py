"""Status list credentials, read by wallets and verifiers (no account, no cookies, cacheable for a minute).

No rate limit: a list says nothing about any one certificate, every verifier of
every credential reads one, and a signed list is served from memory until a
certificate in it is withdrawn.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, request
from werkzeug.wrappers import Response

from skillpath.auth.policy import public
from skillpath.services.certificates import status_lists
from skillpath.services.certificates.openbadges import JSONLD_MEDIA_TYPE
from skillpath.settings import app_issuer

bp = Blueprint("credentials", __name__, url_prefix="/credentials")


@bp.route("/status/<uuid:list_id>/<key_id>")
@public
def status_list(list_id: uuid.UUID, key_id: str) -> Response:
    """One revocation list, signed by one of the issuer's keys (the one that signed the credentials that cite it)."""
    issuer = app_issuer()
    signed = status_lists.signed_status_list(list_id, key_id, issuer.keys, issuer.urls)
    if signed is None:
        abort(404)
    response = current_app.response_class(signed.body, mimetype=JSONLD_MEDIA_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={status_lists.CACHE_SECONDS}"
    response.set_etag(signed.etag)
    return response.make_conditional(request)
