"""Locate files in the top-level ``resources/`` folder (icons, style sheet).

From a checkout (or an editable install) that is ``resources/`` beside ``explorer/``; a wheel
installs the same files as data into ``<prefix>/share/mobilenet-explorer``.
"""

from __future__ import annotations

import sys
from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"
#: Where a wheel (``pip install .``) puts them.
INSTALLED_RESOURCES_DIR = Path(sys.prefix) / "share" / "mobilenet-explorer"


def resource_path(name: str) -> Path:
    """Absolute path of ``resources/<name>``; raises FileNotFoundError naming the file."""
    for folder in (RESOURCES_DIR, INSTALLED_RESOURCES_DIR):
        path = folder / name
        if path.exists():
            return path
    raise FileNotFoundError(f"resource {name!r} not found in {RESOURCES_DIR} or"
                            f" {INSTALLED_RESOURCES_DIR}")
