"""The main window: variant controls and summary on the left, the views in tabs.

Everything here reads the pure cost model on the GUI thread; nothing imports TensorFlow.
The Classify tab is built the first time it is shown, from
``explorer.ui.classify_panel.ClassifyPanel`` (owned by the classification work); when that
module is missing or fails to build, the tab says why and the rest of the window works.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.export import human_count
from explorer.arch.layers import model_totals
from explorer.arch.spec import MobileNetSpec
from explorer.keras_builder.weights import WEIGHTS_FILE_FILTER
from explorer.threads import stop_all_threads
from explorer.ui import settings as st
from explorer.ui.about import AboutDialog
from explorer.ui.accessibility import make_accessible, put_in_tab_chain_after
from explorer.ui.accuracy_chart import AccuracyChartPanel
from explorer.ui.block_chart import BlockChartPanel
from explorer.ui.compare_view import CompareView
from explorer.ui.controls import VariantControls
from explorer.ui.export_dialog import (
    EXPORT_FORMATS,
    ExportError,
    ask_export_path,
    export_report,
    format_for_name,
)
from explorer.ui.layer_table import LayerTablePanel
from explorer.ui.paper_view import PaperView
from explorer.ui.stable_label import ElidingStableLabel
from explorer.ui.summary_panel import SummaryPanel
from explorer.ui.theme import (
    TAB_BAR_STYLE,
    TAB_BAR_STYLE_COMPACT,
    TAB_COMPACT_SAVING,
    set_role,
)
from explorer.ui.type_chart import TypeChartPanel
from explorer.ui.variant_state import VariantState

#: Tab keys in order; the screenshot command's --view takes these names.
VIEW_NAMES = ("layers", "blocks", "types", "accuracy", "compare", "paper", "classify")
VIEW_TITLES = {
    "layers": "Layers",
    "blocks": "Standard vs separable",
    "types": "Cost by type",
    "accuracy": "Accuracy vs MACs",
    "compare": "Compare",
    "paper": "Paper tables",
    "classify": "Classify",
}
#: The window's size on a first start (and when the saved geometry is unusable).
DEFAULT_SIZE = QSize(1400, 900)
#: The least height at which every view's charts and captions fit without overlapping.
MIN_HEIGHT = 600
#: Titles for windows too narrow for VIEW_TITLES (the tab tooltip keeps the full title).
VIEW_SHORT_TITLES = {
    "layers": "Layers",
    "blocks": "Std vs sep",
    "types": "By type",
    "accuracy": "Accuracy",
    "compare": "Compare",
    "paper": "Paper",
    "classify": "Classify",
}



class ViewTabs(QTabWidget):
    """The view tabs, with size hints computed once and no full repaint per layout request.

    Any label that changes on a slider step makes Qt re-run the layouts above it, up to here.
    Two QTabWidget habits made that expensive:

    * it answers ``sizeHint()`` by asking every page, charts included: ~1.5 ms per step for a
      number that never changes (the central widget takes whatever space is left);
    * it handles every ``LayoutRequest`` (posted by its page stack each time a page's layout
      re-runs) by laying out its tab bar and stack again and calling ``update()`` on itself,
      so the whole view, toolbar, filters and table frame included, was repainted on every
      slider step (~90,000 extra pixels, 3-4 ms offscreen).  When neither its size nor the
      tab bar's size hint changed, that relayout cannot move anything, so the request is only
      passed up (``updateGeometry``) and nothing is repainted.  Resizes, new tabs and tab text
      changes still lay out through QTabWidget's own code paths.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._hint: QSize | None = None
        self._min_hint: QSize | None = None
        self._laid_out_for: tuple[QSize, QSize] | None = None
        self._titles: tuple[list[str], list[str]] | None = None  # full, short (set_titles)
        self.skipped_layout_requests = 0

    def tabInserted(self, index: int) -> None:  # noqa: N802 - Qt override
        self._hint = self._min_hint = None
        self._laid_out_for = None
        super().tabInserted(index)

    def tabRemoved(self, index: int) -> None:  # noqa: N802 - Qt override
        self._hint = self._min_hint = None
        self._laid_out_for = None
        super().tabRemoved(index)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if self._hint is None:
            self._hint = super().sizeHint()
        return self._hint

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if self._min_hint is None:
            self._min_hint = super().minimumSizeHint()
        return self._min_hint

    def set_titles(self, full: list[str], short: list[str]) -> None:
        """Tab titles, with shorter ones used while the full ones do not fit the width."""
        self._titles = (list(full), list(short))
        self._fit_titles()

    def _fit_titles(self) -> None:
        titles = self._titles
        if titles is None or self.count() != len(titles[0]):
            return
        bar = self.tabBar()
        metrics = bar.fontMetrics()
        # Tab width = text + padding; the padding is what the current tabs add to their text,
        # taken back to the normal style's when the compact one is on.
        compact_now = bar.styleSheet() == TAB_BAR_STYLE_COMPACT
        padding = sum(bar.tabSizeHint(i).width() - metrics.horizontalAdvance(bar.tabText(i))
                      for i in range(self.count()))
        if compact_now:
            padding += TAB_COMPACT_SAVING * self.count()

        def need(texts: list[str]) -> int:
            return padding + sum(metrics.horizontalAdvance(t) for t in texts)

        chosen = titles[0] if need(titles[0]) <= self.width() else titles[1]
        # Short titles with full padding still elided at ~900 px ("La...", "Cla..."): then
        # the tabs get narrower padding before any title is cut.
        compact = chosen is titles[1] and need(titles[1]) > self.width()
        if compact != compact_now and bar.styleSheet() in (TAB_BAR_STYLE, TAB_BAR_STYLE_COMPACT):
            bar.setStyleSheet(TAB_BAR_STYLE_COMPACT if compact else TAB_BAR_STYLE)
        for i, text in enumerate(chosen):
            if bar.tabText(i) != text:
                self.setTabText(i, text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self._fit_titles()
        super().resizeEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and self.isVisible():
            key = (self.size(), self.tabBar().sizeHint())
            if key == self._laid_out_for:
                self.skipped_layout_requests += 1
                self.updateGeometry()  # what QTabWidget does after its relayout, minus update()
                return True
            self._laid_out_for = key
        return super().event(event)


#: Room kept for the window frame and title bar, which lie outside the window's geometry.
FRAME_ALLOWANCE = QSize(16, 40)


def fitted_size(wanted: QSize, available: QSize | None) -> QSize:
    """``wanted``, shrunk to fit ``available`` (the screen's free area) with its frame: at
    1366x768 with 2x scaling (683x384 logical px) the 1400x900 window, and its 600 px minimum
    height, put the status bar and the sidebar's bottom off the screen."""
    if available is None:
        return QSize(wanted)
    return QSize(max(0, min(wanted.width(), available.width() - FRAME_ALLOWANCE.width())),
                 max(0, min(wanted.height(), available.height() - FRAME_ALLOWANCE.height())))


class _KeyAwareAction(QAction):
    """A QAction that knows, while its ``triggered`` slots run, whether its shortcut key fired
    it (``by_key``) or a menu click / ``trigger()`` did: Qt gives the slot no such hint."""

    by_key = False

    def event(self, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Shortcut:
            return super().event(event)
        self.by_key = True  # Qt triggers the action synchronously inside this event
        try:
            return super().event(event)
        finally:
            self.by_key = False


class MainWindow(QMainWindow):
    """MobileNet Explorer's window.

    Attributes:
        state: the shared ``VariantState`` (current spec, pinned spec).
        views: view name (see ``VIEW_NAMES``) -> the tab's widget; "classify" maps to the
            placeholder until the Classify panel is built.
        controls, summary: the left-hand ``VariantControls`` and ``SummaryPanel``.
        weights_path, weights_dir: from ``--weights`` / ``--weights-dir`` (or None), for the
            Classify panel.
        last_update_ms: how long the last ``spec_changed`` took to update every view.
    """

    def __init__(self, state: VariantState | None = None, parent: QWidget | None = None, *,
                 weights_path: Path | None = None, weights_dir: Path | None = None,
                 restore_settings: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("MobileNet Explorer")
        self.weights_path = Path(weights_path) if weights_path else None
        self.weights_dir = Path(weights_dir) if weights_dir else None
        self.last_error: str | None = None
        self.last_update_ms = 0.0
        self._update_started = 0.0
        self._restore = restore_settings
        self._settings = st.app_settings()
        if st.settings_problem():
            # Once the window is built, in a box: the status bar cut the sentence off beside
            # the variant label ("...this session's sett") and dropped it after 30 s.
            QTimer.singleShot(0, self, lambda: self.show_error(
                "Settings not saved", st.settings_problem()))
        self._classify_panel: QWidget | None = None
        self._classify_error: str | None = None
        self._export_folder = ""
        self._message_box: QMessageBox | None = None
        self._about: AboutDialog | None = None

        self.state = state if state is not None else VariantState(parent=self)
        if restore_settings:
            saved = st.load_variant(self._settings)
            if saved is not None:
                self.state.set_spec(saved)
        # Connected before any view so it runs first; _finish_update is connected last.
        self.state.spec_changed.connect(self._start_update)

        self.controls = VariantControls(self.state)
        self.summary = SummaryPanel(self.state)
        self.layer_panel = LayerTablePanel(self.state)
        self.block_panel = BlockChartPanel(self.state)
        self.type_panel = TypeChartPanel(self.state)
        self.accuracy_panel = AccuracyChartPanel(self.state)
        self.compare_view = CompareView(self.state)
        self.paper_view = PaperView(self.state)
        self.classify_placeholder = self._make_classify_placeholder()
        self.views: dict[str, QWidget] = {
            "layers": self.layer_panel,
            "blocks": self.block_panel,
            "types": self.type_panel,
            "accuracy": self.accuracy_panel,
            "compare": self.compare_view,
            "paper": self.paper_view,
            "classify": self.classify_placeholder,
        }
        self.tabs = ViewTabs(self)
        self.tabs.setObjectName("viewTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.tabBar().setStyleSheet(TAB_BAR_STYLE)  # scoped: the pages stay unstyled
        # Below ~1280 px the seven titles do not fit: short titles (set_titles), elided when
        # even those do not fit, rather than the last tabs hidden behind scroll arrows; the
        # tooltip keeps the full title.
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.setUsesScrollButtons(False)
        for i, name in enumerate(VIEW_NAMES):
            self.tabs.addTab(self.views[name], VIEW_TITLES[name])
            self.tabs.setTabToolTip(i, f"{VIEW_TITLES[name]} (Ctrl+{i + 1})")
        self.tabs.set_titles([VIEW_TITLES[n] for n in VIEW_NAMES],
                             [VIEW_SHORT_TITLES[n] for n in VIEW_NAMES])
        self.setCentralWidget(self.tabs)
        self._build_sidebar()
        self._build_actions()
        # Constant size hints: the status text changes every step and must not relayout.
        self._status = ElidingStableLabel(
            "MobileNet 1.25-512  |  99.99 M params  |  9999 M mult-adds (MACs)  |"
            "  views updated in 99.9 ms", self)
        self._status.setObjectName("statusVariant")
        self._status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.statusBar().addPermanentWidget(self._status)
        self.state.spec_changed.connect(self._finish_update)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._show_status(self.state.spec)
        self._set_icon()
        make_accessible(self)
        available = self._available_screen_size()
        self.resize(fitted_size(DEFAULT_SIZE, available))
        # The layouts' own minimum (~490 px) ignores that captions wrap in a narrow window:
        # there the Standard vs separable legends were drawn over its bar chart.
        self.setMinimumHeight(fitted_size(QSize(0, MIN_HEIGHT), available).height())
        if restore_settings:
            self._restore_window()

    def _available_screen_size(self) -> QSize | None:
        """The screen's usable size, or None for the offscreen platform (a fixed virtual
        800x800 "screen" nobody sees: screenshots and benchmarks use the default size)."""
        if QGuiApplication.platformName() == "offscreen":
            return None
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry().size() if screen is not None else None

    # --- construction ---------------------------------------------------------------------
    def _build_sidebar(self) -> None:
        side = QWidget()
        side.setObjectName("sidebar")
        layout = QVBoxLayout(side)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)
        title = QLabel("Variant", side)
        set_role(title, "section")
        layout.addWidget(title)
        layout.addWidget(self.controls)
        line = QFrame(side)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        summary_title = QLabel("Summary", side)
        set_role(summary_title, "section")
        layout.addWidget(summary_title)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        scroll = QScrollArea()
        # Not a Tab stop of its own (an invisible one between the table and the alpha box);
        # Tab still moves through its children and scrolls each into view.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        dock = QDockWidget("MobileNet v1", self)
        dock.setObjectName("variantDock")
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        dock.setWidget(scroll)
        # 350 px at the app's 9.5 pt; more with a larger desktop font (11 pt on GNOME, 13 pt
        # on macOS), where a fixed 350 px cut "(1.62 M values)" to "(1.62 M values".
        needed = side.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width()
        dock.setMinimumWidth(max(350, needed))
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        dock.toggleViewAction().setText("Show sidebar")  # not the dock title, in View menu
        self.sidebar_dock = dock

    def _action(self, text: str, slot, shortcut: QKeySequence | str | None = None,
                tip: str | None = None) -> QAction:
        action = _KeyAwareAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            # Window-wide, so shortcuts work whichever widget has focus.
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setStatusTip(tip)
        # Connected first, so it runs before the action's own slot.
        action.triggered.connect(self._commit_typed_value)
        # Without the ``checked`` argument: PySide6 passes it into a slot's first optional
        # parameter, so load_weights(path=False) skipped its file dialog (Ctrl+O did nothing).
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    @Slot()
    def _commit_typed_value(self) -> None:
        """Take a value typed into a spin box but not yet entered (the boxes commit on Enter
        or leaving them): Ctrl+P after typing 0.5 pinned the old alpha, Alt+Right stepped
        from the old resolution, Ctrl+E exported the old variant."""
        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, QAbstractSpinBox):
            widget = widget.parentWidget()
        if widget is not None:
            widget.interpretText()

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.export_actions: dict[str, QAction] = {}
        shortcuts = {"csv": "Ctrl+E", "json": "Ctrl+Shift+J", "markdown": "Ctrl+Shift+M"}
        for fmt, (label, _suffix, _filter) in EXPORT_FORMATS.items():
            # CSV holds the layers; JSON and Markdown also the per-block comparison.
            what = "layer table" if fmt == "csv" else "report"
            action = self._action(f"Export {what} as {label}...",
                                  lambda f=fmt: self.export_table(f), shortcuts[fmt],
                                  f"Same content as 'report --format {fmt}'")
            file_menu.addAction(action)
            self.export_actions[fmt] = action
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Load weights...", self.load_weights, "Ctrl+O",
                                         "Classify with Keras weights (.h5 or .keras)"))
        file_menu.addSeparator()
        # Ctrl+C belongs to the table (a window-wide Ctrl+C would steal copy from text
        # fields): the menu only shows it, after a tab.
        file_menu.addAction(self._action("Copy selected rows\tCtrl+C",
                                         self.copy_selection,
                                         None, "Copy the selected table cells as TSV"))
        file_menu.addSeparator()
        # Explicit Ctrl+Q: StandardKey.Quit is empty on some Linux desktops and offscreen.
        file_menu.addAction(self._action("&Quit", self.close, "Ctrl+Q"))

        variant = bar.addMenu("&Variant")
        variant.addAction(self._action("Wider (alpha + 0.05)",
                                       lambda: self.controls.step_alpha(1), "Alt+Up"))
        self._narrower_action = self._action("Narrower (alpha - 0.05)", self._alt_down,
                                             "Alt+Down")
        variant.addAction(self._narrower_action)
        variant.addAction(self._action("Higher resolution (+16 px)",
                                       lambda: self.controls.step_resolution(1), "Alt+Right"))
        variant.addAction(self._action("Lower resolution (-16 px)",
                                       lambda: self.controls.step_resolution(-1), "Alt+Left"))
        variant.addSeparator()
        variant.addAction(self._action("Reset to MobileNet 1.0-224",
                                       lambda: self.state.set_variant(1.0, 224), "Ctrl+0"))
        variant.addAction(self._action("Pin current variant as A (Compare)",
                                       self._pin_and_compare, "Ctrl+P"))

        view = bar.addMenu("&View")
        for i, name in enumerate(VIEW_NAMES):
            view.addAction(self._action(VIEW_TITLES[name],
                                        lambda n=name: self.show_view(n),
                                        f"Ctrl+{i + 1}"))
        view.addSeparator()
        view.addAction(self._action(
            "Log scale (Standard vs separable, Compare)", self.toggle_log_scale, "Ctrl+L",
            "Toggle the log y axis of the chart in front: Standard vs separable (in Chart"
            " mode) or Compare"))
        view.addAction(self._action("Filter layers by name",
                                    self._focus_filter, QKeySequence.StandardKey.Find))
        view.addAction(self.sidebar_dock.toggleViewAction())

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About MobileNet Explorer", self.show_about, "F1"))

    @Slot()
    def _alt_down(self) -> None:
        """Alt+Down: narrower, except on a focused drop-down list, where Alt+Down is the
        platform's "open the list" key; the window shortcut used to take it and quietly
        change the variant (a model rebuild in Classify) instead.  Only the key does this:
        Variant > Narrower clicked in the menu narrows whatever has the focus."""
        focused = QApplication.focusWidget()
        if (self._narrower_action.by_key and isinstance(focused, QComboBox)
                and focused.isEnabled()):
            focused.showPopup()
        else:
            self.controls.step_alpha(-1)

    def copy_selection(self) -> None:
        """File > Copy: the selection of the table in front (Layers, or Standard vs
        separable as a table).  Elsewhere it says so: it copied the hidden Layers table's
        selection, which the user could not see."""
        front, panel = self.tabs.currentWidget(), self.block_panel
        if front is panel and panel.mode == "table":
            panel.table.copy_selection()
        elif front is self.layer_panel:
            self.layer_panel.copy_selection()
        else:
            self.statusBar().showMessage(
                "Copy selected rows copies from the Layers table or the Standard vs separable"
                " table: switch to one of them", 5000)

    def toggle_log_scale(self) -> None:
        """Ctrl+L: the log scale of the chart in front, Compare's or Standard vs separable's.
        Nothing else changes: toggling a hidden chart (or the chart behind that view's table)
        would make it look different later for no visible reason."""
        front = self.tabs.currentWidget()
        if front is self.block_panel and self.block_panel.mode == "table":
            self.statusBar().showMessage(
                "Log scale applies to the chart: switch Standard vs separable to Chart", 4000)
            return
        if front not in (self.block_panel, self.compare_view):
            self.statusBar().showMessage(
                "Log scale (Ctrl+L) applies to the Standard vs separable and Compare charts",
                4000)
            return
        panel = self.compare_view if front is self.compare_view else self.block_panel
        panel.set_log_scale(not panel.log_check.isChecked())

    def _make_classify_placeholder(self) -> QWidget:
        holder = QWidget()
        holder.setObjectName("classifyTab")
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        self._classify_message = QLabel(
            "The Classify view loads when you open this tab (the model runtime starts only"
            " then).", holder)
        self._classify_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._classify_message.setWordWrap(True)
        layout.addWidget(self._classify_message)
        return holder

    def _set_icon(self) -> None:
        try:
            from explorer.resources import resource_path

            self.setWindowIcon(QIcon(str(resource_path("icon.svg"))))
        except FileNotFoundError:
            pass  # cosmetic only

    # --- views ----------------------------------------------------------------------------
    def show_view(self, name: str) -> QWidget:
        """Bring the tab ``name`` (one of ``VIEW_NAMES``) to the front; returns its widget."""
        if name not in self.views:
            raise ValueError(f"unknown view {name!r}; choose one of {', '.join(VIEW_NAMES)}")
        self.tabs.setCurrentIndex(VIEW_NAMES.index(name))
        if name == "classify":
            return self.classify_panel() or self.classify_placeholder
        return self.views[name]

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        if 0 <= index < len(VIEW_NAMES) and VIEW_NAMES[index] == "classify":
            self.classify_panel()

    def classify_panel(self) -> QWidget | None:
        """The Classify panel, built on first use; None (see ``classify_error``) if missing."""
        if self._classify_panel is not None or self._classify_error is not None:
            return self._classify_panel
        try:
            from explorer.ui.classify_panel import ClassifyPanel
        except ImportError as exc:
            self._classify_error = f"classification is not available: {exc}"
        except Exception as exc:  # noqa: BLE001 - a broken module must not break the window
            self._classify_error = f"the Classify view failed to load: {exc}"
        else:
            try:
                panel = ClassifyPanel(self.state, self.classify_placeholder,
                                      remember_choices=self._restore)
            except Exception as exc:  # noqa: BLE001 - a broken panel must not break the window
                self._classify_error = f"the Classify view failed to start: {exc}"
            else:
                self._classify_message.hide()
                self.classify_placeholder.layout().addWidget(panel)
                put_in_tab_chain_after(self.tabs.tabBar(), panel)
                self._classify_panel = panel
                self.views["classify"] = panel
        if self._classify_error:
            self._classify_message.setText(self._classify_error)
        return self._classify_panel

    def load_weights(self, path: Path | str | None = None) -> bool:
        """File > Load weights...: pick a Keras weights file (.h5, .keras) and classify with it.

        The Classify panel checks the file (alpha, top, corruption) and explains any problem;
        the current model keeps running when the file is refused.
        """
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _filter = QFileDialog.getOpenFileName(
                self, "Load Keras weights", str(self.weights_dir or Path.home()),
                WEIGHTS_FILE_FILTER)
            if not path:
                return False
        self.show_view("classify")
        panel = self.classify_panel()
        if panel is None:
            self.show_error("Cannot load weights", self._classify_error or "no Classify view")
            return False
        return bool(panel.load_weights_file(Path(path)))

    @property
    def classify_error(self) -> str | None:
        return self._classify_error

    # --- update timing and status bar -----------------------------------------------------
    @Slot(object)
    def _start_update(self, _spec: MobileNetSpec) -> None:
        self._update_started = time.perf_counter()

    @Slot(object)
    def _finish_update(self, spec: MobileNetSpec) -> None:
        self.last_update_ms = 1000 * (time.perf_counter() - self._update_started)
        self._show_status(spec)

    def _show_status(self, spec: MobileNetSpec) -> None:
        t = model_totals(spec)
        timing = (f"views updated in {self.last_update_ms:.1f} ms" if self._update_started
                  else "ready")
        self._status.setText(
            f"MobileNet {spec.label}  |  {human_count(t.params)} params  |  "
            f"{human_count(t.macs)} mult-adds (MACs)  |  {timing}")

    # --- actions --------------------------------------------------------------------------
    @Slot()
    def _pin_and_compare(self) -> None:
        self.state.pin()
        self.show_view("compare")

    @Slot()
    def _focus_filter(self) -> None:
        self.show_view("layers")
        self.layer_panel.name_edit.setFocus()
        self.layer_panel.name_edit.selectAll()

    def export_table(self, fmt: str, path: Path | str | None = None) -> bool:
        """Export the layer table for the current variant; asks for a path when None.

        On failure the error is shown (non-blocking) and in the status bar, ``last_error``
        holds it, and the table is untouched.  Returns True when the file was written.
        """
        spec = self.state.spec
        if path is None:
            path = ask_export_path(self, spec, fmt, self._export_folder)
            if path is None:
                return False
        path = Path(path)
        fmt = format_for_name(path, fmt)
        try:
            export_report(spec, fmt, path)
        except ExportError as exc:
            what = "the layer table" if fmt == "csv" else "the report"
            self.show_error("Export failed", f"Could not export {what}: {exc}")
            return False
        self._export_folder = str(path.parent)
        self.last_error = None
        self.statusBar().showMessage(f"Exported MobileNet {spec.label} as "
                                     f"{EXPORT_FORMATS[fmt][0]} to {path}", 8000)
        return True

    def show_error(self, title: str, message: str) -> None:
        """Tell the user without blocking (``open()``, not ``exec()``)."""
        self.last_error = message
        self.statusBar().showMessage(message, 15000)
        if self._message_box is not None:
            self._message_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, title, message,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(self._on_message_closed)
        self._message_box = box
        box.open()

    @Slot()
    def _on_message_closed(self) -> None:
        self._message_box = None

    @property
    def error_box(self) -> QMessageBox | None:
        """The error message currently shown, if any."""
        return self._message_box

    @Slot()
    def show_about(self) -> AboutDialog:
        if self._about is None:
            self._about = AboutDialog(self)
        self._about.open()
        return self._about

    # --- settings and shutdown ------------------------------------------------------------
    def _restore_window(self) -> None:
        s = self._settings
        geometry = s.value(st.KEY_GEOMETRY)
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            minimum = self.minimumSizeHint()
            if (self.width() < minimum.width() // 2
                    or self.height() < minimum.height() // 2):
                # A truncated blob "restores" a 1x1 window (then shown at the minimum size).
                # A small screen clamps a good one a little below the minimum: that is kept.
                self.resize(fitted_size(DEFAULT_SIZE, self._available_screen_size()))
        state = s.value(st.KEY_STATE)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        try:
            tab = int(s.value(st.KEY_TAB, 0))
        except (TypeError, ValueError):
            tab = 0
        # Never reopen on Classify: that would import TensorFlow before the window shows.
        if 0 <= tab < len(VIEW_NAMES) and VIEW_NAMES[tab] != "classify":
            self.tabs.setCurrentIndex(tab)
        self.block_panel.set_log_scale(st.read_bool(s, st.KEY_LOG_SCALE))
        self.block_panel.set_mode(st.read_choice(s, st.KEY_BLOCKS_MODE, ("chart", "table"),
                                                 "chart"))
        self.compare_view.set_log_scale(st.read_bool(s, st.KEY_COMPARE_LOG_SCALE))

    def save_settings(self) -> None:
        s = self._settings
        s.setValue(st.KEY_GEOMETRY, self.saveGeometry())
        s.setValue(st.KEY_STATE, self.saveState())
        s.setValue(st.KEY_TAB, self.tabs.currentIndex())
        s.setValue(st.KEY_LOG_SCALE, self.block_panel.log_check.isChecked())
        s.setValue(st.KEY_BLOCKS_MODE, self.block_panel.mode)
        s.setValue(st.KEY_COMPARE_LOG_SCALE, self.compare_view.log_check.isChecked())
        st.save_variant(s, self.state.spec)
        s.sync()
        if s.status() == QSettings.Status.AccessError:
            # The window is closing: stderr is the one place left to say so.
            sys.stderr.write(f"mobilenet-explorer: settings not saved: cannot write"
                             f" {s.fileName()}\n")

    def shutdown(self) -> list[str]:
        """Stop the Classify panel and every registered thread; returns threads still stuck."""
        panel = self._classify_panel
        if panel is not None and hasattr(panel, "shutdown"):
            try:
                panel.shutdown()
            except Exception:  # noqa: BLE001 - closing must always succeed
                pass
        # Each thread gets part of the 2 s budget the user waits at most.
        return stop_all_threads(timeout_ms=1500)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._restore:
            self.save_settings()
        if self._message_box is not None:
            self._message_box.close()
        # Gone from the screen before the threads are waited for: a worker in the middle of
        # `import tensorflow` cannot be interrupted and holds the close for up to ~2.5 s,
        # which a still-visible, unresponsive window would turn into "the app froze".
        self.hide()
        self.shutdown()
        event.accept()
        super().closeEvent(event)

