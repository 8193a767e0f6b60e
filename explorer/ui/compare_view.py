"""Compare: variant A (pinned) against variant B (whatever the sliders show now).

Until the user pins a variant, A is the reference MobileNet 1.0-224.  Differences are shown
for the whole model and per block, where the MACs bars of A and B stand side by side.

The tables never elide: their columns are as wide as their texts, numbers switch to compact
forms ("4.25 M", shorter row names) when the exact ones do not fit, the tables scroll
sideways when even those do not fit, and every cell's tooltip has the exact value.  On a
narrow, tall page the chart moves below the tables.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontMetricsF, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.accuracy import published_accuracy
from explorer.arch.blocks import BlockCost, block_costs
from explorer.arch.export import human_bytes, human_count, human_ratio
from explorer.arch.layers import model_totals
from explorer.arch.spec import MobileNetSpec, format_alpha
from explorer.ui.plot_style import (
    A_COLOR,
    B_COLOR,
    BlockAxis,
    CountAxis,
    chart_text_size,
    legend_html,
    log_bar_range,
    nice_ceiling,
    set_y_range_now,
    style_plot,
)
from explorer.ui.theme import bold_header, set_role
from explorer.ui.variant_state import VariantState
from explorer.ui.while_hidden import WhileHidden

REFERENCE = MobileNetSpec(1.0, 224)
SUMMARY_ROWS = ("Width multiplier alpha", "Input resolution", "Params", "  trainable",
                "  non-trainable", "Mult-adds (MACs)", "FLOPs (2 x MACs)",
                "Activations, peak", "Activations, all", "ImageNet top-1 %")
# Row names while the table is compact (the full name is the tooltip).
SUMMARY_SHORT = {0: "Alpha", 1: "Resolution", 5: "MACs", 6: "FLOPs"}
SUMMARY_TIPS = {7: "Largest input + output of one layer, float32, batch 1",
                8: "All layer outputs together, float32, batch 1 (no buffer reuse)",
                9: "TF-slim published top-1 (float); only the 16 pretrained variants have one"}
BYTES_ROWS = (7, 8)
TOP1_ROW = 9
BLOCKS = range(1, 14)
# The chart goes below the tables on pages narrower than this (when there is height for it).
NARROW_PAGE = 620
MIN_CHART = 180
#: How much wider than they need the tables may get beside the chart.
TABLES_AIR = 1.3
#: While the tables still fit their pane, the split follows narrower (or slightly wider)
#: numbers this long after the last change, not on every slider step.
REARRANGE_DELAY_MS = 400


@dataclass(frozen=True)
class Cell:
    """One table cell: the full text, an optional compact form, and a tooltip."""

    text: str
    short: str = ""  # shown instead of ``text`` while the table is too narrow; "" = same
    tip: str = ""  # defaults to the full text


BLOCK_TITLES = (
    Cell("Block", tip="Depthwise separable block 1-13"),
    Cell("A channels", tip="A: input \u2192 output channels, output size (pixels\u00b2)"),
    Cell("B channels", tip="B: input \u2192 output channels, output size (pixels\u00b2)"),
    Cell("A MACs", tip="A: separable mult-adds (3x3 depthwise + 1x1 pointwise)"),
    Cell("B MACs", tip="B: separable mult-adds (3x3 depthwise + 1x1 pointwise)"),
    Cell("B / A", tip="B MACs / A MACs"),
)


def _shown(cell: Cell, compact: bool) -> str:
    return (cell.short or cell.text) if compact else cell.text


class FitTable(QTableWidget):
    """A read-only table whose columns fit their texts, so nothing is ever elided.

    Spare width goes to the number columns.  When the full texts do not fit, cells with a
    compact form show it (``compact`` is then True).  The compact widths are the table's
    minimum width: put it in a scroll area, which scrolls when even those do not fit (the
    table has no scroll bars of its own, so its height never depends on its width).  Every
    cell's tooltip holds its full text.
    """

    def __init__(self, headers: Sequence[Cell], parent: QWidget | None = None) -> None:
        super().__init__(0, len(headers), parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(21)
        bold_header(self)
        header = self.horizontalHeader()
        header.setMinimumSectionSize(24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # _fit sets the widths
        header.setStretchLastSection(False)
        # As tall as its rows, no scroll bars: the scroll area around the tables scrolls.
        self.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self)
        self._pad = 2 * (margin + 1) + 1  # the delegate's text margins and the grid line
        # The header's margins, measured once on a probe text.
        self.setHorizontalHeaderLabels(["Ag"] * len(headers))
        self._header_pad = (header.sectionSizeHint(0)
                            - header.fontMetrics().horizontalAdvance("Ag") + 1)
        self._advances: dict[tuple[str, bool], int] = {}
        self._on_screen: dict[tuple[int, int], tuple[str, str]] = {}  # (row, col): text, tip
        self._headers: list[Cell] = list(headers)
        self._cells: list[list[Cell]] = []
        self._min_width = 0
        self.compact = False
        self._fitted_width: int | None = None  # None: texts changed since the last fit
        self._shared_width: int | None = None  # the width the columns were last shared for
        for c in range(len(headers)):
            self.setHorizontalHeaderItem(c, QTableWidgetItem())

    def set_headers(self, headers: Sequence[Cell]) -> None:
        """Column titles (a compact form is used while the cells are compact)."""
        if list(headers) != self._headers:
            self._headers = list(headers)
            self._fitted_width = None

    def set_cells(self, rows: list[list[Cell]]) -> None:
        """Show ``rows`` (lists of one Cell per column) and refit the columns."""
        old = self.rowCount()
        if len(rows) != old:
            self.setRowCount(len(rows))
            # Rows Qt removed took their items along: forget what they showed, so that rows
            # added again later get items and texts (a shallow A drops blocks 7-11).
            keep = min(old, len(rows))
            self._on_screen = {k: v for k, v in self._on_screen.items() if k[0] < keep}
        self._cells = rows
        self._fitted_width = None
        self._fit()

    def text_rows(self) -> list[list[str]]:
        """The texts as shown (tests)."""
        return [[self.item(r, c).text() for c in range(self.columnCount())]
                for r in range(self.rowCount())]

    def header_texts(self) -> list[str]:
        """The column titles as shown (tests)."""
        return [self.horizontalHeaderItem(c).text() for c in range(self.columnCount())]

    def available_width(self) -> int:
        return self.width() - 2 * self.frameWidth()

    def _advance(self, text: str, title: bool = False) -> int:
        # Measured once per text: a refit on every slider step measures ~150 texts, most of
        # them seen before (block MACs repeat, A rarely changes).
        key = (text, title)
        width = self._advances.get(key)
        if width is None:
            if len(self._advances) > 4096:
                self._advances.clear()
            font = self.horizontalHeader().font() if title else self.font()
            # Fractional advances, rounded up: the delegate elides a text even 0.3 px too wide.
            width = self._advances[key] = math.ceil(QFontMetricsF(font).horizontalAdvance(text))
        return width

    def content_widths(self, compact: bool) -> list[int]:
        """The width each column needs for its widest text, title included."""
        return self._both_widths()[1 if compact else 0]

    def _both_widths(self) -> tuple[list[int], list[int]]:
        # Full and compact widths in one pass over the cells (this runs on every slider
        # step): most cells have no compact form, so their one measurement serves both.
        advances = self._advances
        measure = self._advance
        full = [0] * len(self._headers)
        compact = [0] * len(self._headers)
        for row in self._cells:
            for c, cell in enumerate(row):
                width = advances.get((cell.text, False))
                if width is None:
                    width = measure(cell.text)
                if width > full[c]:
                    full[c] = width
                if cell.short:
                    width = advances.get((cell.short, False))
                    if width is None:
                        width = measure(cell.short)
                if width > compact[c]:
                    compact[c] = width
        pad, head_pad = self._pad, self._header_pad
        return ([max(w + pad, measure(h.text, True) + head_pad)
                 for w, h in zip(full, self._headers)],
                [max(w + pad, measure(h.short or h.text, True) + head_pad)
                 for w, h in zip(compact, self._headers)])

    def compact_at(self, table_width: int) -> bool:
        """Whether the cells would show their compact forms in a table this wide."""
        return self._compact(*self._both_widths(), table_width - 2 * self.frameWidth())

    @staticmethod
    def _compact(widths: list[int], compact_widths: list[int], available: int) -> bool:
        return sum(widths) > available and compact_widths != widths

    def _fit(self) -> None:
        available = self.available_width()
        if available == self._fitted_width:
            return
        self._fitted_width = available
        widths, compact_widths = self._both_widths()
        compact = self._compact(widths, compact_widths, available)
        if compact:
            widths = compact_widths
        self.compact = compact
        min_width = sum(compact_widths) + 2 * self.frameWidth()
        if min_width != self._min_width:
            self._min_width = min_width
            self.updateGeometry()
        for c, title in enumerate(self._headers):
            self._show((-1, c), title, compact)
        for r, row in enumerate(self._cells):
            for c, cell in enumerate(row):
                self._show((r, c), cell, compact)
        header = self.horizontalHeader()
        shown = [header.sectionSize(c) for c in range(len(widths))]
        if (available == self._shared_width and sum(shown) == available
                and all(need <= have for need, have in zip(widths, shown))):
            # Every text still fits the columns as they are: keep them.  Sharing the spare
            # width again moved every column on most slider steps, and QTableView repaints
            # resized columns in a later event pass: the whole table was painted twice.
            return
        self._shared_width = available
        spare = available - sum(widths)
        if spare > 0 and len(widths) > 1:  # share it among the number columns
            share, rest = divmod(spare, len(widths) - 1)
            widths = [widths[0]] + [w + share + (1 if i < rest else 0)
                                    for i, w in enumerate(widths[1:])]
        for c, w in enumerate(widths):
            if header.sectionSize(c) != w:
                header.resizeSection(c, w)

    def _show(self, where: tuple[int, int], cell: Cell, compact: bool) -> None:
        """Put ``cell`` at ``where`` ((-1, column) is the header), changing only what differs.

        Checked against a Python copy of what is on screen, before the item is even looked
        up: most cells of a slider step are unchanged, and each setText/setToolTip emits
        dataChanged and repaints.
        """
        text, tip = _shown(cell, compact), cell.tip or cell.text
        shown = self._on_screen.get(where, ("", ""))
        if shown == (text, tip) and where in self._on_screen:
            return
        item = self._item(*where)
        if shown[0] != text:
            item.setText(text)
        if shown[1] != tip:
            item.setToolTip(tip)
        self._on_screen[where] = (text, tip)

    def _item(self, row: int, column: int) -> QTableWidgetItem:
        if row < 0:
            return self.horizontalHeaderItem(column)
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            align = Qt.AlignmentFlag.AlignLeft if column == 0 else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            self.setItem(row, column, item)
        return item

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._advances.clear()  # measured in the old font
            self._fitted_width = None
            self._fit()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self._min_width, super().minimumSizeHint().height())


class _Splitter(QSplitter):
    """QSplitter that says when it has been resized (its final size, unlike the page's
    resizeEvent, which comes before the heading has wrapped)."""

    resized = Signal()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.resized.emit()


#: A's variant, its summary values and its block costs by block number.
_AFigures = tuple[MobileNetSpec, list[float | None], dict[int, BlockCost]]

#: Below this fraction of the taller variant's tallest bar, bars are a pixel or two high.
TINY_BARS = 0.02
#: The most of the chart's height kept free above the bars for the tiny-bars note.
NOTE_ROOM = 0.45


def tiny_bars_hint(a_macs: np.ndarray, b_macs: np.ndarray, log: bool) -> str:
    """On a linear scale, a note when one variant's bars are too small to see, else ""."""
    if log or not len(a_macs) or not len(b_macs):
        return ""
    top_a, top_b = float(a_macs.max()), float(b_macs.max())
    small, big = ("B", "A") if top_b < top_a else ("A", "B")
    if min(top_a, top_b) >= TINY_BARS * max(top_a, top_b):
        return ""
    return (f"{small}'s bars are under {100 * TINY_BARS:.0f} % of {big}'s and hardly show:"
            " tick Log scale (Ctrl+L) to see both.")


