"""The one form employers use: type a certificate code."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import Field, StringField
from wtforms.validators import InputRequired, ValidationError

from skillpath.services.certificates import CHECK_THE_CODE, CODE_EXAMPLE, normalise_code


def _is_a_code(form: Any, field: Field) -> None:
    # The check character is tested here, before anything is looked up.
    if normalise_code(field.data) is None:
        raise ValidationError(CHECK_THE_CODE)


class CheckCertificateForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing; employers arrive with no session

    code = StringField(
        "Certificate code",
        description=f"It is on the certificate, beside the QR code. For example, {CODE_EXAMPLE}.",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the certificate code"), _is_a_code],
    )

    @property
    def normalised(self) -> str | None:
        return normalise_code(self.code.data)
