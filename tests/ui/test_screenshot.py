"""``screenshot`` renders a real PNG offscreen; bad arguments exit 2 and write nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from explorer.cli import main


def test_screenshot_writes_png(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "blocks.png"
    assert main(["screenshot", "--output", str(out), "--view", "blocks", "--alpha", "0.5",
                 "--resolution", "160"]) == 0
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (1400, 900)
    # Not a blank image: the chart's blue and red bars are in it.
    colours = {image.pixelColor(x, y).name() for x in range(400, 1400, 7)
               for y in range(150, 800, 7)}
    assert "#2f78c4" in colours and "#d0674f" in colours
    assert "wrote" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == ["blocks.png"]  # no temp files left


@pytest.mark.parametrize("args,message", [
    (["--view", "nope"], "unknown view"),
    (["--output-suffix", ".jpg"], "must be a .png"),
    (["--view", "classify"], "needs --image"),
    (["--view", "layers", "--image", "x.jpg"], "only used with --view classify"),
])
def test_screenshot_bad_arguments(qapp, tmp_path: Path, capsys, args, message) -> None:
    suffix = ".png"
    if args[0] == "--output-suffix":
        suffix, args = args[1], []
    out = tmp_path / f"shot{suffix}"
    assert main(["screenshot", "--output", str(out), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_screenshot_missing_folder(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "missing" / "shot.png"
    assert main(["screenshot", "--output", str(out)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.parent.exists()


def test_screenshot_classify_without_panel_module(qapp, tmp_path: Path, capsys,
                                                   monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "explorer.ui.classify_panel", None)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"not really a jpeg")
    out = tmp_path / "classify.png"
    assert main(["screenshot", "--output", str(out), "--view", "classify",
                 "--image", str(photo)]) == 2
    assert "classify view" in capsys.readouterr().err
    assert not out.exists()
