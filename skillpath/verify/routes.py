"""Checking a certificate, with no account: by typed code or QR link, by uploading the credential file,
or from an employer's own software through the public API (described at /api/openapi.json).

Every check is rate-limited per address (VERIFY_RATE_LIMIT, shared by the form,
the pages and the JSON API), codes carry 55 random bits and a check character
that is tested before any lookup, and a hidden certificate looks exactly like
one that does not exist. The issuer's profile and keys are never limited.
Errors from the API are RFC 9457 problem details (see errors.py); CORS lets any
origin call the machine endpoints, never with cookies (see cors.py).
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, ParamSpec, TypeVar

from flask import Blueprint, abort, current_app, g, json, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import RateLimitItem, parse_many
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

from skillpath.auth.policy import public
from skillpath.errors import problem
from skillpath.i18n import _, _l, current_language
from skillpath.services.certificates import credential_files, openbadges, vc_jwt
from skillpath.services.certificates.certificate_pdf import CERTIFICATE_TITLES
from skillpath.services.certificates.certificates import (
    CertificateContent,
    Verification,
    VerificationStatus,
    code_mistake,
    format_code,
    iso_utc,
    normalise_code,
    read_checkable_certificate,
    verification_of,
)
from skillpath.services.certificates.credential_check import CredentialCheck, certifies
from skillpath.services.certificates.qr import qr_svg
from skillpath.services.certificates.signing import did_key
from skillpath.settings import app_issuer, app_urls
from skillpath.verify import answers, cors, openapi
from skillpath.verify.forms import CheckCertificateForm, UploadCredentialForm
from skillpath.verify.problems import PROBLEM_TYPES, problem_of
from skillpath.web import count_against, csrf, limiter

P = ParamSpec("P")
R = TypeVar("R")

bp = Blueprint("verify", __name__)
bp.before_app_request(cors.answer_preflight)
bp.after_app_request(cors.allow_any_origin)

JSON_MEDIA_TYPE = "application/json"
JWKS_MEDIA_TYPE = "application/jwk-set+json"
JWK_MEDIA_TYPE = "application/jwk+json"
PROFILE_MEDIA_TYPE = "application/ld+json"
# What POST /api/verify reads as a JSON-LD credential (or, as application/json, {"credential": "<jwt>"} too).
JSON_CREDENTIAL_MEDIA_TYPES = frozenset({JSON_MEDIA_TYPE, openbadges.JSONLD_MEDIA_TYPE, "application/ld+json"})
KEYS_CACHE = "public, max-age=300"


_CHECKS = "verify-certificate"


@functools.cache
def _allowances(limits: str) -> tuple[RateLimitItem, ...]:
    # Every limit the setting gives ("30 per minute; 500 per day"), the shortest window first.
    return tuple(sorted(parse_many(limits)))


def count_check() -> None:
    """Count one check from this address against VERIFY_RATE_LIMIT, or refuse it with 429 and Retry-After.

    One allowance per address for every kind of check (pages, the form, uploaded files, the JSON API), so that
    switching between them gains nothing. It is counted by the limiter's own strategy, in its store (Redis, so
    that every worker and host counts together), under the key Flask-Limiter's decorator used (its prefix, the
    address, the scope): the decorator did the same, but walked its register of limits on every check, a sixth
    of a check's time at national traffic. Each limit the setting gives is counted; the first one used up
    refuses.
    """
    if not limiter.enabled:
        return
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX") or "")
    key = (*((prefix,) if prefix else ()), get_remote_address(), _CHECKS)
    wait = count_against(_allowances(str(current_app.config["VERIFY_RATE_LIMIT"])), *key)
    if wait is not None:
        raise TooManyRequests(retry_after=wait)


def check_limit(view: Callable[P, R]) -> Callable[P, R]:
    """Every call of the view is a check (see `count_check`)."""

    @functools.wraps(view)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        count_check()
        return view(*args, **kwargs)

    return counted


def typed_check_limit(view: Callable[P, R]) -> Callable[P, R]:
    """A check when a code was typed in (the empty form is not one)."""

    @functools.wraps(view)
    def counted(*args: P.args, **kwargs: P.kwargs) -> R:
        if "code" in request.args:
            count_check()
        return view(*args, **kwargs)

    return counted


def _json(data: dict[str, Any], *, cache: str = "no-store", mimetype: str = JSON_MEDIA_TYPE) -> Response:
    response = current_app.response_class(json.dumps(data, ensure_ascii=False), mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    return response


_STATUS_CODES = {
    VerificationStatus.VALID: 200,
    VerificationStatus.REVOKED: 200,
    VerificationStatus.NOT_FOUND: 404,
    VerificationStatus.INVALID_CODE: 400,
    VerificationStatus.TAMPERED: 409,
}

# --- Pages -------------------------------------------------------------------------------------


class RenderedPages:
    """Verification pages (or the frames around their answers) already rendered for anonymous visitors.

    Every request still looks the certificate up and checks its signature, so a
    withdrawal shows at once on every worker and every host; only HTML is reused,
    and only when the key (which holds the status just read) is the same. Each
    response gets its own CSP nonce. The most recently used are kept.
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


