"""A learner's disclosure statement: four guided sections in their own words, and the private draft they may keep.

What a learner writes here is criminal-offence data (UK GDPR Article 10), so by default SkillPath keeps none
of it. The words travel in the form: the learner writes, checks and downloads in one visit, and each request
turns the words it carries into a page or a file and then forgets them. Nothing here logs, audits or stores them.

A learner may choose to save a draft. Only ciphertext is stored (`DisclosureDraft.ciphertext`): Fernet
(AES-128-CBC with HMAC-SHA256) under a key derived with HKDF-SHA256 from SECRET_KEY and the learner's public id,
so a copy of the database alone opens nothing and one learner's key opens no one else's draft. No staff page,
export, credential or my-data download reads the table; the audit log says only that a draft was saved or
deleted, never a word of it. The learner can delete it at any time.
"""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from docx import Document
from docx.oxml import OxmlElement
from docx.text.paragraph import Paragraph
from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import Barrier, BarrierItem, BarrierStatus, DisclosureDraft, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.services.audit.audit import record_event
from skillpath.services.errors import Conflict
from skillpath.services.locking import lock_learner
from skillpath.services.readiness.barriers import set_barrier
from skillpath.text import strip_invisible

# About 350 words a section: a whole statement of one or two pages, the length charities advise.
SECTION_MAX = 2000
# Changing these changes every saved draft's key: a new version must still read the old one.
_KDF_SALT = b"skillpath/disclosure-draft"
_DRAFT_VERSION = 1


@dataclass(frozen=True)
class Section:
    """A part of the statement: its field name, and its heading and guidance as lazy text (the form's label and
    hint are made once, and shown in the language of each request)."""

    name: str
    label: Any
    guidance: Any

    @property
    def title(self) -> str:
        return str(self.label)

    @property
    def hint(self) -> str:
        return str(self.guidance)


SECTIONS = (
    Section(
        "who_i_am",
        _l("Who I am"),
        _l("A few lines about you: what you are like, what you are good at and what matters to you."),
    ),
    Section(
        "what_happened",
        _l("What happened"),
        _l(
            "What your conviction was for, when it was and the sentence you got. Keep to the facts. "
            "You do not need to give every detail, and do not name anyone else."
        ),
    ),
    Section(
        "what_has_changed",
        _l("What has changed since"),
        _l(
            "What you have done and learned since then: courses, certificates, work or volunteering, "
            "the support you have had and how you see things now."
        ),
    ),
    Section(
        "why_this_job",
        _l("Why I am right for this job"),
        _l("What you can bring to the job: your skills, your certificates and why you want to do this work."),
    ),
)


@dataclass(frozen=True)
class Statement:
    """The four sections as the learner wrote them, cleaned. Never stored as it is."""

    who_i_am: str = ""
    what_happened: str = ""
    what_has_changed: str = ""
    why_this_job: str = ""

    @classmethod
    def from_texts(cls, texts: dict[str, str | None]) -> Statement:
        return cls(**{section.name: clean_paragraphs(texts.get(section.name)) for section in SECTIONS})

    def as_dict(self) -> dict[str, str]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    def filled(self) -> list[tuple[Section, str]]:
        """The sections the learner wrote something in, in the order of the guide."""
        return [(section, text) for section in SECTIONS if (text := getattr(self, section.name))]

    @property
    def is_empty(self) -> bool:
        return not self.filled()


class DraftUnreadable(Conflict):
    """A saved draft that cannot be opened: SECRET_KEY has changed since it was saved, or it was tampered with.

    The message is the learner's; `reason` is the operator's."""

    def __init__(self, reason: str) -> None:
        super().__init__(_("Your saved draft could not be opened. Delete it and write your statement again."))
        self.reason = reason


_BLANK_LINES = re.compile(r"\n{3,}")


