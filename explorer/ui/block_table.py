"""Per-block table: a full 3x3 convolution versus its depthwise separable replacement.

The numbers behind the Standard vs separable chart, one row per block plus a totals row:
channels M -> N, output size Df, mult-adds and params of both forms, their ratio (the
paper's closed form 1/N + 1/Dk^2, section 3.1) and how many times fewer mult-adds the
separable form needs; the texts are the text report's.  A ``QStandardItemModel`` updated in
place (the view reads cells in C++ while it paints, and a slider step changes only the
texts that differ).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QFontMetrics, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from explorer.arch.blocks import KERNEL, BlockCost, block_span, totals_of
from explorer.arch.export import BLOCK_COLUMNS, BLOCK_TOTAL_LABEL, block_table_texts
from explorer.ui.table_tools import (
    ALIGN_RIGHT,
    READ_ONLY_FLAGS,
    TOTAL_BRUSH,
    TOTAL_FONT,
    add_copy_action,
    bold_font,
    column_runs,
    copy_rows,
    selection_tsv,
    set_header_texts,
    set_table_look,
    update_blocks,
)

#: Column names (also the header line of a TSV copy): the text report's.
COLUMNS = BLOCK_COLUMNS
TOTAL_LABEL = BLOCK_TOTAL_LABEL
#: Header texts on two lines, in the paper's symbols, so the nine columns fit beside the
#: sidebar of a 1100 px window.  The stride shows in the sizes (56x56 after 112x112) and in
#: the tooltips; the params ratio, equal to the mult-adds ratio per block, in the Separable
#: params tooltip.
HEADER_TEXTS = ("Block", "Channels\nM \u2192 N", "Output\nDf x Df", "Standard\nMACs",
                "Separable\nMACs", "MACs ratio\n1/N + 1/Dk\u00b2", "Fewer\nMACs",
                "Standard\nparams", "Separable\nparams")
(COL_BLOCK, COL_CHANNELS, COL_OUTPUT, COL_STD_MACS, COL_SEP_MACS, COL_RATIO, COL_FEWER,
 COL_STD_PARAMS, COL_SEP_PARAMS) = range(len(COLUMNS))
#: The report's ASCII arrow, drawn as an arrow on screen.
_ASCII_ARROW, _ARROW = " -> ", " \u2192 "
_HEADER_TIPS = {
    COL_CHANNELS: "Input channels M and output channels N of the block",
    COL_OUTPUT: "Output size Df x Df (after a stride-2 block Df = floor(input / 2):"
                " 112 -> 56, 17 -> 8)",
    COL_STD_MACS: "Mult-adds of a full 3x3 convolution from the block's input to its output",
    COL_SEP_MACS: "3x3 depthwise + 1x1 pointwise mult-adds (hover a cell for the split)",
    COL_RATIO: "Separable / standard mult-adds, counted for this variant; per block it equals "
               f"the paper's closed form 1/N + 1/Dk\u00b2 (section 3.1), N = output channels,"
               f" Dk = {KERNEL} (hover a cell for both computations)",
    COL_FEWER: "Standard / separable mult-adds",
    COL_STD_PARAMS: "Kernel weights of a full 3x3 convolution (no bias or batch norm, as "
                    "the paper counts)",
    COL_SEP_PARAMS: "3x3 depthwise + 1x1 pointwise kernel weights (hover for the split and "
                    "the ratio)",
}

#: Room beside a cell's text: the delegate's margins and the grid line, with a little air.
CELL_PADDING = 10
#: How long the sliders must rest before the columns narrow to the current texts.
SHRINK_DELAY_MS = 400

#: (display text, tooltip) of every cell of one row.
RowCells = list[tuple[str, str]]


def _pct(x: float) -> str:
    """A ratio in the tooltips, in the cells' unit with more digits: "11.3064 %"."""
    return f"{100 * x:.4f} %"


