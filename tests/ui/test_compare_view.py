"""Compare view at small window sizes: nothing elided, tooltips, readable ratios, log scale."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication

from explorer.arch import MobileNetSpec, block_costs, model_totals
from explorer.arch.export import human_ratio
from explorer.ui import VariantState
from explorer.ui.compare_view import CompareView
from explorer.ui.plot_style import nice_ceiling

# Text rect = column - grid line (1) - the delegate's text margins (2 x 3 in Fusion); the
# delegate elides text whose fractional width exceeds it.
CELL_MARGIN = 7


def _show_compare(window, width: int, height: int, alpha: float, resolution: int):
    window.resize(width, height)
    window.show_view("compare")
    window.state.set_variant(alpha, resolution)
    for _ in range(3):
        QApplication.processEvents()
    return window.compare_view


def _tables(view):
    return (view.summary_table, view.block_table)


def _cells(table):
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            yield r, c, table.item(r, c)


@pytest.mark.parametrize("size", [(900, 700), (1024, 640), (1024, 700), (900, 1000), (1280, 800)])
@pytest.mark.parametrize("variant", [(0.5, 160), (0.1, 32), (1.5, 512), (4.0, 4096)])
def test_no_cell_or_title_is_elided(window, size, variant) -> None:
    view = _show_compare(window, *size, *variant)
    for table in _tables(view):
        header = table.horizontalHeader()
        metrics = QFontMetricsF(table.font())
        for c in range(table.columnCount()):
            title = table.horizontalHeaderItem(c).text()
            assert header.sectionSizeHint(c) <= header.sectionSize(c), (size, variant, title)
        for _row, c, item in _cells(table):
            need = metrics.horizontalAdvance(item.text()) + CELL_MARGIN
            # Exactly what the delegate draws: the text, not "4,85…".
            shown = metrics.elidedText(item.text(), Qt.TextElideMode.ElideRight,
                                       header.sectionSize(c) - CELL_MARGIN)
            assert shown == item.text(), (size, variant, shown)
            assert need <= header.sectionSize(c), (size, variant, item.text())
    # ...and at these sizes the compact forms fit: no sideways scrolling either.
    assert not view.tables_area.horizontalScrollBar().isVisible(), (size, variant)


def test_compact_numbers_when_narrow_with_exact_tooltips(window) -> None:
    a, b = model_totals(MobileNetSpec(1.0, 224)), model_totals(MobileNetSpec(0.5, 160))
    view = _show_compare(window, 1024, 640, 0.5, 160)
    table = view.summary_table
    assert table.compact
    assert (table.item(2, 1).text(), table.item(2, 2).text()) == ("4.25 M", "1.34 M")
    assert f"{a.params:,}" in table.item(2, 1).toolTip()
    assert f"{b.params:,}" in table.item(2, 2).toolTip()
    assert f"{b.macs - a.macs:+,}" in table.item(5, 3).toolTip()
    view = _show_compare(window, 1024, 640, 1.5, 512)
    blocks = view.block_table
    assert blocks.compact
    assert blocks.item(2, 3).text() == "55.0 M"  # 54,992,896: three figures, like "29.3 M"
    assert "54,992,896" in blocks.item(2, 3).toolTip()
    for each in _tables(view):
        for r, c, item in _cells(each):
            if item.text():
                assert item.toolTip(), (r, c, item.text())
        for c in range(1, each.columnCount()):
            assert each.horizontalHeaderItem(c).toolTip()

    # With room, the exact numbers come back.
    _show_compare(window, 1400, 900, 0.5, 160)
    assert not table.compact
    assert table.item(2, 2).text() == f"{b.params:,}"


def test_tables_scroll_sideways_rather_than_squeeze(qtbot) -> None:
    view = CompareView(VariantState())
    qtbot.addWidget(view)
    view.resize(330, 900)
    view.show()
    qtbot.waitExposed(view)
    QApplication.processEvents()
    area = view.tables_area
    assert area.widget().width() > area.viewport().width()
    assert area.horizontalScrollBar().isVisible()
    for table in _tables(view):
        assert sum(table.content_widths(True)) <= table.width()


def test_narrow_tall_page_puts_the_chart_below_the_whole_tables(window) -> None:
    view = _show_compare(window, 900, 1000, 0.5, 160)
    assert view.splitter.orientation() == Qt.Orientation.Vertical
    assert not view.tables_area.verticalScrollBar().isVisible()  # all 13 blocks in view
    assert view.plot_widget.width() > 450
    view = _show_compare(window, 1400, 900, 0.5, 160)
    assert view.splitter.orientation() == Qt.Orientation.Horizontal


@pytest.mark.parametrize("size", [(1024, 640), (900, 1000), (1400, 900)])
def test_block_labels_on_the_chart_never_overlap(window, size) -> None:
    view = _show_compare(window, *size, 1.0, 224)
    axis = view.plot.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    labels = [(rect, text) for rect, _, text in texts]
    assert labels[0][1] == "1" and labels[-1][1] == "13"
    rects = sorted((rect for rect, _ in labels), key=lambda rect: rect.left())
    for left, right in zip(rects, rects[1:]):
        assert left.right() + 2 <= right.left(), (size, [text for _, text in labels])


def test_tiny_ratios_keep_three_significant_figures(window) -> None:
    a, b = MobileNetSpec(1.0, 224), MobileNetSpec(0.1, 32)
    view = _show_compare(window, 1400, 900, 0.1, 32)
    ta, tb = model_totals(a), model_totals(b)
    assert view.summary_table.item(5, 4).text() == "0.000462x"
    assert view.summary_table.item(5, 4).text() == human_ratio(tb.macs / ta.macs)
    for row, ca, cb in zip(view.block_rows(), block_costs(a), block_costs(b)):
        assert row[5] == human_ratio(cb.separable_macs / ca.separable_macs)
        assert float(row[5].rstrip("x")) > 0


def test_top1_shows_percentage_points_not_a_ratio(window) -> None:
    view = _show_compare(window, 1400, 900, 0.5, 160)
    assert view.summary_table.item(9, 3).text() == "-11.8 pp"  # 59.1 - 70.9
    assert view.summary_table.item(9, 4).text() == ""


def test_spin_box_extremes_print_tera(window) -> None:
    view = _show_compare(window, 1024, 640, 4.0, 4096)
    assert view.summary_table.item(5, 2).text() == "2.92 T"
    assert window.summary.text("macs").endswith("(2.92 T)")
    assert window.summary.text("flops").endswith("(5.85 T)")


def test_log_scale_shows_a_small_b_next_to_a(window) -> None:
    view = _show_compare(window, 1400, 900, 0.1, 32)
    view.set_log_scale(True)
    b_macs = np.asarray([c.separable_macs for c in block_costs(MobileNetSpec(0.1, 32))], float)
    y0 = view.b_bars.opts["y0"]
    tops = y0 + np.asarray(view.b_bars.opts["height"])
    assert tops == pytest.approx(np.log10(b_macs))
    low, high = view.plot.vb.viewRange()[1]
    assert low <= math.log10(b_macs.min()) and high >= math.log10(55e6)
    assert view.value_axis.log_values
    view.set_log_scale(False)
    assert list(view.b_bars.opts["height"]) == pytest.approx(list(b_macs))
    assert view.plot.vb.viewRange()[1][0] == 0


def test_sidebar_ratio_to_reference_is_never_a_rounded_zero(window) -> None:
    window.state.set_variant(0.1, 32)
    assert window.summary.text("vs_reference") == "0.000462x MACs"  # was "0.00x MACs"
    assert window.summary.text("vs_reference_params") == "0.0336x params"
    window.state.set_variant(4.0, 4096)
    assert window.summary.text("vs_reference") == "5,141x MACs"
    assert window.summary.text("vs_reference_params") == "12.9x params"


def test_rows_removed_and_added_again_are_filled(qtbot) -> None:
    """Shallow drops blocks 7-11 from the block table; back to separable, the re-created rows
    must show their texts again (no stale bookkeeping of what was on screen)."""
    state = VariantState(MobileNetSpec(0.5, 160))
    view = CompareView(state)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    before = view.block_table.text_rows()
    state.set_spec(MobileNetSpec(0.5, 160, body="shallow"))
    state.pin()  # A and B both shallow: 8 blocks
    assert view.block_table.rowCount() == 8
    state.unpin()
    state.set_spec(MobileNetSpec(0.5, 160))
    assert view.block_table.text_rows() == before


def test_tiny_bars_hint() -> None:
    from explorer.ui.compare_view import tiny_bars_hint

    big, small = np.array([5e7, 3e7]), np.array([1.2e4, 6e3])
    assert tiny_bars_hint(big, small, log=False).startswith("B's bars are under 2 % of A's")
    assert tiny_bars_hint(small, big, log=False).startswith("A's bars are under 2 % of B's")
    assert tiny_bars_hint(big, small, log=True) == ""  # log scale shows both
    assert tiny_bars_hint(big, big * 0.03, log=False) == ""  # 3 %: visible
    assert tiny_bars_hint(big, np.array([]), log=False) == ""


def test_compare_says_when_b_is_too_small_to_see(qtbot) -> None:
    """0.1-32 against 1.0-224 on a linear scale: B's bars are 0.04 % of A's, i.e. invisible;
    a note in the chart says so and how to see them.  It comes and goes without moving the
    chart: as a legend line it resized the chart, which then painted twice on that step."""
    state = VariantState(MobileNetSpec(0.75, 192))
    view = CompareView(state)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    assert view.tiny_bars_note() == ""
    legend = (view.legend.text(), view.legend.height())
    state.set_variant(0.1, 32)
    QApplication.processEvents()
    assert view.tiny_bars_note().startswith("B's bars are under 2 % of A's")
    assert "Log scale (Ctrl+L)" in view.tiny_note.textItem.toPlainText()
    assert view.plot_widget.accessibleDescription() == view.tiny_bars_note()
    assert (view.legend.text(), view.legend.height()) == legend  # the chart keeps its height
    # wrapped inside the plot area, at its top, in room kept above the tallest bar
    assert view.tiny_note.textItem.textWidth() <= view.plot.vb.width()
    top = view.plot.vb.viewRange()[1][1]
    assert view.tiny_note.pos().y() == top
    note_bottom = view.tiny_note.mapRectToScene(view.tiny_note.boundingRect()).bottom()
    tallest = view.plot.vb.mapViewToScene(pg.Point(1, max(view.a_bars.opts["height"])))
    assert note_bottom < tallest.y()  # scene y grows downwards
    view.set_log_scale(True)
    assert view.tiny_bars_note() == "" and not view.tiny_note.isVisible()
    view.set_log_scale(False)
    assert "under 2 %" in view.tiny_bars_note()
    state.set_variant(0.75, 192)
    assert view.tiny_bars_note() == ""
    assert view.plot_widget.accessibleDescription() == ""


def test_block_13_keeps_its_label_in_a_narrow_chart(window) -> None:
    """At 1024x640 with B = 4.0-4096 the chart is under 200 px; pyqtgraph used to drop the
    last label because "13" reached past the axis' end."""
    view = _show_compare(window, 1024, 640, 4.0, 4096)
    axis = view.plot.getAxis("bottom")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        texts = [spec[2] for spec in axis.generateDrawSpecs(painter)[2]]
    finally:
        painter.end()
    assert texts[-1] == "13" and texts[0] == "1"


