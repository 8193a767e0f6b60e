"""Weights: lookup order, inspection messages, loading by name, and safe cancellable downloads.

Downloads are tested against a local http.server on 127.0.0.1 only; nothing touches the network.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np
import pytest

from explorer.arch.spec import MobileNetSpec
from explorer.keras_builder.download import DownloadCancelled, DownloadError, download_weights
from explorer.keras_builder.weights import (
    WeightsError,
    candidate_names,
    check_weights,
    find_weights,
    inspect_weights,
    keras_cache_dir,
    keras_weights_name,
)

DERIVED = "weights/derived_from_coral_quant_tflite"


@pytest.fixture(scope="module")
def derived(fixtures_dir: Path) -> Path:
    return fixtures_dir / DERIVED


def _link(src: Path, dest: Path) -> Path:
    """Put a fixture file under ``dest`` without copying it (symlink; copy if not possible)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        dest.symlink_to(src)
    except OSError:
        dest.write_bytes(src.read_bytes())
    return dest


# --------------------------------------------------------------------------- names and paths


def test_keras_names_and_candidates() -> None:
    assert keras_weights_name(0.75, 192) == "mobilenet_7_5_192_tf.h5"
    assert keras_weights_name(1.0, 224, include_top=False) == "mobilenet_1_0_224_tf_no_top.h5"
    with pytest.raises(ValueError, match="no ImageNet weights for alpha 0.6"):
        keras_weights_name(0.6, 224)
    names = candidate_names(MobileNetSpec(0.5, 160))
    assert names[0] == "mobilenet_5_0_160_tf.h5" and len(names) == 4
    # nearest resolution next
    assert candidate_names(MobileNetSpec(0.5, 170))[0] == "mobilenet_5_0_160_tf.h5"
    assert candidate_names(MobileNetSpec(0.6, 160)) == []


def test_keras_cache_honours_keras_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert keras_cache_dir() == tmp_path / "kh" / "models"


# --------------------------------------------------------------------------- inspection


@pytest.mark.fixtures
@pytest.mark.parametrize("name, alpha, stem", [
    ("mobilenet_2_5_128_tf.h5", 0.25, 8),
    ("mobilenet_5_0_160_tf.h5", 0.5, 16),
    ("mobilenet_7_5_192_tf.h5", 0.75, 24),
])
def test_inspect_detects_alpha_and_top(derived: Path, name: str, alpha: float, stem: int) -> None:
    info = inspect_weights(derived / name)
    assert info.alpha == alpha and info.stem_channels == stem
    assert info.include_top and info.classes == 1000
    no_top = inspect_weights(derived / name.replace("_tf.h5", "_tf_no_top.h5"))
    assert no_top.alpha == alpha and not no_top.include_top and no_top.classes is None


@pytest.mark.fixtures
def test_official_no_top_file(fixtures_dir: Path) -> None:
    info = inspect_weights(fixtures_dir / "weights" / "mobilenet_2_5_224_tf_no_top.h5")
    assert info.alpha == 0.25 and not info.include_top
    with pytest.raises(WeightsError, match="no-top file .* cannot classify"):
        check_weights(info, MobileNetSpec(0.25, 224))
    check_weights(info, MobileNetSpec(0.25, 224), need_top=False)  # fine as a feature extractor


@pytest.mark.fixtures
def test_wrong_alpha_message(derived: Path) -> None:
    with pytest.raises(WeightsError,
                       match="this file holds alpha 0.50 weights; the model is alpha 0.75. "
                             r"Set alpha to 0.50 \(--alpha or the slider\)"):
        find_weights(MobileNetSpec(0.75, 192), weights=derived / "mobilenet_5_0_160_tf.h5")


