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
def window(qtbot):
    """A shown MainWindow at the default 1.0-224 variant; closed (and threads stopped) after."""
    from explorer.ui import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
