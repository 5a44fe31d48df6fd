"""The exports' columns are fixed lists that depend on no data: only on the code lists they describe."""

from __future__ import annotations

from skillpath.models import Barrier
from skillpath.services.exports import codes, exports


def test_the_peoples_export_has_words_then_codes_and_a_pair_of_columns_per_barrier():
    columns = exports.header()
    assert columns[:12] == [
        "Name",
        "Prison number",
        "Cohort",
        "Target role",
        "Readiness score",
        "Readiness band",
        "Readiness band code",
        "Work-readiness status",
        "Work-readiness status code",
        "Expected release date",
        "Last activity",
        "Barriers still open",
    ]
    assert columns[12:14] == ["Barrier: Bank account", "Barrier code: BANK_ACCOUNT"]
    assert len(columns) == len(set(columns)) == 12 + 2 * len(Barrier)


def test_the_coded_exports_name_each_code_column_and_put_its_label_next_to_it():
    for columns in (codes.CODES_COLUMNS, codes.SKILLS_COLUMNS):
        assert len(columns) == len(set(columns))
        assert all(column == column.lower() and " " not in column for column in columns)
        for n, column in enumerate(columns):
            if column.endswith("_label"):
                assert columns[n - 1] == column.removesuffix("_label"), column
    barrier_columns = [
        column for column in codes.CODES_COLUMNS if column.startswith("barrier_") and column != "barriers_open"
    ]
    assert barrier_columns == [
        f"barrier_{barrier.value.lower()}_{part}"
        for barrier in Barrier
        for part in ("status", "status_label", "already_in_place")
    ]
