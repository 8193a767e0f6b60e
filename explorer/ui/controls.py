"""Variant controls: width multiplier alpha and input resolution sliders, spin boxes, presets.

Sliders move on a fixed grid (alpha 0.10..1.50 step 0.05, resolution 32..512 step 16), so they
work on integer grid indices; the spin boxes accept finer values (any resolution >= 32).
Controls only *write* to ``VariantState``; they re-read it on ``spec_changed`` with signals
blocked so that showing a value never writes it back (no feedback loops).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from PySide6.QtCore import QRect, QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QPalette, QValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from explorer.arch.accuracy import published_accuracy
from explorer.arch.spec import (
    RESOLUTION_MAX,
    RESOLUTION_MIN,
    MobileNetSpec,
    format_alpha,
    pretrained_specs,
)
from explorer.ui.theme import set_level, set_role
from explorer.ui.variant_state import VariantState

ALPHA_SLIDER_MIN = 0.10
ALPHA_SLIDER_MAX = 1.50
ALPHA_STEP = 0.05
ALPHA_TICKS = (0.25, 0.5, 0.75, 1.0)
#: Labelled positions under the alpha slider (the ticks plus both ends).
ALPHA_LABELS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5)
RES_SLIDER_MIN = 32
RES_SLIDER_MAX = 512
RES_STEP = 16
RES_TICKS = (128, 160, 192, 224)
#: Only some resolution ticks get a label: four labels 32 px apart would overlap.
RES_LABELS = (32, 128, 224, 512)
#: The alpha spin box goes beyond the slider (the cost model accepts up to 4).
ALPHA_SPIN_MIN = 0.05
ALPHA_SPIN_MAX = 4.0


def window_alpha_problem(alpha: float) -> str | None:
    """Why the window cannot show ``alpha`` in its alpha box, or None.

    The box holds 0.05 to 4.0 with two decimals: 0.04 would show as 0.05 and 0.333 as 0.33,
    each beside a summary of the real value (and the saved variant would be refused on the
    next start).
    """
    if not ALPHA_SPIN_MIN <= alpha <= ALPHA_SPIN_MAX:
        return (f"the window's width multiplier alpha goes from {ALPHA_SPIN_MIN:g} to"
                f" {ALPHA_SPIN_MAX:g}, got {alpha:g}; report and classify take smaller values")
    if round(alpha, 2) != alpha:
        return (f"the window's width multiplier alpha has two decimals, got {alpha:g};"
                f" report and classify take more")
    return None


def alpha_to_index(alpha: float) -> int:
    """Nearest slider grid index for ``alpha`` (clamped to the slider's range)."""
    index = round((alpha - ALPHA_SLIDER_MIN) / ALPHA_STEP)
    return max(0, min(alpha_index_count() - 1, index))


def index_to_alpha(index: int) -> float:
    # round() so 0.1 + 3 * 0.05 is exactly 0.25, the value the pretrained weights use.
    return round(ALPHA_SLIDER_MIN + index * ALPHA_STEP, 2)


def alpha_index_count() -> int:
    return round((ALPHA_SLIDER_MAX - ALPHA_SLIDER_MIN) / ALPHA_STEP) + 1


def resolution_to_index(resolution: int) -> int:
    index = round((resolution - RES_SLIDER_MIN) / RES_STEP)
    return max(0, min(resolution_index_count() - 1, index))


def index_to_resolution(index: int) -> int:
    return RES_SLIDER_MIN + index * RES_STEP


def resolution_index_count() -> int:
    return (RES_SLIDER_MAX - RES_SLIDER_MIN) // RES_STEP + 1


def _tick_list(ticks: Sequence[int], labels: dict[int, str]) -> list[tuple[int, str]]:
    """Tick marks at ``ticks``; labels (with or without a tick) at the keys of ``labels``."""
    indices = sorted(set(ticks) | set(labels))
    return [(i, labels.get(i, "")) for i in indices]


class _TypedValueMixin:
    """What both spin boxes do with typed text (mixed in before the Qt spin box class).

    Escape cancels typing: the text goes back to the committed value (the current variant's),
    where before the typed text stayed and focus-out applied it.  A typed value the box refuses
    (out of range) is reverted by Qt without a word; here ``value_refused`` says so.
    """

    def _typed(self, text: str) -> str:
        return text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        committed = self.prefix() + self.textFromValue(self.value()) + self.suffix()
        if event.key() == Qt.Key.Key_Escape and self.lineEdit().text() != committed:
            self.setValue(self.value())  # rewrites the text and drops the pending commit
            event.accept()
            return
        super().keyPressEvent(event)

    def fixup(self, text: str) -> str:  # Qt override
        # Qt calls fixup only when committing text its validator does not accept; if the
        # text stays unacceptable, Qt reverts to value() (possibly twice per commit: from
        # the line edit and from the box, hence an idempotent note).
        fixed = super().fixup(text)
        typed = self._typed(fixed)
        if typed and self.validate(fixed, len(fixed))[0] != QValidator.State.Acceptable:
            lo, hi = (self.textFromValue(v) for v in (self.minimum(), self.maximum()))
            unit, kept = self.suffix(), self.textFromValue(self.value())
            name = self.accessibleName()
            self.value_refused.emit(f"{name[:1].upper()}{name[1:]} must be {lo}..{hi}{unit}: "
                                    f"{typed}{unit} not taken, kept {kept}{unit}")
        return fixed


class AlphaSpinBox(_TypedValueMixin, QDoubleSpinBox):
    """Alpha with two decimals; a typed value past the maximum is refused with a note.

    Qt rejects the keystroke that takes the text past the maximum, so "4.5" became "4." and
    Enter set 4.0 (and "5" was dropped without a sign); such text is now kept as Intermediate.
    """

    value_refused = Signal(str)

    def _with_locale_point(self, text: str) -> str:
        """"0.3" in a decimal-comma locale (or "0,3" in a decimal-point one) with the locale's
        mark: Qt read the other mark as a group separator, so "0.3" became 3.0 without a note."""
        point = self.locale().decimalPoint()
        other = "." if point == "," else ","
        if point not in text and text.count(other) == 1:
            return text.replace(other, point)
        return text

    def validate(self, text: str, pos: int) -> object:  # Qt override
        text = self._with_locale_point(text)
        state, text, pos = super().validate(text, pos)
        if state == QValidator.State.Invalid:
            point = re.escape(self.locale().decimalPoint())
            typed = self._typed(text)
            if re.fullmatch(rf"[0-9]+(?:{point}[0-9]{{0,{self.decimals()}}})?", typed):
                number = float(typed.replace(self.locale().decimalPoint(), "."))
                if number > self.maximum():
                    state = QValidator.State.Intermediate
        return state, text, pos

    def valueFromText(self, text: str) -> float:  # noqa: N802 - Qt override
        return float(super().valueFromText(self._with_locale_point(text)))


class ResolutionSpinBox(_TypedValueMixin, QSpinBox):
    """Whole pixels, and a typed decimal rounds half up ("224.7" and "224,7" -> 225).

    Qt's spin box silently drops the "." of "224.7" (or the "," in a decimal-comma locale,
    where the alpha box shows "1,00") and reads 2247, a variant ten times larger than meant.
    Likewise it rejects the keystroke that takes the text past the maximum, so "4097" became
    "409" and Enter set 409 px; such text is kept as Intermediate and refused with a note.
    """

    value_refused = Signal(str)

    #: Decimal separators: "." anywhere, "," too (nobody groups thousands in a pixel count).
    _SEPARATORS = (".", ",")

    def _decimal(self, text: str) -> float | None:
        body = text.removesuffix(self.suffix()).strip()
        if not any(sep in body for sep in self._SEPARATORS):
            return None
        try:
            return float(body.replace(",", "."))
        except ValueError:
            return None

    @staticmethod
    def _whole(value: float) -> int:
        return math.floor(value + 0.5)  # round() sends 224.5 to 224 but 225.5 to 226

    def validate(self, text: str, pos: int) -> object:  # Qt override
        value = self._decimal(text)
        if value is not None:
            whole = self._whole(value)
            state = (QValidator.State.Acceptable
                     if self.minimum() <= whole <= self.maximum()
                     else QValidator.State.Intermediate)
            return state, text, pos
        if any(sep in text for sep in self._SEPARATORS):  # "224." on the way to a decimal
            return QValidator.State.Intermediate, text, pos
        typed = self._typed(text)
        if re.fullmatch("[0-9]+", typed) and int(typed) > self.maximum():
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def valueFromText(self, text: str) -> int:  # noqa: N802 - Qt override
        value = self._decimal(text)
        return self._whole(value) if value is not None else super().valueFromText(text)


class TickedSlider(QSlider):
    """Horizontal slider that draws labelled ticks at chosen grid indices.

    QSlider can only place ticks at a regular interval from its minimum, which cannot put
    marks at alpha 0.25/0.5/0.75/1.0 when the range starts at 0.10, so we paint our own.
    """

    _LABEL_HEIGHT = 18

    def __init__(self, ticks: Sequence[tuple[int, str]], parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._ticks = list(ticks)
        self._unlabelled_ends: set[int] = set()
        # A value past one end of the slider: (-1 or +1, its text), drawn in that end's
        # label place; the handle alone, pinned at the end, would say 1.5 for alpha 4.0.
        self._beyond: tuple[int, str] = (0, "")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_beyond(self, side: int, text: str = "") -> None:
        """Mark a value past the minimum (-1) or maximum (+1) end; 0 clears the mark."""
        beyond = (side, text if side else "")
        if beyond != self._beyond:
            self._beyond = beyond
            self.setToolTip(f"{text} is past this slider's end; the box above holds it"
                            if side else "")
            self.update()

    @property
    def beyond(self) -> tuple[int, str]:
        return self._beyond

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        return QSize(hint.width(), hint.height() + self._LABEL_HEIGHT)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().minimumSizeHint()
        return QSize(hint.width(), hint.height() + self._LABEL_HEIGHT)

    def _groove_and_handle(self) -> tuple[QRect, QRect]:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                      QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, opt,
                                      QStyle.SubControl.SC_SliderHandle, self)
        return groove, handle

    def tick_x(self, index: int) -> int:
        """Pixel x of the handle centre when the slider is at ``index``."""
        groove, handle = self._groove_and_handle()
        span = max(1, groove.width() - handle.width())
        pos = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), index, span)
        return groove.x() + pos + handle.width() // 2

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        # Draw the groove in the upper part and our ticks + labels underneath.
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        font = painter.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        groove, _handle = self._groove_and_handle()
        top = groove.bottom() + 3
        # 3 px between a tick's end and its label's top: at 1 px they touched ("0.1" read
        # as "0.1" with a stroke through its top).
        baseline = top + 6 + metrics.ascent()
        side, beyond_text = self._beyond
        end = self.maximum() if side > 0 else self.minimum()
        marker = (0, 0)  # left and right x of the marker text, if any
        if side:
            marker_text = f"{beyond_text} \u25b8" if side > 0 else f"\u25c2 {beyond_text}"
            marker = self._label_span(metrics.horizontalAdvance(marker_text), end)
        gap = metrics.horizontalAdvance(" ")
        for index, text in self._ticks:
            x = self.tick_x(index)
            if text != "" or index not in self._unlabelled_ends:
                painter.drawLine(x, top, x, top + 3)
            if side and index == end:
                continue  # that end's label gives way to the value past it
            if not text:
                continue
            left, right = self._label_span(metrics.horizontalAdvance(text), index)
            if side and left < marker[1] + gap and right + gap > marker[0]:
                continue  # so is a neighbour the marker runs into ("0.050.25")
            painter.drawText(left, baseline, text)
        if side:
            painter.setPen(self.palette().color(QPalette.ColorRole.Highlight))
            painter.drawText(marker[0], baseline, marker_text)
        painter.end()

    def _label_span(self, width: int, index: int) -> tuple[int, int]:
        """Left and right x of a label ``width`` wide centred under ``index``, kept inside."""
        left = max(0, min(self.width() - width, self.tick_x(index) - width // 2))
        return left, left + width


def _show_in_box(spin: QSpinBox | QDoubleSpinBox, value: float) -> None:
    """Show ``value`` in ``spin`` unless it already does (a needless setValue moves the cursor).

    Both the text and value() count: typed text not yet committed leaves value() as it was,
    and a variant set elsewhere (Variant menu, a preset) must replace that text.
    """
    shown = spin.textFromValue(value)
    if spin.cleanText() != shown or spin.textFromValue(spin.value()) != shown:
        spin.setValue(value)


class VariantControls(QWidget):
    """Sliders, spin boxes, the preset menu and the pretrained-weights indicator."""

    def __init__(self, state: VariantState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("variantControls")
        self._state = state

        self.alpha_slider = TickedSlider(
            _tick_list([alpha_to_index(a) for a in ALPHA_TICKS],
                       {alpha_to_index(a): format_alpha(a) for a in ALPHA_LABELS}), self)
        self.alpha_slider.setObjectName("alphaSlider")
        self.alpha_slider.setRange(0, alpha_index_count() - 1)
        self.alpha_slider.setSingleStep(1)
        self.alpha_slider.setPageStep(5)
        self.alpha_slider.setToolTip("Width multiplier alpha: scales every layer's channels "
                                     "(int(filters x alpha)); mult-adds and params ~ alpha^2")
        self.alpha_slider.setAccessibleName("width multiplier alpha")

        self.alpha_spin = AlphaSpinBox(self)
        self.alpha_spin.setObjectName("alphaSpin")
        self.alpha_spin.setDecimals(2)
        self.alpha_spin.setRange(ALPHA_SPIN_MIN, ALPHA_SPIN_MAX)
        self.alpha_spin.setSingleStep(ALPHA_STEP)
        self.alpha_spin.setKeyboardTracking(False)  # update when typing is done, not per digit
        self.alpha_spin.setToolTip("Width multiplier alpha (type any value in 0.05..4)")
        self.alpha_spin.setAccessibleName("width multiplier alpha")
        self.alpha_spin.setMinimumWidth(90)

        self.resolution_slider = TickedSlider(
            _tick_list([resolution_to_index(r) for r in RES_TICKS],
                       {resolution_to_index(r): str(r) for r in RES_LABELS}), self)
        self.resolution_slider.setObjectName("resolutionSlider")
        self.resolution_slider.setRange(0, resolution_index_count() - 1)
        self.resolution_slider.setSingleStep(1)
        self.resolution_slider.setPageStep(2)
        self.resolution_slider.setToolTip("Input resolution in pixels (the paper's rho x 224): "
                                          "mult-adds ~ resolution^2, params unchanged")
        self.resolution_slider.setAccessibleName("input resolution")

        self.resolution_spin = ResolutionSpinBox(self)
        self.resolution_spin.setObjectName("resolutionSpin")
        self.resolution_spin.setRange(RESOLUTION_MIN, RESOLUTION_MAX)
        self.resolution_spin.setSingleStep(RES_STEP)
        self.resolution_spin.setSuffix(" px")
        self.resolution_spin.setKeyboardTracking(False)
        self.resolution_spin.setToolTip(f"Input resolution: any integer {RESOLUTION_MIN}.."
                                        f"{RESOLUTION_MAX}")
        self.resolution_spin.setAccessibleName("input resolution")
        self.resolution_spin.setMinimumWidth(90)

        # Says why a typed value was not taken (Qt reverts it silently); hidden otherwise.
        self.input_note = QLabel(self)
        self.input_note.setObjectName("typedValueNote")
        self.input_note.setWordWrap(True)
        set_level(self.input_note, "partial")
        self.input_note.hide()

        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("presetCombo")
        self.preset_combo.setToolTip("The 16 variants with published ImageNet weights")
        self.preset_combo.addItem("Custom", None)
        self._presets = pretrained_specs()
        for spec in self._presets:
            acc = published_accuracy(spec)
            top1 = f"  ({acc.top1_float:.1f} % top-1)" if acc else ""
            self.preset_combo.addItem(f"MobileNet {spec.label}{top1}", spec)

        self.weights_label = QLabel(self)
        self.weights_label.setObjectName("weightsIndicator")
        self.weights_label.setWordWrap(True)
        # Room for two lines, always: a text that wraps differently must not resize the label,
        # or every slider step relayouts (and repaints) the whole window.
        self.weights_label.setFixedHeight(2 * self.weights_label.fontMetrics().lineSpacing() + 14)
        self.weights_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        alpha_caption = QLabel("Width multiplier alpha", self)
        alpha_caption.setBuddy(self.alpha_spin)
        res_caption = QLabel("Input resolution", self)
        res_caption.setBuddy(self.resolution_spin)
        preset_caption = QLabel("Pretrained preset", self)
        preset_caption.setBuddy(self.preset_combo)
        for caption in (alpha_caption, res_caption, preset_caption):
            set_role(caption, "caption")
        # Caption and spin box on one row, the slider full width below: a wide slider
        # keeps one step at several pixels and the tick labels apart.
        grid.addWidget(alpha_caption, 0, 0)
        grid.addWidget(self.alpha_spin, 0, 1)
        grid.addWidget(self.alpha_slider, 1, 0, 1, 2)
        grid.addWidget(res_caption, 2, 0)
        grid.addWidget(self.resolution_spin, 2, 1)
        grid.addWidget(self.resolution_slider, 3, 0, 1, 2)
        grid.addWidget(self.input_note, 4, 0, 1, 2)
        grid.addWidget(preset_caption, 5, 0, 1, 2)
        grid.addWidget(self.preset_combo, 6, 0, 1, 2)
        grid.addWidget(self.weights_label, 7, 0, 1, 2)
        grid.setColumnStretch(0, 1)

        self.alpha_slider.valueChanged.connect(self._on_alpha_slider)
        self.alpha_spin.valueChanged.connect(self._on_alpha_spin)
        self.resolution_slider.valueChanged.connect(self._on_resolution_slider)
        self.resolution_spin.valueChanged.connect(self._on_resolution_spin)
        self.preset_combo.activated.connect(self._on_preset)
        for spin in (self.alpha_spin, self.resolution_spin):
            spin.value_refused.connect(self._show_input_note)
            spin.lineEdit().textEdited.connect(self.input_note.hide)  # typing again
        # Off the grid (alpha 4.0 typed, 230 px) a slider is drawn at the nearest position,
        # and choosing exactly that position (End, a drag ending there) changes no value, so
        # valueChanged stays silent: these take the position the user chose.
        self._dragged = False
        for slider in (self.alpha_slider, self.resolution_slider):
            slider.actionTriggered.connect(self._on_slider_action)
            slider.sliderPressed.connect(self._on_slider_pressed)
            slider.sliderMoved.connect(self._on_slider_moved)
            slider.sliderReleased.connect(self._on_slider_released)
        state.spec_changed.connect(self.show_spec)
        # Tab follows the screen: each spin box sits on its label's row, above its slider.
        order = (self.alpha_spin, self.alpha_slider, self.resolution_spin,
                 self.resolution_slider, self.preset_combo)
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        self.show_spec(state.spec)

    # --- writing to the state -------------------------------------------------------------
    @Slot(int)
    def _on_alpha_slider(self, index: int) -> None:
        self._state.set_alpha(index_to_alpha(index))

    @Slot(float)
    def _on_alpha_spin(self, value: float) -> None:
        # Spin boxes hold 2 decimals; skip the write-back when it only rounds the state's
        # alpha (e.g. 0.333 shown as 0.33), so showing a value never changes the variant.
        if round(self._state.spec.alpha, 2) != round(value, 2):
            self._state.set_alpha(round(value, 2))

    def _take_position(self, slider: QSlider, direction: int = 0) -> None:
        """Make the variant what ``slider``'s position says, if it says something else; with
        a ``direction`` (+1 an increasing key, -1 a decreasing one) only that way: Right at
        alpha 4.0 must not drop to the slider's 1.5."""
        position = slider.sliderPosition()
        if slider is self.alpha_slider:
            current, wanted = round(self._state.spec.alpha, 2), index_to_alpha(position)
        else:
            current, wanted = self._state.spec.resolution, index_to_resolution(position)
        if wanted == current or direction * (wanted - current) < 0:
            return
        if slider is self.alpha_slider:
            self._state.set_alpha(wanted)
        else:
            self._state.set_resolution(int(wanted))

    @Slot(int)
    def _on_slider_action(self, action: int) -> None:
        # Emitted with the position already moved, before valueChanged (if any).
        A = QSlider.SliderAction
        if action == A.SliderMove.value:
            return  # drags: see _on_slider_released
        # Steps are relative: a step up never lowers the value.  Home / End go to the
        # slider's end whatever the value (alpha 4.0: End is the slider's 1.5).
        up = (A.SliderSingleStepAdd.value, A.SliderPageStepAdd.value)
        down = (A.SliderSingleStepSub.value, A.SliderPageStepSub.value)
        direction = 1 if action in up else -1 if action in down else 0
        slider = self.sender()
        if isinstance(slider, QSlider):
            self._take_position(slider, direction)

    @Slot()
    def _on_slider_pressed(self) -> None:
        self._dragged = False

    @Slot(int)
    def _on_slider_moved(self, _position: int) -> None:
        self._dragged = True

    @Slot()
    def _on_slider_released(self) -> None:
        slider = self.sender()
        if self._dragged and isinstance(slider, QSlider):  # a click on the handle is no choice
            self._take_position(slider)

    @Slot(int)
    def _on_resolution_slider(self, index: int) -> None:
        self._state.set_resolution(index_to_resolution(index))

    @Slot(int)
    def _on_resolution_spin(self, value: int) -> None:
        self._state.set_resolution(value)

    @Slot(str)
    def _show_input_note(self, text: str) -> None:
        self.input_note.setText(text)
        self.input_note.show()

    @Slot(int)
    def _on_preset(self, index: int) -> None:
        spec = self.preset_combo.itemData(index)
        if isinstance(spec, MobileNetSpec):
            self._state.set_variant(spec.alpha, spec.resolution)
        else:
            # "Custom" picked while a preset is current: nothing to change, so the menu goes
            # back to naming the variant shown (it said "Custom" beside a published one).
            self.show_spec(self._state.spec)

    def preset_index(self, spec: MobileNetSpec) -> int:
        """Index of ``spec`` in the preset menu, or -1 (0 is the "Custom" entry)."""
        return self._presets.index(spec) + 1 if spec in self._presets else -1

    def step_alpha(self, steps: int) -> None:
        """Alt+Up/Down: alpha +/- 0.05 per step from the current value, within the spin box's
        range.  (Through the slider, alpha 4.0 or 0.33 jumped to the slider's grid: 1.45.)"""
        alpha = round(self._state.spec.alpha + ALPHA_STEP * steps, 2)
        self.alpha_spin.setValue(min(max(alpha, ALPHA_SPIN_MIN), ALPHA_SPIN_MAX))

    def step_resolution(self, steps: int) -> None:
        """Alt+Right/Left: +/- 16 px per step from the current resolution (4096 -> 4080)."""
        resolution = self._state.spec.resolution + RES_STEP * steps
        self.resolution_spin.setValue(min(max(resolution, RESOLUTION_MIN), RESOLUTION_MAX))

    # --- reading from the state ----------------------------------------------------------
    @Slot(object)
    def show_spec(self, spec: MobileNetSpec) -> None:
        """Reflect ``spec`` in every control without writing back."""
        widgets = (self.alpha_slider, self.alpha_spin, self.resolution_slider,
                   self.resolution_spin, self.preset_combo)
        for w in widgets:
            w.blockSignals(True)
        try:
            # Never move a slider the user is dragging: Qt would fight the mouse.
            if not self.alpha_slider.isSliderDown():
                self.alpha_slider.setValue(alpha_to_index(spec.alpha))
            _show_in_box(self.alpha_spin, spec.alpha)
            if not self.resolution_slider.isSliderDown():
                self.resolution_slider.setValue(resolution_to_index(spec.resolution))
            _show_in_box(self.resolution_spin, spec.resolution)
            self.alpha_slider.set_beyond(
                1 if spec.alpha > ALPHA_SLIDER_MAX else -1 if spec.alpha < ALPHA_SLIDER_MIN
                else 0, format_alpha(spec.alpha))
            self.resolution_slider.set_beyond(1 if spec.resolution > RES_SLIDER_MAX else 0,
                                              str(spec.resolution))
            preset = self._presets.index(spec) + 1 if spec in self._presets else 0
            self.preset_combo.setItemText(
                0, "Custom" if preset else f"Custom: MobileNet {spec.label}")
            self.preset_combo.setCurrentIndex(preset)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.input_note.hide()  # it was about the variant before this one
        self._show_weights(spec)

    def _show_weights(self, spec: MobileNetSpec) -> None:
        if spec.is_pretrained:
            text, level = "ImageNet weights published for this variant", "ok"
        elif spec.has_pretrained_alpha:
            text = (f"Pretrained weights for alpha {format_alpha(spec.alpha)} (trained at "
                    f"128-224 px; they load at {spec.resolution} px)")
            level = "partial"
        else:
            text = ("No pretrained weights for this alpha (nearest: "
                    f"{format_alpha(spec.nearest_pretrained_alpha())})")
            level = "none"
        self.weights_label.setText(text)
        if self.weights_label.property("level") != level:
            set_level(self.weights_label, level)
