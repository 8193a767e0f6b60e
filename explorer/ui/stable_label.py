"""A QLabel whose size hints do not depend on its text.

Labels that change on every slider step (summary values, status text, table footer) would
otherwise make Qt lay out their text just to answer ``sizeHint()`` during each layout pass,
and with a dozen such labels that alone took ~2 ms of a 16 ms frame.  The hint is computed
once from a template text as wide as the widest value the label will show.
"""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QWidget


class StableLabel(QLabel):
    """QLabel with constant size hints taken from ``template`` (text is elided by layout)."""

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
