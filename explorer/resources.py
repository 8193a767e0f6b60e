"""Locate files in the top-level ``resources/`` folder (icons, style sheet)."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent.parent / "resources"


def resource_path(name: str) -> Path:
    """Absolute path of ``resources/<name>``; raises FileNotFoundError naming the file."""
    path = RESOURCES_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"resource {name!r} not found in {RESOURCES_DIR}")
    return path
