"""The password rules and activation codes, without an app or a database."""

from __future__ import annotations

import re

import pytest

from skillpath.auth.passwords import (
    CODE_ALPHABET,
    common_passwords,
    new_activation_code,
    normalise_activation_code,
    password_problem,
)


def _problem(password: str, username: str = "jsmith2") -> str | None:
    return password_problem(password, username=username, min_length=10)


def test_a_long_uncommon_password_is_fine():
    assert _problem("kettle orbit lantern") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Your password must be at least 10 characters long"),
        ("nine char", "Your password must be at least 10 characters long"),
        ("x" * 129, "Your password must be 128 characters or fewer"),
        ("password1234", "That password is too common and easy to guess. Try three random words together"),
        ("PASSWORD1234", "That password is too common and easy to guess. Try three random words together"),
        ("pass-word-1234", "That password is too common and easy to guess. Try three random words together"),
        ("my name is JSmith2 ok", "Your password must not contain your username"),
        ("aaaaaaaaaaaa", "Your password uses too few different characters. Try three random words together"),
        ("abababababab", "Your password uses too few different characters. Try three random words together"),
    ],
)
def test_a_weak_password_gets_a_message_that_says_what_to_do(password, message):
    assert _problem(password) == message


def test_the_minimum_length_is_a_setting():
    assert password_problem("kettle orbit", username="x1y", min_length=14) == (
        "Your password must be at least 14 characters long"
    )
    assert password_problem("x" * 10 + "yzw", username="abc", min_length=12) is None


def test_exactly_the_limits_are_allowed():
    assert _problem("kettleorbi") is None
    assert _problem(("kettle orbit lantern " * 7)[:128]) is None


def test_the_common_password_list_is_loaded_lower_case():
    words = common_passwords()
    assert "password1234" in words
    assert all(word == word.lower() for word in words)
    assert len(words) > 100


def test_activation_codes_are_two_groups_of_four_from_the_unambiguous_alphabet():
    pattern = re.compile(rf"^[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}$")
    codes = {new_activation_code() for _ in range(200)}
    assert all(pattern.fullmatch(code) for code in codes)
    assert len(codes) == 200
    assert not set("01OI") & set(CODE_ALPHABET)
    assert len(CODE_ALPHABET) == 32


@pytest.mark.parametrize("typed", ["7Q4K-29XD", "7q4k29xd", " 7q4k 29xd ", "7Q4K–29XD", "7q4k.29xd"])
def test_a_typed_code_is_normalised(typed):
    assert normalise_activation_code(typed) == "7Q4K-29XD"


@pytest.mark.parametrize(("typed", "expected"), [("7Q4K", "7Q4K"), ("7Q4K-29XD-1", "7Q4K29XD1"), ("", "")])
def test_a_code_of_the_wrong_length_is_not_made_to_look_right(typed, expected):
    assert normalise_activation_code(typed) == expected
