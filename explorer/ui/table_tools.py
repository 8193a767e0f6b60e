"""Helpers shared by the item-model tables (layer table, per-block table).

* Change signalling that stays within what Qt's item views repaint precisely: runs of
  changed columns, cut into blocks of at most ``VIEW_UPDATE_CELL_LIMIT`` cells.
* Copying a view's selection as tab-separated text, and the Ctrl+C action that does it.
* Header titles with their tooltips, and the look both tables share (fonts, rows, the
  tinted bold totals row).
* A cell the viewport cuts shows "..." where it is cut, not a shorter number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    Qt,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMainWindow,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

#: Cell flags of the read-only tables, and their numbers' alignment.
READ_ONLY_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
ALIGN_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
#: The totals row: tinted and bold.
TOTAL_BRUSH = QBrush(QColor("#e3e7ec"))


def bold_font(font: QFont) -> QFont:
    """A bold copy of ``font``."""
    bold = QFont(font)
    bold.setBold(True)
    return bold


TOTAL_FONT = bold_font(QFont())


class EdgeElidingDelegate(QStyledItemDelegate):
    """Paints a cell the viewport cuts as if the cell ended at the viewport's edge, so its
    text elides ("536,870,9...") instead of being cut off.

    A table wider than its view shows its last column in part: right-aligned, 150,528 read
    "15" and 536,870,912 read "536,870,91", plausible numbers that are wrong.  A column cut
    on the left (scrolled) would show "0,528".  Cells inside the view are painted as usual.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        view = self.parent()
        if not isinstance(view, QAbstractItemView):
            super().paint(painter, option, index)
            return
        rect = option.rect  # type: ignore[attr-defined]
        width = view.viewport().width()
        if rect.left() >= 0 and rect.right() < width:
            super().paint(painter, option, index)
            return
        shown = rect.intersected(QRect(0, rect.top(), width, rect.height()))
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.rect = shown  # type: ignore[attr-defined]
        opt.textElideMode = Qt.TextElideMode.ElideRight  # type: ignore[attr-defined]
        view.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, view)


class _EdgeColumns(QObject):
    """Keeps the ``EdgeElidingDelegate`` on the (at most two) columns at the view's edges.

    A Python ``paint`` on every cell cost the layer table 2 ms per repaint (6.4 vs 4.3 ms),
    a fifth of a slider step; only a column the viewport cuts needs it.
    """

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self._view = view
        self._delegate = EdgeElidingDelegate(view)
        self._columns: set[int] = set()
        header = view.horizontalHeader()
        header.sectionResized.connect(self.update)
        header.sectionMoved.connect(self.update)
        header.geometriesChanged.connect(self.update)
        view.horizontalScrollBar().valueChanged.connect(self.update)
        view.viewport().installEventFilter(self)
        self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self.update()
        return False

    def update(self, *_args: object) -> None:
        header = self._view.horizontalHeader()
        width = self._view.viewport().width()
        edges = {header.logicalIndexAt(0), header.logicalIndexAt(max(0, width - 1))}
        edges.discard(-1)
        if edges == self._columns:
            return
        for column in self._columns - edges:
            self._view.setItemDelegateForColumn(column, None)  # type: ignore[arg-type]
        for column in edges - self._columns:
            self._view.setItemDelegateForColumn(column, self._delegate)
        self._columns = edges
        self._view.viewport().update()


def elide_cut_cells(view: QTableView) -> None:
    """Make a cell the viewport cuts elide (see ``EdgeElidingDelegate``); kept by the view."""
    _EdgeColumns(view)


def set_table_look(view: QTableView) -> None:
    """What the layer and per-block tables share: whole rows selected (several at once), no
    word wrap, Tab leaves the table (arrows move in it), a font a touch smaller than the
    UI's so their many columns fit beside the sidebar, no row numbers, 22 px rows, and bold
    column titles that do not light up with the selection."""
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    table_font = QFont(view.font())
    table_font.setPointSizeF(max(8.0, table_font.pointSizeF() - 0.5))
    view.setFont(table_font)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setFont(bold_font(header.font()))
    elide_cut_cells(view)


