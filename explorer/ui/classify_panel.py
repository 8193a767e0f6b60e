"""The Classify view: live ImageNet top-5 for the variant the user is looking at.

Pipeline: a ``FrameSource`` (camera, video file, image, folder) converts each frame to an
owned RGB array on the GUI thread; the panel paints it and offers it to the
``InferenceWorker``'s one-slot mailbox (latest frame wins), and the worker's results come back
through queued signals.  Engines are built on the worker thread, so TensorFlow is never
imported on the GUI thread and not at all while this panel is constructed.

Honesty rules the panel enforces:

* Predictions are labelled with the variant that produced them.  When the user moves a slider,
  the old ones stay visible, greyed, as "from previous variant X while Y builds".
* Random weights (no pretrained file, or an alpha Keras never published) are announced in a
  warning bar, with an offer to download the file or to switch to the nearest pretrained alpha.
* Every problem (no camera, unplugged camera, stall, unplayable video, bad weights file,
  failed build or download) ends up in the message bar; the app keeps running.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QImage,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtMultimedia import QMediaDevices
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLayoutItem,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpacerItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from explorer.arch.spec import MobileNetSpec, format_alpha
from explorer.keras_builder.weights import WEIGHTS_FILE_FILTER, WEIGHTS_SUFFIXES
from explorer.ui import settings as st
from explorer.ui.accessibility import make_accessible
from explorer.ui.snapshot import (
    SnapshotJob,
    SnapshotSaver,
    default_snapshot_path,
    plan_snapshot,
    wait_for_snapshots,
    write_snapshot,
)
from explorer.ui.stable_label import ElidingStableLabel
from explorer.vision.frames import FramePacket, rgb_to_qimage
from explorer.vision.images import MODEL_SUFFIXES
from explorer.vision.labels import ZERO_CLASSES_NOTE
from explorer.vision.sources import (
    DEFAULT_STALL_TIMEOUT_MS,
    IMAGE_SUFFIXES,
    NO_CAMERA_MESSAGE,
    SKIPPED_PREFIX,
    VIDEO_SUFFIXES,
    CameraSource,
    FolderSource,
    FrameSource,
    ImageSource,
    VideoSinkSource,
    available_cameras,
    camera_label,
    source_for_path,
)
from explorer.vision.stats import RateMeter, RollingLatency, format_latency, latency_heading
from explorer.vision.types import EngineInfo, EngineRequest
from explorer.vision.worker import DownloadOutcome, InferenceWorker, PredictionResult

TOP_K = 5
#: Slider moves closer together than this build only the last variant.
SPEC_DEBOUNCE_MS = 150
#: Start of the message a failed engine build shows ("... 0.5-160: why"); cleared by the
#: next build that works.
BUILD_FAILED = "Could not build MobileNet"
#: Dropped files that are no image or video (the rest may be any video container).
NOT_MEDIA_SUFFIXES = frozenset(MODEL_SUFFIXES) | {".txt", ".json", ".md", ".csv", ".py",
                                                   ".pdf", ".zip", ".onnx", ".pb"}
STATS_REFRESH_MS = 500
ENGINE_CHOICES = (("auto", "Auto"), ("tf", "TensorFlow"), ("litert", "LiteRT float32"),
                  ("int8", "LiteRT int8 (Google)"))
DEVICE_CHOICES = (("auto", "Auto"), ("cpu", "CPU"), ("gpu", "GPU"))
_WARN_COLORS = ("#fff1cc", "#6b4d00")
_ERROR_COLORS = ("#fde2e1", "#8a1c17")
_INFO_COLORS = ("#e7f0fb", "#1b4a7a")
#: The top-5 column's width when there is room (docs/screenshots/classify.png) and the least
#: it gets in a narrow window; the frame gives up its width first.
SIDE_WIDTH = 280
SIDE_MIN_WIDTH = 200
#: Narrower than this and tall (height >= 1.25 x width), the top-5 goes under the frame: side
#: by side the frame would be a narrow strip with the photo a fraction of its height.
STACK_BELOW_WIDTH = 620


def same_variant(a: MobileNetSpec | None, b: MobileNetSpec | None) -> bool:
    """True when two specs classify identically (engines always run the 1000-class head)."""
    if a is None or b is None:
        return False
    return (a.alpha, a.resolution, a.body) == (b.alpha, b.resolution, b.body)


def _tint(label: QLabel, colors: tuple[str, str]) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor(colors[0]))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(colors[1]))
    label.setPalette(palette)
    label.setAutoFillBackground(True)
    label.setContentsMargins(8, 5, 8, 5)


class FlowLayout(QLayout):
    """Items left to right at their preferred widths, wrapping onto a new row when the width
    runs out (the flow layout of Qt's examples), so a narrow window gets two or three rows of
    buttons instead of buttons squeezed below their text.

    A stretch (``addStretch``) on the first row takes its spare width, so what follows it sits
    at the right edge; a row break (``add_row_break``) ends the first row.  Once the items
    before either have wrapped, both are ignored, so a narrow flow packs its later rows.
    Items are centred vertically in their row.
    """

    def __init__(self, parent: QWidget | None = None, spacing: int = 6,
                 row_spacing: int = 4) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._breaks: list[QLayoutItem] = []
        self._spacing = spacing
        self._row_spacing = row_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802 - Qt override
        self._items.append(item)

    def addStretch(self) -> None:  # noqa: N802 - named like QBoxLayout's
        self.addItem(QSpacerItem(0, 0, QSizePolicy.Policy.Expanding,
                                 QSizePolicy.Policy.Minimum))

    def add_row_break(self) -> None:
        item = QSpacerItem(0, 0)
        self._breaks.append(item)
        self.addItem(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802 - Qt override
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._breaks = [b for b in self._breaks if b is not item]
        return item

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802 - Qt override
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self._arrange(QRect(0, 0, width, 0), apply=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802 - Qt override
        super().setGeometry(rect)
        self._arrange(rect, apply=True)

    def _widgets(self) -> list[QLayoutItem]:
        return [item for item in self._items
                if item.spacerItem() is None and not item.isEmpty()]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """Everything on one row."""
        items = self._widgets()
        margins = self.contentsMargins()
        width = sum(item.sizeHint().width() for item in items)
        width += self._spacing * max(0, len(items) - 1)
        height = max((item.sizeHint().height() for item in items), default=0)
        return QSize(width + margins.left() + margins.right(),
                     height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:  # noqa: N802 - Qt override
        """The widest item: one item a row."""
        size = QSize(0, 0)
        for item in self._widgets():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def _arrange(self, rect: QRect, apply: bool) -> int:
        """Place the items in ``rect`` (when ``apply``); returns the height they need."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        rows: list[list[tuple[QLayoutItem, QSize | None]]] = []
        row: list[tuple[QLayoutItem, QSize | None]] = []
        used = 0
        for item in self._items:
            if any(item is b for b in self._breaks):
                if row and not rows:
                    rows.append(row)
                    row, used = [], 0
                continue
            if item.spacerItem() is not None:
                if row and not rows:
                    row.append((item, None))
                continue
            if item.isEmpty():
                continue  # a hidden widget
            hint = item.sizeHint()
            width = max(item.minimumSize().width(), min(hint.width(), area.width()))
            widgets = sum(1 for _, size in row if size is not None)
            if widgets and used + self._spacing + width > area.width():
                rows.append(row)
                row, used, widgets = [], 0, 0
            used += width + (self._spacing if widgets else 0)
            row.append((item, QSize(width, hint.height())))
        if row:
            rows.append(row)
        y = area.top()
        for n, row in enumerate(rows):
            sizes = [size for _, size in row if size is not None]
            height = max(size.height() for size in sizes)
            stretches = sum(1 for _, size in row if size is None)
            spare = area.width() - sum(size.width() for size in sizes) \
                - self._spacing * (len(sizes) - 1)
            x = area.left()
            first = True
            for item, size in row:
                if size is None:
                    x += max(0, spare) // stretches
                    continue
                if not first:
                    x += self._spacing
                first = False
                if apply:
                    item.setGeometry(QRect(x, y + (height - size.height()) // 2,
                                           size.width(), size.height()))
                x += size.width()
            y += height + (self._row_spacing if n < len(rows) - 1 else 0)
        return y - area.top() + margins.top() + margins.bottom()


class SideColumn(QScrollArea):
    """The top-5 and engine details; scrolls vertically when the window is short.

    Beside the frame it asks for ``SIDE_WIDTH`` (at least ``SIDE_MIN_WIDTH``) whatever its
    labels hold; stacked under the frame it takes the full width and the height of its lines.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._stacked = False
        self.set_stacked(False)
        # Not a Tab stop: it holds only labels, and took the focus without showing it (as
        # the main window's sidebar did).  Screen readers read the labels themselves.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def set_stacked(self, stacked: bool) -> None:
        self._stacked = stacked
        if stacked:
            self.setMaximumWidth(16777215)  # QWIDGETSIZE_MAX
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        else:
            self.setMaximumWidth(380)
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        if self._stacked and self.widget() is not None:
            return QSize(SIDE_WIDTH, min(self.widget().sizeHint().height(), 480))
        return QSize(SIDE_WIDTH, super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(SIDE_MIN_WIDTH, 120 if self._stacked else 60)


def _group(parent: QWidget, *widgets: QWidget) -> QWidget:
    """Widgets that stay together on one row of a FlowLayout."""
    holder = QWidget(parent)
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        widget.setParent(holder)
        layout.addWidget(widget)
    return holder


class FrameView(QWidget):
    """Paints the current frame, aspect-preserving and centred; accepts dropped files.

    Signals:
        paths_dropped(list): local paths dropped onto the view.
    """

    paths_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("frameView")
        self.setAcceptDrops(True)
        # Small hints: in a narrow window the frame gives up its width before the top-5 does.
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # The frame's pixels, and a QImage over them made when first painted: copying every
        # frame into a QImage cost ~1 ms at 1080p on the GUI thread, also for frames that a
        # newer one replaced before any paint.
        self._rgb: np.ndarray | None = None
        self._image: QImage | None = None
        self._placeholder = "No source yet."
        self.frames_shown = 0

    def set_frame(self, rgb: np.ndarray) -> None:
        """Show ``rgb`` ((H, W, 3) uint8, not changed afterwards: packets are immutable)."""
        self._rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
        self._image = None
        self.frames_shown += 1
        self.update()

    def clear(self, placeholder: str) -> None:
        self._rgb = None
        self._image = None
        self._placeholder = placeholder
        self.update()

    def _shown_image(self) -> QImage | None:
        if self._image is None and self._rgb is not None:
            height, width = self._rgb.shape[:2]
            # Over the array's memory, no copy: self._rgb keeps it alive as long as this.
            self._image = QImage(self._rgb.data, width, height, 3 * width,
                                 QImage.Format.Format_RGB888)
        return self._image

    def image(self) -> QImage | None:
        """A copy of the frame shown (None without one)."""
        return None if self._rgb is None else rgb_to_qimage(self._rgb)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(320, 240)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#20242a"))
        image = self._shown_image()
        if image is None or image.isNull():
            painter.setPen(QColor("#c9d1d9"))
            painter.drawText(self.rect().adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._placeholder)
        else:
            size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) / 2
            y = (self.height() - size.height()) / 2
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(QRectF(QPointF(x, y), size.toSizeF()), image)
        painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.paths_dropped.emit(paths)


class PredictionRow(QWidget):
    """One of the top-5: label and a probability bar."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.setSpacing(1)
        # Elided with the full name as tooltip: a long class name must not widen the column.
        self.name = ElidingStableLabel("American Staffordshire terrier", self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setFormat("")
        self.bar.setMaximumHeight(16)
        layout.addWidget(self.name)
        layout.addWidget(self.bar)

    def show_prediction(self, label: str, probability: float) -> None:
        self.name.setText(label.replace("_", " "))
        self.bar.setValue(int(round(probability * 1000)))
        self.bar.setFormat(f"{probability * 100:.1f} %")

    def clear(self, note: str = "") -> None:
        self.name.setText(note)
        self.bar.setValue(0)
        self.bar.setFormat("")


SNAPSHOT_BUTTON_TEXT = "Save snapshot…"
#: How long the top-5 of the previous picture may stand unmarked beside a new one.
OTHER_PICTURE_MARK_MS = 150


class ClassifyPanel(QWidget):
    """Live classification of camera, video, image or folder frames.

    Args:
        variant_state: object with ``.spec`` (MobileNetSpec) and a ``spec_changed`` signal;
            ``set_spec(spec)`` is used to switch to the nearest pretrained alpha when present.
        parent: parent widget.
        engine_factory: ``(EngineRequest, progress, cancel) -> InferenceEngine``; defaults
            to ``explorer.vision.engines.create_engine`` (tests inject fakes).
        downloader: weights downloader for the worker (tests inject fakes).
        stall_timeout_ms: "no frames for N s" limit for cameras and videos.
        autostart_camera: start the default camera when the panel is first shown.
        weights_path, weights_dir: explicit weights; default: the window's ``weights_path``
            / ``weights_dir`` attributes (from ``--weights`` / ``--weights-dir``).
        remember_choices: restore the engine and device picked last time and save new picks
            (off for screenshots, which must look the same on every machine).

    Signals:
        message_changed(str): the message bar text ("" when cleared).
        result_shown(object): a PredictionResult was displayed.
    """

    message_changed = Signal(str)
    result_shown = Signal(object)

    def __init__(self, variant_state: Any, parent: QWidget | None = None, *,
                 engine_factory: Any = None, downloader: Any = None,
                 stall_timeout_ms: int = DEFAULT_STALL_TIMEOUT_MS,
                 autostart_camera: bool = True, weights_path: Path | str | None = None,
                 weights_dir: Path | str | None = None, remember_choices: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("classifyPanel")
        self._remember_choices = remember_choices
        self.state = variant_state
        self._downloader = downloader
        self._stall_timeout_ms = stall_timeout_ms
        self._autostart_camera = autostart_camera
        self._explicit_weights = weights_path is not None or weights_dir is not None
        self._weights_path = Path(weights_path) if weights_path else None
        self._weights_dir = Path(weights_dir) if weights_dir else None
        self._weights_alpha: float | None = None  # alpha of the loaded file, when known
        self._previous_weights: tuple[Path | None, float | None, str] | None = None
        self._engine_kind = "auto"
        #: The alpha whose weights download failed last (its message goes stale elsewhere).
        self._failed_download_alpha: float | None = None
        #: Where the explicit weights file came from, as the view describes it.
        self._weights_source = "--weights"
        self._device = "auto"
        self._source: FrameSource | None = None
        self._paused = False
        self._shown_once = False
        self._shut_down = False
        self._engine_requested = False
        self._last_request: EngineRequest | None = None
        self._building: EngineRequest | None = None
        self._build_error = ""
        #: The failed build was the weights file's fault (the engine kind is fine).
        self._build_error_is_weights = False
        self._engine_info: EngineInfo | None = None
        self._last_result: PredictionResult | None = None
        self._last_packet: FramePacket | None = None
        # While the view is hidden (another tab in front) frames are held, not shown nor
        # classified: nobody sees the answers, and the work took the CPU from the views
        # being looked at.  The newest one held is shown on return.
        self._hidden = True
        self._held_packet: FramePacket | None = None
        self._engine_due = False  # the variant changed while hidden: build on return
        # The engine info the Engine / Device / Weights labels show (set once per engine, not
        # on every frame).
        self._labels_info: EngineInfo | None = None
        # The camera source in use when its device left the camera list (hot-plug).
        self._unplugged_camera: CameraSource | None = None
        # Why nothing is classified ("" unless the source failed or was closed), and the first
        # frame sequence whose result may still be shown: results of frames from before a
        # clear come back late from the worker and must not bring the old top-5 back.
        self._nothing_reason = ""
        self._caption_frozen = False
        self._newest_sequence = -1
        self._stale_before = 0
        self._downloading = False
        self.last_message = ""
        self.last_error = ""
        self.latency = RollingLatency()
        #: (variant, engine, device) of the frames in ``latency`` and ``inference_rate``.
        self._stats_origin: tuple[object, ...] | None = None
        self.display_rate = RateMeter()
        self.inference_rate = RateMeter()

        self._worker = InferenceWorker(engine_factory, top_k=TOP_K,
                                       name="ClassifyInferenceWorker")
        self._worker.predictions_ready.connect(self._on_result)
        self._worker.engine_building.connect(self._on_engine_building)
        self._worker.engine_ready.connect(self._on_engine_ready)
        self._worker.engine_failed.connect(self._on_engine_failed)
        self._worker.progress.connect(self._on_progress)
        self._worker.download_progress.connect(self._on_download_progress)
        self._worker.frame_failed.connect(self._on_frame_failed)
        self._worker.download_finished.connect(self._on_download_finished)
        self._worker.start()  # a bare event loop: no TensorFlow until an engine is requested
        try:
            self._build_ui()
            make_accessible(self)
            self._restore_choices()
            self._media_devices = QMediaDevices(self)
            self._media_devices.videoInputsChanged.connect(self.refresh_cameras)
            self.refresh_cameras()
        except BaseException:
            # The window reports a panel that fails to start; a running worker thread left
            # behind would abort the whole process at exit ("QThread: Destroyed while...").
            self._worker.stop()
            raise

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SPEC_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._request_engine)
        self.state.spec_changed.connect(self._on_spec_changed)
        # A new picture (the next photo of a folder, another file) beside the previous one's
        # top-5: its answer usually comes within milliseconds, but not while an engine builds
        # (4-6 s for TensorFlow).  Past this delay the old answer is marked as the old one's.
        self._other_picture_timer = QTimer(self)
        self._other_picture_timer.setSingleShot(True)
        self._other_picture_timer.setInterval(OTHER_PICTURE_MARK_MS)
        self._other_picture_timer.timeout.connect(self._update_header)
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_REFRESH_MS)
        self._stats_timer.timeout.connect(self._refresh_stats)
        self._stats_timer.start()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        # Safety net if the widget is deleted without shutdown(): never leave a running QThread.
        self.destroyed.connect(self._worker.shutdown, Qt.ConnectionType.DirectConnection)
        self._update_header()

    # ------------------------------------------------------------------------ UI
    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 8)
        root.setSpacing(6)

        # One flow of button groups: two rows in a wide window (the source row with Pause and
        # Save at its right end, then engine and device), three or four in a narrow one.
        bar = FlowLayout(spacing=8, row_spacing=4)
        self.camera_combo = QComboBox(self)
        self.camera_combo.setObjectName("cameraCombo")
        # A camera name can be long: the combo keeps its width and the tooltip has the name.
        self.camera_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.camera_combo.setMinimumContentsLength(15)
        self.camera_combo.activated.connect(self._on_camera_chosen)
        self.camera_combo.currentTextChanged.connect(self.camera_combo.setToolTip)
        self.open_video_button = QPushButton("Video…", self)
        self.open_video_button.setToolTip("Open a video file (or drop one on the frame)")
        self.open_video_button.clicked.connect(self._ask_video)
        self.open_image_button = QPushButton("Image…", self)
        self.open_image_button.setToolTip("Open an image (or drop one on the frame)")
        self.open_image_button.clicked.connect(self._ask_image)
        self.open_folder_button = QPushButton("Folder…", self)
        self.open_folder_button.setToolTip("Open a folder of images, shown one after another")
        self.open_folder_button.clicked.connect(self._ask_folder)
        self.previous_button = QToolButton(self)
        self.previous_button.setObjectName("previousImage")
        self.previous_button.setText("◀")
        self.previous_button.setToolTip("Previous image in the folder")
        self.previous_button.clicked.connect(self.previous_image)
        self.next_button = QToolButton(self)
        self.next_button.setObjectName("nextImage")
        self.next_button.setText("▶")
        self.next_button.setToolTip("Next image in the folder")
        self.next_button.clicked.connect(self.next_image)
        for button in (self.previous_button, self.next_button):
            button.setMinimumWidth(36)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.pause_button = QPushButton("Pause", self)
        self.pause_button.setObjectName("pauseButton")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.snapshot_button = QPushButton(SNAPSHOT_BUTTON_TEXT, self)
        self.snapshot_button.setToolTip("Save the classified frame as PNG and its top-5 as JSON")
        self.snapshot_button.clicked.connect(self._ask_snapshot)
        self._snapshot_saver = SnapshotSaver(self)
        self._snapshot_saver.finished.connect(self._report_snapshot)
        bar.addWidget(_group(self, QLabel("Camera:", self), self.camera_combo))
        bar.addWidget(_group(self, self.open_video_button, self.open_image_button,
                             self.open_folder_button))
        bar.addWidget(_group(self, self.previous_button, self.next_button))
        bar.addStretch()
        bar.addWidget(_group(self, self.pause_button, self.snapshot_button))
        bar.add_row_break()

        self.engine_combo = QComboBox(self)
        self.engine_combo.setObjectName("engineCombo")
        for key, text in ENGINE_CHOICES:
            self.engine_combo.addItem(text, key)
        self.engine_combo.currentIndexChanged.connect(self._on_engine_choice)
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("deviceCombo")
        for key, text in DEVICE_CHOICES:
            self.device_combo.addItem(text, key)
        self.device_combo.currentIndexChanged.connect(self._on_device_choice)
        self.load_weights_button = QPushButton("Load weights…", self)
        self.load_weights_button.setToolTip("Classify with a Keras weights file (.h5, .keras)")
        self.load_weights_button.clicked.connect(self._ask_weights)
        bar.addWidget(_group(self, QLabel("Engine:", self), self.engine_combo))
        bar.addWidget(_group(self, QLabel("Device:", self), self.device_combo))
        bar.addWidget(self.load_weights_button)
        bar.addStretch()
        root.addLayout(bar)

        self.message_label = QLabel("", self)
        self.message_label.setObjectName("classifyMessage")
        self.message_label.setWordWrap(True)
        self.message_label.hide()
        root.addWidget(self.message_label)

        warning_row = QHBoxLayout()
        self.warning_label = QLabel("", self)
        self.warning_label.setObjectName("weightsWarning")
        self.warning_label.setWordWrap(True)
        _tint(self.warning_label, _WARN_COLORS)
        self.switch_alpha_button = QPushButton("", self)
        self.switch_alpha_button.clicked.connect(self.switch_to_pretrained_alpha)
        self.download_button = QPushButton("Download weights", self)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_download_button = QPushButton("Cancel download", self)
        self.cancel_download_button.clicked.connect(self.cancel_download)
        warning_row.addWidget(self.warning_label, 1)
        warning_row.addWidget(self.switch_alpha_button)
        warning_row.addWidget(self.download_button)
        warning_row.addWidget(self.cancel_download_button)
        root.addLayout(warning_row)
        for widget in (self.warning_label, self.switch_alpha_button, self.download_button,
                       self.cancel_download_button):
            widget.hide()

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("buildProgress")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.hide()
        root.addWidget(self.progress_bar)

        self._body = body = QHBoxLayout()
        self.frame_view = FrameView(self)
        self.frame_view.paths_dropped.connect(self._on_paths_dropped)
        frame_column = QVBoxLayout()
        frame_column.setSpacing(2)
        frame_column.addWidget(self.frame_view, 1)
        # Which file of a folder is shown: "name.jpg (3 of 12)", elided in the middle.
        self.frame_caption = ElidingStableLabel("mobilenet_example_photo.jpg (100 of 100)",
                                                self, Qt.TextElideMode.ElideMiddle)
        self.frame_caption.setObjectName("frameCaption")
        self.frame_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame_caption.hide()
        frame_column.addWidget(self.frame_caption)
        body.addLayout(frame_column, 1)

        side = QVBoxLayout()
        self.header_label = QLabel("", self)
        self.header_label.setObjectName("predictionHeader")
        self.header_label.setWordWrap(True)
        font = self.header_label.font()
        font.setBold(True)
        self.header_label.setFont(font)
        side.addWidget(self.header_label)
        self.rows = [PredictionRow(self) for _ in range(TOP_K)]
        for row in self.rows:
            side.addWidget(row)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        side.addWidget(line)
        info = QGridLayout()
        self.engine_label = QLabel("-", self)
        self.device_label = QLabel("-", self)
        self.weights_label = QLabel("-", self)
        for label in (self.engine_label, self.device_label, self.weights_label):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for row, (name, label) in enumerate((("Engine", self.engine_label),
                                             ("Device", self.device_label),
                                             ("Weights", self.weights_label))):
            info.addWidget(QLabel(f"{name}:", self), row, 0, Qt.AlignmentFlag.AlignTop)
            info.addWidget(label, row, 1)
        info.setColumnStretch(1, 1)
        side.addLayout(info)
        self.fps_label = QLabel("", self)
        self.fps_label.setObjectName("fpsLabel")
        self.latency_label = QLabel("", self)
        self.latency_label.setObjectName("latencyLabel")
        for label in (self.fps_label, self.latency_label):
            label.setWordWrap(True)
            side.addWidget(label)
        side.addStretch(1)
        side_widget = QWidget()
        side_widget.setObjectName("predictionColumn")
        side_widget.setLayout(side)
        # A short window scrolls the column instead of squeezing its lines into each other.
        self.side_column = SideColumn(self)
        self.side_column.setObjectName("sideColumn")
        self.side_column.setWidget(side_widget)
        self.side_column.setWidgetResizable(True)
        self.side_column.setFrameShape(QFrame.Shape.NoFrame)
        self.side_column.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body.addWidget(self.side_column)
        root.addLayout(body, 1)
        self._update_source_buttons()
        self._refresh_stats()

    # ------------------------------------------------------------------------ public API
    @property
    def worker(self) -> InferenceWorker:
        return self._worker

    @property
    def source(self) -> FrameSource | None:
        return self._source

    @property
    def last_result(self) -> PredictionResult | None:
        return self._last_result

    @property
    def engine_info(self) -> EngineInfo | None:
        return self._engine_info

    @property
    def paused(self) -> bool:
        return self._paused

    def header_text(self) -> str:
        return self.header_label.text()

    def prediction_texts(self) -> list[tuple[str, str]]:
        """(label, probability text) of the rows shown, for tests and screenshots."""
        return [(row.name.text(), row.bar.format()) for row in self.rows if row.name.text()]

    def set_source(self, source: FrameSource | None) -> None:
        """Replace the current source (stopped and deleted) with ``source`` and start it."""
        old, self._source = self._source, source
        if old is not None:
            old.stop()
            old.frame_ready.disconnect(self._on_frame)
            old.error_occurred.disconnect(self._on_source_error)
            old.status_changed.disconnect(self._on_source_status)
            old.stalled.disconnect(self._on_source_stalled)
            old.recovered.disconnect(self._on_source_recovered)
            old.active_changed.disconnect(self._on_source_active)
            if isinstance(old, FolderSource):
                old.position_changed.disconnect(self._on_folder_position)
            old.deleteLater()
        self._worker.clear_frames()
        self._last_packet = None
        self._unplugged_camera = None
        self.display_rate.clear()
        self.clear_message()
        if self._build_error and self._last_request is not None:
            self.show_message(f"{BUILD_FAILED} {self._last_request.spec.label}:"
                              f" {self._build_error}", "error")
        # Paused, the frozen frame and its top-5 stay until Resume shows the new source (it
        # holds its first delivery meanwhile): clearing them read as a hang ("Waiting for
        # frames" with the source paused).
        frozen = self._paused and source is not None and self._last_result is not None
        self._caption_frozen = frozen  # the frozen frame's caption, until a new frame
        if frozen:
            self._stale_before = self._newest_sequence + 1  # late answers of the old source
            self.show_message(f"Paused: {source.name} is shown on Resume.", "info")
        else:
            # The frame those predictions belong to is gone from the view, so are they (with
            # their latency and inference rate).
            self._clear_predictions("no source is open" if source is None else "")
            self.frame_caption.hide()
        if source is None:
            self.frame_view.clear("No source. Pick a camera, open a video, an image or a folder,"
                                  " or drop one here.")
            self._update_source_buttons()
            return
        source.setParent(self)
        if isinstance(source, VideoSinkSource):
            source.set_wanted(not self._hidden)
        source.frame_ready.connect(self._on_frame)
        source.error_occurred.connect(self._on_source_error)
        source.status_changed.connect(self._on_source_status)
        source.stalled.connect(self._on_source_stalled)
        source.recovered.connect(self._on_source_recovered)
        source.active_changed.connect(self._on_source_active)
        if isinstance(source, FolderSource):
            source.position_changed.connect(self._on_folder_position)
        if not frozen:
            self.frame_view.clear(f"Waiting for frames from {source.name}…")
        self._ensure_engine()
        source.start()
        if self._paused:
            source.set_paused(True)
        self._update_source_buttons()

    def open_path(self, path: str | Path) -> FrameSource:
        """Open a video file, an image or a folder (what drag-and-drop does)."""
        source = source_for_path(path, stall_timeout_ms=self._stall_timeout_ms)
        self.set_source(source)
        return source

    def open_camera(self, index: int = 0) -> FrameSource | None:
        """Start camera ``index`` of ``QMediaDevices.videoInputs()``; says so when none."""
        cameras = available_cameras()
        if not cameras:
            self.set_source(None)
            self.show_message(NO_CAMERA_MESSAGE, "info")
            return None
        device = cameras[min(max(index, 0), len(cameras) - 1)]
        source = CameraSource(device, stall_timeout_ms=self._stall_timeout_ms)
        self.set_source(source)
        return source

    @Slot()
    def next_image(self) -> None:
        if isinstance(self._source, FolderSource):
            self._source.next_image()

    @Slot()
    def previous_image(self) -> None:
        if isinstance(self._source, FolderSource):
            self._source.previous_image()

    @Slot(bool)
    def set_paused(self, paused: bool) -> None:
        """Freeze the frame and predictions (the source pauses too) or resume."""
        was_paused, self._paused = self._paused, bool(paused)
        if self._source is not None:
            self._source.set_paused(self._paused)
        if self.pause_button.isChecked() != self._paused:
            self.pause_button.setChecked(self._paused)
        self.pause_button.setText("Resume" if self._paused else "Pause")
        self._update_source_buttons()
        self._update_header()
        if (was_paused and not self._paused and not self._shut_down
                and self._last_packet is not None):
            # Results that came back while paused were dropped, among them the answer of a
            # variant chosen meanwhile; a still source sends no further frame.  (A delivery
            # that fell into the pause is the source's to make on resume.)
            self._worker.submit_frame(self._last_packet)

    def set_engine_kind(self, kind: str) -> None:
        """'auto', 'tf', 'litert' or 'int8'."""
        index = self.engine_combo.findData(kind)
        if index < 0:
            raise ValueError(f"engine must be auto, tf, litert or int8, got {kind!r}")
        self.engine_combo.setCurrentIndex(index)

    def set_device(self, device: str) -> None:
        """'auto', 'cpu' or 'gpu'."""
        index = self.device_combo.findData(device)
        if index < 0:
            raise ValueError(f"device must be auto, cpu or gpu, got {device!r}")
        self.device_combo.setCurrentIndex(index)

    def set_weights(self, weights_path: Path | str | None,
                    weights_dir: Path | str | None = None) -> None:
        """Use ``--weights`` / ``--weights-dir`` (None: look in the Keras cache)."""
        self._explicit_weights = True
        self._weights_source = "--weights"
        self._weights_path = Path(weights_path) if weights_path else None
        self._weights_dir = Path(weights_dir) if weights_dir else None
        self._weights_alpha = self._alpha_of(self._weights_path)
        if self._engine_requested:
            self._request_engine(force=True)

    def load_weights_file(self, path: str | Path) -> bool:
        """File > Load weights…: check the file now, then rebuild with it.

        Returns False (and shows why) for a missing, non-HDF5, truncated, no-top or
        wrong-alpha file; the current engine and weights stay in use.
        """
        from explorer.keras_builder.weights import WeightsError, check_weights, inspect_weights

        p = Path(path)
        spec = self.state.spec
        try:
            info = inspect_weights(p)
            check_weights(info, replace(spec, include_top=True, classes=1000))
        except WeightsError as exc:
            self.show_message(f"Cannot use these weights: {exc}", "error")
            return False
        self._previous_weights = (self._weights_path, self._weights_alpha,
                                  self._weights_source)
        self._explicit_weights = True
        self._weights_source = "loaded with Load weights"
        self._weights_path = p
        self._weights_alpha = info.alpha
        self.show_message(f"Loading weights {p.name} (alpha {info.alpha_text})…", "info")
        self._request_engine(force=True)  # the same path may hold a new file
        return True

    @Slot()
    def switch_to_pretrained_alpha(self) -> None:
        """Move the variant to the nearest alpha with ImageNet weights (same resolution)."""
        spec = self.state.spec
        target = replace(spec, alpha=spec.nearest_pretrained_alpha(), body="separable")
        setter = getattr(self.state, "set_spec", None)
        if setter is not None:
            setter(target)

    @Slot()
    def start_download(self) -> None:
        """Download the Keras weights for the current alpha (cancellable, with progress)."""
        spec = self.state.spec
        if not spec.has_pretrained_alpha:
            self.show_message(f"Keras publishes no weights for alpha {format_alpha(spec.alpha)}.",
                              "error")
            return
        self._downloading = True
        self.download_button.hide()
        self.cancel_download_button.show()
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setFormat(f"downloading weights for alpha {format_alpha(spec.alpha)}")
        self.progress_bar.show()
        self._worker.request_download(spec, self._downloader)

    @Slot()
    def cancel_download(self) -> None:
        self._worker.cancel_download()

    def save_snapshot(self, path: str | Path | None = None) -> tuple[Path, Path]:
        """Write the classified frame as PNG and its predictions as JSON next to it, now
        (the Save snapshot button writes off the GUI thread instead).

        Raises:
            ValueError: nothing classified yet.
            OSError: the files cannot be written (the message names the path).
        """
        job = self._plan_snapshot(path)
        write_snapshot(job)
        self._report_snapshot(job, None)
        return job.png, job.meta

    def _plan_snapshot(self, path: str | Path | None) -> SnapshotJob:
        result = self._last_result
        if result is None:
            raise ValueError("nothing to save yet: no frame has been classified")
        return plan_snapshot(result, default_snapshot_path() if path is None else path)

    @Slot(object, object)
    def _report_snapshot(self, job: SnapshotJob, error: str | None) -> None:
        if not self._snapshot_saver.busy:
            self.snapshot_button.setText(SNAPSHOT_BUTTON_TEXT)
            self.snapshot_button.setEnabled(True)
        if error:
            self.show_message(error, "error")
        else:
            self.show_message(f"Saved {job.png.name} and {job.meta.name} in {job.png.parent}.",
                              "info")

    def show_message(self, text: str, level: str = "info") -> None:
        """Show ``text`` in the message bar: level 'info', 'warning' or 'error'."""
        self.last_message = text
        if level == "error":
            self.last_error = text
        colors = {"error": _ERROR_COLORS, "warning": _WARN_COLORS}.get(level, _INFO_COLORS)
        _tint(self.message_label, colors)
        self.message_label.setText(text)
        self.message_label.setProperty("level", level)
        self.message_label.setVisible(bool(text))
        self.message_changed.emit(text)

    def clear_message(self) -> None:
        self.last_message = ""
        self.message_label.clear()
        self.message_label.hide()
        self.message_changed.emit("")

    @Slot()
    def shutdown(self) -> bool:
        """Stop the source, cancel downloads and builds, stop the worker (within 2 s)."""
        if self._shut_down:
            return True
        self._shut_down = True
        self._debounce.stop()
        self._stats_timer.stop()
        if self._source is not None:
            self._source.stop()
        self._worker.cancel_download()
        # A snapshot being written is the user's file: let it finish (a 48 MP photo's PNG
        # takes about 2 s), rather than leave a cut-off PNG.
        wait_for_snapshots(10_000)
        return self._worker.stop(2000)

    # ------------------------------------------------------------------------ Qt overrides
    def hideEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().hideEvent(event)
        self._set_looked_at(False)

    def _set_looked_at(self, shown: bool) -> None:
        self._hidden = not shown
        if isinstance(self._source, VideoSinkSource):
            self._source.set_wanted(shown)
        if shown and self._engine_due:
            self._engine_due = False
            self._request_engine()
        if shown and self._held_packet is not None:
            packet, self._held_packet = self._held_packet, None
            self._on_frame(packet)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self._set_looked_at(True)
        if not self._shown_once:
            self._shown_once = True
            # After the first paint: the view appears before any model work starts.
            QTimer.singleShot(0, self, self._first_show)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._arrange_body()

    def _arrange_body(self) -> None:
        """Top-5 beside the frame, or under it in a narrow, tall panel."""
        stacked = self.width() < STACK_BELOW_WIDTH and self.height() >= 1.25 * self.width()
        if stacked == self.stacked:
            return
        self._body.setDirection(QBoxLayout.Direction.TopToBottom if stacked
                                else QBoxLayout.Direction.LeftToRight)
        self.side_column.set_stacked(stacked)

    @property
    def stacked(self) -> bool:
        """True while the top-5 sits under the frame."""
        return self._body.direction() == QBoxLayout.Direction.TopToBottom

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    @Slot()
    def _first_show(self) -> None:
        if self._shut_down:
            return
        if self._source is None and self._autostart_camera and available_cameras():
            self.open_camera(0)
        elif self._source is None and not available_cameras():
            self.show_message(NO_CAMERA_MESSAGE, "info")
            self.frame_view.clear(NO_CAMERA_MESSAGE)
        self._ensure_engine()

    # ------------------------------------------------------------------------ engine requests
    def _window_weights(self) -> None:
        """Adopt the window's --weights / --weights-dir unless set explicitly here."""
        if self._explicit_weights:
            return
        window = self.window()
        path = getattr(window, "weights_path", None)
        folder = getattr(window, "weights_dir", None)
        self._weights_path = Path(path) if path else None
        self._weights_dir = Path(folder) if folder else None
        self._weights_alpha = self._alpha_of(self._weights_path)

    @staticmethod
    def _alpha_of(path: Path | None) -> float | None:
        if path is None:
            return None
        try:
            from explorer.keras_builder.weights import WeightsError, inspect_weights

            return inspect_weights(path).alpha
        except (WeightsError, OSError):
            return None  # the build reports the problem with its full message

    def _ensure_engine(self) -> None:
        if not self._engine_requested and not self._shut_down:
            self._request_engine()

    def current_request(self) -> EngineRequest:
        """The engine request for the current variant, weights, engine and device choice."""
        self._window_weights()
        spec = self.state.spec
        weights = self._weights_path
        weights_dir = self._weights_dir
        weights_dir_source = "--weights-dir"
        # An explicit file serves the alpha it holds; for other alphas look it up instead,
        # first in the file's own folder (where the other alphas' files usually sit), then in
        # the Keras cache.  An explicit --weights-dir keeps priority over that folder.
        if weights is not None and self._weights_alpha is not None \
                and abs(self._weights_alpha - spec.alpha) > 1e-9:
            if weights_dir is None and weights.parent.is_dir():
                weights_dir = weights.parent
                weights_dir_source = f"found next to {weights.name}"
            weights = None
        return EngineRequest(spec, weights=weights, weights_dir=weights_dir,
                             weights_dir_source=weights_dir_source,
                             weights_source=self._weights_source,
                             engine=self._engine_kind, device=self._device)

    @Slot()
    def _request_engine(self, force: bool = False) -> None:
        """Ask the worker for the current request's engine; ``force`` rebuilds even when the
        request is unchanged (the files behind it changed: a download, a reloaded file)."""
        if self._shut_down:
            return
        request = self.current_request()
        self._engine_requested = True
        self._last_request = request
        self._build_error = ""
        self._build_error_is_weights = False
        self._worker.request_engine(request, force=force)
        self._update_header()

    @Slot(object)
    def _on_spec_changed(self, _spec: MobileNetSpec) -> None:
        if self.last_message.startswith("Cannot use these weights"):
            self.clear_message()
        self._update_header()  # relabel what is shown at once; build after the debounce
        if self._engine_requested and self._hidden:
            # Behind another tab nobody sees the answers: a build per slider pause took the
            # CPU from the view being dragged in.  Build when the view is shown again.
            self._debounce.stop()
            self._engine_due = True
        elif self._engine_requested:
            self._debounce.start()

    @Slot(int)
    def _on_engine_choice(self, index: int) -> None:
        self._engine_kind = self.engine_combo.itemData(index)
        self._save_choice(st.KEY_ENGINE, self._engine_kind)
        if self._engine_requested:
            self._request_engine()

    @Slot(int)
    def _on_device_choice(self, index: int) -> None:
        self._device = self.device_combo.itemData(index)
        self._save_choice(st.KEY_DEVICE, self._device)
        if self._engine_requested:
            self._request_engine()

    def _restore_choices(self) -> None:
        """The engine and device picked last time, before any engine is requested."""
        if not self._remember_choices:
            return
        settings = st.app_settings()
        engines = tuple(key for key, _ in ENGINE_CHOICES)
        devices = tuple(key for key, _ in DEVICE_CHOICES)
        self.set_engine_kind(st.read_choice(settings, st.KEY_ENGINE, engines, "auto"))
        self.set_device(st.read_choice(settings, st.KEY_DEVICE, devices, "auto"))

    def _save_choice(self, key: str, value: str) -> None:
        if not self._remember_choices:
            return
        settings = st.app_settings()
        settings.setValue(key, value)
        settings.sync()

    # ------------------------------------------------------------------------ worker signals
    @Slot(object)
    def _on_engine_building(self, request: EngineRequest) -> None:
        self._building = request
        if not self._downloading:
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(0)
            self.progress_bar.setFormat(f"MobileNet {request.spec.label}: starting…")
            self.progress_bar.show()
        self._update_header()

    @Slot(str, float)
    def _on_download_progress(self, text: str, fraction: float) -> None:
        self._show_progress(text, fraction, None)

    @Slot(str, float)
    def _on_progress(self, text: str, fraction: float) -> None:
        if self._downloading:
            return  # the bar shows the download (a build beside it takes a fraction of it)
        if self._building is None:
            label = text
            target = None
        else:
            # "writing LiteRT model…": only the first letter lowered (it read "litert"), and
            # no "…" once done ("ready…").
            step = text[:1].lower() + text[1:]
            label = f"MobileNet {self._building.spec.label}: {step}{'' if fraction >= 1 else '…'}"
            target = self._building
        self._show_progress(label, fraction, target)

    def _show_progress(self, label: str, fraction: float,
                       target: EngineRequest | None) -> None:
        if fraction < 0:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 100)
            self.progress_bar.setValue(int(round(fraction * 100)))
        self.progress_bar.setFormat(label if target is None else f"{label} %p%")
        self.progress_bar.show()

    @Slot(object)
    def _on_engine_ready(self, info: EngineInfo) -> None:
        self._building = None
        self._engine_info = info
        self._previous_weights = None
        if not self._downloading:
            self.progress_bar.hide()
        # The labels describe the top-5 on screen: with one shown, they change with the new
        # engine's first answer (_on_result).  Switched here, a build the slider had already
        # left named its engine beside another engine's top-5 (stress audit, 2 in 300 steps).
        if self._last_result is None:
            self._show_engine_labels(info)
        # A build that worked makes "loading" and earlier "could not build" messages stale,
        # and a failed download of another alpha's file no longer concerns what runs.
        failed_alpha = self._failed_download_alpha
        if self.last_message.startswith(("Loading weights", BUILD_FAILED)) or (
                self.last_message.startswith("Download failed") and failed_alpha is not None
                and abs(failed_alpha - info.spec.alpha) > 1e-9):
            self.clear_message()
        self._update_weights_warning()
        self._update_header()

    def _show_engine_labels(self, info: EngineInfo) -> None:
        if info is self._labels_info:
            return  # every result of one engine carries the same info
        self._labels_info = info
        self.engine_label.setText(info.engine_name)
        device_text = info.device_name
        hints = [w for w in info.warnings if "GPU" in w or "gpu" in w]
        if hints:
            device_text += "\n" + "\n".join(hints)
        self.device_label.setText(device_text)
        # Zero-width spaces after slashes and underscores let long paths wrap inside the
        # narrow column (a folder name like derived_from_coral_quant_tflite is wider than it);
        # the tooltip keeps the plain text.
        description = info.weights_description
        self.weights_label.setText(description.replace("/", "/\u200b").replace("_", "_\u200b"))
        self.weights_label.setToolTip(description)

    @Slot(object, str)
    def _on_engine_failed(self, request: EngineRequest, message: str) -> None:
        if request != self._last_request:
            return  # superseded: the request now current is built or building
        self._building = None
        self._build_error = message
        if not self._downloading:
            self.progress_bar.hide()
        if (self._previous_weights is not None and request.weights == self._weights_path
                and request.engine != "int8" and request.weights is not None
                and request.weights.name in message):
            # The file passed inspection but the build failed: go back to what worked.
            self._weights_path, self._weights_alpha, self._weights_source = \
                self._previous_weights
            self._previous_weights = None
            self._build_error_is_weights = True
        self.show_message(f"{BUILD_FAILED} {request.spec.label}: {message}", "error")
        self._update_header()

    @Slot(object)
    def _on_result(self, result: PredictionResult) -> None:
        if self._paused or self._shut_down or result.frame_sequence < self._stale_before:
            return
        self._last_result = result
        # Latency and rate describe one engine on one variant: frames from the TensorFlow
        # engine must not stay in the median shown beside "LiteRT int8".
        origin = (result.spec, result.info.engine_name, result.info.device_name)
        new_origin = origin != self._stats_origin
        if new_origin:
            self._stats_origin = origin
            self.latency.clear()
            self.inference_rate.clear()
        # A frame classified again by the same engine (after Resume, or a rebuild that changed
        # nothing, such as Device Auto -> CPU) is no new frame: counted, it read "inference
        # 24 FPS" beside "Display 20 FPS".  For a new engine it is the first measurement.
        if new_origin or not result.repeat:
            self.inference_rate.tick()
            self.latency.add(result.timings)
        self._show_engine_labels(result.info)
        # A warning about a frame that failed, or about nothing to save, is over once a
        # frame is classified.
        if self.message_label.property("level") == "warning" and self.last_message.startswith(
                ("could not classify frame", "Nothing to save yet")):
            self.clear_message()
        for row, prediction in zip(self.rows, result.predictions, strict=False):
            row.show_prediction(prediction.label, prediction.probability)
        # Fewer than five come back when the rest are exactly 0 (int8 output); say so once.
        for n, row in enumerate(self.rows[len(result.predictions):]):
            row.clear(ZERO_CLASSES_NOTE if n == 0 and result.predictions else "")
        self._update_header()
        self.result_shown.emit(result)

    @Slot(str)
    def _on_frame_failed(self, message: str) -> None:
        self.show_message(message, "warning")

    @Slot(object)
    def _on_download_finished(self, outcome: DownloadOutcome) -> None:
        self._downloading = False
        self.cancel_download_button.hide()
        if self._building is None:  # a build beside the download keeps its bar
            self.progress_bar.hide()
        if outcome.path is not None:
            self.show_message(f"Downloaded {outcome.path.name} into {outcome.path.parent}.",
                              "info")
            # The request is the same as before (weights looked up, not named): only a forced
            # build finds the file that just arrived, and only the alpha it is for needs one.
            same_alpha = abs(outcome.alpha - self.state.spec.alpha) < 1e-9
            self._request_engine(force=same_alpha)
        elif outcome.cancelled:
            self.show_message("Download cancelled; no partial file was kept.", "warning")
        else:
            self.show_message(f"Download failed: {outcome.message}", "error")
            self._failed_download_alpha = outcome.alpha
        self._update_weights_warning()

    # ------------------------------------------------------------------------ source signals
    @Slot(object)
    def _on_frame(self, packet: FramePacket) -> None:
        if self._paused or self._shut_down:
            return
        if self._hidden:
            self._held_packet = packet
            return
        self._last_packet = packet
        self._newest_sequence = max(self._newest_sequence, packet.sequence)
        self._worker.submit_frame(packet)
        self.frame_view.set_frame(packet.rgb)
        self.display_rate.tick()
        if self._caption_frozen:  # a folder sends its own caption with its frame
            self._caption_frozen = False
            if not isinstance(self._source, FolderSource):
                self.frame_caption.hide()
        result = self._last_result
        if (result is not None and result.source != packet.source
                and not self._other_picture_timer.isActive()):
            self._other_picture_timer.start()

    @Slot(str)
    def _on_source_error(self, message: str) -> None:
        self.show_message(message, "error")
        self.frame_view.clear(message)
        self.frame_caption.hide()
        self._worker.clear_frames()
        self._clear_predictions("the source failed")
        self._update_source_buttons()

    @Slot(int, int, str)
    def _on_folder_position(self, index: int, count: int, name: str) -> None:
        self.frame_caption.setText(f"{name} ({index + 1} of {count})")
        self.frame_caption.show()

    @Slot(str)
    def _on_source_status(self, message: str) -> None:
        if not message:  # the source withdraws its notice (a folder past its bad files)
            if self.last_message.startswith(SKIPPED_PREFIX):
                self.clear_message()
            return
        self.show_message(message, "info")

    @Slot(str)
    def _on_source_stalled(self, message: str) -> None:
        self.show_message(message, "warning")

    @Slot()
    def _on_source_recovered(self) -> None:
        if self.message_label.property("level") == "warning":
            self.clear_message()

    @Slot(bool)
    def _on_source_active(self, _active: bool) -> None:
        self._update_source_buttons()

    @Slot(list)
    def _on_paths_dropped(self, paths: list) -> None:
        """A dropped weights file is loaded; the first other file (or folder) is opened."""
        weights = [p for p in paths if Path(p).suffix.lower() in WEIGHTS_SUFFIXES]
        # Files that are surely no picture (a .tflite, notes) must not replace the running
        # source with a video that cannot play; anything else may be a video container.
        other = [p for p in paths if Path(p).suffix.lower() in NOT_MEDIA_SUFFIXES]
        media = [p for p in paths if p not in weights and p not in other]
        if media:
            self.open_path(media[0])
        elif other:
            self.show_message(f"{Path(other[0]).name} is not an image, video or folder;"
                              " the source shown keeps running.", "warning")
        if weights:
            self.load_weights_file(weights[0])

    @Slot()
    def refresh_cameras(self) -> None:
        """Rebuild the camera list (hot-plug)."""
        cameras = available_cameras()
        camera = self._source if isinstance(self._source, CameraSource) else None
        # The list is rebuilt from scratch; keep the camera in use selected, not the first.
        current = next((i for i, device in enumerate(cameras)
                        if camera is not None and device.id() == camera.device().id()), None)
        self.camera_combo.blockSignals(True)
        self.camera_combo.clear()
        if cameras:
            for i, device in enumerate(cameras):
                self.camera_combo.addItem(camera_label(device), i)
        else:
            self.camera_combo.addItem("No camera found", -1)
        if current is not None:
            self.camera_combo.setCurrentIndex(current)
        self.camera_combo.setEnabled(bool(cameras))
        self.camera_combo.blockSignals(False)
        if camera is not None and current is None:
            self._unplugged_camera = camera
        elif (current is not None and camera is not None and camera is self._unplugged_camera
                and not camera.is_active() and not self._shut_down):
            # The camera that was unplugged is back: open it again rather than leave "was
            # disconnected" on screen until the user re-picks it.
            self._unplugged_camera = None
            label = camera_label(cameras[current])
            self.open_camera(current)
            self.show_message(f"Camera {label} is back; reopened it.", "info")
            return
        if self._shown_once and self._source is None:
            if cameras:
                self.show_message(f"Camera {camera_label(cameras[0])} connected: pick it in the"
                                  " Camera list.", "info")
            else:
                self.show_message(NO_CAMERA_MESSAGE, "info")

    @Slot(int)
    def _on_camera_chosen(self, index: int) -> None:
        data = self.camera_combo.itemData(index)
        if isinstance(data, int) and data >= 0:
            self.open_camera(data)

    # ------------------------------------------------------------------------ dialogs
    def _dialog_folder(self) -> str:
        return str(Path.home())

    @Slot()
    def _ask_video(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(VIDEO_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(self, "Open video", self._dialog_folder(),
                                              f"Videos ({patterns});;All files (*)")
        if path:
            self.open_path(path)

    @Slot()
    def _ask_image(self) -> None:
        patterns = " ".join(f"*{s}" for s in sorted(IMAGE_SUFFIXES))
        path, _ = QFileDialog.getOpenFileName(self, "Open image", self._dialog_folder(),
                                              f"Images ({patterns});;All files (*)")
        if path:
            self.set_source(ImageSource(path))

    @Slot()
    def _ask_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open folder of images",
                                                self._dialog_folder())
        if path:
            self.set_source(FolderSource(path, interval_ms=2000))

    @Slot()
    def _ask_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load Keras weights", self._dialog_folder(),
                                              WEIGHTS_FILE_FILTER)
        if path:
            self.load_weights_file(path)

    @Slot()
    def _ask_snapshot(self) -> None:
        if self._last_result is None:
            self.show_message("Nothing to save yet: no frame has been classified.", "warning")
            return
        default = default_snapshot_path()
        path, _ = QFileDialog.getSaveFileName(self, "Save snapshot", str(default),
                                              "PNG image (*.png)")
        if not path:
            return
        try:
            job = self._plan_snapshot(path)
        except (OSError, ValueError) as exc:
            self.show_message(str(exc), "error")
            return
        # Encoded on the snapshot thread: a phone photo's PNG takes 0.5-2 s.
        self.snapshot_button.setEnabled(False)
        self.snapshot_button.setText("Saving…")
        self._snapshot_saver.save(job)

    # ------------------------------------------------------------------------ display
    def _update_source_buttons(self) -> None:
        # A paused folder stays on the image shown (the source ignores steps meanwhile).
        folder = (isinstance(self._source, FolderSource) and self._source.is_active()
                  and not self._paused)
        self.previous_button.setEnabled(folder)
        self.next_button.setEnabled(folder)

    def _update_weights_warning(self) -> None:
        spec = self.state.spec
        shown = self._last_result
        # The warning is about the answers on screen (paused: the engine may have moved on).
        info = shown.info if shown is not None and same_variant(shown.spec, spec) \
            else self._engine_info
        show_warning = info is not None and not info.pretrained and same_variant(info.spec, spec)
        self.switch_alpha_button.hide()
        self.download_button.hide()
        if not show_warning:
            self.warning_label.hide()
            return
        full = next((w for w in info.warnings if w.startswith("Random weights")),
                    "Random weights: the ImageNet labels shown are meaningless.")
        # Short on screen (the full lookup message, with its folders and URL, took 8 lines
        # at 1024 px and squeezed the photo); the tooltip keeps it whole.
        alpha = format_alpha(spec.alpha)
        if (spec.has_pretrained_alpha and "weights file " in full
                and "no weights file" not in full):
            # A file was found but cannot be used (truncated, corrupt, a folder by that
            # name): "no weights file found" sent the user looking for one that is there.
            text = (f"Random weights: the weights file for alpha {alpha} is unusable (hover"
                    " for why), so the labels are meaningless. Download it again or use Load"
                    " weights….")
        elif spec.has_pretrained_alpha:
            text = (f"Random weights (no weights file for alpha {alpha} found): the labels are"
                    " meaningless. Download it or use Load weights…; hover to see where the"
                    " app looked.")
        else:
            text = (f"Random weights: Keras publishes no ImageNet weights for alpha {alpha},"
                    " so the labels are meaningless.")
        self.warning_label.setText(text)
        self.warning_label.setToolTip(full)
        self.warning_label.show()
        if spec.has_pretrained_alpha:
            if not self._downloading:
                self.download_button.setText(
                    f"Download weights for alpha {format_alpha(spec.alpha)}")
                self.download_button.show()
        else:
            nearest = format_alpha(spec.nearest_pretrained_alpha())
            self.switch_alpha_button.setText(f"Use alpha {nearest} (pretrained)")
            self.switch_alpha_button.show()

    def _clear_predictions(self, reason: str) -> None:
        """Forget the shown top-5 (and its latency); ``reason`` says why nothing is classified
        ("" while a new source is expected to deliver)."""
        self._last_result = None
        self._held_packet = None  # a frame held while hidden belongs to what is cleared
        self._nothing_reason = reason
        self._stale_before = self._newest_sequence + 1
        self.latency.clear()
        self.inference_rate.clear()
        for row in self.rows:
            row.clear()
        if self._engine_info is not None:
            # No top-5 on screen any more: the labels name the engine that runs now (a new
            # engine's first answer, which would have switched them, is dropped above).
            self._show_engine_labels(self._engine_info)
        self._update_header()
        self._refresh_stats()

    def _build_error_applies(self) -> bool:
        """The last failure concerns the variant on screen (not one the slider left)."""
        return bool(self._build_error) and self._last_request is not None and same_variant(
            self._last_request.spec, self.state.spec) and not self._debounce.isActive()

    def _update_header(self) -> None:
        spec = self.state.spec
        result = self._last_result
        loading = self._debounce.isActive() or self._building is not None
        if result is None:
            if self._nothing_reason:
                text = f"Nothing classified: {self._nothing_reason}."
            elif self._build_error_applies():
                text = f"MobileNet {spec.label} could not be built."
            elif self._engine_requested and (self._engine_info is None or loading):
                text = f"Building MobileNet {spec.label}…"
            else:
                text = f"Top {TOP_K}: waiting for a frame"
            stale = False
        elif same_variant(result.spec, spec) and self._shows_other_picture():
            reason = (f"MobileNet {spec.label} builds" if loading or self._engine_info is None
                      else f"{self._last_packet.source if self._last_packet else ''} is"
                           " classified")
            text = f"From {result.source} while {reason}"
            stale = True
        elif same_variant(result.spec, spec):
            text = f"Top {TOP_K} · MobileNet {spec.label}"
            if not result.info.pretrained:
                text += " · RANDOM WEIGHTS: labels are meaningless"
            elif self._build_error_applies():
                # The engine or device just chosen failed (int8 for a variant Google never
                # published): the answers keep coming from the engine that ran before.
                engine = result.info.engine_name.split(" (")[0]
                what = ("the weights file loaded" if self._build_error_is_weights
                        else "the engine chosen")
                text += f" · still by {engine}: {what} could not be built"
            stale = False
        else:
            if self._build_error_applies():
                reason = f"{spec.label} could not be built"
            elif loading or self._engine_info is None or not same_variant(
                    self._engine_info.spec, spec):
                reason = f"{spec.label} builds"
            elif self._paused:  # frames arrive; they read "waits for a frame"
                reason = f"paused: {spec.label} answers on Resume"
            else:
                reason = f"{spec.label} waits for a frame"
            text = f"From previous variant {result.spec.label} while {reason}"
            stale = True
        self.header_label.setText(text)
        for row in self.rows:
            row.setEnabled(not stale)
        self._update_weights_warning()

    def _shows_other_picture(self) -> bool:
        """True when the top-5 shown is a picture's other than the one on screen, and has been
        for ``OTHER_PICTURE_MARK_MS`` (the new picture's answer did not come)."""
        result, packet = self._last_result, self._last_packet
        return (result is not None and packet is not None and result.source != packet.source
                and not self._other_picture_timer.isActive())

    @Slot()
    def _refresh_stats(self) -> None:
        # Frame rates only mean something while a camera or video is streaming; a still image
        # is classified once and would read "0.0 FPS", so say what it is instead and let the
        # per-stage latency below carry the numbers.
        source = self._source
        if source is None:
            rates = ""
        elif self._paused or source.is_paused():
            rates = "Paused: no frame rate"
        elif source.kind in ("image", "folder"):
            rates = "Still image: no frame rate"
        elif not source.is_active() or getattr(source, "ended", False):
            rates = "Stopped: no frame rate"
        else:
            rates = (f"Display {self.display_rate.rate():.1f} FPS · inference"
                     f" {self.inference_rate.rate():.1f} FPS")
        self.fps_label.setText(rates)
        summaries = self.latency.summaries()
        parts = [format_latency(s) for s in summaries]
        self.latency_label.setText(latency_heading(summaries) + "\n" + "\n".join(parts))


