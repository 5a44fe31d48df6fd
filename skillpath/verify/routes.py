"""Checking a certificate, with no account: by typed code, by QR link, or by an employer's own system.

Every check is rate-limited per address (VERIFY_RATE_LIMIT, shared by the form,
the page and the JSON API), codes carry 55 random bits and a check character
that is tested before any lookup, and a hidden certificate looks exactly like
one that does not exist.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from skillpath.auth.policy import public
from skillpath.extensions import csrf, limiter
from skillpath.services import openbadges
from skillpath.services.certificates import (
    CHECK_THE_CODE,
    Verification,
    VerificationStatus,
    format_code,
    get_checkable_certificate,
    iso_utc,
    normalise_code,
    verification_of,
)
from skillpath.services.signing import app_key_store
from skillpath.verify.forms import CheckCertificateForm
from skillpath.verify.urls import public_url

bp = Blueprint("verify", __name__)

MAX_CREDENTIAL_BYTES = 64 * 1024
_STATUS_CODES = {
    VerificationStatus.VALID: 200,
    VerificationStatus.REVOKED: 200,
    VerificationStatus.NOT_FOUND: 404,
    VerificationStatus.INVALID_CODE: 400,
    VerificationStatus.TAMPERED: 409,
}


def _verify_limit() -> str:
    return str(current_app.config["VERIFY_RATE_LIMIT"])


def _no_code_typed() -> bool:
    return "code" not in request.args


# One allowance per address for every kind of check, so that switching between them gains nothing.
check_limit = limiter.shared_limit(_verify_limit, scope="verify-certificate")
typed_check_limit = limiter.shared_limit(_verify_limit, scope="verify-certificate", exempt_when=_no_code_typed)


@bp.errorhandler(TooManyRequests)
def _too_many(error: TooManyRequests) -> tuple[str | Response, int]:
    if request.path.startswith("/api/"):
        return _json(
            {"status": "rate_limited", "message": "Too many checks from your address. Wait a minute, then try again."}
        ), 429
    return render_template("errors/429.html"), 429


def _json(data: dict[str, Any], *, cache: str = "no-store") -> Response:
    response = jsonify(data)
    response.headers["Cache-Control"] = cache
    # Anyone may read these from their own pages or systems; no cookies are involved.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- Pages -------------------------------------------------------------------------------------


class RenderedPages:
    """Verification pages already rendered for anonymous visitors, most recently used kept.

    Every request still looks the certificate up and checks its signature, so a
    withdrawal shows at once on every worker; only the HTML is reused, and only
    when the key (the verified content, its state and code) is the same. Each
    response gets its own CSP nonce. Saves most of the page's cost, which is the
    GOV.UK page template.
    """

    def __init__(self) -> None:
        self._pages: OrderedDict[Hashable, tuple[str, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            entry = self._pages.get(key)
            if entry is None:
                return None
            self._pages.move_to_end(key)
        nonce, html = entry
        return html.replace(nonce, g.csp_nonce)

    def put(self, key: Hashable, html: str, size: int) -> None:
        with self._lock:
            self._pages[key] = (g.csp_nonce, html)
            while len(self._pages) > size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()


rendered_pages = RenderedPages()


def _render_result(result: Verification, code: str) -> str:
    size = int(current_app.config.get("VERIFY_PAGE_CACHE_SIZE", 0))
    cacheable = (
        size > 0
        and result.status in (VerificationStatus.VALID, VerificationStatus.REVOKED)
        and g.get("csp_nonce")
        and not current_user.is_authenticated
        and "_flashes" not in session
    )
    key = (id(current_app), code, result)
    if cacheable and (page := rendered_pages.get(key)) is not None:
        return page
    page = render_template("verify/certificate.html", result=result, code=code)
    if cacheable:
        rendered_pages.put(key, page, size)
    return page


@bp.route("/verify")
@public
@typed_check_limit
def index() -> str | Response:
    form = CheckCertificateForm(request.args if "code" in request.args else None)
    if "code" in request.args and form.validate() and form.normalised:
        return redirect(url_for("verify.certificate", code=format_code(form.normalised)))
    return render_template("verify/index.html", form=form)


@bp.route("/verify/<code>")
@public
@check_limit
def certificate(code: str) -> tuple[str, int] | Response:
    body = normalise_code(code)
    if body is None:
        form = CheckCertificateForm(MultiDict({"code": code}))
        form.validate()
        return render_template("verify/index.html", form=form), 400
    if code != format_code(body):  # typed loosely: show it at its one address
        return redirect(url_for("verify.certificate", code=format_code(body)))
    result = verification_of(get_checkable_certificate(body), app_key_store())
    return _render_result(result, format_code(body)), _STATUS_CODES[result.status]


# --- JSON for employers' own systems ------------------------------------------------------------


def _result_json(result: Verification, code: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {"status": result.status.value, "message": result.message}
    if code is not None and result.status != VerificationStatus.INVALID_CODE:
        data["code"] = code
    if result.content is not None:
        content = result.content
        data["certificate"] = {
            "code": content.code,
            "recipientName": content.recipient_name,
            "achievement": {"name": content.achievement_name, "description": content.achievement_description},
            "skills": [{"skill": s.skill, "level": s.level} for s in content.skills],
            "issuer": {"name": content.issuer_name, "id": public_url("verify.issuer_profile")},
            "issuedAt": iso_utc(content.issued_at),
        }
        data["verificationUrl"] = public_url("verify.certificate", code=content.code)
        data["signature"] = {"algorithm": "EdDSA", "keyId": result.key_id, "keys": public_url("verify.jwks")}
    if result.revoked_at is not None:
        data["revokedAt"] = iso_utc(result.revoked_at)
    return data


@bp.route("/api/verify/<code>")
@public
@check_limit
def api_code(code: str) -> tuple[Response, int]:
    body = normalise_code(code)
    if body is None:
        result = Verification(VerificationStatus.INVALID_CODE)
    else:
        result = verification_of(get_checkable_certificate(body), app_key_store())
    return _json(_result_json(result, format_code(body) if body else None)), _STATUS_CODES[result.status]


def _posted_token() -> str | None:
    raw = request.get_data(cache=False, as_text=False)[: MAX_CREDENTIAL_BYTES + 1]
    if len(raw) > MAX_CREDENTIAL_BYTES:
        return None
    text = raw.decode("utf-8", errors="replace").strip()
    if request.mimetype == "application/json":
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
            return None
        token = body.get("credential") if isinstance(body, dict) else None
        # A JWT is ASCII; JSON can carry what no bytes can (a lone surrogate such as "\ud800").
        return token if isinstance(token, str) and token.isascii() else None
    return text or None


def _code_from_credential_id(credential_id: object) -> str | None:
    if not isinstance(credential_id, str):
        return None
    return normalise_code(credential_id.rstrip("/").rsplit("/", 1)[-1])


@bp.route("/api/verify", methods=["POST"])
@public
@csrf.exempt
@check_limit
def api_credential() -> tuple[Response, int]:
    """Check a signed credential (the .jwt file): its signature, then its certificate's current status."""
    token = _posted_token()
    if token is None:
        message = (
            "Send the credential (.jwt file) as the request body with Content-Type application/vc+jwt, "
            'or as JSON: {"credential": "…"}.'
        )
        return _json({"status": "invalid", "message": message}), 400
    check = openbadges.check_credential_jwt(token, app_key_store(), issuer_id=public_url("verify.issuer_profile"))
    if not check.ok or check.payload is None:
        return _json({"status": "invalid", "message": check.reason}), 422
    code = _code_from_credential_id(check.payload.get("jti"))
    certificate = get_checkable_certificate(code) if code else None
    result = verification_of(certificate, app_key_store())
    if result.content is not None and not openbadges.matches_content(check.payload, result.content):
        result = Verification(VerificationStatus.TAMPERED)
    return _json(_result_json(result, format_code(code) if code else None)), _STATUS_CODES[result.status]


@bp.route("/api/status/<code>")
@public
@check_limit
def credential_status(code: str) -> tuple[Response, int]:
    """The credential's status entry: a 1EdTech revocation list holding this credential if it was withdrawn."""
    body = normalise_code(code)
    found = get_checkable_certificate(body) if body else None
    if found is None:
        return _json({"status": "not_found", "message": CHECK_THE_CODE}), 404
    display = format_code(found.code)
    document = openbadges.revocation_list(
        list_id=public_url("verify.credential_status", code=display),
        issuer_id=public_url("verify.issuer_profile"),
        credential_id=public_url("verify.certificate", code=display),
        revoked=found.is_revoked,
    )
    return _json(document), 200


# --- The issuer ----------------------------------------------------------------------------------


@bp.route("/.well-known/jwks.json")
@public
def jwks() -> Response:
    return _json(app_key_store().jwks(), cache="public, max-age=300")


@bp.route("/issuer")
@public
def issuer_profile() -> Response:
    profile = openbadges.issuer_profile(
        issuer_id=public_url("verify.issuer_profile"),
        name=str(current_app.config["ISSUER_NAME"]),
        url=public_url("main.index"),
        jwks_url=public_url("verify.jwks"),
    )
    return _json(profile, cache="public, max-age=300")
