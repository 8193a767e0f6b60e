"""Cross-check the cost model against Keras: our builder and keras.applications.MobileNet.

For each variant: the same layer names in the same order, the same output shapes, the same
params (trainable and non-trainable) per layer, count_params() equal to our totals, and MACs
equal to an independent count from the built model's kernel shapes.
"""

from __future__ import annotations

import os

import pytest

from explorer.arch import MobileNetSpec, base_layer_name, layer_rows, model_totals, pretrained_specs

pytestmark = [pytest.mark.tf, pytest.mark.slow]

OTHER_VARIANTS = [
    MobileNetSpec(0.35, 96),
    MobileNetSpec(0.6, 200),
    MobileNetSpec(1.3, 256),
    MobileNetSpec(0.1, 32),
    MobileNetSpec(2.0, 320),
    MobileNetSpec(0.9, 227),
    MobileNetSpec(0.5, 161, classes=10),
    MobileNetSpec(0.75, 192, include_top=False),
]
VARIANTS = pretrained_specs() + OTHER_VARIANTS


def _count(weights) -> int:
    total = 0
    for w in weights:
        n = 1
        for d in w.shape:
            n *= int(d)
        total += n
    return total


def _independent_macs(model) -> int:
    """Mult-adds from kernel shapes and output sizes of the built Keras layers."""
    import keras

    macs = 0
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
            kernel = layer.kernel.shape  # (kh, kw, cin, cout) or (kh, kw, cin, multiplier)
            out_h, out_w = layer.output.shape[1], layer.output.shape[2]
            macs += int(kernel[0] * kernel[1] * kernel[2] * kernel[3]) * out_h * out_w
    return macs


def _keras_reference(spec):
    import keras

    return keras.applications.MobileNet(
        input_shape=(spec.resolution, spec.resolution, 3), alpha=spec.alpha, weights=None,
        include_top=spec.include_top, classes=spec.classes,
    )


def _assert_matches(model, spec):
    rows = layer_rows(spec)
    assert [base_layer_name(layer.name) for layer in model.layers] == [r.name for r in rows]
    for layer, row in zip(model.layers, rows):
        assert tuple(layer.output.shape[1:]) == row.output_shape, row.name
        assert _count(layer.trainable_weights) == row.trainable_params, row.name
        assert _count(layer.non_trainable_weights) == row.non_trainable_params, row.name
    assert model.count_params() == model_totals(spec).params
    assert _independent_macs(model) == model_totals(spec).macs


@pytest.mark.parametrize("spec", VARIANTS, ids=[s.label + ("" if s.include_top else "-notop")
                                                + (f"-{s.classes}c" if s.classes != 1000 else "")
                                                for s in VARIANTS])
def test_cost_model_matches_keras_and_builder(spec):
    from explorer.keras_builder import build_model

    _assert_matches(_keras_reference(spec), spec)
    _assert_matches(build_model(spec), spec)


#: Every alpha x resolution position of the window's sliders (29 x 31 = 899 variants).
SLIDER_GRID = [MobileNetSpec(round(0.10 + 0.05 * i, 2), r)
               for i in range(29) for r in range(32, 513, 16)]
FULL_SWEEP_ENV = "MOBILENET_FULL_SWEEP"


def test_slider_grid_matches_keras():
    """What the sliders reach, layer by layer, against keras.applications.MobileNet: every
    23rd grid position by default (40 variants, ~8 s); all 899 with MOBILENET_FULL_SWEEP=1
    (~3 min on 2 cores; run on 2026-12-02: 0 mismatches)."""
    import keras

    full = os.environ.get(FULL_SWEEP_ENV) == "1"
    specs = SLIDER_GRID if full else SLIDER_GRID[::23]
    for n, spec in enumerate(specs, 1):
        try:
            _assert_matches(_keras_reference(spec), spec)
        except AssertionError as exc:
            raise AssertionError(f"MobileNet {spec.label}: {exc}") from None
        if n % 50 == 0:
            keras.backend.clear_session()  # thousands of layers otherwise slow the builds


@pytest.mark.parametrize("body", ["standard", "shallow"])
def test_paper_bodies_build(body):
    from explorer.keras_builder import build_model

    spec = MobileNetSpec(1.0, 224, body=body)
    model = build_model(spec)
    assert model.count_params() == model_totals(spec).params
    assert _independent_macs(model) == model_totals(spec).macs


def test_builder_loads_keras_weights_file(fixtures_dir):
    """A real Keras weights file loads into our model and gives Keras' outputs."""
    import numpy as np

    from explorer.keras_builder import build_model

    path = fixtures_dir / "weights/derived_from_coral_quant_tflite/mobilenet_2_5_128_tf.h5"
    spec = MobileNetSpec(0.25, 128)
    ours = build_model(spec)
    ours.load_weights(str(path))
    ref = _keras_reference(spec)
    ref.load_weights(str(path))
    x = np.random.default_rng(0).uniform(-1, 1, (2, 128, 128, 3)).astype("float32")
    np.testing.assert_allclose(ours(x).numpy(), ref(x).numpy(), atol=1e-5)
