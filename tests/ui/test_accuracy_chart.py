"""Accuracy chart layout: the legend leaves the published points and their labels visible."""

from __future__ import annotations

import math

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QApplication


def _covered(panel) -> list[str]:
    """Published points (as drawn, 9 px symbols) and resolution labels under the legend."""
    legend = panel._legend.sceneBoundingRect()  # noqa: SLF001
    covered = []
    for spec, macs, top1 in panel.points:
        centre = panel.plot.vb.mapViewToScene(pg.Point(math.log10(macs), top1))
        if legend.intersects(QRectF(centre.x() - 5, centre.y() - 5, 10, 10)):
            covered.append(f"point {spec.label}")
    for alpha, label in panel.resolution_labels:
        if legend.intersects(label.sceneBoundingRect()):
            covered.append(f"label {label.toPlainText()} of alpha {alpha}")
    return covered


@pytest.mark.parametrize("size", [(852, 600), (1400, 900)])
@pytest.mark.parametrize("variant", [(1.0, 224), (0.35, 224)])
def test_legend_covers_no_published_point(window, size, variant) -> None:
    """At the smallest window, 0.35-224's longer entry "current variant (no published
    top-1)" widened the legend over 0.25-224 and its label."""
    window.resize(*size)
    window.show_view("accuracy")
    window.state.set_variant(*variant)
    QApplication.processEvents()
    panel = window.accuracy_panel
    assert panel.legend_texts()[-1].startswith("current variant")
    assert _covered(panel) == []
