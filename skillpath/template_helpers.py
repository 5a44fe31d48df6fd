"""Filters and globals the templates share."""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user
from markupsafe import Markup

from skillpath.auth import policy
from skillpath.i18n import format_date, format_datetime, format_number, html_lang, other_languages

# Tag colours keyed by code (the enum member's name), never by the words shown, which follow the language.
_BAND_TAGS = {
    "NOT_STARTED": "govuk-tag--grey",
    "BUILDING": "govuk-tag--yellow",
    "NEARLY_READY": "govuk-tag--blue",
    "READY": "govuk-tag--green",
}
_MODULE_TAGS = {
    "IN_PROGRESS": "govuk-tag--yellow",
    "READY_FOR_SIGN_OFF": "govuk-tag--blue",
    "RETURNED": "govuk-tag--orange",
    "SIGNED_OFF": "govuk-tag--green",
}


def link_html(href: str, text: object, classes: str = "govuk-link") -> Markup:
    """A link for the `html` of a GOV.UK component, with its text escaped."""
    return Markup('<a class="{}" href="{}">{}</a>').format(classes, href, text)


def _code(member: object) -> str:
    return str(getattr(member, "name", member))


def readiness_tag_classes(band: object) -> str:
    """The tag colour of a readiness band (a `Band`, or its code)."""
    return _BAND_TAGS.get(_code(band), "govuk-tag--grey")


def module_tag_classes(status: object) -> str:
    """The tag colour of a module's status (a `ModuleStatus`, or its code)."""
    return _MODULE_TAGS.get(_code(status), "govuk-tag--grey")


def register(app: Flask) -> None:
    app.jinja_env.filters["govuk_date"] = format_date
    app.jinja_env.filters["govuk_datetime"] = format_datetime
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.globals["policy"] = policy
    app.jinja_env.globals["link_html"] = link_html
    app.jinja_env.globals["readiness_tag_classes"] = readiness_tag_classes
    app.jinja_env.globals["module_tag_classes"] = module_tag_classes
    app.jinja_env.globals["service_name"] = app.config["SERVICE_NAME"]
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.globals["other_languages"] = other_languages

    @app.context_processor
    def _inject() -> dict[str, object]:
        return {"csp_nonce": g.get("csp_nonce", ""), "current_user": current_user, "after_release": _after_release()}


def _after_release() -> bool:
    """A learner who has left custody: their pages speak to someone with no mentor and no prison."""
    user = current_user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_learner", False):
        return False
    profile = user.learner_profile
    return profile is not None and profile.is_released
