"""Sliders, spin boxes and presets drive every view (found by their stable object names)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QSlider, QSpinBox, QTableView

from explorer.arch import (
    MobileNetSpec,
    block_costs,
    cost_by_type,
    layer_rows,
    model_totals,
    pretrained_specs,
)
from explorer.ui.controls import (
    alpha_index_count,
    alpha_to_index,
    index_to_alpha,
    index_to_resolution,
    resolution_to_index,
)
from explorer.ui.layer_table import COL_MACS, COL_NAME, COL_PARAMS


def _widgets(window):
    return {
        "alphaSlider": window.findChild(QSlider, "alphaSlider"),
        "alphaSpin": window.findChild(QDoubleSpinBox, "alphaSpin"),
        "resolutionSlider": window.findChild(QSlider, "resolutionSlider"),
        "resolutionSpin": window.findChild(QSpinBox, "resolutionSpin"),
        "presetCombo": window.findChild(QComboBox, "presetCombo"),
        "layerTable": window.findChild(QTableView, "layerTable"),
    }


def _assert_views_show(window, spec: MobileNetSpec) -> None:
    """Every view reflects ``spec``, checked against the cost model."""
    assert window.state.spec == spec
    totals = model_totals(spec)
    model = window.layer_panel.model
    last = model.rowCount() - 1
    assert model.rowCount() == len(layer_rows(spec)) + 1
    assert model.raw_value(last, COL_NAME) == "Total"
    assert model.raw_value(last, COL_PARAMS) == totals.params
    assert model.raw_value(last, COL_MACS) == totals.macs
    assert sum(model.raw_value(r, COL_MACS) for r in range(last)) == totals.macs
    summary = window.summary
    assert summary.text("params").startswith(f"{totals.params:,}")
    assert summary.text("trainable") == f"{totals.trainable_params:,}"
    assert summary.text("non_trainable") == f"{totals.non_trainable_params:,}"
    assert summary.text("macs").startswith(f"{totals.macs:,}")
    assert summary.text("flops").startswith(f"{2 * totals.macs:,}")
    # Charts behind another tab redraw when shown (see while_hidden): look at each.
    window.show_view("blocks")
    bars = window.block_panel.bar_data()
    costs = block_costs(spec)
    assert bars["standard"] == [c.standard_macs for c in costs]
    assert bars["separable"] == [c.separable_macs for c in costs]
    heights = list(window.block_panel.separable_bars.opts["height"])
    assert heights == pytest.approx([c.separable_macs for c in costs])
    shares = cost_by_type(spec)
    window.show_view("types")
    assert [window.type_panel.table.item(r, 1).text() for r in range(4)] == \
        [f"{s.macs:,}" for s in shares]
    window.show_view("compare")
    assert window.compare_view.spec_b == spec
    assert window.compare_view.summary_table.item(1, 2).text() == f"{spec.resolution:,}"
    window.show_view("accuracy")
    assert window.accuracy_panel.current_point()[0] == totals.macs
    window.show_view("layers")


def test_window_builds_with_no_arguments_and_stable_object_names(window) -> None:
    found = _widgets(window)
    assert all(w is not None for w in found.values()), found
    assert window.findChild(QLabel, "weightsIndicator") is not None
    assert window.block_panel.plot_widget.objectName() == "blockCostPlot"
    assert window.summary.objectName() == "summaryPanel"
    alpha = found["alphaSlider"]
    assert index_to_alpha(alpha.minimum()) == 0.10 and index_to_alpha(alpha.maximum()) == 1.50
    res = found["resolutionSlider"]
    assert index_to_resolution(res.minimum()) == 32
    assert index_to_resolution(res.maximum()) == 512
    assert found["presetCombo"].count() == 1 + 16  # "Custom" + the 16 pretrained variants
    _assert_views_show(window, MobileNetSpec(1.0, 224))


def test_slider_grid_is_exact() -> None:
    assert alpha_index_count() == 29
    assert [index_to_alpha(alpha_to_index(a)) for a in (0.25, 0.5, 0.75, 1.0)] == \
        [0.25, 0.5, 0.75, 1.0]
    assert index_to_alpha(alpha_to_index(0.35)) == 0.35
    assert resolution_to_index(128) == 6 and index_to_resolution(6) == 128
    assert resolution_to_index(4000) == 30  # clamped to the slider's end


def test_alpha_slider_updates_every_view(window, qtbot) -> None:
    slider = window.findChild(QSlider, "alphaSlider")
    slider.setValue(alpha_to_index(0.5))
    _assert_views_show(window, MobileNetSpec(0.5, 224))
    assert window.findChild(QDoubleSpinBox, "alphaSpin").value() == pytest.approx(0.5)
    slider.setValue(alpha_to_index(1.3))
    _assert_views_show(window, MobileNetSpec(1.3, 224))


def test_resolution_slider_and_spin(window, qtbot) -> None:
    window.findChild(QSlider, "resolutionSlider").setValue(resolution_to_index(160))
    _assert_views_show(window, MobileNetSpec(1.0, 160))
    spin = window.findChild(QSpinBox, "resolutionSpin")
    assert spin.value() == 160
    spin.setValue(100)  # off the slider's 16 px grid: the spin box accepts any integer
    _assert_views_show(window, MobileNetSpec(1.0, 100))
    # The slider shows the nearest grid position without rounding the variant.
    assert window.findChild(QSlider, "resolutionSlider").value() == resolution_to_index(100)
    assert window.state.spec.resolution == 100
    spin.setValue(1000)
    _assert_views_show(window, MobileNetSpec(1.0, 1000))


def test_alpha_spin_typed_value(window, qtbot) -> None:
    spin = window.findChild(QDoubleSpinBox, "alphaSpin")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.35")
    spin.editingFinished.emit()
    spin.interpretText()
    assert window.state.spec.alpha == pytest.approx(0.35)
    _assert_views_show(window, MobileNetSpec(0.35, 224))
    assert window.findChild(QSlider, "alphaSlider").value() == alpha_to_index(0.35)


def test_preset_menu_and_weights_indicator(window) -> None:
    combo = window.findChild(QComboBox, "presetCombo")
    target = MobileNetSpec(0.75, 192)
    index = window.controls.preset_index(target)
    assert index > 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    _assert_views_show(window, target)
    indicator = window.findChild(QLabel, "weightsIndicator")
    assert indicator.property("level") == "ok"
    window.state.set_variant(0.75, 300)
    assert indicator.property("level") == "partial"
    assert combo.currentIndex() == 0 and "0.75-300" in combo.currentText()
    window.state.set_variant(0.6, 224)
    assert indicator.property("level") == "none"
    assert "0.5" in indicator.text()  # nearest pretrained alpha is named
    assert [combo.itemData(i) for i in range(1, combo.count())] == pretrained_specs()


def test_keyboard_shortcut_actions(window) -> None:
    by_shortcut = {a.shortcut().toString(): a for a in window.actions()}
    by_shortcut["Alt+Down"].trigger()
    assert window.state.spec.alpha == pytest.approx(0.95)
    by_shortcut["Alt+Left"].trigger()
    assert window.state.spec.resolution == 208
    by_shortcut["Ctrl+0"].trigger()
    assert window.state.spec == MobileNetSpec(1.0, 224)
    by_shortcut["Ctrl+2"].trigger()
    assert window.tabs.currentWidget() is window.block_panel
    by_shortcut["Ctrl+L"].trigger()
    assert window.block_panel.log_check.isChecked()
    for key in ("Ctrl+E", "Ctrl+P", "F1", "Ctrl+1", "Ctrl+6"):
        assert key in by_shortcut, key


def test_alt_down_on_a_focused_list_opens_it(window, qtbot) -> None:
    """Alt+Down is how a keyboard user opens a drop-down list; the window's "Narrower"
    shortcut took it and changed the variant instead."""
    window.state.set_variant(0.75, 192)
    window.show_view("layers")
    window.activateWindow()
    combo = window.layer_panel.kind_combo
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    qtbot.keyClick(combo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    try:
        assert window.state.spec == MobileNetSpec(0.75, 192)
        qtbot.waitUntil(combo.view().isVisible, timeout=2000)
    finally:
        combo.hidePopup()
    window.controls.alpha_spin.setFocus()
    qtbot.waitUntil(window.controls.alpha_spin.hasFocus, timeout=2000)
    qtbot.keyClick(window.controls.alpha_spin, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert window.state.spec == MobileNetSpec(0.7, 192)
    # Variant > Narrower clicked in the menu narrows, whatever has the focus (it opened the
    # focused list instead).
    combo.setFocus()
    qtbot.waitUntil(combo.hasFocus, timeout=2000)
    narrower = {a.shortcut().toString(): a for a in window.actions()}["Alt+Down"]
    narrower.trigger()
    assert window.state.spec == MobileNetSpec(0.65, 192)
    assert not combo.view().isVisible()


def test_shortcuts_act_on_a_value_typed_but_not_entered(window, qtbot) -> None:
    """The spin boxes commit on Enter: Ctrl+P after typing 0.5 pinned the old 0.75, and
    Alt+Right after typing 300 stepped from the old resolution."""
    by_shortcut = {a.shortcut().toString(): a for a in window.actions()}
    window.state.set_variant(0.75, 192)
    window.activateWindow()
    spin = window.controls.alpha_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.5")
    assert window.state.spec.alpha == pytest.approx(0.75)  # typed, not entered
    by_shortcut["Ctrl+P"].trigger()
    assert window.state.pinned == MobileNetSpec(0.5, 192)
    spin = window.controls.resolution_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "300")
    by_shortcut["Alt+Right"].trigger()
    assert window.state.spec.resolution == 316


def test_slider_takes_the_position_it_is_drawn_at_off_the_grid(window) -> None:
    """At alpha 4.0 the slider sits at its 1.5 end; End (or a drag ending there) chose that
    position, but the value did not change, so the variant stayed 4.0."""
    from PySide6.QtWidgets import QSlider

    c = window.controls
    window.state.set_variant(4.0, 4096)
    # A step up never lowers the value: Right / PageUp at alpha 4.0 gave the slider's 1.5.
    c.alpha_slider.triggerAction(QSlider.SliderAction.SliderSingleStepAdd)
    c.resolution_slider.triggerAction(QSlider.SliderAction.SliderPageStepAdd)
    assert window.state.spec == MobileNetSpec(4.0, 4096)
    window.state.set_variant(4.0, 230)
    c.alpha_slider.triggerAction(QSlider.SliderAction.SliderToMaximum)
    assert window.state.spec.alpha == pytest.approx(1.5)
    slider = c.resolution_slider
    slider.setSliderDown(True)  # pressed ...
    slider.setSliderDown(False)  # ... and released without moving: no choice made
    assert window.state.spec.resolution == 230
    slider.setSliderDown(True)
    slider.sliderMoved.emit(slider.value())  # dragged away and back to where it is drawn
    slider.setSliderDown(False)
    assert window.state.spec.resolution == 224


def test_custom_preset_entry_goes_back_to_the_current_variant(window) -> None:
    """Picking "Custom" at 1.0-224 left the menu saying "Custom" beside a preset."""
    combo = window.controls.preset_combo
    window.state.set_variant(1.0, 224)
    combo.setCurrentIndex(0)
    combo.activated.emit(0)
    assert combo.currentIndex() == window.controls.preset_index(MobileNetSpec(1.0, 224)) > 0


def test_variant_steps_start_from_the_current_value(window) -> None:
    """Off the sliders' grid (typed 0.33 or 4096) a step used to jump to the grid: 4096 px
    -> 496 px, alpha 4.0 -> 1.45."""
    by_shortcut = {a.shortcut().toString(): a for a in window.actions()}
    window.state.set_variant(0.33, 4096)
    by_shortcut["Alt+Left"].trigger()
    assert window.state.spec.resolution == 4080
    by_shortcut["Alt+Up"].trigger()
    assert window.state.spec.alpha == pytest.approx(0.38)
    window.state.set_variant(4.0, 512)
    by_shortcut["Alt+Down"].trigger()
    assert window.state.spec.alpha == pytest.approx(3.95)
    by_shortcut["Alt+Up"].trigger()
    by_shortcut["Alt+Up"].trigger()
    assert window.state.spec.alpha == pytest.approx(4.0)  # the spin box's maximum
    by_shortcut["Alt+Right"].trigger()
    assert window.state.spec.resolution == 528  # past the slider, as the spin box allows


def test_ui_never_calls_alpha_depth_multiplier(window) -> None:
    texts = []
    for label in window.findChildren(QLabel):
        texts += [label.text(), label.toolTip()]
    for widget in (window.controls.alpha_slider, window.controls.alpha_spin):
        texts += [widget.toolTip(), widget.accessibleName()]
    texts.append(window.paper_view.browser.toPlainText())
    texts.append(window.show_about().text.text())
    joined = "\n".join(texts).lower()
    assert "depth multiplier" not in joined
    assert "width multiplier alpha" in joined
    assert "mult-adds (macs)" in joined
    assert "input resolution" in joined


@pytest.mark.parametrize("typed,expected", [("224.7", 225), ("160.2", 160), ("192", 192),
                                            ("224,7", 225), ("224.5", 225), ("225.5", 226)])
def test_typed_decimal_resolution_rounds(window, qtbot, typed, expected) -> None:
    """Qt's spin box dropped the "." of "224.7" (the "," in a decimal-comma locale) and set
    2247 px; round() sent 224.5 to 224 but 225.5 to 226."""
    from PySide6.QtCore import Qt

    spin = window.controls.resolution_spin
    edit = spin.lineEdit()
    spin.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, typed)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.state.spec.resolution == expected


def test_value_past_a_slider_end_is_written_at_that_end(window) -> None:
    """alpha 4.0 left the handle at 1.5 with nothing saying the value was elsewhere."""
    c = window.controls
    window.state.set_variant(4.0, 4096)
    assert c.alpha_slider.beyond == (1, "4.0") and c.resolution_slider.beyond == (1, "4096")
    assert "past this slider's end" in c.alpha_slider.toolTip()
    window.state.set_variant(0.05, 224)
    assert c.alpha_slider.beyond == (-1, "0.05") and c.resolution_slider.beyond == (0, "")
    window.state.set_variant(1.0, 224)
    assert c.alpha_slider.beyond == (0, "") and c.alpha_slider.toolTip() == ""


def _type_into(qtbot, spin, text: str) -> None:
    """Focus ``spin`` and type ``text`` over its contents (not committed: no Enter)."""
    spin.window().activateWindow()
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus, timeout=2000)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)


def _focus_elsewhere(qtbot, window, spin) -> None:
    window.layer_panel.view.setFocus()
    qtbot.waitUntil(lambda: not spin.hasFocus(), timeout=2000)


@pytest.mark.parametrize("box,typed,shown", [("alpha_spin", "0.3", "1.00"),
                                             ("resolution_spin", "300", "224 px")])
def test_escape_cancels_a_typed_value(window, qtbot, box, typed, shown) -> None:
    """Escape left "0.3" in the box, and leaving the box then made the variant 0.3-224."""
    spin = getattr(window.controls, box)
    _type_into(qtbot, spin, typed)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Escape)
    assert spin.lineEdit().text() == shown
    _focus_elsewhere(qtbot, window, spin)
    assert window.state.spec == MobileNetSpec(1.0, 224)
    assert spin.lineEdit().text() == shown


def test_variant_set_elsewhere_replaces_uncommitted_text(window, qtbot) -> None:
    """show_spec compared value(), which typing does not change: after typing 0.3 (no Enter)
    the Variant menu's 1.0-160 left "0.3" in the box, and leaving the box applied it."""
    c = window.controls
    _type_into(qtbot, c.alpha_spin, "0.3")
    window.state.set_variant(1.0, 160)  # alpha unchanged, so value() already said 1.0
    assert c.alpha_spin.lineEdit().text() == "1.00"
    _focus_elsewhere(qtbot, window, c.alpha_spin)
    assert window.state.spec == MobileNetSpec(1.0, 160)
    _type_into(qtbot, c.resolution_spin, "300")
    window.state.set_variant(0.75, 160)
    assert c.resolution_spin.lineEdit().text() == "160 px"
    _focus_elsewhere(qtbot, window, c.resolution_spin)
    assert window.state.spec == MobileNetSpec(0.75, 160)


