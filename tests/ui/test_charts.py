"""Block, type, accuracy, compare and paper views show the cost model's numbers."""

from __future__ import annotations

import math

import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QApplication

from explorer.arch import MobileNetSpec, block_costs, block_totals, cost_by_type, model_totals
from explorer.arch.export import human_ratio
from explorer.arch.paper import paper_tables
from explorer.ui.plot_style import nice_ceiling, style_plot


def test_block_chart_data_log_scale_and_params(window) -> None:
    window.show_view("blocks")  # charts behind another tab redraw when shown
    panel = window.block_panel
    spec = MobileNetSpec()
    costs = block_costs(spec)
    assert panel.bar_data()["blocks"] == list(range(1, 14))
    assert list(panel.standard_bars.opts["height"]) == pytest.approx(
        [c.standard_macs for c in costs])
    # Ratio points and the paper's 1/N + 1/Dk^2 line coincide exactly.
    x, y = panel.ratio_curve.getData()
    assert list(y) == pytest.approx([100 * c.ratio for c in costs])
    _, formula = panel.formula_curve.getData()
    assert list(formula) == pytest.approx([100 * (1 / c.out_channels + 1 / 9) for c in costs])
    # The blocks' figure, as in the table mode and the sidebar; the whole model's second.
    assert panel.caption.text().startswith("8.7x fewer mult-adds in blocks 1-13")
    assert "the whole model 8.6x" in panel.subcaption.text()
    assert window.summary.text("separable").startswith("8.7x")

    panel.set_log_scale(True)
    y0 = panel.standard_bars.opts["y0"]
    tops = [y0 + h for h in panel.standard_bars.opts["height"]]
    assert tops == pytest.approx([math.log10(c.standard_macs) for c in costs])
    assert panel.cost_axis.log_values
    panel.set_log_scale(False)

    panel.set_metric("params")
    assert panel.bar_data()["standard"] == [c.standard_params for c in costs]
    assert list(panel.separable_bars.opts["height"]) == pytest.approx(
        [c.separable_params for c in costs])
    reduction = block_totals(spec).params_reduction
    assert panel.caption.text().startswith(f"{reduction:.1f}x fewer params")
    panel.set_metric("macs")


def test_block_chart_follows_slider_and_tooltips(window) -> None:
    window.show_view("blocks")
    window.state.set_variant(0.5, 160)
    panel = window.block_panel
    costs = block_costs(MobileNetSpec(0.5, 160))
    assert list(panel.separable_bars.opts["height"]) == pytest.approx(
        [c.separable_macs for c in costs])
    tip = panel.tooltip_for_block(7)
    c7 = costs[6]
    assert f"{c7.standard_macs:,}" in tip and f"{c7.separable_macs:,}" in tip
    assert f"{c7.depthwise_macs:,}" in tip and f"{c7.pointwise_macs:,}" in tip
    assert f"1/{c7.out_channels} + 1/9" in tip
    assert panel.block_at(7.2) == 7 and panel.block_at(6.8) == 7
    assert panel.block_at(7.5) is None and panel.block_at(20) is None
    # y range is a round number above the tallest bar (steady while scrubbing).
    top = panel.plot.vb.viewRange()[1][1]
    assert top == pytest.approx(nice_ceiling(max(c.standard_macs for c in costs) * 1.08) * 1.03)


