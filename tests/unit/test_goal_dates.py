"""Preset target dates for goals: the same day so many months on, or the end of a shorter month."""

from __future__ import annotations

from datetime import date

import pytest

from skillpath.services.plans.goals import add_months, archive_reason_label


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 5), 3, date(2026, 6, 5)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),  # a leap year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 1, 31), 12, date(2027, 1, 31)),
        (date(2026, 12, 15), 12, date(2027, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_uses_the_last_day_of_a_shorter_month(start, months, expected):
    assert add_months(start, months) == expected


def test_archive_reasons_have_plain_labels_and_unknown_codes_are_shown_as_they_are():
    assert archive_reason_label("PRISONER_NO_LONGER_WANTS_TO_WORK_TOWARDS_GOAL") == "I no longer want this goal"
    assert archive_reason_label("OTHER") == "Other"
    assert archive_reason_label("OTHER", "Moved to another prison") == "Moved to another prison"
    assert archive_reason_label("SOMETHING_ELSE") == "SOMETHING_ELSE"
    assert archive_reason_label(None) == ""
