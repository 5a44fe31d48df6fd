"""Backups that restore: one archive holding the database, the evidence files and the signing keys.

An archive is a gzipped tar laid out like this:

    database/skillpath.sqlite    a copy made with SQLite's online backup API, or
    database/skillpath.pgdump    `pg_dump --format=custom` of the PostgreSQL database
    uploads/...                  the evidence files (UPLOAD_FOLDER); none when EVIDENCE_STORAGE is
                                 "database", as the database copy holds them (table stored_files)
    keys/...                     the issuer's signing keys (KEYS_FOLDER)
    manifest.json                when it was made, by which version, which database and schema
                                 revision, where evidence files were kept, and the size and SHA-256
                                 of every other member

Both database copies are consistent while the app runs, so there is no need to stop it to
back up. Restoring checks the whole archive before it changes anything: every member must be
a plain file whose name keeps it inside one of those folders (a hostile archive cannot write
anywhere else), and every file must match the manifest. The checksums find damage and careless
edits; they are not a signature, so archives must be kept where only operators can change them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from flask import Flask

FORMAT = "skillpath-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/skillpath.sqlite", "postgresql": "database/skillpath.pgdump"}
UPLOADS = "uploads"
KEYS = "keys"
_TOP_FOLDERS = {"database", UPLOADS, KEYS}
_KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MANIFEST_MAX_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024
# libpq settings that may ride in a database URL's query string, and the environment variable for each.
_LIBPQ_QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
}
NOTHING_RESTORED = "Nothing was restored."
# Where an installation keeps evidence files (EVIDENCE_STORAGE); archives made before it was recorded: a folder.
LOCAL_FILES = "local"
DATABASE_FILES = "database"


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with a message that says why and what to do."""


@dataclass(frozen=True)
class Locations:
    """Where one SkillPath installation keeps what a backup holds."""

    database_url: sa.URL  # its str() hides the password
    upload_folder: Path
    keys_folder: Path
    migrations_folder: Path
    backups_folder: Path
    # "database": the evidence files are rows in the database copy, and upload_folder plays no part.
    evidence_storage: str = LOCAL_FILES

    @property
    def evidence_folder(self) -> Path | None:
        """The folder the archive's uploads/ come from and go back to, if evidence files are kept in one."""
        return self.upload_folder if self.evidence_storage == LOCAL_FILES else None

    def folders(self) -> list[tuple[str, Path]]:
        """The archive's folders and where each is kept here."""
        evidence = self.evidence_folder
        return ([(UPLOADS, evidence)] if evidence is not None else []) + [(KEYS, self.keys_folder)]


def locations_from_app(app: Flask) -> Locations:
    """The app's database and folders. Needs an app context (to read the engine's resolved URL)."""
    from skillpath.extensions import db

    instance = Path(app.instance_path)
    # The same defaults as learners.routes.upload_folder and services.signing.app_key_store.
    uploads = app.config.get("UPLOAD_FOLDER") or instance / "uploads"
    keys = app.config.get("KEYS_FOLDER") or instance / "keys"
    return Locations(
        # The engine's URL, not the setting: Flask-SQLAlchemy resolves relative SQLite paths against instance/.
        database_url=db.engine.url,
        upload_folder=Path(uploads),
        keys_folder=Path(keys),
        migrations_folder=Path(app.extensions["migrate"].directory),
        backups_folder=instance / "backups",
        evidence_storage=str(app.config.get("EVIDENCE_STORAGE") or LOCAL_FILES),
    )


