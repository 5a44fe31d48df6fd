"""Forms for signing in, activating an account and changing a password."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length


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