def test_block_chart_labels_each_pair_with_its_reduction(window) -> None:
    """"7.9x" above each pair of bars, standard / separable, on linear and log scales,
    drawn just above the standard bar's top."""
    window.show_view("blocks")
    window.state.set_variant(0.5, 160)
    panel = window.block_panel
    costs = block_costs(MobileNetSpec(0.5, 160))
    labels = panel.reduction_labels.labels()
    assert [t for _, _, t in labels] == [f"{c.standard_macs / c.separable_macs:.1f}x"
                                         for c in costs]
    assert [x for x, _, _ in labels] == [c.block for c in costs]
    assert [y for _, y, _ in labels] == pytest.approx([c.standard_macs for c in costs])
    # painted: text pixels in the strip just above block 3's standard bar, none above it
    QApplication.processEvents()
    image = panel.plot_widget.grab().toImage()
    vb = panel.plot.vb
    x3, y3, _ = labels[2]
    bar_top = vb.mapViewToScene(pg.Point(x3, y3))
    top = panel.plot_widget.mapFromScene(bar_top)
    strip = [image.pixelColor(x, y) for x in range(top.x() - 12, top.x() + 12)
             for y in range(top.y() - 18, top.y() - 3)]
    assert any(c.lightness() < 120 for c in strip)
    higher = [image.pixelColor(x, y) for x in range(top.x() - 12, top.x() + 12)
              for y in range(top.y() - 60, top.y() - 30)]
    assert not any(c.lightness() < 120 for c in higher)

    panel.set_log_scale(True)
    y0 = panel.standard_bars.opts["y0"]
    assert [y for _, y, _ in panel.reduction_labels.labels()] == pytest.approx(
        [y0 + h for h in panel.standard_bars.opts["height"]])
    panel.set_log_scale(False)
    window.state.set_variant(1.0, 224)
    first = block_costs(MobileNetSpec())[0]
    assert panel.reduction_labels.labels()[0][2] == (
        f"{first.standard_macs / first.separable_macs:.1f}x")


def test_block_chart_axis_keeps_its_ticks_and_width_while_scrubbing(window) -> None:
    """A slider step that leaves the y range alone must not make the axis regenerate its
    ticks, and narrower tick labels must not shrink it (the plot would shift sideways)."""
    window.show_view("blocks")
    window.state.set_variant(1.0, 224)
    panel = window.block_panel
    axis = panel.cost_axis
    panel.grab()  # paint once: the axis caches its picture
    assert axis.picture is not None
    same_range = panel.plot.vb.viewRange()[1]
    window.state.set_variant(1.0, 225)  # a tiny step: same round top value
    assert panel.plot.vb.viewRange()[1] == same_range
    assert axis.picture is not None
    QApplication.processEvents()
    wide = axis.width()
    window.state.set_variant(0.25, 96)  # much smaller counts: "6M" instead of "500M"
    QApplication.processEvents()
    panel.grab()
    assert axis.width() >= wide


def test_count_axis_reuses_a_tick_picture_only_for_the_same_ticks(window) -> None:
    """The cost axis keeps the pictures of ranges it has drawn: going back to a variant
    replays the old picture, which must be exactly what a fresh drawing gives."""
    window.show_view("blocks")
    panel = window.block_panel
    axis = panel.cost_axis

    def chart_image():
        # A label wider than any before widens the axis after its first drawing; the
        # comparison is between settled charts.
        for _ in range(3):
            QApplication.processEvents()
        return panel.plot_widget.grab().toImage()

    variants = [(1.0, 224), (0.25, 128), (1.0, 224), (0.5, 160), (0.25, 128), (1.0, 224)]
    for log in (False, True, False):
        panel.set_log_scale(log)
        for alpha, resolution in variants:
            window.state.set_variant(alpha, resolution)
            cached = chart_image()
            axis._pictures.clear()
            axis.picture = None
            axis.update()
            assert chart_image() == cached, (log, alpha, resolution)
    window.state.set_variant(0.25, 128)
    chart_image()
    small = axis.picture
    window.state.set_variant(1.0, 224)
    chart_image()
    drawn = len(axis._pictures)
    window.state.set_variant(0.25, 128)  # a range drawn before: its picture again
    chart_image()
    assert axis.picture is small and len(axis._pictures) == drawn <= axis.PICTURES_KEPT


def _settle_events() -> None:
    for _ in range(3):
        QApplication.processEvents()


