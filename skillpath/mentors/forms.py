"""Forms mentors use: adding learners, signing modules off, and updating a learner's record."""

from __future__ import annotations

from flask_babel import LazyString
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from skillpath.forms_common import UKDateField, choices
from skillpath.i18n import _, _l, format_number
from skillpath.models import Barrier, SkillLevel
from skillpath.services.progress.mentor_assessments import COMMENT_MAX
from skillpath.services.progress.progress import FEEDBACK_MAX
from skillpath.services.readiness.barriers import ANSWER_LABELS
from skillpath.services.readiness.work_status import CHOOSABLE, DECLINE_REASON_LABELS
from skillpath.text import clean_field


def _without_spaces(value: str | None) -> str | None:
    # People copy prison numbers with spaces, such as "A 1234 BC".
    return "".join(value.split()) if value else value


class LearnerDetailsForm(FlaskForm):
    """The details that identify a learner, asked the same way when adding one and when putting one right."""

    preferred_name = StringField(
        _l("Name the learner wants to be called"),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            InputRequired(_l("Enter the learner's name")),
            Length(max=100, message=_l("Names are 100 characters or fewer")),
        ],
    )
    username = StringField(
        _l("Username"),
        description=_l("3 to 40 characters: letters, numbers, dots, dashes or underscores. For example, jsmith2."),
        widget=GovTextInput(),
        validators=[
            InputRequired(_l("Enter a username")),
            Length(max=40, message=_l("Usernames are 40 characters or fewer")),
        ],
    )
    prison_number = StringField(
        _l("Prison number (optional)"),
        description=_l("Staff only. For example, A1234BC. It never appears on anything the learner shares."),
        widget=GovTextInput(),
        filters=[_without_spaces],
        validators=[Optional(), Length(max=7, message=_l("Prison numbers are 7 characters, like A1234BC"))],
    )


class CreateLearnerForm(LearnerDetailsForm):
    release_date = UKDateField(
        _l("Expected release date (optional)"),
        description=_l("Staff only. For example, 27 3 2027."),
        widget=GovDateInput(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


class CorrectLearnerForm(LearnerDetailsForm):
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class SignOffForm(FlaskForm):
    submit = SubmitField(_l("Sign off this module"), widget=GovSubmitInput())


class ReturnModuleForm(FlaskForm):
    feedback = TextAreaField(
        _l("Feedback for the learner"),
        description=_l("Say what to change or add. The learner sees this on the module’s page."),
        widget=GovCharacterCount(),
        validators=[
            DataRequired(_l("Enter feedback for the learner, saying what to change or add")),
            Length(
                max=FEEDBACK_MAX,
                message=_l("Feedback must be %(max)s characters or fewer", max=format_number(FEEDBACK_MAX)),
            ),
        ],
    )
    submit = SubmitField(_l("Return with feedback"), widget=GovSubmitInput())


class WorkStatusForm(FlaskForm):
    status = RadioField(
        _l("What is the learner’s work-readiness status?"),
        widget=GovRadioInput(),
        choices=choices((status.value, LazyString(lambda status=status: status.label)) for status in CHOOSABLE),
        invalid_choice_message=_l("Select the learner’s work-readiness status"),
    )
    decline_reason = SelectField(
        _l("Why does the learner not want support? (only if they do not want support)"),
        description=_l("Choose the nearest reason. Do not record details of health or offences anywhere."),
        widget=GovSelect(),
        choices=choices(
            [("", _l("Select a reason")), *((reason.value, label) for reason, label in DECLINE_REASON_LABELS.items())]
        ),
        validate_choice=False,
    )
    submit = SubmitField(_l("Save status"), widget=GovSubmitInput())


BARRIER_CHOICES = tuple(ANSWER_LABELS.items())


class BarriersForm(FlaskForm):
    """Subclassed per page by `barriers_form`, which adds one radios question per checklist item."""

    submit = SubmitField(_l("Save checklist"), widget=GovSubmitInput())

    def answers(self) -> dict[Barrier, str]:
        return {barrier: self[barrier_field(barrier)].data for barrier in Barrier}


def barrier_field(barrier: Barrier) -> str:
    return f"barrier_{barrier.value.lower()}"


def barriers_form(current: dict[Barrier, str] | None = None) -> BarriersForm:
    class _Form(BarriersForm):
        pass

    for barrier in Barrier:
        setattr(
            _Form,
            barrier_field(barrier),
            RadioField(
                barrier.label,
                widget=GovRadioInput(),
                choices=choices(BARRIER_CHOICES),
                invalid_choice_message=_("Select where things are with: %(barrier)s", barrier=barrier.label.lower()),
            ),
        )
    if current is None:
        return _Form()
    return _Form(data={barrier_field(barrier): value for barrier, value in current.items()})


class AssessSkillForm(FlaskForm):
    skill = SelectField(_l("Skill"), widget=GovSelect(), validate_choice=False)
    level = RadioField(
        _l("At what level does the learner show this skill now?"),
        widget=GovRadioInput(),
        choices=choices((level.value, level.label) for level in SkillLevel),
        invalid_choice_message=_l("Select the level the learner shows"),
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        description=_l("What you saw. The learner can read this."),
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(
                max=COMMENT_MAX, message=_l("Comments are %(max)s characters or fewer", max=format_number(COMMENT_MAX))
            ),
        ],
    )
    submit = SubmitField(_l("Save assessment"), widget=GovSubmitInput())


class ReleaseDateForm(FlaskForm):
    release_date = UKDateField(
        _l("Expected release date"),
        description=_l("Staff only. For example, 27 3 2027. Leave it empty if it is not known."),
        widget=GovDateInput(),
    )
    submit = SubmitField(_l("Save release date"), widget=GovSubmitInput())


class RecordReleaseForm(FlaskForm):
    submit = SubmitField(_l("Record release"), widget=GovSubmitInput())


class TransferForm(FlaskForm):
    cohort = SelectField(_l("Move to"), widget=GovSelect(), validate_choice=False)
    submit = SubmitField(_l("Move learner"), widget=GovSubmitInput())
