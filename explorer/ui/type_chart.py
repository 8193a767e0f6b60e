"""Cost by layer type (the paper's Table 2), live for the current variant.

A table with mult-adds and weights per type (biases and batch norm excluded, as the paper
counts) beside the printed 1.0-224 shares, and a grouped horizontal bar chart of the shares.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.breakdown import TYPE_LABELS, TypeShare, cost_by_type
from explorer.arch.export import percent_text
from explorer.arch.spec import MobileNetSpec
from explorer.ui.plot_style import SEPARABLE_COLOR, STANDARD_COLOR, legend_html, style_plot
from explorer.ui.table_tools import elide_cut_cells
from explorer.ui.theme import bold_header, set_role
from explorer.ui.variant_state import VariantState
from explorer.ui.while_hidden import WhileHidden

#: Shares printed in the paper's Table 2 for 1.0 MobileNet-224 (mult-adds %, params %).
PAPER_TABLE2 = {
    "Conv 1x1": (94.86, 74.59),
    "Conv DW 3x3": (3.06, 1.06),
    "Conv 3x3": (1.19, 0.02),
    "Fully Connected": (0.18, 24.33),
}
#: Two-line titles: in one line the Stretch columns cut "Mult-adds (MACs)" at 1024 px.
HEADERS = ("Type", "Mult-adds\n(MACs)", "% MACs", "Params\n(weights)", "% params",
           "Paper, 1.0-224\n% MACs / % params")


class TypeChartPanel(QWidget):
    """Paper Table 2 recomputed for the current variant."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("typePanel")
        self.shares: tuple[TypeShare, ...] = ()
        self.title = QLabel(self)
        set_role(self.title, "headline")
        self.table = QTableWidget(len(TYPE_LABELS), len(HEADERS), self)
        self.table.setObjectName("typeTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        bold_header(self.table)
        # The type names and the printed column never change, so sizing them to their
        # contents costs nothing per step ("Fully Connected" was elided at 1024 px).
        for column in (0, len(HEADERS) - 1):
            self.table.horizontalHeader().setSectionResizeMode(
                column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # The viewport's resize, not the table's: the table's comes before the scroll area
        # resizes its viewport, so the check read the old width (columns stayed squeezed
        # at full width until the next resize).
        self.table.viewport().installEventFilter(self)
        elide_cut_cells(self.table)
        for r, label in enumerate(TYPE_LABELS):
            for c in range(len(HEADERS)):
                item = QTableWidgetItem()
                align = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
                item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            self.table.item(r, 0).setText(label)
            p_macs, p_params = PAPER_TABLE2[label]
            self.table.item(r, 5).setText(f"{p_macs:.2f} / {p_params:.2f}")
        note = QLabel(
            "The paper's Conv 3x3 mult-adds share is printed as 1.19 %; it computes to 1.91 % "
            "(digits swapped: the printed column sums to 99.29 %). At lower input resolution the "
            "fully connected layer's share grows: its mult-adds do not scale with pixels.",
            self)
        note.setWordWrap(True)
        set_role(note, "caption")

        self.plot_widget = pg.PlotWidget(self)
        self.plot_widget.setObjectName("typeSharePlot")
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("left").setTicks([[(i, t) for i, t in enumerate(TYPE_LABELS)]])
        self.plot.getAxis("bottom").setLabel("%")
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)
        self.plot.invertY(True)
        ys = np.arange(len(TYPE_LABELS), dtype=float)
        self.macs_bars = pg.BarGraphItem(x0=0, y=ys - 0.18, height=0.34, width=np.zeros(4),
                                         brush=SEPARABLE_COLOR, pen=pg.mkPen(None),
                                         name="mult-adds (MACs)")
        self.params_bars = pg.BarGraphItem(x0=0, y=ys + 0.18, height=0.34, width=np.zeros(4),
                                           brush=STANDARD_COLOR, pen=pg.mkPen(None),
                                           name="params")
        for bars in (self.macs_bars, self.params_bars):
            self.plot.addItem(bars)
        legend = QLabel("Share of the model: " + legend_html(
            [(SEPARABLE_COLOR, "mult-adds (MACs)"), (STANDARD_COLOR, "params (weights)")]), self)
        legend.setTextFormat(Qt.TextFormat.RichText)
        self.plot.setXRange(0, 100, padding=0.02)
        self.plot.setYRange(-0.6, len(TYPE_LABELS) - 0.4, padding=0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(note)
        layout.addWidget(legend)
        layout.addWidget(self.plot_widget, 1)
        # Hidden behind another tab, it updates when shown (see while_hidden).
        self.while_hidden = WhileHidden(self, self.show_spec)
        state.spec_changed.connect(self.while_hidden.request)
        self.show_spec(state.spec)

    def _keep_numbers_whole(self) -> None:
        """No number column narrower than its widest number: below that the table scrolls
        sideways instead of eliding "539,492,352" to "539,49..." (900 px windows).

        Only the two count columns need the counts' width; when the stretched columns would
        be narrower, those two are fixed at it and the percentage columns share what is left
        (each as wide as its title).  One minimum for all four pushed the table 180 px past
        a 1024 px window, cutting "92.15" in "% params" to "92".
        """
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        titles = QFontMetrics(header.font())
        counts = max(metrics.horizontalAdvance(self.table.item(r, c).text())
                     for r in range(self.table.rowCount()) for c in (1, 3)) + 12
        shares = max([metrics.horizontalAdvance(self.table.item(r, c).text())
                      for r in range(self.table.rowCount()) for c in (2, 4)]
                     + [titles.horizontalAdvance(HEADERS[c]) for c in (2, 4)]) + 16
        if header.minimumSectionSize() != shares:
            header.setMinimumSectionSize(shares)
        room = (self.table.viewport().width() - header.sectionSize(0)
                - header.sectionSize(len(HEADERS) - 1))
        squeezed = room < 4 * counts
        mode = QHeaderView.ResizeMode.Fixed if squeezed else QHeaderView.ResizeMode.Stretch
        for column in (1, 3):
            if header.sectionResizeMode(column) != mode:
                header.setSectionResizeMode(column, mode)
            if squeezed and header.sectionSize(column) != counts:
                header.resizeSection(column, counts)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._keep_numbers_whole()  # the room for the count columns changed
        return super().eventFilter(watched, event)

    @Slot(object)
    def show_spec(self, spec: MobileNetSpec) -> None:
        self.shares = cost_by_type(spec)
        self.title.setText(f"Cost by layer type, MobileNet {spec.label} (paper Table 2)")
        for r, share in enumerate(self.shares):
            self.table.item(r, 1).setText(f"{share.macs:,}")
            self.table.item(r, 2).setText(percent_text(share.macs_share))
            self.table.item(r, 3).setText(f"{share.params:,}")
            self.table.item(r, 4).setText(percent_text(share.params_share))
        self._keep_numbers_whole()
        self.macs_bars.setOpts(width=np.array([100 * s.macs_share for s in self.shares]))
        self.params_bars.setOpts(width=np.array([100 * s.params_share for s in self.shares]))