def test_count_axis_cache_follows_tick_pen_and_density(qtbot) -> None:
    """A picture kept for one tick pen, density or axis pen was replayed after a change
    of it (review)."""
    from explorer.ui.plot_style import CountAxis

    def chart(change):
        axis = CountAxis("left")
        w = pg.PlotWidget(axisItems={"left": axis})
        qtbot.addWidget(w)
        w.resize(400, 300)
        w.show()
        w.setYRange(0, 100, padding=0)
        _settle_events()
        w.grab()
        change(axis)
        _settle_events()
        cached = w.grab().toImage()
        axis._pictures.clear()
        axis.picture = None
        axis.update()
        _settle_events()
        return cached, w.grab().toImage()

    for change in (lambda a: a.setTickPen(pg.mkPen("r", width=3)),
                   lambda a: a.setTickDensity(3.0),
                   lambda a: a.setPen(pg.mkPen("#888888", width=4))):
        cached, fresh = chart(change)
        assert cached == fresh


def test_count_axis_cache_follows_new_tick_lists(qtbot) -> None:
    """id() of a freed tick list is reused by the next: an old picture came back (review)."""
    from explorer.ui.plot_style import CountAxis

    axes = []
    for keep in (48, 0):
        axis = CountAxis("left")
        axis.PICTURES_KEPT = keep
        w = pg.PlotWidget(axisItems={"left": axis})
        qtbot.addWidget(w)
        w.resize(400, 300)
        w.show()
        w.setYRange(0, 100, padding=0)
        axes.append((axis, w))
    stale = 0
    for i in range(20):
        for axis, _w in axes:
            axis.setTicks([[(25, f"t{i}"), (75, f"u{i}")]])
        _settle_events()
        stale += axes[0][1].grab().toImage() != axes[1][1].grab().toImage()
    assert stale == 0


def test_legend_wraps_between_entries_only() -> None:
    """A narrow Compare legend broke "A 1.0-224" after the "A"; it may break only between
    entries (and only there: all-nbsp separators made the chart too wide to shrink)."""
    from explorer.ui.plot_style import legend_html

    html = legend_html([("#888", "A 1.0-224"), ("#00f", "B 0.5-160")])
    entries = html.split("&nbsp;&nbsp;&nbsp; ")
    assert len(entries) == 2
    assert all(" " not in entry.split("</span>", 1)[1] for entry in entries)
    assert entries[0].endswith("A&nbsp;1.0-224")
    # a long entry may wrap inside, or it alone would set the legend's minimum width
    long = legend_html([("#888", "depthwise separable (3x3 depthwise + 1x1 pointwise)")])
    assert "depthwise separable (3x3" in long


def test_formula_legend_does_not_break_after_a_slash(window) -> None:
    """At 900 px the formula broke into "1/N + 1/" and "D_K^2"."""
    text = window.block_panel.ratio_legend.text()
    assert "1/\u2060N + 1/\u2060D<sub>K</sub>" in text


def test_nice_ceiling() -> None:
    assert nice_ceiling(462e6) == 500e6
    assert nice_ceiling(101) == 120
    assert nice_ceiling(1.0) == 1.0
    assert nice_ceiling(0) == 1.0


def test_type_chart_is_table_2_live(window) -> None:
    window.show_view("types")  # views behind another tab update when shown
    window.state.set_variant(0.25, 128)
    shares = cost_by_type(MobileNetSpec(0.25, 128))
    table = window.type_panel.table
    for r, share in enumerate(shares):
        assert table.item(r, 0).text() == share.label
        assert table.item(r, 2).text() == f"{100 * share.macs_share:.2f}"
        assert table.item(r, 4).text() == f"{100 * share.params_share:.2f}"
    widths = list(window.type_panel.macs_bars.opts["width"])
    assert widths == pytest.approx([100 * s.macs_share for s in shares])
    assert table.item(2, 5).text() == "1.19 / 0.02"  # the paper's printed row, kept visible


