"""Every word a person reads in a template is marked for translation.

Text between tags, and prose in the attributes people read (alt, title, aria-label, placeholder), must be
inside ``{% trans %}…{% endtrans %}`` or ``{{ _("…") }}``; so must a string literal in a Jinja expression that
reads as prose (component arguments such as ``{"text": "Save"}``). Markup, class names, URLs, codes and
punctuation are not text. A template that breaks the rule fails here with the file, line and words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description", "aria-roledescription"}
MARKERS = {"_", "gettext", "ngettext", "pgettext", "npgettext", "_l"}
_WORD = re.compile(r"[A-Za-z]{2,}")
# Literals that are not prose: CSS classes, ids, names, paths, codes, formats.
_NOT_PROSE = re.compile(r"^[a-z0-9_\-./:#?=&%{}()\[\]! ]*$|^[A-Z0-9_\-]+$|^[a-z]+[A-Z][A-Za-z]*$")


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _WORD.search(value):
                self.found.append((self.getpos()[0], f'{name}="{value}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and _WORD.search(data):
            self.found.append((self.getpos()[0], data.strip()))


def _is_prose(literal: str) -> bool:
    if not _WORD.search(literal) or _NOT_PROSE.match(literal):
        return False
    return bool(re.search(r"[A-Z]", literal) or " " in literal.strip())


def unmarked_text(source: str) -> list[tuple[int, str]]:
    """(line, text) for each piece of readable text in a template that is not marked for translation."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    problems: list[tuple[int, str]] = []
    tokens = [token for token in env.lex(source) if token[1] != "whitespace"]
    in_trans = False
    # The HTML around the Jinja, with each expression replaced by a mark that is not a word, so that a tag
    # split by an expression (<form action="{{ url }}" novalidate>) still parses as one tag.
    skeleton: list[str] = []
    for index, (line, kind, value) in enumerate(tokens):
        if kind == "name" and index and tokens[index - 1][1] == "block_begin":
            if value == "trans":
                in_trans = True
            elif value in {"endtrans", "pluralize"}:
                in_trans = value == "pluralize"
        if kind == "data" and not in_trans:
            skeleton.append(value)
        elif kind == "variable_begin":
            skeleton.append("\x00")
        elif kind in {"variable_end", "block_end"}:
            lines_so_far = "".join(skeleton).count("\n") + 1
            skeleton.append("\n" * max(0, line - lines_so_far))
        if kind == "string" and not in_trans and _is_prose(value[1:-1]):
            previous = tokens[max(0, index - 2) : index]
            called = len(previous) == 2 and previous[1][2] == "(" and previous[0][2] in MARKERS
            if not (called or _inside_marker_call(tokens, index)):
                problems.append((line, value[1:-1]))
    finder = _TextFinder()
    finder.feed("".join(skeleton))
    finder.close()
    problems.extend(finder.found)
    return sorted(problems)


def _inside_marker_call(tokens: list[tuple[int, str, str]], index: int) -> bool:
    """Whether the string at index is an argument of _()/ngettext() (a plural form, or a keyword's text)."""
    depth = 0
    for position in range(index - 1, -1, -1):
        _line, kind, value = tokens[position]
        if kind in {"block_begin", "variable_begin"}:
            return False
        if value == ")":
            depth += 1
        elif value == "(":
            if depth == 0:
                return position > 0 and tokens[position - 1][2] in MARKERS
            depth -= 1
    return False


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt"))


@pytest.mark.parametrize("template", _templates(), ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_every_word_in_the_template_is_marked_for_translation(template: Path) -> None:
    problems = unmarked_text(template.read_text(encoding="utf-8"))
    assert not problems, "\n".join(f"{template.relative_to(ROOT)}:{line}: {text!r}" for line, text in problems)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Sign in</p>", ["Sign in"]),
        ("<p>{{ _('Sign in') }}</p>", []),
        ("<p>{% trans %}Sign in{% endtrans %}</p>", []),
        ('<img alt="A chart" src="x.png">', ['alt="A chart"']),
        ('{{ govukButton({"text": "Save", "classes": "govuk-button--secondary"}) }}', ["Save"]),
        ('{{ govukButton({"text": _("Save"), "classes": "govuk-button--secondary"}) }}', []),
        ("{{ ngettext('%(num)d module', '%(num)d modules', n) }}", []),
        ("<p>{{ name }} &middot; {{ code }}</p>", []),
        ('<form action="{{ url }}" novalidate>{{ _("Save") }}</form>', []),
        ('<a href="{{ url }}">Back</a>', ["Back"]),
        ("{% trans count=n %}One module{% pluralize %}{{ count }} modules{% endtrans %}", []),
    ],
)
def test_the_checker_finds_unmarked_text_and_accepts_marked_text(source: str, expected: list[str]) -> None:
    assert [text for _line, text in unmarked_text(source)] == expected
