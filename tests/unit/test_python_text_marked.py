"""Words a person reads that come from Python are marked for translation too.

The template checker (test_translation_marking.py) covers pages; this one reads the code itself: flash
messages, form labels, validator messages and choices, and the messages of domain errors must be wrapped
in ``_()``/``_l()``/``ngettext()`` (``skillpath.i18n``), never a bare string or an f-string.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SKILLPATH = Path(__file__).resolve().parents[2] / "skillpath"
VALIDATORS = {
    "DataRequired",
    "InputRequired",
    "Length",
    "Email",
    "Regexp",
    "NumberRange",
    "AnyOf",
    "NoneOf",
    "EqualTo",
    "URL",
    "FileAllowed",
    "FileRequired",
    "FileSize",
}
ERRORS = {"DomainError", "NotFound", "NotAllowed", "InvalidInput", "Conflict", "ValidationError", "StopValidation"}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_text(node: ast.expr | None) -> bool:
    """A bare literal with words in it, or an f-string: text nobody marked."""
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c.isalpha() for c in node.value)


def unmarked_in(source: str) -> list[tuple[int, str]]:
    problems: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func)
        first = node.args[0] if node.args else None
        keywords = {keyword.arg: keyword.value for keyword in node.keywords}
        if called == "flash" and _is_text(first):
            problems.append((node.lineno, "flash message"))
        elif called.endswith("Field") and (_is_text(first) or _is_text(keywords.get("label"))):
            problems.append((node.lineno, f"{called} label"))
        elif (called in VALIDATORS and _is_text(keywords.get("message"))) or (called in ERRORS and _is_text(first)):
            problems.append((node.lineno, f"{called} message"))
        if called.endswith("Field") and _is_text(keywords.get("description")):
            problems.append((node.lineno, f"{called} description"))
        choices = keywords.get("choices")
        if isinstance(choices, ast.List | ast.Tuple):
            for choice in choices.elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2 and _is_text(choice.elts[1]):
                    problems.append((choice.lineno, "choice label"))
    return problems


def _modules() -> list[Path]:
    return sorted(path for path in SKILLPATH.rglob("*.py") if "translations" not in path.parts)


@pytest.mark.parametrize("module", _modules(), ids=lambda path: str(path.relative_to(SKILLPATH)))
def test_text_in_python_is_marked_for_translation(module: Path) -> None:
    problems = unmarked_in(module.read_text(encoding="utf-8"))
    assert not problems, "\n".join(
        f"skillpath/{module.relative_to(SKILLPATH)}:{line}: {what}" for line, what in problems
    )


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('flash("Saved")', 1),
        ('flash(_("Saved"))', 0),
        ('flash(f"Saved {name}")', 1),
        ('StringField("Your name", validators=[DataRequired(message="Enter your name")])', 2),
        ('StringField(_l("Your name"), validators=[DataRequired(message=_l("Enter your name"))])', 0),
        ('raise InvalidInput("Choose a date in the future", field="date")', 1),
        ('raise InvalidInput(_("Choose a date in the future"), field="date")', 0),
        ('RadioField(_l("Reason"), choices=[("A", "Because")])', 1),
        ('RadioField(_l("Reason"), choices=[("A", _l("Because"))])', 0),
    ],
)
def test_the_checker_finds_bare_text(source: str, found: int) -> None:
    assert len(unmarked_in(source)) == found
