"""The one piece of shared UI state: the MobileNet variant the user is looking at.

Data flows one way: controls write a new ``MobileNetSpec`` here, every view subscribes to
``spec_changed`` and redraws from the pure cost model.  Views never talk to each other.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from explorer.arch.spec import MobileNetSpec


class VariantState(QObject):
    """Holds the current ``MobileNetSpec`` and the variant pinned for comparison.

    Signals:
        spec_changed(MobileNetSpec): emitted synchronously after the current spec changed
            (never for a no-op update), on the GUI thread.
        pinned_changed(object): the pinned spec (``MobileNetSpec``) or ``None`` after unpinning.
    """

    spec_changed = Signal(object)
    pinned_changed = Signal(object)

    def __init__(self, spec: MobileNetSpec | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._spec = spec if spec is not None else MobileNetSpec()
        self._pinned: MobileNetSpec | None = None

    @property
    def spec(self) -> MobileNetSpec:
        """The current variant (frozen, so views may keep a reference)."""
        return self._spec

    @property
    def pinned(self) -> MobileNetSpec | None:
        """The variant pinned as "A" in the Compare view, if any."""
        return self._pinned

    def set_spec(self, spec: MobileNetSpec) -> bool:
        """Make ``spec`` current; returns True when it differed and views were told."""
        if spec == self._spec:
            return False
        self._spec = spec
        self.spec_changed.emit(spec)
        return True

    def set_alpha(self, alpha: float) -> bool:
        """Change only the width multiplier alpha (raises ValueError when invalid)."""
        s = self._spec
        return self.set_spec(MobileNetSpec(alpha, s.resolution, s.classes, s.include_top, s.body))

    def set_resolution(self, resolution: int) -> bool:
        """Change only the input resolution (raises ValueError when invalid)."""
        s = self._spec
        return self.set_spec(
            MobileNetSpec(s.alpha, int(resolution), s.classes, s.include_top, s.body)
        )

    def set_variant(self, alpha: float, resolution: int) -> bool:
        """Change alpha and resolution in one step (one ``spec_changed``, not two)."""
        s = self._spec
        return self.set_spec(MobileNetSpec(alpha, int(resolution), s.classes, s.include_top,
                                           s.body))

    def pin(self, spec: MobileNetSpec | None = None) -> None:
        """Pin ``spec`` (default: the current one) as the Compare view's "A"."""
        self._pinned = spec if spec is not None else self._spec
        self.pinned_changed.emit(self._pinned)

    def unpin(self) -> None:
        self._pinned = None
        self.pinned_changed.emit(None)
