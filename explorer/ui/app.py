"""``python main.py`` with no command: create the application, show the window, run."""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from explorer.threads import running_threads, stop_all_threads

if TYPE_CHECKING:  # pragma: no cover
    from explorer.ui.main_window import MainWindow

APP_NAME = "MobileNet Explorer"


def _light_palette() -> QPalette:
    """A fixed light palette: the charts are white, so the chrome matches on every desktop."""
    # Built from the button and window colours, so that every role is ours: from QPalette()
    # the bevel roles (Light, Mid, Dark, Shadow...) came from the system's palette, and on a
    # dark desktop separator lines turned near-black.
    p = QPalette(QColor("#eef0f3"), QColor("#f4f5f7"))
    colors = {
        QPalette.ColorRole.Window: "#f4f5f7",
        QPalette.ColorRole.WindowText: "#1f2328",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f6f8fa",
        QPalette.ColorRole.ToolTipBase: "#ffffe8",
        QPalette.ColorRole.ToolTipText: "#1f2328",
        QPalette.ColorRole.Text: "#1f2328",
        QPalette.ColorRole.Button: "#eef0f3",
        QPalette.ColorRole.ButtonText: "#1f2328",
        QPalette.ColorRole.Highlight: "#2f78c4",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8f98",
        QPalette.ColorRole.Link: "#2f78c4",
        QPalette.ColorRole.LinkVisited: "#6f42c1",
        QPalette.ColorRole.BrightText: "#ffffff",
    }
    if hasattr(QPalette.ColorRole, "Accent"):  # Qt 6.6
        colors[QPalette.ColorRole.Accent] = "#2f78c4"
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    # setColor(role, ...) sets every group, Disabled included: disabled buttons and the
    # greyed-out top-5 of a previous variant looked exactly like live ones.
    disabled = {
        QPalette.ColorRole.WindowText: "#8c959f",
        QPalette.ColorRole.Text: "#8c959f",
        QPalette.ColorRole.ButtonText: "#8c959f",
        QPalette.ColorRole.Button: "#f0f1f3",
        QPalette.ColorRole.Base: "#f6f7f9",
        QPalette.ColorRole.Highlight: "#a9c4e2",
    }
    for role, color in disabled.items():
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(color))
    return p


