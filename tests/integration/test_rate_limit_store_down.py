"""When Redis, where rate limits are counted, cannot be reached: pages still answer, and limits still hold.

Each worker counts in its own memory until the store answers again (Flask-Limiter's in-memory fallback for the
limits on views; `web.count_against`'s own for the certificate checks and the API clients), and logs a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from skillpath import web
from skillpath.extensions import dispose_engines, limiter
from skillpath.services.certificates import certificates as service
from tests.conftest import make_test_app
from tests.helpers import csrf_token, heading

# Nothing listens on port 1: every connection is refused at once, as when Redis has gone away.
GONE = "redis://127.0.0.1:1/0"


@pytest.fixture
def store_gone(app: Flask, database_url: str) -> Iterator[Flask]:  # `app` makes the tables
    app = make_test_app(
        database_url, RATELIMIT_STORAGE_URI=GONE, LOGIN_RATE_LIMIT="3 per minute", VERIFY_RATE_LIMIT="3 per minute"
    )
    web._store.__init__()  # type: ignore[misc]
    yield app
    # The limiter is one module-level extension: the next app must not start out counting in memory.
    limiter._storage_dead = False
    web._store.__init__()  # type: ignore[misc]
    with app.app_context():
        dispose_engines()


def test_sign_in_still_answers_and_is_still_limited(store_gone, caplog):
    client = store_gone.test_client()
    token = csrf_token(client, "/sign-in")
    for _ in range(3):  # empty passwords fail validation, so nothing is written
        response = client.post("/sign-in", data={"csrf_token": token, "username": "someone", "password": ""})
        assert response.status_code == 200
    response = client.post("/sign-in", data={"csrf_token": token, "username": "someone", "password": ""})
    assert response.status_code == 429
    assert heading(response) == "Too many attempts"


def test_certificate_checks_still_answer_and_are_still_limited(store_gone, caplog):
    caplog.set_level(logging.WARNING, logger="skillpath.errors")
    client = store_gone.test_client()
    for _ in range(3):
        assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 404
    response = client.get(f"/verify/{service.format_code(service.new_code())}")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "Rate limit storage unreachable" in caplog.text
    # The store is not asked again on every check while it is down: it is tried again after a wait.
    assert web._store.failures == 1 and web._store.retry_at > 0


def test_the_store_is_used_again_once_it_answers(store_gone, monkeypatch):
    client = store_gone.test_client()
    assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 404
    assert web._store.failures == 1
    # The store answers again (here: this worker's limiter pointed at memory), and the wait is over.
    monkeypatch.setattr(web._store, "retry_at", 0.0)
    monkeypatch.setattr(type(limiter), "storage", property(lambda self: web._store.fallback().storage))
    assert client.get(f"/verify/{service.format_code(service.new_code())}").status_code == 404
    assert web._store.failures == 0
