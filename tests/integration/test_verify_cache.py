"""The public check reuses what it can, and never shows a withdrawn (or hidden) certificate as valid.

What is reused: whole pages for codes checked again and again, the page around the answer (one per language
and status), and the answer to "does this signature match this content?" (content never changes). What is
never reused: whether the certificate is withdrawn or hidden, which is read from the database on every check.
So a withdrawal shows on the very next request, on this host and on any other: the second host is a second
app built on the same database, with its own caches warmed first.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from skillpath.extensions import db, limiter, public_reads_engine
from skillpath.models import Certificate, User
from skillpath.services.certificates import certificates as service
from skillpath.services.certificates.signing import signature_checks
from skillpath.settings import app_issuer
from skillpath.verify.routes import page_frames, rendered_pages
from tests import factories
from tests.conftest import dispose_engines, make_test_app
from tests.helpers import heading, page
from tests.integration.test_certificates import BASE_URL, ISSUER, issue_module_certificate, make_skills_module

_NONCE = re.compile(r"nonce-[A-Za-z0-9_-]+|nonce=\"[A-Za-z0-9_-]+\"")


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    for cache in (rendered_pages, page_frames, signature_checks):
        cache.clear()
    limiter.reset()
    yield
    for cache in (rendered_pages, page_frames, signature_checks):
        cache.clear()
    limiter.reset()


def _warm_every_cache(client: FlaskClient, code: str) -> None:
    """Every kind of check, twice: whole page, frame and signature answer are all kept after this."""
    for _ in range(2):
        assert client.get(f"/verify/{code}").status_code == 200
        assert client.get(f"/verify/{code}/printable").status_code == 200
        assert client.get(f"/api/verify/{code}").json["status"] == "valid"


def _says_withdrawn(client: FlaskClient, code: str) -> bool:
    shown = client.get(f"/verify/{code}")
    printable = client.get(f"/verify/{code}/printable")
    api = client.get(f"/api/verify/{code}").json
    return (
        shown.status_code == 200
        and heading(shown) == "This certificate has been withdrawn"
        and "This certificate is valid" not in page(shown).get_text()
        and heading(printable) == "This certificate has been withdrawn"
        and api["status"] == "revoked"
        and "revokedAt" in api
    )


# --- One host ----------------------------------------------------------------------------------


@pytest.fixture
def keys(app, tmp_path, monkeypatch) -> Path:
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(tmp_path / "keys"))
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE_URL)
    monkeypatch.setitem(app.config, "ISSUER_NAME", ISSUER)
    monkeypatch.setitem(app.config, "VERIFY_PAGE_CACHE_SIZE", 64)
    return tmp_path / "keys"


def test_a_withdrawal_shows_on_the_next_check_after_every_cache_is_warm(app, client, keys, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()
    code = certificate.display_code
    _warm_every_cache(client, code)
    assert len(rendered_pages._pages) and len(page_frames._pages) and len(signature_checks._answers)

    service.withdraw_certificate(certificate, by=mentor, reason="Issued to the wrong learner")
    db.session.commit()

    assert _says_withdrawn(client, code)


def test_a_hidden_certificate_is_not_found_on_the_next_check(app, client, keys, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()
    _warm_every_cache(client, certificate.display_code)

    service.hide_certificate(certificate, by=learner)
    db.session.commit()

    assert client.get(f"/verify/{certificate.display_code}").status_code == 404
    assert client.get(f"/api/verify/{certificate.display_code}").status_code == 404


def test_a_page_built_from_the_kept_frame_is_the_page_rendered_whole(app, client, keys, cohort, mentor, monkeypatch):
    module = make_skills_module()
    first, second = (issue_module_certificate(factories.make_learner(cohort=cohort), mentor, module) for _ in "12")
    db.session.commit()
    client.get(f"/verify/{first.display_code}")  # keeps the frame for a valid certificate
    from_frame = client.get(f"/verify/{second.display_code}")

    monkeypatch.setitem(app.config, "VERIFY_PAGE_CACHE_SIZE", 0)
    rendered_whole = client.get(f"/verify/{second.display_code}")

    assert len(page_frames._pages) == 1
    assert _NONCE.sub("nonce", from_frame.text) == _NONCE.sub("nonce", rendered_whole.text)
    assert f"next=/verify/{second.display_code}" in from_frame.text  # the footer's language link comes back here
    assert first.display_code not in from_frame.text


def test_each_response_has_its_own_nonce_and_a_query_string_is_never_kept(app, client, keys, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()
    url = f"/verify/{certificate.display_code}"

    once, twice = client.get(url), client.get(url)
    with_query = client.get(f"{url}?utm_source=letter")
    plain = client.get(url)

    nonces = [
        response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for response in (once, twice)
    ]
    assert nonces[0] != nonces[1]
    assert all(f'nonce="{nonce}"' in response.text for nonce, response in zip(nonces, (once, twice), strict=True))
    assert "utm_source" in with_query.text and "utm_source" not in plain.text


def test_a_check_by_someone_signed_out_sets_no_cookie(app, client, keys, learner, mentor):
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()

    response = client.get(f"/verify/{certificate.display_code}")

    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_the_signature_answer_is_kept_per_content(app, keys, learner, mentor):
    """An edited row is different content: it is checked afresh, never answered from the kept result."""
    certificate = issue_module_certificate(learner, mentor)
    db.session.commit()
    with app.test_request_context():
        issuer_keys = app_issuer().keys
        copy = service.read_checkable_certificate(certificate.code)
        assert copy is not None and service.verification_of(copy, issuer_keys).is_valid
        copy = dataclasses.replace(copy, recipient_name="Someone Else")

        assert service.verification_of(copy, issuer_keys).status == service.VerificationStatus.TAMPERED


# --- Two hosts ---------------------------------------------------------------------------------


@pytest.fixture
def shared_database(tmp_path) -> Iterator[str]:
    """A database two app instances share, outside the suite's rolled-back transaction (they commit for real).

    On PostgreSQL (TEST_DATABASE_URL), a schema of its own in the test database, dropped afterwards.
    """
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'shared.sqlite'}"
        return
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"two_hosts_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def _host(url: str, keys: Path) -> Flask:
    return make_test_app(
        url, KEYS_FOLDER=str(keys), PUBLIC_BASE_URL=BASE_URL, ISSUER_NAME=ISSUER, VERIFY_PAGE_CACHE_SIZE=64
    )


def test_a_withdrawal_on_one_host_shows_on_the_other_at_once(shared_database, tmp_path):
    first_host, second_host = _host(shared_database, tmp_path / "keys"), _host(shared_database, tmp_path / "keys")
    with first_host.app_context():
        db.create_all()
        cohort = factories.make_cohort()
        mentor, learner = factories.make_mentor(cohorts=[cohort]), factories.make_learner(cohort=cohort)
        certificate = issue_module_certificate(learner, mentor)
        db.session.commit()
        code, certificate_id, mentor_id = certificate.display_code, certificate.id, mentor.id
    first, second = first_host.test_client(), second_host.test_client()
    _warm_every_cache(first, code)
    _warm_every_cache(second, code)

    with first_host.app_context():  # withdrawn through the first host, as its staff page does
        withdrawn = db.session.get(Certificate, certificate_id)
        service.withdraw_certificate(withdrawn, by=db.session.get(User, mentor_id), reason="Wrong learner")
        db.session.commit()

    try:
        assert _says_withdrawn(second, code)
        assert _says_withdrawn(first, code)
    finally:
        for host in (first_host, second_host):
            with host.app_context():
                db.session.remove()
                dispose_engines()


@pytest.fixture
def postgres_host(app, shared_database, tmp_path) -> Iterator[Flask]:
    """An app of its own on the shared database, its tables made, let go of afterwards: PostgreSQL only, where
    public checks read through a pool of their own, straight through the driver."""
    if not shared_database.startswith("postgresql"):
        pytest.skip("on SQLite a check reads through the app's own engine, with no ping to skip and no driver read")
    host = _host(shared_database, tmp_path / "keys")
    with host.app_context():
        db.create_all()
    try:
        yield host
    finally:
        with host.app_context():
            db.session.remove()
            dispose_engines()


def test_a_check_reads_through_its_own_pool_without_a_ping_and_reads_again_after_a_drop(postgres_host, monkeypatch):
    host = postgres_host
    with host.app_context():
        cohort = factories.make_cohort()
        certificate = issue_module_certificate(
            factories.make_learner(cohort=cohort), factories.make_mentor(cohorts=[cohort])
        )
        db.session.commit()
        code = certificate.display_code
        public = public_reads_engine()
    pings = []
    dialect = type(public.dialect)
    monkeypatch.setattr(dialect, "do_ping", lambda self, connection: pings.append(connection) or True)
    client = host.test_client()
    for _ in range(3):
        assert heading(client.get(f"/verify/{code}")) == "This certificate is valid"
    assert pings == []  # the app's own engine pings before each use; the public checks' pool does not
    with public.connect() as connection:  # the pool's one connection, as the checks use it
        backend = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    with host.app_context():
        db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        db.session.commit()

    response = client.get(f"/verify/{code}")  # finds its connection dropped, and reads on a new one

    assert response.status_code == 200 and heading(response) == "This certificate is valid"


def test_the_driver_read_gives_every_column_as_sqlalchemy_does(postgres_host):
    with postgres_host.app_context():
        cohort = factories.make_cohort()
        mentor = factories.make_mentor(cohorts=[cohort])
        module = make_skills_module()
        kept, withdrawn = (
            issue_module_certificate(factories.make_learner(cohort=cohort), mentor, module) for _ in "12"
        )
        service.withdraw_certificate(withdrawn, by=mentor, reason="Wrong learner")
        db.session.commit()
        for certificate in (kept, withdrawn):
            read = service._read_through_driver(public_reads_engine(), certificate.code)
            for column in service._CHECKED_COLUMNS:
                expected = getattr(certificate, column.key)
                assert getattr(read, column.key) == expected, column.key
                assert type(getattr(read, column.key)) is type(expected), column.key
        assert read.revoked_at is not None and read.revoked_at.tzinfo is not None and read.skills
        assert service._read_through_driver(public_reads_engine(), "NOSUCHCODE") is None
