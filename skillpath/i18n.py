"""Text in the user's language: English by default, Welsh (cy) ready for its translations.

Everything a person reads is marked: ``_`` in code that runs during a request, ``_l`` (lazy) where text is defined
once at import time (form labels, error messages, labels of codes), and ``ngettext`` for anything with a count.
Services import these from here, never from Flask, so they keep no tie to the web layer beyond the marking.

The language comes from the ``lang`` cookie, which the footer's language link sets; without it, English.
Catalogues live in ``skillpath/translations`` and are compiled at set-up (``pybabel compile``), not kept in git.

Look-ups are remembered. Going through Flask-Babel costs 10 to 40 µs a text (it finds the app's Babel, the domain
and the locale, and formats the locale's name, every time), and a cohort dashboard asks for about a thousand; a
remembered text costs about 1 µs.
Flask-Babel loads each catalogue once per process and never changes it, so the text found for a message in a
catalogue is kept beside that catalogue (a weak mapping: clearing Flask-Babel's cache, as a test does, starts
afresh) and the catalogue in use is found once per request. `force_locale` and `refresh` still work: a
different locale object means looking the catalogue up again.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from weakref import WeakKeyDictionary
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.numbers import format_decimal
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, LazyString, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

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
babel = Babel()

# Enough for every text of the app in every form several times over; past it, a look-up is simply not kept
# (so text made up at run time, if any ever reached here, could not grow the process without bound).
_MOST_KEPT = 20_000
_G_KEY = "_skillpath_catalogue"


class _Catalogue:
    """A loaded catalogue's texts as already looked up: message -> text, (singular, plural, n) -> text."""

    __slots__ = ("counted", "texts")

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.counted: dict[tuple[str, str, int], str] = {}


_KEPT: WeakKeyDictionary[Any, _Catalogue] = WeakKeyDictionary()
_EN_GB = Locale("en", "GB")
# (day, locale) -> '5 March 2026': dashboards show a date or two for every learner, and Babel takes ~10 µs each.
_DATES: dict[tuple[date, Locale], str] = {}


def _locale_of(app_globals: object) -> Locale | None:
    """Flask-Babel's locale for the context whose `g` this is, without its three trips through the `g` proxy."""
    # Flask-Babel keeps the locale it has worked out here (force_locale and refresh change it); should that ever
    # move, asking get_locale() every time is slower but still right.
    locale = getattr(getattr(app_globals, "_flask_babel", None), "babel_locale", None)
    return locale if isinstance(locale, Locale) else get_locale()


def _catalogue() -> tuple[Any, _Catalogue] | None:
    """The request's translations and what has been looked up in them; None outside an app context, where
    Flask-Babel translates nothing."""
    try:
        app_globals = g._get_current_object()  # one trip through the proxy, not five
    except RuntimeError:
        return None
    locale = _locale_of(app_globals)
    found: tuple[object, Any, _Catalogue] | None = getattr(app_globals, _G_KEY, None)
    if found is not None and found[0] is locale:
        return found[1], found[2]
    translations = get_translations()
    kept = _KEPT.get(translations)
    if kept is None:
        kept = _KEPT[translations] = _Catalogue()
    setattr(app_globals, _G_KEY, (locale, translations, kept))
    return translations, kept


def _translate(message: str) -> str:
    """The message in the request's language, not yet formatted (Jinja formats it itself)."""
    catalogue = _catalogue()
    if catalogue is None:
        return message
    translations, kept = catalogue
    text = kept.texts.get(message)
    if text is None:
        text = translations.ugettext(message)
        if len(kept.texts) < _MOST_KEPT:
            kept.texts[message] = text
    return text


def _translate_counted(singular: str, plural: str, num: int) -> str:
    """The singular or plural form for `num` in the request's language, not yet formatted."""
    catalogue = _catalogue()
    if catalogue is None:
        return singular if num == 1 else plural
    translations, kept = catalogue
    key = (singular, plural, num)
    text = kept.counted.get(key)
    if text is None:
        text = translations.ungettext(singular, plural, num)
        if len(kept.counted) < _MOST_KEPT:
            kept.counted[key] = text
    return text


@pass_eval_context
def _template_gettext(eval_context: EvalContext, message: str, /, **variables: Any) -> str:
    """gettext as Jinja's new-style one behaves: always formatted, the placeholders escaped in an HTML template."""
    text = _translate(message)
    return (Markup(text) if eval_context.autoescape else text) % variables  # noqa: S704 - our catalogue's text


@pass_eval_context
def _template_ngettext(eval_context: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    """ngettext as Jinja's new-style one behaves."""
    variables.setdefault("num", num)
    text = _translate_counted(singular, plural, num)
    return (Markup(text) if eval_context.autoescape else text) % variables  # noqa: S704 - our catalogue's text


def gettext(message: str, /, **variables: Any) -> str:
    """The message in the request's language, with any %(name)s placeholders filled in."""
    text = _translate(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, /, num: int, **variables: Any) -> str:
    """The form for `num` (available as %(num)d) in the request's language, with its placeholders filled in."""
    variables.setdefault("num", num)
    return _translate_counted(singular, plural, num) % variables


def lazy_gettext(message: str, /, **variables: Any) -> LazyString:
    """The message translated each time it is used as text, for text defined at import time."""
    return LazyString(gettext, message, **variables)


_ = gettext
_l = lazy_gettext


def select_locale() -> str:
    chosen = request.cookies.get(COOKIE, "") if has_request_context() else ""
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/London")
    # Templates' _(), gettext(), ngettext() and {% trans %} use the remembered look-ups too, called directly rather
    # than through Jinja's two layers of wrappers; Flask-Babel has already made them new-style (placeholders filled
    # in, and escaped, by the call itself) and installed the contextual forms, which the app does not use.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # {% trans %} blocks: whitespace in the source is not text


def current_language() -> str:
    """The request's language code: "en" or "cy"."""
    locale = _locale_of(g._get_current_object()) if has_request_context() else None
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
    locale = _locale_of(g._get_current_object()) if has_request_context() else None
    if locale is None or locale.language == "en":
        return _EN_GB
    return locale


def format_date(value: date | datetime | None) -> str:
    """'5 March 2026', the GOV.UK style, in the user's language; datetimes are shown in UK time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK).date()
    locale = current_locale()
    key = (value, locale)
    text = _DATES.get(key)
    if text is None:
        text = babel_format_date(value, "d MMMM y", locale=locale)
        if len(_DATES) < _MOST_KEPT:
            _DATES[key] = text
    return text


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
