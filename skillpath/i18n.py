"""Text in the user's language: English by default, Welsh (cy) ready for its translations.

Everything a person reads is marked: ``_`` in code that runs during a request, ``_l`` (lazy) where text is defined
once at import time (form labels, error messages, labels of codes), and ``ngettext`` for anything with a count.
Services import these from here, never from Flask, so they keep no tie to the web layer beyond the marking.

The language comes from the ``lang`` cookie, which the footer's language link sets; without it, English.
Catalogues live in ``skillpath/translations`` and are compiled at set-up (``pybabel compile``), not kept in git.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, gettext, lazy_gettext, ngettext

__all__ = [
    "LANGUAGES",
    "UK",
    "_",
    "_l",
    "current_language",
    "current_locale",
    "format_date",
    "format_datetime",
    "format_number",
    "html_lang",
    "init_app",
    "ngettext",
    "other_languages",
]

# Language code -> its name in that language, as the switch shows it.
LANGUAGES = {"en": "English", "cy": "Cymraeg"}
DEFAULT_LOCALE = "en"
COOKIE = "lang"
UK = ZoneInfo("Europe/London")
_ = gettext
_l = lazy_gettext
babel = Babel()


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE, "") if has_request_context() else ""
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/London")
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks: whitespace in the source is not text


def current_language() -> str:
    """The request's language code: "en" or "cy"."""
    locale = get_locale() if has_request_context() else None
    language = locale.language if locale is not None else DEFAULT_LOCALE
    return language if language in LANGUAGES else DEFAULT_LOCALE


def html_lang() -> str:
    """The page's ``<html lang>``: British English, or Welsh."""
    language = current_language()
    return "en-GB" if language == "en" else language


def other_languages() -> list[tuple[str, str]]:
    """(code, name in that language) of each language the page is not in, for the footer's switch."""
    current = current_language()
    return [(code, name) for code, name in LANGUAGES.items() if code != current]


def current_locale() -> Locale:
    """The request's locale, in British form for English; en_GB outside a request (CLI, PDFs built in jobs)."""
    locale = get_locale() if has_request_context() else None
    if locale is None or locale.language == "en":
        return Locale("en", "GB")
    return locale


def format_date(value: date | datetime | None) -> str:
    """'5 March 2026', the GOV.UK style, in the user's language; datetimes are shown in UK time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    return babel_format_date(value, "d MMMM y", locale=current_locale())


def format_datetime(value: datetime | None) -> str:
    """'5 March 2026 at 2:05pm' in UK time."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    time = babel_format_time(local, "h:mma", locale=current_locale()).lower()
    return gettext("%(date)s at %(time)s", date=format_date(local), time=time)


def format_number(value: int | float) -> str:
    """1,234 in English; the user's own grouping in other languages."""
    return format_decimal(value, locale=current_locale())
