"""``screenshot`` renders a real PNG offscreen; bad arguments exit 2 and write nothing.

For ``--view classify`` a bad photo or bad weights, and a failed engine build, are errors too:
one line on stderr, exit 2, no PNG of the error banner.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from PIL import Image
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


def test_screenshot_of_the_blocks_table(qapp, tmp_path: Path) -> None:
    """--view blocks-table: the Standard vs separable view as its table (totals row tint, no
    chart bars), whatever mode the saved settings hold."""
    out = tmp_path / "table.png"
    assert main(["screenshot", "--output", str(out), "--view", "blocks-table"]) == 0
    image = QImage(str(out))
    colours = {image.pixelColor(x, y).name() for x in range(400, 1400, 5)
               for y in range(150, 800, 3)}
    assert "#e3e7ec" in colours  # the totals row
    assert "#2f78c4" not in colours and "#d0674f" not in colours  # no bars


@pytest.mark.parametrize("args,message", [
    (["--view", "nope"], "unknown view"),
    (["--output-suffix", ".jpg"], "must be a .png"),
    (["--view", "classify"], "needs --image"),
    (["--view", "layers", "--image", "x.jpg"], "only used with --view classify"),
    # The weights only reach the Classify view: a bad file was accepted without a word.
    (["--view", "layers", "--weights", "bad.h5"], "--weights is only used with --view"),
    (["--view", "compare", "--weights-dir", "d"], "--weights-dir is only used with --view"),
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
    Image.new("RGB", (64, 48), (200, 120, 40)).save(photo)  # a readable photo
    out = tmp_path / "classify.png"
    assert main(["screenshot", "--output", str(out), "--view", "classify",
                 "--image", str(photo)]) == 2
    assert "classify view" in capsys.readouterr().err
    assert not out.exists()


CLASSIFY = ["--view", "classify", "--alpha", "0.5", "--resolution", "160"]
WEIGHTS_0_5 = "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("mobilenet-explorer screenshot: error: "), err
    return err


def _bad_photo(tmp_path: Path, kind: str, fixtures_dir: Path) -> Path:
    photo = tmp_path / "in" / f"{kind}.jpg"
    photo.parent.mkdir()
    if kind == "text":
        photo.write_text("this is a text file renamed .jpg\n")
    elif kind == "empty":
        photo.write_bytes(b"")
    else:  # the first 4 kB of a real JPEG
        photo.write_bytes((fixtures_dir / "images" / "panda.jpg").read_bytes()[:4000])
    return photo


@pytest.mark.fixtures
@pytest.mark.parametrize("kind", ["text", "empty", "truncated"])
def test_screenshot_classify_bad_photo_fails_at_once(qapp, tmp_path: Path, capsys,
                                                     fixtures_dir: Path, kind: str) -> None:
    """Used to wait 180 s for predictions that never came, then write the error banner."""
    photo = _bad_photo(tmp_path, kind, fixtures_dir)
    out = tmp_path / "classify.png"
    start = time.monotonic()
    assert main(["screenshot", "--output", str(out), *CLASSIFY, "--image", str(photo),
                 "--weights", str(fixtures_dir / WEIGHTS_0_5)]) == 2
    assert time.monotonic() - start < 30  # checked before Qt and TensorFlow start
    err = _one_error_line(capsys)
    assert str(photo) in err and "--image" in err
    assert list(tmp_path.iterdir()) == [photo.parent]


def test_screenshot_classify_image_is_a_folder(qapp, tmp_path: Path, capsys) -> None:
    out = tmp_path / "classify.png"
    assert main(["screenshot", "--output", str(out), *CLASSIFY, "--image", str(tmp_path)]) == 2
    assert "is a folder, not an image file" in _one_error_line(capsys)
    assert not out.exists()


@pytest.mark.fixtures
@pytest.mark.parametrize("weights,message", [
    ("truncated", "truncated.h5"),
    ("weights/derived_from_coral_quant_tflite/mobilenet_7_5_192_tf.h5", "alpha 0.75"),
])
def test_screenshot_classify_bad_weights_exit_2(qapp, tmp_path: Path, capsys,
                                                fixtures_dir: Path, weights: str,
                                                message: str) -> None:
    """Rejected up front as ``classify`` rejects them, not shown in a PNG banner."""
    if weights == "truncated":
        path = tmp_path / "in" / "truncated.h5"
        path.parent.mkdir()
        path.write_bytes((fixtures_dir / WEIGHTS_0_5).read_bytes()[:300_000])
    else:
        path = fixtures_dir / weights
    out = tmp_path / "classify.png"
    assert main(["screenshot", "--output", str(out), *CLASSIFY, "--weights", str(path),
                 "--image", str(fixtures_dir / "images" / "panda.jpg")]) == 2
    assert message in _one_error_line(capsys)
    assert not out.exists()


@pytest.mark.fixtures
def test_screenshot_classify_build_failure_exit_2(qapp, tmp_path: Path, capsys,
                                                  fixtures_dir: Path, monkeypatch) -> None:
    """Weights that pass inspection but fail to build: the build error is the one line."""
    import explorer.vision.worker as worker_module

    def failing_factory(request, progress=None, cancel=None):
        raise RuntimeError("converter crashed\nwith a second line")

    monkeypatch.setattr(worker_module, "default_engine_factory", failing_factory)
    out = tmp_path / "classify.png"
    assert main(["screenshot", "--output", str(out), *CLASSIFY,
                 "--weights", str(fixtures_dir / WEIGHTS_0_5),
                 "--image", str(fixtures_dir / "images" / "panda.jpg")]) == 2
    err = _one_error_line(capsys)
    assert "Could not build MobileNet 0.5-160" in err
    assert "converter crashed" in err and "second line" not in err
    assert list(tmp_path.iterdir()) == []


def test_alpha_below_the_windows_spin_box_is_refused(qapp, tmp_path: Path, capsys) -> None:
    """0.03125 is a valid model (report takes it) but the window's alpha box stops at 0.05
    and showed 0.05 beside a summary for 0.03125."""
    assert main(["screenshot", "--output", str(tmp_path / "a.png"), "--alpha", "0.03125"]) == 2
    assert "goes from 0.05 to 4" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_c_locale_gets_no_qt_notice(tmp_path: Path) -> None:
    """Under LC_ALL=C (containers, cron, CI) Qt printed four lines ("Detected locale "C" with
    character encoding "ANSI_X3.4-1968" ...") before every command's own output."""
    import locale
    import os
    import subprocess

    try:
        before = locale.setlocale(locale.LC_CTYPE)
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
        locale.setlocale(locale.LC_CTYPE, before)
    except locale.Error:
        pytest.skip("this system has no C.UTF-8 locale")
    env = dict(os.environ, LC_ALL="C", QT_QPA_PLATFORM="offscreen")
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "main.py", "screenshot", "--output", str(out)],
                            cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and out.exists()