def short_tiny_bars_hint(hint: str) -> str:
    """The gist of ``tiny_bars_hint``'s text, for a chart too short for all of it."""
    return hint.split(" and hardly show")[0] + ": Ctrl+L"


def _summary_values(spec: MobileNetSpec) -> list[float | None]:
    t = model_totals(spec)
    acc = published_accuracy(spec)
    return [spec.alpha, spec.resolution, t.params, t.trainable_params, t.non_trainable_params,
            t.macs, t.flops, t.activation_bytes_peak, t.activation_bytes_total,
            acc.top1_float if acc else None]


def _value_cell(row: int, value: float | None, who: str) -> Cell:
    if value is None:
        tip = f"{who}: no published accuracy" if row == TOP1_ROW else f"{who}: n/a"
        return Cell("n/a", tip=tip)
    if row == 0:
        return Cell(format_alpha(value), tip=f"{who}: width multiplier alpha"
                                             f" {format_alpha(value)}")
    if row == 1:
        return Cell(f"{int(value):,}", tip=f"{who}: input resolution {int(value)} px")
    if row in BYTES_ROWS:
        return Cell(human_bytes(value), tip=f"{who}: {int(value):,} bytes")
    if row == TOP1_ROW:
        return Cell(f"{value:.1f}", tip=f"{who}: {value:.1f} % top-1 (TF-slim, float)")
    exact = f"{int(value):,}"
    return Cell(exact, human_count(value, trailing_zeros=True), f"{who}: {exact}")


