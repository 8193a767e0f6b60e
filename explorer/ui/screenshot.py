"""``python main.py screenshot``: render the window offscreen to a PNG (no display needed).

Arguments are checked before Qt starts (for ``--view classify`` that includes decoding the
photo and checking the weights file as ``classify`` does), and the PNG is written to a
temporary file in the target folder then renamed, so a failure never leaves a partial or stale
file behind.  A classify view whose engine build fails, whose photo cannot be read or that
shows no predictions in time is an error (exit 2), not a PNG of the error banner.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

WIDTH, HEIGHT = 1400, 900
VIEWS = ("layers", "blocks", "blocks-table", "types", "accuracy", "compare", "paper",
         "classify")
#: Pseudo views: a view of the window in one of its modes.
_VIEW_MODES = {"blocks": ("blocks", "chart"), "blocks-table": ("blocks", "table")}
#: How long --view classify waits for the engine build and the first predictions.
CLASSIFY_TIMEOUT_S = 180.0


def _check_args(args: argparse.Namespace) -> tuple[Path, str]:
    from explorer.atomic_write import folder_problem
    from explorer.cli import UsageError

    view = str(args.view).strip().lower()
    if view not in VIEWS:
        raise UsageError(f"unknown view {args.view!r}; choose one of {', '.join(VIEWS)}")
    output = Path(args.output)
    if output.suffix.lower() != ".png":
        raise UsageError(f"screenshot output must be a .png file, got {output}")
    problem = folder_problem(output)
    if problem:
        raise UsageError(f"cannot write {output}: {problem}")
    from explorer.ui.controls import window_alpha_problem

    alpha = getattr(args, "alpha", None)
    problem = window_alpha_problem(float(alpha)) if alpha is not None else None
    if problem:
        # The window's spin box would show 0.05 beside a summary of 0.03125.
        raise UsageError(problem)
    image = getattr(args, "image", None)
    if view == "classify":
        if image is None:
            raise UsageError("--view classify needs --image PHOTO")
        _check_image(Path(image))
    elif image is not None:
        raise UsageError("--image is only used with --view classify")
    else:
        for option, dest in (("--weights", "weights"), ("--weights-dir", "weights_dir")):
            if getattr(args, dest, None) is not None:
                # Only the Classify view reads weights; the other views are the cost model.
                raise UsageError(f"{option} is only used with --view classify")
    return output, view


def _check_image(image: Path) -> None:
    """Decode ``image`` now (PIL, no Qt): a bad photo fails in milliseconds, not at the end."""
    from explorer.cli import UsageError
    from explorer.vision.images import ImageError, load_image_rgb

    if image.is_dir():
        raise UsageError(f"image {image} is a folder, not an image file; pass one photo")
    if not image.exists():
        raise UsageError(f"image {image} does not exist")
    try:
        load_image_rgb(image)
    except ImageError as exc:
        # ImageError messages already start with the path.
        raise UsageError(f"cannot use --image: {exc}") from None


def _check_classify_weights(args: argparse.Namespace) -> None:
    """Check ``--weights`` / ``--weights-dir`` as ``classify`` does, before Qt starts.

    A missing pretrained file is not an error here: the view then shows its random-weights
    warning, which is what the window would show too.
    """
    from explorer.arch.spec import MobileNetSpec
    from explorer.cli import UsageError
    from explorer.keras_builder.weights import WeightsError, find_weights

    spec = MobileNetSpec(float(args.alpha), int(args.resolution))
    try:
        find_weights(spec, getattr(args, "weights", None), getattr(args, "weights_dir", None))
    except WeightsError as exc:
        raise UsageError(str(exc)) from None


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _save_png(pixmap, output: Path) -> None:  # noqa: ANN001 - QPixmap
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    from explorer.atomic_write import write_bytes_atomic
    from explorer.cli import UsageError

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # quality 0 = zlib level 9: README screenshots stay small.
    if not pixmap.save(buffer, "PNG", 0):
        raise UsageError(f"cannot write {output}: encoding the PNG failed")
    buffer.close()
    try:
        write_bytes_atomic(output, bytes(data.data()))
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def render_window(window, view: str, image: Path | None = None) -> object:  # noqa: ANN001
    """Show ``view`` in ``window`` (already sized) and return a QPixmap of the window."""
    from PySide6.QtWidgets import QApplication

    from explorer.cli import UsageError

    window.show()
    tab, mode = _VIEW_MODES.get(view, (view, None))
    window.show_view(tab)
    if mode is not None:  # whatever mode the saved settings chose
        window.block_panel.set_mode(mode)
    QApplication.processEvents()
    if view == "classify":
        panel = window.classify_panel()
        if panel is None:
            raise UsageError(f"cannot render the classify view: {window.classify_error}")
        try:
            from explorer.ui.classify_panel import prepare_screenshot
        except ImportError as exc:
            raise UsageError(f"cannot render the classify view: {exc}") from None
        from explorer.native_output import captured_native_stderr

        # TensorFlow's and LiteRT's native start-up lines are held back as `classify` does:
        # shown only when the view fails, before our one line.
        with captured_native_stderr() as native:
            ok = prepare_screenshot(panel, image, window.weights_path, window.weights_dir,
                                    timeout_s=CLASSIFY_TIMEOUT_S)
        if not ok:
            if native and native[0].strip():
                sys.stderr.write(native[0])
            source = panel.source
            reason = (source.last_error if source is not None else "") or panel.last_error
            if not reason:
                reason = (f"no predictions after {CLASSIFY_TIMEOUT_S:g} s"
                          f" ({panel.header_text()})")
            raise UsageError(f"cannot render the classify view: {_one_line(reason)}")
    # Two passes: the first lays out, the second lets pyqtgraph size its axes to the fonts.
    for _ in range(2):
        QApplication.processEvents()
    return window.grab()


#: Harmless notices of Qt's offscreen platform that would look like errors on the console.
_OFFSCREEN_NOISE = ("This plugin does not support propagateSizeHints()",)
#: Qt Multimedia probing for optional libraries (PipeWire, VA-API) and naming its FFmpeg when
#: the Classify view lists cameras: nothing a screenshot needs, and not errors.
_NOISY_CATEGORIES = ("qt.multimedia.symbolsresolver", "qt.multimedia.ffmpeg")


def quiet_offscreen_notices():  # noqa: ANN202 - returns the previous Qt message handler
    from PySide6.QtCore import qInstallMessageHandler

    previous = None

    def handler(mode, context, message):  # noqa: ANN001
        if message in _OFFSCREEN_NOISE or context.category in _NOISY_CATEGORIES:
            return
        if previous is not None:
            previous(mode, context, message)
        else:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(handler)
    return previous


def run_screenshot(args: argparse.Namespace) -> int:
    """Entry point of the ``screenshot`` command; raises explorer.cli.UsageError."""
    output, view = _check_args(args)
    from explorer.ui.app import check_qt_binding, check_weights_args

    check_qt_binding()
    weights, weights_dir = check_weights_args(args)
    if view == "classify":
        _check_classify_weights(args)
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Offscreen whatever the desktop: the command must work over SSH and in CI.
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        app = QApplication(sys.argv[:1])
    from explorer.ui.app import configure_application
    from explorer.ui.main_window import MainWindow

    configure_application(app)
    from PySide6.QtCore import qInstallMessageHandler

    previous_handler = quiet_offscreen_notices()
    window = MainWindow(weights_path=weights, weights_dir=weights_dir, restore_settings=False)
    try:
        window.state.set_variant(args.alpha, args.resolution)
        window.resize(WIDTH, HEIGHT)
        pixmap = render_window(window, view, getattr(args, "image", None))
        _save_png(pixmap, output)
    finally:
        window.close()
        window.deleteLater()
        QApplication.processEvents()
        qInstallMessageHandler(previous_handler)
    print(f"wrote {output} ({pixmap.width()}x{pixmap.height()}, view {view})")
    return 0
