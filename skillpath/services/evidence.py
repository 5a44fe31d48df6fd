"""Evidence files: checked by their content, stored outside static/ under random names.

A file's name says nothing trustworthy about it, so the type is read from its
first bytes. Only PDF, PNG, JPEG and plain text are kept; executables and
scripts renamed to look like them are refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from skillpath.extensions import db
from skillpath.models import Enrolment, Evidence, ProgressKind, User
from skillpath.models._types import utcnow
from skillpath.services.progress import log_event

ALLOWED = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG", "text/plain": "plain text"}
_EXECUTABLE_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa", b"#!")
_TEXT_CONTROL_OK = {9, 10, 12, 13}


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
        raise EvidenceError(f"The file must be {max_bytes // (1024 * 1024)}MB or smaller. Choose a smaller file")
    if not content:
        raise EvidenceError("The file is empty. Choose a file with something in it")
    content_type = sniff_content_type(content[:4096])
    if content_type is None:
        raise EvidenceError("The file must be a PDF, PNG, JPEG or plain text file. Choose a different file")
    name = Path(filename or "evidence").name[:200] or "evidence"
    return CheckedFile(content, content_type, name)


def add_evidence(
    enrolment: Enrolment, *, reflection: str, upload: CheckedFile | None, actor: User, folder: Path
) -> Evidence:
    evidence = Evidence(learner_id=enrolment.learner_id, enrolment_id=enrolment.id, reflection=reflection.strip())
    if upload is not None:
        folder.mkdir(parents=True, exist_ok=True)
        stored_name = secrets.token_hex(16)
        (folder / stored_name).write_bytes(upload.content)
        evidence.stored_name = stored_name
        evidence.original_filename = upload.original_name
        evidence.content_type = upload.content_type
        evidence.size_bytes = len(upload.content)
    db.session.add(evidence)
    db.session.flush()
    log_event(enrolment, ProgressKind.EVIDENCE_ADDED, actor=actor, detail={"evidence": str(evidence.public_id)})
    return evidence


def remove_evidence(evidence: Evidence, *, actor: User) -> None:
    """Hide evidence from the record. The log keeps that it existed; the file is kept for the audit trail."""
    evidence.removed_at = utcnow()
    log_event(
        evidence.enrolment, ProgressKind.EVIDENCE_REMOVED, actor=actor, detail={"evidence": str(evidence.public_id)}
    )