def _block_tips(c: BlockCost) -> list[str]:
    n = c.out_channels
    return [
        f"Block {c.block}",
        f"Input {c.input_size}x{c.input_size}x{c.in_channels} (M = {c.in_channels}) \u2192 "
        f"output {c.output_size}x{c.output_size}x{n} (N = {n})",
        f"Df = {c.output_size}, stride {c.stride} (input {c.input_size}x{c.input_size})",
        "",
        f"depthwise 3x3 {c.depthwise_macs:,} + pointwise 1x1 {c.pointwise_macs:,}",
        f"Counted: {c.separable_macs:,} / {c.standard_macs:,} = {_pct(c.ratio)}\n"
        f"Paper: 1/{n} + 1/{KERNEL * KERNEL} = {_pct(c.paper_ratio)}",
        f"{c.standard_macs:,} / {c.separable_macs:,} = {c.reduction:.4f}",
        "",
        f"depthwise 3x3 {c.depthwise_params:,} + pointwise 1x1 {c.pointwise_params:,};"
        f" {_pct(c.params_ratio)} of standard",
    ]


def _total_tips(costs: Sequence[BlockCost]) -> list[str]:
    t = totals_of(costs)
    std_macs, sep_macs = t.standard_macs, t.separable_macs
    std_params, sep_params = t.standard_params, t.separable_params
    where = f"blocks {block_span([c.block for c in costs])}"
    return [
        f"Sum over {where}", "", "", "", "",
        f"{sep_macs:,} / {std_macs:,} = {_pct(sep_macs / std_macs)} (1/N + 1/Dk\u00b2 holds"
        " per block; the total weighs each block by its cost)" if std_macs else "",
        f"{std_macs:,} / {sep_macs:,} = {t.reduction:.4f}" if sep_macs else "",
        "",
        f"{sep_params:,} / {std_params:,} = {_pct(sep_params / std_params)} of standard"
        if std_params else "",
    ]


def table_cells(costs: Sequence[BlockCost]) -> list[RowCells]:
    """Every row's (text, tooltip) cells: one row per block, then the totals row.  The
    texts are the text report's (``block_table_texts``), with its "->" drawn as an arrow."""
    body, total = block_table_texts(costs)
    tips = [_block_tips(c) for c in costs] + [_total_tips(costs)]
    return [[(text.replace(_ASCII_ARROW, _ARROW), tip) for text, tip in zip(texts, row_tips)]
            for texts, row_tips in zip([*body, total], tips)]


class BlockTableModel(QStandardItemModel):
    """One row per block and a totals row; ``set_costs`` updates the cells in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        set_header_texts(self, HEADER_TEXTS, _HEADER_TIPS)
        self._cells: list[RowCells] = []
        self._items: list[list[QStandardItem]] = []

    def set_costs(self, costs: Sequence[BlockCost]) -> None:
        """Show ``costs`` (one BlockCost per block, in block order)."""
        rows = table_cells(costs)
        if len(rows) != len(self._cells):
            self._rebuild(rows)
            return
        changed: set[int] = set()
        self.blockSignals(True)  # one dataChanged per block of columns below, not per cell
        try:
            for r, (new, old) in enumerate(zip(rows, self._cells)):
                items = self._items[r]
                for c, (cell, before) in enumerate(zip(new, old)):
                    if cell == before:
                        continue
                    if cell[0] != before[0]:
                        items[c].setText(cell[0])
                        changed.add(c)
                    if cell[1] != before[1]:
                        # Not signalled: tooltips are read when one is shown, not painted,
                        # and a signal would repaint the column for nothing.
                        items[c].setToolTip(cell[1])
        finally:
            self.blockSignals(False)
        self._cells = rows
        for top, left, bottom, right in update_blocks(column_runs(changed), self.rowCount()):
            self.dataChanged.emit(self.index(top, left), self.index(bottom, right), [])

    def _rebuild(self, rows: list[RowCells]) -> None:
        self.setRowCount(0)
        self._items = []
        last = len(rows) - 1
        for r, cells in enumerate(rows):
            items = []
            for text, tip in cells:
                item = QStandardItem(text)
                item.setFlags(READ_ONLY_FLAGS)
                item.setData(ALIGN_RIGHT, Qt.ItemDataRole.TextAlignmentRole)
                if tip:
                    item.setToolTip(tip)
                if r == last:
                    item.setFont(TOTAL_FONT)
                    item.setBackground(TOTAL_BRUSH)
                items.append(item)
            self.appendRow(items)
            self._items.append(items)
        self._cells = rows

    def texts(self) -> list[list[str]]:
        """Every cell's text, rows in order (tests, copy)."""
        return [[text for text, _tip in row] for row in self._cells]

    def longest_texts(self, body: bool = False) -> list[str]:
        """Per column, the longest text shown (by characters); ``body``: blocks only, not
        the totals row."""
        rows = self._cells[:-1] if body else self._cells
        return [max((row[c][0] for row in rows), key=len, default="")
                for c in range(len(COLUMNS))]


