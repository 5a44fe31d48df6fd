"""Where evidence files are kept: a folder on this host (the default), or the database every host shares.

Both backends keep the same promise to the transaction under way, so an evidence row and its file never
part company:

- a file saved during a transaction that then rolls back (or fails to commit) is gone afterwards;
- a file deleted during a transaction is gone only once that transaction commits: rolled back, it stays.

The folder backend keeps the promise with session hooks (files are written at once, removed again on
rollback, and deleted only after commit). The database backend keeps it for free: its files are rows in
`stored_files`, written and deleted in the caller's transaction. Services are handed a storage (as they
are handed the issuer); the app picks one from EVIDENCE_STORAGE (see `skillpath.settings.evidence_storage`).
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session, SessionTransaction

from skillpath.extensions import db
from skillpath.models import Evidence, StoredFile

LOCAL = "local"
DATABASE = "database"
BACKENDS = (LOCAL, DATABASE)

# In the session's info: files the transaction under way wrote (removed if it does not commit), and files
# it deleted (removed once it commits).
_WRITTEN = "skillpath.evidence_storage.written"
_TO_DELETE = "skillpath.evidence_storage.to_delete"


@dataclass(frozen=True)
class OpenedFile:
    """A stored file ready to stream, and its size (for Content-Length). The reader closes `stream`."""

    stream: BinaryIO
    size: int


def new_name() -> str:
    """A random name for a stored file: 128 bits, hex, no extension (the name says nothing about the file)."""
    return secrets.token_hex(16)


def is_stored_name(name: str | None) -> bool:
    return bool(name) and len(name or "") <= 64 and all(ch in "0123456789abcdef" for ch in name or "")


class EvidenceStorage(Protocol):
    """A place for evidence files, named by `new_name()`; see the module docstring for the transaction rules."""

    kind: str

    def save(self, name: str, content: bytes) -> None:
        """Keep `content` under `name`; undone if the caller's transaction does not commit."""

    def open(self, name: str) -> OpenedFile | None:
        """The file for reading (the caller closes it), or None if there is none by that name."""

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None if there is none by that name."""

    def exists(self, name: str) -> bool:
        """Whether a file by that name is kept (as the caller's transaction sees it)."""

    def delete(self, names: Iterable[str]) -> None:
        """Delete these files once the caller's transaction commits (never if it rolls back)."""


class LocalFolderStorage:
    """Files in one folder (UPLOAD_FOLDER). Every host must share the folder, for example over NFS."""

    kind = LOCAL

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"LocalFolderStorage({str(self.folder)!r})"

    def _path(self, name: str) -> Path | None:
        # Names are ours (hex), but a row edited by hand must never reach outside the folder.
        return self.folder / name if is_stored_name(name) else None

    def save(self, name: str, content: bytes) -> None:
        path = self._path(name)
        if path is None:
            raise ValueError("Not a stored file name")
        _join_transaction()
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            path.write_bytes(content)
        except BaseException:
            path.unlink(missing_ok=True)  # a part-written file is no use to anyone
            raise
        db.session.info.setdefault(_WRITTEN, []).append(path)

    def open(self, name: str) -> OpenedFile | None:
        path = self._path(name)
        if path is None or not path.is_file():
            return None
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            return None
        return OpenedFile(stream, os.fstat(stream.fileno()).st_size)

    def read(self, name: str) -> bytes | None:
        opened = self.open(name)
        if opened is None:
            return None
        with opened.stream:
            return opened.stream.read()

    def exists(self, name: str) -> bool:
        path = self._path(name)
        return path is not None and path.is_file()

    def delete(self, names: Iterable[str]) -> None:
        paths = [path for path in map(self._path, names) if path is not None]
        _join_transaction()
        db.session.info.setdefault(_TO_DELETE, []).extend(paths)


class DatabaseStorage:
    """Files as rows of `stored_files`, in the caller's transaction: every host that shares the database
    shares them, and a database backup holds them."""

    kind = DATABASE

    def __repr__(self) -> str:
        return "DatabaseStorage()"

    def save(self, name: str, content: bytes) -> None:
        if not is_stored_name(name):
            raise ValueError("Not a stored file name")
        db.session.add(StoredFile(name=name, content=content, size_bytes=len(content)))
        db.session.flush()

    def open(self, name: str) -> OpenedFile | None:
        # At most MAX_UPLOAD_MB, so held in memory while it is sent.
        content = self.read(name)
        return OpenedFile(io.BytesIO(content), len(content)) if content is not None else None

    def read(self, name: str) -> bytes | None:
        return db.session.scalar(select(StoredFile.content).where(StoredFile.name == name))

    def exists(self, name: str) -> bool:
        return db.session.scalar(select(StoredFile.name).where(StoredFile.name == name)) is not None

    def delete(self, names: Iterable[str]) -> None:
        chosen = list(names)
        if chosen:
            db.session.execute(
                delete(StoredFile).where(StoredFile.name.in_(chosen)).execution_options(synchronize_session=False)
            )


@dataclass(frozen=True)
class CopyReport:
    """What `copy_files` did: files copied, files the target already had, and names the source lacked."""

    copied: int = 0
    already_there: int = 0
    missing: tuple[str, ...] = ()

    def __add__(self, other: CopyReport) -> CopyReport:
        return CopyReport(
            self.copied + other.copied, self.already_there + other.already_there, self.missing + other.missing
        )


def evidence_file_names(*, after: str = "", limit: int = 100) -> list[str]:
    """The names of stored evidence files, in name order, `limit` at a time after `after` (for batches)."""
    query = (
        select(Evidence.stored_name)
        .where(Evidence.stored_name.is_not(None), Evidence.stored_name > after)
        .order_by(Evidence.stored_name)
        .limit(limit)
    )
    return [name for name in db.session.scalars(query) if name]


def copy_files(names: Iterable[str], *, source: EvidenceStorage, target: EvidenceStorage) -> CopyReport:
    """Copy evidence files from one storage to another (moving to EVIDENCE_STORAGE=database, or back).

    The source is left as it was: delete it once the app runs on the target and the files open. A file the
    target already has is left alone, so running it again after a stop part-way carries on. The caller commits.
    """
    copied = already = 0
    missing: list[str] = []
    for name in names:
        if target.exists(name):
            already += 1
            continue
        content = source.read(name)
        if content is None:
            missing.append(name)
            continue
        target.save(name, content)
        copied += 1
    return CopyReport(copied, already, tuple(missing))


def _join_transaction() -> None:
    # The hooks below fire when the session's transaction ends: make sure there is one to end.
    db.session.connection()


def storage_for(kind: str, *, folder: Path | str) -> EvidenceStorage:
    """The storage EVIDENCE_STORAGE names; `folder` is used by the local backend only."""
    if kind == LOCAL:
        return LocalFolderStorage(folder)
    if kind == DATABASE:
        return DatabaseStorage()
    raise ValueError(f"EVIDENCE_STORAGE must be one of {', '.join(BACKENDS)}, not {kind!r}")


@event.listens_for(Session, "after_commit")
def _settle_files_of_committed_work(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_TO_DELETE, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _undo_files_of_rolled_back_work(session: Session, transaction: SessionTransaction) -> None:
    """No file in a folder without its row: a transaction that ends without committing takes its files with it,
    and keeps the files it meant to delete.

    Whoever ends it (the request's rollback on an error answer, a failed commit, a session closed mid-way),
    the files it wrote go. A committed transaction has already settled its files in ``after_commit``.
    """
    if transaction.parent is None:
        for path in session.info.pop(_WRITTEN, []):
            path.unlink(missing_ok=True)
        session.info.pop(_TO_DELETE, None)
