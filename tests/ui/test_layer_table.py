"""Layer table model, filter/sort proxy, colours, footer and TSV copy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication

from explorer.arch import MobileNetSpec, layer_rows, model_totals
from explorer.ui.layer_table import (
    COL_ACTIVATIONS,
    COL_INDEX,
    COL_INPUT,
    COL_KIND,
    COL_MACS,
    COL_MACS_SHARE,
    COL_NAME,
    COL_OUTPUT,
    COL_PARAMS,
    COL_PARAMS_SHARE,
    KIND_COLORS,
    RAW_ROLE,
    LayerFilterProxy,
    LayerTableModel,
    LayerTablePanel,
)
from explorer.ui.variant_state import VariantState


def test_model_passes_qt_model_tester(qtmodeltester) -> None:
    state = VariantState(MobileNetSpec(0.25, 128))
    model = LayerTableModel(state)
    qtmodeltester.check(model)
    state.set_variant(0.5, 160)  # same row count: dataChanged path
    qtmodeltester.check(model)
    state.set_spec(MobileNetSpec(0.5, 160, include_top=False))  # fewer rows: reset path
    qtmodeltester.check(model)
    assert model.rowCount() == len(layer_rows(state.spec)) + 1


def test_proxy_passes_qt_model_tester(qtmodeltester) -> None:
    proxy = LayerFilterProxy()
    proxy.setSourceModel(LayerTableModel(VariantState(MobileNetSpec(0.25, 128))))
    proxy.set_kind("pointwise")
    proxy.sort(COL_MACS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(proxy)


def test_rows_and_totals_match_cost_model() -> None:
    spec = MobileNetSpec(0.75, 192)
    model = LayerTableModel(VariantState(spec))
    rows = layer_rows(spec)
    for i, row in enumerate(rows):
        assert model.index(i, COL_NAME).data() == row.name
        assert model.index(i, COL_MACS).data(RAW_ROLE) == row.macs
        assert model.index(i, COL_PARAMS).data() == f"{row.params:,}"
    total = model.rowCount() - 1
    totals = model_totals(spec)
    assert model.index(total, COL_NAME).data() == "Total"
    assert model.index(total, COL_MACS).data() == f"{totals.macs:,}"
    assert model.index(total, COL_PARAMS).data(RAW_ROLE) == totals.params
    assert totals.params == 2_601_976  # Keras' count for alpha 0.75


def test_rows_coloured_by_kind() -> None:
    model = LayerTableModel(VariantState())
    kinds = {model.index(r, COL_KIND).data(): r for r in range(model.rowCount() - 1)}
    for kind in ("conv", "depthwise", "pointwise", "classifier"):
        brush = model.index(kinds[kind], COL_NAME).data(Qt.ItemDataRole.BackgroundRole)
        assert brush.color().name() == KIND_COLORS[kind]
    assert len({KIND_COLORS[k] for k in ("conv", "depthwise", "pointwise", "classifier")}) == 4


@pytest.fixture
def panel(qtbot):
    widget = LayerTablePanel(VariantState())
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    return widget


def _shown(panel, column=COL_NAME):
    proxy = panel.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def test_filter_by_kind_and_name(panel) -> None:
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("depthwise"))
    names = _shown(panel)
    assert names[-1] == "Shown total"  # the totals row always stays, last, summing the shown
    assert names[:-1] == [f"conv_dw_{b}" for b in range(1, 14)]
    dw = [r for r in layer_rows(MobileNetSpec()) if r.kind == "depthwise"]
    dw_macs = sum(r.macs for r in dw)
    assert "Showing 13 of 91 layers" in panel.footer.text()
    assert f"{dw_macs:,} mult-adds" in panel.footer.text()
    all_macs = sum(r.macs for r in layer_rows(MobileNetSpec()))
    assert f"= {100 * dw_macs / all_macs:.2f} % of the model" in panel.footer.text()  # 3.10 %
    assert _shown(panel, COL_MACS)[-1] == f"{dw_macs:,}"
    assert _shown(panel, COL_PARAMS)[-1] == f"{sum(r.params for r in dw):,}"
    assert not panel.empty_note.isVisible()
    panel.kind_combo.setCurrentIndex(0)
    panel.name_edit.setText("PW_1")  # case-insensitive substring
    names = _shown(panel)[:-1]
    assert names and all("conv_pw_1" in n for n in names)
    assert "conv_pw_1" in names and "conv_pw_12_bn" in names
    panel.name_edit.setText("no such layer")
    assert _shown(panel) == ["Shown total"]
    assert _shown(panel, COL_MACS) == ["0"]
    assert "Showing 0 of 91" in panel.footer.text()
    assert not panel.empty_note.isHidden()
    assert "No layer has name containing 'no such layer'" in panel.empty_note.text()
    panel.name_edit.setText("")  # back to the whole model
    assert _shown(panel)[-1] == "Total" and panel.empty_note.isHidden()
    assert _shown(panel, COL_PARAMS)[-1] == "4,253,864"
    # The classifier's share is small but not nothing: the footer said "0.0 %" while the
    # totals row above it said "<0.01" (4.0-4096) or "0.02" (1.5-512).
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("classifier"))
    assert panel.footer.text().endswith(f"= {_shown(panel, COL_MACS_SHARE)[-1]} % of the model")


def test_filtered_total_follows_slider_steps(panel) -> None:
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("pointwise"))
    panel.model.set_spec(MobileNetSpec(0.5, 160))
    panel._after_spec_change(MobileNetSpec(0.5, 160))  # noqa: SLF001 - as the state signal does
    pw = [r for r in layer_rows(MobileNetSpec(0.5, 160)) if r.kind == "pointwise"]
    assert _shown(panel, COL_MACS)[-1] == f"{sum(r.macs for r in pw):,}"


def test_sort_ties_keep_layer_order_both_ways(panel) -> None:
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        panel.view.sortByColumn(COL_MACS, Qt.SortOrder.DescendingOrder)  # scramble first
        panel.view.sortByColumn(COL_KIND, order)
        names = _shown(panel)[:-1]
        bn = [n for n in names if n.endswith("_bn")]
        index = {r.name: r.index for r in layer_rows(MobileNetSpec())}
        assert [index[n] for n in bn] == sorted(index[n] for n in bn), order


def test_sort_numeric_with_totals_last(panel) -> None:
    panel.view.sortByColumn(COL_MACS, Qt.SortOrder.DescendingOrder)
    macs = [int(v.replace(",", "")) for v in _shown(panel, COL_MACS)[:-1]]
    raw = [panel.proxy.index(r, COL_MACS).data(RAW_ROLE)
           for r in range(panel.proxy.rowCount() - 1)]
    assert raw == sorted(raw, reverse=True)  # numeric, not text order
    assert macs == raw
    assert _shown(panel)[-1] == "Total"
    panel.view.sortByColumn(COL_MACS, Qt.SortOrder.AscendingOrder)
    raw = [panel.proxy.index(r, COL_MACS).data(RAW_ROLE)
           for r in range(panel.proxy.rowCount() - 1)]
    assert raw == sorted(raw)
    assert _shown(panel)[-1] == "Total"
    panel.view.sortByColumn(COL_INDEX, Qt.SortOrder.AscendingOrder)
    assert _shown(panel, COL_INDEX)[:3] == ["0", "1", "2"]


def test_copy_selection_as_tsv(panel) -> None:
    selection = panel.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(panel.proxy.index(1, 0), flags)
    selection.select(panel.proxy.index(4, 0), flags)
    panel.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t")[:3] == ["#", "Layer", "Kind"]
    assert lines[1].split("\t")[:3] == ["1", "conv1", "conv"]
    assert lines[2].split("\t")[1] == "conv_dw_1"
    assert lines[2].split("\t")[8] == f"{layer_rows(MobileNetSpec())[4].macs:,}"
    assert len(lines) == 3


def test_sorted_by_values_stays_sorted_after_a_variant_change(panel) -> None:
    """The proxy does not re-sort by itself (speed); the panel must re-sort value columns."""
    panel.view.sortByColumn(COL_PARAMS, Qt.SortOrder.DescendingOrder)
    assert _shown(panel)[0] == "conv_pw_13"  # 1,048,576 weights vs conv_preds' 1,025,000
    panel.model.set_spec(MobileNetSpec(classes=2000))  # same layers, new values
    panel._after_spec_change(MobileNetSpec(classes=2000))
    raw = [panel.proxy.index(r, COL_PARAMS).data(RAW_ROLE)
           for r in range(panel.proxy.rowCount() - 1)]
    assert raw == sorted(raw, reverse=True)
    assert _shown(panel)[0] == "conv_preds" and _shown(panel)[-1] == "Total"


@pytest.mark.parametrize("widen", ["name", "kind"])
def test_rows_a_wider_filter_brings_back_are_sorted(panel, widen) -> None:
    """Without dynamic sorting the returning rows were appended unsorted: after clearing
    "conv_pw" under a MACs sort, conv1 (10.8 M) sat above conv_pw_3 (51.4 M)."""
    panel.view.sortByColumn(COL_MACS, Qt.SortOrder.DescendingOrder)
    if widen == "name":
        panel.proxy.set_name_filter("conv_pw")
        panel.proxy.set_name_filter("")
    else:
        panel.proxy.set_kind("pointwise")
        panel.proxy.set_kind(None)
    raw = [panel.proxy.index(r, COL_MACS).data(RAW_ROLE)
           for r in range(panel.proxy.rowCount() - 1)]
    assert len(raw) == len(layer_rows(MobileNetSpec())) and raw == sorted(raw, reverse=True)
    assert _shown(panel)[-1] == "Total"


def test_sort_by_structure_survives_slider_steps(panel) -> None:
    panel.view.sortByColumn(COL_NAME, Qt.SortOrder.AscendingOrder)
    before = _shown(panel)
    state = VariantState()
    panel.model.set_spec(MobileNetSpec(0.5, 160))
    panel._after_spec_change(MobileNetSpec(0.5, 160))
    assert _shown(panel) == before
    assert state.spec == MobileNetSpec()


def test_fast_update_path_matches_full_formatting() -> None:
    """Slider steps update cells through a fast path; it must equal a fresh model's cells."""
    state = VariantState(MobileNetSpec(0.25, 128))
    updated = LayerTableModel(state)
    for alpha, res in ((0.5, 161), (1.3, 320), (0.35, 96)):
        state.set_variant(alpha, res)
        fresh = LayerTableModel(VariantState(state.spec))
        assert not updated.rebuilt
        for r in range(fresh.rowCount()):
            for c in range(fresh.columnCount()):
                cell, want = updated.index(r, c), fresh.index(r, c)
                assert cell.data() == want.data() == fresh.display_text(r, c), (r, c)
                assert cell.data(RAW_ROLE) == want.data(RAW_ROLE), (r, c)
                assert cell.data(Qt.ItemDataRole.ToolTipRole) == want.data(
                    Qt.ItemDataRole.ToolTipRole), (r, c)


