"""One page of a long list, for the pages that show a list in parts (GOV.UK pagination).

Kept apart from any one list: a page number comes from the address, so anything can arrive,
and every paginated page answers it the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # from 1
    pages: int  # at least 1, even for an empty list
    total: int
    size: int
    asked: int  # the number asked for, which may be past the end

    @property
    def first(self) -> int:
        """The position in the whole list of the first item shown, from 1 (0 for an empty list)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def is_past_the_end(self) -> bool:
        return self.asked > self.pages


def page_of(items: Sequence[T], number: int, size: int) -> Page[T]:
    """Page `number` of the items. A number past the end gives the last page (and says so through
    `is_past_the_end`), one before the first gives the first: a stale link or a typed address never fails."""
    shown, pages = position(len(items), number, size)
    start = (shown - 1) * size
    return Page(list(items[start : start + size]), shown, pages, len(items), size, asked=number)


def position(total: int, number: int, size: int) -> tuple[int, int]:
    """(the page shown, how many pages) when page `number` of `total` items is asked for, by `page_of`'s rules:
    for lists counted and read a page at a time in the database."""
    pages = max(1, ceil(total / size))
    return min(max(number, 1), pages), pages


def page_number(text: str) -> int:
    """A page number from an address (`?page=`); anything else, or a number too long to mean anything, is 1."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 1