@pytest.mark.fixtures
def test_nan_weights_are_refused_with_the_array_named(derived: Path, tmp_path: Path) -> None:
    """An intact HDF5 file whose data is NaN: accepted before, every prediction was NaN."""
    import shutil

    from explorer.keras_builder.weights import read_layer_weights
    from explorer.vision.litert_writer import expected_weight_shapes

    damaged = tmp_path / "mobilenet_5_0_160_tf.h5"
    shutil.copy(derived / "mobilenet_5_0_160_tf.h5", damaged)
    with h5py.File(damaged, "r+") as f:
        def poison(_name: str, obj: object) -> None:
            if isinstance(obj, h5py.Dataset) and obj.dtype.kind == "f" and "conv_pw_3" in _name:
                obj[...] = np.nan
        f.visititems(poison)
    spec = MobileNetSpec(0.5, 160)
    info = inspect_weights(damaged)  # the file's structure is fine
    with pytest.raises(WeightsError, match="conv_pw_3.* holds non-finite values"):
        read_layer_weights(info, expected_weight_shapes(spec))


def test_tflite_model_is_named_as_such(tmp_path: Path) -> None:
    """A .tflite given as weights: say what it is and where the int8 engine finds it."""
    model = tmp_path / "mobilenet_v1_0.25_128_quant.tflite"
    model.write_bytes(b"\x20\x00\x00\x00TFL3" + bytes(64))  # a flatbuffer's identifier
    with pytest.raises(WeightsError, match="is a TensorFlow Lite model, not Keras weights.*"
                                           "engine int8"):
        inspect_weights(model)


def test_named_pipe_is_refused_not_read(tmp_path: Path) -> None:
    pipe = tmp_path / "weights.h5"
    os.mkfifo(pipe)  # reading it would block forever: nobody writes
    with pytest.raises(WeightsError, match="not a regular file"):
        inspect_weights(pipe)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(WeightsError, match="does not exist"):
        inspect_weights(tmp_path / "nope.h5")


def test_not_hdf5(tmp_path: Path) -> None:
    (tmp_path / "page.h5").write_text("<html>404 Not Found</html>")
    with pytest.raises(WeightsError, match=r"page\.h5 is not an HDF5 file"):
        inspect_weights(tmp_path / "page.h5")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "zero.h5").write_bytes(b"")
    with pytest.raises(WeightsError, match="empty"):
        inspect_weights(tmp_path / "zero.h5")


@pytest.mark.fixtures
def test_truncated_file(derived: Path, tmp_path: Path) -> None:
    data = (derived / "mobilenet_2_5_128_tf.h5").read_bytes()
    (tmp_path / "cut.h5").write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="truncated or corrupt"):
        inspect_weights(tmp_path / "cut.h5")


