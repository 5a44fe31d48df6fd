"""A learner's skills-based CV: what SkillPath already knows, plus what the learner adds in their own words.

The layout is the functional one resettlement charities recommend: skills first, then what the learner
completed, then experience. Dates are optional everywhere, so gaps do not stand out.

What comes from the record is only what an employer may see: skills at the levels a sign-off awarded,
completed modules, and certificates in force that the learner has not hidden, each with its code and
verification link. Nothing from the record carries a date, a place, an establishment, a prison number, a
cohort or a member of staff. The learner may write any of those themselves; `custody_mentions` points it
out so that it is their choice.

What the learner writes is kept as JSON in `CvDocument.content` (one row per learner). `Cv` is the one
built CV that the page, the PDF, the Word document and the plain text all draw.

Each change the learner makes is one use case here (`save_about_you`, `save_entry`, `remove_entry`,
`save_module_words`, `finish_cv`): it saves, counts as the learner's activity and writes its audit event,
which says which part of the CV changed and never a word of what the learner wrote.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import (
    Barrier,
    BarrierItem,
    BarrierStatus,
    Certificate,
    CertificateKind,
    Cohort,
    CohortMembership,
    CvDocument,
    Establishment,
    Skill,
    User,
)
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.certificates.certificates import certificate_name_for, format_code, list_certificates
from skillpath.services.certificates.issuer import Issuer
from skillpath.services.errors import InvalidInput
from skillpath.services.locking import lock_learner
from skillpath.services.progress.progress import list_module_progress
from skillpath.services.readiness import barriers
from skillpath.services.readiness.learner_state import held_levels
from skillpath.text import strip_invisible

CONTENT_FORMAT = "skillpath-cv/1"

# Lengths, in characters, after cleaning. Long enough for a good CV, short enough to fit on two pages.
NAME_MAX = 100
CONTACT_MAX = 300
STATEMENT_MAX = 1500
TITLE_MAX = 100
ORGANISATION_MAX = 100
DATES_MAX = 50
DESCRIPTION_MAX = 1000
MODULE_WORDS_MAX = 500
MAX_ENTRIES = 10


class CvError(InvalidInput):
    """A change that cannot be made to the CV (or a file that cannot be made of it), with a message for the learner."""


class Section(StrEnum):
    """The parts of the CV the learner fills with entries of their own, by the address of their pages."""

    WORK = "work-history"
    EDUCATION = "education"
    INTERESTS = "interests"

    @property
    def key(self) -> str:
        """The section's name in the stored JSON (and in its audit events)."""
        return _SECTION_KEYS[self]

    @property
    def heading(self) -> str:
        return str(_SECTION_WORDS[self].heading)

    @property
    def add_label(self) -> str:
        return str(_SECTION_WORDS[self].add)

    @property
    def add_another_label(self) -> str:
        return str(_SECTION_WORDS[self].add_another)

    @property
    def change_label(self) -> str:
        return str(_SECTION_WORDS[self].change)

    @property
    def too_many_message(self) -> str:
        return _(
            "You can add up to %(count)s to %(section)s. Remove one to add another",
            count=MAX_ENTRIES,
            section=str(_SECTION_WORDS[self].heading_in_sentence),
        )


@dataclass(frozen=True)
class _Words:
    """What a section is called where a person reads it; whole phrases, so each language can word them its own way."""

    heading: Any
    heading_in_sentence: Any
    add: Any
    add_another: Any
    change: Any


_SECTION_KEYS = {Section.WORK: "work", Section.EDUCATION: "education", Section.INTERESTS: "interests"}
_SECTION_WORDS = {
    Section.WORK: _Words(
        _l("Work history"), _l("work history"), _l("Add a job"), _l("Add another job"), _l("Change this job")
    ),
    Section.EDUCATION: _Words(
        _l("Education and training"),
        _l("education and training"),
        _l("Add a course or qualification"),
        _l("Add another course or qualification"),
        _l("Change this course or qualification"),
    ),
    Section.INTERESTS: _Words(
        _l("Interests"), _l("interests"), _l("Add an interest"), _l("Add another interest"), _l("Change this interest")
    ),
}


def section_from_slug(slug: str) -> Section | None:
    try:
        return Section(slug)
    except ValueError:
        return None


