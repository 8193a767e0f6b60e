"""Window behaviour: settings restore, About, Classify slot, shutdown, no TensorFlow at start."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QThread
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QScrollArea, QWidget

from explorer.arch import MobileNetSpec
from explorer.threads import register_thread, running_threads
from explorer.ui import MainWindow, VariantState
from explorer.ui.main_window import VIEW_NAMES


def test_settings_restore_variant_geometry_tab(qtbot) -> None:
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    first = MainWindow()
    qtbot.addWidget(first)
    first.resize(900, 610)
    first.show()
    first.state.set_variant(0.75, 192)
    first.show_view("accuracy")
    first.block_panel.set_log_scale(True)
    saved_size = first.size()
    first.close()
    assert ini.exists()
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("variant/alpha") is not None

    second = MainWindow()
    qtbot.addWidget(second)
    assert second.state.spec == MobileNetSpec(0.75, 192)
    assert second.controls.alpha_spin.value() == pytest.approx(0.75)
    assert second.layer_panel.model.spec == MobileNetSpec(0.75, 192)
    assert second.tabs.currentWidget() is second.accuracy_panel
    assert second.block_panel.log_check.isChecked()
    # Only the height is checked: the offscreen screen is 800 px wide, narrower than the
    # window's minimum width, so Qt clamps the restored width differently.
    assert second.size().height() == saved_size.height() == 610
    second.close()


def test_corrupt_settings_fall_back_to_defaults(qtbot) -> None:
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    ini.write_text("[variant]\nalpha=abc\nresolution=7\n[window]\ntab=99\ngeometry=junk\n")
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.state.spec == MobileNetSpec()
    assert win.tabs.currentIndex() == 0


@pytest.mark.parametrize("alpha", ["0.04", "4.5", "0.333"])
def test_saved_alpha_the_spin_box_cannot_show_falls_back(qtbot, alpha) -> None:
    """alpha 0.04 (a valid model) came back with the box showing 0.05 beside it."""
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    ini.write_text(f"[variant]\nalpha={alpha}\nresolution=160\n")
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.state.spec == MobileNetSpec()
    assert win.controls.alpha_spin.value() == pytest.approx(win.state.spec.alpha)


def test_truncated_saved_geometry_opens_at_the_default_size(qtbot) -> None:
    """Qt "restored" a cut-short geometry blob as a 1x1 window, shown at the minimum size."""
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    ini.write_text("[window]\ngeometry=@ByteArray(\\x1\\xd9\\xd0\\xcb\\0\\x3)\n")
    win = MainWindow()
    qtbot.addWidget(win)
    assert (win.width(), win.height()) == (1400, 900)


def test_never_reopens_on_classify_tab(qtbot) -> None:
    ini = Path(os.environ["MOBILENET_EXPLORER_SETTINGS"])
    ini.write_text(f"[window]\ntab={VIEW_NAMES.index('classify')}\n")
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.tabs.currentIndex() == 0


def test_about_names_paper_and_formulas(window) -> None:
    dialog = window.show_about()
    assert dialog.isVisible()
    text = dialog.text.text()
    assert "1704.04861" in text and "MobileNets" in text and "Howard" in text
    assert "1/N + 1/D" in text
    dialog.close()


def test_status_bar_shows_variant_and_update_time(window) -> None:
    window.state.set_variant(0.5, 128)
    status = window.findChild(QLabel, "statusVariant").text()
    assert "MobileNet 0.5-128" in status and "mult-adds (MACs)" in status
    assert "updated in" in status
    assert window.last_update_ms > 0


class _FakeClassifyPanel(QWidget):
    instances: list[_FakeClassifyPanel] = []

    def __init__(self, variant_state, parent=None, **options) -> None:
        super().__init__(parent)
        self.variant_state = variant_state
        self.options = options
        self.shut_down = False
        _FakeClassifyPanel.instances.append(self)

    def shutdown(self) -> None:
        self.shut_down = True


def test_classify_tab_builds_lazily_with_shared_state(qtbot, monkeypatch) -> None:
    fake = types.ModuleType("explorer.ui.classify_panel")
    fake.ClassifyPanel = _FakeClassifyPanel
    monkeypatch.setitem(sys.modules, "explorer.ui.classify_panel", fake)
    _FakeClassifyPanel.instances.clear()
    win = MainWindow(weights_path=Path("w.h5"))
    qtbot.addWidget(win)
    assert _FakeClassifyPanel.instances == []  # nothing built until the tab is opened
    assert win.weights_path == Path("w.h5") and win.weights_dir is None
    win.show_view("classify")
    (panel,) = _FakeClassifyPanel.instances
    assert panel.variant_state is win.state
    assert win.views["classify"] is panel and panel.window() is win
    win.close()
    assert panel.shut_down


def test_classify_tab_without_module_says_so(window, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "explorer.ui.classify_panel", None)
    window.show_view("classify")
    assert window.classify_panel() is None
    assert "not available" in window.classify_error
    assert window._classify_message.text() == window.classify_error
    window.state.set_variant(0.5, 160)  # the rest of the window keeps working
    assert window.summary.text("variant") == "MobileNet 0.5-160"


def test_close_stops_registered_threads_within_two_seconds(qtbot) -> None:
    win = MainWindow()
    qtbot.addWidget(win)
    thread = register_thread(QThread())
    thread.setObjectName("test-worker")
    thread.start()
    qtbot.waitUntil(thread.isRunning, timeout=2000)
    win.show()
    visible_while_stopping = []
    thread.finished.connect(lambda: visible_while_stopping.append(win.isVisible()),
                            Qt.ConnectionType.DirectConnection)
    start = time.perf_counter()
    win.close()
    assert time.perf_counter() - start < 2.0
    assert visible_while_stopping == [False]  # hidden first, then the threads are waited for
    assert "test-worker" not in running_threads()
    assert thread.isFinished()


def test_variant_state_emits_once_per_change(qtbot) -> None:
    state = VariantState()
    seen = []
    state.spec_changed.connect(seen.append)
    assert state.set_variant(1.0, 224) is False  # no-op: no signal
    assert state.set_variant(0.5, 160) is True
    assert seen == [MobileNetSpec(0.5, 160)]
    with pytest.raises(ValueError, match="input resolution"):
        state.set_resolution(31)
    assert state.spec == MobileNetSpec(0.5, 160)


def test_window_appears_without_tensorflow() -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from explorer.ui import MainWindow\n"
        "w = MainWindow(restore_settings=False); w.show(); app.processEvents()\n"
        "w.show_view('blocks'); app.processEvents()\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)\n"
        "w.close()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_file_load_weights_refuses_bad_files_and_keeps_running(window, tmp_path,
                                                               fixtures_dir) -> None:
    """File > Load weights... goes through the Classify panel's checks; bad files are refused
    with a message that names the problem, and the window stays usable."""
    not_hdf5 = tmp_path / "weights.h5"
    not_hdf5.write_bytes(b"this is not HDF5")
    assert window.load_weights(not_hdf5) is False
    panel = window.classify_panel()
    assert panel is not None and window.tabs.currentWidget() is not None
    assert "not an HDF5 file" in panel.last_error
    wrong_alpha = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"
    assert window.load_weights(wrong_alpha) is False  # the window is at alpha 1.0
    assert "alpha 0.50" in panel.last_error and "alpha 1.0" in panel.last_error
    window.state.set_variant(0.75, 192)
    assert window.state.spec.label == "0.75-192"


def test_ctrl_o_opens_the_weights_dialog(window, qtbot, tmp_path, monkeypatch) -> None:
    """Ctrl+O and File > Load weights... opened no dialog: Qt passed the action's ``checked``
    (False) as the path, and Path(False) raised a TypeError on stderr."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog

    not_hdf5 = tmp_path / "weights.h5"
    not_hdf5.write_bytes(b"this is not HDF5")
    asked: list[str] = []

    def fake_dialog(parent, title, folder, filters):
        asked.append(title)
        return str(not_hdf5), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    window.show()
    qtbot.waitExposed(window)
    QTest.keyClick(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["Load Keras weights"]
    panel = window.classify_panel()
    assert panel is not None and "not an HDF5 file" in panel.last_error
    load = next(a for a in window.findChildren(QAction) if a.text() == "&Load weights...")
    load.trigger()  # from the menu
    assert asked == ["Load Keras weights"] * 2


@pytest.mark.parametrize("platform", [None, "xcb"])
def test_gui_without_display_says_so_in_one_line(platform) -> None:
    """Also with QT_QPA_PLATFORM=xcb set explicitly (Qt aborted with its plugin message)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    if platform:
        env["QT_QPA_PLATFORM"] = platform
    result = subprocess.run([sys.executable, "main.py"], cwd=Path(__file__).resolve().parents[2],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no display found" in result.stderr


@pytest.mark.parametrize("env, xcb", [
    ({"DISPLAY": ":0"}, True),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, False),
    ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "x11"}, True),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "xcb"}, True),
    ({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, False),
])
def test_which_sessions_load_the_xcb_plugin(env, xcb) -> None:
    from explorer.ui.app import uses_xcb

    assert uses_xcb(env) is xcb


def test_missing_xcb_libraries_are_named_by_package(monkeypatch) -> None:
    """Qt aborted with a core dump, naming libxcb-cursor0 whatever was missing."""
    from explorer.cli import UsageError
    from explorer.ui import app

    def load(name: str) -> None:
        if name in ("libxcb-icccm.so.4", "libxcb-keysyms.so.1"):
            raise OSError(f"{name}: cannot open shared object file")

    assert app.missing_xcb_packages(load) == ["libxcb-icccm4", "libxcb-keysyms1"]
    monkeypatch.setattr(app, "missing_xcb_packages", lambda: ["libxcb-icccm4"])
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    with pytest.raises(UsageError, match="apt-get install -y libxcb-icccm4$"):
        app.check_xcb_libraries()
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    app.check_xcb_libraries()  # offscreen needs none of them


def test_slider_step_repaints_only_what_changed(window, qtbot) -> None:
    """A slider step must not repaint the whole view (QTabWidget's relayout did: 3-4 ms)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QSlider, QTabBar

    tabs = window.findChild(QWidget, "viewTabs")
    slider = window.findChild(QSlider, "resolutionSlider")
    bar = tabs.findChild(QTabBar)
    name_filter = window.findChild(QWidget, "nameFilter")
    QApplication.processEvents()

    class Painted(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.widgets: set[str] = set()

        def eventFilter(self, obj, event) -> bool:  # noqa: N802
            if event.type() == QEvent.Type.Paint:
                self.widgets.add(obj.objectName())
            return False

    painted = Painted()
    bar.installEventFilter(painted)
    name_filter.installEventFilter(painted)
    table = window.findChild(QWidget, "layerTable")
    table.viewport().setObjectName("tableViewport")
    table.viewport().installEventFilter(painted)
    skipped = tabs.skipped_layout_requests
    for _ in range(3):
        slider.setValue(slider.value() + 1)
        QApplication.processEvents()
    assert painted.widgets == {"tableViewport"}  # new numbers; tab bar and filters untouched
    assert tabs.skipped_layout_requests > skipped
    # A real geometry change still lays the tabs out: the page follows the window.
    page = tabs.currentWidget()
    before = page.width()
    window.resize(1100, 800)
    qtbot.waitUntil(lambda: page.width() < before, timeout=2000)
    assert abs(page.width() - tabs.width()) < 40


def test_narrow_window_shortens_tab_titles_instead_of_hiding_tabs(window, qtbot) -> None:
    from PySide6.QtGui import QFont, QFontMetrics

    from explorer.ui.main_window import VIEW_SHORT_TITLES, VIEW_TITLES
    from explorer.ui.theme import TAB_BAR_STYLE, TAB_BAR_STYLE_COMPACT

    bar = window.tabs.tabBar()
    full = [VIEW_TITLES[n] for n in VIEW_NAMES]
    assert [bar.tabText(i) for i in range(bar.count())] == full  # 1400 px: full titles
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: bar.tabText(1) == VIEW_SHORT_TITLES["blocks"], timeout=2000)
    assert [bar.tabText(i) for i in range(bar.count())] == \
        [VIEW_SHORT_TITLES[n] for n in VIEW_NAMES]
    last = bar.tabRect(bar.count() - 1)
    assert last.right() <= bar.width()  # every tab visible, no scroll arrows
    assert bar.tabToolTip(1).startswith("Standard vs separable")
    # ~900 px: the short titles with full padding were elided ("La...", "Cla..."); the tabs
    # then get narrower padding and every short title shows whole.
    window.resize(900, 700)
    qtbot.waitUntil(lambda: bar.styleSheet() == TAB_BAR_STYLE_COMPACT, timeout=2000)
    QApplication.processEvents()
    bold = QFont(bar.font())
    bold.setBold(True)  # the selected tab's title is bold
    for i in range(bar.count()):
        text = bar.tabText(i)
        assert text == VIEW_SHORT_TITLES[VIEW_NAMES[i]]
        assert QFontMetrics(bold).horizontalAdvance(text) <= bar.tabRect(i).width(), text
    assert bar.tabRect(bar.count() - 1).right() <= bar.width()
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: bar.tabText(1) == VIEW_TITLES["blocks"], timeout=2000)
    assert bar.styleSheet() == TAB_BAR_STYLE


def test_classify_panel_failing_to_start_leaves_no_thread(window, monkeypatch) -> None:
    """A panel that raises while building its widgets is reported in the tab, and its worker
    thread is stopped (a running QThread would abort the process at exit)."""
    from explorer.ui import classify_panel

    def broken(self):
        raise RuntimeError("widgets exploded")

    monkeypatch.setattr(classify_panel.ClassifyPanel, "_build_ui", broken)
    assert window.classify_panel() is None
    assert "failed to start: widgets exploded" in window.classify_error
    assert not [n for n in running_threads() if "Classify" in n]


def test_ctrl_l_toggles_the_chart_in_front_and_both_are_remembered(qtbot) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.show_view("compare")
    first.toggle_log_scale()
    assert first.compare_view.log_check.isChecked()
    assert not first.block_panel.log_check.isChecked()
    first.show_view("layers")
    first.toggle_log_scale()  # no chart in front: nothing hidden changes, a hint says why
    assert not first.block_panel.log_check.isChecked()
    assert "applies to the Standard vs separable and Compare" in \
        first.statusBar().currentMessage()
    first.show_view("blocks")
    first.toggle_log_scale()
    assert first.block_panel.log_check.isChecked()
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    assert second.compare_view.log_check.isChecked()
    assert second.block_panel.log_check.isChecked()
    second.close()


def test_keyboard_order_menus_and_table_tab(window, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    c = window.controls
    c.alpha_spin.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=2000)
    seen = []
    for _ in range(4):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert seen[:3] == [c.alpha_slider, c.resolution_spin, c.resolution_slider]
    table = window.layer_panel.view
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table  # Tab leaves the table
    texts = {a.text(): a for m in window.menuBar().actions() for a in m.menu().actions()}
    assert texts["&Quit"].shortcut().toString() == "Ctrl+Q"
    assert "Copy selected rows\tCtrl+C" in texts
    assert "Show sidebar" in texts


def test_disabled_controls_look_disabled(qapp) -> None:
    """The palette set every colour group alike: disabled buttons, the "No camera found"
    list and the greyed-out top-5 of a previous variant looked live."""
    from PySide6.QtGui import QPalette

    from explorer.ui.app import configure_application

    configure_application(qapp)
    palette = qapp.palette()
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.WindowText, QPalette.ColorRole.Highlight):
        assert palette.color(QPalette.ColorGroup.Disabled, role) != \
            palette.color(QPalette.ColorGroup.Active, role), role


