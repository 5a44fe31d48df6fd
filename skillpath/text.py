"""Cleaning text that people type: one spelling, nothing invisible, nothing that turns text around.

Names typed by staff and learners end up on dashboards, exports, certificates and
credentials. Characters that cannot be seen (zero-width spaces, byte-order marks,
joiners) make two names that look the same compare differently, and direction
controls (U+202E and friends) make a name display backwards or hide what follows
it. `clean_text` removes them all, so what is stored is what is seen.
"""

from __future__ import annotations

import unicodedata

# Direction controls: embeddings and overrides, isolates, and the two marks.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
# Zero-width characters, the word joiner and the byte-order mark (also used as a zero-width no-break space).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
# Letters and symbols that draw nothing at all, so they can pass for an empty name.
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def is_invisible(character: str) -> bool:
    """True for a character that shows nothing or changes how the text around it is shown.

    Whitespace is not invisible here: callers decide what to do with spaces and line breaks.
    """
    if character.isspace():
        return False
    return (
        character in BIDI_CONTROLS
        or character in ZERO_WIDTH
        or character in _BLANK_LOOKING
        # Cc controls, Cf format characters, Cs surrogates, Co private use, Cn unassigned.
        or unicodedata.category(character).startswith("C")
    )


def strip_invisible(text: str) -> str:
    """The text without invisible and direction-changing characters; spaces and line breaks are kept."""
    return "".join(character for character in text if not is_invisible(character))


def clean_text(text: str | None) -> str:
    """A one-line text (a name, a title) as it should be stored.

    NFC (so "ễ" is one character whichever way it was typed), without invisible
    or direction-changing characters, with every run of whitespace (tabs, line
    breaks, no-break spaces) made one space and none at either end.
    """
    if not text:
        return ""
    return unicodedata.normalize("NFC", " ".join(strip_invisible(text).split()))


def clean_field(value: str | None) -> str | None:
    """`clean_text` as a WTForms filter: a field that was not sent stays None."""
    return None if value is None else clean_text(value)