@dataclass(frozen=True)
class FileEntry:
    path: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    created_at: str
    app_version: str
    database_kind: str
    alembic_revision: str | None
    files: tuple[FileEntry, ...]
    evidence_storage: str = LOCAL_FILES

    @property
    def database_name(self) -> str:
        return _KIND_NAMES[self.database_kind]

    def count(self, folder: str) -> int:
        return sum(1 for entry in self.files if entry.path.startswith(f"{folder}/"))

    def as_json(self) -> bytes:
        content = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": self.created_at,
            "app_version": self.app_version,
            "database_kind": self.database_kind,
            "alembic_revision": self.alembic_revision,
            "evidence_storage": self.evidence_storage,
            "files": [{"path": e.path, "size": e.size, "sha256": e.sha256} for e in self.files],
        }
        return json.dumps(content, indent=2).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size_bytes: int
    manifest: Manifest
    skipped: tuple[str, ...]

    def summary(self) -> str:
        lines = [
            f"Backed up {_database_phrase(self.manifest)}, {_files_phrase(self.manifest)} "
            f"to {self.path} ({format_size(self.size_bytes)}).",
        ]
        lines += [f"Not backed up (not a plain file): {name}" for name in self.skipped]
        lines.append(
            "The archive holds personal data and the signing keys: keep it encrypted, where only operators can read it."
        )
        return "\n".join(lines)


@dataclass(frozen=True)
class RestoreReport:
    archive: Path
    manifest: Manifest
    warnings: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"Restored {_database_phrase(self.manifest)}, {_files_phrase(self.manifest)} from {self.archive} "
            f"(backed up at {self.manifest.created_at} by SkillPath {self.manifest.app_version}). "
            "Start the app again so that it reads them."
        )


def _database_phrase(manifest: Manifest) -> str:
    return f"the {manifest.database_name} database (schema revision {manifest.alembic_revision or 'unknown'})"


def _files_phrase(manifest: Manifest) -> str:
    keys = _plural(manifest.count(KEYS), "signing-key file")
    if manifest.evidence_storage == DATABASE_FILES:
        return f"its evidence files (kept in the database) and {keys}"
    return f"{_plural(manifest.count(UPLOADS), 'evidence file')} and {keys}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def database_kind(url: sa.URL) -> str:
    kind = url.get_backend_name()
    if kind not in DATABASE_MEMBERS:
        raise BackupError(f"SkillPath can back up SQLite and PostgreSQL databases, not {kind}.")
    return kind


def _sqlite_path(url: sa.URL) -> Path:
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("The database is held in memory. Set DATABASE_URL to a database file.")
    return Path(url.database)


def app_version() -> str:
    try:
        return metadata.version("skillpath")
    except metadata.PackageNotFoundError:
        return "unknown"


# Making a backup


def create_backup(locations: Locations, output: Path | None = None, *, now: datetime | None = None) -> BackupReport:
    """Write one archive of the database and both folders. It appears under its final name only when complete."""
    now = now or datetime.now(UTC)
    kind = database_kind(locations.database_url)
    target = _output_path(output, locations.backups_folder, now)
    for _, folder in locations.folders():
        if target.parent.resolve().is_relative_to(folder.resolve()):
            # The archive would end up inside the next backup, and key folders are shared between hosts.
            raise BackupError(f"Choose an --output outside {folder}: that folder is part of the backup.")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".skillpath-backup-") as staging:
        dump = Path(staging) / "database"
        revision = _dump_database(kind, locations.database_url, dump)
        manifest_base = Manifest(_iso(now), app_version(), kind, revision, (), locations.evidence_storage)
        temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw:
                manifest, skipped = _write_archive(raw, manifest_base, dump, locations)
                raw.flush()
                os.fsync(raw.fileno())
            if target.exists():
                raise BackupError(f"{target} already exists. Choose another --output.")
            os.replace(temporary, target)
        except OSError as error:
            raise BackupError(f"The archive could not be written: {error}.") from error
        finally:
            temporary.unlink(missing_ok=True)
    _fsync_folder(target.parent)
    return BackupReport(target, target.stat().st_size, manifest, tuple(skipped))


def default_archive_name(now: datetime) -> str:
    return f"skillpath-backup-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.tar.gz"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _output_path(output: Path | None, backups_folder: Path, now: datetime) -> Path:
    if output is None:
        # Inside instance/ (never the repository), readable by the app's user alone.
        backups_folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        output = backups_folder
    if output.is_dir():
        output = output / default_archive_name(now)
    if not output.parent.is_dir():
        raise BackupError(f"The folder {output.parent} does not exist. Create it, or choose another --output.")
    if output.exists():
        raise BackupError(f"{output} already exists. Choose another --output.")
    return output