def test_sidebar_values_fit_at_a_larger_desktop_font(qapp, show_widget) -> None:
    """At 11 pt (GNOME's default) the fixed 350 px sidebar cut "(1.62 M values)"."""
    from PySide6.QtGui import QFont

    before = QFont(qapp.font())
    bigger = QFont(before)
    bigger.setPointSizeF(11)
    qapp.setFont(bigger)
    try:
        win = show_widget(MainWindow(restore_settings=False), 1400, 900)
        for alpha, resolution in ((1.0, 224), (1.5, 512)):
            win.state.set_variant(alpha, resolution)
            qapp.processEvents()
            for key, label in win.summary.fields.items():
                assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), key
    finally:
        qapp.setFont(before)


def test_views_fit_at_the_minimum_window_size(show_widget, qapp) -> None:
    """At 825x357 the bar chart was a few pixels tall under its own legends, and the
    Chart / Table buttons read "C...t" / "T...e"."""
    win = show_widget(MainWindow(restore_settings=False), 1400, 900)
    win.resize(win.minimumSizeHint().expandedTo(win.minimumSize()))
    win.show_view("blocks")
    qapp.processEvents()
    panel = win.block_panel
    from explorer.ui.block_chart import MIN_COST_PLOT_HEIGHT, MIN_RATIO_PLOT_HEIGHT

    assert panel.plot_widget.height() >= MIN_COST_PLOT_HEIGHT
    assert panel.ratio_widget.height() >= MIN_RATIO_PLOT_HEIGHT
    # stacked top to bottom without overlap: bar chart, ratio legend, ratio chart
    from PySide6.QtCore import QPoint

    def span(widget) -> tuple[int, int]:
        top = widget.mapTo(panel, QPoint(0, 0)).y()
        return top, top + widget.height()

    assert span(panel.plot_widget)[1] <= span(panel.ratio_legend)[0]
    assert span(panel.ratio_legend)[1] <= span(panel.ratio_widget)[0]
    for button in (panel.chart_button, panel.table_button):
        bold = button.font()
        bold.setBold(True)
        from PySide6.QtGui import QFontMetrics

        assert button.width() >= QFontMetrics(bold).horizontalAdvance(button.text()) + 24


