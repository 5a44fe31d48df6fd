"""Forms for share links: making one (which certificates, a private name, a last day) and withdrawing one."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovSubmitInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from skillpath.forms_common import UKDateField, choices
from skillpath.i18n import _l
from skillpath.models import Certificate
from skillpath.services.certificates.sharing import LABEL_MAX
from skillpath.text import clean_field

LABEL_TOO_LONG = _l("The name for this link must be %(max)d characters or fewer", max=LABEL_MAX)


class CreateShareLinkForm(FlaskForm):
    # The link's token, sealed: sending this form twice makes one link (see sharing/tokens.py).
    sealed_token = HiddenField()
    certificates = SelectMultipleField(
        _l("Which certificates do you want to share?"),
        description=_l("Select all that apply. The person you send the link to sees only these."),
        widget=GovCheckboxesInput(),
        validators=[InputRequired(_l("Select at least one certificate to share"))],
        # Another learner's certificate, or one withdrawn or hidden since the page was shown.
        invalid_choice_message=_l("Select only certificates that employers can check"),
    )
    label = StringField(
        _l("A name for this link (optional)"),
        description=_l(
            "Only you see this, to remember who you sent the link to. For example, “for the warehouse job”."
        ),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            Length(
                max=LABEL_MAX, message=_l("The name for this link must be %(max)d characters or fewer", max=LABEL_MAX)
            )
        ],
    )
    last_day = UKDateField(
        _l("Last day the link works (optional)"),
        description=_l(
            "The link stops working at the end of this day. Leave it empty to keep it working until you "
            "withdraw it. For example, 27 3 2027."
        ),
        widget=GovDateInput(),
    )
    submit = SubmitField(_l("Make the link"), widget=GovSubmitInput())

    def set_certificate_choices(self, certificates: Sequence[Certificate]) -> None:
        self.certificates.choices = choices((str(item.public_id), item.achievement_name) for item in certificates)


class WithdrawShareLinkForm(FlaskForm):
    submit = SubmitField(_l("Withdraw the link"), widget=GovSubmitInput())
