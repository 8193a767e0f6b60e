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


def app_settings() -> QSettings:
    """The app's settings store (ini format in both cases, so it is easy to inspect)."""
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION,
                     APPLICATION)


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
