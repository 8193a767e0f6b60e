"""`python main.py classify`: same top-1 as Keras with the same weights; errors; exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.cli import main

REPO = Path(__file__).resolve().parents[2]
DERIVED = "weights/derived_from_coral_quant_tflite"


@pytest.fixture(autouse=True)
def _tmp_engine_cache(tmp_path_factory: pytest.TempPathFactory,
                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOBILENET_EXPLORER_CACHE", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def photo(tmp_path: Path) -> str:
    """A small real PNG: the weights checks below run once an existing image is named."""
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (8, 8), (120, 80, 40)).save(path)
    return str(path)


def _photos(fixtures_dir: Path) -> list[Path]:
    photos = sorted((fixtures_dir / "images").iterdir())
    assert len(photos) == 12
    return photos


@pytest.fixture(scope="module")
def keras_top1(fixtures_dir: Path) -> dict[str, str]:
    """keras.applications.MobileNet with the same 0.5/160 file, built once for the module.

    Preprocessed independently of our code: PIL RGB, centred square crop, bilinear resize,
    keras.applications.mobilenet.preprocess_input; labels from the fixture class index.
    """
    import keras
    from keras.applications.mobilenet import preprocess_input
    from PIL import Image

    weights = fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5"
    model = keras.applications.MobileNet(alpha=0.5, input_shape=(160, 160, 3),
                                         weights=str(weights))
    index = json.loads((fixtures_dir / "imagenet_class_index.json").read_text())
    batch = []
    for path in _photos(fixtures_dir):
        img = Image.open(path).convert("RGB")
        w, h = img.size
        s = min(w, h)
        left, top = (w - s) // 2, (h - s) // 2
        img = img.crop((left, top, left + s, top + s)).resize((160, 160), Image.BILINEAR)
        batch.append(np.asarray(img, np.float32))
    probs = model.predict(preprocess_input(np.stack(batch)), verbose=0)
    return {p.name: index[str(int(np.argmax(row)))][1]
            for p, row in zip(_photos(fixtures_dir), probs, strict=True)}


@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.slow
def test_done_when_classify_matches_keras_top1(fixtures_dir: Path, keras_top1, tmp_path: Path,
                                               ) -> None:
    weights = fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5"
    photos = _photos(fixtures_dir)
    env = dict(os.environ, MOBILENET_EXPLORER_CACHE=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "main.py", "classify", *map(str, photos), "--alpha", "0.5",
         "--resolution", "160", "--weights", str(weights), "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr
    doc = json.loads(result.stdout)
    assert [entry["image"] for entry in doc] == [str(p) for p in photos]
    ours = {}
    for entry in doc:
        assert set(entry) == {"image", "predictions"}
        preds = entry["predictions"]
        assert len(preds) == 5
        assert all(set(p) == {"label", "class_index", "probability"} for p in preds)
        probs = [p["probability"] for p in preds]
        assert probs == sorted(probs, reverse=True) and 0 < probs[0] <= 1
        ours[Path(entry["image"]).name] = preds[0]["label"]
    assert ours == keras_top1
    assert ours["panda.jpg"] == "giant_panda"
    assert ours["soccer_ball.jpg"] == "soccer_ball"
    assert ours["hot_dog.jpg"] == "hotdog"


@pytest.mark.tf
@pytest.mark.fixtures
def test_unreadable_images_reported_per_image(fixtures_dir: Path, tmp_path: Path, capsys,
                                              ) -> None:
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    empty = tmp_path / "empty file.jpg"
    empty.write_bytes(b"")
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    missing = tmp_path / "gone.jpg"
    panda = fixtures_dir / "images" / "panda.jpg"
    code = main(["classify", str(empty), str(panda), str(text), str(missing),
                 "--alpha", "0.25", "--resolution", "128", "--weights", str(weights),
                 "--format", "json", "--top", "3"])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 3
    assert "empty file.jpg" in lines[0] and "0 bytes" in lines[0]
    assert "notes.png" in lines[1] and "not an image" in lines[1]
    assert "gone.jpg" in lines[2] and "no such file" in lines[2]
    doc = json.loads(out)
    assert [Path(e["image"]).name for e in doc] == ["empty file.jpg", "panda.jpg", "notes.png",
                                                   "gone.jpg"]
    assert doc[1]["predictions"][0]["label"] == "giant_panda"
    assert len(doc[1]["predictions"]) == 3 and "error" not in doc[1]
    assert doc[0]["predictions"] == [] and "0 bytes" in doc[0]["error"]


@pytest.mark.fixtures
def test_unreadable_image_said_once_when_stderr_joins_stdout(fixtures_dir: Path,
                                                             tmp_path: Path) -> None:
    """On a terminal (or with 2>&1) each bad file was printed twice, the stderr copy
    sometimes before the block it belongs to."""
    import subprocess
    import sys

    bad = tmp_path / "fake.jpg"
    bad.write_text("not an image")
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    argv = [sys.executable, "main.py", "classify", str(bad), "--alpha", "0.25",
            "--resolution", "128", "--weights", str(weights)]
    repo = Path(__file__).resolve().parents[2]
    joined = subprocess.run(argv, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, timeout=120)
    assert joined.returncode == 1 and joined.stdout.count("fake.jpg: not an image") == 1
    apart = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120)
    assert "fake.jpg: not an image" in apart.stdout and "fake.jpg: not an image" in apart.stderr
    # JSON with 2>&1 (`> out.json 2>&1`): the error line came ahead of the JSON, which then
    # did not parse; the entry's "error" already says it.
    joined = subprocess.run(argv + ["--format", "json"], cwd=repo, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=120)
    assert joined.returncode == 1
    assert "not an image" in json.loads(joined.stdout)[0]["error"]


@pytest.mark.tf
@pytest.mark.fixtures
def test_text_output_names_weights_and_engine(fixtures_dir: Path, capsys) -> None:
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    code = main(["classify", str(fixtures_dir / "images" / "soccer_ball.jpg"), "--alpha", "0.25",
                 "--resolution", "128", "--weights", str(weights), "--engine", "tf"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "mobilenet_2_5_128_tf.h5" in out and "TensorFlow tf.function" in out
    first = [line for line in out.splitlines() if line.strip().startswith("1.")][0]
    assert "soccer_ball" in first


def _run_error(argv: list[str], capsys) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.fixtures
def test_wrong_alpha_weights_exit_2(fixtures_dir: Path, photo: str, capsys) -> None:
    err = _run_error(["classify", photo, "--alpha", "0.75", "--resolution", "192",
                      "--weights", str(fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5")],
                     capsys)
    assert "this file holds alpha 0.50 weights; the model is alpha 0.75" in err


@pytest.mark.fixtures
def test_no_top_weights_exit_2(fixtures_dir: Path, photo: str, capsys) -> None:
    err = _run_error(["classify", photo, "--alpha", "0.25", "--weights",
                      str(fixtures_dir / "weights" / "mobilenet_2_5_224_tf_no_top.h5")], capsys)
    assert "no-top" in err and "cannot classify" in err


def test_not_hdf5_weights_exit_2(tmp_path: Path, photo: str, capsys) -> None:
    bad = tmp_path / "weights.h5"
    bad.write_text("nope")
    err = _run_error(["classify", photo, "--alpha", "0.5", "--weights", str(bad)], capsys)
    assert "is not an HDF5 file" in err


def test_missing_pretrained_file_exit_2(photo: str, capsys) -> None:
    err = _run_error(["classify", photo, "--alpha", "0.75", "--resolution", "192"], capsys)
    assert "mobilenet_7_5_192_tf.h5" in err and "--weights FILE" in err
    assert "storage.googleapis.com" in err and "meaningless" in err


def test_folder_with_only_a_no_top_file_says_so(tmp_path: Path, photo: str, capsys) -> None:
    """It said "no weights file ... found" beside the very file the user had put there."""
    (tmp_path / "mobilenet_2_5_224_tf_no_top.h5").write_bytes(b"")
    err = _run_error(["classify", photo, "--alpha", "0.25", "--weights-dir", str(tmp_path)],
                     capsys)
    assert "only mobilenet_2_5_224_tf_no_top.h5, a no-top file" in err


def test_missing_image_is_named_before_missing_weights(tmp_path: Path, capsys) -> None:
    """Both wrong: the mistyped path is what the one error line names."""
    err = _run_error(["classify", str(tmp_path / "gone.jpg"), "--alpha", "0.75",
                      "--resolution", "192"], capsys)
    assert "no such image" in err and "gone.jpg" in err and "weights" not in err


def test_alpha_without_pretrained_weights_exit_2(photo: str, capsys) -> None:
    err = _run_error(["classify", photo, "--alpha", "0.6"], capsys)
    assert "no ImageNet weights exist for alpha 0.6" in err and "nearest: 0.5" in err


def test_missing_weights_dir_exit_2(tmp_path: Path, photo: str, capsys) -> None:
    err = _run_error(["classify", photo, "--alpha", "0.5", "--weights-dir",
                      str(tmp_path / "nowhere")], capsys)
    assert "is not a folder" in err


@pytest.mark.tf
@pytest.mark.fixtures
def test_gpu_without_gpu_exit_2(fixtures_dir: Path, photo: str, capsys) -> None:
    from explorer.vision.devices import list_gpus

    if list_gpus():
        pytest.skip("this machine has a GPU")
    err = _run_error(["classify", photo, "--alpha", "0.5", "--device", "gpu", "--weights",
                      str(fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5")], capsys)
    assert "sees no GPU" in err


@pytest.mark.fixtures
def test_only_missing_images_is_a_usage_error(tmp_path: Path, fixtures_dir: Path,
                                              capsys) -> None:
    """Issue 6: `classify missing.jpg` is a bad argument: one line, exit 2, no model built."""
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    code = main(["classify", str(tmp_path / "missing one.jpg"), "--alpha", "0.25",
                 "--resolution", "128", "--weights", str(weights), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no such image" in err and "missing one.jpg" in err


@pytest.mark.fixtures
def test_int8_engine_from_the_command_line(fixtures_dir: Path, capsys) -> None:
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    code = main(["classify", str(fixtures_dir / "images" / "panda.jpg"), "--alpha", "0.25",
                 "--resolution", "128", "--weights", str(weights), "--engine", "int8"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "# engine: LiteRT int8 (Google QAT model: uint8 tensors, XNNPACK)" in out
    assert "mobilenet_v1_0.25_128_quant.tflite" in out
    first = [line for line in out.splitlines() if line.strip().startswith("1.")][0]
    assert "giant_panda" in first


@pytest.mark.fixtures
def test_int8_top5_is_not_padded_with_zero_classes(fixtures_dir: Path, capsys) -> None:
    """0.5-160 int8 gives the panda 99.6 % and exactly 0 to every other class: one line."""
    weights = fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5"
    code = main(["classify", str(fixtures_dir / "images" / "panda.jpg"), "--alpha", "0.5",
                 "--resolution", "160", "--weights", str(weights), "--engine", "int8"])
    out, err = capsys.readouterr()
    assert code == 0, err
    ranked = [line.split()[1] for line in out.splitlines() if line[:4].strip()[:1].isdigit()]
    assert ranked == ["giant_panda"]  # no "tench", "goldfish"... at 0.00 %
    assert "(every other class: under 0.4 %, 0 in the int8 output)" in out


@pytest.mark.fixtures
def test_int8_needs_no_h5_file(fixtures_dir: Path, capsys) -> None:
    # fixtures/weights holds no with-top 0.25 .h5, but its tflite/ folder has Google's model
    argv = ["classify", str(fixtures_dir / "images" / "owl.jpg"), "--alpha", "0.25",
            "--resolution", "128", "--weights-dir", str(fixtures_dir / "weights")]
    err = _run_error(argv, capsys)  # the float engine refuses: labels would be meaningless
    assert "no weights file for alpha 0.25" in err
    code = main([*argv, "--engine", "int8"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "mobilenet_v1_0.25_128_quant.tflite" in out and "hare" in out
    err = _run_error([*argv, "--engine", "int8", "--device", "gpu"], capsys)
    assert "--engine int8 runs on the CPU" in err


@pytest.mark.fixtures
@pytest.mark.slow
def test_classify_a_folder(fixtures_dir: Path, tmp_path: Path) -> None:
    """A folder stands for its image files, in the window's order; stderr stays clean."""
    from explorer.vision.images import list_images

    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    env = dict(os.environ, MOBILENET_EXPLORER_CACHE=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "main.py", "classify", str(fixtures_dir / "images"), "--alpha", "0.25",
         "--resolution", "128", "--weights", str(weights), "--engine", "litert", "--top", "1",
         "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=300, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert [e["image"] for e in doc] == [str(p) for p in list_images(fixtures_dir / "images")]
    assert len(doc) == 12 and all(len(e["predictions"]) == 1 for e in doc)
    by_name = {Path(e["image"]).name: e["predictions"][0]["label"] for e in doc}
    assert by_name["panda.jpg"] == "giant_panda"


def _forbid_model_builds(monkeypatch) -> None:
    """A usage error must be found before any model is built."""
    import explorer.vision.engines as engines

    def no_model(*_args, **_kwargs):
        raise AssertionError("the model must not be built")

    monkeypatch.setattr(engines, "create_engine", no_model)


@pytest.mark.fixtures
def test_folder_without_images_exit_2_before_the_model(fixtures_dir: Path, tmp_path: Path,
                                                       capsys, monkeypatch) -> None:
    _forbid_model_builds(monkeypatch)
    (tmp_path / "notes.txt").write_text("no image here")
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    err = _run_error(["classify", str(tmp_path), "--alpha", "0.25", "--resolution", "128",
                      "--weights", str(weights)], capsys)
    assert f"folder {tmp_path} holds no image files" in err and ".jpg" in err
    err = _run_error(["classify", str(tmp_path / "gone.jpg"), "--alpha", "0.25",
                      "--resolution", "128", "--weights", str(weights)], capsys)
    assert "no such image" in err


@pytest.mark.fixtures
def test_header_names_weights_dir(fixtures_dir: Path, capsys) -> None:
    code = main(["classify", str(fixtures_dir / "images" / "panda.jpg"), "--alpha", "0.25",
                 "--resolution", "128", "--weights-dir", str(fixtures_dir / DERIVED),
                 "--engine", "litert"])
    out, err = capsys.readouterr()
    assert code == 0, err
    header = out.splitlines()[0]
    assert "mobilenet_2_5_128_tf.h5" in header and "from --weights-dir)" in header


def test_int8_message_lists_every_folder_searched(tmp_path: Path) -> None:
    from explorer.arch import MobileNetSpec
    from explorer.vision.quantized import (
        find_google_quant_model,
        google_quant_name,
        missing_google_quant_message,
    )

    spec = MobileNetSpec(0.5, 160)
    weights = tmp_path / "weights"
    message = missing_google_quant_message(spec, [weights])
    assert message.startswith(f"no int8 model: put {google_quant_name(spec)} ")
    listed = [Path(p) for p in message.split(" in one of: ", 1)[1].split(", ")]
    assert weights in listed and weights / "tflite" in listed
    for folder in listed:  # the message names exactly the folders the search looks in
        if folder.is_relative_to(tmp_path):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / google_quant_name(spec)).write_bytes(b"x")
            assert find_google_quant_model(spec, [weights]) == folder / google_quant_name(spec)
            (folder / google_quant_name(spec)).unlink()


