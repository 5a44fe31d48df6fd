"""Input an outside tester used to break things: every answer is a clear message, never a 500 or bad data.

Huge numbers in date boxes, NUL and direction-changing characters in file names,
CSV cells and names, names the certificate font cannot print, demo dates in the
future, and credentials signed with our key that name another issuer or have
expired. Each runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.http import parse_options_header

from skillpath.extensions import db, limiter
from skillpath.models import (
    Certificate,
    Cohort,
    DdatRole,
    Establishment,
    Evidence,
    Goal,
    GoalStep,
    LearnerProfile,
    RoleLevel,
    Skill,
    User,
)
from skillpath.services.catalogue.catalogue_data import load_catalogue
from skillpath.services.certificates import vc_jwt
from skillpath.services.certificates.es256_keys import es256_signing_key
from skillpath.services.certificates.signing import KeyStore, b64url_decode
from skillpath.services.plans import goals
from skillpath.services.progress import evidence as evidence_service
from skillpath.services.progress import progress
from skillpath.services.progress.evidence_storage import LocalFolderStorage
from tests import factories
from tests.conftest import sign_in
from tests.helpers import add_learner, error_summary, field_errors, location_path, page, post_form
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate

HUGE = "99999999999999999999"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture
def issuer(app, tmp_path, monkeypatch) -> Iterator[KeyStore]:
    """A signing key of the test's own, and an issuer with a public address."""
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    limiter.reset()
    yield KeyStore(tmp_path / "keys")
    limiter.reset()


# --- 1. Huge numbers in date boxes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "boxes", [["1", HUGE, "2030"], [HUGE, "1", "2030"], ["1", "1", HUGE], ["9" * 5000, "1", "2030"]]
)
def test_a_huge_number_in_a_date_box_on_goal_edit_is_not_a_real_date(learner_client, learner, boxes):
    goal = _make_goal(learner)
    response = post_form(
        learner_client, f"/learner/goals/{goal.public_id}/edit", {"title": "Same", "target_date": boxes}
    )
    assert response.status_code == 200
    assert error_summary(response) == {"#target_date": "Target date must be a real date, like 27 3 2027"}


def test_a_huge_number_in_the_release_date_is_not_a_real_date(mentor_client, learner):
    url = f"/mentor/learners/{learner.public_id}/release-date"
    response = post_form(mentor_client, url, {"release_date": ["1", HUGE, "2030"]})
    assert response.status_code == 200
    assert error_summary(response) == {"#release_date": "Expected release date must be a real date, like 27 3 2027"}


def test_a_huge_number_in_the_release_date_when_adding_a_learner_is_not_a_real_date(mentor_client, cohort):
    data = {"preferred_name": "Jo", "username": "jo.huge", "prison_number": "", "release_date": ["1", HUGE, "2030"]}
    response = post_form(mentor_client, f"/mentor/cohorts/{cohort.public_id}/add-learner", data)
    assert response.status_code == 200
    assert error_summary(response) == {"#release_date": "Expected release date must be a real date, like 27 3 2027"}


def _make_goal(learner) -> Goal:
    goal, _ = goals.create_goal(
        learner,
        title="Same",
        target_date=datetime.now(UTC).date() + timedelta(days=90),
        steps=["First"],
        actor=learner,
    )
    db.session.flush()
    return goal


# --- 2. Evidence file names -------------------------------------------------------------------------------


@pytest.fixture
def uploads(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder


@pytest.fixture
def enrolment(learner):
    module = factories.make_module(code="EV-01", title="Evidence practice", units=1)
    enrolment = progress.enrol(learner, module, actor=learner)
    db.session.flush()
    return enrolment


def _add_evidence(client, *, name: str, content: bytes = PDF, reflection: str = "I made a CV and printed it."):
    url = "/learner/modules/EV-01/add-evidence"
    token = page(client.get(url)).find("input", attrs={"name": "csrf_token"})["value"]
    data = {"reflection": reflection, "file": (io.BytesIO(content), name), "csrf_token": token}
    return client.post(url, data=data, content_type="multipart/form-data")


def _files_in(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _evidence_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Evidence)) or 0


