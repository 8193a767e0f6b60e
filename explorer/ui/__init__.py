"""Qt user interface of MobileNet Explorer (PySide6 + pyqtgraph; never TensorFlow at import).

``from explorer.ui import MainWindow, VariantState`` is resolved lazily so that importing a
single submodule (for instance ``explorer.ui.classify_panel``) does not build every view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.ui.main_window import MainWindow
    from explorer.ui.variant_state import VariantState

__all__ = ["MainWindow", "VariantState"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from explorer.ui.main_window import MainWindow

        return MainWindow
    if name == "VariantState":
        from explorer.ui.variant_state import VariantState

        return VariantState
    raise AttributeError(f"module 'explorer.ui' has no attribute {name!r}")