def clean_paragraphs(text: str | None) -> str:
    """Text of several paragraphs as it should be kept: one spelling (NFC), nothing invisible or
    direction-changing, Windows and old Mac line endings made plain line breaks, no spaces at the
    ends of lines and at most one blank line between paragraphs. Any script is kept as typed."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in strip_invisible(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", unicodedata.normalize("NFC", "\n".join(lines))).strip()


# --- Downloads -------------------------------------------------------------------------------------------------


def document_title() -> str:
    return _("Disclosure statement")


def as_text(statement: Statement) -> str:
    """The statement as plain text, to open in any editor or paste into an online application form."""
    parts = [document_title(), ""]
    for section, text in statement.filled():
        parts += [section.title, "-" * len(section.title), text, ""]
    return "\n".join(parts)


def as_docx(statement: Statement) -> bytes:
    """The statement as an editable Word document: a heading per section, a paragraph per paragraph."""
    document = Document()
    title = document_title()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for section, text in statement.filled():
        document.add_heading(section.title, level=2)
        for paragraph in text.split("\n\n"):
            added = document.add_paragraph(paragraph)  # a single line break stays a line break
            if _starts_right_to_left(paragraph):
                _make_right_to_left(added)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _starts_right_to_left(text: str) -> bool:
    """True when the first letter is Arabic, Hebrew or another right-to-left script."""
    for character in text:
        direction = unicodedata.bidirectional(character)
        if direction in ("L", "R", "AL"):
            return direction != "L"
    return False


def _make_right_to_left(paragraph: Paragraph) -> None:
    # Word lays out a paragraph right to left only when told; the letters themselves already join correctly.
    properties = paragraph._p.get_or_add_pPr()
    properties.append(OxmlElement("w:bidi"))


# --- The private draft -----------------------------------------------------------------------------------------


def _fernet(learner: User, secret_key: str) -> Fernet:
    if not secret_key:
        raise DraftUnreadable("SECRET_KEY is not set")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_KDF_SALT, info=learner.public_id.bytes).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(learner: User, statement: Statement, secret_key: str) -> str:
    plain = json.dumps({"version": _DRAFT_VERSION, "sections": statement.as_dict()}, ensure_ascii=False)
    return _fernet(learner, secret_key).encrypt(plain.encode()).decode("ascii")


def decrypt(learner: User, ciphertext: str, secret_key: str) -> Statement:
    try:
        plain = _fernet(learner, secret_key).decrypt(ciphertext.encode("ascii"))
        sections = json.loads(plain)["sections"]
    except (InvalidToken, UnicodeError, ValueError, KeyError, TypeError):
        raise DraftUnreadable("the draft cannot be opened with this learner's key") from None
    return Statement.from_texts(sections if isinstance(sections, dict) else {})


def get_draft(learner: User) -> DisclosureDraft | None:
    return db.session.scalar(select(DisclosureDraft).where(DisclosureDraft.learner_id == learner.id))


def draft_saved_at(learner: User) -> datetime | None:
    return db.session.scalar(select(DisclosureDraft.updated_at).where(DisclosureDraft.learner_id == learner.id))


def read_draft(learner: User, secret_key: str) -> Statement | None:
    """The learner's own saved draft, opened; None if they have not saved one. Only ever for the learner."""
    draft = get_draft(learner)
    return None if draft is None else decrypt(learner, draft.ciphertext, secret_key)


def save_draft(learner: User, statement: Statement, secret_key: str) -> None:
    """Keep the statement, encrypted, in place of any earlier draft. The audit event carries no words."""
    lock_learner(learner)
    draft = get_draft(learner)
    if draft is None:
        draft = DisclosureDraft(learner_id=learner.id)
        db.session.add(draft)
    draft.ciphertext = encrypt(learner, statement, secret_key)
    draft.updated_at = utcnow()
    record_event(
        AuditAction.LEARNER_DISCLOSURE_DRAFT_SAVED, actor=learner, subject=learner, object_type="disclosure_draft"
    )


def delete_draft(learner: User) -> bool:
    """Remove the learner's draft for good. Returns False if there was none."""
    lock_learner(learner)
    draft = get_draft(learner)
    if draft is None:
        return False
    db.session.delete(draft)
    record_event(
        AuditAction.LEARNER_DISCLOSURE_DRAFT_DELETED, actor=learner, subject=learner, object_type="disclosure_draft"
    )
    return True


# --- Finishing ---------------------------------------------------------------------------------------------------


def _letter_item(learner: User) -> BarrierItem | None:
    return db.session.scalar(
        select(BarrierItem).where(
            BarrierItem.learner_id == learner.id, BarrierItem.barrier == Barrier.DISCLOSURE_LETTER
        )
    )


def is_letter_done(learner: User) -> bool:
    item = _letter_item(learner)
    return item is not None and (item.status == BarrierStatus.COMPLETED or item.already_in_place)


def mark_letter_done(learner: User) -> bool:
    """Tick "disclosure letter" off the learner's barriers to work, as the learner. Staff see that it is done,
    never the statement. Returns False if it was already done."""
    lock_learner(learner)
    item = _letter_item(learner)
    if item is not None and (item.status == BarrierStatus.COMPLETED or item.already_in_place):
        return False
    # A note staff wrote on the item stays: set_barrier replaces every field it is given.
    note = item.note if item is not None else None
    return set_barrier(learner, Barrier.DISCLOSURE_LETTER, status=BarrierStatus.COMPLETED, by=learner, note=note)
