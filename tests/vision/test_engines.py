"""Engines: device choice, TF and LiteRT agreement on the fixture photos, cache, progress, cancel.

Everything runs at alpha 0.25 / 128 (the smallest pretrained variant) to stay fast; the
converted-model cache lives in a per-module temp folder (MOBILENET_EXPLORER_CACHE).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from explorer.arch.spec import MobileNetSpec
from explorer.vision.devices import DeviceError, no_gpu_hint, select_device
from explorer.vision.engines import (
    Cancelled,
    EngineError,
    cache_dir,
    litert_cache_key,
    resolve_engine_kind,
)
from explorer.vision.types import EngineInfo, EngineRequest

SPEC = MobileNetSpec(0.25, 128)
WEIGHTS = "weights/derived_from_coral_quant_tflite/mobilenet_2_5_128_tf.h5"


# --------------------------------------------------------------------------- devices


@pytest.fixture
def fake_gpus(monkeypatch: pytest.MonkeyPatch):
    """Replace tf.config.list_physical_devices('GPU') with a chosen list."""
    import tensorflow as tf

    listed: list = []

    def fake_list(device_type=None):
        return list(listed) if device_type == "GPU" else []

    monkeypatch.setattr(tf.config, "list_physical_devices", fake_list)
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda dev: {"device_name": "NVIDIA Fake 80GB"})
    return listed, tf.config.PhysicalDevice


@pytest.mark.tf
def test_auto_without_gpu_is_cpu_with_hint(fake_gpus) -> None:
    sel = select_device("auto")
    assert sel.kind == "cpu" and sel.tf_device == "/CPU:0" and sel.name.startswith("CPU")
    assert "tensorflow[and-cuda]" in sel.hint
    assert resolve_engine_kind("auto", sel) == "litert"


@pytest.mark.tf
def test_gpu_request_without_gpu(fake_gpus) -> None:
    with pytest.raises(DeviceError, match="sees no GPU"):
        select_device("gpu", strict=True)
    sel = select_device("gpu")
    assert sel.kind == "cpu" and "none is visible" in sel.warning


@pytest.mark.tf
def test_auto_with_gpu(fake_gpus) -> None:
    listed, physical = fake_gpus
    listed.append(physical(name="/physical_device:GPU:0", device_type="GPU"))
    sel = select_device("auto")
    assert (sel.kind, sel.tf_device, sel.name, sel.hint) == \
        ("gpu", "/GPU:0", "GPU:0 NVIDIA Fake 80GB", "")
    assert resolve_engine_kind("auto", sel) == "tf"
    assert resolve_engine_kind("litert", sel) == "litert"
    forced = select_device("cpu")
    assert forced.kind == "cpu" and forced.hint == ""


def test_windows_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert "native Windows" in no_gpu_hint() and "WSL2" in no_gpu_hint()


def test_bad_choices() -> None:
    with pytest.raises(DeviceError):
        select_device("tpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        resolve_engine_kind("onnx", select_device("cpu"))


# --------------------------------------------------------------------------- engines


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("engine-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOBILENET_EXPLORER_CACHE", str(folder))
        yield folder


@pytest.fixture(autouse=True)
def _cache_env(module_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOBILENET_EXPLORER_CACHE", str(module_cache))


@pytest.fixture(scope="module")
def batches(fixtures_dir: Path) -> dict[str, np.ndarray]:
    from explorer.vision.images import load_image_rgb
    from explorer.vision.preprocess import preprocess

    return {p.name: preprocess(load_image_rgb(p), SPEC.resolution)
            for p in sorted((fixtures_dir / "images").iterdir())}


@pytest.fixture(scope="module")
def litert_engine(fixtures_dir: Path, module_cache: Path):
    from explorer.vision.engines import create_engine

    seen: list[tuple[str, float]] = []
    engine = create_engine(EngineRequest(SPEC, weights=fixtures_dir / WEIGHTS, engine="litert",
                                         device="cpu"),
                           progress=lambda text, frac: seen.append((text, frac)))
    engine.progress_seen = seen
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def tf_engine(fixtures_dir: Path, module_cache: Path):
    from explorer.vision.engines import create_engine

    engine = create_engine(EngineRequest(SPEC, weights=fixtures_dir / WEIGHTS, engine="tf",
                                         device="cpu"))
    yield engine
    engine.close()


@pytest.mark.tf
@pytest.mark.fixtures
def test_litert_engine_info_and_progress(litert_engine) -> None:
    info = litert_engine.info
    assert info.pretrained and info.warnings == ()
    assert info.engine_name.startswith("LiteRT float32 (XNNPACK")
    assert "mobilenet_2_5_128_tf.h5" in info.weights_description
    assert not litert_engine.from_cache
    assert "Writing LiteRT model" in litert_engine.timings
    fractions = [f for _, f in litert_engine.progress_seen]
    assert fractions == sorted(fractions) and litert_engine.progress_seen[-1] == ("Ready", 1.0)


@pytest.mark.tf
@pytest.mark.fixtures
def test_tf_and_litert_agree_on_every_photo(litert_engine, tf_engine, batches) -> None:
    from explorer.vision.labels import decode_top_k

    assert tf_engine.info.engine_name == "TensorFlow tf.function"
    for name, batch in batches.items():
        a = litert_engine.predict(batch)
        b = tf_engine.predict(batch)
        assert a.shape == b.shape == (1, 1000) and a.dtype == np.float32
        assert abs(float(a.sum()) - 1.0) < 1e-3
        np.testing.assert_allclose(a, b, atol=2e-4, err_msg=name)
        assert decode_top_k(a, 1)[0].label == decode_top_k(b, 1)[0].label, name
    from explorer.vision.labels import decode_top_k as top

    assert top(litert_engine.predict(batches["panda.jpg"]), 1)[0].label == "giant_panda"
    assert top(tf_engine.predict(batches["soccer_ball.jpg"]), 1)[0].label == "soccer_ball"


@pytest.mark.tf
@pytest.mark.fixtures
def test_tf_engine_does_not_retrace(tf_engine, batches) -> None:
    for batch in list(batches.values())[:3]:
        tf_engine.predict(batch)
    assert tf_engine._fn.experimental_get_tracing_count() == 1


@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.parametrize("which", ["litert", "tf"])
def test_wrong_batch_shape_is_rejected(which, litert_engine, tf_engine) -> None:
    engine = litert_engine if which == "litert" else tf_engine
    with pytest.raises(ValueError, match="shape"):
        engine.predict(np.zeros((1, 96, 96, 3), np.float32))


@pytest.mark.tf
@pytest.mark.fixtures
def test_second_litert_engine_comes_from_cache(litert_engine, fixtures_dir: Path,
                                               batches) -> None:
    from explorer.vision.engines import create_engine

    key = litert_cache_key(SPEC, fixtures_dir / WEIGHTS)
    assert (cache_dir() / "litert" / f"{key}.tflite").is_file()
    again = create_engine(EngineRequest(SPEC, weights=fixtures_dir / WEIGHTS, engine="litert",
                                        device="cpu"))
    try:
        assert again.from_cache and "Writing LiteRT model" not in again.timings
        assert again.timings["total"] < 1.0
        batch = batches["koala.jpg"]
        np.testing.assert_array_equal(again.predict(batch), litert_engine.predict(batch))
    finally:
        again.close()


@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.parametrize("damage", ["empty", "random bytes", "right header, bad body",
                                    "another variant's model", "flipped weight bytes"])
def test_damaged_cache_entry_is_written_again(litert_engine, fixtures_dir: Path, batches,
                                              damage: str) -> None:
    """A cache file cut short by a crash or edited must not break its variant for good."""
    from explorer.vision.engines import create_engine

    path = cache_dir() / "litert" / f"{litert_cache_key(SPEC, fixtures_dir / WEIGHTS)}.tflite"
    good = path.read_bytes()
    if damage == "another variant's model":
        other = MobileNetSpec(0.25, 144)  # a variant no other test caches
        create_engine(EngineRequest(other, weights=fixtures_dir / WEIGHTS, engine="litert",
                                    device="cpu")).close()
        other_path = (cache_dir() / "litert" /
                      f"{litert_cache_key(other, fixtures_dir / WEIGHTS)}.tflite")
        bad = other_path.read_bytes()
        other_path.unlink()
    elif damage == "flipped weight bytes":
        # Still a model LiteRT loads and runs, with wrong weights: 0 of 12 photos came out
        # right before the cache had a checksum.
        middle = len(good) // 2
        bad = good[:middle] + bytes(b ^ 0x5A for b in good[middle:middle + 200]) + \
            good[middle + 200:]
    else:
        bad = {"empty": b"", "random bytes": bytes(range(256)) * 64,
               "right header, bad body": good[:8] + bytes(4096)}[damage]
    path.write_bytes(bad)
    engine = create_engine(EngineRequest(SPEC, weights=fixtures_dir / WEIGHTS, engine="litert",
                                         device="cpu"))
    try:
        assert not engine.from_cache  # written again from the weights
        batch = batches["koala.jpg"]
        np.testing.assert_array_equal(engine.predict(batch), litert_engine.predict(batch))
    finally:
        engine.close()
    assert path.read_bytes() == good  # and the cache holds the good model again


@pytest.mark.tf
@pytest.mark.fixtures
def test_engine_describes_weights_in_the_folder_as_the_request_names_it(
        litert_engine, fixtures_dir: Path) -> None:
    from explorer.vision.engines import create_engine

    folder = (fixtures_dir / WEIGHTS).parent
    for source, phrase in (("--weights-dir", "from --weights-dir"),
                           ("found next to a.h5", "found next to a.h5")):
        engine = create_engine(EngineRequest(SPEC, weights_dir=folder, weights_dir_source=source,
                                             engine="litert", device="cpu"))
        try:
            assert engine.from_cache  # same file as litert_engine's: no model writing here
            assert engine.info.weights_description.endswith(f"(alpha 0.25, {phrase})")
        finally:
            engine.close()


@pytest.mark.fixtures
def test_cache_key_depends_on_variant_and_weights(fixtures_dir: Path) -> None:
    w = fixtures_dir / WEIGHTS
    other = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_2_5_128_tf_no_top.h5"
    keys = {litert_cache_key(SPEC, w), litert_cache_key(MobileNetSpec(0.25, 160), w),
            litert_cache_key(SPEC, other), litert_cache_key(SPEC, None)}
    assert len(keys) == 4
    assert litert_cache_key(SPEC, w) == litert_cache_key(MobileNetSpec(0.25, 128), w)


@pytest.mark.tf
@pytest.mark.fixtures
def test_cancel_between_stages(fixtures_dir: Path, module_cache: Path) -> None:
    from explorer.vision.engines import create_engine

    spec = MobileNetSpec(0.25, 96)
    stages: list[str] = []

    def cancel() -> bool:
        return "Reading weights" in stages

    with pytest.raises(Cancelled):
        create_engine(EngineRequest(spec, weights=fixtures_dir / WEIGHTS, engine="litert"),
                      progress=lambda text, frac: stages.append(text), cancel=cancel)
    assert "Writing LiteRT model" not in stages and "Ready" not in stages
    key = litert_cache_key(spec, fixtures_dir / WEIGHTS)
    assert not (module_cache / "litert" / f"{key}.tflite").exists()


@pytest.mark.tf
@pytest.mark.slow
def test_random_weights_are_flagged(module_cache: Path) -> None:
    from explorer.vision.engines import create_engine

    engine = create_engine(EngineRequest(MobileNetSpec(0.3, 96, include_top=False),
                                         engine="tf"))
    try:
        info = engine.info
        assert not info.pretrained
        assert info.spec.include_top and info.spec.classes == 1000
        text = " ".join(info.warnings)
        assert "Random weights" in text and "meaningless" in text and "alpha 0.25" in text
        out = engine.predict(np.zeros((1, 96, 96, 3), np.float32))
        assert out.shape == (1, 1000) and abs(float(out.sum()) - 1) < 1e-3
    finally:
        engine.close()


@pytest.mark.tf
@pytest.mark.slow
def test_missing_cache_file_for_pretrained_alpha_is_flagged(module_cache: Path) -> None:
    from explorer.vision.engines import create_engine

    engine = create_engine(EngineRequest(MobileNetSpec(0.25, 64), engine="litert"))
    try:
        assert not engine.info.pretrained
        assert "mobilenet_2_5_" in " ".join(engine.info.warnings)
    finally:
        engine.close()


@pytest.mark.fixtures
def test_bad_explicit_weights_raise(fixtures_dir: Path) -> None:
    from explorer.keras_builder.weights import WeightsError
    from explorer.vision.engines import create_engine

    with pytest.raises(WeightsError, match="alpha 0.25 weights; the model is alpha 0.50"):
        create_engine(EngineRequest(MobileNetSpec(0.5, 128), weights=fixtures_dir / WEIGHTS))


# --------------------------------------------------------------------------- int8


@pytest.mark.tf
@pytest.mark.fixtures
def test_google_int8_agrees_with_float(fixtures_dir: Path) -> None:
    from explorer.vision.quantized import compare_float_int8

    photos = sorted((fixtures_dir / "images").iterdir())
    result = compare_float_int8(SPEC, photos, quant_dirs=[fixtures_dir / "weights"],
                                weights=fixtures_dir / WEIGHTS, frames=6)
    assert "Google QAT" in result.int8_engine
    assert result.total == 12 and result.agreement == 12  # VERIFY_OUTPUT.txt: 12/12
    assert result.float_ms_median > 0 and result.int8_ms_median > 0
    row = {r.image: r for r in result.images}["panda.jpg"]
    assert row.float_label == row.int8_label == "giant_panda"
    assert result.as_dict()["agreement"] == 12


@pytest.mark.tf
@pytest.mark.slow
@pytest.mark.fixtures
def test_post_training_int8_when_no_google_model(fixtures_dir: Path) -> None:
    from explorer.vision.quantized import compare_float_int8

    photos = sorted((fixtures_dir / "images").iterdir())
    spec = MobileNetSpec(0.25, 112)  # no published quantized model at 112 px
    result = compare_float_int8(spec, photos, weights=fixtures_dir / WEIGHTS, frames=4)
    assert "post-training" in result.int8_engine
    assert result.agreement >= 7, result.as_dict()


@pytest.mark.tf
@pytest.mark.fixtures
def test_cached_litert_engine_starts_without_tensorflow(litert_engine, fixtures_dir: Path,
                                                        module_cache: Path) -> None:
    """A variant converted before starts in a fresh process without importing TensorFlow."""
    import os
    import subprocess

    weights = str(fixtures_dir / WEIGHTS)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from explorer.arch.spec import MobileNetSpec\n"
        "from explorer.vision.engines import create_engine\n"
        "from explorer.vision.types import EngineRequest\n"
        "e = create_engine(EngineRequest(MobileNetSpec(0.25, 128),"
        f" weights=Path({weights!r}), engine='litert', device='cpu'))\n"
        "assert e.from_cache and e.info.pretrained\n"
        "print('tensorflow' in sys.modules)\n"
    )
    env = dict(os.environ, MOBILENET_EXPLORER_CACHE=str(module_cache))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env=env, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.fixtures
def test_int8_engine_runs_googles_model_next_to_the_weights(fixtures_dir: Path,
                                                            litert_engine, batches) -> None:
    from explorer.vision.engines import create_engine
    from explorer.vision.labels import decode_top_k

    engine = create_engine(EngineRequest(SPEC, weights=fixtures_dir / WEIGHTS, engine="int8"))
    try:
        assert engine.info.engine_name == "LiteRT int8 (Google QAT model: uint8 tensors, XNNPACK)"
        assert engine.info.weights_description.startswith("mobilenet_v1_0.25_128_quant.tflite")
        assert engine.info.pretrained and "Finding the int8 model" in engine.timings
        agree = 0
        for batch in batches.values():
            probs = engine.predict(batch)
            assert probs.shape == (1, 1000)  # background class dropped
            agree += decode_top_k(probs, 1)[0].label == decode_top_k(
                litert_engine.predict(batch), 1)[0].label
        assert agree == 12  # VERIFY_OUTPUT.txt: the QAT model and its float weights agree
    finally:
        engine.close()


@pytest.mark.fixtures
def test_google_int8_model_is_fed_the_pixels_google_feeds_it(fixtures_dir: Path) -> None:
    """Google's QAT models take the uint8 pixel itself.  Quantising x / 127.5 - 1 to scale
    1/128 instead put pixels 128-254 one level high, and at 0.75/192 turned grace_hopper's
    "suit" (the float top-1) into "military_uniform"."""
    from ai_edge_litert.interpreter import Interpreter

    from explorer.vision.images import load_image_rgb
    from explorer.vision.preprocess import crop_and_resize, scale_to_unit_range
    from explorer.vision.quantized import QuantizedEngine

    path = fixtures_dir / "weights/tflite/mobilenet_v1_0.75_192_quant.tflite"
    pixels = crop_and_resize(load_image_rgb(fixtures_dir / "images/grace_hopper.jpg"), 192)
    assert pixels.max() > 128  # the photo has pixels the old rounding moved
    bare = Interpreter(model_path=str(path), num_threads=1)
    bare.allocate_tensors()
    inp, out = bare.get_input_details()[0], bare.get_output_details()[0]
    bare.set_tensor(inp["index"], pixels[None])
    bare.invoke()
    scale, zero = out["quantization"]
    expected = (bare.get_tensor(out["index"])[:, 1:].astype(np.float32) - zero) * np.float32(scale)

    info = EngineInfo(spec=MobileNetSpec(0.75, 192), engine_name="test", device_name="cpu",
                      weights_description=path.name, pretrained=True)
    engine = QuantizedEngine(path.read_bytes(), info, num_threads=1)
    try:
        got = engine.predict(scale_to_unit_range(pixels)[None])
    finally:
        engine.close()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.fixtures
def test_int8_model_is_found_beside_a_weights_folder_without_that_alpha(
        fixtures_dir: Path, tmp_path: Path) -> None:
    """float/ (only the 0.5 .h5) beside tflite/ (all of Google's models): 0.25-128's int8
    model was found only when a 0.25 .h5 was in float/ too, though int8 needs none."""
    from explorer.keras_builder.weights import find_weights
    from explorer.vision.engines import int8_search_dirs
    from explorer.vision.quantized import find_google_quant_model

    (tmp_path / "float").mkdir()
    (tmp_path / "tflite").mkdir()
    h5 = "mobilenet_5_0_160_tf.h5"
    (tmp_path / "float" / h5).symlink_to(fixtures_dir / WEIGHTS.replace("2_5_128", "5_0_160"))
    for model in (fixtures_dir / "weights/tflite").glob("*.tflite"):
        (tmp_path / "tflite" / model.name).symlink_to(model)
    for spec in (MobileNetSpec(0.5, 160), MobileNetSpec(0.25, 128), MobileNetSpec(0.75, 192)):
        request = EngineRequest(spec, weights_dir=tmp_path / "float", engine="int8")
        choice = find_weights(spec, None, tmp_path / "float")
        found = find_google_quant_model(spec, int8_search_dirs(request, choice))
        assert found is not None and found.parent == tmp_path / "tflite", spec


def _int8_refusal(fixtures_dir: Path, tmp_path: Path, real: str, posed: MobileNetSpec) -> str:
    """Google's int8 model ``real`` copied under ``posed``'s file name: the engine's error."""
    import shutil

    from explorer.vision.engines import EngineError, create_engine
    from explorer.vision.quantized import google_quant_name

    wrong = tmp_path / google_quant_name(posed)
    shutil.copy(fixtures_dir / "weights/tflite" / real, wrong)
    with pytest.raises(EngineError) as caught:
        create_engine(EngineRequest(posed, weights_dir=tmp_path, engine="int8"))
    message = str(caught.value)
    assert str(wrong) in message and f"not MobileNet {posed.label}'s int8 model" in message
    assert "\n" not in message
    return message


@pytest.mark.fixtures
def test_int8_model_of_another_variant_is_refused_by_name(fixtures_dir: Path,
                                                           tmp_path: Path) -> None:
    """Google's 0.25-128 file copied under the 0.5-160 name: refused when loaded, naming the
    file, instead of a shape error on every frame."""
    message = _int8_refusal(fixtures_dir, tmp_path, "mobilenet_v1_0.25_128_quant.tflite",
                            MobileNetSpec(0.5, 160))
    assert "128x128" in message


@pytest.mark.fixtures
def test_int8_model_of_another_alpha_at_the_same_size_is_refused(fixtures_dir: Path,
                                                                 tmp_path: Path) -> None:
    """Google's 0.5-160 file copied under the 0.25-160 name passed the input-size check and
    answered as "0.25-160" with the 0.5 model's koala (the 0.25 models say fox squirrel)."""
    from explorer.vision.engines import create_engine

    message = _int8_refusal(fixtures_dir, tmp_path, "mobilenet_v1_0.5_160_quant.tflite",
                            MobileNetSpec(0.25, 160))
    assert "16 filters where alpha 0.25 has 8 (alpha 0.5 would)" in message
    (tmp_path / "mobilenet_v1_0.25_160_quant.tflite").rename(
        tmp_path / "mobilenet_v1_0.5_160_quant.tflite")
    engine = create_engine(EngineRequest(MobileNetSpec(0.5, 160), weights_dir=tmp_path,
                                         engine="int8"))
    try:
        assert engine.stem_channels == 16
    finally:
        engine.close()


def test_empty_int8_model_says_empty(tmp_path: Path) -> None:
    """A 0-byte .tflite (an interrupted copy): LiteRT's own words were "`model_path` or
    `model_content` must be specified"."""
    from explorer.vision.engines import EngineError, create_engine

    (tmp_path / "mobilenet_v1_0.25_128_quant.tflite").write_bytes(b"")
    with pytest.raises(EngineError, match=r"empty \(0 bytes\)"):
        create_engine(EngineRequest(MobileNetSpec(0.25, 128), weights_dir=tmp_path,
                                    engine="int8"))


@pytest.mark.fixtures
def test_int8_without_a_model_says_where_to_put_one(fixtures_dir: Path) -> None:
    from explorer.vision.engines import EngineError, create_engine

    weights = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_5_0_160_tf.h5"
    with pytest.raises(EngineError, match=r"put mobilenet_v1_0\.5_128_quant\.tflite"):
        create_engine(EngineRequest(MobileNetSpec(0.5, 128), weights=weights, engine="int8"))
    with pytest.raises(EngineError, match="only for alpha 0.25/0.5/0.75/1.0"):
        create_engine(EngineRequest(MobileNetSpec(0.5, 96), weights=weights, engine="int8"))


def test_variant_too_large_to_run_is_refused_before_building() -> None:
    """MobileNet 4.0-4096 needs 8 GiB for one layer: LiteRT allocated 7.7 GB and froze the
    window for 16 s.  Refused at once, saying how much it needs and what to change."""
    import time

    from explorer.vision.engines import EngineError, create_engine

    t0 = time.perf_counter()
    with pytest.raises(EngineError, match=r"MobileNet 4.0-4096 needs 8.0 GiB .* up to 2 GiB"):
        create_engine(EngineRequest(MobileNetSpec(4.0, 4096), engine="litert"))
    assert time.perf_counter() - t0 < 2.0


def test_weights_digest_sees_new_contents_behind_the_same_size_and_mtime(tmp_path: Path):
    """`cp -p` / `rsync -t` keep size and mtime: the memo returned the old digest, and the
    LiteRT engine ran the old weights from the cache while the TF engine read the new ones."""
    import os

    from explorer.vision.engines import file_digest

    path = tmp_path / "w.h5"
    path.write_bytes(b"a" * 1000)
    before = file_digest(path)
    stat = path.stat()
    replacement = tmp_path / "new.h5"
    replacement.write_bytes(b"b" * 1000)
    os.utime(replacement, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    replacement.replace(path)  # same name, size and mtime, new contents
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert file_digest(path) != before


@pytest.mark.fixtures
def test_read_only_cache_with_a_damaged_entry_still_builds(fixtures_dir: Path, monkeypatch):
    """The retry read the same damaged file again when it could not be deleted."""
    from explorer.vision import engines

    spec = MobileNetSpec(0.25, 136)  # a variant no other test caches
    request = EngineRequest(spec, weights=fixtures_dir / WEIGHTS, engine="litert", device="cpu")
    path = cache_dir() / "litert" / f"{litert_cache_key(spec, fixtures_dir / WEIGHTS)}.tflite"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Passes the checksum, but LiteRT refuses it: only the retry can help.
    path.write_bytes(engines.with_checksum(b"\x00\x00\x00\x00TFL3" + bytes(64)))
    monkeypatch.setattr(engines, "_drop_cached", lambda p: None)  # read-only: stays there
    monkeypatch.setattr(engines, "_write_atomic", lambda p, d: False)
    engine = engines.create_engine(request)
    try:
        assert not engine.from_cache
        assert engine.predict(np.zeros((1, 136, 136, 3), np.float32)).shape == (1, 1000)
    finally:
        engine.close()


@pytest.mark.tf
@pytest.mark.parametrize("asked", ["auto", "gpu"])
def test_gpu_that_fails_at_first_use(monkeypatch, asked: str) -> None:
    """A GPU TensorFlow lists but cannot run (kernels for another compute capability, out of
    memory) raised TensorFlow's own error: a traceback from classify, no CPU fallback."""
    from explorer.vision import engines
    from explorer.vision.devices import DeviceSelection

    gpu = DeviceSelection("gpu", "/GPU:0", "GPU:0 Fake", "")
    real_select = engines.select_device
    monkeypatch.setattr(engines, "select_device",
                        lambda choice, **kw: gpu if choice != "cpu" else real_select("cpu"))
    real_build = engines.build_keras_model

    gpu_tries = []

    def build(spec, choice, tf_device):
        if tf_device == "/GPU:0":
            gpu_tries.append(spec)
            raise RuntimeError("CUDA_ERROR_NO_BINARY_FOR_GPU: no kernel image\nmore detail")
        return real_build(spec, choice, tf_device)

    monkeypatch.setattr(engines, "build_keras_model", build)
    monkeypatch.setattr(engines, "_FAILED_GPUS", set())
    request = EngineRequest(MobileNetSpec(0.25, 96), engine="auto", device=asked)
    if asked == "gpu":
        with pytest.raises(EngineError, match="GPU:0 Fake failed at first use .CUDA_ERROR"):
            engines.create_engine(request, use_cache=False)
        return
    engine = engines.create_engine(request, use_cache=False)
    try:
        assert engine.info.device_name.startswith("CPU")
        assert engine.info.warnings[-1] == ("GPU:0 Fake failed at first use (CUDA_ERROR_NO_"
                                            "BINARY_FOR_GPU: no kernel image); running on the"
                                            " CPU instead")
        assert engine.predict(np.zeros((1, 96, 96, 3), np.float32)).shape == (1, 1000)
    finally:
        engine.close()
    # The next variant goes straight to the CPU: no second failed try per variant.
    again = engines.create_engine(replace(request, spec=MobileNetSpec(0.25, 112)),
                                  use_cache=False)
    try:
        assert len(gpu_tries) == 1 and again.info.device_name.startswith("CPU")
        assert "failed at first use earlier" in again.info.warnings[-1]
    finally:
        again.close()


def test_cache_folder_from_the_environment_expands_the_home_tilde(monkeypatch) -> None:
    """MOBILENET_EXPLORER_CACHE='~/x' (quoted, so the shell left the ~) made a folder named
    "~" in the current folder."""
    monkeypatch.setenv("MOBILENET_EXPLORER_CACHE", "~/mobilenet-cache")
    assert cache_dir() == Path.home() / "mobilenet-cache"


@pytest.fixture
def unenterable(monkeypatch: pytest.MonkeyPatch):
    """Folders whose contents this process may not see, as if left 0700 by another user
    (root itself may enter any folder, so the refusal is simulated at ``Path.stat``)."""
    roots: list[Path] = []
    real_stat = Path.stat

    def stat(self: Path, *args, **kwargs):
        if any(self != root and self.is_relative_to(root) for root in roots):
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)
    return roots


def test_cache_folder_that_cannot_be_entered_is_skipped(unenterable, monkeypatch) -> None:
    """Every build failed with "[Errno 13]" when the cache folder (or the Keras cache) was
    another user's 0700 folder: the lookup's ``is_file`` raised instead of saying no."""
    from explorer.keras_builder.weights import iter_cached_weights, keras_cache_dir
    from explorer.vision import engines
    from explorer.vision.quantized import find_google_quant_model

    unenterable += [cache_dir(), keras_cache_dir()]
    monkeypatch.setattr(engines, "_write_atomic", lambda p, d: False)  # as mkdir would fail
    engine = engines.create_engine(EngineRequest(MobileNetSpec(0.25, 72), engine="litert",
                                                 device="cpu"))
    try:
        assert not engine.from_cache and not engine.info.pretrained
        assert engine.predict(np.zeros((1, 72, 72, 3), np.float32)).shape == (1, 1000)
    finally:
        engine.close()
    assert find_google_quant_model(SPEC, [cache_dir()]) is None
    assert iter_cached_weights() == []