def test_alpha_step_repaints_only_the_value_columns(show_widget) -> None:
    """An alpha step changes seven columns; one signal over them (644 cells) made Qt repaint
    the whole viewport, the five layout columns too."""
    from PySide6.QtCore import QEvent, QObject

    state = VariantState(MobileNetSpec(1.0, 224))
    panel = show_widget(LayerTablePanel(state), 1000, 600)
    regions = []

    class PaintSpy(QObject):
        def eventFilter(self, _obj, event):  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                regions.append(event.region().boundingRect())
            return False

    spy = PaintSpy()
    panel.view.viewport().installEventFilter(spy)
    QGuiApplication.processEvents()
    regions.clear()
    state.set_variant(0.75, 224)
    QGuiApplication.processEvents()
    panel.view.viewport().removeEventFilter(spy)
    assert regions, "no repaint after the step"
    first_value_x = panel.view.horizontalHeader().sectionViewportPosition(COL_INPUT)
    assert first_value_x > 0
    assert all(rect.left() >= first_value_x for rect in regions), (regions, first_value_x)


def _changed_columns(model: LayerTableModel, step) -> set[int]:
    """Columns covered by the dataChanged signals ``step()`` makes ``model`` emit."""
    spans: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda tl, br, _roles=(): spans.append(
        (tl.row(), br.row(), tl.column(), br.column())))
    step()
    assert spans, "no dataChanged"
    assert all(first == 0 and last == model.rowCount() - 1 for first, last, _a, _b in spans)
    return {c for *_rows, a, b in spans for c in range(a, b + 1)}


