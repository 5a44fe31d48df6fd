"""The form that closes a learner's account. It never writes anything: the route calls the service."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput
from wtforms import PasswordField, RadioField, SubmitField
from wtforms.validators import InputRequired

from skillpath.forms_common import choices
from skillpath.i18n import _l
from skillpath.services.learners.account_closure import CertificateChoice


class CloseAccountForm(FlaskForm):
    # Taken off the form by the route when the learner has no certificate an employer can check.
    certificates = RadioField(
        _l("Can employers still check your certificates after you close your account?"),
        widget=GovRadioInput(),
        choices=choices(
            [
                (CertificateChoice.KEEP.value, _l("Yes, employers can still check them")),
                (CertificateChoice.WITHDRAW.value, _l("No, withdraw them")),
            ]
        ),
        invalid_choice_message=_l("Select whether employers can still check your certificates"),
    )
    password = PasswordField(
        _l("Your password"),
        description=_l("So that nobody else can close your account."),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter your password"))],
    )
    submit = SubmitField(_l("Close my account"), widget=GovSubmitInput())
