"""Per-block table of the Standard vs separable view: numbers, updates, layout, copy, mode."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication

from explorer.arch import MobileNetSpec
from explorer.arch.blocks import block_costs, block_totals
from explorer.ui.block_table import (
    COL_BLOCK,
    COL_CHANNELS,
    COL_FEWER,
    COL_OUTPUT,
    COL_RATIO,
    COL_SEP_MACS,
    COL_SEP_PARAMS,
    COL_STD_MACS,
    COL_STD_PARAMS,
    COLUMNS,
    TOTAL_LABEL,
    BlockTableModel,
    BlockTableView,
)
from explorer.ui.variant_state import VariantState


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _percent(text: str) -> float:
    assert text.endswith(" %"), text
    return float(text[:-2]) / 100


def test_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = BlockTableModel()
    model.set_costs(block_costs(MobileNetSpec(0.5, 160)))
    qtmodeltester.check(model)
    model.set_costs(block_costs(MobileNetSpec(0.75, 192)))  # same rows: cells in place
    qtmodeltester.check(model)
    model.set_costs(block_costs(MobileNetSpec(body="shallow")))  # fewer rows: rebuilt
    qtmodeltester.check(model)


@pytest.mark.parametrize("spec", [MobileNetSpec(1.0, 224), MobileNetSpec(0.75, 160),
                                  MobileNetSpec(0.25, 128), MobileNetSpec(1.3, 97)])
def test_rows_match_the_cost_model(spec: MobileNetSpec) -> None:
    model = BlockTableModel()
    costs = block_costs(spec)
    model.set_costs(costs)
    rows = model.texts()
    assert len(rows) == len(costs) + 1
    for row, c in zip(rows, costs):
        assert int(row[COL_BLOCK]) == c.block
        assert row[COL_CHANNELS] == f"{c.in_channels} \u2192 {c.out_channels}"
        assert row[COL_OUTPUT] == f"{c.output_size}x{c.output_size}"
        assert _count(row[COL_STD_MACS]) == c.standard_macs
        assert _count(row[COL_SEP_MACS]) == c.depthwise_macs + c.pointwise_macs
        assert _count(row[COL_STD_PARAMS]) == c.standard_params
        assert _count(row[COL_SEP_PARAMS]) == c.depthwise_params + c.pointwise_params
        # the counted ratio, printed to 0.01 %, is the paper's 1/N + 1/9 for this block
        assert _percent(row[COL_RATIO]) == pytest.approx(c.ratio, abs=5e-5)
        assert _percent(row[COL_RATIO]) == pytest.approx(1 / c.out_channels + 1 / 9, abs=5e-5)
        assert float(row[COL_FEWER].rstrip("x")) == pytest.approx(
            c.standard_macs / c.separable_macs, abs=5e-3)
    total = rows[-1]
    t = block_totals(spec)
    assert total[COL_BLOCK] == TOTAL_LABEL
    assert _count(total[COL_STD_MACS]) == t.standard_macs
    assert _count(total[COL_SEP_MACS]) == t.separable_macs
    assert _count(total[COL_STD_PARAMS]) == t.standard_params
    assert _count(total[COL_SEP_PARAMS]) == t.separable_params
    assert _percent(total[COL_RATIO]) == pytest.approx(t.separable_macs / t.standard_macs,
                                                       abs=5e-5)


def test_paper_table3_layer_reads_as_the_paper_computes() -> None:
    """Blocks 7-11 of 1.0-224 are paper Table 3's layer: 14x14x512 -> 512, Dk = 3."""
    model = BlockTableModel()
    model.set_costs(block_costs(MobileNetSpec(1.0, 224)))
    row = model.texts()[7 - 1]
    assert row[COL_STD_MACS] == "462,422,016" and row[COL_SEP_MACS] == "52,283,392"
    assert row[COL_STD_PARAMS] == "2,359,296" and row[COL_SEP_PARAMS] == "266,752"