def test_slider_steps_signal_only_the_columns_that_changed() -> None:
    """A resolution step leaves params and the layout columns alone, so the view repaints
    only the changed columns (about 2 ms less of a slider step than the whole viewport)."""
    state = VariantState(MobileNetSpec(0.5, 160))
    model = LayerTableModel(state)
    moved_resolution = _changed_columns(model, lambda: state.set_variant(0.5, 192))
    assert moved_resolution == {COL_INPUT, COL_OUTPUT, COL_MACS, COL_MACS_SHARE,
                                COL_ACTIVATIONS}
    moved_alpha = _changed_columns(model, lambda: state.set_variant(0.75, 192))
    assert moved_alpha == {COL_INPUT, COL_OUTPUT, COL_PARAMS, COL_MACS, COL_MACS_SHARE,
                           COL_PARAMS_SHARE, COL_ACTIVATIONS}


def test_footer_elides_with_full_text_in_tooltip(panel) -> None:
    panel.footer.resize(120, panel.footer.height())
    assert panel.footer.elided and panel.footer.toolTip() == panel.footer.text()
    panel.footer.resize(2000, panel.footer.height())
    assert not panel.footer.elided and panel.footer.toolTip() == ""
    image = panel.footer.grab()  # paints the elided branch without error
    assert not image.isNull()