def _diff_cells(row: int, a: float | None, b: float | None) -> tuple[Cell, Cell]:
    if a is None or b is None:
        return Cell(""), Cell("")
    delta = b - a
    sign = "+" if delta >= 0 else "-"
    if row == 0:
        d = Cell(f"{round(delta, 6):+g}")
    elif row == 1:
        d = Cell(f"{int(delta):+,}")
    elif row in BYTES_ROWS:
        d = Cell(sign + human_bytes(abs(delta)), tip=f"B - A: {int(delta):+,} bytes")
    elif row == TOP1_ROW:
        # A ratio of accuracies (0.879x) says little; percentage points say how much is lost.
        pp = f"{delta:+.1f} pp"
        return (Cell(pp, tip=f"B - A: {pp} (percentage points of top-1)"),
                Cell("", tip="No ratio for accuracy: B - A gives the difference in "
                             "percentage points"))
    else:
        exact = f"{int(delta):+,}"
        d = Cell(exact, sign + human_count(abs(delta), trailing_zeros=True), f"B - A: {exact}")
    if not a:
        return d, Cell("")
    ratio = human_ratio(b / a)
    return d, Cell(ratio, tip=f"B / A = {b / a:.6g}")


def _channels_cell(cost: BlockCost | None, who: str) -> Cell:
    if cost is None:
        return Cell("-")
    text = f"{cost.in_channels}\u2192{cost.out_channels}, {cost.output_size}\u00b2"
    return Cell(text, tip=f"{who}: {cost.in_channels} \u2192 {cost.out_channels} channels, "
                          f"{cost.output_size} x {cost.output_size} output")


