"""Public certificate codes: random enough, typeable, forgiving of how people type them, and self-checking."""

from __future__ import annotations

import itertools
import math

import pytest

from skillpath.services.certificates.certificates import (
    ALPHABET,
    CODE_EXAMPLE,
    CODE_LENGTH,
    RANDOM_LENGTH,
    check_character,
    format_code,
    new_code,
    normalise_code,
)

CODE = "7Q4K29XDM3HW"  # SP-7Q4K-29XD-M3HW


def test_codes_have_at_least_50_bits_of_randomness_and_fit_the_column():
    assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
    assert math.log2(len(ALPHABET) ** RANDOM_LENGTH) >= 50
    assert CODE_LENGTH <= 16  # certificates.code is String(16)
    code = new_code()
    assert len(code) == CODE_LENGTH
    assert set(code) <= set(ALPHABET)


def test_the_alphabet_has_no_ambiguous_characters():
    assert not set("ILOU") & set(ALPHABET)


def test_new_codes_pass_their_own_check_and_do_not_repeat():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(normalise_code(code) == code for code in codes)


def test_codes_are_shown_in_groups_of_four_after_the_prefix():
    assert format_code(CODE) == "SP-7Q4K-29XD-M3HW"
    assert normalise_code(CODE_EXAMPLE) == CODE


@pytest.mark.parametrize(
    "typed",
    [
        "SP-7Q4K-29XD-M3HW",
        "sp-7q4k-29xd-m3hw",
        "7Q4K29XDM3HW",
        "7q4k 29xd m3hw",
        "  SP 7Q4K 29XD M3HW  ",
        "SP7Q4K29XDM3HW",
        "SP–7Q4K–29XD–M3HW",  # en dashes, as phones and word processors turn hyphens into
        "7Q4K-29XD-M3HW",
    ],
)
def test_codes_typed_in_lower_case_with_spaces_or_without_hyphens_are_normalised(typed):
    assert normalise_code(typed) == CODE


def test_look_alike_letters_are_read_as_the_digits_they_look_like():
    body = "0110ABCDEFG"
    code = body + check_character(body)
    assert normalise_code(code.replace("0", "O", 1).replace("1", "I", 1).replace("1", "l", 1)) == code


@pytest.mark.parametrize(
    "typed", ["", None, "SP-", "7Q4K-29XD-M3H", "7Q4K-29XD-M3HWW", "7Q4K-29XD-M3H!", "SP-7Q4K-29XD-M3HU"]
)
def test_things_that_are_not_codes_are_refused(typed):
    assert normalise_code(typed) is None


def test_a_wrong_check_character_is_refused():
    for wrong in set(ALPHABET) - {CODE[-1]}:
        assert normalise_code(CODE[:-1] + wrong) is None


def test_every_single_wrong_character_is_caught():
    for _ in range(200):
        code = new_code()
        for position, wrong in itertools.product(range(CODE_LENGTH), ALPHABET):
            if code[position] != wrong:
                assert normalise_code(code[:position] + wrong + code[position + 1 :]) is None


def test_almost_every_swap_of_neighbouring_characters_is_caught():
    # Luhn mod N misses only a swap of the first and last characters of the alphabet ("0Z" and "Z0").
    missed = total = 0
    for a, b in itertools.permutations(ALPHABET, 2):
        body = "7Q4K" + a + b + "XDM3H"
        code = body + check_character(body)
        swapped = code[:4] + b + a + code[6:]
        total += 1
        missed += normalise_code(swapped) is not None
    assert missed <= 2
    assert total == 32 * 31