# Whole pages, for codes checked again and again (VERIFY_PAGE_CACHE_SIZE of them)...
rendered_pages = RenderedPages()
# ...and, for every other code, the page around the answer: one per language and status. It is most of the
# page's cost (the GOV.UK template) and says nothing about any certificate; the answer is filled in each time
# (verify/answers.py).
page_frames = RenderedPages()
_FRAMES = 16
_ANSWER = "<!--skillpath:verification-answer-->"
_CODE = "<!--skillpath:verification-code-->"


def _is_cacheable() -> bool:
    return bool(
        int(current_app.config.get("VERIFY_PAGE_CACHE_SIZE", 0)) > 0
        and g.get("csp_nonce")
        and not request.query_string  # the footer's language links carry the query: never reuse another's
        and not current_user.is_authenticated
        and "_flashes" not in session
    )


def _page(result: Verification, answer_html: str) -> str:
    # The answer is our own template's output (already escaped), or the marker where it goes.
    return render_template("verify/certificate.html", result=result, result_html=Markup(answer_html))  # noqa: S704


def _render_result(result: Verification, code: str) -> str:
    if not _is_cacheable():
        return _page(result, answers.answer_html(result, code))
    language = current_language()
    # Whole pages only for certificates that exist: codes tried at random must not push the real ones out.
    keep_whole = result.status in (VerificationStatus.VALID, VerificationStatus.REVOKED)
    app_id = answers.app_key()
    key = (app_id, language, code, result)  # one page per language
    if keep_whole and (page := rendered_pages.get(key)) is not None:
        return page
    frame_key = (app_id, language, result.status)
    frame = page_frames.get(frame_key)
    if frame is None:
        # The frame names the code only in the footer's language links (they come back to this address).
        frame = _page(result, _ANSWER).replace(code, _CODE)
        page_frames.put(frame_key, frame, _FRAMES)
    answer = answers.answer_html(result, code, app=app_id, language=language)
    page = frame.replace(_CODE, code).replace(_ANSWER, answer, 1)
    if keep_whole:
        rendered_pages.put(key, page, int(current_app.config["VERIFY_PAGE_CACHE_SIZE"]))
    return page


def _index_page(code_form: CheckCertificateForm, upload_form: UploadCredentialForm) -> str:
    # `form` is the one whose errors the page's error summary lists.
    shown = upload_form if upload_form.errors else code_form
    return render_template("verify/index.html", code_form=code_form, upload_form=upload_form, form=shown)


@bp.route("/verify")
@public
@typed_check_limit
def index() -> str | Response:
    form = CheckCertificateForm(request.args if "code" in request.args else None)
    if "code" in request.args and form.validate() and form.normalised:
        return redirect(url_for("verify.certificate", code=format_code(form.normalised)))
    return _index_page(form, UploadCredentialForm())


@bp.route("/verify/<code>")
@public
@check_limit
def certificate(code: str) -> tuple[str, int] | Response:
    body = normalise_code(code)
    if body is None:
        form = CheckCertificateForm(MultiDict({"code": code}))
        form.validate()
        return _index_page(form, UploadCredentialForm()), 400
    if code != format_code(body):  # typed loosely: show it at its one address
        return redirect(url_for("verify.certificate", code=format_code(body)))
    result = verification_of(read_checkable_certificate(body), app_issuer().keys)
    return _render_result(result, format_code(body)), _STATUS_CODES[result.status]


@bp.route("/verify/<code>/printable")
@public
@check_limit
def printable(code: str) -> tuple[str, int] | Response:
    """The certificate as a plain web page, to print or to read with a screen reader: the PDF cannot be tagged.

    Only a valid certificate has one; any other code gets exactly what its check page says.
    """
    body = normalise_code(code)
    if body is None:
        return redirect(url_for("verify.certificate", code=code))  # which says what is wrong with the code
    if code != format_code(body):
        return redirect(url_for("verify.printable", code=format_code(body)))
    found = read_checkable_certificate(body)
    result = verification_of(found, app_issuer().keys)
    if found is None or not result.is_valid:
        return _render_result(result, format_code(body)), _STATUS_CODES[result.status]
    page = render_template(
        "verify/printable.html",
        content=result.content,
        title=CERTIFICATE_TITLES[found.kind],
        verify_home=app_urls().verify_home(),
        qr_svg=qr_svg(app_urls().verify_code(code), _("QR code that opens this certificate’s check page")),
    )
    return page, 200


