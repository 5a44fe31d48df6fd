"""Registering an API client: its name, what it may do, and whose learners it may see."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextInput
from wtforms import SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from skillpath.forms_common import choices
from skillpath.i18n import _l
from skillpath.models import ApiScope, Establishment
from skillpath.services.api.clients import NAME_MAX, SCOPE_DESCRIPTIONS
from skillpath.text import clean_field


class RegisterApiClientForm(FlaskForm):
    name = StringField(
        _l("Name of the client"),
        description=_l("Say which system it is and who runs it, for example “Prison education records, HMPPS”."),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter a name for the client")),
            Length(max=NAME_MAX, message=_l("The name must be 120 characters or fewer")),
        ],
    )
    scopes = SelectMultipleField(
        _l("What may the client do?"),
        description=_l("Select all that apply. Give it only what it needs."),
        choices=choices((scope.value, SCOPE_DESCRIPTIONS[scope]) for scope in ApiScope),
        widget=GovCheckboxesInput(),
        validators=[InputRequired(_l("Select at least one thing the client may do"))],
        invalid_choice_message=_l("Select only the things listed"),
    )
    establishments = SelectMultipleField(
        _l("Whose learners may it see?"),
        description=_l("It sees only the learners whose cohort is in one of these establishments."),
        widget=GovCheckboxesInput(),
        validators=[InputRequired(_l("Select the establishments whose learners the client may see"))],
        invalid_choice_message=_l("Select only the establishments listed"),
    )
    submit = SubmitField(_l("Register the client"), widget=GovSubmitInput())

    def set_establishment_choices(self, establishments: Sequence[Establishment]) -> None:
        self.establishments.choices = choices((str(item.public_id), item.name) for item in establishments)


class RevokeApiClientForm(FlaskForm):
    submit = SubmitField(_l("Revoke the client"), widget=GovSubmitInput())
