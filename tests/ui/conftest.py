"""Fixtures for the window tests: a fresh MainWindow per test, settings isolated by the root
conftest (MOBILENET_EXPLORER_SETTINGS points at a per-test ini file)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _app_look(qapp) -> None:
    """The style, palette and font the app itself sets (Fusion, 9.5 pt at least): layout
    tests must measure what users see, not Qt's bare defaults."""
    from explorer.ui.app import configure_application

    configure_application(qapp)


@pytest.fixture
def show_widget(qtbot):
    """``show_widget(widget, width, height)``: the widget registered with qtbot (closed after
    the test), resized, shown and exposed; returns it."""

    def show(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show


@pytest.fixture
def window(show_widget):
    """A shown MainWindow at the default 1.0-224 variant; closed (and threads stopped) after."""
    from explorer.ui import MainWindow

    win = show_widget(MainWindow(), 1400, 900)
    yield win
    win.close()