def test_total_row_params_fit_their_column(panel) -> None:
    """The bold totals row is measured with bold metrics: 4,253,864 is not cut to '4,253,8…'."""
    from PySide6.QtGui import QFont, QFontMetrics

    bold = QFont(panel.view.font())
    bold.setBold(True)
    text = _shown(panel, COL_PARAMS)[-1]
    width = panel.view.horizontalHeader().sectionSize(COL_PARAMS)
    assert QFontMetrics(bold).horizontalAdvance(text) + 8 <= width


def test_value_columns_widen_for_spin_box_extremes(qtbot) -> None:
    """Sized for the sliders' range, the columns must still show alpha 4.0 at 4096 px whole
    ("2048x2048x128", "137,438,953,472"), and go back to nothing narrower afterwards."""
    from explorer.ui.layer_table import VALUE_COLUMNS

    state = VariantState()
    panel = LayerTablePanel(state)
    qtbot.addWidget(panel)
    panel.show()  # a hidden table is filled when shown
    metrics = panel.view.fontMetrics()
    header = panel.view.horizontalHeader()
    before = {c: header.sectionSize(c) for c in VALUE_COLUMNS}
    state.set_variant(4.0, 4096)
    for column in VALUE_COLUMNS:
        texts = _shown(panel, column)[:-1]  # layer rows (the bold total has its own test)
        widest = max(metrics.horizontalAdvance(t) for t in texts)
        assert widest + 8 <= header.sectionSize(column), (column, max(texts, key=len))
    assert header.sectionSize(COL_MACS) > before[COL_MACS]
    state.set_variant(0.25, 128)
    assert all(header.sectionSize(c) >= before[c] for c in VALUE_COLUMNS)


def test_count_cells_show_exact_value_tooltips_on_hover(panel, qtbot) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    conv1 = next(r for r in range(panel.proxy.rowCount())
                 if panel.proxy.index(r, COL_NAME).data() == "conv1")
    assert panel.cell_tooltip(conv1, COL_MACS) == "10,838,016 mult-adds (10.8 M)"
    assert panel.cell_tooltip(conv1, COL_PARAMS) == "864 params (864)"
    assert panel.cell_tooltip(conv1, COL_NAME) == ""
    total = panel.proxy.rowCount() - 1
    assert panel.cell_tooltip(total, COL_PARAMS) == "4,253,864 params (4.25 M)"
    # A real hover: the viewport's ToolTip event shows it.
    rect = panel.view.visualRect(panel.proxy.index(conv1, COL_MACS))
    event = QHelpEvent(QEvent.Type.ToolTip, rect.center(),
                       panel.view.viewport().mapToGlobal(rect.center()))
    QApplication.sendEvent(panel.view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    assert QToolTip.text() == "10,838,016 mult-adds (10.8 M)"
    QToolTip.hideText()


@pytest.mark.parametrize("width", [1000, 960, 1400])
def test_numbers_are_never_cut_while_the_layer_column_can_give_way(show_widget, width) -> None:
    """At 1366 px the table was ~20 px wider than its view: the last column showed "150,52"
    for 150,528. Now the Layer column (which elides with "...") narrows first."""
    state = VariantState()
    panel = show_widget(LayerTablePanel(state), width, 600)
    header = panel.view.horizontalHeader()
    sizes = [header.sectionSize(c) for c in range(header.count())]
    wanted = [w for c, w in enumerate(panel._wanted) if c != COL_NAME]  # noqa: SLF001
    if panel.view.viewport().width() - sum(wanted) >= 90:
        assert sum(sizes) <= panel.view.viewport().width()
        assert not panel.view.horizontalScrollBar().isVisible()
    assert sizes[COL_NAME] >= 90
    state.set_variant(4.0, 2048)  # wider numbers: the Layer column gives more room
    assert header.sectionSize(COL_NAME) <= sizes[COL_NAME]


def test_a_layer_column_the_user_widened_keeps_its_width(show_widget) -> None:
    """Any resize of the view (typing a filter, a window resize) put it back to 150 px."""
    state = VariantState()
    panel = show_widget(LayerTablePanel(state), 1600, 600)
    header = panel.view.horizontalHeader()
    header.resizeSection(COL_NAME, 270)  # as a drag does
    panel.resize(1500, 600)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    assert header.sectionSize(COL_NAME) == 270


def test_empty_filter_note_shows_the_filter_as_typed(panel) -> None:
    """The note quoting the filter was rich text: "<b>bold</b>" showed a bold "bold"."""
    panel.name_edit.setText("<b>bold</b>")
    note = panel.empty_note
    assert not note.isHidden()
    assert "name containing '<b>bold</b>'" in note.text()
    assert note.textFormat() == Qt.TextFormat.PlainText
