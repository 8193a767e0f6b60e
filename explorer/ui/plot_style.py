"""Shared pyqtgraph look: white background, readable fonts, count axes with k/M/G labels,
and the chart items every slider step touches, built to redraw cheaply (``BarLabels`` for
the labels over bars, ``GridLines`` for a grid).

pyqtgraph's own log mode only transforms curve items, not bar graphs, so our charts feed
log10 values themselves and tell ``CountAxis`` to label ticks as powers of ten.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QFontMetrics, QFontMetricsF, QPainter

from explorer.arch.export import human_count

pg.setConfigOptions(antialias=False, background="w", foreground="#333333")

STANDARD_COLOR = "#d0674f"  # full 3x3 convolution
SEPARABLE_COLOR = "#2f78c4"  # depthwise separable
DEPTHWISE_COLOR = "#7fb6e6"
RATIO_COLOR = "#3a9e3a"
FORMULA_COLOR = "#222222"
A_COLOR = "#8a8f98"  # Compare: pinned variant A
B_COLOR = "#2f78c4"  # Compare: current variant B


def axis_font() -> QFont:
    """The charts' text: half a point under the application's (9 pt at its default 9.5 pt).
    A fixed 9 pt stayed 9 pt for a user who had set a larger font (accessibility audit)."""
    font = QFont()  # the application's font
    font.setPointSizeF(max(8.0, font.pointSizeF() - 0.5))
    return font


def chart_text_size(larger_by: float = 0.0) -> str:
    """``axis_font``'s size as pyqtgraph's size strings ("9pt"), ``larger_by`` points more."""
    return f"{axis_font().pointSizeF() + larger_by:g}pt"


class CountAxis(pg.AxisItem):
    """Axis labelled 1k / 10 M / 1 G; in log mode the data are log10 values."""

    #: Tick pictures kept per axis (see ``paint``).
    PICTURES_KEPT = 48

    def __init__(self, orientation: str, unit: str = "", **kwargs: Any) -> None:
        self._pictures: dict[tuple, Any] = {}  # picture key -> QPicture, oldest first
        super().__init__(orientation, **kwargs)
        self.log_values = False
        self.unit = unit
        # Grow to fit wider tick labels but never shrink back: otherwise the plot area shifts
        # sideways whenever "800M" becomes "1G" while a slider moves, and every such step
        # re-lays out and repaints the whole chart.
        self.setStyle(tickFont=axis_font(), tickTextOffset=4, autoReduceTextSpace=False)

    @staticmethod
    def _pen_key(pen: Any) -> tuple:
        return (pen.color().rgba(), pen.widthF(), pen.style(), pen.isCosmetic())

    def _picture_key(self) -> tuple:
        # Everything the tick picture is drawn from: the range, the axis' (and, with a
        # grid, the plot's) rectangle, the tick format, the pens and the style.  Custom
        # ticks count by content: a list's id() is reused once the old list is freed.
        rect = self.boundingRect()
        return (tuple(self.range), rect.x(), rect.y(), rect.width(), rect.height(),
                self.log_values, self.unit, self.scale, self.autoSIPrefixScale, self.grid,
                self.logMode, repr(self._tickSpacing), repr(self._tickLevels),
                self._tickDensity, self.textWidth, self.textHeight,
                self._pen_key(self.pen()), self._pen_key(self.tickPen()),
                self._pen_key(self.textPen()),
                tuple(sorted((k, repr(v)) for k, v in self.style.items())))

    def paint(self, p: QPainter, opt: Any, widget: Any) -> None:
        # The charts round their y range to a few "nice" tops, so the same ranges come back
        # as a slider goes to and fro; generating the ticks and labels anew took ~1.3 ms
        # each time (most steps of small variants change the range).
        if self.picture is None:
            key = self._picture_key()
            picture = self._pictures.pop(key, None)
            if picture is None:
                super().paint(p, opt, widget)  # draws self.picture and plays it
                # Drawing may widen the axis for a longer label, which then lays out again
                # and draws anew: a picture of that passing state is not kept.
                if self.picture is not None and self._picture_key() == key:
                    self._pictures[key] = self.picture
                    while len(self._pictures) > self.PICTURES_KEPT:
                        del self._pictures[next(iter(self._pictures))]  # least recent
                return
            self._pictures[key] = self.picture = picture  # now the most recent
        super().paint(p, opt, widget)

    def set_log_values(self, log: bool) -> None:
        # Charts call this on every redraw; only a real switch may throw away the cached
        # picture, or the axis regenerates its ticks on every slider step (~1 ms).
        if log == self.log_values:
            return
        self.log_values = log
        self.picture = None
        self.update()

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802,N803
        if not self.log_values:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = math.ceil(minVal), math.floor(maxVal)
        majors = [float(v) for v in range(lo, hi + 1)]
        minors = [math.log10(m * 10**e) for e in range(lo - 1, hi + 1) for m in (2, 5)
                  if minVal <= math.log10(m * 10**e) <= maxVal]
        return [(1.0, majors), (0.5, minors if len(majors) < 4 else [])]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list:  # noqa: N802
        out = []
        for v in values:
            value = 10**v if self.log_values else v * scale
            out.append(human_count(round(value, 6), self.unit).replace(" ", "")
                       if value else "0")
        return out


def set_y_range_now(plot: pg.PlotItem, low: float, high: float) -> None:
    """``plot.setYRange(low, high, padding=0)`` with the view's transform applied at once.

    pyqtgraph applies a new range to its items only when the scene prepares to paint, which
    moves every item during the paint, so the chart was painted twice on each slider step
    that changed the range (~1.6 ms more per step in Compare).
    """
    plot.setYRange(low, high, padding=0)
    plot.vb.updateMatrix()


def nice_ceiling(value: float) -> float:
    """Smallest "round" number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) >= ``value``.

    Charts use it as the top of the y range, so the axis only changes when a bar crosses a
    step: steady labels while scrubbing, and pyqtgraph does not repaint the axis every frame.
    """
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = m * 10.0**exponent
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10.0 ** (exponent + 1)


def style_plot(plot: pg.PlotItem, title: str | None = None, grid: bool = False) -> None:
    """Common look for our PlotItems.

    The grid (``grid=True``) is a ``GridLines`` item under the data: pyqtgraph's own is drawn
    by the axis items, which then cover the whole plot, and replaying them took 35-55 ms of
    every switch to the Accuracy view (their item caches did not survive the tab switch).
    The same lines drawn by one item take about a millisecond.
    """
    if grid:
        plot.addItem(GridLines(plot), ignoreBounds=True)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setStyle(tickFont=axis_font())
        axis.setPen(pg.mkPen("#888888"))
        axis.setTextPen(pg.mkPen("#333333"))
    if title:
        plot.setTitle(title, size=chart_text_size(1.0), color="#333333")
    plot.setMenuEnabled(False)
    plot.hideButtons()


#: Legend entries up to this many characters are kept on one line.
SHORT_LEGEND_ENTRY = 24


def legend_html(entries: list[tuple[str, str]], line: bool = False) -> str:
    """A one-line legend as rich text (kept outside the plot so it never hides data)."""
    parts = []
    for color, text in entries:
        mark = (f'<span style="color:{color}; font-weight:bold;">&#9473;&#9473;</span>' if line
                else f'<span style="color:{color};">&#9632;</span>')
        # A short entry ("A 1.0-224", "alpha 0.75") does not wrap inside: a narrow legend put
        # "A" at a line's end and "1.0-224" on the next.  Long ones may, or they would set
        # the legend's (and the chart's) minimum width.
        if len(text) <= SHORT_LEGEND_ENTRY:
            text = text.replace(" ", "&nbsp;")
        parts.append(f"{mark}&nbsp;{text}")
    return "&nbsp;&nbsp;&nbsp; ".join(parts)  # the plain space: where a line may break


class BlockAxis(pg.AxisItem):
    """Bottom axis labelled with block numbers, thinned (every 2nd, 3rd...) so the labels
    keep a gap between them however narrow the chart is; 13 always keeps its label."""

    def __init__(self, blocks: Sequence[int] = range(1, 14), **kwargs: Any) -> None:
        super().__init__("bottom", **kwargs)
        self.blocks = list(blocks)
        # label_step already keeps labels apart; let the last one ("13") reach 12 px past
        # the axis' end instead of pyqtgraph dropping it in a narrow chart.
        self.setStyle(tickFont=axis_font(), hideOverlappingLabels=12)

    def label_step(self, pixels_per_block: float) -> int:
        """Show every ``step``-th block: the smallest divisor of the span that leaves room."""
        metrics = QFontMetrics(self.style["tickFont"] or axis_font())
        need = max(metrics.horizontalAdvance(str(b)) for b in self.blocks) + 6
        span = self.blocks[-1] - self.blocks[0]
        for step in range(1, span + 1):
            if span % step == 0 and step * pixels_per_block >= need:
                return step
        return max(1, span)

    def tickValues(self, minVal: float, maxVal: float, size: float) -> list:  # noqa: N802,N803
        if maxVal <= minVal or not self.blocks:
            return []
        step = self.label_step(size / (maxVal - minVal))
        first = self.blocks[0]
        return [(float(step), [float(b) for b in self.blocks
                               if (b - first) % step == 0 and minVal <= b <= maxVal])]

    def tickStrings(self, values: list, scale: float, spacing: float) -> list:  # noqa: N802
        return [str(round(v)) for v in values]


class BarLabels(pg.GraphicsObject):
    """Short texts centred above points in data coordinates ("8.2x" over each bar), drawn
    by one item at a fixed pixel size.

    Thirteen ``pg.TextItem`` did the same for ~1.5 ms per slider step: each one re-laid out
    its text document and recomputed its transform whenever the y range changed, which on
    small variants is nearly every step.  Here a step stores the texts and repaints.
    """

    #: Pixels between a label's baseline box and its point (as TextItem's text margin).
    GAP = 4.0

    def __init__(self, font: QFont, color: str = "#444444") -> None:
        super().__init__()
        self._font = QFont(font)
        self._color = QColor(color)
        self._metrics = QFontMetricsF(self._font)
        self._labels: list[tuple[float, float, str]] = []

    def set_labels(self, labels: Sequence[tuple[float, float, str]]) -> None:
        """(x, y, text) per label; the text's bottom centre sits ``GAP`` px above (x, y)."""
        labels = [(float(x), float(y), str(t)) for x, y, t in labels]
        if labels != self._labels:
            self.prepareGeometryChange()
            self._labels = labels
            self.update()

    def labels(self) -> list[tuple[float, float, str]]:
        return list(self._labels)

    def setFont(self, font: QFont) -> None:  # noqa: N802 - Qt naming, like TextItem's
        self.prepareGeometryChange()
        self._font = QFont(font)
        self._metrics = QFontMetricsF(self._font)
        self.update()

    def viewRangeChanged(self) -> None:  # noqa: N802 - pyqtgraph hook
        # The texts keep their pixel size, so their extent in data units follows the range.
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        if not self._labels:
            return QRectF()
        px, py = self.pixelWidth() or 0.0, self.pixelHeight() or 0.0
        half = max(self._metrics.horizontalAdvance(t) for _, _, t in self._labels) / 2 + 1
        tall = self._metrics.height() + self.GAP + 1
        xs = [x for x, _, _ in self._labels]
        ys = [y for _, y, _ in self._labels]
        return QRectF(min(xs) - half * px, min(ys), max(xs) - min(xs) + 2 * half * px,
                      max(ys) - min(ys) + tall * py)

    def paint(self, painter: QPainter, *_args: object) -> None:
        to_device = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setFont(self._font)
        painter.setPen(self._color)
        below = self._metrics.descent() + self.GAP
        for x, y, text in self._labels:
            at = to_device.map(QPointF(x, y))
            painter.drawText(QPointF(at.x() - self._metrics.horizontalAdvance(text) / 2,
                                     at.y() - below), text)
        painter.restore()


