"""Filters and globals the templates share."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from flask import Flask, g
from flask_login import current_user
from markupsafe import Markup, escape

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


def data_table(
    table_id: str,
    caption: object,
    head: Sequence[object],
    rows: Iterable[Sequence[object]],
    numeric: Collection[int] = (),
    caption_classes: str = "govuk-table__caption--s",
    row_headers: bool = False,
) -> Markup:
    """A GOV.UK table's markup (what `spDataTable` in components/data_table.html draws), every value escaped.

    Built here rather than in a template loop: a dashboard's skill tables run to thousands of cells, and Jinja's
    work per cell (the loop, the tests, the escaping through the context) was most of their cost.
    """
    numeric = set(numeric)
    headings = "".join(
        f'<th scope="col" class="govuk-table__header{_NUMERIC_HEADER if i in numeric else ""}">{escape(heading)}</th>'
        for i, heading in enumerate(head)
    )
    openings: list[tuple[str, str]] = []  # each column's tags, made the first time a row reaches it

    def tags(column: int) -> tuple[str, str]:
        while len(openings) <= column:
            i = len(openings)
            if i == 0 and row_headers:
                openings.append(('<th scope="row" class="govuk-table__header">', "</th>"))
            else:
                openings.append((f'<td class="govuk-table__cell{_NUMERIC_CELL if i in numeric else ""}">', "</td>"))
        return openings[column]

    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            start, end = tags(i)
            cells.append(f"{start}{escape(cell)}{end}")
        body.append(f'  <tr class="govuk-table__row">{"".join(cells)}</tr>\n')
    return Markup(  # noqa: S704 - every value in it went through escape()
        f'<table class="govuk-table" id="{escape(table_id)}">\n'
        f'  <caption class="govuk-table__caption {escape(caption_classes)}">{escape(caption)}</caption>\n'
        f'  <thead class="govuk-table__head"><tr class="govuk-table__row">{headings}</tr></thead>\n'
        f'  <tbody class="govuk-table__body">\n{"".join(body)}  </tbody>\n'
        "</table>\n"
    )


_NUMERIC_HEADER = " govuk-table__header--numeric"
_NUMERIC_CELL = " govuk-table__cell--numeric"


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
    app.jinja_env.globals["data_table"] = data_table
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
