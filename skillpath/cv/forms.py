"""Forms for the CV: about you, a job, a course, an interest, a module in the learner's own words, finishing.

Text that is too long is refused with how long it is, and the form comes back with everything typed, so
nothing is lost. No field carries a `maxlength` attribute: a browser would cut pasted text off without a word.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import Field, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from skillpath.forms_common import choices
from skillpath.services.plans import cv
from skillpath.text import clean_field

DATES_HINT = "For example, “2019 to 2021” or “6 months”. You do not have to give dates."


class MaxLength:
    """At most `limit` characters, with a message that says how many there are, so the learner knows how much
    to cut."""

    def __init__(self, limit: int, what: str) -> None:
        self.limit = limit
        self.what = what

    def __call__(self, form: FlaskForm, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                f"{self.what} must be {self.limit:,} characters or fewer. You have written {length:,} characters"
            )


def _clean_lines(value: str | None) -> str | None:
    return None if value is None else cv.clean_lines(value)


def _line(label: str, limit: int, what: str, *, required: str | None = None, hint: str | None = None) -> StringField:
    validators: list[Any] = [DataRequired(required)] if required else []
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[*validators, MaxLength(limit, what)],
    )


def _paragraphs(label: str, limit: int, what: str, *, hint: str | None = None) -> TextAreaField:
    return TextAreaField(
        label, description=hint, widget=GovCharacterCount(), filters=[_clean_lines], validators=[MaxLength(limit, what)]
    )


class AboutYouForm(FlaskForm):
    name = _line(
        "Your name",
        cv.NAME_MAX,
        "Your name",
        required="Enter your name as you want employers to see it",
        hint="As you want employers to see it.",
    )
    contact = _paragraphs(
        "How an employer can contact you (optional)",
        cv.CONTACT_MAX,
        "How an employer can contact you",
        hint="For example, your phone number, email address and the town you live in, each on its own line. "
        "You do not need to give your full address.",
    )
    statement = _paragraphs(
        "About me (optional)",
        cv.STATEMENT_MAX,
        "About me",
        hint="A few sentences about you: what you are good at, and the kind of work you want. "
        "Employers often read this first.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class EntryForm(FlaskForm):
    """An entry of a section. Its id is made when the form is first shown, so sending it twice adds it once."""

    entry_id = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())
    title: StringField  # every section's form has one: it names the entry

    def entry(self, entry_id: str) -> cv.Entry:
        def value(name: str) -> str:
            return str(self[name].data or "") if name in self else ""

        return cv.Entry(
            id=entry_id,
            title=value("title"),
            organisation=value("organisation"),
            dates=value("dates"),
            description=value("description"),
        )


class WorkEntryForm(EntryForm):
    title = _line("Job title", cv.TITLE_MAX, "The job title", required="Enter the job title")
    organisation = _line("Employer (optional)", cv.ORGANISATION_MAX, "The employer")
    dates = _line("When (optional)", cv.DATES_MAX, "When", hint=DATES_HINT)
    description = _paragraphs(
        "What you did (optional)",
        cv.DESCRIPTION_MAX,
        "What you did",
        hint="The tasks you did and what you were good at.",
    )


class EducationEntryForm(EntryForm):
    title = _line(
        "Course or qualification",
        cv.TITLE_MAX,
        "The course or qualification",
        required="Enter the course or qualification",
        hint="For example, “Level 1 English” or “Forklift licence”.",
    )
    organisation = _line(
        "Where (optional)", cv.ORGANISATION_MAX, "Where", hint="For example, a college or an online course."
    )
    dates = _line("When (optional)", cv.DATES_MAX, "When", hint=DATES_HINT)
    description = _paragraphs("What you learned or achieved (optional)", cv.DESCRIPTION_MAX, "What you learned")


class InterestEntryForm(EntryForm):
    title = _line(
        "Interest",
        cv.TITLE_MAX,
        "The interest",
        required="Enter an interest",
        hint="Something you enjoy doing. For example, football, cooking or fixing bikes.",
    )


ENTRY_FORMS: dict[cv.Section, type[EntryForm]] = {
    cv.Section.WORK: WorkEntryForm,
    cv.Section.EDUCATION: EducationEntryForm,
    cv.Section.INTERESTS: InterestEntryForm,
}


class ModuleWordsForm(FlaskForm):
    words = _paragraphs(
        "In your own words (optional)",
        cv.MODULE_WORDS_MAX,
        "Your words",
        hint="What you did in this module, and what you can do now. Leave it empty to show only the module.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


MARK_DONE = "yes"
NOT_YET = "no"


class FinishCvForm(FlaskForm):
    mark_barrier = RadioField(
        "Do you want to mark ‘CV and covering letter’ as done?",
        widget=GovRadioInput(),
        choices=choices(
            [
                (MARK_DONE, "Yes, mark it as done"),
                (NOT_YET, "No, not yet – for example, I still need a covering letter"),
            ]
        ),
        invalid_choice_message="Choose yes if you want to mark ‘CV and covering letter’ as done",
    )
    submit = SubmitField("Finish my CV", widget=GovSubmitInput())

    def __init__(self, *args: Any, ask: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask:
            # The checklist item is done already: there is nothing to ask.
            del self.mark_barrier
