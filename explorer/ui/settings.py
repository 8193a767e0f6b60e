"""QSettings access: the ini file named by MOBILENET_EXPLORER_SETTINGS, else the user's default.

Tests and automation set the environment variable so they never touch the user's settings.
Values read back are validated: a corrupt or hand-edited file falls back to defaults.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QSettings

from explorer.arch.spec import MobileNetSpec

SETTINGS_ENV = "MOBILENET_EXPLORER_SETTINGS"
ORGANIZATION = "MobileNetExplorer"
APPLICATION = "mobilenet-explorer"

KEY_GEOMETRY = "window/geometry"
KEY_STATE = "window/state"
KEY_TAB = "window/tab"
KEY_ALPHA = "variant/alpha"
KEY_RESOLUTION = "variant/resolution"
KEY_LOG_SCALE = "blocks/log_scale"
KEY_BLOCKS_MODE = "blocks/mode"
KEY_COMPARE_LOG_SCALE = "compare/log_scale"
KEY_ENGINE = "classify/engine"
KEY_DEVICE = "classify/device"


#: Settings files found not to be ini files -> the scratch file used instead this session.
#: Decided once per file: Qt caches a file it has read, and a second QSettings on it
#: reports no error, so the Classify view's settings would have overwritten it after all.
_UNUSABLE: dict[str, str] = {}
#: Why the settings file is not used (see app_settings); "" when it is fine.
_problem = ""


def app_settings() -> QSettings:
    """The app's settings store (ini format in both cases, so it is easy to inspect).

    A file that is not an ini file (``MOBILENET_EXPLORER_SETTINGS=notes.txt``, a photo, a
    damaged file) is left alone: QSettings would rewrite it as ini on the first save, and
    the user's notes were gone.  The session then keeps its settings in a scratch file and
    ``settings_problem()`` says why.
    """
    global _problem
    path = os.environ.get(SETTINGS_ENV)
    if path:
        settings = QSettings(os.path.expanduser(path), QSettings.Format.IniFormat)
    else:
        settings = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                             ORGANIZATION, APPLICATION)
    name = settings.fileName()
    if name not in _UNUSABLE:
        settings.allKeys()  # status() is only known once the file was read
        if settings.status() != QSettings.Status.FormatError:
            if not settings.isWritable() and not _problem:
                # A folder, or a file or folder one may not write: said only on stderr at
                # close, which a user started from a desktop launcher never saw.
                _problem = (f"{name} cannot be written, so this session's settings are not"
                            " saved")
            return settings
        _UNUSABLE[name] = _scratch_file()
        _problem = (f"{name} is not a settings (ini) file, so it was left as it is and this"
                    " session's settings are not saved")
    return QSettings(_UNUSABLE[name], QSettings.Format.IniFormat)


def _scratch_file() -> str:
    import tempfile

    folder = tempfile.mkdtemp(prefix="mobilenet-explorer-settings-")
    return os.path.join(folder, "settings.ini")


def settings_problem() -> str:
    """Why the settings file is not used this session, or ""."""
    return _problem


def load_variant(settings: QSettings) -> MobileNetSpec | None:
    """The last variant saved, or None when absent or invalid."""
    alpha = settings.value(KEY_ALPHA)
    resolution = settings.value(KEY_RESOLUTION)
    if alpha is None or resolution is None:
        return None
    from explorer.ui.controls import window_alpha_problem

    try:
        spec = MobileNetSpec(float(alpha), int(resolution))
    except (TypeError, ValueError):
        return None
    # A value the controls cannot show (alpha 0.04 displayed as 0.05 beside a 0.04
    # summary) counts as invalid, like any other edit of the file.
    if window_alpha_problem(spec.alpha):
        return None
    return spec


def save_variant(settings: QSettings, spec: MobileNetSpec) -> None:
    settings.setValue(KEY_ALPHA, spec.alpha)
    settings.setValue(KEY_RESOLUTION, spec.resolution)


def read_bool(settings: QSettings, key: str, default: bool = False) -> bool:
    value = settings.value(key, default)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def read_choice(settings: QSettings, key: str, allowed: tuple[str, ...], default: str) -> str:
    """A saved menu choice, or ``default`` when absent or not one of ``allowed``."""
    value = settings.value(key, default)
    return value if isinstance(value, str) and value in allowed else default
