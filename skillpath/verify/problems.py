"""The kinds of problem the public API reports, beyond plain HTTP errors.

Each is an RFC 9457 problem type: its `type` is the absolute URL of a short page
saying what it means (/api/problems/<slug>). Plain HTTP errors (404 for an
unknown address, 405, 413, 415, 429, 500, 503) use the type about:blank.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import LazyString
from werkzeug.wrappers import Response

from skillpath.errors import problem
from skillpath.i18n import _l
from skillpath.settings import app_urls


@dataclass(frozen=True)
class ProblemType:
    title: LazyString
    status: int
    meaning: LazyString
    what_to_do: LazyString


PROBLEM_TYPES = {
    "invalid-code": ProblemType(
        _l("Not a certificate code"),
        400,
        _l(
            "The code is not in the form of a SkillPath certificate code, or it has a typing mistake: its last "
            "character is a check character, which shows when any one character is wrong. The detail says which, "
            "and names the characters in the code that are easy to mix up. Nothing was looked up."
        ),
        _l("Check the code against the certificate and try again. Codes look like SP-7Q4K-29XD-M3HW."),
    ),
    "certificate-not-found": ProblemType(
        _l("Certificate not found"),
        404,
        _l(
            "There is no certificate with this code that can be checked. A certificate its holder has chosen to hide "
            "looks exactly the same."
        ),
        _l("Check the code. If it is right, ask the person who gave you the certificate about it."),
    ),
    "certificate-not-confirmed": ProblemType(
        _l("Certificate not confirmed"),
        409,
        _l("The issuer’s record of this certificate does not match its digital signature, so it cannot be confirmed."),
        _l("Contact the issuer and give them the certificate code."),
    ),
    "unreadable-credential": ProblemType(
        _l("Credential not readable"),
        400,
        _l(
            "The request body is not a credential that can be read: not a JWT, not valid JSON, not a JSON object, "
            "or nested far more deeply than any credential."
        ),
        _l("Send the .jwt or .json file exactly as it was downloaded, with the media type that matches it."),
    ),
    "credential-not-trusted": ProblemType(
        _l("Credential cannot be trusted"),
        422,
        _l(
            "The credential was read, but it cannot be trusted. The detail says why: for example its signature does "
            "not match, it was not signed by this service, it names another issuer, or it has expired. "
            "signatureValid says whether the signature itself held."
        ),
        _l("Do not rely on the credential. Ask its holder for the certificate code and check that instead."),
    ),
}


def problem_type_url(slug: str) -> str:
    return app_urls().problem_type(slug)


def problem_of(slug: str, detail: str, **extra: Any) -> Response:
    """A problem details response of one of our own problem types."""
    kind = PROBLEM_TYPES[slug]
    return problem(kind.status, detail, type_=problem_type_url(slug), title=str(kind.title), **extra)