def test_heading_never_wraps_after_a_lone_variant_letter() -> None:
    """A narrow window wrapped the heading as "... B:" / "MobileNet 1.0-224 ..."."""
    view = CompareView(VariantState())
    text = view.heading.text()
    assert "A:\u00a0MobileNet" in text and "B:\u00a0MobileNet" in text
    assert "A: " not in text and "B: " not in text


def test_alpha_cells_read_as_everywhere_else(window) -> None:
    """The alpha row read "1" beside the title "A  1.0-224"; every other view says 1.0."""
    view = _show_compare(window, 1280, 800, 0.5, 160)
    table = view.summary_table
    assert (table.item(0, 1).text(), table.item(0, 2).text()) == ("1.0", "0.5")
    assert table.item(0, 1).toolTip().endswith("width multiplier alpha 1.0")


def test_file_copy_outside_a_table_view_copies_nothing_hidden(window) -> None:
    """File > Copy selected rows on Compare copied the hidden Layers table's selection."""
    from PySide6.QtGui import QGuiApplication

    window.layer_panel.view.selectRow(3)
    _show_compare(window, 1280, 800, 0.5, 160)
    QGuiApplication.clipboard().setText("mine")
    window.copy_selection()
    assert QGuiApplication.clipboard().text() == "mine"
    assert window.statusBar().currentMessage().startswith("Copy selected rows copies from")
    window.show_view("layers")
    window.copy_selection()
    assert QGuiApplication.clipboard().text().count("\n") == 2  # header + the row


