"""Per-block view: a full 3x3 convolution versus its depthwise separable replacement.

Shown as a chart or as a table (``BlockTableView``, the exact numbers), chosen with the
Chart / Table buttons.  Top plot (``blockCostPlot``): standard and separable mult-adds (or
params) side by side for blocks 1..13, optional log scale.  Bottom plot: separable / standard
per block next to the paper's closed form 1/N + 1/Dk^2 (section 3.1).  Each slider step only
calls ``setOpts`` / ``setData`` on existing items and sets the ranges explicitly, so no item
is rebuilt and no auto-range pass runs.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.blocks import KERNEL, BlockCost, block_costs, block_span, block_totals
from explorer.arch.export import human_count
from explorer.arch.layers import model_totals
from explorer.arch.spec import MobileNetSpec
from explorer.ui.block_table import BlockTableView
from explorer.ui.plot_style import (
    FORMULA_COLOR,
    RATIO_COLOR,
    SEPARABLE_COLOR,
    STANDARD_COLOR,
    BarLabels,
    BlockAxis,
    CountAxis,
    legend_html,
    log_bar_range,
    nice_ceiling,
    set_y_range_now,
    style_plot,
)
from explorer.ui.theme import SEGMENT_BUTTON_STYLE, set_role
from explorer.ui.variant_state import VariantState
from explorer.ui.while_hidden import WhileHidden

BAR_WIDTH = 0.38
#: Least heights of the two charts: below them the window stops shrinking rather than
#: draw axes on top of each other (at 357 px the bar chart was a few pixels tall).
MIN_COST_PLOT_HEIGHT = 180
MIN_RATIO_PLOT_HEIGHT = 90
OFFSET = 0.2


def whole_model_reduction(spec: MobileNetSpec) -> tuple[float, int, int]:
    """(standard / separable, standard-body MACs, separable MACs) for the whole model.

    The standard-body total swaps each block's separable pair for a full 3x3 conv and keeps
    conv1 and the classifier: paper Table 4's "Conv MobileNet" (4867 M at 1.0-224).
    """
    t = model_totals(spec)
    b = block_totals(spec)
    standard = t.macs - b.separable_macs + b.standard_macs
    return (standard / t.macs if t.macs else 0.0), standard, t.macs


class BlockChartPanel(QWidget):
    """Standard vs depthwise separable cost per block, with the ratio and the formula line."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("blockPanel")
        self._spec = state.spec
        self._costs: tuple[BlockCost, ...] = ()
        self._last_ratio_key: tuple[tuple[float, ...], ...] | None = None

        self.metric_combo = QComboBox(self)
        self.metric_combo.setObjectName("blockMetric")
        self.metric_combo.addItem("Mult-adds (MACs)", "macs")
        self.metric_combo.addItem("Params (kernel weights)", "params")
        self.log_check = QCheckBox("Log scale", self)
        self.log_check.setObjectName("blockLogScale")
        self.log_check.setToolTip("Logarithmic y axis (Ctrl+L)")
        self.caption = QLabel(self)
        self.caption.setObjectName("blockCaption")
        set_role(self.caption, "headline")
        self.caption.setWordWrap(True)
        self.subcaption = QLabel(self)
        set_role(self.subcaption, "caption")
        self.subcaption.setWordWrap(True)

        self.cost_axis = CountAxis("left")
        self.plot_widget = pg.PlotWidget(self, axisItems={"left": self.cost_axis,
                                                          "bottom": BlockAxis()})
        self.plot_widget.setObjectName("blockCostPlot")
        self.plot_widget.setMinimumHeight(MIN_COST_PLOT_HEIGHT)
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("bottom").setLabel("block")
        self.standard_bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH,
                                             brush=STANDARD_COLOR, pen=pg.mkPen(None),
                                             name="standard 3x3 convolution")
        self.separable_bars = pg.BarGraphItem(x=[], height=[], width=BAR_WIDTH,
                                              brush=SEPARABLE_COLOR, pen=pg.mkPen(None),
                                              name="depthwise separable (3x3 dw + 1x1 pw)")
        self.plot.addItem(self.standard_bars)
        self.plot.addItem(self.separable_bars)
        self.legend = QLabel("Per block: " + legend_html([
                                          (STANDARD_COLOR, "standard 3x3 convolution"),
                                          (SEPARABLE_COLOR, "depthwise separable "
                                           "(3x3 depthwise + 1x1 pointwise)")]), self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        # "8.2x" above each pair of bars: standard / separable for that block.
        self.reduction_labels = BarLabels(self.font())
        self.plot.addItem(self.reduction_labels, ignoreBounds=True)

        self.ratio_widget = pg.PlotWidget(self, axisItems={"bottom": BlockAxis()})
        self.ratio_widget.setObjectName("blockRatioPlot")
        # Room for the axes' ticks: squeezed further the charts became overlapping text.
        self.ratio_widget.setMinimumHeight(MIN_RATIO_PLOT_HEIGHT)
        self.ratio_plot = self.ratio_widget.getPlotItem()
        style_plot(self.ratio_plot)
        self.ratio_plot.setMouseEnabled(x=False, y=False)
        self.ratio_plot.getAxis("left").setLabel("%")
        self.ratio_plot.getAxis("left").enableAutoSIPrefix(False)
        self.ratio_legend = QLabel(
            "Separable / standard per block: " + legend_html(
                [(RATIO_COLOR, "counted for this variant")]) + "&nbsp;&nbsp;&nbsp; "
            # word joiners: no line break after a "/" of the formula (it split "1/" from "D")
            + legend_html([(FORMULA_COLOR, "1/\u2060N + 1/\u2060D<sub>K</sub><sup>2</sup> "
                            "(paper section 3.1)")], line=True), self)
        self.ratio_legend.setTextFormat(Qt.TextFormat.RichText)
        self.ratio_legend.setWordWrap(True)
        self.formula_curve = self.ratio_plot.plot(
            [], [], pen=pg.mkPen(FORMULA_COLOR, width=1.5, style=Qt.PenStyle.DashLine),
)
        self.ratio_curve = self.ratio_plot.plot(
            [], [], pen=None, symbol="o", symbolSize=8, symbolBrush=RATIO_COLOR,
            symbolPen=pg.mkPen("w"))
        self.ratio_plot.setXLink(self.plot)
        self.plot.setXRange(0.4, 13.6, padding=0)

        # The same numbers as a table: every block's shapes, both costs, both ratios.
        self.table = BlockTableView(self)
        self.chart_button = self._mode_button("Chart", "blockShowChart",
                                              "Show the blocks as charts")
        self.table_button = self._mode_button("Table", "blockShowTable",
                                              "Show the exact numbers per block as a table"
                                              " (Ctrl+C copies the selected rows)")
        self.mode_group = QButtonGroup(self)
        self.mode_group.setExclusive(True)
        self.mode_group.addButton(self.chart_button)
        self.mode_group.addButton(self.table_button)
        self.chart_button.setChecked(True)

        charts = self.charts_page = QWidget(self)
        chart_layout = QVBoxLayout(charts)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.legend)
        chart_layout.addWidget(self.plot_widget, 5)
        chart_layout.addWidget(self.ratio_legend)
        chart_layout.addWidget(self.ratio_widget, 2)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(charts)
        self.pages.addWidget(self.table)

        controls = QHBoxLayout()
        controls.setSpacing(0)
        controls.addWidget(self.chart_button)
        controls.addWidget(self.table_button)
        controls.addSpacing(16)
        self.show_label = QLabel("Show:", self)
        controls.addWidget(self.show_label)
        controls.addSpacing(6)
        controls.addWidget(self.metric_combo)
        controls.addSpacing(10)
        controls.addWidget(self.log_check)
        controls.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(controls)
        layout.addWidget(self.caption)
        layout.addWidget(self.subcaption)
        layout.addWidget(self.pages, 1)

        self.table_button.toggled.connect(self._on_mode)

        self.metric_combo.currentIndexChanged.connect(self._redraw)
        self.log_check.toggled.connect(self._redraw)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        # Hidden behind another tab, it redraws when shown (see while_hidden); so do the
        # charts behind the table and the table behind the charts (~1.1 ms a step for the
        # table, ~2 ms for the charts).
        self.while_hidden = WhileHidden(self, self.show_spec)
        self.charts_update = WhileHidden(self.charts_page, self._redraw_charts)
        self.table_update = WhileHidden(self.table, self.table.set_costs)
        state.spec_changed.connect(self.while_hidden.request)
        self.show_spec(state.spec)
        for page in (self.table_update, self.charts_update):
            page.flush()  # both pages filled once, hidden or not

    def _mode_button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # The checked one is bold, with 12 px padding a side: at 56 px a narrow window cut
        # its text to "C...t".
        bold = QFont(button.font())
        bold.setBold(True)
        button.setMinimumWidth(max(56, QFontMetrics(bold).horizontalAdvance(text) + 30))
        button.setStyleSheet(SEGMENT_BUTTON_STYLE)
        return button

    # --- chart or table -------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """"chart" or "table": what the view shows below its captions."""
        return "table" if self.table_button.isChecked() else "chart"

    def set_mode(self, mode: str) -> None:
        if mode not in ("chart", "table"):
            raise ValueError(f"mode must be 'chart' or 'table', got {mode!r}")
        (self.table_button if mode == "table" else self.chart_button).setChecked(True)

    @Slot(bool)
    def _on_mode(self, table: bool) -> None:
        self.pages.setCurrentWidget(self.table if table else self.charts_page)
        # The metric and log scale choose what the chart draws; the table shows both metrics.
        for widget in (self.show_label, self.metric_combo, self.log_check):
            widget.setVisible(not table)
        self._update_caption()  # the table's headline is about mult-adds in the blocks

    # --- data -----------------------------------------------------------------------------
    @property
    def metric(self) -> str:
        """"macs" or "params"."""
        return self.metric_combo.currentData()

    def set_metric(self, metric: str) -> None:
        index = self.metric_combo.findData(metric)
        if index < 0:  # setCurrentIndex(-1) would blank the menu and chart nothing
            raise ValueError(f"metric must be 'macs' or 'params', got {metric!r}")
        self.metric_combo.setCurrentIndex(index)

    def set_log_scale(self, on: bool) -> None:
        self.log_check.setChecked(on)

    def bar_data(self) -> dict[str, list[float]]:
        """The exact numbers behind the bars (not log-transformed), for tests and tooltips."""
        params = self.metric == "params"
        return {
            "blocks": [c.block for c in self._costs],
            "standard": [c.standard_params if params else c.standard_macs for c in self._costs],
            "separable": [c.separable_params if params else c.separable_macs
                          for c in self._costs],
            "ratio": [c.params_ratio if params else c.ratio for c in self._costs],
            "formula": [c.paper_ratio for c in self._costs],
        }

    @Slot(object)
    def show_spec(self, spec: MobileNetSpec) -> None:
        self._spec = spec
        self._costs = block_costs(spec)
        self.table_update.request(self._costs)
        self._redraw()

    @Slot()
    def _redraw(self, *_args: object) -> None:
        """The charts (now, or when their page is shown) and the captions above them."""
        self.charts_update.request()
        self._update_caption()

    def _redraw_charts(self) -> None:
        data = self.bar_data()
        blocks = np.asarray(data["blocks"], dtype=float)
        std = np.asarray(data["standard"], dtype=float)
        sep = np.asarray(data["separable"], dtype=float)
        log = self.log_check.isChecked()
        if log:
            ymin, ymax = log_bar_range(np.concatenate([std, sep]))
            y0 = ymin
            std_h = np.log10(np.maximum(std, 1.0)) - y0
            sep_h = np.log10(np.maximum(sep, 1.0)) - y0
        else:
            y0 = 0.0
            std_h, sep_h = std, sep
            # 3 % headroom above the round top value so its tick label is not cut off.
            ymin, ymax = 0.0, nice_ceiling(float(std.max()) * 1.08) * 1.03 if len(std) else 1.0
        self.cost_axis.set_log_values(log)
        self.standard_bars.setOpts(x=blocks - OFFSET, height=std_h, y0=y0)
        self.separable_bars.setOpts(x=blocks + OFFSET, height=sep_h, y0=y0)
        self._set_y_range(self.plot, ymin, ymax)
        self._update_reduction_labels(blocks, y0 + std_h, data)

        # The ratios depend on channels only: a resolution step leaves them unchanged, and
        # skipping the two setData calls saves a good part of this view's update.
        ratio_key = (tuple(data["blocks"]), tuple(data["ratio"]), tuple(data["formula"]))
        if ratio_key != self._last_ratio_key:
            self._last_ratio_key = ratio_key
            self.ratio_curve.setData(blocks, 100 * np.asarray(data["ratio"]))
            self.formula_curve.setData(blocks, 100 * np.asarray(data["formula"]))
        ratios = 100 * np.asarray(data["ratio"] + data["formula"])
        if len(ratios):
            self._set_y_range(self.ratio_plot, 0.0,
                              max(15.0, nice_ceiling(float(ratios.max()) * 1.1)) * 1.03)

    @staticmethod
    def _set_y_range(plot: pg.PlotItem, low: float, high: float) -> None:
        # Only touch the view box when the range really changes: each setYRange emits a
        # cascade of pyqtgraph signals and repaints the axis.
        (cur_low, cur_high) = plot.vb.viewRange()[1]
        if abs(cur_low - low) > 1e-9 * max(1.0, abs(high)) or \
                abs(cur_high - high) > 1e-9 * max(1.0, abs(high)):
            set_y_range_now(plot, low, high)

    def _update_reduction_labels(self, blocks: np.ndarray, tops: np.ndarray,
                                 data: dict[str, list[float]]) -> None:
        labels = []
        for i, block in enumerate(blocks):
            sep = data["separable"][i]
            text = f"{data['standard'][i] / sep:.1f}x" if sep else ""
            labels.append((float(block), float(tops[i]), text))
        self.reduction_labels.set_labels(labels)

    def _update_caption(self) -> None:
        spec = self._spec
        blocks = f"blocks {block_span([c.block for c in self._costs])}"
        b = block_totals(spec)
        if self.mode == "chart" and self.metric == "params":
            self.caption.setText(f"{b.params_reduction:.1f}x fewer params in {blocks} with "
                                 "depthwise separable convolutions")
            self.subcaption.setText(
                f"{blocks.capitalize()}: {human_count(b.standard_params)} weights as standard"
                f" 3x3 convs vs {human_count(b.separable_params)} separable (MobileNet "
                f"{spec.label}). Params do not depend on the input resolution.")
            return
        overall, standard, separable = whole_model_reduction(spec)
        formula = f"Per block the ratio is exactly 1/N + 1/{KERNEL}\u00b2 (N = output channels)."
        # Chart and table show the blocks, so does the sidebar: one headline for all three
        # (the chart said "8.6x overall" where the table and sidebar said 8.7x), and the
        # whole model's figure (conv1 and the classifier included) comes second.
        self.caption.setText(f"{b.reduction:.1f}x fewer mult-adds in {blocks} with "
                             "depthwise separable convolutions")
        self.subcaption.setText(
            f"MobileNet {spec.label}: {human_count(b.standard_macs)} MACs in {blocks} as"
            f" standard 3x3 convs vs {human_count(b.separable_macs)} separable; the whole"
            f" model {overall:.1f}x ({human_count(standard)} vs {human_count(separable)})."
            f" {formula}")

    # --- tooltips -------------------------------------------------------------------------
    def tooltip_for_block(self, block: int) -> str:
        """Exact numbers for one block (what the hover tooltip shows)."""
        for c in self._costs:
            if c.block == block:
                break
        else:
            return ""
        return (
            f"Block {c.block}: {c.in_channels} \u2192 {c.out_channels} channels, "
            f"{c.output_size}x{c.output_size} output, stride {c.stride}\n"
            f"Standard 3x3 conv: {c.standard_macs:,} MACs, {c.standard_params:,} params\n"
            f"Depthwise separable: {c.separable_macs:,} MACs, {c.separable_params:,} params\n"
            f"    depthwise 3x3: {c.depthwise_macs:,} MACs\n"
            f"    pointwise 1x1: {c.pointwise_macs:,} MACs\n"
            f"Ratio {c.ratio:.4f} = 1/{c.out_channels} + 1/9 = {c.paper_ratio:.4f} "
            f"({c.reduction:.2f}x fewer)"
        )

    def block_at(self, x: float) -> int | None:
        """The block whose bar pair covers view coordinate ``x``."""
        block = round(x)
        if abs(x - block) <= OFFSET + BAR_WIDTH / 2 and any(c.block == block
                                                            for c in self._costs):
            return block
        return None

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        for plot, widget in ((self.plot, self.plot_widget),):
            if not plot.sceneBoundingRect().contains(scene_pos):
                continue
            point = plot.vb.mapSceneToView(scene_pos)
            block = self.block_at(point.x())
            view_pos = widget.mapFromScene(scene_pos)
            if block is None:
                QToolTip.hideText()
                return
            QToolTip.showText(widget.mapToGlobal(view_pos), self.tooltip_for_block(block),
                              widget)
            return