def test_int8_missing_model_names_tflite_folders(fixtures_dir: Path, tmp_path: Path,
                                                 capsys) -> None:
    err = _run_error(["classify", str(fixtures_dir / "images" / "panda.jpg"), "--alpha", "0.5",
                      "--resolution", "160", "--weights-dir", str(tmp_path), "--engine", "int8"],
                     capsys)
    assert "no int8 model" in err and str(tmp_path / "tflite") in err


@pytest.mark.fixtures
def test_reader_closing_the_pipe_early_is_not_a_traceback(fixtures_dir: Path,
                                                          tmp_path: Path) -> None:
    """``classify FOLDER | head -1``: the command stops quietly (status 141, like SIGPIPE)."""
    weights = fixtures_dir / DERIVED / "mobilenet_5_0_160_tf.h5"
    env = dict(os.environ, MOBILENET_EXPLORER_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "main.py", "classify", str(fixtures_dir / "images"), "--alpha", "0.5",
         "--resolution", "160", "--weights", str(weights)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith("# MobileNet alpha 0.5")
    proc.stdout.close()  # the reader goes away while 12 photos are still to be printed
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_native_log_noise_is_left_out_of_errors() -> None:
    from explorer.vision.classify_command import _native_problems

    captured = ("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n"
                "I0000 00:00:1795950566.277888    1170 cudart_stub.cc:31] no cuda\n"
                "ERROR: Didn't find op for builtin opcode 'CONV_2D' version '9'\n\n")
    assert _native_problems(captured) == (
        "ERROR: Didn't find op for builtin opcode 'CONV_2D' version '9'\n")
    assert _native_problems("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n") == ""


@pytest.mark.fixtures
def test_int8_file_of_another_variant_is_one_line(fixtures_dir: Path, tmp_path: Path) -> None:
    """A real process: LiteRT's own INFO line on file descriptor 2 must not join the error."""
    import shutil

    shutil.copy(fixtures_dir / "weights/tflite/mobilenet_v1_0.25_128_quant.tflite",
                tmp_path / "mobilenet_v1_0.5_160_quant.tflite")
    result = subprocess.run(
        [sys.executable, "main.py", "classify", str(fixtures_dir / "images" / "panda.jpg"),
         "--alpha", "0.5", "--resolution", "160", "--weights-dir", str(tmp_path),
         "--engine", "int8"],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "is not MobileNet 0.5-160's int8 model" in lines[0]


def test_printable_keeps_output_valid_utf8_on_one_line():
    from explorer.vision.classify_command import printable

    undecodable = os.fsdecode(b"/photos/bad\xff.jpg")  # a name that is not UTF-8
    assert printable(undecodable) == "/photos/bad\\xff.jpg"
    assert printable("two\nlines.jpg") == "two\\nlines.jpg"
    assert printable("café – ok.jpg") == "café – ok.jpg"  # real Unicode stays as it is
    printable(undecodable).encode("utf-8")  # strict UTF-8 accepts it


@pytest.mark.fixtures
def test_undecodable_file_name_keeps_json_valid(tmp_path: Path, fixtures_dir: Path) -> None:
    """A file name with a byte that is not UTF-8: strict-UTF-8 stdout once aborted the run
    (exit 2, all JSON lost) and a lenient one wrote the raw byte (invalid JSON)."""
    from PIL import Image

    folder = tmp_path / "shots"
    folder.mkdir()
    Image.open(fixtures_dir / "images" / "panda.jpg").save(
        os.fsdecode(os.fsencode(folder) + b"/pand\xe4.png"))
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8:strict"}
    proc = subprocess.run(
        [sys.executable, "main.py", "classify", str(folder), "--alpha", "0.25",
         "--resolution", "128", "--weights", str(weights), "--top", "1", "--format", "json"],
        cwd=REPO, capture_output=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    doc = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8, valid JSON
    assert doc[0]["image"].endswith("pand\\xe4.png")
    assert doc[0]["predictions"][0]["label"] == "giant_panda"


def test_weights_file_given_as_the_image_names_the_missing_option(tmp_path: Path, capsys,
                                                                   monkeypatch) -> None:
    """`classify weights.h5 --alpha 0.5` (--weights forgotten) said that no weights were
    found, not that the file given belongs after --weights."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # an empty Keras cache
    weights = tmp_path / "mobilenet_5_0_160_tf.h5"
    weights.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(600))
    err = _run_error(["classify", str(weights), "--alpha", "0.5", "--resolution", "160"], capsys)
    assert f"pass it with --weights {weights}" in err


@pytest.mark.fixtures
@pytest.mark.parametrize("package, engine, named", [
    ("tensorflow", "tf", "TensorFlow could not be imported"),
    ("ai_edge_litert", "litert", "LiteRT (ai-edge-litert) could not be imported")])
def test_missing_runtime_is_one_line_naming_it(fixtures_dir: Path, tmp_path: Path, package,
                                              engine, named) -> None:
    """A broken or missing TensorFlow / ai-edge-litert gave a traceback from deep inside
    classify (and the default engine said "could not write the LiteRT model: <import text>")."""
    import os
    import subprocess
    import sys

    fake = tmp_path / "fake" / package
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("broken install")\n')
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake"),
               MOBILENET_EXPLORER_CACHE=str(tmp_path / "cache"))
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    result = subprocess.run(
        [sys.executable, "main.py", "classify", str(fixtures_dir / "images" / "panda.jpg"),
         "--alpha", "0.25", "--resolution", "128", "--weights", str(weights),
         "--engine", engine], cwd=Path(__file__).resolve().parents[2], env=env,
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "broken install" in lines[0], result.stderr


def _unreadable_folder(monkeypatch, folder: Path) -> None:
    """``folder`` behaves as chmod 000 for a non-root user (tests may run as root)."""
    import errno

    import explorer.vision.classify_command as command

    real = command.list_images

    def list_images(path):
        if Path(path) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(command, "list_images", list_images)


@pytest.mark.fixtures
def test_empty_or_unreadable_folder_beside_a_photo_is_one_line_each(
        fixtures_dir: Path, tmp_path: Path, capsys, monkeypatch) -> None:
    """One empty or unreadable folder (or a folder named x.jpg) stopped the whole run with
    exit 2 and nothing classified; a missing file beside good ones is one line, exit 1."""
    from PIL import Image

    empty, dir_jpg, locked = tmp_path / "empty", tmp_path / "x.jpg", tmp_path / "locked"
    for folder in (empty, dir_jpg, locked):
        folder.mkdir()
    (empty / "notes.txt").write_text("no image here")
    Image.new("RGB", (8, 8), (120, 80, 40)).save(locked / "a.png")
    _unreadable_folder(monkeypatch, locked)
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    panda = fixtures_dir / "images" / "panda.jpg"
    code = main(["classify", str(empty), str(panda), str(dir_jpg), str(locked),
                 "--alpha", "0.25", "--resolution", "128", "--weights", str(weights),
                 "--engine", "litert", "--format", "json", "--top", "1"])
    out, err = capsys.readouterr()
    assert code == 1, err
    lines = err.splitlines()
    assert len(lines) == 3, err
    assert f"folder {empty} holds no image files (" in lines[0]
    assert f"folder {dir_jpg} holds no image files (" in lines[1]
    assert f"cannot read folder {locked}: Permission denied" in lines[2]
    doc = json.loads(out)
    assert [e["image"] for e in doc] == [str(empty), str(panda), str(dir_jpg), str(locked)]
    assert doc[1]["predictions"][0]["label"] == "giant_panda" and "error" not in doc[1]
    assert all(e["predictions"] == [] and e["error"] in line
               for e, line in zip([doc[0], doc[2], doc[3]], lines, strict=True))


@pytest.mark.fixtures
def test_nothing_classifiable_is_still_exit_2_in_one_line(fixtures_dir: Path, tmp_path: Path,
                                                          capsys, monkeypatch) -> None:
    """Only empty or unreadable folders and missing files: a usage error, no model built."""
    _forbid_model_builds(monkeypatch)
    locked, empty = tmp_path / "locked", tmp_path / "empty"
    locked.mkdir()
    empty.mkdir()
    _unreadable_folder(monkeypatch, locked)
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    base = ["--alpha", "0.25", "--resolution", "128", "--weights", str(weights)]
    err = _run_error(["classify", str(locked), *base], capsys)
    assert f"cannot read folder {locked}: Permission denied" in err
    err = _run_error(["classify", str(empty), str(tmp_path / "gone.jpg"), str(locked), *base],
                     capsys)
    assert f"folder {empty} holds no image files" in err
    assert f"no such image: {tmp_path / 'gone.jpg'}" in err and "cannot read folder" in err


@pytest.mark.fixtures
def test_symlink_loop_and_broken_link_are_named(fixtures_dir: Path, tmp_path: Path,
                                                capsys) -> None:
    """Both were "no such file" / "no such image", although ls lists the name."""
    (tmp_path / "loop.jpg").symlink_to("loop.jpg")
    (tmp_path / "dead.jpg").symlink_to("/nowhere/photo.jpg")
    weights = fixtures_dir / DERIVED / "mobilenet_2_5_128_tf.h5"
    base = ["--alpha", "0.25", "--resolution", "128", "--weights", str(weights)]
    err = _run_error(["classify", str(tmp_path / "loop.jpg"), str(tmp_path / "dead.jpg"),
                      *base], capsys)
    assert (f"no such image: {tmp_path / 'loop.jpg'} (symlink loop),"
            f" {tmp_path / 'dead.jpg'} (broken symlink to /nowhere/photo.jpg)") in err
    code = main(["classify", str(tmp_path / "loop.jpg"),
                 str(fixtures_dir / "images" / "panda.jpg"), str(tmp_path / "dead.jpg"),
                 *base, "--engine", "litert", "--top", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and "giant_panda" in out
    assert err.splitlines() == [
        f"mobilenet-explorer classify: error: {tmp_path / 'loop.jpg'}: symlink loop",
        f"mobilenet-explorer classify: error: {tmp_path / 'dead.jpg'}: broken symlink to"
        " /nowhere/photo.jpg"]