@bp.route("/verify/check-file", methods=["POST"])
@public
@check_limit
def check_file() -> tuple[str, int]:
    """An uploaded credential file (.json or .jwt): whether it can be trusted, and what it certifies."""
    form = UploadCredentialForm()
    data = form.read() if form.validate_on_submit() else None
    if data is None:
        return _index_page(CheckCertificateForm(None), form), 200  # as every form here answers its errors
    check = credential_files.check_credential_bytes(data, app_issuer())
    content = _content_of(check)
    # An answer, whatever it says: the page succeeded even when the file cannot be trusted.
    return render_template("verify/check_file.html", check=check, content=content), 200


def _recorded(check: CredentialCheck) -> Verification | None:
    """Our record of the checked credential's certificate, when the check found a genuine credential of ours."""
    body = normalise_code(check.code) if check.signature_valid and check.code else None
    return verification_of(read_checkable_certificate(body), app_issuer().keys) if body else None


def _content_of(check: CredentialCheck) -> CertificateContent | None:
    return result.content if (result := _recorded(check)) is not None else None


# --- JSON for employers' own systems ------------------------------------------------------------

_PROBLEMS = {
    VerificationStatus.NOT_FOUND: "certificate-not-found",
    VerificationStatus.INVALID_CODE: "invalid-code",
    VerificationStatus.TAMPERED: "certificate-not-confirmed",
}


def _certificate_json(content: CertificateContent) -> dict[str, Any]:
    """What the certificate certifies, with its Essential Digital Skills areas when it was signed with them."""
    certificate = certifies(content, issuer_id=app_urls().issuer_profile())
    if content.areas:
        certificate["skillAreas"] = list(content.areas)
    return certificate


def _result_json(result: Verification, code: str) -> dict[str, Any]:
    """A certificate that was found: valid or withdrawn, with what it says."""
    content = result.content
    assert content is not None
    data: dict[str, Any] = {
        "status": result.status.value,
        "message": result.message,
        "code": code,
        "certificate": _certificate_json(content),
        "verificationUrl": app_urls().verify_code(content.code),
        "signature": {"algorithm": "EdDSA", "keyId": result.key_id, "keys": app_urls().jwks()},
    }
    if result.revoked_at is not None:
        data["revokedAt"] = iso_utc(result.revoked_at)
    return data


def _verification_response(result: Verification, code: str | None) -> Response:
    if result.status in (VerificationStatus.VALID, VerificationStatus.REVOKED) and code is not None:
        return _json(_result_json(result, code))
    extra = {"code": code} if code is not None and result.status != VerificationStatus.INVALID_CODE else {}
    return problem_of(_PROBLEMS[result.status], result.message, **extra)


@bp.route("/api/verify/<code>")
@public
@check_limit
def api_code(code: str) -> Response:
    body = normalise_code(code)
    if body is None:  # what is wrong with it, as the form says: nothing was looked up
        return problem_of(_PROBLEMS[VerificationStatus.INVALID_CODE], code_mistake(code))
    result = verification_of(read_checkable_certificate(body), app_issuer().keys)
    return _verification_response(result, format_code(body))


SEND_A_CREDENTIAL = _l(
    "Send the credential as the request body: a .jwt file as application/jwt (or application/vc+jwt, or text/plain), "
    'a .json file as application/vc+ld+json (or application/ld+json, or application/json), or {"credential": "…"}.'
)


