"""Password and activation-code hashing and the password rules.

Argon2id (argon2-cffi) hashes both. Activation codes are short and typed by
hand, so they use an unambiguous alphabet and expire.
"""

from __future__ import annotations

import secrets
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from skillpath.i18n import _, ngettext

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0, O, 1 or I


@cache
def _hasher(fast: bool) -> PasswordHasher:
    if fast:
        # Tests only: the same algorithm with tiny costs.
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    # OWASP's recommended Argon2id settings (19 MiB, 2 passes, 1 lane): about 30 ms a hash on
    # a 2-core machine, so sign-in stays fast for a whole prison signing in at 9am.
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hasher() -> PasswordHasher:
    return _hasher(bool(current_app.config.get("ARGON2_FAST", False)))


def hash_secret(secret: str) -> str:
    return hasher().hash(secret)


def verify_secret(secret_hash: str | None, secret: str) -> bool:
    if not secret_hash:
        return False
    try:
        return hasher().verify(secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


# A hash of nothing in particular, checked when a username is unknown, so that
# an unknown username takes as long to refuse as a wrong password.
def dummy_verify(secret: str) -> None:
    verify_secret(_dummy_hash(bool(current_app.config.get("ARGON2_FAST", False))), secret)


@cache
def _dummy_hash(fast: bool) -> str:
    return _hasher(fast).hash(secrets.token_urlsafe(16))


def new_activation_code() -> str:
    """Eight characters shown as two groups of four, such as 7Q4K-29XD."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_activation_code(typed: str) -> str:
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    return f"{cleaned[:4]}-{cleaned[4:]}" if len(cleaned) == 8 else cleaned


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("skillpath.data").joinpath("common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, username: str, min_length: int) -> str | None:
    """Say what is wrong with a new password in words the user can act on, or None if it is fine."""
    if len(password) < min_length:
        return ngettext(
            "Your password must be at least %(num)d character long",
            "Your password must be at least %(num)d characters long",
            min_length,
        )
    if len(password) > 128:
        return _("Your password must be 128 characters or fewer")
    lowered = password.lower()
    squashed = "".join(ch for ch in lowered if ch.isalnum())
    if lowered in common_passwords() or squashed in common_passwords():
        return _("That password is too common and easy to guess. Try three random words together")
    if username and username.lower() in lowered:
        return _("Your password must not contain your username")
    if len(set(password)) < 4:
        return _("Your password uses too few different characters. Try three random words together")
    return None
