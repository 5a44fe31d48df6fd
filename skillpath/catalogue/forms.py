"""The filter form on the module list. It is sent by GET, so filtered lists can be bookmarked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from skillpath.forms_common import choices
from skillpath.models import SkillLevel


class FilterModulesForm(FlaskForm):
    class Meta:
        csrf = False  # a search form changes nothing

    role = SelectField("Job", widget=GovSelect(), validate_choice=False)
    skill = SelectField("Skill", widget=GovSelect(), validate_choice=False)
    level = SelectField(
        "Skill level",
        choices=choices([("", "Any level")] + [(level.value, level.label) for level in SkillLevel]),
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField("Show modules", widget=GovSubmitInput())
