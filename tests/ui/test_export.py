"""File > Export writes exactly what ``report`` writes; failures keep the table and say why."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from explorer.arch import MobileNetSpec
from explorer.cli import main
from explorer.ui.layer_table import COL_MACS


@pytest.mark.parametrize("fmt,suffix", [("csv", ".csv"), ("json", ".json"),
                                         ("markdown", ".md")])
def test_export_round_trips_with_report(window, tmp_path: Path, fmt: str, suffix: str) -> None:
    window.state.set_variant(0.5, 160)
    exported = tmp_path / f"table{suffix}"
    assert window.export_table(fmt, exported) is True
    reported = tmp_path / f"report{suffix}"
    assert main(["report", "--alpha", "0.5", "--resolution", "160", "--format", fmt,
                 "--output", str(reported)]) == 0
    assert exported.read_bytes() == reported.read_bytes()
    assert window.last_error is None
    assert "Exported MobileNet 0.5-160" in window.statusBar().currentMessage()


def _table_snapshot(window):
    model = window.layer_panel.model
    return model.rowCount(), [model.raw_value(r, COL_MACS) for r in range(model.rowCount())]


def test_export_to_missing_folder_reports_and_keeps_table(window, tmp_path: Path) -> None:
    before = _table_snapshot(window)
    target = tmp_path / "missing" / "table.csv"
    assert window.export_table("csv", target) is False
    assert not target.exists() and not target.parent.exists()
    assert "does not exist" in window.last_error
    assert window.error_box is not None and window.error_box.isVisible()
    assert "does not exist" in window.error_box.text()
    assert _table_snapshot(window) == before
    assert window.state.spec == MobileNetSpec()
    window.error_box.close()


def test_export_into_a_file_path_reports(window, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")
    assert window.export_table("json", not_a_folder / "table.json") is False
    assert window.last_error
    assert not_a_folder.read_text() == "x"


def test_export_under_a_folder_name_too_long_reports(window, tmp_path: Path) -> None:
    """OSError from the folder check escaped the slot: no message, nothing written."""
    target = tmp_path / ("x" * 300) / "table.csv"
    assert window.export_table("csv", target) is False
    assert "File name too long" in window.last_error
    assert window.error_box is not None and window.error_box.isVisible()
    window.error_box.close()


def test_export_to_read_only_folder_reports_and_keeps_table(window, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as a user who can write to read-only folders (root)")
        before = _table_snapshot(window)
        assert window.export_table("markdown", folder / "table.md") is False
        assert "cannot write" in window.last_error
        assert list(folder.iterdir()) == []
        assert _table_snapshot(window) == before
    finally:
        folder.chmod(0o755)


def test_export_permission_denied_reports_and_keeps_table(window, tmp_path: Path,
                                                          monkeypatch) -> None:
    """The read-only case as root sees it: the OS refuses the write (EACCES)."""
    import explorer.atomic_write as atomic

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    before = _table_snapshot(window)
    assert window.export_table("csv", tmp_path / "table.csv") is False
    assert "Permission denied" in window.last_error
    assert list(tmp_path.iterdir()) == []
    assert _table_snapshot(window) == before
    window.error_box.close()


def test_report_output_keeps_normal_permissions(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    assert main(["report", "--format", "csv", "--output", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_export_name_picks_the_format_and_gets_an_ending(window, tmp_path: Path,
                                                         monkeypatch) -> None:
    """CSV export to "table.json" wrote CSV into a .json file, and "plain" was saved without
    an ending (Qt's own dialog adds none)."""
    import json

    from PySide6.QtWidgets import QFileDialog

    assert window.export_table("csv", tmp_path / "table.json") is True
    json.loads((tmp_path / "table.json").read_text())  # JSON, as report --output would write
    assert "Exported MobileNet 1.0-224 as JSON" in window.statusBar().currentMessage()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "plain"), "")))
    assert window.export_table("markdown") is True
    assert (tmp_path / "plain.md").read_text().startswith("#")
    assert not (tmp_path / "plain").exists()


def test_export_ending_added_to_dotted_names_and_replacing_it_asks(window, tmp_path: Path,
                                                                   monkeypatch) -> None:
    """The app's own names hold a dot: "mobilenet_0.5-160" (its ".5-160" no ending) was
    saved without ".csv".  And "plain" -> plain.md replaced an existing plain.md unasked."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    typed = {"name": str(tmp_path / "mobilenet_0.5-160")}
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (typed["name"], "")))
    assert window.export_table("csv") is True
    assert (tmp_path / "mobilenet_0.5-160.csv").read_text().startswith("index,name,kind,")

    (tmp_path / "plain.md").write_text("keep me")
    typed["name"] = str(tmp_path / "plain")
    answers = []

    def answer(*args, **kwargs):
        answers.append(args[2])
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    assert window.export_table("markdown") is False
    assert (tmp_path / "plain.md").read_text() == "keep me"
    assert answers and "plain.md already exists" in answers[0]
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    assert window.export_table("markdown") is True
    assert (tmp_path / "plain.md").read_text().startswith("#")