def _dump_database(kind: str, url: sa.URL, destination: Path) -> str | None:
    """Copy the database to a file, and return the schema revision that copy is at."""
    if kind == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupError(f"There is no SQLite database at {source}. Check DATABASE_URL.")
        _sqlite_copy(f"{source.resolve().as_uri()}?mode=ro", destination)
        # Read from the copy, so the revision is exactly the one of the data in the archive.
        return read_revision(sa.URL.create("sqlite", database=str(destination)))
    revision = read_revision(url)
    _run_pg_tool(["pg_dump", "--format=custom", "--no-password", f"--file={destination}"], url)
    return revision


def _sqlite_copy(source: str, destination: Path) -> None:
    """Copy with SQLite's backup API: a consistent snapshot even while the app writes."""
    try:
        with (
            contextlib.closing(sqlite3.connect(source, uri=True)) as reader,
            contextlib.closing(sqlite3.connect(destination)) as writer,
        ):
            reader.backup(writer)
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite database could not be copied: {error}.") from error


def read_revision(url: sa.URL) -> str | None:
    """The Alembic revision the database is at, or None if it has never been migrated."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.SQLAlchemyError as error:
        raise BackupError(f"Could not read the database {url}: {_first_line(error)}") from error
    finally:
        engine.dispose()


def _first_line(error: sa.exc.SQLAlchemyError) -> str:
    # The driver's own message ("database … does not exist"); libpq never puts a password in one.
    cause = getattr(error, "orig", None) or error
    return (str(cause).strip().splitlines() or [error.__class__.__name__])[0]


def _write_archive(raw: IO[bytes], manifest: Manifest, dump: Path, locations: Locations) -> tuple[Manifest, list[str]]:
    entries = []
    skipped: list[str] = []
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        entries.append(_add_file(archive, dump, DATABASE_MEMBERS[manifest.database_kind]))
        for folder_name, folder in locations.folders():
            for path, relative in _folder_files(folder, skipped):
                entries.append(_add_file(archive, path, f"{folder_name}/{relative}"))
        manifest = replace(manifest, files=tuple(entries))
        content = manifest.as_json()
        info = _member_info(MANIFEST, len(content), int(datetime.now(UTC).timestamp()))
        archive.addfile(info, _HashingReader(_BytesReader(content)))
    return manifest, skipped


def _folder_files(folder: Path, skipped: list[str]) -> Iterator[tuple[Path, str]]:
    """Every plain file under the folder, in a stable order. Links are left out: they could point anywhere."""
    if not folder.is_dir():
        return
    for root, directories, files in os.walk(folder):
        directories.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_symlink() or not path.is_file():
                skipped.append(str(path))
                continue
            yield path, path.relative_to(folder).as_posix()


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._offset + size
        chunk = bytes(self._data[self._offset : end])
        self._offset += len(chunk)
        return chunk


class _HashingReader:
    """Hashes exactly the bytes that go into the archive, so the manifest describes what was stored."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._stream.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


def _member_info(name: str, size: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = mtime
    info.mode = 0o600
    return info


def _add_file(archive: tarfile.TarFile, path: Path, member: str) -> FileEntry:
    with path.open("rb") as stream:
        status = os.fstat(stream.fileno())
        reader = _HashingReader(stream)
        try:
            archive.addfile(_member_info(member, status.st_size, int(status.st_mtime)), reader)
        except OSError as error:
            # A file that shrank while it was read: the archive would not hold what the manifest says.
            raise BackupError(f"{path} changed while it was being backed up. Run the backup again.") from error
    return FileEntry(member, reader.size, reader.digest.hexdigest())


def _fsync_folder(folder: Path) -> None:
    # The rename is only durable once the folder itself is on disk.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# PostgreSQL client tools


def _libpq_environment(url: sa.URL) -> dict[str, str]:
    """The connection as libpq environment variables, so no password appears in a command line or a log."""
    environment = dict(os.environ)
    for name, value in url.query.items():
        variable = _LIBPQ_QUERY_ENV.get(name)
        if variable:
            environment[variable] = value if isinstance(value, str) else ",".join(value)
    settings = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password}
    environment.update({name: str(value) for name, value in settings.items() if value is not None})
    return environment


