"""Keeping what someone typed when their form's security token was refused.

A form's token runs out with its session, or when the person signs in somewhere else. Refusing the form
is right; losing a long reflection typed on a shared prison computer is not. So the "page has expired"
page carries the fields back: long text where the person can read and copy it, the rest hidden, in a
form that posts to the same address with a fresh token.

It is offered only when that cannot undo what the token is for. The person must still be signed in (a
session cookie is not sent with another site's form, as it is SameSite=Lax) and the browser must say the
form came from a page of ours (Origin, or failing that Referer). Otherwise a forged form from another site
would come back as a ready-made button on our own page. Passwords and codes are never written back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from skillpath.i18n import _

MAX_FIELDS = 100
# Shorter values without spaces (ids, "yes", dates, button values) travel hidden; the rest are shown.
_SHOWN_FROM_LENGTH = 30
_MULTILINE_FROM_LENGTH = 80
_SECRET_MARKERS = ("password", "csrf", "token", "secret")


@dataclass(frozen=True)
class KeptField:
    name: str
    value: str

    @property
    def is_shown(self) -> bool:
        return len(self.value) >= _SHOWN_FROM_LENGTH or any(character.isspace() for character in self.value)

    @property
    def is_multiline(self) -> bool:
        return "\n" in self.value or len(self.value) >= _MULTILINE_FROM_LENGTH

    @property
    def label(self) -> str:
        # The field's own name, made readable: it is all the refused request says about the field.
        words = self.name.replace("_", " ").replace("-", " ").split()
        return " ".join(words).capitalize() or _("Your answer")

    @property
    def rows(self) -> int:
        lines = self.value.count("\n") + len(self.value) // 70 + 1
        return max(5, min(lines, 20))


@dataclass(frozen=True)
class KeptForm:
    fields: tuple[KeptField, ...]
    file_names: tuple[tuple[str, str], ...]  # (field name, the name of the file that was attached)
    secrets_left_out: bool
    truncated: bool

    @property
    def shown_fields(self) -> tuple[KeptField, ...]:
        return tuple(field for field in self.fields if field.is_shown)

    @property
    def file_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for name, _ in self.file_names))


def is_secret(name: str) -> bool:
    """Passwords, activation and sign-in codes and tokens are never written back into a page."""
    lowered = name.lower()
    return any(marker in lowered for marker in _SECRET_MARKERS) or lowered == "code" or lowered.endswith("_code")


def keep_fields(
    form: Iterable[tuple[str, str]], files: Iterable[tuple[str, str]] = (), *, limit: int = MAX_FIELDS
) -> KeptForm:
    """The fields to carry back, in the order sent (a repeated field stays repeated), at most `limit`."""
    kept: list[KeptField] = []
    secrets_left_out = truncated = False
    for name, value in form:
        if is_secret(name):
            secrets_left_out = secrets_left_out or (name.lower() != "csrf_token" and bool(value))
            continue
        if len(kept) == limit:
            truncated = True
            break
        kept.append(KeptField(name, value))
    file_names = tuple((name, filename) for name, filename in files if filename)
    return KeptForm(tuple(kept), file_names, secrets_left_out, truncated)


def is_same_origin(origin: str | None, referer: str | None, hosts: Iterable[str]) -> bool:
    """Whether the browser says the form was sent from one of our own pages."""
    allowed = {host.lower() for host in hosts if host}
    source = origin if origin is not None else referer
    if not source:
        return False
    return urlsplit(source).netloc.lower() in allowed