@pytest.mark.parametrize("box,typed,shown", [
    ("resolution_spin", "4097", "4097 px"), ("resolution_spin", "5000", "5000 px"),
    ("resolution_spin", "10000", "10000 px"), ("resolution_spin", "4096.5", "4096.5 px"),
    ("alpha_spin", "5", "5"), ("alpha_spin", "4.5", "4.5"), ("alpha_spin", "4.01", "4.01")])
@pytest.mark.parametrize("finish", ["enter", "focus-out"])
def test_typed_value_past_the_maximum_is_refused_with_a_note(window, qtbot, box, typed, shown,
                                                             finish) -> None:
    """Qt dropped the keystroke past the maximum: 4097 px became 409 px (5000 -> 500), alpha
    4.5 became 4.0, all without a word.  The text stays as typed; committing it keeps the
    variant and says why, as for any value the box refuses."""
    spin = getattr(window.controls, box)
    _type_into(qtbot, spin, typed)
    assert spin.lineEdit().text() == shown
    if finish == "enter":
        qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    else:
        _focus_elsewhere(qtbot, window, spin)
    assert window.state.spec == MobileNetSpec(1.0, 224)
    assert spin.lineEdit().text() == ("1.00" if box == "alpha_spin" else "224 px")
    note = window.findChild(QLabel, "typedValueNote")
    qtbot.waitUntil(note.isVisible, timeout=2000)
    assert f"{shown} not taken" in note.text() and "kept" in note.text()
    window.state.set_variant(0.5, 160)  # the note was about the previous variant
    assert note.isHidden()


