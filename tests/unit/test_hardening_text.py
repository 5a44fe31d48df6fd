"""Cleaning typed text, file names and CSV cells: pure functions, no app and no database."""

from __future__ import annotations

import pytest

from skillpath.services.exports import exports
from skillpath.services.progress import evidence
from skillpath.text import clean_text, strip_invisible

# --- Names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Jo Bloggs", "Jo Bloggs"),
        ("  Jo \t  Bloggs \n", "Jo Bloggs"),
        ("Jo\u00a0Bloggs", "Jo Bloggs"),  # a no-break space is a space
        ("\u202eJo Bloggs\u202c", "Jo Bloggs"),  # right-to-left override and pop
        ("\u2066Jo\u2069 \u2067Bloggs\u2068", "Jo Bloggs"),  # isolates
        ("\u200eJo\u200f Bloggs", "Jo Bloggs"),  # direction marks
        ("J\u200bo\u200c \u200dBlo\u2060ggs\ufeff", "Jo Bloggs"),  # zero-width characters and the byte-order mark
        ("Jo\u00ad Bloggs", "Jo Bloggs"),  # a soft hyphen (another format character)
        ("Jo\x00 B\x1bloggs\x7f", "Jo Bloggs"),  # control characters
        ("Jo\ue000 Bloggs", "Jo Bloggs"),  # private use
        ("\u3164", ""),  # a Hangul filler draws nothing
        ("Jose\u0301", "José"),  # one spelling: NFC
        ("Nguyễn Thị Minh", "Nguyễn Thị Minh"),
        ("王小明", "王小明"),
        ("", ""),
        ("\u200b\u202e\ufeff", ""),
    ],
)
def test_clean_text(typed, stored):
    assert clean_text(typed) == stored


def test_clean_text_of_none_is_empty():
    assert clean_text(None) == ""


def test_strip_invisible_keeps_spaces_and_line_breaks():
    assert strip_invisible("a\u200b b\n\u202ec\td") == "a b\nc\td"


# --- Evidence file names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("cv.pdf", "cv.pdf"),
        ("../../etc/cv.pdf", "cv.pdf"),
        ("C:\\Users\\Jo\\Documents\\cv.pdf", "cv.pdf"),
        ("\\\\server\\share\\cv.pdf", "cv.pdf"),
        ("folder/", "evidence.pdf"),
        ("..", "evidence.pdf"),
        ("", "evidence.pdf"),
        ("my  cv .pdf", "my cv .pdf"),
        ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
        ("a" * 300, "a" * 200),
        ("Cafe\u0301.pdf", "Café.pdf"),
    ],
)
def test_safe_file_names(sent, kept):
    assert evidence.safe_file_name(sent, "application/pdf") == kept


@pytest.mark.parametrize(
    "sent",
    ["cv\x00.pdf", "cv\x1f.pdf", "cv\x85.pdf", "line\nbreak.pdf", "tab\t.pdf", "my\u202efdp.exe", "cv\u200b.pdf"],
)
def test_file_names_hiding_something_are_refused(sent):
    with pytest.raises(evidence.EvidenceError, match="hidden or control characters"):
        evidence.safe_file_name(sent, "application/pdf")


# --- CSV cells ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # The rule as it was: a formula sign, a tab or a carriage return at the start.
        ("=1+1", "'=1+1"),
        ("+44 1234", "'+44 1234"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        # Invisible characters in front of a formula sign are taken out, and the sign neutralised.
        ("\u200b=1+1", "'=1+1"),  # zero-width space
        ("\ufeff=1+1", "'=1+1"),  # byte-order mark
        ("\u202e=1+1", "'=1+1"),  # right-to-left override
        ("\u2066@SUM(A1)\u2069", "'@SUM(A1)"),  # isolates
        ("\u200e\u200f-1", "'-1"),  # direction marks
        ("\u2060+1", "'+1"),  # word joiner
        ("\u180e=1", "'=1"),  # Mongolian vowel separator
        ("\u00ad=1", "'=1"),  # soft hyphen
        ("\x00=1", "'=1"),  # NUL
        ("\u200b\u200b\ufeff\u202e+1", "'+1"),
        # Full-width and small forms of the signs, and the minus sign.
        ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals
        ("\uff0b44", "'\uff0b44"),  # full-width plus
        ("\uff0d1", "'\uff0d1"),  # full-width hyphen-minus
        ("\uff20A1", "'\uff20A1"),  # full-width at
        ("\ufe661", "'\ufe661"),  # small equals
        ("\ufe62 1", "'\ufe62 1"),  # small plus
        ("\u22121", "'\u22121"),  # minus sign
        # Spaces before a sign.
        (" =1+1", "' =1+1"),
        ("\u00a0=1", "'\u00a0=1"),
        ("\u200b \uff1d1", "' \uff1d1"),
        # Left alone, but for invisible characters.
        ("Jo\u200b Bloggs\u202e", "Jo Bloggs"),
        ("a=b", "a=b"),
        ("Plain Name", "Plain Name"),
        ("2027-03-27", "2027-03-27"),
        ("", ""),
        ("\u200b", ""),
        (12, 12),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected
