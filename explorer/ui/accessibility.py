"""Names that screen readers announce, and keyboard focus that goes somewhere visible.

Qt names a combo box by its current text and a tool button by its glyph, so a screen reader
announced the Engine and Device boxes both as "Auto", and the folder arrows as "black
left-pointing triangle"; tables, charts and the paper view had no name at all.  Charts took
Tab focus and showed no focus and did nothing with keys; small tables (Cost by type, both
Compare tables) kept Tab for moving between cells, so keyboard users could not leave them.
``make_accessible`` fixes all of that for the widgets below ``root``, by object name.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QWidget

#: objectName -> the name announced for it.
ACCESSIBLE_NAMES = {
    "presetCombo": "Pretrained preset",
    "kindFilter": "Layer kind filter",
    "nameFilter": "Filter layers by name",
    "layerTable": "Layer table",
    "blockMetric": "Show: mult-adds or params",
    "blockCostPlot": "Standard versus separable cost per block, chart",
    "blockRatioPlot": "Separable over standard ratio per block, chart",
    "typeTable": "Cost by layer type table",
    "typeSharePlot": "Cost by layer type, chart",
    "accuracyPlot": "Accuracy versus mult-adds, chart",
    "compareSummary": "Compare A and B, summary table",
    "compareBlocks": "Compare A and B per block, table",
    "comparePlot": "Separable mult-adds per block, A and B, chart",
    "paperBrowser": "Paper tables, printed beside computed",
    "cameraCombo": "Camera",
    "engineCombo": "Engine",
    "deviceCombo": "Device",
    "previousImage": "Previous image in the folder",
    "nextImage": "Next image in the folder",
}


def make_accessible(root: QWidget) -> None:
    """Name the controls below ``root``; charts leave the Tab chain; Tab leaves tables."""
    for widget in root.findChildren(QWidget):
        name = ACCESSIBLE_NAMES.get(widget.objectName())
        if name and not widget.accessibleName():
            widget.setAccessibleName(name)
        if isinstance(widget, pg.PlotWidget):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no keys, no visible focus
        elif isinstance(widget, QAbstractItemView) and widget.tabKeyNavigation():
            widget.setTabKeyNavigation(False)  # arrows move between cells, Tab leaves


def put_in_tab_chain_after(anchor: QWidget, page: QWidget) -> None:
    """Move ``page``'s Tab stops right after ``anchor``, in their own order.

    A page built lazily (the Classify panel, on first use) joins the end of the window's
    focus chain: Tab went from the view tabs through the whole sidebar before reaching it,
    where every page built with the window comes before the sidebar.
    """
    stops: list[QWidget] = []
    widget = page.nextInFocusChain()
    while widget is not page and len(stops) < 500:
        if page.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            stops.append(widget)
        widget = widget.nextInFocusChain()
    previous = anchor
    for stop in stops:
        QWidget.setTabOrder(previous, stop)
        previous = stop