class GridLines(pg.GraphicsObject):
    """Grid lines at the ticks of a plot's left and bottom axes, under the data.

    The lines pyqtgraph's ``showGrid(alpha=0.15)`` draws, pixel for pixel: the same positions
    and translucent colours.  pyqtgraph draws them with the axis items, which then cover the
    whole plot and were replayed on every switch to the view (their item caches did not
    survive a tab switch); this item draws a few dozen lines straight onto the plot.
    """

    #: pyqtgraph's grid opacity as it stores it: ``int(0.15 * 255)``.
    GRID = int(0.15 * 255)

    def __init__(self, plot: pg.PlotItem) -> None:
        super().__init__()
        self._plot = plot
        self.setZValue(-1000)  # under every data item

    def viewRangeChanged(self) -> None:  # noqa: N802 - pyqtgraph hook
        self.prepareGeometryChange()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        vb = self.getViewBox()
        return vb.viewRect() if vb is not None else QRectF()

    @classmethod
    def line_color(cls, pen: QColor, level: int, ticks: int, pixels: float) -> QColor:
        """The colour of a tick ``level``'s grid lines (0: major), as pyqtgraph's
        ``AxisItem.generateDrawSpecs`` computes it: fainter for minor levels and for
        crowded ticks."""
        alpha = 255 / (level + 1) * cls.GRID / 255 * min(1.0, max(0.0, 0.05 * pixels
                                                                   / (ticks + 1)))
        color = QColor(pen)
        color.setAlpha(int(alpha))
        return color

    def paint(self, painter: QPainter, *_args: object) -> None:
        vb = self.getViewBox()
        if vb is None:
            return
        (x0, x1), (y0, y1) = vb.viewRange()
        to_device = painter.transform()
        top_left = to_device.map(QPointF(x0, y1))
        bottom_right = to_device.map(QPointF(x1, y0))
        left, right = sorted((top_left.x(), bottom_right.x()))
        top, bottom = sorted((top_left.y(), bottom_right.y()))
        painter.save()
        painter.resetTransform()
        for name, low, high, pixels in (("bottom", x0, x1, right - left),
                                        ("left", y0, y1, bottom - top)):
            axis = self._plot.getAxis(name)
            pen = axis.pen().color()
            levels = axis.tickValues(low, high, pixels)
            for level in range(len(levels)):  # the levels hold different values
                values = [v for v in levels[level][1] if low <= v <= high]
                painter.setPen(self.line_color(pen, level, len(levels[level][1]), pixels))
                for v in values:
                    # unrounded, as the axis draws its tick marks: the same pixels
                    at = to_device.map(QPointF(v, v))
                    if name == "bottom":
                        painter.drawLine(QPointF(at.x(), top), QPointF(at.x(), bottom))
                    else:
                        painter.drawLine(QPointF(left, at.y()), QPointF(right, at.y()))
        painter.restore()


def log_bar_range(values: np.ndarray) -> tuple[float, float]:
    """(bottom, top) of a log10 y range for bars of ``values`` (counts; <1 is drawn as 1).

    The bottom is the power of ten below the smallest bar, the top the next half decade above
    the tallest, plus 3 % headroom so the top tick's label ("10G") is not cut off.  Used by
    the Standard vs separable and the Compare charts.
    """
    if not len(values):
        return 0.0, 1.0
    base = float(math.floor(math.log10(max(1.0, float(values.min())))))
    top = math.ceil((float(np.log10(max(1.0, float(values.max())))) + 0.15) * 2) / 2
    return base, top + 0.03 * (top - base)
