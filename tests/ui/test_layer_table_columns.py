"""Layer table column widths: value columns show whole numbers for any variant, narrow back
after a big one, scroll when the window is too narrow, and keep widths the user dragged."""

from __future__ import annotations

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from explorer.ui.layer_table import COL_MACS, NARROW_DELAY_MS, VALUE_COLUMNS
from explorer.ui.table_tools import bold_font


def _widths(panel) -> list[int]:
    header = panel.view.horizontalHeader()
    return [header.sectionSize(c) for c in range(header.count())]


def _assert_numbers_whole(panel, qtbot) -> None:
    """Every value column is as wide as its widest layer text (the bold total has its own
    metrics), and the columns fit the view or the view scrolls to them (the view updates its
    scroll bar in a posted event, hence the wait)."""
    view = panel.view
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    bold = QFontMetrics(bold_font(view.font()))
    proxy = panel.proxy
    for column in VALUE_COLUMNS:
        texts = [proxy.index(r, column).data() for r in range(proxy.rowCount())]
        need = max(max(metrics.horizontalAdvance(t) for t in texts[:-1]),
                   bold.horizontalAdvance(texts[-1]))
        assert need + 8 <= header.sectionSize(column), (column, max(texts, key=len))
    last = header.count() - 1
    scroll = view.horizontalScrollBar()

    def fits_or_scrolls() -> bool:
        right = header.sectionPosition(last) + header.sectionSize(last)
        return right <= view.viewport().width() or (scroll.isVisible() and scroll.maximum() > 0)

    qtbot.waitUntil(fits_or_scrolls, timeout=1000)


def test_value_columns_narrow_back_after_a_big_variant(window, qtbot) -> None:
    """At 1366 px, after 4.0-4096 and back to 1.0-224, the table stayed 41 px wider than its
    view and the right-aligned Activations read "15", "40", "80" for 150,528, 401,408..."""
    window.resize(1366, 800)
    QApplication.processEvents()
    panel = window.layer_panel
    fresh = _widths(panel)
    assert sum(fresh) <= panel.view.viewport().width()  # this width fits the default variant

    window.state.set_variant(4.0, 4096)
    _assert_numbers_whole(panel, qtbot)
    wide = _widths(panel)
    assert wide[COL_MACS] > fresh[COL_MACS]

    window.state.set_variant(1.0, 224)
    # Not at once (a held spin box arrow would make the columns jump), never cut meanwhile...
    assert _widths(panel) == wide
    _assert_numbers_whole(panel, qtbot)
    # ...but once the changes rest, the layout is the fresh window's again.
    qtbot.waitUntil(lambda: _widths(panel) == fresh, timeout=NARROW_DELAY_MS + 2000)
    # The scroll bar hides in a posted event (QAbstractScrollArea's queued show-or-hide).
    qtbot.waitUntil(lambda: not panel.view.horizontalScrollBar().isVisible(), timeout=2000)
    _assert_numbers_whole(panel, qtbot)


def test_a_window_too_narrow_for_all_columns_scrolls_to_whole_numbers(window, qtbot) -> None:
    """At the default 1400 px, 4.0-4096 needs more than the view even with the Layer column
    at its minimum: the view scrolls, and scrolled right the last column shows in full."""
    panel = window.layer_panel
    view = panel.view
    window.state.set_variant(4.0, 4096)
    QApplication.processEvents()
    _assert_numbers_whole(panel, qtbot)
    scroll = view.horizontalScrollBar()
    scroll.setValue(scroll.maximum())
    QApplication.processEvents()
    header = view.horizontalHeader()
    last = header.count() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
        view.viewport().width())


def test_a_value_column_the_user_widened_keeps_its_width(window, qtbot) -> None:
    """A MACs column dragged to 200 px went to 139 px at 4.0-4096; it must not narrow back
    below the user's width either."""
    panel = window.layer_panel
    header = panel.view.horizontalHeader()
    header.resizeSection(COL_MACS, 200)  # as a drag does
    window.state.set_variant(4.0, 4096)
    assert header.sectionSize(COL_MACS) == 200
    window.state.set_variant(1.0, 224)
    qtbot.waitUntil(lambda: not panel._narrow_timer.isActive(), timeout=NARROW_DELAY_MS + 3000)
    QApplication.processEvents()
    assert header.sectionSize(COL_MACS) == 200
    _assert_numbers_whole(panel, qtbot)


def test_last_column_fills_a_little_room_not_a_wide_screen(window) -> None:
    """At 2560 px the Activations column stretched to ~1500 px, its right-aligned numbers far
    from their rows; a little spare room is still filled, so no gap shows at 1400 px."""
    view = window.layer_panel.view
    header = view.horizontalHeader()
    last = header.count() - 1
    window.resize(2560, 1440)
    QApplication.processEvents()
    assert header.sectionSize(last) < 150
    assert header.length() < view.viewport().width() - 500
    window.resize(1400, 900)
    QApplication.processEvents()
    assert header.length() == view.viewport().width()
