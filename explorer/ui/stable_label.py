"""A QLabel whose size hints do not depend on its text.

Labels that change on every slider step (summary values, status text, table footer) would
otherwise make Qt lay out their text just to answer ``sizeHint()`` during each layout pass,
and with a dozen such labels that alone took ~2 ms of a 16 ms frame.  The hint is computed
once from a template text as wide as the widest value the label will show.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class StableLabel(QLabel):
    """QLabel with constant size hints taken from ``template`` (text is clipped by layout)."""

    def __init__(self, template: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        metrics = self.fontMetrics()
        margin = 2 * self.margin() + 4
        self._hint = QSize(metrics.horizontalAdvance(template) + margin,
                           metrics.height() + margin)
        self._min_hint = QSize(0, self._hint.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self._min_hint


class ElidingStableLabel(StableLabel):
    """StableLabel for one line of plain text that ends in "…" when it does not fit, with the
    full text as tooltip meanwhile.

    A separate class on purpose: a Python ``paintEvent`` override costs every repaint a call
    into Python (~0.05 ms per label), which the dozen summary values need not pay.
    """

    def __init__(self, template: str, parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(template, parent)
        self._mode = mode
        self._elided = False

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._update_elided_tip()

    def _update_elided_tip(self) -> None:
        elided = self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()
        if elided != self._elided or elided:
            self.setToolTip(self.text() if elided else "")
        self._elided = elided

    @property
    def elided(self) -> bool:
        """True while the text does not fit."""
        return self._elided

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._update_elided_tip()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        if not self._elided:
            super().paintEvent(event)
            return
        rect = self.contentsRect()
        painter = QPainter(self)
        text = self.fontMetrics().elidedText(self.text(), self._mode, rect.width())
        painter.drawText(rect, int(self.alignment()), text)
        painter.end()
