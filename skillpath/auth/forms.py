"""Forms for signing in, activating an account and changing a password."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from skillpath.forms_common import UKDateField


class SignInForm(FlaskForm):
    username = StringField(
        "Username",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your username"),
            Length(max=40, message="Usernames are 40 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter your password"),
            Length(max=128, message="Passwords are 128 characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ActivateForm(FlaskForm):
    username = StringField(
        "Username",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your username"),
            Length(max=40, message="Usernames are 40 characters or fewer"),
        ],
    )
    activation_code = StringField(
        "Activation code",
        description="Your mentor gave you this code. It looks like 7Q4K-29XD.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the activation code your mentor gave you"),
            Length(max=20, message="Activation codes are 8 letters and numbers, like 7Q4K-29XD"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ChoosePasswordForm(FlaskForm):
    password = PasswordField(
        "Choose a password",
        description="Use at least 10 characters. Three random words together are easy to remember and hard to guess.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a password")],
    )
    confirm = PasswordField(
        "Type the password again",
        widget=GovPasswordInput(),
        validators=[InputRequired("Type your password again"), EqualTo("password", "The passwords do not match")],
    )
    submit = SubmitField("Save password", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", widget=GovPasswordInput(), validators=[InputRequired("Enter your current password")]
    )
    password = PasswordField(
        "New password",
        description="Use at least 10 characters. Three random words together are easy to remember and hard to guess.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField(
        "Type the new password again",
        widget=GovPasswordInput(),
        validators=[InputRequired("Type your new password again"), EqualTo("password", "The passwords do not match")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


class RecoverForm(FlaskForm):
    username = StringField(
        "Username",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your username"),
            Length(max=40, message="Usernames are 40 characters or fewer"),
        ],
    )
    recovery_code = StringField(
        "Recovery code",
        description="It is on the paper you got when you left, or that you printed. It looks like 7Q4K-29XD-M3HW-8PRT.",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your recovery code"),
            Length(max=40, message="Recovery codes are 16 letters and numbers, like 7Q4K-29XD-M3HW-8PRT"),
        ],
    )
    date_of_birth = UKDateField("Date of birth", description="For example, 27 3 1990.", widget=GovDateInput())
    password = PasswordField(
        "Choose a new password",
        description="Use at least 10 characters. Three random words together are easy to remember and hard to guess.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a new password")],
    )
    confirm = PasswordField(
        "Type the new password again",
        widget=GovPasswordInput(),
        validators=[InputRequired("Type your new password again"), EqualTo("password", "The passwords do not match")],
    )
    submit = SubmitField("Get back in", widget=GovSubmitInput())

    def validate_date_of_birth(self, field: UKDateField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter your date of birth")


class DateOfBirthForm(FlaskForm):
    date_of_birth = UKDateField(
        "Your date of birth",
        description="SkillPath keeps it only to check it is you if you need to get back in. For example, 27 3 1990.",
        widget=GovDateInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_date_of_birth(self, field: UKDateField) -> None:
        if field.data is None and not field.errors:
            raise ValidationError("Enter your date of birth")
        if field.data is not None and not date(1900, 1, 1) <= field.data <= date.today():
            raise ValidationError("Your date of birth must be in the past")


class AdminRecoveryForm(FlaskForm):
    username = StringField(
        "Learner's username",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the learner's username"), Length(max=40)],
    )
    submit = SubmitField("Give a new recovery code", widget=GovSubmitInput())


class ContactForm(FlaskForm):
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254, message="Email addresses are 254 characters or fewer"),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.com"),
        ],
    )
    phone = StringField(
        "Phone number (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 ()-]{7,25}$", message="Enter a phone number using digits, like 07700 900 982"),
        ],
    )
    submit = SubmitField("Save my contact details", widget=GovSubmitInput())