@pytest.mark.parametrize(
    "name",
    [
        "cv\x00.pdf",
        "cv\x01.pdf",
        "cv\x7f.pdf",
        "my\u202efdp.exe",  # shows as "myexe.pdf"
        "cv\u2066.pdf",
        "cv\u200b.pdf",
    ],
)
def test_a_file_name_with_hidden_or_control_characters_is_refused_and_the_reflection_kept(
    learner_client, enrolment, uploads, name
):
    response = _add_evidence(learner_client, name=name, reflection="Keep what I typed")
    assert response.status_code == 200
    assert field_errors(response) == [
        "The file’s name has hidden or control characters in it. Rename the file using only letters, numbers, "
        "spaces, dots, dashes or underscores, then choose it again"
    ]
    assert page(response).find("textarea").get_text().strip() == "Keep what I typed"
    assert _evidence_count() == 0
    assert _files_in(uploads) == []


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/cv.pdf", "cv.pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("Cafe\u0301 notes.pdf", "Café notes.pdf"),
    ],
)
def test_file_names_with_paths_or_over_long_are_made_safe(learner_client, enrolment, uploads, sent, kept):
    response = _add_evidence(learner_client, name=sent)
    assert location_path(response) == "/learner/modules/EV-01"
    item = db.session.scalar(select(Evidence))
    assert item.original_filename == kept
    download = learner_client.get(f"/learner/evidence/{item.public_id}/file")
    assert download.status_code == 200 and download.data == PDF


def test_no_file_is_left_on_disk_when_the_database_refuses_the_evidence(
    learner_client, enrolment, uploads, monkeypatch
):
    def refuse() -> None:
        raise OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", refuse)
    try:
        status = _add_evidence(learner_client, name="cv.pdf").status_code
    except OperationalError:
        # The request's commit runs after the view has answered, so the testing app (which propagates errors)
        # raises it here; a running app shows its 500 page.
        status = 500
    assert status in {500, 503}  # an error page, not "saved"
    assert _files_in(uploads) == []


def test_the_row_is_written_before_the_file(enrolment, learner, uploads, monkeypatch):
    def fail(*_args, **_kwargs) -> None:
        raise OperationalError("INSERT", {}, Exception("the database went away"))

    monkeypatch.setattr(evidence_service, "log_event", fail)
    upload = evidence_service.check_upload(io.BytesIO(PDF), "cv.pdf", max_bytes=1024)
    with pytest.raises(OperationalError):
        evidence_service.add_evidence(
            enrolment, reflection="x", upload=upload, actor=learner, storage=LocalFolderStorage(uploads)
        )
    assert _files_in(uploads) == []


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("line\nbreak.pdf", "line break.pdf"),
        ("my\u202efdp.exe", "myfdp.exe"),
        ("tab\there.pdf", "tab here.pdf"),
        ("\u200b", "evidence.pdf"),
        ("x\x00.pdf", "x.pdf"),
    ],
)
def test_downloading_evidence_stored_with_a_bad_name_works_under_a_safe_name(
    learner_client, enrolment, learner, uploads, stored, expected
):
    if "\x00" in stored and db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL, so no such row can exist there")
    uploads.mkdir()
    (uploads / ("0" * 32)).write_bytes(PDF)
    item = Evidence(
        learner_id=learner.id,
        enrolment_id=enrolment.id,
        reflection="Old upload",
        stored_name="0" * 32,
        original_filename=stored,
        content_type="application/pdf",
        size_bytes=len(PDF),
    )
    db.session.add(item)
    db.session.flush()
    response = learner_client.get(f"/learner/evidence/{item.public_id}/file")
    assert response.status_code == 200 and response.data == PDF
    assert parse_options_header(response.headers["Content-Disposition"]) == ("attachment", {"filename": expected})


# --- 3. NUL and control characters in the DDaT CSV files -----------------------------------------------------

