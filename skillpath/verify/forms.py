"""The forms employers use: type a certificate code, or upload a credential file."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput, GovTextInput
from werkzeug.datastructures import FileStorage
from wtforms import Field, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from skillpath.i18n import _, _l
from skillpath.services.certificates.certificates import CODE_EXAMPLE, ENTER_THE_CODE, code_mistake, normalise_code
from skillpath.services.certificates.credential_files import MAX_CREDENTIAL_BYTES

CHOOSE_A_FILE = _l("Select a credential file")


def _is_a_code(form: Any, field: Field) -> None:
    # The check character is tested here, before anything is looked up: a typing mistake is told apart from a
    # code no certificate has without a lookup, so it tells nobody which codes exist.
    if normalise_code(field.data) is None:
        raise ValidationError(code_mistake(field.data))


class CheckCertificateForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing; employers arrive with no session

    code = StringField(
        _l("Certificate code"),
        description=_l("It is on the certificate, beside the QR code. For example, %(example)s.", example=CODE_EXAMPLE),
        widget=GovTextInput(),
        validators=[InputRequired(ENTER_THE_CODE), _is_a_code],
    )

    @property
    def normalised(self) -> str | None:
        return normalise_code(self.code.data)


def _has_file(form: Any, field: Field) -> None:
    if not isinstance(field.data, FileStorage) or not field.data.filename:
        raise ValidationError(CHOOSE_A_FILE)


class UploadCredentialForm(FlaskForm):
    credential = FileField(
        _l("Upload a credential file"),
        description=_l(
            "The .json or .jwt file you were sent, exactly as it was downloaded from SkillPath. "
            "It must be smaller than %(size)d KB.",
            size=MAX_CREDENTIAL_BYTES // 1024,
        ),
        widget=GovFileInput(),
        validators=[_has_file],
    )
    submit = SubmitField(_l("Check file"), widget=GovSubmitInput())

    def read(self) -> bytes | None:
        """The file's bytes, or None (with the field's error set) when it is empty or too large."""
        data = self.credential.data.stream.read(MAX_CREDENTIAL_BYTES + 1)
        if not data:
            self.credential.errors = [_("The selected file is empty")]
            return None
        if len(data) > MAX_CREDENTIAL_BYTES:
            self.credential.errors = [
                _("The selected file must be smaller than %(size)d KB", size=MAX_CREDENTIAL_BYTES // 1024)
            ]
            return None
        return data
