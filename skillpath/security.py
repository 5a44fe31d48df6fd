"""HTTP security headers, including a strict Content-Security-Policy with a per-request nonce."""

from __future__ import annotations

from collections.abc import Iterable

from flask import Response, abort, current_app, g, request

# plotly.js inserts one empty <style> element; this is the hash of the empty string.
_EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' {_EMPTY_STYLE_HASH}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def apply_security_headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = content_security_policy(nonce)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Referrer-Policy", "same-origin")  # a page may ask for less (share links: none)
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if response.mimetype == "text/html" or "attachment" in response.headers.get("Content-Disposition", ""):
        # Pages and downloads hold personal data, and prison computers are shared: keep no copy.
        response.headers["Cache-Control"] = "no-store"
    return response


def has_nul_byte(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def reject_nul_bytes() -> None:
    """No text SkillPath stores may contain a NUL character (PostgreSQL refuses it): say so with a 400."""
    if "\x00" in request.path or has_nul_byte(request.args.values()):
        abort(400)
    if (
        request.method in {"POST", "PUT", "PATCH"}
        and request.mimetype
        in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }
        and has_nul_byte(request.form.values())
    ):
        abort(400)


def reject_json_on_pages() -> None:
    """Pages take HTML forms; only the API under /api/ reads JSON. Anything else is a 400.

    Flask-WTF would otherwise read a JSON body as the form, and a list or a number there (or an object or a
    number where a form has text) breaks the form with a 500 instead of getting an answer.
    """
    if request.method in {"POST", "PUT", "PATCH"} and request.is_json and not request.path.startswith("/api/"):
        abort(400)