def column_runs(columns: set[int]) -> list[tuple[int, int]]:
    """Sorted runs of adjacent columns as (first, last): {5, 6, 8, 9, 11} -> 3 runs."""
    runs: list[tuple[int, int]] = []
    for column in sorted(columns):
        if runs and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


#: Qt item views repaint their whole viewport for a ``dataChanged`` spanning more than this
#: many cells, instead of the range's rectangle (measured with PySide6 6.11: 2 columns x 92
#: rows repaint 191 px of 1016, 3 columns x 67 rows the whole viewport).
VIEW_UPDATE_CELL_LIMIT = 200


def update_blocks(runs: list[tuple[int, int]], rows: int,
                  limit: int = VIEW_UPDATE_CELL_LIMIT) -> list[tuple[int, int, int, int]]:
    """Split column runs over all ``rows`` into (top, left, bottom, right) blocks of at most
    ``limit`` cells, so the view repaints only the changed columns.

    An alpha step changes seven adjacent columns: one signal over them made the view repaint
    all twelve (about 3 ms more paint per step).
    """
    if rows <= 0:
        return []
    row_span = min(rows, limit)
    width = max(1, limit // row_span)
    blocks: list[tuple[int, int, int, int]] = []
    for first, last in runs:
        for left in range(first, last + 1, width):
            right = min(last, left + width - 1)
            for top in range(0, rows, row_span):
                blocks.append((top, left, min(rows, top + row_span) - 1, right))
    return blocks


def selection_tsv(view: QAbstractItemView, headers: Sequence[str]) -> str:
    """The view's selected cells as tab-separated text with a header line, as shown (in the
    view's row order); unselected cells inside the selection's rows and columns stay empty."""
    selection = view.selectionModel()
    indexes = selection.selectedIndexes() if selection is not None else []
    if not indexes:
        return ""
    model = view.model()
    rows = sorted({i.row() for i in indexes})
    cols = sorted({i.column() for i in indexes})
    chosen = {(i.row(), i.column()) for i in indexes}
    lines = ["\t".join(headers[c] for c in cols)]
    for r in rows:
        cells = []
        for c in cols:
            text = model.index(r, c).data() if (r, c) in chosen else ""
            cells.append(text or "")
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def copy_to_clipboard(text: str) -> bool:
    """Put ``text`` on the clipboard; False (nothing done) when it is empty."""
    if not text:
        return False
    QGuiApplication.clipboard().setText(text)
    return True


def copy_rows(widget: QWidget, text: str) -> bool:
    """Copy ``text`` (``selection_tsv``'s) and say so in the window's status bar: with
    nothing selected, Ctrl+C did nothing at all, which read as "copy is broken"."""
    done = copy_to_clipboard(text)
    window = widget.window()
    if isinstance(window, QMainWindow):
        rows = text.count("\n") - 1
        window.statusBar().showMessage(
            f"Copied {rows} row{'' if rows == 1 else 's'} as tab-separated text" if done
            else "Nothing selected to copy: select rows first (Ctrl+A selects all)", 4000)
    return done


def add_copy_action(view: QAbstractItemView, copy: Callable[[], object]) -> QAction:
    """Ctrl+C (and the context menu) on ``view`` calls ``copy``.

    The shortcut is the view's own (a window-wide Ctrl+C would take copying away from text
    fields).
    """
    action = QAction("Copy selection as TSV", view)
    action.setShortcut(QKeySequence.StandardKey.Copy)
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.triggered.connect(copy)
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action


def set_header_texts(model: QAbstractItemModel, titles: Sequence[str],
                     tips: Mapping[int, str]) -> None:
    """Horizontal header titles, and a tooltip for the columns ``tips`` names."""
    for col, title in enumerate(titles):
        model.setHeaderData(col, Qt.Orientation.Horizontal, title)
        tip = tips.get(col)
        if tip:
            model.setHeaderData(col, Qt.Orientation.Horizontal, tip,
                                Qt.ItemDataRole.ToolTipRole)
