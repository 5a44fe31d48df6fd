"""Forms learners use: choosing a job to work towards, marking parts done, adding evidence."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from skillpath.i18n import _l


class ChooseTargetForm(FlaskForm):
    role_level = RadioField(
        _l("What job would you like to work towards?"),
        widget=GovRadioInput(),
        validators=[InputRequired(_l("Select the job you would like to work towards"))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Save my choice"), widget=GovSubmitInput())


class UnitDoneForm(FlaskForm):
    done = HiddenField(validators=[AnyOf(["yes", "no"], message=_l("Choose done or not done"))])


class AddEvidenceForm(FlaskForm):
    reflection = TextAreaField(
        _l("What did you do, and what did you learn?"),
        description=_l(
            "Write a few sentences in your own words. Your mentor reads this before signing the module off."
        ),
        widget=GovTextArea(),
        validators=[
            InputRequired(_l("Write a few sentences about what you did and what you learned")),
            Length(max=5000, message=_l("Your answer must be 5,000 characters or fewer")),
        ],
    )
    file = FileField(
        _l("Add a file (optional)"),
        description=_l("A PDF, PNG, JPEG or plain text file, 5MB or smaller. For example, a screenshot of your work."),
        widget=GovFileInput(),
    )
    submit = SubmitField(_l("Save evidence"), widget=GovSubmitInput())