def configure_application(app: QApplication) -> None:
    """Style, palette, font and names shared by the GUI and the screenshot command."""
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("MobileNetExplorer")
    app.setStyle("Fusion")
    # Fusion (Qt 6.8+) draws check boxes after the platform's colour scheme, not the palette:
    # on a dark desktop the "Log scale" boxes lost their outline.  Ask for the light scheme
    # the palette is (also gives a light title bar on Windows).
    hints = app.styleHints()
    if hasattr(hints, "setColorScheme") and hasattr(Qt, "ColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Light)
    app.setPalette(_light_palette())
    font = QFont(app.font())
    if font.pointSizeF() < 9.5:
        font.setPointSizeF(9.5)
        app.setFont(font)
    # No application-wide style sheet on purpose: see explorer/ui/theme.py.


def check_qt_binding() -> None:
    """Raise UsageError when the installed PySide6 is known to crash (see explorer.qt_check)."""
    from explorer.cli import UsageError
    from explorer.qt_check import broken_pyside_message

    broken = broken_pyside_message()
    if broken:
        raise UsageError(broken)


def check_weights_args(args: argparse.Namespace) -> tuple[Path | None, Path | None]:
    """``--weights`` / ``--weights-dir`` as paths; raises UsageError when they do not exist."""
    from explorer.cli import UsageError

    weights = getattr(args, "weights", None)
    weights_dir = getattr(args, "weights_dir", None)
    if weights is not None and not Path(weights).is_file():
        raise UsageError(f"weights file {weights} does not exist")
    if weights_dir is not None and not Path(weights_dir).is_dir():
        raise UsageError(f"weights folder {weights_dir} does not exist")
    return (Path(weights) if weights else None, Path(weights_dir) if weights_dir else None)


def check_display() -> None:
    """Raise UsageError on a Linux box with no display (Qt would abort with a core dump)."""
    from explorer.cli import UsageError

    env = os.environ
    # offscreen, vnc, eglfs... bring their own output; xcb and wayland need a display server
    # (an explicit QT_QPA_PLATFORM=xcb without DISPLAY aborted with Qt's plugin message).
    needs_display = qpa_platform(env) in ("", "xcb", "wayland", "wayland-egl")
    if (sys.platform.startswith("linux") and needs_display
            and not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")):
        raise UsageError("no display found (DISPLAY and WAYLAND_DISPLAY are unset); run the"
                         " window on a desktop, or use report, paper, classify or screenshot"
                         " (which work headless)")
    problem = missing_wayland_server(env)
    if problem:
        raise UsageError(problem)
    asked = qpa_platforms(env)
    known = platform_plugins()
    if asked and known and not env.get("QT_QPA_PLATFORM_PLUGIN_PATH") and not any(
            name.startswith(plugin) for name in asked for plugin in known):
        # Qt prints a paragraph and aborts with a core dump.
        raise UsageError(f"QT_QPA_PLATFORM={env['QT_QPA_PLATFORM']} names no Qt platform"
                         f" plugin; this PySide6 has {', '.join(sorted(known))}")


def missing_wayland_server(env: Mapping[str, str]) -> str:
    """Why Qt's wayland plugin cannot connect, when it is the only way to a display, else "".

    With WAYLAND_DISPLAY set but no compositor listening (a stale variable after ssh or su)
    and no X display to fall back on, Qt printed a paragraph and aborted with a core dump.
    """
    name = env.get("WAYLAND_DISPLAY", "")
    if (not sys.platform.startswith("linux") or not name or env.get("DISPLAY")
            or qpa_platform(env) not in ("", "wayland", "wayland-egl")):
        return ""
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(name):
        socket = name
    elif runtime:
        socket = os.path.join(runtime, name)
    else:
        return (f"WAYLAND_DISPLAY={name} is set but XDG_RUNTIME_DIR is not, so no Wayland"
                " server can be reached; run the window on a desktop, or use report, paper,"
                " classify or screenshot (which work headless)")
    if os.path.exists(socket):
        return ""
    return (f"no Wayland server is listening at {socket} (WAYLAND_DISPLAY={name}) and there is"
            " no X display to fall back on; run the window on a desktop, or use report,"
            " paper, classify or screenshot (which work headless)")


def platform_plugins() -> set[str]:
    """Names of the platform plugins PySide6 ships (libqxcb.so -> "xcb"); empty if unknown.
    One plugin can serve several names ("wayland" also serves "wayland-egl")."""
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    try:
        files = [f.name for f in folder.iterdir() if f.is_file()]
    except OSError:
        return set()
    names = set()
    for name in files:
        stem = name.split(".")[0]
        for prefix in ("libq", "q"):
            if stem.startswith(prefix):
                names.add(stem[len(prefix):].lower())
                break
    return names


#: Libraries Qt's xcb platform plugin links against that a desktop may lack (from `ldd` of
#: PySide6's libqxcb.so), with the Debian/Ubuntu package of each.  Without one of them Qt
#: aborts with a core dump, and its message names libxcb-cursor0 whichever one is missing.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libX11-xcb.so.1": "libx11-xcb1",
}


def qpa_platforms(env: Mapping[str, str]) -> list[str]:
    """The Qt platform plugins asked for, in the order Qt tries them
    (``QT_QPA_PLATFORM=wayland;xcb`` -> ["wayland", "xcb"]; ``xcb:foo`` -> ["xcb"])."""
    return [name.split(":")[0].strip().lower()
            for name in env.get("QT_QPA_PLATFORM", "").split(";") if name.strip()]


def qpa_platform(env: Mapping[str, str]) -> str:
    """The first Qt platform plugin asked for, or "" when none is."""
    platforms = qpa_platforms(env)
    return platforms[0] if platforms else ""


def uses_xcb(env: Mapping[str, str]) -> bool:
    """Whether Qt will load its xcb (X11) plugin: asked for, or an X display outside a
    Wayland session (where Qt 6 prefers its wayland plugin)."""
    platform = qpa_platform(env)
    if platform:
        return platform == "xcb"
    wayland = bool(env.get("WAYLAND_DISPLAY")) and env.get("XDG_SESSION_TYPE") == "wayland"
    return bool(env.get("DISPLAY")) and not wayland


def missing_xcb_packages(load: Callable[[str], object] = ctypes.CDLL) -> list[str]:
    """Debian packages of the xcb plugin's libraries that cannot be loaded."""
    missing = []
    for library, package in XCB_LIBRARIES.items():
        try:
            load(library)
        except OSError:
            missing.append(package)
    return missing


def check_xcb_libraries() -> None:
    """Raise UsageError naming the packages to install when Qt's xcb plugin would abort."""
    from explorer.cli import UsageError

    if not sys.platform.startswith("linux") or not uses_xcb(os.environ):
        return
    missing = missing_xcb_packages()
    if missing:
        raise UsageError(f"Qt's X11 (xcb) plugin needs libraries this system lacks; install"
                         f" them with: apt-get install -y {' '.join(missing)}")


def apply_variant_args(window: MainWindow, args: argparse.Namespace) -> None:
    """``python main.py --alpha 0.5 --resolution 160``: start at that variant instead of the
    one the last session ended on; an option left out keeps the restored value."""
    alpha = getattr(args, "window_alpha", None)
    resolution = getattr(args, "window_resolution", None)
    if alpha is None and resolution is None:
        return
    spec = window.state.spec
    window.state.set_variant(spec.alpha if alpha is None else alpha,
                             spec.resolution if resolution is None else resolution)


def close_on_signals(app: QApplication, window: MainWindow) -> None:
    """Ctrl+C in the terminal, or SIGTERM (logout, ``kill``), closes the window as its close
    button does, so the variant and layout are saved: Ctrl+C did nothing, and SIGTERM ended
    the process without saving."""
    import signal

    from PySide6.QtCore import QTimer

    def close(_signum: int, _frame: object) -> None:
        QTimer.singleShot(0, window.close)

    for name in ("SIGINT", "SIGTERM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), close)
    # Python runs a signal handler only between bytecodes, and Qt's event loop is C++: a
    # no-op timer lets the interpreter in four times a second.
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)


def run_gui(args: argparse.Namespace) -> int:
    """Show the main window and run the event loop; returns the exit status."""
    check_display()
    check_xcb_libraries()
    check_qt_binding()
    weights, weights_dir = check_weights_args(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    from explorer.ui.main_window import MainWindow

    window = MainWindow(weights_path=weights, weights_dir=weights_dir)
    apply_variant_args(window, args)
    close_on_signals(app, window)
    # Belt and braces: closeEvent stops threads too, but quitting by other means
    # (session logout, Ctrl+C handler) only emits aboutToQuit.
    app.aboutToQuit.connect(stop_all_threads)
    window.show()
    status = app.exec()
    if running_threads():
        # A worker stuck in an uninterruptible call (importing TensorFlow takes ~2 s) would
        # keep the process alive after the window closed.  Settings are saved in closeEvent,
        # so leave now rather than make the user wait or see "QThread destroyed" warnings.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status
