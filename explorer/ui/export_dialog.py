"""File > Export: the layer table as CSV, JSON or Markdown, identical to ``report``.

The text comes from ``explorer.arch.export.render_report`` and is written atomically by
``explorer.cli.write_output``, so an export equals ``python main.py report --format F`` for
the same variant and a failed write leaves nothing behind.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from explorer.arch.export import render_report
from explorer.arch.spec import MobileNetSpec

#: format -> (menu label, file suffix, file-dialog filter)
EXPORT_FORMATS: dict[str, tuple[str, str, str]] = {
    "csv": ("CSV", ".csv", "CSV files (*.csv)"),
    "json": ("JSON", ".json", "JSON files (*.json)"),
    "markdown": ("Markdown", ".md", "Markdown files (*.md)"),
}


class ExportError(Exception):
    """The export could not be written; the message says what to do."""


def default_file_name(spec: MobileNetSpec, fmt: str) -> str:
    return f"mobilenet_{spec.label}{EXPORT_FORMATS[fmt][1]}"


def export_report(spec: MobileNetSpec, fmt: str, path: Path) -> None:
    """Write the report for ``spec`` in ``fmt`` to ``path``; raises ExportError."""
    from explorer.cli import UsageError, write_output  # cli imports nothing heavy

    if fmt not in EXPORT_FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; choose csv, json or markdown")
    try:
        write_output(render_report(spec, fmt), Path(path))
    except UsageError as exc:
        raise ExportError(f"{exc}. Choose a folder you can write to.") from None


def format_for_name(path: Path, fmt: str) -> str:
    """The format to write to ``path``: the one its ending names, by the same table as
    ``report --output`` (CSV export to ``table.json`` wrote CSV into a .json file), else the
    menu's ``fmt``."""
    from explorer.cli import FORMAT_BY_SUFFIX  # cli imports nothing heavy

    named = FORMAT_BY_SUFFIX.get(path.suffix.lower())
    return named if named in EXPORT_FORMATS else fmt


def with_default_suffix(path: Path, fmt: str) -> Path:
    """``path``, plus the format's ending when the name typed has none (Qt's own dialog
    saved "plain" as a file without one; native dialogs add it).  What follows the last dot
    counts as an ending only if it looks like one: the app's own names carry a dot
    ("mobilenet_0.5-160"), whose ".5-160" is not."""
    if re.fullmatch(r"\.[A-Za-z][A-Za-z0-9]{0,7}", path.suffix):
        return path
    return path.with_name(path.name + EXPORT_FORMATS[fmt][1])


def ask_export_path(parent: QWidget, spec: MobileNetSpec, fmt: str,
                    folder: str = "") -> Path | None:
    """Ask where to save (a name without an ending gets the format's); None when the user
    cancels."""
    label, _suffix, file_filter = EXPORT_FORMATS[fmt]
    start = str(Path(folder) / default_file_name(spec, fmt)) if folder else \
        default_file_name(spec, fmt)
    what = "layer table" if fmt == "csv" else "report"  # as the File menu says
    path, _ = QFileDialog.getSaveFileName(parent, f"Export {what} as {label}", start,
                                          file_filter)
    if not path:
        return None
    chosen = with_default_suffix(Path(path), fmt)
    if chosen != Path(path) and chosen.exists():
        # The dialog asked about the name typed ("plain"), not about "plain.md".
        answer = QMessageBox.question(
            parent, "Replace file?", f"{chosen.name} already exists in {chosen.parent}."
            " Replace it?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return chosen