def test_a_wide_page_gives_the_chart_the_room_the_tables_do_not_need(window) -> None:
    """At 2560 px the tables spread over 1550 px (each number far from its row's name)
    beside a 640 px chart."""
    view = _show_compare(window, 2560, 1440, 1.5, 512)
    tables, chart = view.splitter.sizes()
    need = view.tables_area.widget().minimumSizeHint().width()
    assert tables <= 1.35 * need and chart > tables


def test_the_split_follows_new_numbers_once_the_sliders_rest(window, qtbot) -> None:
    """Moving the split on a slider step resized the chart, which laid out and painted the
    whole view twice (~10 ms, one step in five).  While only the chart's edge would move, the
    split waits for the sliders to rest; tables cut off, or that would change between full
    and compact numbers, get their split at once."""
    view = _show_compare(window, 1400, 900, 1.0, 224)
    view._arrange()
    before = view.splitter.sizes()
    texts = [t.text_rows() for t in _tables(view)]
    # a slow step must not let the timer fire before the checks below
    view._rearrange_timer.setInterval(60_000)
    window.state.set_variant(1.5, 512)  # a little wider numbers, still inside the pane
    QApplication.processEvents()
    assert view._rearrange_timer.isActive()
    assert view.splitter.sizes() == before
    assert not view.summary_table.compact and not view.block_table.compact
    changed = [t.text_rows() for t in _tables(view)]
    assert changed != texts
    # once the sliders rest: the split a fresh arrangement gives, the same texts
    view._rearrange_timer.start(0)
    qtbot.waitUntil(lambda: view.splitter.sizes() != before, timeout=2000)
    settled = view.splitter.sizes()
    assert settled[0] > before[0]
    assert [t.text_rows() for t in _tables(view)] == changed
    view._arrange()
    assert view.splitter.sizes() == settled

    # numbers that would turn compact in the current pane: the split moves on the step
    view = _show_compare(window, 1400, 900, 1.0, 224)
    view._arrange()
    before = view.splitter.sizes()
    window.state.set_variant(4.0, 4096)
    QApplication.processEvents()
    assert not view._rearrange_timer.isActive() and view.splitter.sizes() != before
    assert not view.summary_table.compact

    # tables that exactly fill their pane, as in a narrow window
    view = _show_compare(window, 1400, 900, 1.0, 224)
    view._arrange()  # the split for these numbers (the step to them waited)
    need = view.tables_area.widget().minimumSizeHint().width()
    extra = view.tables_area.width() - view.tables_area.viewport().width()
    total = sum(view.splitter.sizes())
    view.splitter.setSizes([need + extra, total - need - extra])
    QApplication.processEvents()
    assert view.tables_area.viewport().width() == need
    window.state.set_variant(4.0, 4096)
    QApplication.processEvents()
    wider = view.tables_area.widget().minimumSizeHint().width()
    assert wider > need
    # cut off: the split moved on this very step
    assert view.tables_area.viewport().width() >= wider
    assert not view._rearrange_timer.isActive()