def test_tab_order_has_no_invisible_stop(window, qtbot) -> None:
    """Tab from the layer table went to the sidebar's scroll area, a stop that shows nothing,
    before the alpha box."""
    window.show_view("layers")
    window.activateWindow()
    window.layer_panel.view.setFocus()
    qtbot.waitUntil(window.layer_panel.view.hasFocus, timeout=2000)
    seen = []
    for _ in range(12):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    assert not [w for w in seen if isinstance(w, QScrollArea)], seen
    assert window.controls.alpha_spin in seen or window.controls.alpha_spin.lineEdit() in seen


def test_command_line_variant_overrides_the_restored_one(window) -> None:
    import argparse

    from explorer.arch import MobileNetSpec
    from explorer.ui.app import apply_variant_args

    window.state.set_variant(0.75, 192)  # as if restored from the last session
    apply_variant_args(window, argparse.Namespace(window_alpha=0.5, window_resolution=None))
    assert window.state.spec == MobileNetSpec(0.5, 192)
    apply_variant_args(window, argparse.Namespace(window_alpha=None, window_resolution=128))
    assert window.state.spec == MobileNetSpec(0.5, 128)
    apply_variant_args(window, argparse.Namespace())  # e.g. screenshot's namespace
    assert window.state.spec == MobileNetSpec(0.5, 128)


