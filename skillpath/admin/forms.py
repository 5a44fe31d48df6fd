"""Forms administrators use to run establishments, cohorts and staff accounts."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from skillpath.i18n import _l
from skillpath.models import EstablishmentKind
from skillpath.text import clean_field

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CreateEstablishmentForm(FlaskForm):
    name = StringField(
        _l("Name"),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter the establishment's name")),
            Length(max=120, message=_l("Names are 120 characters or fewer")),
        ],
    )
    code = StringField(
        _l("Code"),
        description=_l("The 3-letter code, such as BXI. Staff see it; learners and employers never do."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the 3-letter code")),
            Length(max=3, message=_l("Codes are 3 letters, like BXI")),
        ],
    )
    kind = RadioField(
        _l("What kind of establishment is it?"),
        default=EstablishmentKind.PRISON.value,
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select what kind of establishment it is"))],
    )
    submit = SubmitField(_l("Add establishment"), widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Labelled per request, so that they are in the reader's language.
        self.kind.choices = [SelectChoice(kind.value, kind.label) for kind in EstablishmentKind]


class CreateCohortForm(FlaskForm):
    name = StringField(
        _l("Cohort name"),
        description=_l("For example, Digital skills – spring 2027"),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter a name for the cohort")),
            Length(max=120, message=_l("Names are 120 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Add cohort"), widget=GovSubmitInput())


class AssignMentorForm(FlaskForm):
    mentor = SelectField(
        _l("Mentor"), widget=GovSelect(), validators=[InputRequired(_l("Select a mentor"))], validate_choice=False
    )
    submit = SubmitField(_l("Assign mentor"), widget=GovSubmitInput())


class CreateStaffForm(FlaskForm):
    display_name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter the person's full name")),
            Length(max=100, message=_l("Names are 100 characters or fewer")),
        ],
    )
    username = StringField(
        _l("Username"),
        description=_l("3 to 40 characters: letters, numbers, dots, dashes or underscores."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter a username")),
            Length(max=40, message=_l("Usernames are 40 characters or fewer")),
        ],
    )
    email = EmailField(
        _l("Email address (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254, message=_l("Email addresses are 254 characters or fewer")),
            # A plain pattern, not wtforms' Email(): that needs the email_validator package.
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address in the correct format, like name@example.com")),
        ],
    )
    role = RadioField(
        _l("Role"),
        choices=[
            SelectChoice("mentor", _l("Mentor – works with learners in their cohorts")),
            SelectChoice("admin", _l("Administrator – runs SkillPath")),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select a role"))],
    )
    establishment = SelectField(_l("Establishment"), widget=GovSelect(), validate_choice=False)
    is_establishment_lead = BooleanField(
        _l("Head of education: can see every cohort in this establishment"), widget=GovCheckboxInput()
    )
    submit = SubmitField(_l("Create account"), widget=GovSubmitInput())
