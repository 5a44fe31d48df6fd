"""Forms for certificates: the learner's name on them, and staff withdrawing one."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from skillpath.i18n import _l
from skillpath.models.users import NAME_MAX
from skillpath.text import clean_field


class CertificateNameForm(FlaskForm):
    name = StringField(
        _l("Your name as you want it on certificates"),
        description=_l(
            "Write it exactly as employers should see it, with any accents. It is used on new certificates."
        ),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter your name as you want it on your certificates")),
            Length(max=NAME_MAX, message=_l("Your name must be %(max)d characters or fewer", max=NAME_MAX)),
        ],
    )
    submit = SubmitField(_l("Save my name"), widget=GovSubmitInput())


class RevokeCertificateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why are you withdrawing this certificate?"),
        description=_l("Only staff can read this. Employers see only that the certificate was withdrawn, and when."),
        widget=GovTextArea(),
        validators=[
            InputRequired(_l("Enter why you are withdrawing the certificate")),
            Length(max=2000, message=_l("The reason must be 2,000 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Withdraw certificate"), widget=GovSubmitInput())
