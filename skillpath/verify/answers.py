"""The answer on a certificate check page, filled into an outline rather than rendered afresh each time.

The answer (verify/_result.html) is the same markup for every certificate with the same status and the same
number of skills and of areas, in the same language: only the certificate's own words, dates and code differ.
Rendering it through Jinja was the largest cost of a check after the database read. So it is rendered once per
(language, status, number of skills, number of areas) with a marked slot where each value goes; each check
escapes its values exactly as the template does and puts them into the slots in one pass, so no value is ever
read as markup or as a slot. An outline says nothing about any certificate (whether one is withdrawn is its
status, read on every check), and tests/integration/test_verify_answers.py holds the filled outline equal to the
template's own output, byte for byte.

Only valid and withdrawn certificates use outlines: the other answers say almost nothing and are rendered.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast
from urllib.parse import quote

from flask import current_app, render_template
from markupsafe import escape

from skillpath.i18n import current_language, format_date
from skillpath.services.certificates.certificates import CertificateContent, Verification, VerificationStatus

_SLOT = re.compile("\x00([a-z0-9_]+)\x00")
# Dates no certificate can have: where their text shows in an outline, a real date goes.
_ISSUED_STAND_IN = datetime(1901, 1, 1, 12, tzinfo=UTC)
_WITHDRAWN_STAND_IN = datetime(1902, 2, 2, 12, tzinfo=UTC)
_MOST_OUTLINES = 256  # far more than there are languages, statuses and shapes


def _slot(name: str) -> str:
    return f"\x00{name}\x00"


@dataclass(frozen=True)
class _StandInSkill:
    """What the template reads of a certified skill."""

    skill: str
    level_label: str


class _Outlines:
    def __init__(self) -> None:
        self._outlines: dict[Hashable, str] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> str | None:
        return self._outlines.get(key)

    def put(self, key: Hashable, outline: str) -> None:
        with self._lock:
            if len(self._outlines) >= _MOST_OUTLINES:
                self._outlines.clear()
            self._outlines[key] = outline

    def clear(self) -> None:
        with self._lock:
            self._outlines.clear()


outlines = _Outlines()


def app_key() -> int:
    """This app's part of a cache key: the app itself, not the `current_app` proxy, which is one for every app."""
    return id(cast(Any, current_app)._get_current_object())


def answer_html(result: Verification, code: str, *, app: int | None = None, language: str | None = None) -> str:
    """verify/_result.html for this result, as the template itself would render it in the request's language.
    `app` (`app_key()`) and `language` may be given when the caller has already worked them out."""
    content = result.content
    if content is None or result.status not in (VerificationStatus.VALID, VerificationStatus.REVOKED):
        return render_template("verify/_result.html", result=result, code=code)
    app = app_key() if app is None else app
    language = current_language() if language is None else language
    key = (app, language, result.status, len(content.skills), len(content.areas))
    outline = outlines.get(key)
    if outline is None:
        outline = _outline(result.status, len(content.skills), len(content.areas))
        outlines.put(key, outline)
    values = _values(result, content, code)
    return _SLOT.sub(lambda match: values[match.group(1)], outline)


def _outline(status: VerificationStatus, skills: int, areas: int) -> str:
    stand_in = SimpleNamespace(
        status=status,
        revoked_at=_WITHDRAWN_STAND_IN if status == VerificationStatus.REVOKED else None,
        content=SimpleNamespace(
            code=_slot("content_code"),
            recipient_name=_slot("recipient"),
            achievement_name=_slot("achievement"),
            achievement_description=_slot("description"),
            skills=tuple(_StandInSkill(_slot(f"skill_{n}"), _slot(f"level_{n}")) for n in range(skills)),
            areas=tuple(_slot(f"area_{n}") for n in range(areas)),
            issuer_name=_slot("issuer"),
            issued_at=_ISSUED_STAND_IN,
        ),
    )
    html = render_template("verify/_result.html", result=stand_in, code=_slot("code"))
    html = html.replace(format_date(_ISSUED_STAND_IN), _slot("issued_on"))
    html = html.replace(format_date(_WITHDRAWN_STAND_IN), _slot("withdrawn_on"))
    return html.replace(quote(_slot("code")), _slot("code"))  # in the links, where url_for had quoted it


def _values(result: Verification, content: CertificateContent, code: str) -> dict[str, str]:
    values = {
        # A code is letters, digits and hyphens (format_code), the same in HTML and in a URL.
        "code": str(escape(code)),
        "content_code": str(escape(content.code)),
        "recipient": str(escape(content.recipient_name)),
        "achievement": str(escape(content.achievement_name)),
        "description": str(escape(content.achievement_description)),
        "issuer": str(escape(content.issuer_name)),
        "issued_on": str(escape(format_date(content.issued_at))),
        "withdrawn_on": str(escape(format_date(result.revoked_at))),
    }
    for n, skill in enumerate(content.skills):
        values[f"skill_{n}"] = str(escape(skill.skill))
        values[f"level_{n}"] = str(escape(skill.level_label))
    for n, area in enumerate(content.areas):
        values[f"area_{n}"] = str(escape(area))
    return values
