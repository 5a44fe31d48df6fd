"""Forms administrators use to run establishments, cohorts and staff accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import BooleanField, EmailField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from skillpath.models import EstablishmentKind
from skillpath.text import clean_field

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class CreateEstablishmentForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired("Enter the establishment's name"),
            Length(max=120, message="Names are 120 characters or fewer"),
        ],
    )
    code = StringField(
        "Code",
        description="The 3-letter code, such as BXI. Staff see it; learners and employers never do.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the 3-letter code"), Length(max=3, message="Codes are 3 letters, like BXI")],
    )
    kind = RadioField(
        "What kind of establishment is it?",
        choices=[SelectChoice(kind.value, kind.label) for kind in EstablishmentKind],
        default=EstablishmentKind.PRISON.value,
        widget=GovRadioInput(),
        validators=[InputRequired("Select what kind of establishment it is")],
    )
    submit = SubmitField("Add establishment", widget=GovSubmitInput())


class CreateCohortForm(FlaskForm):
    name = StringField(
        "Cohort name",
        description="For example, Digital skills – spring 2027",
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired("Enter a name for the cohort"),
            Length(max=120, message="Names are 120 characters or fewer"),
        ],
    )
    submit = SubmitField("Add cohort", widget=GovSubmitInput())


class AssignMentorForm(FlaskForm):
    mentor = SelectField(
        "Mentor", widget=GovSelect(), validators=[InputRequired("Select a mentor")], validate_choice=False
    )
    submit = SubmitField("Assign mentor", widget=GovSubmitInput())


class CreateStaffForm(FlaskForm):
    display_name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired("Enter the person's full name"),
            Length(max=100, message="Names are 100 characters or fewer"),
        ],
    )
    username = StringField(
        "Username",
        description="3 to 40 characters: letters, numbers, dots, dashes or underscores.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a username"), Length(max=40, message="Usernames are 40 characters or fewer")],
    )
    email = EmailField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254, message="Email addresses are 254 characters or fewer"),
            # A plain pattern, not wtforms' Email(): that needs the email_validator package.
            Regexp(EMAIL_PATTERN, message="Enter an email address in the correct format, like name@example.com"),
        ],
    )
    role = RadioField(
        "Role",
        choices=[
            SelectChoice("mentor", "Mentor – works with learners in their cohorts"),
            SelectChoice("admin", "Administrator – runs SkillPath"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired("Select a role")],
    )
    establishment = SelectField("Establishment", widget=GovSelect(), validate_choice=False)
    is_establishment_lead = BooleanField(
        "Head of education: can see every cohort in this establishment", widget=GovCheckboxInput()
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())