class BlockTableView(QTableView):
    """The per-block table (``blockTable``): columns never narrower than their texts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blockTable")
        self.table_model = BlockTableModel(self)
        self.setModel(self.table_model)
        header = self.horizontalHeader()
        # Titles are measured in the bold of the header's font as it is before the table's
        # look is applied (the UI's size, slightly larger than the table's): a few pixels of
        # room beside each title, as the columns have had since the table was added.
        head_metrics = QFontMetrics(bold_font(header.font()))
        set_table_look(self)  # the layer table's look: the nine columns fit
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._cell_metrics = QFontMetrics(self.font())
        self._total_metrics = QFontMetrics(bold_font(self.font()))  # the totals row is bold
        self._head_widths = [
            max(head_metrics.horizontalAdvance(t) for t in title.split("\n")) + 12
            for title in HEADER_TEXTS]
        self.copy_action = add_copy_action(self, self.copy_selection)
        self._sized = False
        # Columns widen at once when texts grow, and narrow again only once the sliders
        # rest: columns that jump while scrubbing are hard to read, and a table left as wide
        # as the largest variant visited would scroll sideways for no reason.
        self._shrink_timer = QTimer(self)
        self._shrink_timer.setSingleShot(True)
        self._shrink_timer.setInterval(SHRINK_DELAY_MS)
        self._shrink_timer.timeout.connect(self.fit_columns)

    def set_costs(self, costs: Sequence[BlockCost]) -> None:
        """Show ``costs``; columns widen now and narrow after ``SHRINK_DELAY_MS`` of rest."""
        self.table_model.set_costs(costs)
        if not self._sized:
            self.fit_columns()
            return
        header = self.horizontalHeader()
        narrower = False
        for col, need in enumerate(self._needed_widths()):
            size = header.sectionSize(col)
            if need > size:
                header.resizeSection(col, need)
            elif need < size:
                narrower = True
        if narrower:
            self._shrink_timer.start()

    def _needed_widths(self) -> list[int]:
        model = self.table_model
        total = model.texts()[-1]
        return [max(self._cell_metrics.horizontalAdvance(text) + CELL_PADDING,
                    self._total_metrics.horizontalAdvance(total[col]) + CELL_PADDING, head)
                for col, (text, head) in enumerate(zip(model.longest_texts(body=True),
                                                       self._head_widths))]

    @Slot()
    def fit_columns(self) -> None:
        """Every column exactly as wide as its widest text (or its title)."""
        self._shrink_timer.stop()
        header = self.horizontalHeader()
        for col, need in enumerate(self._needed_widths()):
            if header.sectionSize(col) != need:
                header.resizeSection(col, need)
        self._sized = True

    def selection_tsv(self) -> str:
        # The report's ASCII arrow, as in the header line ("Channels M -> N").
        return selection_tsv(self, COLUMNS).replace(_ARROW, _ASCII_ARROW)

    @Slot()
    def copy_selection(self) -> None:
        copy_rows(self, self.selection_tsv())