def _macs_cell(cost: BlockCost | None, who: str) -> Cell:
    if cost is None:
        return Cell("-")
    exact = f"{cost.separable_macs:,}"
    return Cell(exact, human_count(cost.separable_macs, trailing_zeros=True),
                f"{who}: {exact} mult-adds")


class CompareView(QWidget):
    """Side-by-side comparison of the pinned variant A and the current variant B."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self._state = state
        self.heading = QLabel(self)
        self.heading.setObjectName("compareHeading")
        set_role(self.heading, "headline")
        self.heading.setWordWrap(True)
        self.pin_button = QPushButton("Pin current as A", self)
        self.pin_button.setObjectName("pinButton")
        self.pin_button.setToolTip("Keep the current variant as A; move the sliders to change B "
                                   "(Ctrl+P)")
        self.unpin_button = QPushButton("Reset A to 1.0-224", self)
        self.unpin_button.setObjectName("unpinButton")

        self.summary_table = FitTable([Cell(t) for t in ("", "A", "B", "B - A", "B / A")], self)
        self.summary_table.setObjectName("compareSummary")
        self.block_table = FitTable(BLOCK_TITLES, self)
        self.block_table.setObjectName("compareBlocks")

        self.value_axis = CountAxis("left")
        self.block_axis = BlockAxis()
        self.plot_widget = pg.PlotWidget(self, axisItems={"left": self.value_axis,
                                                          "bottom": self.block_axis})
        self.plot_widget.setObjectName("comparePlot")
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot)
        self.plot.setMouseEnabled(x=False, y=False)
        self.block_axis.setLabel("block")
        self.plot.setXRange(0.4, 13.6, padding=0)
        self.a_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=A_COLOR,
                                      pen=pg.mkPen(None), name="A")
        self.b_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=B_COLOR,
                                      pen=pg.mkPen(None), name="B")
        for bars in (self.a_bars, self.b_bars):
            self.plot.addItem(bars)
        # The note on bars too small to see sits in the chart, in room kept for it above
        # the tallest bar.  As a second legend line it resized the chart when it came or
        # went, and the chart then laid out and painted twice (~8 ms on that slider step);
        # at the foot of the bars it hid the small bars it speaks of.
        self.tiny_note = pg.TextItem(anchor=(0.5, 0.0), color="#333333",
                                     fill=pg.mkBrush(255, 255, 255, 230))
        self.tiny_note.setZValue(10)
        self.tiny_note.hide()
        self.plot.addItem(self.tiny_note, ignoreBounds=True)
        self._tiny_hint = ""
        self._tiny_note_html = ""
        self._bars_range = (0.0, 1.0)  # the y range the bars need (the note's room aside)
        self.plot.vb.sigResized.connect(self._fit_tiny_note)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)  # else its text width sets the chart's minimum width
        self.log_check = QCheckBox("Log scale", self)
        self.log_check.setObjectName("compareLogScale")
        self.log_check.setToolTip("Logarithmic y axis: shows a small B next to a large A")

        buttons = QHBoxLayout()
        buttons.addWidget(self.heading, 1)
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.unpin_button)
        tables = QWidget(self)
        tables_layout = QVBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        tables_layout.addWidget(self.summary_table)
        tables_layout.addWidget(self.block_table)
        tables_layout.addStretch(1)
        # Tables keep their full height and compact width; a smaller page scrolls.
        self.tables_area = QScrollArea(self)
        self.tables_area.setObjectName("compareTables")
        self.tables_area.setWidgetResizable(True)
        self.tables_area.setFrameShape(QFrame.Shape.NoFrame)
        self.tables_area.setWidget(tables)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        legend_row = QHBoxLayout()
        legend_row.addWidget(self.legend, 1)
        legend_row.addWidget(self.log_check, 0, Qt.AlignmentFlag.AlignTop)
        right_layout.addLayout(legend_row)
        right_layout.addWidget(self.plot_widget, 1)
        self.splitter = _Splitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.tables_area)
        self.splitter.addWidget(right)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([700, 340])
        self._user_sized = False
        self._arranged_for = 0  # the tables' minimum width when the split was last chosen
        self._rearrange_timer = QTimer(self)
        self._rearrange_timer.setSingleShot(True)
        self._rearrange_timer.setInterval(REARRANGE_DELAY_MS)
        self._rearrange_timer.timeout.connect(self._arrange)
        self._a_figures: _AFigures | None = None  # see _figures_of_a
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.splitter, 1)

        self.pin_button.clicked.connect(self.pin_current)
        self.unpin_button.clicked.connect(state.unpin)
        self.log_check.toggled.connect(self.refresh)
        self.splitter.splitterMoved.connect(self._on_splitter_moved)
        self.splitter.resized.connect(self._arrange)
        # Hidden behind another tab, it refreshes when shown (see while_hidden).
        self.while_hidden = WhileHidden(self, self.refresh)
        state.spec_changed.connect(self.while_hidden.request)
        state.pinned_changed.connect(self.while_hidden.request)
        self.refresh()

    @property
    def spec_a(self) -> MobileNetSpec:
        return self._state.pinned or REFERENCE

    @property
    def spec_b(self) -> MobileNetSpec:
        return self._state.spec

    @Slot()
    def pin_current(self) -> None:
        self._state.pin()

    def set_log_scale(self, on: bool) -> None:
        self.log_check.setChecked(on)

    @Slot()
    def refresh(self, *_args: object) -> None:
        a, b = self.spec_a, self.spec_b
        pinned = "pinned" if self._state.pinned is not None else "reference; pin to change"
        # A no-break space after "A:" and "B:": a narrow window must not wrap the heading
        # after a lone "B:" (longer unbreakable runs would widen the view's minimum).
        nb = "\u00a0"
        self.heading.setText(f"A:{nb}MobileNet {a.label} ({pinned})    "
                             f"B:{nb}MobileNet {b.label} (follows the sliders)")
        who_a, who_b = f"A {a.label}", f"B {b.label}"
        # Compact titles drop the labels: the heading above says which variant is A and B.
        # B's title does not name it: a title that changed on every slider step made Qt
        # repaint the whole table a second time (a header change relays out the table in a
        # later event pass), ~1-3 ms per step; the heading and the first two rows name it.
        self.summary_table.set_headers([
            Cell(""), Cell(f"A  {a.label}", "A", f"Variant A: MobileNet {a.label}"),
            Cell("B  (sliders)", "B", "Variant B: the one the sliders set (named in the"
                                      " heading above)"),
            Cell("B - A", tip="Difference B - A"),
            Cell("B / A", tip="Ratio B / A (for accuracy see B - A)")])
        rows = []
        values_a, blocks_a = self._figures_of_a(a)
        for r, (va, vb) in enumerate(zip(values_a, _summary_values(b))):
            rows.append([Cell(SUMMARY_ROWS[r], SUMMARY_SHORT.get(r, ""),
                              SUMMARY_TIPS.get(r, "")),
                         _value_cell(r, va, who_a),
                         _value_cell(r, vb, who_b), *_diff_cells(r, va, vb)])
        self.summary_table.set_cells(rows)

        costs_a = blocks_a
        costs_b = {c.block: c for c in block_costs(b)}
        blocks = sorted(set(costs_a) | set(costs_b))
        block_rows = []
        for block in blocks:
            ca, cb = costs_a.get(block), costs_b.get(block)
            ratio = Cell("")
            if ca and cb and ca.separable_macs:
                r = cb.separable_macs / ca.separable_macs
                ratio = Cell(human_ratio(r), tip=f"Block {block}: B / A = {r:.6g}")
            block_rows.append([Cell(str(block)), _channels_cell(ca, who_a),
                               _channels_cell(cb, who_b), _macs_cell(ca, who_a),
                               _macs_cell(cb, who_b), ratio])
        self.block_table.set_cells(block_rows)

        xs = np.asarray(blocks, dtype=float)
        ha = np.asarray([costs_a[k].separable_macs if k in costs_a else 0 for k in blocks], float)
        hb = np.asarray([costs_b[k].separable_macs if k in costs_b else 0 for k in blocks], float)
        log = self.log_check.isChecked()
        if log:
            # pyqtgraph's log mode does not transform bars: feed log10 heights from y0.
            y0, top = log_bar_range(np.concatenate([ha, hb]))
            self.a_bars.setOpts(x=xs - 0.2, height=np.log10(np.maximum(ha, 1.0)) - y0, y0=y0)
            self.b_bars.setOpts(x=xs + 0.2, height=np.log10(np.maximum(hb, 1.0)) - y0, y0=y0)
        else:
            y0 = 0.0
            self.a_bars.setOpts(x=xs - 0.2, height=ha, y0=0.0)
            self.b_bars.setOpts(x=xs + 0.2, height=hb, y0=0.0)
            # 3 % headroom above the round top value so its tick label is not cut off.
            top = nice_ceiling(float(max(ha.max(initial=1.0), hb.max(initial=1.0))) * 1.05) * 1.03
        if self.value_axis.log_values != log:
            self.value_axis.set_log_values(log)
        self._bars_range = (y0, top)
        # B unnamed here too: a legend that changed on every step re-laid out the chart.
        legend = "Separable mult-adds (MACs) per block: " + legend_html(
            [(A_COLOR, f"A {a.label}"), (B_COLOR, "B (sliders)")])
        if legend != self.legend.text():
            self.legend.setText(legend)
        self._show_tiny_note(tiny_bars_hint(ha, hb, log))
        self._apply_y_range()
        need = self.tables_area.widget().minimumSizeHint().width()
        if need != self._arranged_for:
            # Wider or narrower numbers: choose the split again.  Moving the split resizes
            # the chart, which then lays out and paints the whole view a second time (about
            # 10 ms, on one slider step in five).  So while only the chart's edge would move,
            # the split waits until the sliders rest; tables that would be cut off, or shown
            # in another (full or compact) form, get their new split at once.
            if self._split_can_wait():
                self._rearrange_timer.start()
            else:
                self._arrange()

    def _show_tiny_note(self, hint: str) -> None:
        """Show ``hint`` ("" hides it) at the top of the chart (see ``_apply_y_range``)."""
        if hint != self._tiny_hint:
            self._tiny_hint = hint
            self.tiny_note.setVisible(bool(hint))
            # Screen readers cannot read the chart's items: the chart's description says it,
            # and its tooltip, for a chart too short to show the note.
            self.plot_widget.setAccessibleDescription(hint)
            self.plot_widget.setToolTip(hint)

    def _apply_y_range(self) -> None:
        """The bars' y range, with room above the tallest bar for the note when it shows:
        the note covers no bar, least of all the small ones it speaks of.

        The room is at most ``NOTE_ROOM`` of the plot's height.  A note taller than that (a
        short chart, a large font) is shortened to its first sentence's gist, and left out
        of the chart when even that does not fit; the chart's tooltip and accessible
        description still say it.
        """
        y0, top = self._bars_range
        if self._tiny_hint:
            plot_height = self.plot.vb.height()
            note = self._tiny_note_height(self._tiny_hint)
            if note > NOTE_ROOM * plot_height:
                note = self._tiny_note_height(short_tiny_bars_hint(self._tiny_hint))
            fits = 0 < note <= NOTE_ROOM * plot_height
            self.tiny_note.setVisible(fits)
            if fits:
                needed = y0 + (top - y0) * plot_height / (plot_height - note)
                # a round top with the usual 3 % for its tick label, as without the note
                top = y0 + nice_ceiling((needed - y0) / 1.03) * 1.03
                if self.tiny_note.pos() != QPointF(7.0, top):
                    self.tiny_note.setPos(7.0, top)
        if tuple(self.plot.vb.viewRange()[1]) != (y0, top):
            set_y_range_now(self.plot, y0, top)

    def _tiny_note_height(self, text: str) -> float:
        """Pixels the note takes with ``text`` (set as its text), margin included."""
        html_text = (f'<span style="font-size:{chart_text_size()}">'
                     f"<i>{html.escape(text)}</i></span>")
        if self._tiny_note_html != html_text:
            self._tiny_note_html = html_text
            self.tiny_note.setHtml(html_text)
            self.tiny_note.setTextWidth(self._tiny_note_width())
        return self.tiny_note.textItem.boundingRect().height() + 4

    def tiny_bars_note(self) -> str:
        """The note on bars too small to see, as shown ("" when none is)."""
        return self.tiny_note.textItem.toPlainText() if self.tiny_note.isVisible() else ""

    def _tiny_note_width(self) -> float:
        return max(120.0, self.plot.vb.width() - 16.0)  # less a margin on each side

    @Slot()
    def _fit_tiny_note(self, *_args: object) -> None:
        if not self._tiny_hint:
            return
        if self.tiny_note.textItem.textWidth() != self._tiny_note_width():
            self.tiny_note.setTextWidth(self._tiny_note_width())
        self._apply_y_range()  # a new height for the chart or the wrapped note

    def _figures_of_a(self, a: MobileNetSpec) -> tuple[list[float | None], dict[int, BlockCost]]:
        """A's summary values and block costs, kept while A stays the same variant.

        A is the reference or a pinned variant and changes rarely, while every slider step
        refreshes this view: the cost model's caches would serve it too, but not after they
        are cleared (as the slider benchmark does to time new variants cold).
        """
        if self._a_figures is None or self._a_figures[0] != a:
            self._a_figures = (a, _summary_values(a), {c.block: c for c in block_costs(a)})
        return self._a_figures[1], self._a_figures[2]

    # --- layout ---------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # Shown (after catching up with the sliders, see while_hidden): the whole view is
        # painted now anyway, so a split that waited for the sliders to rest is chosen now,
        # and a screenshot taken at once shows the same split as one taken later.
        if self._rearrange_timer.isActive():
            self._arrange()

    @Slot(int, int)
    def _on_splitter_moved(self, _pos: int, _index: int) -> None:
        self._user_sized = True  # from now on the user's split stands

    def _planned_split(self) -> tuple[Qt.Orientation, list[int]]:
        """Chart beside the tables, or below them when the page is too narrow for both, and
        the splitter sizes for that (see ``_arrange``)."""
        width, height = self.splitter.width(), self.splitter.height()
        tables = self.tables_area.widget()
        tables_height = tables.sizeHint().height()
        handle = self.splitter.handleWidth()
        frame = 2 * self.tables_area.frameWidth()
        need = tables.minimumSizeHint().width() + frame
        if tables_height > height:  # beside the chart, a vertical scroll bar takes its width
            need += self.tables_area.verticalScrollBar().sizeHint().width()
        # The chart's side is at least as wide as its legend's longest entry and the Log
        # scale box; planned at MIN_CHART, the splitter kept that width and cut the tables.
        min_chart = max(MIN_CHART, self.splitter.widget(1).minimumSizeHint().width())
        fits_beside = width - handle - min_chart >= need
        if tables.minimumSizeHint().width() + frame > width:  # room for the sideways bar
            tables_height += self.tables_area.horizontalScrollBar().sizeHint().height()
        below = ((width < NARROW_PAGE and height >= tables_height + MIN_CHART)
                 or (not fits_beside and height >= 2 * MIN_CHART))
        if below:
            shown = min(tables_height + frame, height - handle - MIN_CHART)
            return Qt.Orientation.Vertical, [shown, max(MIN_CHART, height - handle - shown)]
        chart = int(min(640, max(min_chart, 0.32 * width)))
        # Past their own width and some air, wider tables only spread each number away
        # from its row's name (at 2560 px they took 1550 px beside a 640 px chart): the
        # chart takes the rest.
        chart = max(chart, width - handle - int(TABLES_AIR * need))
        chart = max(min_chart, min(chart, width - handle - need))
        return Qt.Orientation.Horizontal, [max(1, width - handle - chart), chart]

    def _arrange(self) -> None:
        """Chart beside the tables, or below them when the page is too narrow for both.

        Beside: the chart gives way (down to MIN_CHART) before the tables scroll sideways,
        since a sideways scroll hides B - A and B / A, the point of the view (seen at 1024 px
        with B = 4.0-4096).  When even MIN_CHART does not leave the tables their width (about
        900 px windows), the chart goes below them and the tables scroll vertically instead.
        """
        self._rearrange_timer.stop()
        self._arranged_for = self.tables_area.widget().minimumSizeHint().width()
        orientation, sizes = self._planned_split()
        if self.splitter.orientation() != orientation:
            self.splitter.setOrientation(orientation)
            self._user_sized = False
        if not self._user_sized:
            self.splitter.setSizes(sizes)

    def _split_can_wait(self) -> bool:
        """True when choosing the split again would change nothing on screen but where the
        chart starts: same orientation, and the tables show the same (full or compact)
        numbers in the pane they have as in the pane they would get."""
        if self._user_sized or self.splitter.orientation() != Qt.Orientation.Horizontal:
            return False
        orientation, sizes = self._planned_split()
        if orientation != Qt.Orientation.Horizontal:
            return False
        viewport = self.tables_area.viewport().width()
        if self.tables_area.widget().minimumSizeHint().width() > viewport:
            return False  # cut off: they get their room at once
        planned = sizes[0] - (self.tables_area.width() - viewport)
        return all(table.compact_at(viewport) == table.compact_at(planned)
                   for table in (self.summary_table, self.block_table))

    # --- tests and automation -------------------------------------------------------------
    def block_rows(self) -> list[list[str]]:
        """The per-block table as shown (tests)."""
        return self.block_table.text_rows()

    def block_differences(self) -> list[tuple[int, int, int]]:
        """(block, A separable MACs, B separable MACs) for tests and automation."""
        costs_a = {c.block: c.separable_macs for c in block_costs(self.spec_a)}
        return [(c.block, costs_a.get(c.block, 0), c.separable_macs)
                for c in block_costs(self.spec_b)]
