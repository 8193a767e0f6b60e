"""Look of the window without an application-wide style sheet.

An app-wide Qt style sheet routes every widget through QStyleSheetStyle, which made the layer
table's repaint ~20 % slower (measured: 12.1 vs 9.9 ms per repaint), i.e. a slider step
slower.  So fonts and colours are set through fonts and palettes, and the only style sheet is
on the tab bar, which contains no item views.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QWidget

CAPTION_COLOR = "#57606a"
TEXT_COLOR = "#1f2328"
#: Weights-indicator background / text colours per level.
LEVEL_COLORS = {
    "ok": ("#dff3e0", "#1e5e23"),
    "partial": ("#fff1cc", "#6b4d00"),
    "none": ("#eceff1", "#4a5058"),
}
_TAB_BAR_STYLE = """
QTabBar::tab { padding: 7px %dpx; margin-right: 2px; color: #444;
               border: 1px solid transparent; border-bottom: none; }
QTabBar::tab:selected { color: #1f2328; background: #ffffff; border-color: #d0d4da;
                        border-top: 2px solid #2f78c4; font-weight: bold; }
QTabBar::tab:hover:!selected { background: #e8ebef; }
"""
TAB_BAR_STYLE = _TAB_BAR_STYLE % 16
#: Narrow windows (about 900 px), where even the short titles do not fit with full padding.
TAB_BAR_STYLE_COMPACT = _TAB_BAR_STYLE % 7
#: Segmented Chart / Table buttons: the checked one must read as chosen at a glance (the
#: plain style's checked state is a slightly darker grey).  Plain buttons, no item views.
SEGMENT_BUTTON_STYLE = """
QToolButton { padding: 3px 12px; border: 1px solid #c4c9d0; background: #f6f7f9;
              color: #1f2328; }
QToolButton:checked { background: #2f78c4; border-color: #2f78c4; color: #ffffff;
                      font-weight: bold; }
QToolButton:hover:!checked { background: #e8ebef; }
QToolButton:focus { border: 2px solid #1b4f8a; }
"""
#: Width the compact style saves per tab (padding on both sides).
TAB_COMPACT_SAVING = 2 * (16 - 7)


def _base_point_size() -> float:
    app = QApplication.instance()
    size = app.font().pointSizeF() if isinstance(app, QApplication) else -1.0
    return size if size > 0 else 9.5


def set_role(widget: QWidget, role: str) -> None:
    """Style a label as "section", "headline" or "caption" (also kept as a property)."""
    widget.setProperty("role", role)
    font = QFont(widget.font())
    base = _base_point_size()
    palette = widget.palette()
    if role == "section":
        font.setBold(True)
        font.setPointSizeF(base + 1.5)
    elif role == "headline":
        font.setBold(True)
        font.setPointSizeF(base + 1.0)
    elif role == "caption":
        palette.setColor(QPalette.ColorRole.WindowText, QColor(CAPTION_COLOR))
    widget.setFont(font)
    widget.setPalette(palette)


def set_level(label: QLabel, level: str) -> None:
    """Colour the weights indicator: "ok" (green), "partial" (amber) or "none" (grey)."""
    label.setProperty("level", level)
    background, text = LEVEL_COLORS[level]
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(background))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setContentsMargins(8, 5, 8, 5)


def bold_header(view: QTableView) -> None:
    """Bold column titles, as a header should read."""
    header = view.horizontalHeader()
    font = QFont(header.font())
    font.setBold(True)
    header.setFont(font)