@pytest.mark.parametrize("point_size", [None, 11.0])
def test_marker_past_the_slider_end_leaves_room_around_it(window, qtbot, point_size) -> None:
    """Alpha 0.05 wrote "◂ 0.05" right into the "0.25" label: it read "0.050.25"."""
    from PySide6.QtGui import QColor, QFont

    slider = window.controls.alpha_slider
    if point_size is not None:
        font = QFont(slider.font())
        font.setPointSizeF(point_size)
        slider.setFont(font)
    window.state.set_variant(0.05, 224)
    image = slider.grab().toImage()
    marker_cols, marker_rows, text_pixels = set(), set(), []
    for y in range(image.height()):
        for x in range(image.width()):
            c = QColor(image.pixel(x, y))
            if c.blue() - c.red() > 60 and c.saturation() > 80:  # the marker's highlight
                marker_cols.add(x)
                marker_rows.add(y)
            elif c.lightness() < 140 and abs(c.blue() - c.red()) < 30:  # dark label text
                text_pixels.append((x, y))
    assert marker_cols, "no marker drawn"
    # Only the marker's text line: tick marks sit above it, the handle and groove further up.
    label_cols = {x for x, y in text_pixels if min(marker_rows) <= y <= max(marker_rows)}
    assert label_cols, "no tick labels drawn"
    # Letters of one word are 1-2 px apart ("0.050.25" had 2 px): ask for two spaces' room.
    gap = slider.fontMetrics().horizontalAdvance("  ")
    close = {x for x in label_cols if min(marker_cols) - gap <= x <= max(marker_cols) + gap}
    assert not close, f"a label touches the marker at x={sorted(close)}"


def test_alpha_box_takes_either_decimal_mark(window, qtbot) -> None:
    """In a decimal-comma locale Qt read "0.3" as 03 (the "." a group separator) and applied
    alpha 3.0 without a note; in English "0,5" likewise became 5."""
    from PySide6.QtCore import QLocale

    spin = window.controls.alpha_spin
    spin.setLocale(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    _type_into(qtbot, spin, "0.3")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert window.state.spec.alpha == pytest.approx(0.3)
    spin.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    _type_into(qtbot, spin, "0,5")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert window.state.spec.alpha == pytest.approx(0.5)