def _run_pg_tool(arguments: list[str], url: sa.URL) -> None:
    if not url.database:
        raise BackupError("DATABASE_URL must name the database, for example postgresql+psycopg://host/skillpath.")
    executable = shutil.which(arguments[0])
    if executable is None:
        raise BackupError(
            f"{arguments[0]} was not found. Install the PostgreSQL client tools, "
            "of the same major version as the server or newer."
        )
    # An argument list, never a shell; --dbname=NAME so a name cannot be read as an option.
    command = [executable, *arguments[1:], f"--dbname={url.database}"]
    result = subprocess.run(  # noqa: S603  (fixed program, no shell)
        command, env=_libpq_environment(url), stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = " ".join(result.stderr.strip().splitlines()[-3:]) or f"exit status {result.returncode}"
        raise BackupError(f"{arguments[0]} failed: {detail}")


# Checking an archive


def check_archive(archive: Path, staging: Path) -> Manifest:
    """Unpack the archive into an empty staging folder and check every file against the manifest.

    Raises BackupError, saying what is wrong, for anything that is not a whole, unchanged SkillPath backup.
    """
    try:
        # Stream mode reads the archive once, so what is checked is exactly what is restored.
        with tarfile.open(archive, mode="r|gz") as tar:
            manifest_bytes, found = _unpack(tar, staging)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(f"{archive} is damaged or is not a SkillPath backup ({error}).") from error
    if manifest_bytes is None:
        raise BackupError(f"{archive} has no {MANIFEST}, so it is not a SkillPath backup.")
    manifest = parse_manifest(manifest_bytes)
    _compare(manifest, found)
    return manifest


def is_safe_member_name(name: str) -> bool:
    """A relative path inside one of the archive's folders: no absolute paths, no '..', nothing odd."""
    if name == MANIFEST:
        return True
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    return len(parts) >= 2 and parts[0] in _TOP_FOLDERS


def _unpack(tar: tarfile.TarFile, staging: Path) -> tuple[bytes | None, dict[str, FileEntry]]:
    manifest_bytes = None
    found: dict[str, FileEntry] = {}
    for member in tar:
        name = member.name
        if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE):
            raise BackupError(f"The archive holds {name!r}, which is not a plain file. Links are not allowed.")
        if not is_safe_member_name(name):
            raise BackupError(f"The archive holds a file named {name!r}, which would be written outside its folder.")
        if name in found or (name == MANIFEST and manifest_bytes is not None):
            raise BackupError(f"The archive holds {name!r} twice.")
        stream = tar.extractfile(member)
        if stream is None:  # pragma: no cover  (plain files always have a stream)
            raise BackupError(f"The archive's {name!r} cannot be read.")
        if name == MANIFEST:
            if member.size > _MANIFEST_MAX_BYTES:
                raise BackupError(f"The archive's {MANIFEST} is too large to be a SkillPath manifest.")
            manifest_bytes = stream.read()
        else:
            found[name] = _unpack_file(stream, staging / name, name)
    return manifest_bytes, found


def _unpack_file(stream: IO[bytes], destination: Path, name: str) -> FileEntry:
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    size = 0
    with destination.open("xb") as out:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return FileEntry(name, size, digest.hexdigest())