def test_tooltips_give_the_split_and_exact_ratio() -> None:
    model = BlockTableModel()
    costs = block_costs(MobileNetSpec(1.0, 224))
    model.set_costs(costs)
    c = costs[0]
    tip = model.index(0, COL_SEP_MACS).data(Qt.ItemDataRole.ToolTipRole)
    assert f"{c.depthwise_macs:,}" in tip and f"{c.pointwise_macs:,}" in tip
    ratio_tip = model.index(0, COL_RATIO).data(Qt.ItemDataRole.ToolTipRole)
    # both computations, in the cell's unit
    assert f"{c.separable_macs:,} / {c.standard_macs:,} = {100 * c.ratio:.4f} %" in ratio_tip
    assert f"1/{c.out_channels} + 1/9 = {100 * c.paper_ratio:.4f} %" in ratio_tip
    assert "stride 1" in model.index(0, COL_OUTPUT).data(Qt.ItemDataRole.ToolTipRole)
    assert "stride 2" in model.index(1, COL_OUTPUT).data(Qt.ItemDataRole.ToolTipRole)
    assert "112x112x32" in model.index(0, COL_CHANNELS).data(Qt.ItemDataRole.ToolTipRole)


def test_a_step_signals_only_changed_columns_within_qts_limit() -> None:
    """A resolution step changes shapes and mult-adds, not params; each signal stays at or
    below 200 cells so the view repaints only those columns."""
    model = BlockTableModel()
    model.set_costs(block_costs(MobileNetSpec(1.0, 224)))
    spans: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda tl, br, _roles=(): spans.append(
        (tl.row(), tl.column(), br.row(), br.column())))
    model.set_costs(block_costs(MobileNetSpec(1.0, 240)))
    changed = {c for _t, a, _b, b in spans for c in range(a, b + 1)}
    assert changed == {COL_OUTPUT, COL_STD_MACS, COL_SEP_MACS}
    assert all((b - t + 1) * (r - le + 1) <= 200 for t, le, b, r in spans)
    assert model.texts() == _fresh_texts(MobileNetSpec(1.0, 240))


def _fresh_texts(spec: MobileNetSpec) -> list[list[str]]:
    model = BlockTableModel()
    model.set_costs(block_costs(spec))
    return model.texts()


def test_view_columns_widen_at_once_and_narrow_when_the_sliders_rest(qtbot) -> None:
    """Scrubbing to 4.0-4096 widens columns at once; back at 1.0-224 they stay wide while
    the sliders move (no jumping) and fit the texts again once they rest."""
    from explorer.ui.block_table import SHRINK_DELAY_MS

    view = BlockTableView()
    qtbot.addWidget(view)
    view.set_costs(block_costs(MobileNetSpec(1.0, 224)))
    header = view.horizontalHeader()

    def widths() -> list[int]:
        return [header.sectionSize(c) for c in range(len(COLUMNS))]

    fitted = widths()
    view.set_costs(block_costs(MobileNetSpec(4.0, 4096)))  # the spin boxes' extremes
    bold = QFont(view.font())
    bold.setBold(True)
    metrics = QFontMetrics(bold)
    for col in range(len(COLUMNS)):
        widest = max(metrics.horizontalAdvance(row[col]) for row in view.table_model.texts())
        assert header.sectionSize(col) >= widest, COLUMNS[col]
    wide = widths()
    assert sum(wide) > sum(fitted)
    view.set_costs(block_costs(MobileNetSpec(1.0, 224)))
    assert widths() == wide  # no jump while scrubbing
    qtbot.waitUntil(lambda: widths() == fitted, timeout=SHRINK_DELAY_MS + 2000)


def test_table_fits_a_1100_px_window_at_the_default_variant(qtbot, window) -> None:
    """All nine columns visible beside the sidebar: no sideways scrolling at 1.0-224."""
    window.resize(1100, 700)
    window.show_view("blocks")
    window.block_panel.set_mode("table")
    qtbot.wait(50)
    table = window.block_panel.table
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()


def test_copy_selected_rows_as_tsv(qtbot) -> None:
    view = BlockTableView()
    qtbot.addWidget(view)
    view.set_costs(block_costs(MobileNetSpec(0.5, 160)))
    view.show()
    model, selection = view.model(), view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(model.index(0, 0), flags)
    selection.select(model.index(model.rowCount() - 1, 0), flags)
    view.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    # The report's cells (ASCII "->" like the header line), not the screen's arrows.
    from explorer.arch.export import block_table_texts

    assert lines[1].split("\t") == block_table_texts(block_costs(MobileNetSpec(0.5, 160)))[0][0]
    assert "16 -> 32" in lines[1] and "\u2192" not in QGuiApplication.clipboard().text()
    assert lines[2].split("\t")[0] == TOTAL_LABEL and len(lines) == 3


