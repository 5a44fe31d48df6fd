"""The filter form on the module list. It is sent by GET, so filtered lists can be bookmarked."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from skillpath.forms_common import choices
from skillpath.models import SkillLevel
from skillpath.services.readiness.next_steps import level_choice


class FilterModulesForm(FlaskForm):
    class Meta:
        csrf = False  # a search form changes nothing

    # The field names are the query parameters (role, skill, level): bookmarked lists keep working.
    role = SelectField("Modules for a job", widget=GovSelect(), validate_choice=False)
    skill = SelectField(
        "Modules that teach a skill",
        description="The skill names come from the government’s framework for digital jobs.",
        widget=GovSelect(),
        validate_choice=False,
    )
    level = SelectField(
        "How far the module takes a skill",
        choices=choices([("", "Any level")] + [(level.value, level_choice(level)) for level in SkillLevel]),
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField("Show modules", widget=GovSubmitInput())
