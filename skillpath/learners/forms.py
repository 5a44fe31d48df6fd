"""Forms learners use: choosing a job to work towards, marking parts done, adding evidence."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length


class ChooseTargetForm(FlaskForm):
    role_level = RadioField(
        "What job would you like to work towards?",
        widget=GovRadioInput(),
        validators=[InputRequired("Select the job you would like to work towards")],
        validate_choice=False,
    )
    submit = SubmitField("Save my choice", widget=GovSubmitInput())


class StartModuleForm(FlaskForm):
    submit = SubmitField("Start this module", widget=GovSubmitInput())


class UnitDoneForm(FlaskForm):
    done = HiddenField(validators=[AnyOf(["yes", "no"], message="Choose done or not done")])


class AddEvidenceForm(FlaskForm):
    reflection = TextAreaField(
        "What did you do, and what did you learn?",
        description="Write a few sentences in your own words. Your mentor reads this before signing the module off.",
        widget=GovTextArea(),
        validators=[
            InputRequired("Write a few sentences about what you did and what you learned"),
            Length(max=5000, message="Your answer must be 5,000 characters or fewer"),
        ],
    )
    file = FileField(
        "Add a file (optional)",
        description="A PDF, PNG, JPEG or plain text file, 5MB or smaller. For example, a screenshot of your work.",
        widget=GovFileInput(),
    )
    submit = SubmitField("Save evidence", widget=GovSubmitInput())
