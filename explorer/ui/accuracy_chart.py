"""Accuracy vs mult-adds of the 16 published MobileNet v1 variants, current variant marked.

x is log10(MACs) (labelled as counts), y the TF-slim float top-1.  One line per width
multiplier alpha joins its four resolutions.  A variant without published accuracy is shown
as a vertical line at its mult-adds.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.arch.accuracy import PUBLISHED_ACCURACY, published_accuracy
from explorer.arch.export import human_count
from explorer.arch.layers import model_totals
from explorer.arch.spec import PRETRAINED_ALPHAS, MobileNetSpec, format_alpha
from explorer.ui.plot_style import CountAxis, chart_text_size, style_plot
from explorer.ui.theme import set_role
from explorer.ui.variant_state import VariantState
from explorer.ui.while_hidden import WhileHidden

ALPHA_COLORS = {1.0: "#2f78c4", 0.75: "#3a9e3a", 0.5: "#e07b24", 0.25: "#9b4fb5"}
CURRENT_COLOR = "#d62728"
#: Series whose resolution labels go below their points (the others' go above), where
#: nothing else is in the way.
LABELS_BELOW = frozenset({0.75, 0.25})
#: TextItem anchors tried for a resolution label, the series' usual side first: above left,
#: below right, then the other diagonals and the four sides.
ABOVE_LEFT, BELOW_RIGHT = (1.15, 1.1), (-0.15, -0.1)
LABEL_ANCHORS = (ABOVE_LEFT, BELOW_RIGHT, (-0.15, 1.1), (1.15, -0.1), (1.2, 0.5), (-0.2, 0.5),
                 (0.5, 1.25), (0.5, -0.25))
#: Radius (px) of a point's marker, as drawn (9 px symbols plus their white edge).
MARKER_RADIUS = 5.5
#: Legend entry of the dashed line, on two lines: the legend sits bottom right, where no
#: point lies, and grows leftwards with its widest entry; in one line this one took it over
#: 0.25-224 and its label in an 852 px window.
LINE_ENTRY = "current variant<br>(no published top-1)"


#: A box in scene pixels: (left, top, right, bottom).
Box = tuple[float, float, float, float]


def _box_distance(box: Box, x: float, y: float) -> float:
    """Distance from (x, y) to the nearest point of ``box`` (0 inside it)."""
    dx = max(box[0] - x, 0.0, x - box[2])
    dy = max(box[1] - y, 0.0, y - box[3])
    return math.hypot(dx, dy)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box: Box, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the segment a-b passes through ``box`` (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - box[0]), (dx, box[2] - a[0]),
                 (-dy, a[1] - box[1]), (dy, box[3] - a[1])):
        if p == 0:
            if q < 0:
                return False
        else:
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
    return True


def published_points() -> list[tuple[MobileNetSpec, int, float]]:
    """(spec, MACs, float top-1) for the 16 published variants."""
    return [(MobileNetSpec(a.alpha, a.resolution), model_totals(
        MobileNetSpec(a.alpha, a.resolution)).macs, a.top1_float) for a in PUBLISHED_ACCURACY]


class AccuracyChartPanel(QWidget):
    """Top-1 vs mult-adds trade-off chart."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accuracyPanel")
        self.caption = QLabel(self)
        self.caption.setObjectName("accuracyCaption")
        set_role(self.caption, "headline")
        self.caption.setWordWrap(True)
        self.axis = CountAxis("bottom")
        self.axis.set_log_values(True)
        self.plot_widget = pg.PlotWidget(self, axisItems={"bottom": self.axis})
        self.plot_widget.setObjectName("accuracyPlot")
        self.plot = self.plot_widget.getPlotItem()
        style_plot(self.plot, grid=True)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.getAxis("bottom").setLabel("mult-adds (MACs), log scale")
        self.plot.getAxis("left").setLabel("ImageNet top-1 %, TF-slim float")
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        legend = self.plot.addLegend(offset=(-10, -10), labelTextSize=chart_text_size(),
                                     brush=pg.mkBrush(255, 255, 255, 220))
        points = published_points()
        self.points = points
        self.resolution_labels: list[tuple[float, pg.TextItem]] = []
        for alpha in PRETRAINED_ALPHAS:
            mine = sorted((p for p in points if p[0].alpha == alpha), key=lambda p: p[1])
            xs = [math.log10(m) for _, m, _ in mine]
            ys = [t for _, _, t in mine]
            self.plot.plot(xs, ys, pen=pg.mkPen(ALPHA_COLORS[alpha], width=2), symbol="o",
                           symbolSize=9, symbolBrush=ALPHA_COLORS[alpha],
                           symbolPen=pg.mkPen("w"), name=f"alpha {format_alpha(alpha)}")
            # Labels in their curve's colour, up and to the left of the points of alpha 1.0
            # and 0.5, down and to the right of those of 0.75 and 0.25: the curves cross
            # (0.75-160 sits on 1.0-128, 0.75-128 on 0.5-192), and labels straight above or
            # below the points ran into each other there ("224160").
            below = alpha in LABELS_BELOW
            for spec, macs, top1 in mine:
                label = pg.TextItem(str(spec.resolution), color=ALPHA_COLORS[alpha],
                                    anchor=BELOW_RIGHT if below else ABOVE_LEFT)
                label.setPos(math.log10(macs), top1)
                self.plot.addItem(label)
                self.resolution_labels.append((alpha, label))
        # Where two curves cross, a label on its series' usual side could sit closer to
        # another series' point than to its own (blue "128" right above a green point): each
        # resize places them again, every label nearest its own point.
        self.plot.vb.sigResized.connect(self._place_resolution_labels)
        # ...and when the range is first set, which may come after the last resize.
        self.plot.vb.sigRangeChanged.connect(self._place_resolution_labels)
        self.current_marker = self.plot.plot(
            [], [], pen=None, symbol="star", symbolSize=22, symbolBrush=CURRENT_COLOR,
            symbolPen=pg.mkPen("#7a1010"), name="current variant")
        self.current_line = pg.InfiniteLine(
            angle=90, movable=False,
            pen=pg.mkPen(CURRENT_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
        self.plot.addItem(self.current_line)
        # Off the chart the line is pinned to an edge; this label says where it really is
        # ("1.6 G ->"), so the line is not read as that edge's MACs.
        self.off_chart_label = pg.TextItem("", color=CURRENT_COLOR)
        self.off_chart_label.setVisible(False)
        self.plot.addItem(self.off_chart_label)
        # The legend names the mark the chart shows: the star for a published variant, the
        # dashed line for the others (the star stayed in the legend with no star drawn).
        self._legend = legend
        self._line_sample = pg.PlotDataItem(
            [], [], pen=pg.mkPen(CURRENT_COLOR, width=1.5, style=Qt.PenStyle.DashLine))
        self._legend_shows_star = True
        self._fixed_y = (38.0, 73.0)
        published = [math.log10(m) for _, m, _ in points]
        self._fixed_x = (math.floor((min(published) - 0.15) * 4) / 4,
                         math.ceil((max(published) + 0.15) * 4) / 4)
        # Hidden behind another tab, it updates when shown (see while_hidden): its legend
        # swaps the star for the dashed line between published and other variants, ~2 ms.
        self.while_hidden = WhileHidden(self, self.show_spec)
        state.spec_changed.connect(self.while_hidden.request)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot_widget, 1)
        note = QLabel("Published top-1 from TF-slim's mobilenet_v1.md (float checkpoints); "
                      "labels are input resolutions. Mult-adds counted by this tool.", self)
        set_role(note, "caption")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.show_spec(state.spec)

    def _show_legend_mark(self, star: bool) -> None:
        if star == self._legend_shows_star:
            return  # unchanged (legend edits re-lay it out: not on every slider step)
        self._legend_shows_star = star
        if star:
            self._legend.removeItem(self._line_sample)
            self._legend.addItem(self.current_marker, "current variant")
        else:
            self._legend.removeItem(self.current_marker)
            self._legend.addItem(self._line_sample, LINE_ENTRY)

    def legend_texts(self) -> list[str]:
        """The legend's entries, top to bottom, a line break read as a space (tests)."""
        return [label.text.replace("<br>", " ") for _, label in self._legend.items]

    def _place_resolution_labels(self) -> None:
        """Put each resolution label on the side of its point where it is clear of the other
        points, the lines and the labels already placed, nearest its own point.

        Greedy, most crowded point first; in scene pixels, so it holds at any chart size.
        About 1 ms for the 16 labels (plain floats: with Qt points and rects it took 36 ms).
        """
        vb = self.plot.vb
        view = vb.sceneBoundingRect()
        if view.width() < 50 or view.height() < 50:
            return  # not laid out yet
        area = (view.left(), view.top(), view.right(), view.bottom())
        centres = []
        for _, label in self.resolution_labels:
            scene = vb.mapViewToScene(pg.Point(label.pos()))
            centres.append((scene.x(), scene.y()))
        lines: list[tuple[tuple[float, float], tuple[float, float]]] = []
        for alpha in PRETRAINED_ALPHAS:
            mine = sorted(c for c, (a, _) in zip(centres, self.resolution_labels, strict=True)
                          if a == alpha)
            lines += list(zip(mine, mine[1:], strict=False))

        def crowding(i: int) -> float:
            return min(math.dist(centres[i], c) for j, c in enumerate(centres) if j != i)

        placed: list[Box] = []
        for i in sorted(range(len(centres)), key=crowding):
            alpha, label = self.resolution_labels[i]
            size = label.boundingRect()
            w, h = size.width(), size.height()
            # The text itself: the box has the document's margin (4 px) on every side.
            m = label.textItem.document().documentMargin()
            x, y = centres[i]
            others = [c for j, c in enumerate(centres) if j != i]
            usual = BELOW_RIGHT if alpha in LABELS_BELOW else ABOVE_LEFT
            best, best_box, best_score = usual, (0.0, 0.0, 0.0, 0.0), -math.inf
            for anchor in LABEL_ANCHORS:
                left, top = x - anchor[0] * w, y - anchor[1] * h
                box = (left + m, top + m, left + w - m, top + h - m)
                clearance = min(_box_distance(box, *c) for c in others) - MARKER_RADIUS
                score = min(clearance, 30.0) + (2.0 if anchor == usual else 0.0)
                if clearance < 0 or any(_overlap(box, other) for other in placed):
                    score -= 1000.0
                if not (area[0] <= box[0] and box[2] <= area[2]
                        and area[1] <= box[1] and box[3] <= area[3]):
                    score -= 1000.0
                score -= 30.0 * sum(_crosses(box, a, b) for a, b in lines)
                if score > best_score:
                    best, best_box, best_score = anchor, box, score
            if tuple(label.anchor) != best:
                label.setAnchor(best)
            placed.append(best_box)

    def current_point(self) -> tuple[float, float | None]:
        """(MACs, top-1 or None) of the marked variant."""
        return self._current

    @Slot(object)
    def show_spec(self, spec: MobileNetSpec) -> None:
        macs = model_totals(spec).macs
        acc = published_accuracy(spec)
        x = math.log10(max(macs, 1))
        # A fixed range around the 16 published points: changing the range re-lays out the
        # axis (tens of ms), so a variant off the chart gets its line pinned to the edge.
        low, high = self._fixed_x
        if self.plot.vb.viewRange()[0] != [low, high]:
            self.plot.setRange(xRange=(low, high), yRange=self._fixed_y, padding=0)
        off_chart = not low <= x <= high
        x_shown = min(max(x, low), high)
        if off_chart:
            right = x > high
            self.off_chart_label.setText(f"{human_count(macs)} \u2192" if right
                                         else f"\u2190 {human_count(macs)}")
            self.off_chart_label.setAnchor((1.0, 0.0) if right else (0.0, 0.0))
            self.off_chart_label.setPos(x_shown, self._fixed_y[1])
        self.off_chart_label.setVisible(off_chart)
        self._show_legend_mark(star=acc is not None)
        if acc is None:
            self._current = (float(macs), None)
            self.current_marker.setData([], [])
            self.current_line.setPos(x_shown)
            self.current_line.setVisible(True)
            where = (" (off the chart, line at its edge)" if off_chart else "")
            self.caption.setText(
                f"MobileNet {spec.label}: {human_count(macs)} mult-adds{where}; no published "
                "accuracy (only the 16 pretrained variants have one)")
        else:
            self._current = (float(macs), acc.top1_float)
            self.current_marker.setData([x], [acc.top1_float])
            self.current_line.setVisible(False)
            self.caption.setText(
                f"MobileNet {spec.label}: {acc.top1_float:.1f} % top-1 at "
                f"{human_count(macs)} mult-adds")