# --- What the learner writes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A job, a course or an interest. Only the title is needed; the rest, dates included, is optional."""

    id: str
    title: str
    organisation: str = ""
    dates: str = ""
    description: str = ""

    def texts(self) -> tuple[str, ...]:
        return (self.title, self.organisation, self.dates, self.description)


@dataclass(frozen=True)
class CvContent:
    name: str
    contact: str = ""
    statement: str = ""
    sections: Mapping[Section, tuple[Entry, ...]] = field(default_factory=dict)
    # The learner's own words about a module they completed, by module code.
    module_words: Mapping[str, str] = field(default_factory=dict)
    finished_at: str | None = None

    def entries(self, section: Section) -> tuple[Entry, ...]:
        return self.sections.get(section, ())

    def with_entries(self, section: Section, entries: tuple[Entry, ...]) -> CvContent:
        return replace(self, sections={**self.sections, section: entries})

    def find(self, section: Section, entry_id: str) -> Entry | None:
        return next((entry for entry in self.entries(section) if entry.id == entry_id), None)

    def texts(self) -> Iterator[str]:
        """Everything the learner wrote."""
        yield from (self.name, self.contact, self.statement)
        for section in Section:
            for entry in self.entries(section):
                yield from entry.texts()
        yield from self.module_words.values()

    def as_json(self) -> dict[str, Any]:
        def entries(section: Section) -> list[dict[str, str]]:
            return [
                {
                    "id": e.id,
                    "title": e.title,
                    "organisation": e.organisation,
                    "dates": e.dates,
                    "description": e.description,
                }
                for e in self.entries(section)
            ]

        return {
            "format": CONTENT_FORMAT,
            "name": self.name,
            "contact": self.contact,
            "statement": self.statement,
            **{section.key: entries(section) for section in Section},
            "module_words": dict(self.module_words),
            "finished_at": self.finished_at,
        }


