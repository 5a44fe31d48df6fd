"""Form fields shared by several features."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import DateField, SubmitField
from wtforms.fields.choices import SelectChoice

from skillpath.i18n import _, _l


class UKDateField(DateField):
    """A day, month and year typed into three boxes (the GOV.UK date input).

    Empty boxes mean no date; a partly filled or impossible date gets a message
    that says what to do.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(value).strip() for value in valuelist]
        if len(parts) != 3:
            # A hand-made request without the three boxes: the widget needs three values to redraw them.
            parts = [*parts, "", "", ""][:3]
            self.raw_data = parts
        if not any(parts):
            self.data = None
            return
        if len(parts) != 3 or not all(parts):
            self.data = None
            raise ValueError(_("%(field)s must include a day, month and year", field=self._name_in_messages()))
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1900 or year > 2200:
                raise ValueError
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # date() overflows on a day or month such as 99999999999999999999
            self.data = None
            raise ValueError(
                _("%(field)s must be a real date, like 27 3 2027", field=self._name_in_messages())
            ) from None

    def _name_in_messages(self) -> str:
        # The label without its "(optional)", in whichever language the label is shown.
        return str(self.label.text).removesuffix(" " + _("(optional)")).removesuffix(" (optional)")


def choices(pairs: Iterable[tuple[str, object]]) -> list[SelectChoice]:
    """Select, radio and checkbox options from (value, label) pairs, in the form WTForms 3.3+ wants.

    A label may be lazy (``_l``), so that it is shown in the language of the request that draws the form."""
    return [SelectChoice(value, label) for value, label in pairs]


class ConfirmForm(FlaskForm):
    """A button that changes something and needs nothing but its CSRF token."""

    submit = SubmitField(_l("Confirm"), widget=GovSubmitInput())
