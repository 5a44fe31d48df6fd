"""Forms for the disclosure statement: its four sections, and finishing it.

The statement form never writes anything: its words go into the page or the download they asked for.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSubmitInput
from wtforms import Field, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import ValidationError

from skillpath.forms_common import choices
from skillpath.i18n import _, _l, format_number
from skillpath.services.plans.disclosure import SECTION_MAX, SECTIONS, Section, Statement, clean_paragraphs


class Action(StrEnum):
    """What the button the learner pressed asks for; the words come with every one."""

    CHECK = "check"
    TEXT = "download-text"
    WORD = "download-word"
    SAVE = "save-draft"
    CHANGE = "change"


LETTER_DONE = "yes"
LETTER_NOT_YET = "no"


class _SectionLength:
    """At most SECTION_MAX characters, with a message in the language of the request (as wtforms' Length)."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.field_flags = {"maxlength": SECTION_MAX}

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if len(field.data or "") > SECTION_MAX:
            raise ValidationError(
                _(
                    "‘%(section)s’ must be %(limit)s characters or fewer",
                    section=self.section.title,
                    limit=format_number(SECTION_MAX),
                )
            )


def _section_field(section: Section) -> TextAreaField:
    return TextAreaField(
        section.label,
        description=section.guidance,
        widget=GovCharacterCount(),
        filters=[clean_paragraphs],
        validators=[_SectionLength(section)],
    )


class DisclosureStatementForm(FlaskForm):
    who_i_am = _section_field(SECTIONS[0])
    what_happened = _section_field(SECTIONS[1])
    what_has_changed = _section_field(SECTIONS[2])
    why_this_job = _section_field(SECTIONS[3])
    # Sent by the button pressed; anything else shows the words again to change them.
    action = StringField()

    def section_fields(self) -> list[TextAreaField]:
        return [self[section.name] for section in SECTIONS]

    def statement(self) -> Statement:
        return Statement.from_texts({field.name: field.data for field in self.section_fields()})

    def fill(self, statement: Statement) -> None:
        for field in self.section_fields():
            field.data = getattr(statement, field.name)

    def validate(self, extra_validators: Any = None) -> bool:
        super().validate(extra_validators)
        if not self.errors and self.statement().is_empty:
            self.who_i_am.errors.append(_("Write at least one part of your statement"))
        return not self.errors


class MarkLetterDoneForm(FlaskForm):
    answer = RadioField(
        _l("Is your disclosure letter ready to use?"),
        widget=GovRadioInput(),
        choices=choices([(LETTER_DONE, _l("Yes, mark it as done")), (LETTER_NOT_YET, _l("No, not yet"))]),
        invalid_choice_message=_l("Select yes if your disclosure letter is ready to use"),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())
