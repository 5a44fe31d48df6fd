"""Forms for goals: adding one, changing one, archiving one, and moving a step along."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import Field, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from skillpath.forms_common import UKDateField, choices
from skillpath.i18n import _, _l
from skillpath.models import StepStatus
from skillpath.models.plans import ARCHIVE_REASON_LABELS, ARCHIVE_REASON_OTHER_MAX_LENGTH, ReasonToArchiveGoal
from skillpath.services.plans.goals import MAX_STEPS, TITLE_MAX, today_in_uk
from skillpath.text import clean_field

STARTING_STEPS = 3
OTHER_DATE = "other"


def _title_field() -> StringField:
    return StringField(
        _l("What is your goal?"),
        description=_l("Keep it short. For example, “Get my CV ready”."),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            DataRequired(_l("Enter your goal")),
            Length(max=TITLE_MAX, message=_l("Your goal must be %(max)d characters or fewer", max=TITLE_MAX)),
        ],
    )


def _step_field(n: int) -> StringField:
    return StringField(
        _l("Step %(n)d", n=n),
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[
            Length(max=TITLE_MAX, message=_l("Step %(n)d must be %(max)d characters or fewer", n=n, max=TITLE_MAX))
        ],
    )


def _check_future(field: Field, today: date) -> None:
    if field.data is not None and field.data <= today:
        field.errors.append(_("Target date must be in the future"))


class CreateGoalForm(FlaskForm):
    # Made when the form is first shown and sent back with it; the goal takes it as its public id,
    # so sending the same form twice finds the goal instead of making another.
    submission_id = HiddenField()
    title = _title_field()
    target = RadioField(
        _l("When do you want to reach this goal?"),
        widget=GovRadioInput(),
        # Nothing chosen and a forged value both fail the choice check, so it carries the message.
        invalid_choice_message=_l("Choose when you want to reach this goal"),
    )
    target_date = UKDateField(
        _l("Target date"),
        description=_l("Only if you chose another date. For example, 27 3 2027."),
        widget=GovDateInput(),
    )
    step_1 = _step_field(1)
    step_2 = _step_field(2)
    step_3 = _step_field(3)
    step_4 = _step_field(4)
    step_5 = _step_field(5)
    step_6 = _step_field(6)
    step_7 = _step_field(7)
    step_8 = _step_field(8)
    step_9 = _step_field(9)
    step_10 = _step_field(10)
    # How many step boxes the page showed, so that "Add another step" can show one more.
    steps_shown = HiddenField()
    add_step = SubmitField(_l("Add another step"), widget=GovSubmitInput())
    submit = SubmitField(_l("Save goal"), widget=GovSubmitInput())

    def __init__(self, *args: Any, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or today_in_uk()

    def step_fields(self) -> list[StringField]:
        return [self[f"step_{n}"] for n in range(1, MAX_STEPS + 1)]

    def step_titles(self) -> list[str]:
        return [text for field in self.step_fields() if (text := (field.data or "").strip())]

    def steps_to_show(self) -> int:
        """Three boxes to start with; never fewer than were shown or filled in; at most MAX_STEPS."""
        try:
            shown = int(self.steps_shown.data or 0)
        except ValueError:
            shown = 0
        filled = max((n for n, field in enumerate(self.step_fields(), 1) if (field.data or "").strip()), default=0)
        return max(STARTING_STEPS, min(max(shown, filled), MAX_STEPS))

    def set_target_choices(self, presets: Sequence[tuple[int, date]], format_date: Any) -> None:
        self.target.choices = choices(
            [
                (str(months), _("In %(months)d months (%(date)s)", months=months, date=format_date(when)))
                for months, when in presets
            ]
            + [(OTHER_DATE, _("Another date"))]
        )

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if self.target.data != OTHER_DATE:
            # Without JavaScript the date boxes are always on the page: ignore them unless "another date" was chosen.
            self.target_date.errors = []
            self.target_date.data = None
        elif not self.target_date.errors:
            if self.target_date.data is None:
                self.target_date.errors.append(_("Enter the date you want to reach this goal by"))
            _check_future(self.target_date, self.today)
        if not self.step_titles() and not self.step_1.errors:
            self.step_1.errors.append(_("Enter at least one step"))
        return not self.errors


class EditGoalForm(FlaskForm):
    title = _title_field()
    target_date = UKDateField(
        _l("Target date"),
        description=_l("The date you want to reach this goal by. For example, 27 3 2027."),
        widget=GovDateInput(),
    )
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())

    def __init__(self, *args: Any, current_date: date | None = None, today: date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current_date = current_date
        self.today = today or today_in_uk()

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if not self.target_date.errors:
            if self.target_date.data is None:
                self.target_date.errors.append(_("Enter the date you want to reach this goal by"))
            elif self.target_date.data != self.current_date:
                # A goal whose date has passed can keep it while the title changes; a new date must be ahead.
                _check_future(self.target_date, self.today)
        return not self.errors


class ArchiveGoalForm(FlaskForm):
    # The prison service's reasons (ReasonToArchiveGoal), in the learner's words.
    reason = RadioField(
        _l("Why are you archiving this goal?"),
        widget=GovRadioInput(),
        choices=choices((reason.value, ARCHIVE_REASON_LABELS[reason.value]) for reason in ReasonToArchiveGoal),
        invalid_choice_message=_l("Choose why you are archiving this goal"),
    )
    reason_other = TextAreaField(
        _l("If you chose other, tell us why"),
        widget=GovTextArea(),
        filters=[clean_field],
        validators=[
            Length(
                max=ARCHIVE_REASON_OTHER_MAX_LENGTH,
                message=_l("Your reason must be %(max)d characters or fewer", max=ARCHIVE_REASON_OTHER_MAX_LENGTH),
            )
        ],
    )
    submit = SubmitField(_l("Archive this goal"), widget=GovSubmitInput())

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if self.reason.data == ReasonToArchiveGoal.OTHER.value:
            if not (self.reason_other.data or "").strip() and not self.reason_other.errors:
                self.reason_other.errors.append(_("Enter why you are archiving this goal"))
        else:
            # Without JavaScript the box is always on the page: ignore it unless "Other" was chosen.
            self.reason_other.errors = []
            self.reason_other.data = None
        return not self.errors


class StepStatusForm(FlaskForm):
    # Sent by the button the learner pressed.
    status = StringField(validators=[AnyOf([status.value for status in StepStatus], message=_l("Choose a status"))])