def _wait(condition: Any, timeout_s: float) -> bool:
    """Run the event loop until ``condition()`` or the timeout; True when it came true."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not condition():
        if time.monotonic() > deadline:
            return False
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def prepare_screenshot(panel: ClassifyPanel, image_path: str | Path | None,
                       weights_path: str | Path | None = None,
                       weights_dir: str | Path | None = None,
                       timeout_s: float = 180.0) -> bool:
    """Show ``image_path`` classified by the current variant, for ``main.py screenshot``.

    Waits (running the event loop) until predictions for the current variant are displayed,
    a build fails, the source reports an error (an unreadable photo), or ``timeout_s`` passes.
    Returns True when predictions are shown; otherwise the reason is in ``panel.last_error``
    (or the source's ``last_error``), and nothing is there after a timeout.
    """
    if weights_path is not None or weights_dir is not None:
        panel.set_weights(weights_path, weights_dir)
    panel._autostart_camera = False  # noqa: SLF001 - a screenshot never opens the camera
    panel._shown_once = True  # noqa: SLF001 - no deferred camera start after this
    if image_path is not None:
        panel.set_source(ImageSource(image_path))
    panel._ensure_engine()  # noqa: SLF001

    def done() -> bool:
        result = panel.last_result
        source = panel.source
        failed = bool(panel._build_error) or bool(  # noqa: SLF001
            source is not None and source.last_error)
        return failed or bool(
            result is not None and same_variant(result.spec, panel.state.spec))

    ok = _wait(done, timeout_s) and panel.last_result is not None
    panel._refresh_stats()  # noqa: SLF001
    QApplication.processEvents()
    return ok and same_variant(panel.last_result.spec, panel.state.spec)


__all__ = ["ClassifyPanel", "FrameView", "prepare_screenshot", "same_variant"]
