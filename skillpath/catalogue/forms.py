"""The filter form on the module list (sent by GET, so filtered lists can be bookmarked), and the start button."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from skillpath.i18n import _l


class FilterModulesForm(FlaskForm):
    class Meta:
        csrf = False  # a search form changes nothing

    # The field names are the query parameters (role, skill, level): bookmarked lists keep working.
    # The choices are set for each request (see catalogue.routes), in the reader's language.
    role = SelectField(_l("Modules for a job"), widget=GovSelect(), validate_choice=False)
    skill = SelectField(
        _l("Modules that teach a skill"),
        description=_l("The skill names come from the government’s framework for digital jobs."),
        widget=GovSelect(),
        validate_choice=False,
    )
    level = SelectField(
        _l("How far the module takes a skill"),
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField(_l("Show modules"), widget=GovSubmitInput())


class StartModuleForm(FlaskForm):
    """The learner's button on a module's page. It posts to the learner's pages, which check only its token."""

    submit = SubmitField(_l("Start this module"), widget=GovSubmitInput())
