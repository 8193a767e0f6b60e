"""The direct LiteRT writer: graph, weights checks, agreement with Keras and the converter.

The structural tests need no TensorFlow; the ``tf`` ones compare the written model with the
Keras model (same weights) and with TensorFlow's own converter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.arch.layers import keras_weight_shapes, layer_rows
from explorer.arch.spec import MobileNetSpec
from explorer.vision.engines import open_litert
from explorer.vision.litert_writer import (
    DESCRIPTION,
    WriterError,
    build_litert_model,
    expected_weight_shapes,
    fold_batchnorm,
    random_layer_weights,
    schema,
)

WEIGHTS = "weights/derived_from_coral_quant_tflite/mobilenet_2_5_128_tf.h5"


def _model(data: bytes):
    return schema().ModelT.InitFromPackedBuf(data, 0)


def _op_names(data: bytes) -> list[str]:
    s = schema()
    names = {v: k for k, v in vars(s.BuiltinOperator).items() if not k.startswith("_")}
    model = _model(data)
    return [names[model.operatorCodes[op.opcodeIndex].builtinCode]
            for op in model.subgraphs[0].operators]


def _run(data: bytes, x: np.ndarray) -> np.ndarray:
    interp, inp, out, _ = open_litert(data, 1, "the written model")
    interp.set_tensor(inp["index"], x)
    interp.invoke()
    return np.asarray(interp.get_tensor(out["index"]))


def _inputs(resolution: int, n: int = 2, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1, 1, (1, resolution, resolution, 3)).astype(np.float32)
            for _ in range(n)]


# --------------------------------------------------------------------------- no TensorFlow


@pytest.mark.parametrize("spec", [MobileNetSpec(1.0, 224), MobileNetSpec(0.35, 97),
                                  MobileNetSpec(0.5, 128, body="standard"),
                                  MobileNetSpec(0.75, 160, body="shallow"),
                                  MobileNetSpec(0.25, 128, include_top=False)])
def test_weight_shapes_add_up_to_the_cost_model_params(spec: MobileNetSpec) -> None:
    for row in layer_rows(spec):
        total = sum(int(np.prod(shape)) for shape in keras_weight_shapes(row))
        assert total == row.params, row.name


def test_even_sizes_give_the_converters_graph() -> None:
    spec = MobileNetSpec(1.0, 224)
    data = build_litert_model(spec, random_layer_weights(spec, seed=1))
    # What TensorFlow's converter emits for this model (checked against it in the tf test).
    assert _op_names(data) == (["CONV_2D"] + ["DEPTHWISE_CONV_2D", "CONV_2D"] * 13
                               + ["MEAN", "CONV_2D", "RESHAPE", "SOFTMAX"])
    model = _model(data)
    assert model.description.decode() == DESCRIPTION
    graph = model.subgraphs[0]
    assert list(graph.tensors[graph.inputs[0]].shape) == [1, 224, 224, 3]
    assert list(graph.tensors[graph.outputs[0]].shape) == [1, 1000]
    # Stride-2 depthwise layers use SAME padding (Keras' (0,1) pad + valid, merged).
    strides = [op.builtinOptions.strideH for op in graph.operators[1:27:2]]
    assert strides == [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1]


def test_odd_sizes_keep_explicit_padding() -> None:
    spec = MobileNetSpec(0.25, 129)
    data = build_litert_model(spec, random_layer_weights(spec, seed=2))
    names = _op_names(data)
    # Where a stride-2 block gets an odd size (129 -> 65 after conv1), TF's SAME padding
    # would give one more output row than Keras' (0, 1) pad + valid: the writer keeps PAD.
    odd = [r.name for r in layer_rows(spec) if r.kind == "pad" and r.input_shape[0] % 2]
    assert odd == ["conv_pad_2"] and names.count("PAD") == 1
    out = _run(data, _inputs(129, 1)[0])
    assert out.shape == (1, 1000) and abs(float(out.sum()) - 1.0) < 1e-5
    last = [r for r in layer_rows(spec) if r.kind == "pointwise"][-1]
    graph = _model(data).subgraphs[0]
    shapes = {t.name.decode(): list(t.shape) for t in graph.tensors}
    assert shapes[last.name + "_relu"] == [1, *last.output_shape]  # 5x5, as Keras


def test_without_top_the_output_is_the_last_feature_map() -> None:
    spec = MobileNetSpec(0.25, 96, include_top=False)
    data = build_litert_model(spec, random_layer_weights(spec, seed=3))
    assert _run(data, _inputs(96, 1)[0]).shape == (1, 3, 3, 256)


def test_missing_or_misshapen_weights_are_refused() -> None:
    spec = MobileNetSpec(0.25, 128)
    weights = random_layer_weights(spec, seed=4)
    del weights["conv_pw_5_bn"]
    with pytest.raises(WriterError, match="conv_pw_5_bn"):
        build_litert_model(spec, weights)
    weights = random_layer_weights(spec, seed=4)
    weights["conv1"] = [np.zeros((3, 3, 3, 9), np.float32)]
    with pytest.raises(WriterError, match=r"conv1.*\(3, 3, 3, 8\)"):
        build_litert_model(spec, weights)


def test_random_weights_follow_keras_initialisers() -> None:
    spec = MobileNetSpec(0.5, 128)
    weights = random_layer_weights(spec, seed=5)
    assert set(weights) == set(expected_weight_shapes(spec))
    kernel = weights["conv_pw_13"][0]  # (1, 1, 512, 512): limit sqrt(6 / 1024)
    assert 0.07 < np.abs(kernel).max() <= np.sqrt(6 / 1024)
    dw = weights["conv_dw_3"][0]  # (3, 3, 64, 1): fans 576 and 9
    assert np.abs(dw).max() <= np.sqrt(6 / (576 + 9))
    gamma, beta, mean, var = weights["conv1_bn"]
    assert (gamma == 1).all() and (beta == 0).all() and (mean == 0).all() and (var == 1).all()
    assert (weights["conv_preds"][1] == 0).all()


def test_fold_batchnorm_matches_the_formula() -> None:
    rng = np.random.default_rng(6)
    kernel = rng.normal(size=(3, 3, 4, 5)).astype(np.float32)
    gamma, beta, mean = (rng.normal(size=5).astype(np.float32) for _ in range(3))
    var = rng.uniform(0.1, 2, size=5).astype(np.float32)
    folded, bias = fold_batchnorm(kernel, [gamma, beta, mean, var])
    scale = gamma / np.sqrt(var + 1e-3)
    np.testing.assert_allclose(folded, kernel * scale, rtol=1e-6)
    np.testing.assert_allclose(bias, beta - mean * scale, rtol=1e-5, atol=1e-6)
    assert folded.dtype == bias.dtype == np.float32


@pytest.mark.fixtures
def test_engine_creation_does_not_import_tensorflow(fixtures_dir: Path, tmp_path: Path) -> None:
    weights = str(fixtures_dir / WEIGHTS)
    code = (
        "import sys\n"
        "from explorer.arch.spec import MobileNetSpec\n"
        "from explorer.vision.engines import create_engine\n"
        "from explorer.vision.types import EngineRequest\n"
        f"e = create_engine(EngineRequest(MobileNetSpec(0.25, 128), weights={weights!r},"
        " engine='litert', device='cpu'))\n"
        "assert e.info.pretrained and not e.from_cache, e.info\n"
        "print('tensorflow' in sys.modules, round(e.timings['total'], 3))\n"
    )
    env = {**os.environ, "MOBILENET_EXPLORER_CACHE": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    imported, _total = done.stdout.split()
    assert imported == "False"


# --------------------------------------------------------------------------- against TensorFlow


def _keras_model(spec: MobileNetSpec, weights: dict[str, list[np.ndarray]]):
    from explorer.keras_builder.model import build_model

    model = build_model(spec)
    for layer in model.layers:
        if layer.name in weights:
            layer.set_weights(weights[layer.name])
    return model


@pytest.mark.tf
@pytest.mark.parametrize("spec", [MobileNetSpec(0.25, 129), MobileNetSpec(0.5, 96),
                                  MobileNetSpec(0.35, 70, body="standard"),
                                  MobileNetSpec(0.3, 101, body="shallow")],
                         ids=lambda s: f"{s.alpha}-{s.resolution}-{s.body}")
def test_written_model_matches_keras(spec: MobileNetSpec) -> None:
    weights = random_layer_weights(spec, seed=7)
    # Non-trivial batch norms, so a folding mistake cannot hide behind gamma 1 / mean 0.
    rng = np.random.default_rng(8)
    for name, arrays in weights.items():
        if name.endswith("_bn"):
            c = arrays[0].shape[0]
            weights[name] = [rng.uniform(0.5, 1.5, c).astype(np.float32),
                             rng.normal(0, 0.1, c).astype(np.float32),
                             rng.normal(0, 0.1, c).astype(np.float32),
                             rng.uniform(0.5, 2, c).astype(np.float32)]
    data = build_litert_model(spec, weights)
    model = _keras_model(spec, weights)
    for x in _inputs(spec.resolution):
        expected = model(x, training=False).numpy()
        np.testing.assert_allclose(_run(data, x), expected, atol=1e-5)


@pytest.mark.tf
@pytest.mark.fixtures
def test_written_model_matches_the_converter_on_the_photos(fixtures_dir: Path) -> None:
    from explorer.keras_builder.weights import inspect_weights, read_layer_weights
    from explorer.vision.engines import convert_to_tflite
    from explorer.vision.images import load_image_rgb
    from explorer.vision.labels import decode_top_k
    from explorer.vision.preprocess import preprocess

    spec = MobileNetSpec(0.25, 128)
    weights = read_layer_weights(inspect_weights(fixtures_dir / WEIGHTS),
                                 expected_weight_shapes(spec))
    written = build_litert_model(spec, weights)
    converted = convert_to_tflite(_keras_model(spec, weights), spec.resolution)
    assert _op_names(written) == _op_names(converted)
    for photo in sorted((fixtures_dir / "images").iterdir()):
        x = preprocess(load_image_rgb(photo), spec.resolution)
        a, b = _run(written, x), _run(converted, x)
        np.testing.assert_allclose(a, b, atol=1e-5, err_msg=photo.name)
        assert [p.label for p in decode_top_k(a, 5)] == [p.label for p in decode_top_k(b, 5)]