def test_a_compare_view_shown_after_a_step_behind_it_has_its_final_split(window) -> None:
    """A screenshot of Compare taken at once showed the split chosen for the old numbers
    (it waited for the sliders to rest)."""
    window.resize(1400, 900)
    window.show_view("layers")
    QApplication.processEvents()
    window.state.set_variant(4.0, 4096)
    window.show_view("compare")
    QApplication.processEvents()
    view = window.compare_view
    assert not view._rearrange_timer.isActive()
    shown = view.splitter.sizes()
    view._arrange()
    assert view.splitter.sizes() == shown


def test_the_tiny_bars_note_hides_none_of_the_bars(window) -> None:
    """B at 1.9 % of A: B's bars are ~12 px tall and the note says they hardly show; drawn
    at the foot of the chart it covered them (7 of 1,336 B pixels left, review)."""
    from explorer.ui.plot_style import B_COLOR

    def b_pixels() -> int:
        for _ in range(3):
            QApplication.processEvents()
        image = view.plot_widget.grab().toImage()
        blue = QColor(B_COLOR)
        return sum(image.pixelColor(x, y) == blue
                   for x in range(0, image.width(), 2) for y in range(image.height()))

    view = _show_compare(window, 1400, 900, 0.25, 112)
    assert view.tiny_bars_note()
    with_note = b_pixels()
    view.tiny_note.hide()  # the same chart, the note not drawn
    assert with_note == b_pixels() > 500