def parse_manifest(raw: bytes) -> Manifest:
    try:
        content = json.loads(raw.decode("utf-8"))
        if content.get("format") != FORMAT:
            raise ValueError("it is not a SkillPath backup manifest")
        if content.get("format_version") != FORMAT_VERSION:
            raise ValueError(
                f"this version of SkillPath reads format {FORMAT_VERSION}, not {content['format_version']}"
            )
        kind = content["database_kind"]
        if kind not in DATABASE_MEMBERS:
            raise ValueError(f"unknown database kind {kind!r}")
        revision = content["alembic_revision"]
        if revision is not None and not isinstance(revision, str):
            raise ValueError("the schema revision is not text")
        files = tuple(_file_entry(item) for item in content["files"])
        storage = content.get("evidence_storage", LOCAL_FILES)
        if storage not in (LOCAL_FILES, DATABASE_FILES):
            raise ValueError(f"unknown evidence storage {storage!r}")
        return Manifest(str(content["created_at"]), str(content["app_version"]), kind, revision, files, storage)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BackupError(f"The archive's {MANIFEST} cannot be read: {error}.") from error


def _file_entry(item: dict[str, Any]) -> FileEntry:
    path, size, sha256 = item["path"], item["size"], item["sha256"]
    if not isinstance(path, str) or path == MANIFEST or not is_safe_member_name(path):
        raise ValueError(f"it lists a file named {path!r}, which would be written outside its folder")
    if not isinstance(size, int) or size < 0 or not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise ValueError(f"the size or checksum of {path!r} is not valid")
    return FileEntry(path, size, sha256)


def _compare(manifest: Manifest, found: dict[str, FileEntry]) -> None:
    listed = {entry.path: entry for entry in manifest.files}
    if len(listed) != len(manifest.files):
        raise BackupError(f"The archive's {MANIFEST} lists a file twice.")
    missing = sorted(set(listed) - set(found))
    if missing:
        raise BackupError(f"{missing[0]} is listed in the manifest but is missing from the archive.")
    unlisted = sorted(set(found) - set(listed))
    if unlisted:
        raise BackupError(f"{unlisted[0]} is in the archive but not in its manifest: the archive has been changed.")
    changed = sorted(path for path, entry in listed.items() if found[path] != entry)
    if changed:
        raise BackupError(f"{changed[0]} does not match its checksum: the archive is damaged or has been changed.")
    if DATABASE_MEMBERS[manifest.database_kind] not in listed:
        raise BackupError(f"The archive holds no copy of the {_KIND_NAMES[manifest.database_kind]} database.")


# Restoring


def restore_backup(locations: Locations, archive: Path, *, overwrite: bool = False) -> RestoreReport:
    """Check the whole archive, then restore the database and the two folders from it.

    Nothing is changed unless every check passes. A database or folder that already holds
    different data is replaced only when `overwrite` is true. Stop the app first: a restore
    under a running app would be read half-done.
    """
    with tempfile.TemporaryDirectory(prefix="skillpath-restore-") as staging_name:
        staging = Path(staging_name)
        try:
            kind = database_kind(locations.database_url)
            manifest = check_archive(archive, staging)
            warnings = check_fits(manifest, kind, locations.migrations_folder)
            _check_evidence_storage(manifest, locations.evidence_storage)
            if not overwrite:
                _refuse_to_replace_data(locations, staging)
            _restore_database(kind, staging / DATABASE_MEMBERS[kind], locations.database_url)
        except BackupError as error:
            raise BackupError(f"{error} {NOTHING_RESTORED}") from error
        try:
            for folder_name, folder in locations.folders():
                _restore_folder(staging / folder_name, folder)
        except (OSError, BackupError) as error:
            raise BackupError(
                f"The database was restored, but the files were not: {error}. "
                "Fix this, then run the restore again with --yes."
            ) from error
    return RestoreReport(archive, manifest, tuple(warnings))


def _check_evidence_storage(manifest: Manifest, storage: str) -> None:
    """Refuse to restore evidence files where this installation would not look for them."""
    if manifest.evidence_storage == storage:
        return
    if manifest.evidence_storage == DATABASE_FILES:
        raise BackupError(
            "The backup keeps its evidence files in the database, but this SkillPath keeps them in a folder. "
            "Set EVIDENCE_STORAGE=database and restore again."
        )
    raise BackupError(
        "The backup keeps its evidence files in a folder, but this SkillPath keeps them in the database. "
        "Set EVIDENCE_STORAGE=local (and UPLOAD_FOLDER) and restore again."
    )


