"""Forms mentors use to add learners."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from skillpath.forms_common import UKDateField


def _without_spaces(value: str | None) -> str | None:
    # People copy prison numbers with spaces, such as "A 1234 BC".
    return "".join(value.split()) if value else value


class CreateLearnerForm(FlaskForm):
    preferred_name = StringField(
        "Name the learner wants to be called",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the learner's name"),
            Length(max=100, message="Names are 100 characters or fewer"),
        ],
    )
    username = StringField(
        "Username",
        description="3 to 40 characters: letters, numbers, dots, dashes or underscores. For example, jsmith2.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a username"), Length(max=40, message="Usernames are 40 characters or fewer")],
    )
    prison_number = StringField(
        "Prison number (optional)",
        description="Staff only. For example, A1234BC. It never appears on anything the learner shares.",
        widget=GovTextInput(),
        filters=[_without_spaces],
        validators=[Optional(), Length(max=7, message="Prison numbers are 7 characters, like A1234BC")],
    )
    release_date = UKDateField(
        "Expected release date (optional)",
        description="Staff only. For example, 27 3 2027.",
        widget=GovDateInput(),
    )
    submit = SubmitField("Add learner", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm", widget=GovSubmitInput())