def test_hdf5_but_not_keras(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(WeightsError, match="not a Keras weights file"):
        inspect_weights(tmp_path / "other.h5")


def test_weights_error_is_value_error() -> None:
    assert issubclass(WeightsError, ValueError)
    assert issubclass(DownloadError, WeightsError)


# --------------------------------------------------------------------------- lookup


@pytest.mark.fixtures
def test_lookup_in_keras_cache_accepts_any_resolution(derived: Path) -> None:
    cache = keras_cache_dir()  # conftest points KERAS_HOME at a fresh tmp folder
    spec = MobileNetSpec(0.5, 224)
    assert not find_weights(spec).found
    _link(derived / "mobilenet_5_0_160_tf.h5", cache / "mobilenet_5_0_160_tf.h5")
    choice = find_weights(spec)
    assert choice.found and choice.source == "Keras cache"
    assert choice.path == cache / "mobilenet_5_0_160_tf.h5"
    assert "made for 160 px" in choice.description
    assert "load at any resolution" in choice.description
    assert "unmeasured" not in choice.description  # 224 px is a published resolution
    far = find_weights(MobileNetSpec(0.5, 4096))
    assert far.found and "published for 128-224 px only" in far.description
    assert "labels at 4096 px are unmeasured" in far.description


@pytest.mark.fixtures
def test_lookup_prefers_weights_dir_then_matching_resolution(derived: Path,
                                                            tmp_path: Path) -> None:
    wdir = tmp_path / "my weights"
    _link(derived / "mobilenet_5_0_160_tf.h5", wdir / "mobilenet_5_0_128_tf.h5")
    _link(derived / "mobilenet_5_0_160_tf.h5", wdir / "mobilenet_5_0_160_tf.h5")
    _link(derived / "mobilenet_5_0_160_tf.h5", keras_cache_dir() / "mobilenet_5_0_160_tf.h5")
    choice = find_weights(MobileNetSpec(0.5, 160), weights_dir=wdir)
    assert choice.source == "--weights-dir" and choice.path == wdir / "mobilenet_5_0_160_tf.h5"
    choice = find_weights(MobileNetSpec(0.5, 128), weights_dir=wdir)
    assert choice.path == wdir / "mobilenet_5_0_128_tf.h5"
    assert choice.description.endswith("(alpha 0.50, from --weights-dir)")
    # a folder the app chose itself is described the way the caller names it
    choice = find_weights(MobileNetSpec(0.5, 160), weights_dir=wdir,
                          weights_dir_source="found next to x.h5")
    assert choice.source == "found next to x.h5"
    assert choice.description.endswith("(alpha 0.50, found next to x.h5)")


@pytest.mark.fixtures
def test_lookup_skips_bad_cached_file_and_reports_it(derived: Path) -> None:
    cache = keras_cache_dir()
    cache.mkdir(parents=True)
    (cache / "mobilenet_5_0_224_tf.h5").write_text("partial")
    choice = find_weights(MobileNetSpec(0.5, 224))
    assert not choice.found and "is not an HDF5 file" in choice.message
    _link(derived / "mobilenet_5_0_160_tf.h5", cache / "mobilenet_5_0_160_tf.h5")
    assert find_weights(MobileNetSpec(0.5, 224)).path == cache / "mobilenet_5_0_160_tf.h5"


def test_lookup_messages_when_nothing_is_found(tmp_path: Path) -> None:
    choice = find_weights(MobileNetSpec(0.75, 192))
    assert not choice.found
    assert "mobilenet_7_5_192_tf.h5" in choice.message
    assert str(keras_cache_dir()) in choice.message
    assert "https://storage.googleapis.com/" in choice.message
    other = find_weights(MobileNetSpec(0.6, 192))
    assert "no ImageNet weights exist for alpha 0.6" in other.message
    assert "nearest: 0.5" in other.message
    with pytest.raises(WeightsError, match="is not a folder"):
        find_weights(MobileNetSpec(0.5, 160), weights_dir=tmp_path / "missing")


# --------------------------------------------------------------------------- loading


@pytest.mark.tf
@pytest.mark.fixtures
def test_load_by_name_equals_keras_load_weights(derived: Path) -> None:
    import keras

    from explorer.keras_builder.model import build_model
    from explorer.keras_builder.weights import load_weights_into

    path = derived / "mobilenet_2_5_128_tf.h5"
    spec = MobileNetSpec(0.25, 128)
    ours = build_model(spec)
    assert load_weights_into(ours, inspect_weights(path)) > 50
    ref = keras.applications.MobileNet(alpha=0.25, input_shape=(128, 128, 3), weights=str(path))
    for a, b in zip(ours.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.tf
@pytest.mark.fixtures
def test_load_into_wrong_model_names_the_layer(derived: Path) -> None:
    from explorer.keras_builder.model import build_model
    from explorer.keras_builder.weights import load_weights_into

    model = build_model(MobileNetSpec(0.25, 128, classes=10))
    with pytest.raises(WeightsError, match="conv_preds"):
        load_weights_into(model, inspect_weights(derived / "mobilenet_2_5_128_tf.h5"))


# --------------------------------------------------------------------------- downloads


class _SlowHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files in small chunks so a cancel can land midway."""

    def copyfile(self, source, outputfile) -> None:  # noqa: D401 (http.server override)
        while chunk := source.read(16 * 1024):
            try:
                outputfile.write(chunk)
                outputfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_SlowHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/", root
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.fixtures
def test_download_success_with_progress(server, derived: Path, tmp_path: Path) -> None:
    url, root = server
    _link(derived / "mobilenet_2_5_128_tf.h5", root / "mobilenet_2_5_224_tf.h5")
    dest = tmp_path / "cache"
    seen: list[tuple[int, int | None]] = []
    info = download_weights(0.25, 224, dest_dir=dest, base_url=url,
                            progress=lambda done, total: seen.append((done, total)))
    assert info.path == dest / "mobilenet_2_5_224_tf.h5" and info.alpha == 0.25
    size = (derived / "mobilenet_2_5_128_tf.h5").stat().st_size
    assert seen[0] == (0, size) and seen[-1] == (size, size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert _leftovers(dest) == ["mobilenet_2_5_224_tf.h5"]
    assert find_weights(MobileNetSpec(0.25, 224), weights_dir=dest).found


@pytest.mark.fixtures
def test_download_cancel_midway_leaves_nothing(server, derived: Path, tmp_path: Path) -> None:
    url, root = server
    _link(derived / "mobilenet_7_5_192_tf.h5", root / "mobilenet_7_5_224_tf.h5")
    dest = tmp_path / "cache"
    seen: list[int] = []

    def cancel() -> bool:
        return len(seen) > 0 and seen[-1] > 1_000_000

    with pytest.raises(DownloadCancelled, match="cancelled"):
        download_weights(0.75, 224, dest_dir=dest, base_url=url, cancel=cancel,
                         progress=lambda done, total: seen.append(done))
    assert 1_000_000 < seen[-1] < (derived / "mobilenet_7_5_192_tf.h5").stat().st_size
    assert _leftovers(dest) == []


def test_download_http_404(server, tmp_path: Path) -> None:
    url, _ = server
    dest = tmp_path / "cache"
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_weights(1.0, 224, dest_dir=dest, base_url=url)
    assert _leftovers(dest) == []


def test_download_of_html_page_is_rejected(server, tmp_path: Path) -> None:
    url, root = server
    (root / "mobilenet_1_0_224_tf.h5").write_text("<html>captive portal</html>")
    dest = tmp_path / "cache"
    with pytest.raises(DownloadError, match="not an HDF5 file"):
        download_weights(1.0, 224, dest_dir=dest, base_url=url)
    assert _leftovers(dest) == []


def test_download_offline_message(tmp_path: Path) -> None:
    # A port nobody listens on: bind, read the number, close -> connection refused.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dest = tmp_path / "cache"
    with pytest.raises(DownloadError) as err:
        download_weights(0.5, 160, dest_dir=dest, base_url=f"http://127.0.0.1:{port}/",
                         timeout=5)
    text = str(err.value)
    assert "no network connection" in text and "--weights FILE" in text
    assert "mobilenet_5_0_160_tf.h5" in text
    assert _leftovers(dest) == []


def test_download_into_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(DownloadError, match="cannot write"):
        download_weights(0.5, 160, dest_dir=blocker / "sub", base_url="http://127.0.0.1:9/")
    assert os.listdir(tmp_path) == ["file"]


# --------------------------------------------------------------------------- Keras 3 files


def _keras3_files(folder: Path, source: Path | None = None) -> dict[str, Path]:
    """Save one MobileNet 0.25-128 as Keras 3 ``.weights.h5`` and ``.keras`` (+ a no-top file).

    Without ``source`` every array is drawn at random, so a layer read from the wrong group
    (all batch norms start out equal) cannot go unnoticed.
    """
    import keras

    model = keras.applications.MobileNet(alpha=0.25, input_shape=(128, 128, 3),
                                         weights=str(source) if source else None)
    if source is None:
        rng = np.random.default_rng(0)
        model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32)
                           for w in model.get_weights()])
    files = {"weights": folder / "tuned.weights.h5", "keras": folder / "tuned.keras",
             "no_top": folder / "body.weights.h5"}
    model.save_weights(files["weights"])
    model.save(files["keras"])
    body = keras.Model(model.input, model.get_layer("conv_pw_13_relu").output)
    body.save_weights(files["no_top"])
    files["model"] = model  # type: ignore[assignment]
    return files


@pytest.mark.tf
def test_keras3_files_read_by_layer_name(tmp_path: Path) -> None:
    from explorer.arch.layers import keras_weight_shapes, layer_rows
    from explorer.keras_builder.weights import KERAS3_LAYOUT, read_layer_weights

    files = _keras3_files(tmp_path)
    model = files.pop("model")
    spec = MobileNetSpec(0.25, 128)
    expected = {row.name: keras_weight_shapes(row) for row in layer_rows(spec)
                if keras_weight_shapes(row)}
    for kind in ("weights", "keras"):
        info = inspect_weights(files[kind])
        assert info.layout == KERAS3_LAYOUT
        assert (info.alpha, info.include_top, info.classes) == (0.25, True, 1000)
        check_weights(info, spec)
        arrays = read_layer_weights(info, expected)
        assert len(arrays) == len(expected) == 15 + 13 + 27
        for name, values in arrays.items():
            for ours, keras_value in zip(values, model.get_layer(name).get_weights(),
                                         strict=True):
                np.testing.assert_array_equal(ours, keras_value, err_msg=name)
    assert inspect_weights(files["keras"]).keras_version  # from the archive's metadata.json
    no_top = inspect_weights(files["no_top"])
    assert not no_top.include_top and no_top.alpha == 0.25
    with pytest.raises(WeightsError, match="no-top file.*include_top=True"):
        check_weights(no_top, spec)


@pytest.mark.tf
def test_keras3_file_of_another_model_is_refused(tmp_path: Path) -> None:
    import keras

    keras.applications.MobileNetV2(alpha=0.35, input_shape=(96, 96, 3),
                                   weights=None).save_weights(tmp_path / "v2.weights.h5")
    with pytest.raises(WeightsError, match="not of a MobileNet v1 model.*17 depthwise_conv2d"):
        inspect_weights(tmp_path / "v2.weights.h5")


@pytest.mark.tf
@pytest.mark.fixtures
def test_keras3_files_give_the_same_engine_output(derived: Path, tmp_path: Path,
                                                  fixtures_dir: Path) -> None:
    """Google's 0.25-128 weights re-saved by Keras 3 classify exactly like the .h5 file."""
    from explorer.vision.engines import create_engine
    from explorer.vision.images import load_image_rgb
    from explorer.vision.preprocess import preprocess
    from explorer.vision.types import EngineRequest

    legacy = derived / "mobilenet_2_5_128_tf.h5"
    files = _keras3_files(tmp_path, source=legacy)
    x = preprocess(load_image_rgb(fixtures_dir / "images" / "panda.jpg"), 128)
    outputs = []
    for path in (legacy, files["weights"], files["keras"]):
        engine = create_engine(EngineRequest(MobileNetSpec(0.25, 128), engine="litert",
                                             weights=path), use_cache=False)
        try:
            outputs.append(np.asarray(engine.predict(x)))
        finally:
            engine.close()
    np.testing.assert_array_equal(outputs[0], outputs[1])
    np.testing.assert_array_equal(outputs[0], outputs[2])


def test_zip_that_is_not_a_keras_archive(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "photos.keras", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(WeightsError, match="zip archive without model.weights.h5"):
        inspect_weights(tmp_path / "photos.keras")


def test_keras3_layout_without_mobilenet_groups(tmp_path: Path) -> None:
    with h5py.File(tmp_path / "dense.weights.h5", "w") as f:
        f.create_group("layers/dense/vars")["0"] = np.zeros((4, 2), np.float32)
    with pytest.raises(WeightsError, match="not of a MobileNet v1 model"):
        inspect_weights(tmp_path / "dense.weights.h5")
