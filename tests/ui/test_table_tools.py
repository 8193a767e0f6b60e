"""Shared table helpers: change signalling within Qt's repaint limit, TSV copy."""

from __future__ import annotations

from explorer.ui.table_tools import column_runs, update_blocks


def test_column_runs_groups_adjacent_columns() -> None:
    assert column_runs(set()) == []
    assert column_runs({11, 5, 6, 9, 8}) == [(5, 6), (8, 9), (11, 11)]
    assert column_runs({7}) == [(7, 7)]


def test_update_blocks_stay_within_the_views_cell_limit() -> None:
    """Seven adjacent columns over 92 rows go out as 2-column blocks; a long table in row
    slices; together they cover exactly the changed cells."""
    for runs, rows, limit in (([(5, 11)], 92, 200), ([(0, 0), (3, 4)], 450, 200),
                              ([(2, 9)], 7, 20), ([(1, 1)], 1, 200)):
        blocks = update_blocks(runs, rows, limit)
        assert all((b - t + 1) * (r - le + 1) <= limit for t, le, b, r in blocks)
        covered = [(row, col) for t, le, b, r in blocks
                   for row in range(t, b + 1) for col in range(le, r + 1)]
        want = [(row, col) for first, last in runs
                for row in range(rows) for col in range(first, last + 1)]
        assert sorted(covered) == sorted(want)  # every changed cell once, nothing else
    assert update_blocks([(5, 11)], 0) == []