@pytest.mark.parametrize("variant", [(1.0, 224), (4.0, 4096)], ids=["1.0-224", "4.0-4096"])
@pytest.mark.parametrize("size", [(900, 700), (1024, 700), (1400, 900)])
def test_type_table_shows_every_title_and_type_whole(window, size, variant) -> None:
    """At 1024 px the one-line titles were cut ("ult-adds (MAC") and "Fully Connected"
    elided: titles are on two lines and the type column fits its names.  At 4.0-4096 every
    column got the 13-digit counts' width and the table ran 180 px past a 1024 px window,
    cutting "92.15" to "92"."""
    from PySide6.QtGui import QFontMetricsF

    window.resize(*size)
    window.show_view("types")
    window.state.set_variant(*variant)
    QApplication.processEvents()
    from explorer.ui.table_tools import EdgeElidingDelegate

    table = window.type_panel.table
    if size[0] >= (1024 if variant == (1.0, 224) else 1400):
        assert table.horizontalHeader().length() <= table.viewport().width()
    edge = table.horizontalHeader().logicalIndexAt(table.viewport().width() - 1)
    assert isinstance(table.itemDelegateForColumn(edge), EdgeElidingDelegate)  # cut: "..."
    header = table.horizontalHeader()
    metrics = QFontMetricsF(table.font())
    for c in range(table.columnCount()):
        assert header.sectionSizeHint(c) <= header.sectionSize(c), (size, c)
        for r in range(table.rowCount()):
            text = table.item(r, c).text()
            assert metrics.horizontalAdvance(text) + 7 <= header.sectionSize(c), (size, text)


def test_type_table_columns_follow_the_width_it_is_shown_at(window) -> None:
    """Laid out hidden at a narrow width and then shown wide, the count columns stayed
    squeezed ([111, 95, 291, 95, 290, 148]): the check ran on the table's resize, before
    the viewport had its new width."""
    window.show_view("layers")
    QApplication.processEvents()
    window.grab()
    window.show_view("types")
    QApplication.processEvents()
    header = window.type_panel.table.horizontalHeader()
    middle = [header.sectionSize(c) for c in range(1, 5)]
    assert max(middle) - min(middle) <= 1, middle


def test_accuracy_chart_marks_current_variant(window) -> None:
    window.show_view("accuracy")  # views behind another tab update when shown
    panel = window.accuracy_panel
    assert len(panel.points) == 16
    x, y = panel.current_marker.getData()
    assert list(y) == [70.9] and x[0] == pytest.approx(math.log10(568_740_352))
    window.state.set_variant(0.6, 200)
    assert panel.current_marker.getData()[0] is None or len(panel.current_marker.getData()[0]) == 0
    assert panel.current_line.isVisible()
    macs = model_totals(MobileNetSpec(0.6, 200)).macs
    assert panel.current_line.value() == pytest.approx(math.log10(macs))
    assert "no published accuracy" in panel.caption.text()
    assert panel.current_point() == (macs, None)


def test_accuracy_line_off_the_chart_says_where_it_really_is(window) -> None:
    """1.3-300 (1.6 G MACs) lies right of the published points: the line is pinned to the
    edge, which alone reads as ~1 G; a label at the edge gives the real figure."""
    window.show_view("accuracy")
    panel = window.accuracy_panel
    window.state.set_variant(1.3, 300)
    label = panel.off_chart_label
    assert label.isVisible() and label.toPlainText() == "1.6 G \u2192"
    window.state.set_variant(0.1, 32)
    assert label.isVisible() and label.toPlainText().startswith("\u2190 ")
    window.state.set_variant(0.6, 200)  # on the chart, unpublished: the line alone
    assert not label.isVisible()


