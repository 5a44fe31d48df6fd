"""Evidence files: checked by their content, stored outside static/ under random names.

A file's name says nothing trustworthy about it, so the type is read from its
first bytes. Only PDF, PNG, JPEG and plain text are kept; executables and
scripts renamed to look like them are refused.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import BinaryIO

from sqlalchemy import select

from skillpath.extensions import db
from skillpath.i18n import _, _l
from skillpath.models import Enrolment, Evidence, ProgressKind, User
from skillpath.models._types import utcnow
from skillpath.services.locking import lock_learner
from skillpath.services.progress.evidence_storage import EvidenceStorage, new_name
from skillpath.services.progress.progress import log_event
from skillpath.text import clean_text, is_invisible

ALLOWED = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "text/plain": "plain text"}
_EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa", b"#!")
_TEXT_CONTROL_OK = {9, 10, 12, 13}
NAME_MAX = 200
# The same reflection and file again within this time is the same form sent twice.
RESUBMISSION_WINDOW = timedelta(minutes=2)
_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg", "text/plain": ".txt"}
UNSAFE_NAME = _l(
    "The file’s name has hidden or control characters in it. Rename the file using only letters, numbers, "
    "spaces, dots, dashes or underscores, then choose it again"
)


class EvidenceError(ValueError):
    """An upload that cannot be kept, with a message that says what to do."""


@dataclass(frozen=True)
class CheckedFile:
    content: bytes
    content_type: str
    original_name: str


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file from its first bytes, or None if it is not one we accept."""
    if head.startswith(_EXECUTABLE_SIGNATURES):
        return None
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if _looks_like_text(head):
        return "text/plain"
    return None


def _looks_like_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # The sample may end part-way through a character.
        try:
            text = data[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    return bool(text) and all(ord(ch) >= 32 or ord(ch) in _TEXT_CONTROL_OK for ch in text)


def check_upload(stream: BinaryIO, filename: str, *, max_bytes: int) -> CheckedFile:
    content = stream.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise EvidenceError(
            _("The file must be %(size)dMB or smaller. Choose a smaller file", size=max_bytes // (1024 * 1024))
        )
    if not content:
        raise EvidenceError(_("The file is empty. Choose a file with something in it"))
    content_type = sniff_content_type(content[:4096])
    if content_type is None:
        raise EvidenceError(_("The file must be a PDF, PNG, JPEG or plain text file. Choose a different file"))
    return CheckedFile(content, content_type, safe_file_name(filename, content_type))


def safe_file_name(filename: str | None, content_type: str) -> str:
    """The name to keep for an uploaded file, or EvidenceError if it hides something.

    A NUL, a control character, an invisible character or a direction override (with
    U+202E, "cv" + U+202E + "fdp.exe" shows as "cvexe.pdf") is refused: such a name
    is never typed by accident. Folders
    sent with the name (old browsers send C:\\Users\\...) are dropped, and a long
    name is shortened, keeping its extension.
    """
    name = unicodedata.normalize("NFC", _last_part(filename or ""))
    if any(unicodedata.category(character) == "Cc" or is_invisible(character) for character in name):
        raise EvidenceError(str(UNSAFE_NAME))
    name = " ".join(name.split())
    return _shortened(name) if name not in {"", ".", ".."} else "evidence" + _EXTENSIONS[content_type]


def _last_part(filename: str) -> str:
    # Browsers on Windows may send the whole path, with backslashes; either separator ends a folder.
    return filename.replace("\\", "/").rsplit("/", 1)[-1]


def _shortened(name: str) -> str:
    if len(name) <= NAME_MAX:
        return name
    suffix = PurePath(name).suffix
    suffix = suffix if len(suffix) <= 10 else ""
    return name[: NAME_MAX - len(suffix)].rstrip() + suffix


def download_name(evidence: Evidence) -> str:
    """A name for the download that no browser or header can choke on, even for files kept before names were checked."""
    name = clean_text(_last_part(evidence.original_filename or "")).strip(". ")
    return name or "evidence" + _EXTENSIONS.get(evidence.content_type or "", "")


def add_evidence(
    enrolment: Enrolment, *, reflection: str, upload: CheckedFile | None, actor: User, storage: EvidenceStorage
) -> Evidence:
    """Record evidence, and keep its file in `storage` if there is one.

    The row is written first and the file last, so a refused row leaves no file
    behind. The caller commits; if the transaction is rolled back instead (or the
    commit fails), the file goes too (see `evidence_storage`).
    The same evidence sent again moments later (a double click) is saved once.
    """
    lock_learner(enrolment.learner_id)
    same = _same_evidence_just_added(enrolment, reflection.strip(), upload)
    if same is not None:
        return same
    evidence = Evidence(learner_id=enrolment.learner_id, enrolment_id=enrolment.id, reflection=reflection.strip())
    if upload is not None:
        evidence.stored_name = new_name()
        evidence.original_filename = upload.original_name
        evidence.content_type = upload.content_type
        evidence.size_bytes = len(upload.content)
    db.session.add(evidence)
    db.session.flush()
    log_event(enrolment, ProgressKind.EVIDENCE_ADDED, actor=actor, detail={"evidence": str(evidence.public_id)})
    if upload is not None and evidence.stored_name is not None:
        storage.save(evidence.stored_name, upload.content)
    return evidence


def _same_evidence_just_added(enrolment: Enrolment, reflection: str, upload: CheckedFile | None) -> Evidence | None:
    return db.session.scalar(
        select(Evidence)
        .where(
            Evidence.enrolment_id == enrolment.id,
            Evidence.removed_at.is_(None),
            Evidence.reflection == reflection,
            Evidence.created_at > utcnow() - RESUBMISSION_WINDOW,
            Evidence.original_filename == upload.original_name if upload else Evidence.original_filename.is_(None),
            Evidence.size_bytes == len(upload.content) if upload else Evidence.size_bytes.is_(None),
        )
        .limit(1)
    )


def remove_evidence(evidence: Evidence, *, actor: User) -> None:
    """Hide evidence from the record. The log keeps that it existed; the file is kept for the audit trail.

    Removing it again (a double click) changes nothing.
    """
    lock_learner(evidence.learner_id)
    if evidence.removed_at is not None:
        return
    evidence.removed_at = utcnow()
    log_event(
        evidence.enrolment, ProgressKind.EVIDENCE_REMOVED, actor=actor, detail={"evidence": str(evidence.public_id)}
    )