ROLES_HEADER = [
    "Role Family",
    "Role",
    "Role Description",
    "Role Level",
    "Role Level Description",
    "Skill Name",
    "Skill Level",
]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def _ddat_files(folder: Path, *, role: str = "Service desk manager", skill: str = "User support") -> tuple[Path, Path]:
    skills = _write_csv(
        folder / "skills.csv",
        [["Skill Name", "Skill Description"], ["User support", "Helping people."], ["Problem management", "Fixing."]],
    )
    roles = _write_csv(
        folder / "roles.csv",
        [
            ROLES_HEADER,
            ["IT operations", role, "Runs the desk.", "Service desk analyst", "Answers calls.", skill, "Working"],
            [
                "IT operations",
                role,
                "Runs the desk.",
                "Service desk analyst",
                "Answers calls.",
                "Problem management",
                "Awareness",
            ],
        ],
    )
    return roles, skills


def _import(app, roles: Path, skills: Path):
    return app.test_cli_runner().invoke(args=["catalogue", "import-ddat", str(roles), str(skills)])


def _catalogue_counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0 for model in (DdatRole, RoleLevel, Skill)
    )


@pytest.mark.parametrize(
    ("cells", "line", "reason"),
    [
        ({"role": "Service desk manager\x00"}, 2, 'the "Role" cell has a control character (U+0000) in it'),
        ({"role": "Service\x1bdesk manager"}, 2, 'the "Role" cell has a control character (U+001B) in it'),
        ({"skill": "User support\x00"}, 2, 'the "Skill Name" cell has a control character (U+0000) in it'),
        ({"role": "Service desk manager\u202e"}, 2, 'the "Role" cell has a direction control character (U+202E) in it'),
    ],
)
def test_a_control_character_in_a_csv_cell_imports_nothing_and_says_where(app, tmp_path, cells, line, reason):
    result = _import(app, *_ddat_files(tmp_path))  # a good import first: a bad one must not change it
    assert result.exit_code == 0, result.output
    before = (_catalogue_counts(), set(db.session.scalars(select(DdatRole.name))))
    bad = tmp_path / "bad"
    bad.mkdir()
    result = _import(app, *_ddat_files(bad, **cells))
    assert result.exit_code == 1
    assert "Nothing was imported" in result.output
    assert f"roles.csv, line {line}: {reason}; remove it and save the file again" in result.output
    assert "Traceback" not in result.output
    assert (_catalogue_counts(), set(db.session.scalars(select(DdatRole.name)))) == before


def test_a_nul_in_a_cell_that_is_not_imported_is_still_refused(app, tmp_path):
    roles, skills = _ddat_files(tmp_path)
    before = _catalogue_counts()
    _write_csv(skills, [["Skill Name", "Skill Description", "Awareness"], ["User support", "Help.", "x\x00"]])
    result = _import(app, roles, skills)
    assert result.exit_code == 1
    reason = 'the "Awareness" cell has a control character (U+0000) in it; remove it and save the file again'
    assert f"skills.csv, line 2: {reason}" in result.output
    assert _catalogue_counts() == before


# --- 5. Invisible and direction-changing characters in names --------------------------------------------------

DIRTY = "\u202e Jo\u200b \t Bl\u00adoggs\ufeff\u2066"  # shows as "Jo Bloggs", reversed and with hidden characters
CLEAN = "Jo Bloggs"


def test_a_learner_name_typed_by_staff_is_stored_clean(mentor_client, cohort):
    data = {"preferred_name": DIRTY, "username": "jo.clean", "prison_number": "", "release_date": ["", "", ""]}
    response = add_learner(mentor_client, cohort.public_id, data)
    assert response.status_code == 302
    profile = db.session.scalar(select(LearnerProfile).join(User).where(User.username == "jo.clean"))
    assert (profile.preferred_name, profile.user.display_name) == (CLEAN, CLEAN)


def test_a_learner_name_that_is_only_hidden_characters_is_refused(mentor_client, cohort):
    data = {"preferred_name": "\u200b\u202e", "username": "jo.empty", "prison_number": "", "release_date": ["", "", ""]}
    response = post_form(mentor_client, f"/mentor/cohorts/{cohort.public_id}/add-learner", data)
    assert error_summary(response) == {"#preferred_name": "Enter the learner's name"}