@pytest.mark.parametrize("size", [(852, 600), (1400, 900), (2560, 1440)])
def test_each_accuracy_label_is_nearest_its_own_point(window, size) -> None:
    """Where the curves cross, labels on fixed sides sat closer to another series' point than
    to their own (blue "128" right above a green point; 0.5-224 and 0.75-160 once printed
    "224160").  Each label now lies nearest its own point and clear of every other label."""
    from explorer.ui.accuracy_chart import ALPHA_COLORS

    window.resize(*size)
    window.show_view("accuracy")
    QApplication.processEvents()
    panel = window.accuracy_panel
    labels = panel.resolution_labels
    assert len(labels) == 16
    vb = panel.plot.vb
    points = [vb.mapViewToScene(pg.Point(label.pos())) for _, label in labels]

    def gap(rect, point) -> float:
        dx = max(rect.left() - point.x(), 0.0, point.x() - rect.right())
        dy = max(rect.top() - point.y(), 0.0, point.y() - rect.bottom())
        return math.hypot(dx, dy)

    # The text, without the document's margin around it.
    rects = [label.sceneBoundingRect().adjusted(m, m, -m, -m) for _, label in labels
             for m in [label.textItem.document().documentMargin()]]
    for i, (alpha, label) in enumerate(labels):
        assert label.color.name() == ALPHA_COLORS[alpha]
        own = gap(rects[i], points[i])
        nearest_other = min(gap(rects[i], p) for j, p in enumerate(points) if j != i)
        assert own < nearest_other, (size, alpha, label.toPlainText(), own, nearest_other)
        assert own < 12, (size, alpha, label.toPlainText())  # beside its point, not far off
    overlaps = [(i, j) for i in range(len(rects)) for j in range(i)
                if rects[i].intersects(rects[j])]
    assert not overlaps, [(labels[i][1].toPlainText(), labels[j][1].toPlainText())
                          for i, j in overlaps]


def test_accuracy_legend_names_the_mark_on_the_chart(window) -> None:
    """An unpublished variant is a dashed line, but the legend still showed the star."""
    window.show_view("accuracy")
    panel = window.accuracy_panel
    window.state.set_variant(0.6, 200)
    assert panel.legend_texts()[-1] == "current variant (no published top-1)"
    assert panel.current_point()[1] is None
    window.state.set_variant(0.5, 160)
    assert panel.legend_texts()[-1] == "current variant" and panel.legend_texts().count(
        "current variant") == 1 and len(panel.legend_texts()) == 5


def test_compare_pin_a_then_move_b(window) -> None:
    window.show_view("compare")  # laid out at 1400 px: exact numbers, not compact ones
    view = window.compare_view
    assert view.spec_a == MobileNetSpec(1.0, 224)  # reference until something is pinned
    window.state.set_variant(0.75, 192)
    view.pin_button.click()
    assert window.state.pinned == MobileNetSpec(0.75, 192)
    window.state.set_variant(0.5, 160)
    a, b = MobileNetSpec(0.75, 192), MobileNetSpec(0.5, 160)
    ta, tb = model_totals(a), model_totals(b)
    table = view.summary_table
    assert table.item(2, 1).text() == f"{ta.params:,}"
    assert table.item(2, 2).text() == f"{tb.params:,}"
    assert table.item(2, 3).text() == f"{tb.params - ta.params:+,}"
    assert table.item(5, 4).text() == human_ratio(tb.macs / ta.macs) == "0.320x"
    assert table.item(9, 1).text() == "67.2" and table.item(9, 2).text() == "59.1"
    diffs = view.block_differences()
    assert diffs == [(ca.block, ca.separable_macs, cb.separable_macs)
                     for ca, cb in zip(block_costs(a), block_costs(b))]
    rows = view.block_rows()
    assert rows[6][3] == f"{block_costs(a)[6].separable_macs:,}"
    assert list(view.b_bars.opts["height"]) == pytest.approx([d[2] for d in diffs])
    view.unpin_button.click()
    assert view.spec_a == MobileNetSpec(1.0, 224)


def test_paper_view_explains_every_discrepancy(window) -> None:
    text = window.paper_view.browser.toPlainText()
    flagged = [v for t in paper_tables() for _, v in t.flagged_values]
    assert len(flagged) >= 5
    for value in flagged:
        assert value.note.split(":")[0][:40] in text
    assert "1.19" in text and "1.91" in text
    assert "tensorflow/models#1997" in text


