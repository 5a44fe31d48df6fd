"""Reading a credential someone hands us: a file uploaded on the page, or a body posted to the API.

Whatever arrives is untrusted. It is refused plainly, before any parsing that
could be slow or deep, if it is too large, not UTF-8 text, not JSON or a JWT,
or JSON nested absurdly deep; otherwise the JSON-LD credential goes to
credential_check.check_jsonld_credential and the JWT to vc_jwt.check_jwt_credential.
Both answer with a CredentialCheck, which is all the callers need.
"""

from __future__ import annotations

import json
from typing import Any

from skillpath.i18n import _l
from skillpath.services.certificates import vc_jwt
from skillpath.services.certificates.credential_check import CredentialCheck, check_jsonld_credential
from skillpath.services.certificates.issuer import Issuer

MAX_CREDENTIAL_BYTES = 64 * 1024
# A credential is about eight levels deep; anything far deeper is not one of ours, and costs time to walk.
MAX_JSON_DEPTH = 32

TOO_LARGE = _l(
    "The file is larger than %(size)d KB, so it is not a SkillPath credential.", size=MAX_CREDENTIAL_BYTES // 1024
)
NOT_A_CREDENTIAL = _l(
    "This is not a credential file: it is neither JSON nor a JWT. "
    "Use the .json or .jwt file exactly as it was downloaded from SkillPath."
)
NOT_TEXT = _l("This is not a credential file: it is not text. Use the .json or .jwt file exactly as it was downloaded.")
BROKEN_JSON = _l("The file is not complete, valid JSON, so it cannot be checked. It may have been cut short or edited.")
TOO_DEEP = _l("The file is nested far more deeply than any credential, so it is not a SkillPath credential.")
NOT_AN_OBJECT = _l("The file is JSON but not a credential: a credential is a JSON object with an “@context”.")


def check_credential_bytes(data: bytes, issuer: Issuer) -> CredentialCheck:
    """Check a credential given as the bytes of a file: a JSON-LD credential (.json) or a VC-JWT (.jwt)."""
    if len(data) > MAX_CREDENTIAL_BYTES:
        return CredentialCheck(False, str(TOO_LARGE))
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        return CredentialCheck(False, str(NOT_TEXT))
    return check_credential_text(text, issuer)


def check_credential_text(text: str, issuer: Issuer) -> CredentialCheck:
    if text.startswith(("{", "[")):
        document = parse_json(text)
        if isinstance(document, CredentialCheck):
            return document
        return check_credential_document(document, issuer)
    if vc_jwt.looks_like_jwt(text):
        return vc_jwt.check_jwt_credential(text, issuer)
    return CredentialCheck(False, str(NOT_A_CREDENTIAL))


def check_credential_document(document: Any, issuer: Issuer) -> CredentialCheck:
    """A parsed JSON credential: the JSON-LD credential itself."""
    if not isinstance(document, dict):
        return CredentialCheck(False, str(NOT_AN_OBJECT))
    return check_jsonld_credential(document, issuer)


def parse_json(text: str) -> Any:
    """The JSON value, or a CredentialCheck saying why it cannot be read."""
    try:
        value = json.loads(text)
    except RecursionError:  # thousands of brackets deep: the parser gave up
        return CredentialCheck(False, str(TOO_DEEP))
    except ValueError:
        return CredentialCheck(False, str(BROKEN_JSON))
    return _refused(value) or value


def _refused(value: Any) -> CredentialCheck | None:
    """Why a parsed JSON value cannot be a credential: nested too deep, or carrying a lone surrogate."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return CredentialCheck(False, str(TOO_DEEP))
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:  # JSON can carry what no UTF-8 can ("\ud800"): nothing genuine does
                return CredentialCheck(False, str(BROKEN_JSON))
        elif isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None