def _read_posted_credential() -> str | dict[str, Any] | Response:
    """The posted JWT (text) or JSON-LD credential (an object), or the problem response that says why not."""
    if request.mimetype not in vc_jwt.JWT_MEDIA_TYPES | JSON_CREDENTIAL_MEDIA_TYPES:
        return problem(415, str(SEND_A_CREDENTIAL))
    too_large = (request.content_length or 0) > credential_files.MAX_CREDENTIAL_BYTES
    raw = b"" if too_large else request.get_data()  # bounded by MAX_CONTENT_LENGTH when the length is not sent
    if too_large or len(raw) > credential_files.MAX_CREDENTIAL_BYTES:
        size = credential_files.MAX_CREDENTIAL_BYTES // 1024
        return problem(413, _("The credential must be %(size)d KB or smaller.", size=size))
    try:
        text = raw.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return problem_of("unreadable-credential", str(credential_files.NOT_TEXT))
    if not text:
        return problem_of("unreadable-credential", str(SEND_A_CREDENTIAL))
    if request.mimetype in vc_jwt.JWT_MEDIA_TYPES:
        return text if vc_jwt.looks_like_jwt(text) else problem_of("unreadable-credential", str(vc_jwt.UNREADABLE))
    document = credential_files.parse_json(text)
    if isinstance(document, CredentialCheck):
        return problem_of("unreadable-credential", document.problem or str(SEND_A_CREDENTIAL))
    if request.mimetype == JSON_MEDIA_TYPE and isinstance(document, dict) and document.keys() == {"credential"}:
        document = document["credential"]  # the wrapped form: {"credential": "<jwt>"} or {"credential": {...}}
    if isinstance(document, str):
        return document
    if not isinstance(document, dict):
        return problem_of("unreadable-credential", str(credential_files.NOT_AN_OBJECT))
    return document


def _check_response(check: CredentialCheck) -> Response:
    """200 with the certificate when the credential is ours and genuine (withdrawn or not); else 422 saying why."""
    result = _recorded(check) if check.withdrawn is not None else None
    if result is not None and result.content is not None:
        return _json(_result_json(result, result.content.code))
    detail = check.problem or _("The credential cannot be trusted.")
    return problem_of("credential-not-trusted", detail, signatureValid=check.signature_valid)


@bp.route("/api/verify", methods=["POST"])
@public
@csrf.exempt  # other software posts here with no session: there is nothing to forge
@check_limit
def api_credential() -> Response:
    """Check a credential file: its signature, its issuer and dates, then its certificate's current status."""
    posted = _read_posted_credential()
    if isinstance(posted, Response):
        return posted
    if isinstance(posted, str):
        return _check_response(vc_jwt.check_jwt_credential(posted, app_issuer()))
    return _check_response(credential_files.check_credential_document(posted, app_issuer()))


@bp.route("/api/problems/<slug>")
@public
def problem_type(slug: str) -> str:
    """What one kind of problem the API reports means: the page its problem type URI names."""
    found = PROBLEM_TYPES.get(slug) or abort(404)
    return render_template("verify/problem_type.html", problem=found, slug=slug)


@bp.route("/api/openapi.json")
@public
def openapi_document() -> Response:
    return _json(openapi.document(), cache=KEYS_CACHE, mimetype=openapi.MEDIA_TYPE)


# --- The issuer ----------------------------------------------------------------------------------


@bp.route("/.well-known/jwks.json")
@public
def jwks() -> Response:
    """Every public key: Ed25519 (certificates, JSON-LD credentials) and ES256 (VC-JWTs)."""
    issuer = app_issuer()
    keys = [*issuer.keys.jwks()["keys"], *vc_jwt.jwks_entries(issuer)]
    return _json({"keys": keys}, cache=KEYS_CACHE, mimetype=JWKS_MEDIA_TYPE)


@bp.route("/issuer/keys/<kid>")
@public
def issuer_key(kid: str) -> Response:
    """One ES256 public key as a JWK: the URL a VC-JWT's `kid` names."""
    jwk = vc_jwt.public_jwk(kid, app_issuer()) or abort(404)
    return _json(jwk, cache=KEYS_CACHE, mimetype=JWK_MEDIA_TYPE)


@bp.route("/issuer")
@public
def issuer_profile() -> Response:
    """The issuer the VC-JWTs name, pointing at every key it signs with (OB 3.0 otherIdentifier entries)."""
    profile = openbadges.issuer_profile(
        issuer_id=app_urls().issuer_profile(),
        name=str(current_app.config["ISSUER_NAME"]),
        url=app_urls().home(),
        jwks_url=app_urls().jwks(),
    )
    profile["otherIdentifier"] = _key_identifiers()
    return _json(profile, cache=KEYS_CACHE, mimetype=PROFILE_MEDIA_TYPE)


def _key_identifiers() -> list[dict[str, str]]:
    """The JWKS, each ES256 key's URL (a VC-JWT's kid) and each Ed25519 key's did:key (a JSON-LD issuer)."""
    issuer = app_issuer()
    store = issuer.keys
    entries = [(issuer.urls.jwks(), "ext:jwks_uri")]
    entries += [(jwk["kid"], "ext:es256_key") for jwk in vc_jwt.jwks_entries(issuer)]
    entries += [
        (did_key(public), "ext:did_key")
        for info in store.list_keys()
        if (public := store.public_key(info.kid)) is not None
    ]
    return [{"type": "IdentifierEntry", "identifier": value, "identifierType": kind} for value, kind in entries]