def test_accuracy_chart_keeps_its_range_for_far_variants(window) -> None:
    window.show_view("accuracy")
    panel = window.accuracy_panel
    before = panel.plot.vb.viewRange()[0]
    window.state.set_variant(1.5, 512)  # far more mult-adds than any published variant
    assert panel.plot.vb.viewRange()[0] == before
    assert panel.current_line.value() == pytest.approx(before[1])
    assert "off the chart" in panel.caption.text()
    macs = model_totals(MobileNetSpec(1.5, 512)).macs
    assert panel.current_point() == (macs, None)


def test_accuracy_grid_lines_sit_at_the_axis_ticks(window) -> None:
    """The grid is drawn under the data by one item (pyqtgraph's, drawn by the axes, took
    35-55 ms of every switch to this view): a line at each tick, nothing between them."""
    from PySide6.QtGui import QColor

    from explorer.ui.plot_style import GridLines

    assert GridLines.line_color(QColor("#888888"), 0, 8, 700).alpha() == 38  # int(0.15*255)
    assert GridLines.line_color(QColor("#888888"), 1, 30, 700).alpha() == 19
    assert GridLines.line_color(QColor("#888888"), 0, 80, 700).alpha() == 16  # crowded
    window.show_view("accuracy")
    window.state.set_variant(1.0, 224)
    for _ in range(3):
        QApplication.processEvents()
    panel = window.accuracy_panel
    image = panel.plot_widget.grab().toImage()
    vb = panel.plot.vb

    def pixel(x: float, y: float) -> str:
        """The darkest pixel within one of (x, y): lines land on either side of a .5."""
        at = vb.mapViewToScene(pg.Point(x, y))
        at = panel.plot_widget.mapFromScene(at)
        return min(image.pixelColor(at.x() + dx, at.y() + dy).name()
                   for dx in (-1, 0, 1) for dy in (-1, 0, 1))

    # empty corner of the plot (lower right: 300M-500M MACs, 40-45 %), legend aside
    assert pixel(math.log10(3e8), 42.5) == "#ffffff"  # between ticks: background
    assert pixel(math.log10(3e8), 45.0) != "#ffffff"  # the 45 % line
    assert pixel(math.log10(5e7), 42.5) != "#ffffff"  # the 50M line (a minor tick)
    assert pixel(math.log10(1e8), 42.5) < pixel(math.log10(5e7), 42.5)  # 100M darker
    assert pixel(math.log10(7e7), 42.5) == "#ffffff"
    assert panel.plot.getAxis("left").grid is False  # pyqtgraph's own grid is off


@pytest.mark.parametrize("log_x", [True, False])
def test_grid_lines_are_the_lines_pyqtgraph_would_draw(qtbot, log_x) -> None:
    """Same pixels and colours as pyqtgraph's own grid (alpha 0.15), at the axes' ticks."""
    from explorer.ui.plot_style import CountAxis

    def lines(ours: bool) -> tuple[list, list]:
        axis = CountAxis("bottom")
        axis.set_log_values(log_x)
        widget = pg.PlotWidget(axisItems={"bottom": axis})
        qtbot.addWidget(widget)
        widget.resize(700, 500)
        widget.show()
        plot = widget.getPlotItem()
        style_plot(plot, grid=ours)
        if not ours:
            plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setRange(xRange=(7.25, 9.0) if log_x else (0.4, 13.6), yRange=(38, 73),
                      padding=0)
        for _ in range(3):
            QApplication.processEvents()
        image = widget.grab().toImage()
        box = plot.vb.sceneBoundingRect().toRect()
        y, x = box.top() + box.height() // 3 + 1, box.left() + box.width() // 3 + 1
        columns = [(c, image.pixelColor(c, y).name()) for c in range(box.left() + 2,
                   box.right() - 1) if image.pixelColor(c, y).name() != "#ffffff"]
        rows = [(r, image.pixelColor(x, r).name()) for r in range(box.top() + 2,
                box.bottom() - 1) if image.pixelColor(x, r).name() != "#ffffff"]
        return columns, rows

    ours, theirs = lines(True), lines(False)
    assert ours == theirs and ours[0] and ours[1]


