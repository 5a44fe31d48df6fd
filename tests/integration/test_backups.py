"""`flask backup create` and `flask backup restore`: the database, evidence files and signing keys make the round trip.

A backup needs committed data, and the suite's database is rolled back after every test, so these
tests build installations of their own: a database plus an upload folder and a key folder. SQLite
always runs. PostgreSQL runs when the suite does (TEST_DATABASE_URL), in databases named after the
suite's with `_backup_…` appended, made and dropped here.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from skillpath import backups
from skillpath.extensions import db
from skillpath.models import SkillLevel
from skillpath.services.certificates import certificates
from skillpath.services.certificates.signing import KeyStore
from skillpath.services.progress import evidence, progress
from skillpath.settings import evidence_storage
from tests import factories
from tests.conftest import dispose_engines, make_test_app

KINDS = ["sqlite", "postgresql"]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
EVIDENCE = {"notes.txt": "Notes about helping Zoë reset a password.\n".encode(), "screen.png": PNG}
ARCHIVE_NAME = re.compile(r"^skillpath-backup-\d{8}T\d{6}Z\.tar\.gz$")
_numbers = itertools.count(1)


@dataclass
class Installation:
    app: Flask
    url: str
    uploads: Path
    keys: Path

    def cli(self, *args: str) -> Result:
        # Flask's commands run in whatever app context is already pushed (the suite's, when other
        # modules run first), so push this installation's own.
        with self.app.app_context():
            return self.app.test_cli_runner().invoke(args=list(args))


class Installations:
    """Makes installations on one kind of database, and drops their PostgreSQL databases afterwards."""

    def __init__(self, kind: str, suite_url: str, folder: Path) -> None:
        self.kind = kind
        self.suite_url = sa.make_url(suite_url).set(drivername="postgresql+psycopg") if kind == "postgresql" else None
        self.folder = folder
        self.made: list[Installation] = []

    def new(self, name: str, *, migrate: str | None = None) -> Installation:
        name = f"{name}{next(_numbers)}"
        if self.suite_url is not None:
            url = self.suite_url.set(database=f"{self.suite_url.database}_backup_{name}")
            self._run_on_server(f"DROP DATABASE IF EXISTS {_quote(url.database)} WITH (FORCE)")
            self._run_on_server(f"CREATE DATABASE {_quote(url.database)}")
            database_url = url.render_as_string(hide_password=False)
        else:
            database_url = f"sqlite:///{self.folder / name}.sqlite"
        app = make_test_app(
            database_url,
            UPLOAD_FOLDER=str(self.folder / name / "uploads"),
            KEYS_FOLDER=str(self.folder / name / "keys"),
        )
        installation = Installation(app, database_url, self.folder / name / "uploads", self.folder / name / "keys")
        self.made.append(installation)
        if migrate:
            with app.app_context():
                upgrade(revision=migrate)
        return installation

    def _run_on_server(self, statement: str) -> None:
        assert self.suite_url is not None
        engine = sa.create_engine(self.suite_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def close(self) -> None:
        for installation in self.made:
            with installation.app.app_context():
                dispose_engines()
            if self.suite_url is not None:
                database = sa.make_url(installation.url).database
                self._run_on_server(f"DROP DATABASE IF EXISTS {_quote(database)} WITH (FORCE)")


def _quote(name: str | None) -> str:
    assert name and re.fullmatch(r"[A-Za-z0-9_]+", name)
    return f'"{name}"'


def _skip_unless_suite_runs_on(kind: str, database_url: str) -> None:
    if kind == "postgresql" and sa.make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL backups are tested when the suite runs on PostgreSQL (set TEST_DATABASE_URL)")


@pytest.fixture(scope="module", params=KINDS)
def installations(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Installations]:
    _skip_unless_suite_runs_on(request.param, database_url)
    made = Installations(request.param, database_url, tmp_path_factory.mktemp(f"backups-{request.param}"))
    yield made
    made.close()


@pytest.fixture
def sqlite_installations(tmp_path: Path) -> Iterator[Installations]:
    made = Installations("sqlite", "", tmp_path)
    yield made
    made.close()


def head_revision(app: Flask) -> str:
    return ScriptDirectory(app.extensions["migrate"].directory).get_current_head() or ""


def fill(installation: Installation) -> str:
    """Committed data in most tables, two evidence files, and a certificate signed with a new key."""
    with installation.app.app_context():
        cohort = factories.make_cohort()
        mentor = factories.make_mentor(cohorts=[cohort])
        learner = factories.make_learner(cohort=cohort, display_name="Zoë Ó Briain")
        skill = factories.make_skill(name="User support")
        module = factories.make_module(skills={skill: SkillLevel.WORKING})
        enrolment = progress.enrol(learner, module, actor=learner)
        db.session.flush()
        for name, content in EVIDENCE.items():
            upload = evidence.check_upload(io.BytesIO(content), name, max_bytes=1_000_000)
            evidence.add_evidence(
                enrolment, reflection=f"About {name}", upload=upload, actor=learner, storage=evidence_storage()
            )
        progress.sign_off(enrolment, mentor=mentor, note="Well done")
        code = certificates.issue_module_certificate(enrolment, mentor=mentor).code
        db.session.commit()
        db.session.remove()
    return code


def table_rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: sorted((tuple(row) for row in connection.execute(sa.select(table))), key=repr)
                for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def table_names(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        return sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def folder_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


@dataclass
class Backup:
    archive: Path
    rows: dict[str, list[tuple[Any, ...]]]
    uploads: dict[str, bytes]
    keys: dict[str, bytes]
    certificate_code: str
    output: str


@pytest.fixture(scope="module")
def backup(installations: Installations, tmp_path_factory: pytest.TempPathFactory) -> Backup:
    source = installations.new("src", migrate="head")
    code = fill(source)
    folder = tmp_path_factory.mktemp("archives")
    result = source.cli("backup", "create", "--output", str(folder))
    assert result.exit_code == 0, result.output
    (archive,) = folder.iterdir()
    return Backup(
        archive, table_rows(source.url), folder_files(source.uploads), folder_files(source.keys), code, result.output
    )


def read_archive(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {member.name: tar.extractfile(member).read() for member in tar.getmembers()}


def write_archive(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def assert_nothing_restored(target: Installation) -> None:
    assert table_names(target.url) == []
    assert not target.uploads.exists()
    assert not target.keys.exists()


# Making a backup


def test_a_backup_is_one_private_archive_with_a_manifest_of_every_file(backup, installations):
    assert {"users", "evidence", "certificates", "progress_events", "audit_events"} <= {
        name for name, rows in backup.rows.items() if rows
    }
    assert ARCHIVE_NAME.match(backup.archive.name)
    assert backup.archive.stat().st_mode & 0o777 == 0o600
    assert [path.name for path in backup.archive.parent.iterdir()] == [backup.archive.name]  # no temporary files
    members = read_archive(backup.archive)
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest["database_kind"] == installations.kind
    assert manifest["alembic_revision"] == head_revision(installations.made[0].app)
    assert manifest["app_version"] == backups.app_version()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["created_at"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    assert set(listed) == set(members)
    assert backups.DATABASE_MEMBERS[installations.kind] in members
    assert {f"uploads/{name}": content for name, content in backup.uploads.items()} | {
        f"keys/{name}": content for name, content in backup.keys.items()
    } == {name: content for name, content in members.items() if not name.startswith("database/")}
    for name, content in members.items():
        assert listed[name]["size"] == len(content)
    assert "2 evidence files and 2 signing-key files" in backup.output
    assert "keep it encrypted" in backup.output


def test_a_backup_is_not_written_inside_a_folder_it_backs_up(sqlite_installations):
    source = sqlite_installations.new("inside", migrate="head")
    source.uploads.mkdir(parents=True)

    result = source.cli("backup", "create", "--output", str(source.uploads))

    assert result.exit_code == 1
    assert "No backup was made." in result.output
    assert "Choose an --output outside" in result.output
    assert list(source.uploads.iterdir()) == []


# Restoring


def test_a_backup_restores_every_row_and_file_into_an_empty_installation(backup, installations):
    target = installations.new("restore")
    assert_nothing_restored(target)

    result = target.cli("backup", "restore", str(backup.archive))

    assert result.exit_code == 0, result.output
    assert "Restored the" in result.output
    assert "Warning" not in result.output
    assert table_rows(target.url) == backup.rows
    assert folder_files(target.uploads) == backup.uploads
    assert folder_files(target.keys) == backup.keys
    with target.app.app_context():
        # The restored keys still check what they signed, and new rows get new ids (sequences came back too).
        assert certificates.verify_code(backup.certificate_code, KeyStore(target.keys)).is_valid
        factories.make_admin()
        db.session.commit()
        db.session.remove()


def test_migrations_have_nothing_to_do_after_restoring_a_current_backup(backup, installations):
    target = installations.new("restore")
    assert target.cli("backup", "restore", str(backup.archive)).exit_code == 0
    assert backups.read_revision(sa.make_url(target.url)) == head_revision(target.app)

    assert target.cli("db", "upgrade").exit_code == 0
    assert target.cli("db", "check").exit_code == 0

    assert table_rows(target.url) == backup.rows


def test_restoring_over_a_database_that_holds_data_needs_yes(backup, installations):
    target = installations.new("busy", migrate="head")
    with target.app.app_context():
        factories.make_admin(username="already-here")
        db.session.commit()
        db.session.remove()
    before = table_rows(target.url)

    refused = target.cli("backup", "restore", str(backup.archive))

    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    assert "run the command again with --yes" in refused.output
    assert "Nothing was restored." in refused.output
    assert table_rows(target.url) == before
    assert not target.uploads.exists()

    replaced = target.cli("backup", "restore", str(backup.archive), "--yes")

    assert replaced.exit_code == 0, replaced.output
    assert table_rows(target.url) == backup.rows
    assert folder_files(target.uploads) == backup.uploads


def test_restoring_over_a_different_signing_key_needs_yes(backup, installations):
    target = installations.new("keys")
    target.keys.mkdir(parents=True)
    (target.keys / "current").write_text("another-key\n")

    refused = target.cli("backup", "restore", str(backup.archive))

    assert refused.exit_code == 1
    assert "differs from the backup's copy" in refused.output
    assert "--yes" in refused.output
    assert (target.keys / "current").read_text() == "another-key\n"
    assert table_names(target.url) == []


def _change_one_evidence_byte(archive: Path, folder: Path) -> Path:
    members = read_archive(archive)
    name = next(name for name in members if name.startswith("uploads/"))
    content = bytearray(members[name])
    content[0] ^= 0x01
    members[name] = bytes(content)
    return write_archive(folder / "changed.tar.gz", members)


def _cut_short(archive: Path, folder: Path) -> Path:
    data = archive.read_bytes()
    path = folder / "cut.tar.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _add_an_unlisted_file(archive: Path, folder: Path) -> Path:
    return write_archive(folder / "extra.tar.gz", read_archive(archive) | {"uploads/extra.txt": b"slipped in"})


def _claim_a_newer_schema(archive: Path, folder: Path) -> Path:
    members = read_archive(archive)
    manifest = json.loads(members["manifest.json"])
    manifest["alembic_revision"] = "ffffffffffff"
    members["manifest.json"] = json.dumps(manifest).encode()
    return write_archive(folder / "newer.tar.gz", members)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_change_one_evidence_byte, "does not match its checksum"),
        (_cut_short, "is damaged or is not a SkillPath backup"),
        (_add_an_unlisted_file, "is in the archive but not in its manifest"),
        (_claim_a_newer_schema, "made by a newer version"),
    ],
)
def test_a_damaged_or_changed_archive_restores_nothing(backup, installations, tmp_path, damage, reason):
    archive = damage(backup.archive, tmp_path)
    target = installations.new("damaged")

    result = target.cli("backup", "restore", str(archive))

    assert result.exit_code == 1
    assert reason in result.output
    assert "Nothing was restored." in result.output
    assert "Traceback" not in result.output
    assert_nothing_restored(target)
    assert target.cli("backup", "check", str(archive)).exit_code == 1


def _hostile_archive(path: Path, member: tarfile.TarInfo, content: bytes = b"") -> Path:
    """An archive whose manifest vouches for everything in it, including one member that tries to escape."""
    import hashlib

    manifest = {
        "format": "skillpath-backup",
        "format_version": 1,
        "created_at": "2026-11-30T09:00:00Z",
        "app_version": "0.1.0",
        "database_kind": "sqlite",
        "alembic_revision": None,
        "files": [{"path": member.name, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}],
    }
    with tarfile.open(path, "w:gz") as tar:
        harmless = tarfile.TarInfo("uploads/fine.txt")
        harmless.size = 2
        tar.addfile(harmless, io.BytesIO(b"ok"))
        member.size = len(content) if member.isreg() else 0
        tar.addfile(member, io.BytesIO(content) if member.isreg() else None)
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def _link(name: str, kind: bytes, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


@pytest.mark.parametrize(
    ("make_member", "reason"),
    [
        (lambda root: tarfile.TarInfo("uploads/../../../escaped.txt"), "would be written outside its folder"),
        (lambda root: tarfile.TarInfo("../escaped.txt"), "would be written outside its folder"),
        (lambda root: tarfile.TarInfo(str(root / "escaped.txt")), "would be written outside its folder"),
        (lambda root: _link("uploads/escaped.txt", tarfile.SYMTYPE, str(root / "x")), "not a plain file"),
        (lambda root: _link("keys/escaped.txt", tarfile.LNKTYPE, "../../escaped.txt"), "not a plain file"),
    ],
    ids=["dot-dot", "leading-dot-dot", "absolute", "symlink", "hard-link"],
)
def test_an_archive_that_would_write_outside_its_folders_is_refused(
    sqlite_installations, tmp_path, make_member, reason
):
    archive = _hostile_archive(tmp_path / "hostile.tar.gz", make_member(tmp_path), b"planted")
    target = sqlite_installations.new("hostile")

    result = target.cli("backup", "restore", str(archive), "--yes")

    assert result.exit_code == 1
    assert reason in result.output
    assert "Nothing was restored." in result.output
    assert list(tmp_path.rglob("escaped.txt")) == []
    assert list(Path(tempfile.gettempdir()).glob("escaped.txt")) == []
    assert_nothing_restored(target)


def test_an_older_backup_restores_with_a_warning_and_then_upgrades(sqlite_installations, tmp_path):
    scripts = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations"))
    first = scripts.get_base()
    assert first is not None and first != scripts.get_current_head()
    source = sqlite_installations.new("old", migrate=first)
    assert source.cli("backup", "create", "--output", str(tmp_path)).exit_code == 0
    (archive,) = tmp_path.glob("skillpath-backup-*.tar.gz")
    target = sqlite_installations.new("upgrade")

    result = target.cli("backup", "restore", str(archive))

    assert result.exit_code == 0, result.output
    assert f"schema revision {first}, older than this version's" in result.output
    assert "Run `flask db upgrade`" in result.output
    assert target.cli("db", "upgrade").exit_code == 0
    assert backups.read_revision(sa.make_url(target.url)) == scripts.get_current_head()


def test_the_postgresql_tools_get_the_password_only_through_the_environment(monkeypatch, tmp_path):
    calls = []

    def run(command, **kwargs):
        calls.append((command, kwargs["env"]))
        return type("Done", (), {"returncode": 1, "stderr": "pg_dump: error: connection failed\n"})()

    monkeypatch.setattr(backups.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(backups.subprocess, "run", run)
    url = sa.make_url("postgresql+psycopg://skillpath:s3cret@db.example:6543/skillpath?sslmode=require")

    with pytest.raises(backups.BackupError) as error:
        backups._run_pg_tool(["pg_dump", "--format=custom", f"--file={tmp_path / 'dump'}"], url)

    ((command, environment),) = calls
    assert command[0] == "/usr/bin/pg_dump" and "--dbname=skillpath" in command
    assert not any("s3cret" in argument for argument in command)
    assert environment["PGPASSWORD"] == "s3cret"
    assert (environment["PGHOST"], environment["PGPORT"], environment["PGUSER"]) == ("db.example", "6543", "skillpath")
    assert environment["PGSSLMODE"] == "require"
    assert "s3cret" not in str(error.value)
    assert "connection failed" in str(error.value)