def test_panel_switches_between_chart_and_table(qtbot, show_widget) -> None:
    from explorer.ui.block_chart import BlockChartPanel

    state = VariantState(MobileNetSpec(1.0, 224))
    panel = show_widget(BlockChartPanel(state), 1000, 700)
    assert panel.mode == "chart" and panel.plot_widget.isVisible()
    assert not panel.table.isVisible()
    qtbot.mouseClick(panel.table_button, Qt.MouseButton.LeftButton)
    assert panel.mode == "table" and panel.table.isVisible()
    assert not panel.plot_widget.isVisible()
    # the chart's metric and log scale do not apply to the table (it shows both metrics)
    assert not panel.metric_combo.isVisible() and not panel.log_check.isVisible()
    assert panel.caption.isVisible()  # the headline figure stays above both
    # ... and speaks of what the table totals: mult-adds in blocks 1-13, whatever the
    # hidden metric menu says
    panel.set_mode("chart")
    panel.set_metric("params")
    panel.set_mode("table")
    totals = block_totals(MobileNetSpec(1.0, 224))
    assert panel.caption.text().startswith(f"{totals.reduction:.1f}x fewer mult-adds in "
                                           "blocks 1-13")
    assert panel.table.table_model.texts()[-1][COL_FEWER] == f"{totals.reduction:.2f}x"
    panel.set_metric("macs")
    # the table follows the sliders while it is in front; behind the charts it catches up
    # when shown (and the charts behind the table likewise)
    state.set_variant(0.5, 160)
    assert panel.table.table_model.texts() == _fresh_texts(MobileNetSpec(0.5, 160))
    assert panel.charts_update.due and not panel.table_update.due
    panel.set_mode("chart")
    assert not panel.charts_update.due
    assert list(panel.separable_bars.opts["height"]) == pytest.approx(
        [c.separable_macs for c in block_costs(MobileNetSpec(0.5, 160))])
    state.set_variant(0.75, 192)
    assert panel.table_update.due and not panel.charts_update.due
    panel.set_mode("table")
    assert panel.table.table_model.texts() == _fresh_texts(MobileNetSpec(0.75, 192))
    panel.set_mode("chart")
    assert panel.metric_combo.isVisible()
    with pytest.raises(ValueError):
        panel.set_mode("pie")
    with pytest.raises(ValueError):
        panel.set_metric("flops")
    assert panel.metric == "macs"


def test_window_remembers_the_mode_and_copies_from_the_table_in_front(qtbot, window) -> None:
    import os
    from pathlib import Path

    from explorer.ui import MainWindow

    window.show_view("blocks")
    window.block_panel.set_mode("table")
    table = window.block_panel.table
    table.selectRow(2)
    window.copy_selection()  # File > Copy selected rows
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].startswith("Block\tChannels") and lines[1].split("\t")[0] == "3"
    window.close()
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("blocks/mode") == "table"
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.block_panel.mode == "table"
    second.close()
    QApplication.processEvents()


def test_table_shows_the_text_reports_block_rows() -> None:
    """The view and `report` print the same texts (one formatting function)."""
    from explorer.arch.export import block_table_texts

    for spec in (MobileNetSpec(0.5, 128), MobileNetSpec(1.0, 224, body="shallow")):
        model = BlockTableModel()
        costs = block_costs(spec)
        model.set_costs(costs)
        body, total = block_table_texts(costs)
        shown = [[t.replace(" \u2192 ", " -> ") for t in row] for row in model.texts()]
        assert shown == [*body, total]  # the report's "->" is an arrow on screen


def test_log_scale_key_leaves_the_hidden_chart_alone_in_table_mode(window) -> None:
    window.show_view("blocks")
    panel = window.block_panel
    panel.set_mode("table")
    window.toggle_log_scale()  # Ctrl+L
    assert not panel.log_check.isChecked()
    assert "switch Standard vs separable to Chart" in window.statusBar().currentMessage()
    panel.set_mode("chart")
    window.toggle_log_scale()
    assert panel.log_check.isChecked()


def test_export_menu_names_what_each_format_holds(window) -> None:
    texts = {fmt: action.text() for fmt, action in window.export_actions.items()}
    assert texts["csv"].startswith("Export layer table as")  # layers only
    assert texts["markdown"].startswith("Export report as")  # layers and blocks
    assert texts["json"].startswith("Export report as")
