"""One page of a long list, and the national view's order: pure rules, no app or database."""

from __future__ import annotations

import uuid

import pytest

from skillpath.services.paging import page_number, page_of
from skillpath.services.readiness.national import Column, EstablishmentFigures, sorted_by
from skillpath.services.readiness.readiness import Band


def test_pages_split_a_list_and_know_where_they_are():
    page = page_of(list(range(120)), 3, 50)
    assert page.items == list(range(100, 120))
    assert (page.number, page.pages, page.total, page.first, page.last) == (3, 3, 120, 101, 120)
    assert not page.is_past_the_end


@pytest.mark.parametrize(("asked", "shown"), [(0, 1), (-4, 1), (4, 3), (10**9, 3)])
def test_a_page_out_of_range_is_the_nearest_page(asked, shown):
    page = page_of(list(range(120)), asked, 50)
    assert page.number == shown
    assert page.is_past_the_end == (asked > 3)


def test_an_empty_list_has_one_empty_page():
    page = page_of([], 2, 50)
    assert (page.items, page.number, page.pages, page.first, page.last) == ([], 1, 1, 0, 0)


@pytest.mark.parametrize(("text", "number"), [("2", 2), ("", 1), ("two", 1), ("-1", 1), ("١٢", 1), ("9" * 12, 1)])
def test_a_page_number_is_read_from_digits_only(text, number):
    assert page_number(text) == number


def _place(name: str, learners: int, ready: int) -> EstablishmentFigures:
    bands = {**dict.fromkeys(Band, 0), Band.READY: ready, Band.NOT_STARTED: learners - ready}
    return EstablishmentFigures(uuid.uuid4(), name, name[:3].upper(), learners, bands, 0, 0)


def test_the_national_view_sorts_by_a_column_with_ties_in_name_order():
    places = [_place("Cedar", 5, 1), _place("alder", 9, 1), _place("Birch", 5, 3)]
    assert [p.name for p in sorted_by(places, Column.NAME, descending=False)] == ["alder", "Birch", "Cedar"]
    assert [p.name for p in sorted_by(places, Column.LEARNERS, descending=True)] == ["alder", "Birch", "Cedar"]
    assert [p.name for p in sorted_by(places, Column.READY, descending=False)] == ["alder", "Cedar", "Birch"]
