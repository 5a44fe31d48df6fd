"""Opaque cursors for the API's lists: where the next page starts, signed so that a client cannot forge one.

A cursor carries the internal id of the last item of a page; the next page is the items after it, by id. It is
signed with the app's secret key (passed in) and names the list it belongs to, so a cursor from one list is
refused by another.
"""

from __future__ import annotations

from itsdangerous import BadData, URLSafeSerializer

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_SALT = "skillpath.api.cursor"


class CursorError(ValueError):
    """A cursor that this API did not give for this list, or that was changed."""


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def make_cursor(secret: str, listing: str, last_id: int) -> str:
    return str(_serializer(secret).dumps({"l": listing, "a": last_id}))


def read_cursor(secret: str, listing: str, cursor: str | None) -> int:
    """The id to start after (0 for the first page); CursorError if the cursor is not one of ours for this list."""
    if cursor is None:
        return 0
    try:
        data = _serializer(secret).loads(cursor)
    except (BadData, UnicodeError) as error:
        raise CursorError("The cursor is not one this API gave. Start again without it.") from error
    if not isinstance(data, dict) or data.get("l") != listing or not isinstance(data.get("a"), int):
        raise CursorError("The cursor belongs to another list. Start again without it.")
    return int(data["a"])