@pytest.mark.parametrize(("size", "form"), [((1100, 520), "full"),
                                            ((600, 320), "short"), ((1100, 160), "none")])
def test_the_tiny_bars_note_never_covers_a_bar_in_a_short_chart(qtbot, size, form) -> None:
    """The room kept for the note is at most NOTE_ROOM of the plot: a taller note covered
    A's bars (larger font, short chart; review).  It is shortened, or left to the chart's
    tooltip when even the short form does not fit."""
    from explorer.ui.compare_view import NOTE_ROOM

    state = VariantState(MobileNetSpec(0.25, 112))
    view = CompareView(state)
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    qtbot.waitExposed(view)
    for _ in range(3):
        QApplication.processEvents()
    hint = view.plot_widget.toolTip()
    assert hint.startswith("B's bars are under 2 % of A's")
    assert view.plot_widget.accessibleDescription() == hint
    shown = view.tiny_bars_note()
    assert shown == {"full": hint, "short": "B's bars are under 2 % of A's: Ctrl+L",
                     "none": ""}[form]
    if shown:
        note = view.tiny_note.mapRectToScene(view.tiny_note.boundingRect())
        assert note.height() <= NOTE_ROOM * view.plot.vb.height() + 1
        tallest = view.plot.vb.mapViewToScene(pg.Point(3, max(view.a_bars.opts["height"])))
        assert note.bottom() <= tallest.y()
        # the top stays a round number plus the usual 3 % for its tick label
        top = view.plot.vb.viewRange()[1][1]
        assert nice_ceiling(top / 1.03) == pytest.approx(top / 1.03)


def test_the_tables_beside_the_chart_are_never_cut_off_by_its_legend(window) -> None:
    """The split planned the chart at MIN_CHART (180 px), but its legend and Log box need
    up to 208 px: the splitter kept that, and B / A was cut off (review)."""
    window.resize(1000, 650)
    window.show_view("compare")
    window.state.set_variant(3.6, 256)
    for _ in range(3):
        QApplication.processEvents()
    view = window.compare_view
    view._arrange()
    QApplication.processEvents()
    need = view.tables_area.widget().minimumSizeHint().width()
    assert need <= view.tables_area.viewport().width()
    assert not view.tables_area.horizontalScrollBar().isVisible()
