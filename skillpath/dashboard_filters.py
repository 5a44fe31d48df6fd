"""The dashboard filters: a GET form, so a filtered dashboard has its own address to share or bookmark.

Shared by the mentor's cohort dashboard (``mentors``) and the establishment view and exports (``dashboards``),
which never import each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from skillpath.forms_common import choices
from skillpath.i18n import _l
from skillpath.models import RoleLevel
from skillpath.services.readiness.dashboards import RELEASE_WINDOW_LABELS, Filters, ReleaseWindow
from skillpath.services.readiness.readiness import BAND_LABELS, Band

ALL = ""


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


class DashboardFilterForm(FlaskForm):
    class Meta:
        csrf = False  # it only reads

    role = SelectField(_l("Target role"), widget=GovSelect(), validate_choice=False)
    band = SelectField(
        _l("Readiness"),
        widget=GovSelect(),
        choices=choices([(ALL, _l("All bands")), *((band.name, BAND_LABELS[band.name]) for band in Band)]),
        validate_choice=False,
    )
    release = SelectField(
        _l("Release"),
        widget=GovSelect(),
        choices=choices((window.value, RELEASE_WINDOW_LABELS[window.value]) for window in ReleaseWindow),
        validate_choice=False,
    )
    name = StringField(
        _l("Name contains"), widget=GovTextInput(), validators=[Optional(), Length(max=100)], filters=[_strip]
    )
    submit = SubmitField(_l("Apply filters"), widget=GovSubmitInput())

    def set_role_levels(self, levels: Sequence[RoleLevel]) -> None:
        self.role.choices = choices(
            [(ALL, _l("All target roles")), *((str(level.public_id), level.name) for level in levels)]
        )

    def to_filters(self) -> Filters:
        """The filters asked for; a value that is not one of the choices (an edited address) means "all"."""
        return Filters(
            role_level=_uuid_or_none(self.role.data),
            band=Band.__members__.get(self.band.data or ""),
            release=ReleaseWindow(self.release.data)
            if self.release.data in ReleaseWindow._value2member_map_
            else ReleaseWindow.ALL,
            name=(self.name.data or "")[:100],
        )


def filter_form(args: Mapping[str, str]) -> DashboardFilterForm:
    return DashboardFilterForm(formdata=args if args else None)


def with_filters(url: str, args: Mapping[str, str]) -> str:
    """The URL with the same filters: a download of the learners the page shows."""
    return f"{url}?{urlencode(list(args.items()))}" if args else url


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None
