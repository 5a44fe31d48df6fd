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
from skillpath.i18n import _, _l, format_number
from skillpath.services.plans import cv
from skillpath.text import clean_field

DATES_HINT = _l("For example, “2019 to 2021” or “6 months”. You do not have to give dates.")


class MaxLength:
    """At most `limit` characters, with a message that says how many there are, so the learner knows how much
    to cut."""

    def __init__(self, limit: int, what: Any) -> None:
        self.limit = limit
        self.what = what  # lazy text: the message is put together in the language of the request

    def __call__(self, form: FlaskForm, field: Field) -> None:
        length = len(field.data or "")
        if length > self.limit:
            raise ValidationError(
                _(
                    "%(what)s must be %(limit)s characters or fewer. You have written %(length)s characters",
                    what=str(self.what),
                    limit=format_number(self.limit),
                    length=format_number(length),
                )
            )


def _clean_lines(value: str | None) -> str | None:
    return None if value is None else cv.clean_lines(value)


def _line(label: Any, limit: int, what: Any, *, required: Any = None, hint: Any = None) -> StringField:
    validators: list[Any] = [DataRequired(required)] if required else []
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[clean_field],
        validators=[*validators, MaxLength(limit, what)],
    )


def _paragraphs(label: Any, limit: int, what: Any, *, hint: Any = None) -> TextAreaField:
    return TextAreaField(
        label, description=hint, widget=GovCharacterCount(), filters=[_clean_lines], validators=[MaxLength(limit, what)]
    )


class AboutYouForm(FlaskForm):
    name = _line(
        _l("Your name"),
        cv.NAME_MAX,
        _l("Your name"),
        required=_l("Enter your name as you want employers to see it"),
        hint=_l("As you want employers to see it."),
    )
    contact = _paragraphs(
        _l("How an employer can contact you (optional)"),
        cv.CONTACT_MAX,
        _l("How an employer can contact you"),
        hint=_l(
            "For example, your phone number, email address and the town you live in, each on its own line. "
            "You do not need to give your full address."
        ),
    )
    statement = _paragraphs(
        _l("About me (optional)"),
        cv.STATEMENT_MAX,
        _l("About me"),
        hint=_l(
            "A few sentences about you: what you are good at, and the kind of work you want. "
            "Employers often read this first."
        ),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


class EntryForm(FlaskForm):
    """An entry of a section. Its id is made when the form is first shown, so sending it twice adds it once."""

    entry_id = HiddenField()
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
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
    title = _line(_l("Job title"), cv.TITLE_MAX, _l("The job title"), required=_l("Enter the job title"))
    organisation = _line(_l("Employer (optional)"), cv.ORGANISATION_MAX, _l("The employer"))
    dates = _line(_l("When (optional)"), cv.DATES_MAX, _l("When"), hint=DATES_HINT)
    description = _paragraphs(
        _l("What you did (optional)"),
        cv.DESCRIPTION_MAX,
        _l("What you did"),
        hint=_l("The tasks you did and what you were good at."),
    )


class EducationEntryForm(EntryForm):
    title = _line(
        _l("Course or qualification"),
        cv.TITLE_MAX,
        _l("The course or qualification"),
        required=_l("Enter the course or qualification"),
        hint=_l("For example, “Level 1 English” or “Forklift licence”."),
    )
    organisation = _line(
        _l("Where (optional)"), cv.ORGANISATION_MAX, _l("Where"), hint=_l("For example, a college or an online course.")
    )
    dates = _line(_l("When (optional)"), cv.DATES_MAX, _l("When"), hint=DATES_HINT)
    description = _paragraphs(_l("What you learned or achieved (optional)"), cv.DESCRIPTION_MAX, _l("What you learned"))


class InterestEntryForm(EntryForm):
    title = _line(
        _l("Interest"),
        cv.TITLE_MAX,
        _l("The interest"),
        required=_l("Enter an interest"),
        hint=_l("Something you enjoy doing. For example, football, cooking or fixing bikes."),
    )


ENTRY_FORMS: dict[cv.Section, type[EntryForm]] = {
    cv.Section.WORK: WorkEntryForm,
    cv.Section.EDUCATION: EducationEntryForm,
    cv.Section.INTERESTS: InterestEntryForm,
}


class ModuleWordsForm(FlaskForm):
    words = _paragraphs(
        _l("In your own words (optional)"),
        cv.MODULE_WORDS_MAX,
        _l("Your words"),
        hint=_l("What you did in this module, and what you can do now. Leave it empty to show only the module."),
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())


MARK_DONE = "yes"
NOT_YET = "no"


class FinishCvForm(FlaskForm):
    mark_barrier = RadioField(
        _l("Do you want to mark ‘CV and covering letter’ as done?"),
        widget=GovRadioInput(),
        choices=choices(
            [
                (MARK_DONE, _l("Yes, mark it as done")),
                (NOT_YET, _l("No, not yet – for example, I still need a covering letter")),
            ]
        ),
        invalid_choice_message=_l("Choose yes if you want to mark ‘CV and covering letter’ as done"),
    )
    submit = SubmitField(_l("Finish my CV"), widget=GovSubmitInput())

    def __init__(self, *args: Any, ask: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask:
            # The checklist item is done already: there is nothing to ask.
            del self.mark_barrier