def test_a_file_that_is_not_settings_is_never_overwritten(tmp_path, monkeypatch, qtbot) -> None:
    """MOBILENET_EXPLORER_SETTINGS=notes.txt: on close the notes were rewritten as an ini
    file ("[General] Chapter%201..."), and a photo named there became junk."""
    import explorer.ui.settings as st
    from explorer.ui import MainWindow

    notes = tmp_path / "notes.txt"
    notes.write_text("Chapter 1: my notes\nline two = x\n")
    monkeypatch.setenv(st.SETTINGS_ENV, str(notes))
    monkeypatch.setattr(st, "_problem", "")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.state.set_variant(0.5, 160)
    qtbot.waitUntil(lambda: window.error_box is not None, timeout=2000)
    # In a box, whole: the status bar cut it off beside the variant label.
    assert window.error_box.text().endswith(
        "notes.txt is not a settings (ini) file, so it was left as it is and this session's"
        " settings are not saved")
    window.error_box.close()
    again = st.app_settings()  # as the Classify view opens its own (Qt caches the file)
    again.setValue("classify/engine", "litert")
    again.sync()
    window.close()
    assert notes.read_text() == "Chapter 1: my notes\nline two = x\n"


def test_a_settings_path_that_cannot_be_written_is_said_at_start(tmp_path, monkeypatch,
                                                                  qtbot) -> None:
    """It was said only on stderr at close, which a desktop launcher's user never sees."""
    import explorer.ui.settings as st
    from explorer.ui import MainWindow

    folder = tmp_path / "settings.ini"
    folder.mkdir()
    monkeypatch.setenv(st.SETTINGS_ENV, str(folder))
    monkeypatch.setattr(st, "_problem", "")
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.error_box is not None, timeout=2000)
    assert window.error_box.text() == (
        f"{folder} cannot be written, so this session's settings are not saved")
    window.error_box.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_sigterm_closes_the_window_and_saves(tmp_path, signal_name) -> None:
    """Ctrl+C in the terminal did nothing; SIGTERM (logout, kill) ended the app without
    saving the variant and the window layout."""
    import signal

    ini = tmp_path / "settings.ini"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MOBILENET_EXPLORER_SETTINGS=str(ini),
               MOBILENET_EXPLORER_CACHE=str(tmp_path / "cache"))
    app = subprocess.Popen([sys.executable, "main.py", "--alpha", "0.75", "--resolution", "192"],
                           cwd=Path(__file__).resolve().parents[2], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4.0)  # the window shows after ~0.5 s here
        assert app.poll() is None, app.communicate()
        app.send_signal(getattr(signal, signal_name))
        _out, err = app.communicate(timeout=20)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, err
    saved = QSettings(str(ini), QSettings.Format.IniFormat)
    assert (float(saved.value("variant/alpha")), int(saved.value("variant/resolution"))) == \
        (0.75, 192)