def check_fits(manifest: Manifest, kind: str, migrations_folder: Path) -> list[str]:
    """Refuse a backup this installation cannot use; warn about one it must upgrade."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if manifest.database_kind != kind:
        raise BackupError(
            f"The backup is of a {_KIND_NAMES[manifest.database_kind]} database, but this SkillPath uses "
            f"{_KIND_NAMES[kind]}. Restore it into a {_KIND_NAMES[manifest.database_kind]} database."
        )
    revision = manifest.alembic_revision
    if revision is None:
        return ["The backup does not say which schema revision it is at. Run `flask db upgrade` after restoring."]
    scripts = ScriptDirectory(str(migrations_folder))
    heads = scripts.get_heads()
    if revision in heads:
        return []
    try:
        scripts.get_revision(revision)
    except CommandError:
        raise BackupError(
            f"The backup's database is at schema revision {revision}, which this version of SkillPath does not "
            f"know: it was made by a newer version (SkillPath {manifest.app_version}). Restore it with that version."
        ) from None
    return [
        f"The backup's database is at schema revision {revision}, older than this version's "
        f"{', '.join(heads)}. Run `flask db upgrade` now to bring it up to date."
    ]


def database_holds_data(url: sa.URL) -> bool:
    """Whether any table, other than Alembic's own, has a row."""
    if database_kind(url) == "sqlite" and not _sqlite_path(url).exists():
        return False  # connecting would create the file
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                query = sa.select(sa.literal(1)).select_from(sa.table(table)).limit(1)
                if table != "alembic_version" and connection.execute(query).first() is not None:
                    return True
    except sa.exc.SQLAlchemyError as error:
        raise BackupError(f"Could not read the database {url}: {_first_line(error)}") from error
    finally:
        engine.dispose()
    return False


def _refuse_to_replace_data(locations: Locations, staging: Path) -> None:
    if database_holds_data(locations.database_url):
        raise BackupError(
            f"The database {locations.database_url} already holds data. Restoring replaces all of it with the "
            "backup's. If that is what you want, run the command again with --yes."
        )
    for folder_name, target in locations.folders():
        for source, destination in _folder_pairs(staging / folder_name, target):
            if destination.exists() and not _same_bytes(source, destination):
                raise BackupError(
                    f"{destination} already exists and differs from the backup's copy. Restoring replaces it. "
                    "If that is what you want, run the command again with --yes."
                )


def _same_bytes(first: Path, second: Path) -> bool:
    if first.stat().st_size != second.stat().st_size:
        return False
    with first.open("rb") as a, second.open("rb") as b:
        while chunk := a.read(_CHUNK):
            if chunk != b.read(len(chunk)):
                return False
    return True


def _restore_database(kind: str, dump: Path, url: sa.URL) -> None:
    if kind == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # The backup API replaces the whole file's content in one transaction.
        _sqlite_copy(f"{dump.resolve().as_uri()}?mode=ro", target)
        return
    # One transaction: a restore that fails part-way leaves the database as it was.
    _run_pg_tool(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            str(dump),
        ],
        url,
    )


def _folder_pairs(source_root: Path, target_root: Path) -> Iterator[tuple[Path, Path]]:
    if not source_root.is_dir():
        return
    for source in sorted(source_root.rglob("*")):
        if source.is_file():
            yield source, target_root / source.relative_to(source_root)


def _restore_folder(source_root: Path, target_root: Path) -> None:
    """Copy the staged files in, each under a temporary name first. Files the backup does not hold are left."""
    target_root.mkdir(parents=True, exist_ok=True, mode=0o700)
    resolved_root = target_root.resolve()
    for source, destination in _folder_pairs(source_root, target_root):
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Checked names cannot climb out, but a link already inside the folder could lead elsewhere.
        if not destination.parent.resolve().is_relative_to(resolved_root) or destination.is_symlink():
            raise BackupError(f"{destination} is reached through a link, so it was not written.")
        temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.tmp")
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as out, source.open("rb") as data:
                shutil.copyfileobj(data, out, _CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, destination)
        finally:
            temporary.unlink(missing_ok=True)
