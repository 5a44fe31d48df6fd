"""A check page's answer filled into its outline is, byte for byte, what the template renders (verify/answers.py).

Every shape an outline is kept for (status, number of skills, number of areas) in both languages, with values that
are hostile to HTML and to the slots themselves, and a withdrawn certificate whose outline was kept while it was
valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask, render_template

from skillpath.i18n import COOKIE
from skillpath.services.certificates.certificates import (
    CertificateContent,
    CertifiedSkill,
    Verification,
    VerificationStatus,
)
from skillpath.verify import answers

CODE = "SP-7Q4K-29XD-M3HW"
HOSTILE = "<script>alert(\"x\")</script> & 'quoted' \x00recipient\x00 \x00code\x00"


@pytest.fixture(autouse=True)
def _no_outlines() -> Iterator[None]:
    answers.outlines.clear()
    yield
    answers.outlines.clear()


def _content(skills: int, areas: int, words: str = "Sam O'Neil") -> CertificateContent:
    levels = ["awareness", "working", "practitioner", "expert", "not-a-level"]
    return CertificateContent(
        code=CODE,
        recipient_name=words,
        achievement_name=f"Helping users {words}",
        achievement_description=f"Answer calls & fix <common> problems. {words}",
        skills=tuple(CertifiedSkill(f"Skill {n} {words}", levels[n % len(levels)]) for n in range(skills)),
        issuer_name=f"SkillPath {words}",
        issued_at=datetime(2026, 3, 5, 23, 30, tzinfo=UTC),  # 5 March in UTC, still 5 March in London (GMT)
        areas=tuple(f"Area {n} {words}" for n in range(areas)),
    )


def _results(words: str) -> list[Verification]:
    withdrawn = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 2 July in London (BST)
    found = []
    for skills, areas in [(0, 0), (1, 0), (3, 0), (0, 2), (2, 5), (5, 1)]:
        content = _content(skills, areas, words)
        found.append(Verification(VerificationStatus.VALID, content, None, "k1", None))
        found.append(Verification(VerificationStatus.REVOKED, content, withdrawn, "k1", None))
    found.append(Verification(VerificationStatus.NOT_FOUND))
    found.append(Verification(VerificationStatus.TAMPERED))
    return found


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("words", ["Sam O'Neil", HOSTILE])
def test_every_filled_outline_is_the_rendered_template(app: Flask, language: str, words: str) -> None:
    with app.test_request_context(f"/verify/{CODE}", headers={"Cookie": f"{COOKIE}={language}"}):
        for result in _results(words):
            expected = render_template("verify/_result.html", result=result, code=CODE)
            assert answers.answer_html(result, CODE) == expected, result.status
            assert answers.answer_html(result, CODE) == expected  # and again, from the kept outline
    # One outline for each valid or withdrawn shape; the other answers are rendered each time.
    assert len(answers.outlines._outlines) == 12


def test_a_hostile_value_is_escaped_once_and_never_read_as_a_slot(app: Flask) -> None:
    result = Verification(VerificationStatus.VALID, _content(1, 1, HOSTILE), None, "k1", None)
    with app.test_request_context(f"/verify/{CODE}"):
        html = answers.answer_html(result, CODE)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "\x00recipient\x00" in html  # the value's own text, left as it is, not replaced by the name
    assert html.count("Sam") == 0 and "1901" not in html and "1902" not in html


def test_a_certificate_withdrawn_after_its_shape_was_kept_reads_as_withdrawn(app: Flask) -> None:
    content = _content(2, 1)
    with app.test_request_context(f"/verify/{CODE}"):
        valid = answers.answer_html(Verification(VerificationStatus.VALID, content, None, "k1", None), CODE)
        withdrawn_on = datetime(2026, 8, 3, 9, tzinfo=UTC)
        withdrawn = answers.answer_html(
            Verification(VerificationStatus.REVOKED, content, withdrawn_on, "k1", None), CODE
        )
    assert "This certificate is valid" in valid and "withdrawn" not in valid
    assert "This certificate has been withdrawn" in withdrawn and "This certificate is valid" not in withdrawn
    assert "3 August 2026" in withdrawn and "5 March 2026" in withdrawn