def test_unknown_qt_platform_is_one_line_not_an_abort() -> None:
    """QT_QPA_PLATFORM=bogus: Qt printed a paragraph and aborted with a core dump (134)."""
    env = dict(os.environ, QT_QPA_PLATFORM="bogus")
    result = subprocess.run([sys.executable, "main.py"], cwd=Path(__file__).resolve().parents[2],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "names no Qt platform plugin" in result.stderr
    assert "offscreen" in result.stderr  # what there is instead


def test_the_window_fits_a_small_screen() -> None:
    """1366x768 at 2x scaling is 683x384 logical pixels: the 1400x900 window and its 600 px
    minimum height put the status bar off the screen."""
    from PySide6.QtCore import QSize

    from explorer.ui.main_window import DEFAULT_SIZE, MIN_HEIGHT, fitted_size

    small = QSize(683, 384)
    assert fitted_size(DEFAULT_SIZE, small) == QSize(667, 344)
    assert fitted_size(QSize(0, MIN_HEIGHT), small).height() == 344
    assert fitted_size(DEFAULT_SIZE, QSize(2560, 1400)) == DEFAULT_SIZE
    assert fitted_size(DEFAULT_SIZE, None) == DEFAULT_SIZE  # offscreen: no real screen


def test_window_on_a_small_screen_starts_inside_it(qtbot, monkeypatch) -> None:
    from PySide6.QtCore import QSize

    from explorer.ui import MainWindow
    from explorer.ui.main_window import MainWindow as Window

    monkeypatch.setattr(Window, "_available_screen_size", lambda self: QSize(1000, 700))
    window = MainWindow()
    qtbot.addWidget(window)
    assert window.height() <= 660 and window.minimumHeight() <= 660


def test_settings_that_cannot_be_written_are_reported(tmp_path, monkeypatch, qtbot,
                                                      capsys) -> None:
    """An unwritable settings file lost the session's settings without a word."""
    import explorer.ui.settings as st
    from explorer.ui import MainWindow

    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(st.SETTINGS_ENV, str(blocker / "settings.ini"))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.close()
    err = capsys.readouterr().err
    assert "settings not saved: cannot write" in err and "settings.ini" in err


def test_stale_wayland_display_without_a_server_is_one_line(tmp_path) -> None:
    """WAYLAND_DISPLAY set with no compositor listening and no X display (after ssh or su):
    Qt aborted with a core dump."""
    from explorer.ui.app import missing_wayland_server

    env = {"WAYLAND_DISPLAY": "wayland-9", "XDG_SESSION_TYPE": "wayland",
           "XDG_RUNTIME_DIR": str(tmp_path)}
    if sys.platform.startswith("linux"):
        assert "no Wayland server is listening at" in missing_wayland_server(env)
        (tmp_path / "wayland-9").write_text("")  # a compositor's socket is there
    assert missing_wayland_server(env) == ""
    assert missing_wayland_server({**env, "DISPLAY": ":0"}) == ""  # X to fall back on
    assert missing_wayland_server({**env, "QT_QPA_PLATFORM": "offscreen"}) == ""
    run_env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    run_env.update(WAYLAND_DISPLAY="wayland-8", XDG_RUNTIME_DIR=str(tmp_path))
    if sys.platform.startswith("linux"):
        result = subprocess.run([sys.executable, "main.py"],
                                cwd=Path(__file__).resolve().parents[2], env=run_env,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and result.stderr.count("\n") == 1
        assert "no Wayland server" in result.stderr


def test_copy_says_what_it_copied_or_that_nothing_is_selected(window) -> None:
    """Ctrl+C with nothing selected did nothing at all, which read as a broken copy."""
    from PySide6.QtGui import QGuiApplication

    window.show_view("layers")
    view = window.layer_panel.view
    view.clearSelection()
    QGuiApplication.clipboard().setText("mine")
    window.copy_selection()
    assert QGuiApplication.clipboard().text() == "mine"
    assert window.statusBar().currentMessage().startswith("Nothing selected to copy")
    view.selectRow(2)
    window.copy_selection()
    assert window.statusBar().currentMessage() == "Copied 1 row as tab-separated text"
    window.show_view("blocks")
    window.block_panel.set_mode("table")
    window.block_panel.table.selectAll()
    window.copy_selection()
    rows = QGuiApplication.clipboard().text().count("\n") - 1
    assert rows > 13 and window.statusBar().currentMessage() == (
        f"Copied {rows} rows as tab-separated text")


def test_the_light_look_takes_nothing_from_a_dark_desktop(qapp) -> None:
    """On a dark desktop the check boxes lost their outline (Fusion follows the platform's
    colour scheme) and separator lines turned near-black (bevel roles came from the system
    palette).  Checked with a shim making Qt's theme report Dark: 1,554 pixels of the blocks
    view differed from the light desktop before, none after."""
    from PySide6.QtGui import QPalette

    from explorer.ui.app import _light_palette, configure_application

    configure_application(qapp)
    palette = _light_palette()
    for role in (QPalette.ColorRole.Light, QPalette.ColorRole.Midlight, QPalette.ColorRole.Mid,
                 QPalette.ColorRole.Dark, QPalette.ColorRole.Shadow,
                 QPalette.ColorRole.BrightText, QPalette.ColorRole.LinkVisited):
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
                      QPalette.ColorGroup.Disabled):
            assert palette.isBrushSet(group, role), (group, role)
    assert palette.color(QPalette.ColorRole.Dark).lightness() > 100  # a light bevel
    hints = qapp.styleHints()
    if hasattr(hints, "colorScheme") and hasattr(Qt, "ColorScheme"):
        assert hints.colorScheme() != Qt.ColorScheme.Dark


def test_controls_have_names_a_screen_reader_can_use(window) -> None:
    """Qt names a combo by its current text and a tool button by its glyph; tables, charts
    and the paper view had no name at all."""
    import pyqtgraph as pg
    from PySide6.QtWidgets import QAbstractItemView

    from explorer.ui.accessibility import ACCESSIBLE_NAMES

    classify_only = {"cameraCombo", "engineCombo", "deviceCombo", "previousImage", "nextImage"}
    for name, spoken in ACCESSIBLE_NAMES.items():
        if name in classify_only:
            continue
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName() == spoken, name
    # Charts take no Tab focus (they show none and use no keys); Tab leaves every table.
    charts = window.findChildren(pg.PlotWidget)
    assert charts and all(w.focusPolicy() == Qt.FocusPolicy.NoFocus for w in charts)
    assert not any(v.tabKeyNavigation() for v in window.findChildren(QAbstractItemView))


def test_tab_reaches_the_classify_panel_before_the_sidebar(window) -> None:
    """Built on first use, the panel joined the end of the focus chain: Tab went from the
    view tabs through the whole sidebar first."""
    panel = window.show_view("classify")
    assert window.classify_panel() is panel
    QApplication.processEvents()  # the page becomes visible
    stops = []
    widget = window.tabs.tabBar().nextInFocusChain()
    while widget is not window.tabs.tabBar() and len(stops) < 400:
        if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(window):
            stops.append(widget)
        widget = widget.nextInFocusChain()
    first_sidebar = next(i for i, w in enumerate(stops) if w.objectName() == "alphaSpin")
    assert stops and panel.isAncestorOf(stops[0])
    assert all(panel.isAncestorOf(w) for w in stops[:first_sidebar])
    # and no stop that shows nothing: the top-5 column's scroll area took the focus unseen
    assert panel.side_column not in stops
    assert not [w for w in stops if isinstance(w, QScrollArea)], stops
