"""Forms for signing in, activating an account and changing a password."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from skillpath.forms_common import UKDateField
from skillpath.i18n import _, _l

PASSWORD_HINT = _l("Use at least 10 characters. Three random words together are easy to remember and hard to guess.")


class SignInForm(FlaskForm):
    username = StringField(
        _l("Username"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your username")),
            Length(max=40, message=_l("Usernames are 40 characters or fewer")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Enter your password")),
            Length(max=128, message=_l("Passwords are 128 characters or fewer")),
        ],
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class ActivateForm(FlaskForm):
    username = StringField(
        _l("Username"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your username")),
            Length(max=40, message=_l("Usernames are 40 characters or fewer")),
        ],
    )
    activation_code = StringField(
        _l("Activation code"),
        description=_l("Your mentor gave you this code. It looks like 7Q4K-29XD."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter the activation code your mentor gave you")),
            Length(max=20, message=_l("Activation codes are 8 letters and numbers, like 7Q4K-29XD")),
        ],
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        _l("Choose a password"),
        description=_l(
            "Use at least 10 characters. Three random words together are easy to remember and hard to guess."
        ),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter a password"))],
    )
    confirm = PasswordField(
        _l("Type the password again"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Type your password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )
    submit = SubmitField(_l("Save password"), widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), widget=GovPasswordInput(), validators=[InputRequired(_l("Enter your current password"))]
    )
    password = PasswordField(
        _l("New password"),
        description=_l(
            "Use at least 10 characters. Three random words together are easy to remember and hard to guess."
        ),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter a new password"))],
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Type your new password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class RecoverForm(FlaskForm):
    username = StringField(
        _l("Username"),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your username")),
            Length(max=40, message=_l("Usernames are 40 characters or fewer")),
        ],
    )
    recovery_code = StringField(
        _l("Recovery code"),
        description=_l(
            "It is on the paper you got when you left, or that you printed. It looks like 7Q4K-29XD-M3HW-8PRT."
        ),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter your recovery code")),
            Length(max=40, message=_l("Recovery codes are 16 letters and numbers, like 7Q4K-29XD-M3HW-8PRT")),
        ],
    )
    date_of_birth = UKDateField(_l("Date of birth"), description=_l("For example, 27 3 1990."), widget=GovDateInput())
    password = PasswordField(
        _l("Choose a new password"),
        description=_l(
            "Use at least 10 characters. Three random words together are easy to remember and hard to guess."
        ),
        widget=GovPasswordInput(),
        validators=[InputRequired(_l("Enter a new password"))],
    )
    confirm = PasswordField(
        _l("Type the new password again"),
        widget=GovPasswordInput(),
        validators=[
            InputRequired(_l("Type your new password again")),
            EqualTo("password", _l("The passwords do not match")),
        ],
    )
    submit = SubmitField(_l("Get back in"), widget=GovSubmitInput())

    def validate_date_of_birth(self, field: UKDateField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(_("Enter your date of birth"))


class DateOfBirthForm(FlaskForm):
    date_of_birth = UKDateField(
        _l("Your date of birth"),
        description=_l(
            "SkillPath keeps it only to check it is you if you need to get back in. For example, 27 3 1990."
        ),
        widget=GovDateInput(),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def validate_date_of_birth(self, field: UKDateField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError(_("Enter your date of birth"))
        if field.data is not None and not date(1900, 1, 1) <= field.data <= date.today():
            raise ValidationError(_("Your date of birth must be in the past"))


class AdminRecoveryForm(FlaskForm):
    username = StringField(
        _l("Learner's username"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Enter the learner's username")), Length(max=40)],
    )
    submit = SubmitField(_l("Give a new recovery code"), widget=GovSubmitInput())


class ContactForm(FlaskForm):
    email = StringField(
        _l("Email address (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254, message=_l("Email addresses are 254 characters or fewer")),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.com")),
        ],
    )
    phone = StringField(
        _l("Phone number (optional)"),
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 ()-]{7,25}$", message=_l("Enter a phone number using digits, like 07700 900 982")),
        ],
    )
    submit = SubmitField(_l("Save my contact details"), widget=GovSubmitInput())
