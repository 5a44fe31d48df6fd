"""The Welsh catalogue is whole and well formed: it parses, it holds every text the template (.pot) lists,
and each translation keeps its placeholders, so a translated page can never fail to render.

scripts/update_translations.sh refreshes both files from the code; an empty translation falls back to English.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "skillpath" / "translations"
LANGUAGES = ["cy"]


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale, abort_invalid=True)


def _ids(catalogue: Catalog) -> set[object]:
    return {message.id for message in catalogue if message.id}


def test_the_template_lists_the_texts_of_the_app():
    template = _read(TRANSLATIONS / "messages.pot")

    assert "Page not found" in template  # a template's text
    assert "Your details have been saved." in template  # a flash from a view


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_parses_and_holds_every_text_of_the_template(language):
    template = _read(TRANSLATIONS / "messages.pot")
    catalogue = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", locale=language)

    missing = _ids(template) - _ids(catalogue)
    assert not missing, f"{len(missing)} texts are not in {language}: run scripts/update_translations.sh"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_its_placeholders(language):
    catalogue = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", locale=language)

    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue.check() if errors]
    assert not problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_few_texts_are_translated_already(language):
    catalogue = _read(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", locale=language)

    assert catalogue["Page not found"].string
    assert catalogue["Back"].string