def clean_lines(text: str | None) -> str:
    """Text of several lines as it should be kept: NFC, nothing invisible, single spaces, at most one empty line
    in a row, none at either end. Line breaks stay: an address or a paragraph keeps its shape."""
    if not text:
        return ""
    lines = [" ".join(line.split()) for line in strip_invisible(text).splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return unicodedata.normalize("NFC", "\n".join(kept).strip())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _entries(raw: Any) -> tuple[Entry, ...]:
    """Entries from stored JSON; anything malformed is left out rather than breaking the page."""
    if not isinstance(raw, list):
        return ()
    entries = []
    for item in raw:
        if isinstance(item, dict) and _text(item.get("id")) and _text(item.get("title")):
            entries.append(
                Entry(
                    id=_text(item["id"]),
                    title=_text(item["title"]),
                    organisation=_text(item.get("organisation")),
                    dates=_text(item.get("dates")),
                    description=_text(item.get("description")),
                )
            )
    return tuple(entries)


def content_from_json(raw: Any, default_name: str) -> CvContent:
    if not isinstance(raw, dict):
        raw = {}
    words = raw.get("module_words")
    return CvContent(
        name=_text(raw.get("name")) or default_name,
        contact=_text(raw.get("contact")),
        statement=_text(raw.get("statement")),
        sections={section: _entries(raw.get(section.key)) for section in Section},
        module_words={k: v for k, v in words.items() if isinstance(v, str) and v} if isinstance(words, dict) else {},
        finished_at=_text(raw.get("finished_at")) or None,
    )


def _document(learner: User) -> CvDocument | None:
    return db.session.scalar(select(CvDocument).where(CvDocument.learner_id == learner.id))


def get_cv_content(learner: User) -> CvContent:
    """What the learner has written. Before they save anything: the name on their certificates and any
    email address or phone number of their own, which they can change."""
    document = _document(learner)
    if document is not None:
        return content_from_json(document.content, certificate_name_for(learner))
    contact = "\n".join(value for value in (learner.email, learner.phone) if value)
    return CvContent(name=certificate_name_for(learner), contact=contact)


def _change(learner: User, change: Callable[[CvContent], CvContent]) -> CvContent:
    """Apply `change` to the stored CV, holding the learner's record so two tabs cannot undo each other.

    Working on their CV counts as the learner being active (staff see when a learner last did something)."""
    lock_learner(learner)
    updated = change(get_cv_content(learner))
    document = _document(learner)
    if document is None:
        document = CvDocument(learner_id=learner.id)
        db.session.add(document)
    document.content = updated.as_json()
    document.updated_at = utcnow()
    if learner.learner_profile is not None:
        learner.learner_profile.last_activity_at = document.updated_at
    return updated


def _record(action: AuditAction, learner: User, **detail: Any) -> None:
    record_event(action, actor=learner, subject=learner, object_type="cv", **detail)


def save_about_you(learner: User, *, name: str, contact: str, statement: str) -> None:
    """The learner's name, how to contact them and their few lines about themselves."""
    _change(learner, lambda content: replace(content, name=name, contact=contact, statement=statement))
    _record(AuditAction.LEARNER_CV_CHANGED, learner, kind="about_you")


def save_entry(learner: User, section: Section, entry: Entry) -> bool:
    """Add the entry, or change the one with its id. Returns True if it was added.

    A new entry's id is made when its form is first shown, so sending the form twice changes it
    instead of adding it twice.
    """
    added = False

    def change(content: CvContent) -> CvContent:
        nonlocal added
        entries = list(content.entries(section))
        position = next((n for n, existing in enumerate(entries) if existing.id == entry.id), None)
        if position is not None:
            entries[position] = entry
        elif len(entries) >= MAX_ENTRIES:
            raise CvError(section.too_many_message, field="title")
        else:
            entries.append(entry)
            added = True
        return content.with_entries(section, tuple(entries))

    _change(learner, change)
    _record(AuditAction.LEARNER_CV_ENTRY_SAVED, learner, kind=section.key, added=added)
    return added


def remove_entry(learner: User, section: Section, entry_id: str) -> bool:
    """Returns False if there was no such entry (already removed in another tab, say)."""
    removed = False

    def change(content: CvContent) -> CvContent:
        nonlocal removed
        entries = content.entries(section)
        kept = tuple(entry for entry in entries if entry.id != entry_id)
        removed = len(kept) != len(entries)
        return content.with_entries(section, kept)

    _change(learner, change)
    if removed:
        _record(AuditAction.LEARNER_CV_ENTRY_REMOVED, learner, kind=section.key)
    return removed


def save_module_words(learner: User, module_code: str, words: str) -> None:
    """The learner's own words about a module they completed; empty words take them off the CV."""

    def change(content: CvContent) -> CvContent:
        updated = {code: text for code, text in content.module_words.items() if code != module_code}
        if words:
            updated[module_code] = words
        return replace(content, module_words=updated)

    _change(learner, change)
    _record(AuditAction.LEARNER_CV_CHANGED, learner, kind="module_words")


def new_entry_id() -> str:
    return str(uuid.uuid4())


def is_entry_id(text: str | None) -> bool:
    """An entry id as SkillPath makes them (the form sends it back, so it may have been changed)."""
    try:
        return str(uuid.UUID(text or "")) == text
    except ValueError:
        return False


# --- Finishing ----------------------------------------------------------------------------------------------


def cv_barrier(learner: User) -> BarrierItem:
    return next(item for item in barriers.list_barriers(learner) if item.barrier == Barrier.CV_AND_COVERING_LETTER)


def finish_cv(learner: User, *, mark_barrier_done: bool) -> bool:
    """The learner says their CV is finished, and may tick "CV and covering letter" off their checklist.

    Returns True if the checklist changed. The checklist item keeps any note it had.
    """
    _change(learner, lambda content: replace(content, finished_at=utcnow().isoformat()))
    _record(AuditAction.LEARNER_CV_FINISHED, learner)
    if not mark_barrier_done:
        return False
    item = cv_barrier(learner)
    if item.is_resolved:
        return False
    return barriers.set_barrier(
        learner, Barrier.CV_AND_COVERING_LETTER, status=BarrierStatus.COMPLETED, by=learner, note=item.note
    )


# --- The CV, built -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CvSkill:
    name: str
    level: str


@dataclass(frozen=True)
class CvCertificate:
    title: str
    code: str
    url: str


@dataclass(frozen=True)
class CvModule:
    code: str
    title: str
    can_do: str
    words: str
    certificate: CvCertificate | None


@dataclass(frozen=True)
class Cv:
    name: str
    contact: str
    statement: str
    skills: tuple[CvSkill, ...]
    modules: tuple[CvModule, ...]
    # Certificates that are not for one module: "Ready for work as …".
    certificates: tuple[CvCertificate, ...]
    sections: Mapping[Section, tuple[Entry, ...]]
    issuer_name: str
    verify_home: str

    def entries(self, section: Section) -> tuple[Entry, ...]:
        return self.sections.get(section, ())

    def module(self, code: str) -> CvModule | None:
        return next((module for module in self.modules if module.code == code), None)

    @property
    def has_certificates(self) -> bool:
        return bool(self.certificates) or any(module.certificate for module in self.modules)

    def texts(self) -> Iterator[str]:
        """Every piece of text the documents print."""
        yield from (self.name, self.contact, self.statement, self.issuer_name, self.verify_home)
        for skill in self.skills:
            yield from (skill.name, skill.level)
        for module in self.modules:
            yield from (module.title, module.can_do, module.words)
        for certificate in self.certificates:
            yield certificate.title
        for section in Section:
            for entry in self.entries(section):
                yield from entry.texts()


def _skills(learner: User) -> tuple[CvSkill, ...]:
    held = held_levels([learner.id]).get(learner.id, {})
    names: dict[int, str] = {
        skill_id: name for skill_id, name in db.session.execute(select(Skill.id, Skill.name).where(Skill.id.in_(held)))
    }
    ordered = sorted(held.items(), key=lambda item: (-item[1].rank, names[item[0]].lower()))
    return tuple(CvSkill(names[skill_id], _("%(level)s level", level=level.label)) for skill_id, level in ordered)


def build_cv(learner: User, content: CvContent | None = None, *, issuer: Issuer) -> Cv:
    """The CV from the record and the learner's words (by default, as saved). Withdrawn and hidden certificates
    are left out; a module whose certificate was withdrawn is left out too, since staff have said it does not
    stand. Certificates carry their public check address, under the issuer's base URL."""
    content = content if content is not None else get_cv_content(learner)

    def listed(certificate: Certificate) -> CvCertificate:
        return CvCertificate(
            certificate.achievement_name, format_code(certificate.code), issuer.urls.verify(certificate)
        )

    in_force: dict[int, Certificate] = {}
    withdrawn: set[int] = set()
    others = []
    for item in list_certificates(learner):
        if item.kind != CertificateKind.MODULE:
            if not item.is_revoked and not item.is_hidden:
                others.append(listed(item))
        elif item.module_id is not None:
            if item.is_revoked:
                withdrawn.add(item.module_id)
            else:
                in_force[item.module_id] = item
    modules = []
    for state in list_module_progress(learner):
        module = state.module
        certificate = in_force.get(module.id)
        if not state.signed_off or (certificate is None and module.id in withdrawn):
            continue
        modules.append(
            CvModule(
                code=module.code,
                title=module.title,
                can_do=certificate.achievement_description if certificate else module.summary,
                words=content.module_words.get(module.code, ""),
                certificate=listed(certificate) if certificate and not certificate.is_hidden else None,
            )
        )
    return Cv(
        name=content.name,
        contact=content.contact,
        statement=content.statement,
        skills=_skills(learner),
        modules=tuple(modules),
        certificates=tuple(others),
        sections=content.sections,
        issuer_name=issuer.name,
        verify_home=issuer.urls.verify_home(),
    )


# --- Custody, in the learner's own words ------------------------------------------------------------------------


def _custody_words(learner: User) -> list[str]:
    """Words on a CV that would tell an employer where the learner has been: establishment names and the
    prison number. Only what SkillPath still holds (after custody details fade there is nothing)."""
    profile = learner.learner_profile
    words: list[str] = []
    if profile is not None and profile.prison_number:
        words.append(profile.prison_number)
    establishment_ids = set(
        db.session.scalars(
            select(Cohort.establishment_id)
            .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
            .where(CohortMembership.learner_id == learner.id)
        )
    )
    if profile is not None and profile.establishment_id is not None:
        establishment_ids.add(profile.establishment_id)
    if establishment_ids:
        words += db.session.scalars(select(Establishment.name).where(Establishment.id.in_(establishment_ids)))
    return [word for word in words if word and word.strip()]


def custody_mentions(learner: User, content: CvContent) -> list[str]:
    """The custody details (establishment names, prison number) the learner has written on their CV, if any."""
    written = "\n".join(content.texts()).casefold()
    return [word for word in _custody_words(learner) if word.casefold() in written]
