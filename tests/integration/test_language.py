"""The language switch: anyone may choose Welsh or English; the choice is a cookie, and pages follow it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from werkzeug.http import parse_set_header

from skillpath import i18n
from skillpath.main.routes import local_path
from tests.conftest import dispose_engines, make_test_app
from tests.helpers import page

ROOT = Path(__file__).resolve().parents[2]
WELSH_PO = ROOT / "skillpath" / "translations" / "cy" / "LC_MESSAGES" / "messages.po"


def _language_cookie(response) -> str:
    [header] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang=")]
    return header


def test_switching_to_welsh_sets_a_lasting_cookie_and_goes_back_to_the_page(client):
    response = client.get("/language?to=cy&next=/verify?code=ABC")

    assert response.status_code == 302
    assert response.headers["Location"] == "/verify?code=ABC"
    cookie = _language_cookie(response)
    attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")}
    assert cookie.startswith("lang=cy;")
    assert {"httponly", "max-age", "samesite"} <= attributes
    assert "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie


def test_the_page_is_in_welsh_once_the_cookie_is_set(client):
    client.get("/language?to=cy&next=/sign-in")

    html = page(client.get("/sign-in"))

    assert html.html["lang"] == "cy"
    switch = html.select_one(".sp-language-switch a")
    assert switch is not None
    assert switch.get_text(strip=True) == "English"
    assert (switch["lang"], switch["hreflang"]) == ("en", "en")


def test_english_pages_say_so_and_offer_welsh(client):
    html = page(client.get("/sign-in"))

    assert html.html["lang"] == "en-GB"
    switch = html.select_one(".sp-language-switch a")
    assert switch is not None
    assert switch.get_text(strip=True) == "Cymraeg"
    assert (switch["lang"], switch["hreflang"]) == ("cy", "cy")
    assert switch["href"] == "/language?to=cy&next=/sign-in"


def test_switching_back_to_english_replaces_the_cookie(client):
    client.get("/language?to=cy")
    response = client.get("/language?to=en&next=/sign-in")

    assert _language_cookie(response).startswith("lang=en;")
    assert page(client.get("/sign-in")).html["lang"] == "en-GB"


@pytest.mark.parametrize(
    "unsafe",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_an_address_off_the_site_is_refused_and_the_switch_goes_home(client, unsafe):
    response = client.get("/language", query_string={"to": "cy", "next": unsafe})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert local_path(unsafe) is None


def test_an_unknown_language_sets_no_cookie(client):
    response = client.get("/language?to=fr&next=/sign-in")

    assert response.status_code == 302
    assert not [value for value in response.headers.getlist("Set-Cookie") if value.startswith("lang=")]
    assert page(client.get("/sign-in")).html["lang"] == "en-GB"


def test_a_forged_cookie_falls_back_to_english(client):
    client.set_cookie("lang", "../../etc")

    assert page(client.get("/sign-in")).html["lang"] == "en-GB"


def test_the_cookie_is_secure_where_the_session_cookie_is(database_url):
    app = make_test_app(database_url, SESSION_COOKIE_SECURE=True)
    try:
        response = app.test_client().get("/language?to=cy")
        assert "Secure" in parse_set_header(_language_cookie(response).replace(";", ","))
    finally:
        with app.app_context():
            dispose_engines()


@pytest.fixture
def welsh_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app with the Welsh catalogue compiled (as scripts/setup.sh does) into a folder of its own."""
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with WELSH_PO.open("rb") as source:
        catalogue = read_po(source, locale="cy")
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, catalogue)
    app = make_test_app(database_url, BABEL_TRANSLATION_DIRECTORIES=str(tmp_path))
    # Flask-Babel caches loaded catalogues on the one Babel object all test apps share: start and end afresh.
    i18n.babel.domain_instance.cache.clear()
    yield app
    i18n.babel.domain_instance.cache.clear()
    with app.app_context():
        dispose_engines()


def test_a_translated_text_is_shown_in_welsh_and_the_rest_falls_back_to_english(welsh_app):
    client = welsh_app.test_client()
    client.set_cookie("lang", "cy")

    response = client.get("/no-such-page")

    html = page(response)
    assert response.status_code == 404
    assert html.html["lang"] == "cy"
    assert html.find("h1").get_text(strip=True) == "Heb ddod o hyd i’r dudalen"


@pytest.mark.parametrize(
    "address",
    [
        "/learner/cv",
        "/learner/cv/about-you",
        "/learner/cv/work-history/add",
        "/learner/cv/finish",
        "/learner/disclosure-statement",
        "/learner/disclosure-statement/write",
        "/learner/disclosure-statement/when-to-tell-an-employer",
        "/learner/disclosure-statement/finished",
        "/no-such-page",
    ],
)
def test_a_learners_pages_render_in_welsh(learner_client, address):
    learner_client.get("/language?to=cy")

    response = learner_client.get(address)

    assert response.status_code in (200, 404)
    html = page(response)
    assert html.html["lang"] == "cy"
    assert html.find("h1") is not None