def test_staff_names_establishment_and_cohort_names_are_stored_clean(admin_client, establishment):
    response = post_form(
        admin_client, "/admin/establishments/new", {"name": "HMP " + DIRTY, "code": "JOB", "kind": "prison"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Establishment.name).where(Establishment.code == "JOB")) == "HMP Jo Bloggs"

    url = f"/admin/establishments/{establishment.public_id}/cohorts/new"
    assert post_form(admin_client, url, {"name": "Cohort " + DIRTY}).status_code == 302
    assert (
        db.session.scalar(select(Cohort.name).where(Cohort.establishment_id == establishment.id)) == "Cohort Jo Bloggs"
    )

    data = {"display_name": DIRTY, "username": "staff.clean", "email": "", "role": "admin", "establishment": ""}
    assert post_form(admin_client, "/admin/staff/new", data).status_code == 302
    assert db.session.scalar(select(User.display_name).where(User.username == "staff.clean")) == CLEAN


def test_goal_titles_and_steps_are_stored_clean(learner_client, learner):
    new = "/learner/goals/new"
    soup = page(learner_client.get(new))
    data = {
        "csrf_token": soup.find("input", attrs={"name": "csrf_token"})["value"],
        "submission_id": soup.find("input", attrs={"name": "submission_id"})["value"],
        "title": "Get my CV\u200b ready\u202e",
        "target": "6",
        "step_1": "\u2066Ask the library\u2069",
    }
    assert learner_client.post(new, data=data).status_code == 302
    goal = db.session.scalar(select(Goal).where(Goal.learner_id == learner.id))
    assert goal.title == "Get my CV ready"
    assert db.session.scalars(select(GoalStep.title).where(GoalStep.goal_id == goal.id)).all() == ["Ask the library"]


def test_a_goal_title_of_hidden_characters_only_is_refused(learner_client, learner):
    goal = _make_goal(learner)
    url = f"/learner/goals/{goal.public_id}/edit"
    response = post_form(learner_client, url, {"title": "\u200b\ufeff", "target_date": ["", "", ""]})
    assert error_summary(response)["#title"] == "Enter your goal"


# --- 6. Certificate names the PDF font cannot print ---------------------------------------------------------------


def _set_certificate_name(client, name: str):
    return post_form(client, "/learner/certificates/my-name", {"name": name})


@pytest.mark.parametrize(
    "name", ["Łukasz Żółć", "Nguyễn Thị Minh", "Дмитрий Иванов", "Γιώργος Παπαδόπουλος", "Jose\u0301"]
)
def test_a_certificate_name_the_font_can_print_is_accepted_and_printed(issuer, learner_client, learner, mentor, name):
    response = _set_certificate_name(learner_client, name)
    assert location_path(response) == "/learner/certificates"
    db.session.expire_all()  # the name was saved by the request
    certificate = issue_module_certificate(learner, mentor)
    pdf = learner_client.get(f"/learner/certificates/{certificate.public_id}/pdf").data
    assert unicodedata.normalize("NFC", name) in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王小明", "“王”, “小” and “明”"),
        ("Jo 王", "“王”"),
        ("محمد علي", "“م”, “ح”, “د”, “ع”, “ل” and “ي”"),
    ],
)
def test_a_certificate_name_the_font_cannot_print_is_refused_with_what_to_do(
    issuer, learner_client, learner, name, shown
):
    response = _set_certificate_name(learner_client, name)
    assert response.status_code == 200
    assert error_summary(response) == {
        "#name": f"Certificates cannot print {shown}. Write your name using letters a certificate can print, "
        "such as A to Z with any accents"
    }
    assert page(response).find("input", attrs={"name": "name"})["value"] == name
    db.session.refresh(learner.learner_profile)
    assert learner.learner_profile.certificate_name is None


def test_a_certificate_name_of_hidden_characters_only_is_refused(issuer, learner_client, learner):
    response = _set_certificate_name(learner_client, "\u200b\u202e\ufeff")
    assert error_summary(response) == {"#name": "Enter your name as you want it on your certificates"}


