"""Forms for certificates: the learner's name on them, and staff withdrawing one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from skillpath.models.users import NAME_MAX
from skillpath.text import clean_field


class CertificateNameForm(FlaskForm):
    name = StringField(
        "Your name as you want it on certificates",
        description="Write it exactly as employers should see it, with any accents. It is used on new certificates.",
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired("Enter your name as you want it on your certificates"),
            Length(max=NAME_MAX, message=f"Your name must be {NAME_MAX} characters or fewer"),
        ],
    )
    submit = SubmitField("Save my name", widget=GovSubmitInput())


class RevokeCertificateForm(FlaskForm):
    reason = TextAreaField(
        "Why are you withdrawing this certificate?",
        description="Only staff can read this. Employers see only that the certificate was withdrawn, and when.",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter why you are withdrawing the certificate"),
            Length(max=2000, message="The reason must be 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Withdraw certificate", widget=GovSubmitInput())