def test_charts_behind_another_tab_redraw_when_shown(window) -> None:
    """Redrawing hidden charts on every slider step cost the view in front 2-4 ms; they
    now redraw once, with the newest variant, when shown (before their first paint)."""
    window.show_view("layers")
    QApplication.processEvents()
    blocks, compare = window.block_panel.while_hidden, window.compare_view.while_hidden
    before = (blocks.deferred, compare.deferred)
    for resolution in (160, 176, 192):
        window.state.set_variant(0.5, resolution)
    assert (blocks.deferred, compare.deferred) == (before[0] + 3, before[1] + 3)
    assert blocks.due and compare.due
    window.show_view("blocks")
    assert not blocks.due and compare.due
    costs = block_costs(MobileNetSpec(0.5, 192))
    assert list(window.block_panel.separable_bars.opts["height"]) == pytest.approx(
        [c.separable_macs for c in costs])
    window.show_view("compare")
    assert not compare.due
    assert window.compare_view.summary_table.item(1, 2).text() == "192"
    window.state.set_variant(0.5, 208)  # in front: at once
    assert not compare.due and window.compare_view.summary_table.item(1, 2).text() == "208"
    # Accuracy swapped its legend's star and line on every step between published and
    # other variants (~2 ms) while hidden; Cost by type refilled its table.
    accuracy, types = window.accuracy_panel.while_hidden, window.type_panel.while_hidden
    assert accuracy.due and types.due
    window.show_view("accuracy")
    assert not accuracy.due
    assert window.accuracy_panel.current_point()[0] == model_totals(MobileNetSpec(0.5, 208)).macs
    assert window.accuracy_panel.legend_texts()[-1] == "current variant (no published top-1)"
    window.show_view("types")
    assert not types.due
    assert window.type_panel.table.item(0, 1).text() == (
        f"{cost_by_type(MobileNetSpec(0.5, 208))[0].macs:,}")


def test_the_layer_table_behind_another_tab_is_filled_when_shown(window) -> None:
    """Filling the hidden Layers table cost a chart view in front ~1.7 ms a step."""
    window.show_view("types")
    panel = window.layer_panel
    window.state.set_variant(0.75, 192)
    assert panel.while_hidden.due
    window.show_view("layers")
    assert not panel.while_hidden.due
    assert panel.model.spec == MobileNetSpec(0.75, 192)
    assert panel.footer.text().startswith("Showing 91 of 91 layers: 2,601,976 params")


def test_chart_text_follows_a_larger_user_font(qapp) -> None:
    """Axis labels stayed 9 pt when the user's font was 14 pt."""
    from PySide6.QtGui import QFont

    from explorer.ui.plot_style import axis_font, chart_text_size

    saved = QFont(qapp.font())
    try:
        big = QFont(saved)
        big.setPointSizeF(14.0)
        qapp.setFont(big)
        assert axis_font().pointSizeF() == 13.5 and chart_text_size(1.0) == "14.5pt"
        small = QFont(saved)
        small.setPointSizeF(6.0)
        qapp.setFont(small)
        assert axis_font().pointSizeF() == 8.0  # never below 8 pt
    finally:
        qapp.setFont(saved)
    assert axis_font().pointSizeF() == max(8.0, saved.pointSizeF() - 0.5)


def test_the_chart_table_switch_shows_keyboard_focus() -> None:
    """Its style sheet's border replaced Fusion's focus frame: a Tab stop with no visible
    focus (0 pixels changed; with the rule, 384 of the 73x27 button change)."""
    from explorer.ui.theme import SEGMENT_BUTTON_STYLE

    assert "QToolButton:focus" in SEGMENT_BUTTON_STYLE