# --- 7. Demo data is never dated in the future -------------------------------------------------------------------


def test_no_demo_date_is_in_the_future_and_every_demo_credential_verifies_now(app, issuer):
    load_catalogue()
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    now = datetime.now(UTC)
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.name.endswith("_at") and column.name != "activation_expires_at":
                latest = db.session.scalar(select(func.max(column)))
                assert latest is None or latest <= now, f"{table.name}.{column.name} is {latest}"
    certificates = db.session.scalars(select(Certificate)).all()
    assert certificates
    for certificate in certificates:
        check = vc_jwt.check_jwt_credential(vc_jwt.credential_jwt(certificate))
        assert check.ok or check.withdrawn, (certificate.issued_at, check.problem)


# --- 8. Credentials signed with our key but naming another issuer, or expired ------------------------------------


@pytest.fixture
def certificate(issuer, learner, mentor) -> Certificate:
    return issue_module_certificate(learner, mentor)


def _post_credential(client, token: str):
    return client.post("/api/verify", data=token, content_type="application/vc+jwt")


def _resigned(token: str, change) -> str:
    """The credential's claims, changed, then signed again with the issuer's own key."""
    claims = json.loads(b64url_decode(token.split(".")[1]))
    change(claims)
    key = es256_signing_key()
    headers = {"kid": vc_jwt.key_url(key.kid), "typ": "JWT"}
    return jwt.encode(claims, key.private_key, algorithm="ES256", headers=headers)


def _download(app, learner, certificate) -> str:
    client = sign_in(app.test_client(), learner)
    return client.get(f"/learner/certificates/{certificate.public_id}/credential").get_data(as_text=True)


OTHER = "https://another-issuer.example/issuer"


def _other_issuer(claims) -> None:
    claims["issuer"]["id"] = OTHER
    claims["iss"] = OTHER


def _other_iss(claims) -> None:
    claims["iss"] = OTHER


def _other_issuer_id(claims) -> None:
    claims["issuer"]["id"] = OTHER


@pytest.mark.parametrize("change", [_other_issuer, _other_iss, _other_issuer_id])
def test_a_credential_signed_with_our_key_but_naming_another_issuer_is_invalid(
    app, client, learner, certificate, change
):
    token = _resigned(_download(app, learner, certificate), change)
    response = _post_credential(client, token)
    assert response.status_code == 422
    assert response.get_json()["detail"] == "The credential names another issuer: it was not issued by this service."


def test_a_credential_past_its_valid_until_date_is_invalid(app, client, learner, certificate):
    def expired(claims) -> None:
        claims["validUntil"] = "2020-01-01T00:00:00Z"

    response = _post_credential(client, _resigned(_download(app, learner, certificate), expired))
    assert response.status_code == 422
    assert response.get_json()["detail"] == "This credential expired on 1 January 2020."


@pytest.mark.parametrize("value", ["not a date", 12, "2020-13-45T00:00:00Z"])
def test_a_credential_with_an_unreadable_valid_until_date_is_invalid(app, client, learner, certificate, value):
    def unreadable(claims) -> None:
        claims["validUntil"] = value

    response = _post_credential(client, _resigned(_download(app, learner, certificate), unreadable))
    assert response.status_code == 422
    assert response.get_json()["detail"] == "The credential’s validUntil date cannot be read."


def test_a_credential_valid_until_a_future_date_is_still_valid(app, client, learner, certificate):
    def later(claims) -> None:
        claims["validUntil"] = "2099-01-01T00:00:00Z"

    response = _post_credential(client, _resigned(_download(app, learner, certificate), later))
    assert response.status_code == 200 and response.get_json()["status"] == "valid"


def test_a_credential_past_its_jwt_expiry_is_invalid_with_a_plain_reason(app, client, learner, certificate):
    def expired(claims) -> None:
        claims["exp"] = 1577836800  # 1 January 2020

    response = _post_credential(client, _resigned(_download(app, learner, certificate), expired))
    assert response.status_code == 422
    assert response.get_json()["detail"] == "This credential has expired."
