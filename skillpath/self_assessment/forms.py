"""The confidence form: one set of radios per skill, built for the skills being rated."""

from __future__ import annotations

from collections.abc import Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField

from skillpath.forms_common import choices
from skillpath.i18n import _, _l
from skillpath.models import Confidence
from skillpath.services.progress.self_assessment import SkillConfidence, SkillRef


class RateConfidenceForm(FlaskForm):
    """Subclassed per page by `rate_confidence_form`, which adds a radios field per skill."""

    submit = SubmitField(_l("Save my answers"), widget=GovSubmitInput())

    skill_fields: tuple[tuple[SkillConfidence, str], ...] = ()

    def answers(self) -> dict[SkillRef, Confidence]:
        return {skill.ref: Confidence(self[name].data) for skill, name in self.skill_fields}

    def unanswered(self) -> list[tuple[SkillConfidence, str]]:
        """The questions still without a (valid) answer, in page order, with the id the error summary links to."""
        return [(skill, self[name].id) for skill, name in self.skill_fields if self[name].errors]


def rate_confidence_form(skills: Sequence[SkillConfidence], *, prefill: bool) -> RateConfidenceForm:
    """A form with one required radios question per skill.

    With `prefill`, the learner's current answers are chosen to start with; on a
    submitted form only what was sent counts, so nothing is chosen for them.
    """

    class _Form(RateConfidenceForm):
        pass

    for skill in skills:
        setattr(
            _Form,
            skill.ref.field_name,
            RadioField(
                skill.question.legend,
                description=skill.question.explanation,
                choices=choices((level.value, level.label) for level in Confidence),  # codes as values
                widget=GovRadioInput(),
                # Nothing chosen and a forged value both fail the choice check, so it carries the message.
                # It names the question, so that ten unanswered questions never show ten identical errors.
                invalid_choice_message=_("Choose an answer for %(skill)s", skill=skill.question.short_name_in_sentence),
            ),
        )
    _Form.skill_fields = tuple((skill, skill.ref.field_name) for skill in skills)
    if not prefill:
        return _Form()
    current = {
        skill.ref.field_name: skill.mine.confidence.value
        for skill in skills
        if skill.mine is not None and skill.mine.confidence is not None
    }
    return _Form(data=current)
