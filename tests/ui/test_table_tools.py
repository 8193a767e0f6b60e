"""Shared table helpers: change signalling within Qt's repaint limit, TSV copy."""

from __future__ import annotations

from PySide6.QtCore import Qt

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


def test_cells_cut_by_the_viewport_are_painted_within_it(qtbot) -> None:
    """A table wider than its view showed its right-aligned last column in part: 150,528
    read "15", a plausible wrong number.  A cut cell is now laid out in its visible part, so
    its text elides with "..." (cells inside the view are untouched)."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QProxyStyle, QStyle, QTableView

    from explorer.ui.table_tools import ALIGN_RIGHT, set_table_look

    painted: list[tuple[int, int, int, str]] = []  # column, left, right, elide mode

    class Recording(QProxyStyle):
        def drawControl(self, element, option, painter, widget=None):  # noqa: N802
            if element == QStyle.ControlElement.CE_ItemViewItem:
                painted.append((option.index.column(), option.rect.left(),
                                option.rect.right(), option.textElideMode.name))
            super().drawControl(element, option, painter, widget)

    model = QStandardItemModel(3, 4)
    for row in range(3):
        for column in range(4):
            item = QStandardItem(f"{150_528 * (row + 1):,}")
            item.setData(ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
            model.setItem(row, column, item)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    set_table_look(view)
    style = Recording()
    view.setStyle(style)
    for column in range(4):
        view.horizontalHeader().resizeSection(column, 100)
    view.resize(330, 150)  # the fourth column is cut about halfway
    view.show()
    qtbot.waitExposed(view)
    view.grab()
    width = view.viewport().width()
    assert 300 < width < 400
    last = [p for p in painted if p[0] == 3]
    assert last and all(right < width for _, _, right, _ in last)
    assert all(mode == "ElideRight" for *_, mode in last)
    inside = [p for p in painted if p[0] == 0]
    assert inside and all((left, right) == (0, 98) for _, left, right, _ in inside)  # as is
    view.horizontalScrollBar().setValue(view.horizontalScrollBar().maximum())
    painted.clear()
    view.grab()
    first = [p for p in painted if p[0] == 0 and p[2] >= 0]  # scrolled off on the left
    assert first and all(left >= 0 for _, left, _, _ in first)
