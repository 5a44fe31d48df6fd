"""One transaction per request: a view's changes are committed after it answers, or not at all.

A throwaway app (its own SQLite file) gets a few routes that add an establishment and then answer in
different ways; a fresh session afterwards shows what was kept.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, abort
from sqlalchemy import func, select

from skillpath.extensions import db
from skillpath.models import Establishment
from skillpath.transactions import keep_on_error
from tests.conftest import make_test_app


def _add(code: str) -> None:
    db.session.add(Establishment(name=f"Place {code}", code=code))
    db.session.flush()


def _ok(code: str) -> str:
    _add(code)
    return "saved"


def _redirect(code: str) -> tuple[str, int, dict[str, str]]:
    _add(code)
    return "", 303, {"Location": "/"}


def _refused(code: str) -> tuple[str, int]:
    _add(code)
    return "no", 422


def _refused_but_remembered(code: str) -> tuple[str, int]:
    _add(code)
    keep_on_error()
    return "counted", 429


def _aborted(code: str) -> str:
    _add(code)
    abort(404)


def _crashed(code: str) -> str:
    _add(code)
    raise RuntimeError("a bug after the change")


def _remembered_then_crashed(code: str) -> str:
    _add(code)
    keep_on_error()
    raise RuntimeError("a bug after a refusal was to be remembered")


def _unflushed(code: str) -> str:
    db.session.add(Establishment(name=f"Place {code}", code=code))  # the database sees it only at commit
    return "saved?"


VIEWS = {
    "ok": _ok,
    "redirect": _redirect,
    "refused": _refused,
    "refused-but-remembered": _refused_but_remembered,
    "aborted": _aborted,
    "crashed": _crashed,
    "remembered-then-crashed": _remembered_then_crashed,
    "unflushed": _unflushed,
}


@pytest.fixture
def tx_app(tmp_path: Path) -> Flask:
    app = make_test_app(f"sqlite:///{tmp_path / 'tx.db'}", WTF_CSRF_ENABLED=False)
    for name, view in VIEWS.items():
        setattr(view, "_skillpath_access", "public")
        app.add_url_rule(f"/tx/{name}/<code>", endpoint=f"tx_{name}", view_func=view, methods=["POST"])
    with app.app_context():
        db.create_all()
    return app


def _saved(app: Flask, code: str) -> bool:
    with app.app_context():
        db.session.remove()
        return bool(
            db.session.scalar(select(func.count()).select_from(Establishment).where(Establishment.code == code))
        )


@pytest.mark.parametrize(
    ("route", "status", "kept"),
    [
        ("ok", 200, True),
        ("redirect", 303, True),
        ("refused", 422, False),
        ("refused-but-remembered", 429, True),
        ("aborted", 404, False),
        ("crashed", 500, False),
        ("remembered-then-crashed", 500, False),
    ],
)
def test_a_request_commits_only_when_it_succeeds_or_asks_to(tx_app: Flask, route: str, status: int, kept: bool):
    code = "".join(word[0] for word in route.split("-")).upper().ljust(3, "X")[:3]
    response = tx_app.test_client().post(f"/tx/{route}/{code}")
    assert response.status_code == status
    assert _saved(tx_app, code) is kept


def test_a_commit_that_conflicts_is_a_409_page_and_nothing_is_saved(tx_app: Flask):
    client = tx_app.test_client()
    assert client.post("/tx/ok/DUP").status_code == 200
    # The same code again, first seen by the database when the hook commits: the page the view built is
    # replaced by the conflict page, and the person is not told it was saved.
    response = client.post("/tx/unflushed/DUP")
    assert response.status_code == 409
    assert b"saved?" not in response.data
    assert b"Traceback" not in response.data
    with tx_app.app_context():
        db.session.remove()
        assert (
            db.session.scalar(select(func.count()).select_from(Establishment).where(Establishment.code == "DUP")) == 1
        )
