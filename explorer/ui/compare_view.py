"""Compare: variant A (pinned) against variant B (whatever the sliders show now).

Until the user pins a variant, A is the reference MobileNet 1.0-224.  Differences are shown
for the whole model and per block, where the MACs bars of A and B stand side by side.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.accuracy import published_accuracy
from explorer.arch.blocks import block_costs
from explorer.arch.export import human_bytes
from explorer.arch.layers import model_totals
from explorer.arch.spec import MobileNetSpec
from explorer.ui.plot_style import (
    A_COLOR,
    B_COLOR,
    CountAxis,
    legend_html,
    nice_ceiling,
    style_plot,
)
from explorer.ui.theme import bold_header, set_role
from explorer.ui.variant_state import VariantState

REFERENCE = MobileNetSpec(1.0, 224)
SUMMARY_ROWS = ("Width multiplier alpha", "Input resolution", "Params", "  trainable",
                "  non-trainable", "Mult-adds (MACs)", "FLOPs (2 x MACs)",
                "Activations, peak (float32)", "Activations, all (float32)", "ImageNet top-1 %")
BLOCK_HEADERS = ("Block", "A channels, size", "B channels, size", "A MACs", "B MACs",
                 "B / A")


def _summary_values(spec: MobileNetSpec) -> list[float | None]:
    t = model_totals(spec)
    acc = published_accuracy(spec)
    return [spec.alpha, spec.resolution, t.params, t.trainable_params, t.non_trainable_params,
            t.macs, t.flops, t.activation_bytes_peak, t.activation_bytes_total,
            acc.top1_float if acc else None]


def _fmt(row: int, value: float | None) -> str:
    if value is None:
        return "n/a"
    if row == 0:
        return f"{value:g}"
    if row in (7, 8):
        return human_bytes(value)
    if row == 9:
        return f"{value:.1f}"
    return f"{int(value):,}"


def _diff(row: int, a: float | None, b: float | None) -> tuple[str, str]:
    if a is None or b is None:
        return "", ""
    delta = b - a
    if row == 0:
        d = f"{delta:+g}"
    elif row in (7, 8):
        d = ("+" if delta >= 0 else "-") + human_bytes(abs(delta))
    elif row == 9:
        d = f"{delta:+.1f} pts"
    else:
        d = f"{int(delta):+,}"
    ratio = f"{b / a:.3f}x" if a else ""
    return d, ratio


def _table(rows: int, headers: tuple[str, ...], parent: QWidget,
           first_width: int = 50) -> QTableWidget:
    table = QTableWidget(rows, len(headers), parent)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(21)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    bold_header(table)
    table.horizontalHeader().setMinimumSectionSize(40)
    # The first column holds names: fixed width, the numbers share the rest.
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().resizeSection(0, first_width)
    for r in range(rows):
        for c in range(len(headers)):
            item = QTableWidgetItem()
            align = Qt.AlignmentFlag.AlignLeft if c == 0 else Qt.AlignmentFlag.AlignRight
            item.setTextAlignment(align | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    return table


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

        self.summary_table = _table(len(SUMMARY_ROWS), ("", "A", "B", "B - A", "B / A"), self,
                                    first_width=205)
        self.summary_table.setObjectName("compareSummary")
        for r, name in enumerate(SUMMARY_ROWS):
            self.summary_table.item(r, 0).setText(name)
        self.block_table = _table(13, BLOCK_HEADERS, self)
        self.block_table.setObjectName("compareBlocks")

        self.plot_widget = pg.PlotWidget(self, axisItems={"left": CountAxis("left")})
        self.plot_widget.setObjectName("comparePlot")
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("bottom").setTicks([[(b, str(b)) for b in range(1, 14)]])
        self.plot.getAxis("bottom").setLabel("block")
        self.plot.setXRange(0.4, 13.6, padding=0)
        self.a_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=A_COLOR,
                                      pen=pg.mkPen(None), name="A")
        self.b_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=B_COLOR,
                                      pen=pg.mkPen(None), name="B")
        for bars in (self.a_bars, self.b_bars):
            self.plot.addItem(bars)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)  # else its text width sets the chart's minimum width

        buttons = QHBoxLayout()
        buttons.addWidget(self.heading, 1)
        buttons.addWidget(self.pin_button)
        buttons.addWidget(self.unpin_button)
        for table in (self.summary_table, self.block_table):
            # Tables as tall as their rows: no empty white boxes, no inner scroll bars.
            table.setSizeAdjustPolicy(QTableWidget.SizeAdjustPolicy.AdjustToContents)
            table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.summary_table)
        left_layout.addWidget(self.block_table)
        left_layout.addStretch(1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.legend)
        right_layout.addWidget(self.plot_widget, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([700, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)

        self.pin_button.clicked.connect(self.pin_current)
        self.unpin_button.clicked.connect(state.unpin)
        state.spec_changed.connect(self.refresh)
        state.pinned_changed.connect(self.refresh)
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

    @Slot()
    def refresh(self, *_args: object) -> None:
        a, b = self.spec_a, self.spec_b
        pinned = "pinned" if self._state.pinned is not None else "reference; pin to change"
        self.heading.setText(f"A: MobileNet {a.label} ({pinned})    B: MobileNet {b.label} "
                             "(follows the sliders)")
        self.summary_table.setHorizontalHeaderLabels(
            ("", f"A  {a.label}", f"B  {b.label}", "B - A", "B / A"))
        for r, (va, vb) in enumerate(zip(_summary_values(a), _summary_values(b))):
            d, ratio = _diff(r, va, vb)
            self.summary_table.item(r, 1).setText(_fmt(r, va))
            self.summary_table.item(r, 2).setText(_fmt(r, vb))
            self.summary_table.item(r, 3).setText(d)
            self.summary_table.item(r, 4).setText(ratio)
        costs_a = {c.block: c for c in block_costs(a)}
        costs_b = {c.block: c for c in block_costs(b)}
        blocks = sorted(set(costs_a) | set(costs_b))
        self.block_table.setRowCount(len(blocks))
        for r, block in enumerate(blocks):
            ca, cb = costs_a.get(block), costs_b.get(block)
            cells = [
                str(block),
                f"{ca.in_channels}\u2192{ca.out_channels}, {ca.output_size}\u00b2" if ca else "-",
                f"{cb.in_channels}\u2192{cb.out_channels}, {cb.output_size}\u00b2" if cb else "-",
                f"{ca.separable_macs:,}" if ca else "-",
                f"{cb.separable_macs:,}" if cb else "-",
                f"{cb.separable_macs / ca.separable_macs:.3f}x" if ca and cb else "",
            ]
            for c, text in enumerate(cells):
                item = self.block_table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    self.block_table.setItem(r, c, item)
                item.setText(text)
        xs = np.asarray(blocks, dtype=float)
        ha = np.asarray([costs_a[k].separable_macs if k in costs_a else 0 for k in blocks], float)
        hb = np.asarray([costs_b[k].separable_macs if k in costs_b else 0 for k in blocks], float)
        self.a_bars.setOpts(x=xs - 0.2, height=ha)
        self.b_bars.setOpts(x=xs + 0.2, height=hb)
        self.legend.setText("Separable mult-adds (MACs) per block: " + legend_html(
            [(A_COLOR, f"A {a.label}"), (B_COLOR, f"B {b.label}")]))
        # 3 % headroom above the round top value so its tick label is not cut off.
        top = nice_ceiling(float(max(ha.max(initial=1.0), hb.max(initial=1.0))) * 1.05) * 1.03
        if self.plot.vb.viewRange()[1][1] != top:
            self.plot.setYRange(0, top, padding=0)

    def block_rows(self) -> list[list[str]]:
        """The per-block table as shown (tests)."""
        t = self.block_table
        return [[t.item(r, c).text() for c in range(t.columnCount())] for r in range(t.rowCount())]

    def block_differences(self) -> list[tuple[int, int, int]]:
        """(block, A separable MACs, B separable MACs) for tests and automation."""
        costs_a = {c.block: c.separable_macs for c in block_costs(self.spec_a)}
        return [(c.block, costs_a.get(c.block, 0), c.separable_macs)
                for c in block_costs(self.spec_b)]
