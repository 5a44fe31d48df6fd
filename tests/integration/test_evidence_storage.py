"""Evidence files in a folder or in the database: the same promises either way.

A file and the row that names it live and die together: a file saved by work that is rolled back is gone, a
file deleted by work that is rolled back stays, and a file deleted by work that commits is gone. The pages
(upload, download, closing an account) and backups work the same with EVIDENCE_STORAGE=database, and then
nothing is written to the upload folder.
"""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from skillpath.extensions import db
from skillpath.models import Evidence, StoredFile
from skillpath.services.progress import evidence, progress
from skillpath.services.progress.evidence_storage import (
    DatabaseStorage,
    EvidenceStorage,
    LocalFolderStorage,
    new_name,
    storage_for,
)
from skillpath.settings import evidence_storage
from tests import factories
from tests.conftest import sign_in
from tests.helpers import csrf_token, field_errors, location_path, post_form
from tests.integration import _leaving_world as world
from tests.integration._leaving_world import build_leaver
from tests.integration.test_backups import Installations, fill, folder_files, table_rows

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(params=["local", "database"])
def storage(request: pytest.FixtureRequest, app: Flask, tmp_path: Path) -> EvidenceStorage:
    return storage_for(request.param, folder=tmp_path / "uploads")


@pytest.fixture
def in_database(app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The app keeps evidence in the database; returns the upload folder, which must stay empty."""
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "EVIDENCE_STORAGE", "database")
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


def _files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _stored_files() -> int:
    return db.session.scalar(select(func.count()).select_from(StoredFile)) or 0


# --- The storage itself -------------------------------------------------------------------------------------


def test_the_app_picks_the_storage_from_its_settings(app: Flask, in_database: Path) -> None:
    assert isinstance(evidence_storage(), DatabaseStorage)
    app.config["EVIDENCE_STORAGE"] = "local"
    chosen = evidence_storage()
    assert isinstance(chosen, LocalFolderStorage) and chosen.folder == in_database


def test_an_unknown_storage_is_refused() -> None:
    with pytest.raises(ValueError, match="EVIDENCE_STORAGE"):
        storage_for("s3", folder=Path("unused"))


def test_a_saved_file_reads_back_whole(storage: EvidenceStorage) -> None:
    name = new_name()
    storage.save(name, PDF)
    db.session.commit()

    assert storage.exists(name) and storage.read(name) == PDF
    opened = storage.open(name)
    assert opened is not None
    with opened.stream:
        assert opened.size == len(PDF) and opened.stream.read() == PDF


def test_a_file_saved_by_work_that_is_rolled_back_is_gone(storage: EvidenceStorage, tmp_path: Path) -> None:
    name = new_name()
    storage.save(name, PDF)
    assert storage.exists(name)

    db.session.rollback()

    assert not storage.exists(name) and storage.read(name) is None
    assert _files_in(tmp_path / "uploads") == [] and _stored_files() == 0


def test_a_file_deleted_by_work_that_is_rolled_back_stays(storage: EvidenceStorage) -> None:
    name = new_name()
    storage.save(name, PDF)
    db.session.commit()

    storage.delete([name])
    db.session.rollback()

    assert storage.read(name) == PDF


def test_a_file_deleted_by_work_that_commits_is_gone(storage: EvidenceStorage, tmp_path: Path) -> None:
    kept, deleted = new_name(), new_name()
    storage.save(kept, b"keep me")
    storage.save(deleted, PDF)
    db.session.commit()

    storage.delete([deleted])
    db.session.commit()

    assert not storage.exists(deleted) and storage.read(kept) == b"keep me"


@pytest.mark.parametrize("name", ["0" * 32, "../../etc/passwd", "", "A" * 32])
def test_a_name_that_was_never_saved_opens_nothing(storage: EvidenceStorage, name: str) -> None:
    assert storage.open(name) is None and storage.read(name) is None and not storage.exists(name)


def test_a_name_that_is_not_ours_is_never_written(storage: EvidenceStorage) -> None:
    with pytest.raises(ValueError, match="stored file name"):
        storage.save("../outside", PDF)


# --- The pages, with EVIDENCE_STORAGE=database ----------------------------------------------------------------


@pytest.fixture
def started(learner) -> str:
    learner.learner_profile.target_role_level = factories.make_role_level()
    module = factories.make_module(code="STORE-01", units=1)
    progress.enrol(learner, module, actor=learner)
    db.session.flush()
    return module.code


def _upload(client, code: str, content: bytes, name: str):
    url = f"/learner/modules/{code}/add-evidence"
    return post_form(client, url, {"reflection": "I kept my notes.", "file": (io.BytesIO(content), name)})


def test_an_upload_goes_to_the_database_and_downloads_for_learner_and_mentor(
    app: Flask, in_database: Path, learner_client, mentor, learner, started: str
) -> None:
    response = _upload(learner_client, started, PDF, "notes.pdf")

    assert location_path(response) == f"/learner/modules/{started}"
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    assert item is not None and item.stored_name is not None
    row = db.session.get(StoredFile, item.stored_name)
    assert row is not None and row.content == PDF and row.size_bytes == len(PDF)
    assert _files_in(in_database) == []
    for client in (learner_client, sign_in(app.test_client(), mentor)):
        download = client.get(f"/learner/evidence/{item.public_id}/file")
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Length"] == str(len(PDF))
        assert download.headers["Content-Disposition"] == "attachment; filename=notes.pdf"


def test_a_refused_upload_keeps_nothing_in_the_database(in_database: Path, learner_client, started: str) -> None:
    response = _upload(learner_client, started, b"MZ\x90\x00" + b"\x00" * 64, "cv.pdf")

    assert any("must be a PDF, PNG, JPEG or plain text" in error for error in field_errors(response))
    assert _stored_files() == 0 and _files_in(in_database) == []


def test_an_upload_whose_commit_fails_keeps_no_file(
    in_database: Path, learner_client, started: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"/learner/modules/{started}/add-evidence"
    token = csrf_token(learner_client, url)

    def refuse() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", refuse)
    try:
        status = learner_client.post(
            url, data={"csrf_token": token, "reflection": "Mine", "file": (io.BytesIO(PDF), "notes.pdf")}
        ).status_code
    except OperationalError:
        status = 500  # the testing app raises the request's failed commit; a running app shows its error page
    monkeypatch.undo()

    assert status in {500, 503}
    assert _stored_files() == 0 and db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_a_missing_file_is_not_found_rather_than_an_error(
    in_database: Path, learner_client, learner, started: str
) -> None:
    _upload(learner_client, started, PDF, "notes.pdf")
    item = db.session.scalar(select(Evidence).where(Evidence.learner_id == learner.id))
    db.session.delete(db.session.get(StoredFile, item.stored_name))
    db.session.flush()

    assert learner_client.get(f"/learner/evidence/{item.public_id}/file").status_code == 404


def test_closing_an_account_deletes_its_files_from_the_database(app: Flask, in_database: Path) -> None:
    leaver = build_leaver(released_at=None)
    others = factories.make_learner()
    other = progress.enrol(others, factories.make_module(units=1), actor=others)
    upload = evidence.check_upload(io.BytesIO(b"someone else's notes\n"), "mine.txt", max_bytes=1024)
    theirs = evidence.add_evidence(other, reflection="Mine", upload=upload, actor=others, storage=evidence_storage())
    assert _stored_files() == 2
    client = sign_in(app.test_client(), leaver.learner)

    response = post_form(
        client, "/learner/close-account/confirm", {"password": factories.PASSWORD, "certificates": "keep"}
    )

    assert location_path(response) == "/sign-in"
    assert list(db.session.scalars(select(StoredFile.name))) == [theirs.stored_name]
    assert _files_in(in_database) == []


def test_a_closure_with_the_wrong_password_deletes_no_file(app: Flask, in_database: Path) -> None:
    leaver = build_leaver(released_at=None)
    client = sign_in(app.test_client(), leaver.learner)

    post_form(client, "/learner/close-account/confirm", {"password": "not my password at all", "certificates": "keep"})

    assert _stored_files() == 1


def test_my_data_lists_evidence_kept_in_the_database(app: Flask, in_database: Path) -> None:
    leaver = build_leaver(released_at=None)
    client = sign_in(app.test_client(), leaver.learner)

    download = client.get("/learner/my-data/download")

    assert download.status_code == 200
    evidence_with_files = [item for item in json.loads(download.data)["evidence"] if item["file_name"]]
    assert [(item["file_name"], item["file_size_bytes"]) for item in evidence_with_files] == [
        ("printer.txt", len(world.FILE_BYTES))
    ]


# --- Backups ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def database_installations(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Installations, str]]:
    from sqlalchemy import make_url

    kind = make_url(database_url).get_backend_name()
    made = Installations(kind, database_url, tmp_path_factory.mktemp(f"storage-backups-{kind}"))
    yield made, kind
    made.close()


def test_a_backup_of_evidence_in_the_database_restores_with_its_files(
    database_installations: tuple[Installations, str], tmp_path: Path
) -> None:
    installations, _ = database_installations
    source = installations.new("dbsrc", migrate="head")
    source.app.config["EVIDENCE_STORAGE"] = "database"
    fill(source)
    rows = table_rows(source.url)
    assert len(rows["stored_files"]) == 2 and folder_files(source.uploads) == {}

    result = source.cli("backup", "create", "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "its evidence files (kept in the database)" in result.output
    (archive,) = tmp_path.iterdir()
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest_file = tar.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.loads(manifest_file.read())
    assert manifest["evidence_storage"] == "database"
    assert not any(name.startswith("uploads/") for name in names)

    into_folder = installations.new("dblocal")
    refused = into_folder.cli("backup", "restore", str(archive))
    assert refused.exit_code != 0 and "EVIDENCE_STORAGE=database" in refused.output
    assert "Nothing was restored." in refused.output

    target = installations.new("dbdst")
    target.app.config["EVIDENCE_STORAGE"] = "database"
    restored = target.cli("backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    assert table_rows(target.url) == rows
    assert folder_files(target.uploads) == {}


# --- Moving files from the folder to the database -----------------------------------------------------------


def test_copying_files_to_the_database_copies_each_once_and_names_any_missing(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    learner = factories.make_learner()
    enrolment = progress.enrol(learner, factories.make_module(units=1), actor=learner)
    names = []
    for content in (PDF, b"my notes\n"):
        upload = evidence.check_upload(io.BytesIO(content), "notes", max_bytes=1024)
        item = evidence.add_evidence(
            enrolment, reflection=f"{len(content)}", upload=upload, actor=learner, storage=LocalFolderStorage(folder)
        )
        names.append(item.stored_name)
    db.session.commit()
    runner = app.test_cli_runner()

    first = runner.invoke(args=["evidence", "copy-files", "--to", "database"])
    again = runner.invoke(args=["evidence", "copy-files", "--to", "database"])

    assert first.exit_code == 0 and "Copied 2 evidence files" in first.output
    assert again.exit_code == 0 and "Copied 0 evidence files" in again.output and "2 were already there" in again.output
    database = DatabaseStorage()
    assert [database.read(name) for name in names] == [PDF, b"my notes\n"]
    assert len(_files_in(folder)) == 2  # the source is left as it was

    (folder / names[0]).unlink()
    back = runner.invoke(args=["evidence", "copy-files", "--to", "local"])
    assert back.exit_code == 0 and "Copied 1 evidence file " in back.output
    assert (folder / names[0]).read_bytes() == PDF

    database.delete([names[1]])
    (folder / names[1]).unlink()
    db.session.commit()
    lost = runner.invoke(args=["evidence", "copy-files", "--to", "local"])
    assert lost.exit_code == 1 and names[1] in lost.output
