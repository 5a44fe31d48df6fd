"""Remembered translations give the same text as asking Flask-Babel every time: per language, per request, in
code and in templates, after `force_locale`, and outside any request.

A small catalogue of its own (with a Welsh plural) keeps these tests independent of how much of the real one is
translated yet. Flask-Babel caches catalogues on the one Babel object every app shares, so each test starts and
ends with that cache empty, as the Welsh tests in test_language.py do.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask, render_template_string
from flask.ctx import RequestContext
from flask_babel import force_locale, get_translations

from skillpath import i18n
from skillpath.i18n import _, _l, format_date, ngettext

WELSH = {"Back": "Yn ôl", "Learners in %(cohort)s": "Dysgwyr yn %(cohort)s"}
LEARNERS = ("%(num)d learner", "%(num)d learners")
# Welsh has six plural forms: 0, 1, 2, 3, 6 and the rest.
WELSH_LEARNERS = (
    "%(num)d dysgwyr",
    "%(num)d dysgwr",
    "%(num)d ddysgwr",
    "%(num)d dysgwr",
    "%(num)d dysgwr",
    "%(num)d o ddysgwyr",
)


@pytest.fixture
def babel_app(tmp_path: Path) -> Iterator[Flask]:
    catalogue = Catalog(locale="cy")
    for english, welsh in WELSH.items():
        catalogue.add(english, welsh)
    catalogue.add(LEARNERS, WELSH_LEARNERS)
    # A {% trans %} block's placeholders are %(name)s.
    catalogue.add(tuple(text.replace("%(num)d", "%(num)s") for text in LEARNERS), WELSH_LEARNERS)
    folder = tmp_path / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, catalogue)
    app = Flask(__name__)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(tmp_path)
    i18n.init_app(app)
    with app.app_context():  # Flask-Babel finds its domain through the app
        i18n.babel.domain_instance.cache.clear()
    yield app  # each test's requests then get an app context (and a `g`) of their own, as real ones do
    with app.app_context():
        i18n.babel.domain_instance.cache.clear()


def _in(app: Flask, language: str) -> RequestContext:
    return app.test_request_context("/", headers={"Cookie": f"lang={language}"})


def test_each_request_gets_its_own_language_though_the_texts_are_remembered(babel_app):
    for _round in range(2):
        with _in(babel_app, "cy"):
            assert _("Back") == "Yn ôl"
            assert _("Learners in %(cohort)s", cohort="A") == "Dysgwyr yn A"
            assert _("Not in the catalogue") == "Not in the catalogue"
        with _in(babel_app, "en"):
            assert _("Back") == "Back"
            assert _("Learners in %(cohort)s", cohort="A") == "Learners in A"


@pytest.mark.parametrize("num", [0, 1, 2, 3, 6, 7, 40])
def test_every_plural_form_is_chosen_by_the_number_as_the_catalogue_says(babel_app, num):
    with _in(babel_app, "cy"):
        expected = get_translations().ungettext(*LEARNERS, num) % {"num": num}
        assert ngettext(*LEARNERS, num) == expected
        assert ngettext(*LEARNERS, num) == expected  # remembered
    with _in(babel_app, "en"):
        assert ngettext(*LEARNERS, num) == (f"{num} learner" if num == 1 else f"{num} learners")


def test_a_placeholder_may_share_a_name_with_the_message_argument(babel_app):
    with _in(babel_app, "en"):
        assert _("%(message)s!", message="Saved") == "Saved!"
        assert ngettext("%(singular)s", "%(plural)s", 2, singular="one", plural="two") == "two"


def test_force_locale_changes_the_language_inside_a_request_and_back(babel_app):
    with _in(babel_app, "cy"):
        assert _("Back") == "Yn ôl"
        with force_locale("en"):
            assert _("Back") == "Back"
            assert render_template_string("{{ _('Back') }}") == "Back"
        assert _("Back") == "Yn ôl"


def test_lazy_text_follows_the_language_of_the_request_it_is_used_in(babel_app):
    back = _l("Back")
    with _in(babel_app, "cy"):
        assert str(back) == "Yn ôl"
    with _in(babel_app, "en"):
        assert str(back) == "Back"


def test_outside_a_request_text_is_english_and_still_formatted():
    assert _("Back") == "Back"
    assert _("Learners in %(cohort)s", cohort="A") == "Learners in A"
    assert ngettext(*LEARNERS, 1) == "1 learner"
    assert ngettext(*LEARNERS, 2) == "2 learners"


def test_templates_translate_and_escape_what_is_filled_in(babel_app):
    source = (
        "{{ _('Learners in %(cohort)s', cohort=name) }}|{% trans cohort=name %}Learners in {{ cohort }}{% endtrans %}"
        "|{% trans num=n %}{{ num }} learner{% pluralize %}{{ num }} learners{% endtrans %}"
        "|{{ ngettext('%(num)d learner', '%(num)d learners', n) }}|{{ gettext('100%% sure') }}"
    )
    with _in(babel_app, "cy"):
        shown = render_template_string(source, name="<b>A</b>", n=2)
    assert shown.split("|") == [
        "Dysgwyr yn &lt;b&gt;A&lt;/b&gt;",
        "Dysgwyr yn &lt;b&gt;A&lt;/b&gt;",
        "2 ddysgwr",
        "2 ddysgwr",
        "100% sure",
    ]


def test_dates_are_in_the_language_of_each_request(babel_app):
    day = date(2026, 3, 5)
    for _round in range(2):
        with _in(babel_app, "en"):
            assert format_date(day) == "5 March 2026"
        with _in(babel_app, "cy"):
            assert format_date(day) == "5 Mawrth 2026"
