"""int8 option: quantized MobileNet v1 under LiteRT, and a float-vs-int8 comparison.

Two sources of a quantized model for a variant:

1. Google's published TF-slim quantization-aware-trained models
   ``mobilenet_v1_{alpha}_{res}_quant.tflite`` (uint8 input with scale 1/128 and zero point
   128; 1001 outputs with "background" at index 0).  Google feeds these models the uint8
   pixel itself, so the engine turns Keras' ``x / 127.5 - 1`` back into that pixel instead of
   quantising x to scale 1/128 (which would put pixels 128-254 one level too high).  They only
   exist for the 16 published variants; we look for them in folders the caller names (e.g. the
   shared fixtures) and in ``<cache_dir>/int8``.
2. Otherwise post-training full-integer quantisation of the built Keras model
   (``TFLiteConverter`` with ``Optimize.DEFAULT`` and a representative dataset made of the
   caller's calibration images), with float input and output so it plugs into the same
   pipeline.

``QuantizedEngine`` implements ``InferenceEngine``: float32 [-1, 1] batch in, 1000 Keras-order
probabilities out (the background class is dropped, the rest keep their dequantized values,
so they sum to slightly less than 1).

Note on agreement: Google's QAT models were trained separately from Keras' float files, so
"float vs int8 agreement" against the official Keras weights measures two different trainings;
against the fixtures' derived weights (which are the dequantized QAT weights) it measures the
quantisation alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.arch.spec import MobileNetSpec, format_alpha
from explorer.bench import percentile
from explorer.file_probe import is_reachable_file
from explorer.vision.types import EngineInfo, EngineRequest, InferenceEngine

#: What the view and the command line call an engine running one of Google's QAT files:
#: "int8" as the Engine menu and `--engine int8` say (it read "uint8" after choosing "int8"),
#: with the tensors' actual type (Google's TF1 QAT models are uint8) in the details.
GOOGLE_QAT_ENGINE_NAME = "LiteRT int8 (Google QAT model: uint8 tensors, XNNPACK)"


def google_quant_name(spec: MobileNetSpec) -> str:
    """``mobilenet_v1_0.5_160_quant.tflite`` style name of Google's model for ``spec``."""
    return f"mobilenet_v1_{format_alpha(spec.alpha)}_{spec.resolution}_quant.tflite"


def default_quant_dirs() -> list[Path]:
    from explorer.vision.engines import cache_dir

    return [cache_dir() / "int8"]


def google_quant_folders(folders: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """Every folder ``find_google_quant_model`` looks in, in its order: each of ``folders``
    and its ``tflite/`` subfolder, then the same for ``default_quant_dirs()``."""
    searched: list[Path] = []
    for folder in [*map(Path, folders), *default_quant_dirs()]:
        searched += [folder, folder / "tflite"]
    return list(dict.fromkeys(searched))


def find_google_quant_model(spec: MobileNetSpec,
                            folders: Iterable[str | os.PathLike[str]] = ()) -> Path | None:
    """Google's quantized ``.tflite`` for exactly this variant, if one is in ``folders``."""
    if not spec.is_pretrained:
        return None
    name = google_quant_name(spec)
    for folder in google_quant_folders(folders):
        if is_reachable_file(folder / name):
            return folder / name
    return None


def missing_google_quant_message(spec: MobileNetSpec,
                                 folders: Iterable[str | os.PathLike[str]] = ()) -> str:
    """The "no int8 model" error: the file name and every folder that was searched for it."""
    where = ", ".join(str(d) for d in google_quant_folders(folders))
    return (f"no int8 model: put {google_quant_name(spec)} (Google's quantized MobileNet v1)"
            f" in one of: {where}")


class QuantizedEngine:
    """A quantized ``.tflite`` under LiteRT (XNNPACK), behind the float engine interface."""

    def __init__(self, model_bytes: bytes, info: EngineInfo,
                 num_threads: int | None = None, what: str = "the quantized model") -> None:
        from explorer.vision.engines import open_litert

        self._interp, inp, out, _threads = open_litert(model_bytes, num_threads, what)
        self._in = int(inp["index"])
        self._out = int(out["index"])
        self._in_dtype = np.dtype(inp["dtype"])
        self._in_scale, self._in_zero = inp["quantization"]
        self._out_dtype = np.dtype(out["dtype"])
        self._out_scale, self._out_zero = out["quantization"]
        self._shape = tuple(int(d) for d in inp["shape"])
        # Google's QAT convention: the uint8 input *is* the pixel (scale 1/128, zero point 128
        # only approximates x / 127.5 - 1).  Quantising x instead would shift every pixel from
        # 128 to 254 up one level; on the fixtures that flipped one top-1 of 12 at 0.75/192.
        self._pixel_input = (self._in_dtype == np.uint8 and self._in_zero == 128
                             and abs(self._in_scale - 1 / 128) < 1e-9)
        classes = self.classes = int(out["shape"][-1])
        #: Filters of the first convolution (its kernel is the one 3x3 over 3 channels):
        #: 32 x alpha, so a model copied under another alpha's name is caught.  None when
        #: the model holds no such kernel.
        self.stem_channels = next(
            (int(t["shape"][0]) for t in self._interp.get_tensor_details()
             if len(t["shape"]) == 4 and tuple(int(d) for d in t["shape"][1:]) == (3, 3, 3)),
            None)
        # 1001 = TF-slim's background class at index 0, then Keras' 1000 in the same order.
        self._drop_background = classes == 1001
        self._bytes = model_bytes
        self._qbuf = np.empty(self._shape, self._in_dtype)
        self.input_type = self._in_dtype.name
        self.info = info
        self.timings: dict[str, float] = {}

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The model's input, e.g. (1, 160, 160, 3)."""
        return self._shape

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """float32 (1, R, R, 3) in [-1, 1] -> float32 (1, 1000) probabilities."""
        if self._interp is None:
            raise RuntimeError("engine is closed")
        if batch.shape != self._shape:
            raise ValueError(f"expected a batch of shape {self._shape}, got {batch.shape}")
        if self._pixel_input:
            # Exact: x came from a uint8 pixel as x / 127.5 - 1 in float32.
            q = np.rint((batch + np.float32(1)) * np.float32(127.5))
            np.clip(q, 0, 255, out=q)
            self._qbuf[...] = q
            self._interp.set_tensor(self._in, self._qbuf)
        elif self._in_dtype.kind in "ui" and self._in_scale:
            info = np.iinfo(self._in_dtype)
            q = np.rint(batch / self._in_scale + self._in_zero)
            np.clip(q, info.min, info.max, out=q)
            self._qbuf[...] = q
            self._interp.set_tensor(self._in, self._qbuf)
        else:
            self._interp.set_tensor(self._in, batch.astype(self._in_dtype, copy=False))
        self._interp.invoke()
        raw = self._interp.get_tensor(self._out)
        if self._out_dtype.kind in "ui" and self._out_scale:
            probs = (raw.astype(np.float32) - np.float32(self._out_zero)) * \
                np.float32(self._out_scale)
        else:
            probs = raw.astype(np.float32, copy=False)
        if self._drop_background:
            probs = probs[:, 1:]
        return np.ascontiguousarray(probs)

    def close(self) -> None:
        self._interp = None
        self._bytes = b""


def post_training_quantize(model: Any, resolution: int,
                           calibration: Sequence[np.ndarray]) -> bytes:
    """Full-integer (int8 weights and activations) TFLite model with float32 input/output.

    Args:
        model: the Keras model with its weights.
        calibration: preprocessed batches (1, R, R, 3) float32 used to pick activation ranges;
            a few real photos are enough for a demo (more give better ranges).
    """
    from explorer.vision.engines import (
        EngineError,
        import_tensorflow,
        make_inference_function,
        quiet_converter_logs,
    )

    tf = import_tensorflow()
    if not calibration:
        raise ValueError("post-training quantisation needs at least one calibration image")
    infer = make_inference_function(model, resolution, "/CPU:0")
    concrete = infer.get_concrete_function()
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2,
    )

    converter = tf.lite.TFLiteConverter.from_concrete_functions(
        [convert_variables_to_constants_v2(concrete)])
    converter.optimizations = [tf.lite.Optimize.DEFAULT]

    def representative() -> Any:
        for batch in calibration:
            yield [np.asarray(batch, np.float32)]

    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    try:
        with quiet_converter_logs():
            return bytes(converter.convert())
    except Exception as exc:  # the converter raises many types
        raise EngineError(f"int8 conversion failed: {str(exc).splitlines()[0]}") from exc


def create_int8_engine(spec: MobileNetSpec, quant_dirs: Iterable[str | os.PathLike[str]] = (),
                       weights: Path | None = None, weights_dir: Path | None = None,
                       calibration: Sequence[np.ndarray] = (),
                       num_threads: int | None = None) -> QuantizedEngine:
    """An int8 engine for ``spec``: Google's QAT model when present, else PTQ of the float model.

    Raises:
        ValueError: no Google model and no calibration images for PTQ.
        WeightsError: an explicit weights file is unusable.
    """
    from explorer.keras_builder.weights import find_weights
    from explorer.vision.engines import build_keras_model, classification_spec

    spec = classification_spec(spec)
    google = find_google_quant_model(spec, quant_dirs)
    cpu = _cpu_name()
    if google is not None:
        info = EngineInfo(spec=spec, engine_name=GOOGLE_QAT_ENGINE_NAME,
                          device_name=cpu, weights_description=str(google), pretrained=True)
        return QuantizedEngine(google.read_bytes(), info, num_threads)
    choice = find_weights(spec, weights, weights_dir)
    model = build_keras_model(spec, choice, "/CPU:0")
    data = post_training_quantize(model, spec.resolution, calibration)
    warnings = () if choice.found else ("Random weights: int8 labels are meaningless.",)
    info = EngineInfo(spec=spec, engine_name="LiteRT int8 (post-training quantised, XNNPACK)",
                      device_name=cpu, weights_description=choice.description,
                      pretrained=choice.found, warnings=warnings)
    return QuantizedEngine(data, info, num_threads)


def _cpu_name() -> str:
    from explorer.vision.devices import cpu_description

    return cpu_description()


@dataclass(frozen=True)
class ImageAgreement:
    image: str
    float_label: str
    float_probability: float
    int8_label: str
    int8_probability: float

    @property
    def agree(self) -> bool:
        return self.float_label == self.int8_label


@dataclass(frozen=True)
class Int8Comparison:
    """Float vs int8 on the same photos: latency (ms per frame) and top-1 agreement."""

    spec: MobileNetSpec
    float_engine: str
    int8_engine: str
    float_ms_median: float
    float_ms_p90: float
    int8_ms_median: float
    int8_ms_p90: float
    agreement: int
    total: int
    images: tuple[ImageAgreement, ...] = field(default_factory=tuple)
    float_pretrained: bool = True

    @property
    def speedup(self) -> float:
        return self.float_ms_median / self.int8_ms_median if self.int8_ms_median else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.spec.alpha, "resolution": self.spec.resolution,
            "float_engine": self.float_engine, "int8_engine": self.int8_engine,
            "float_ms_median": self.float_ms_median, "float_ms_p90": self.float_ms_p90,
            "int8_ms_median": self.int8_ms_median, "int8_ms_p90": self.int8_ms_p90,
            "speedup": self.speedup, "agreement": self.agreement, "total": self.total,
            "float_pretrained": self.float_pretrained,
            "images": [
                {"image": a.image, "float": a.float_label, "float_p": a.float_probability,
                 "int8": a.int8_label, "int8_p": a.int8_probability, "agree": a.agree}
                for a in self.images
            ],
        }


def time_engine(engine: InferenceEngine, batch: np.ndarray, frames: int) -> list[float]:
    """Milliseconds per ``predict`` for ``frames`` calls after one warm-up call."""
    engine.predict(batch)
    times = []
    for _ in range(max(1, frames)):
        t0 = time.perf_counter()
        engine.predict(batch)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def median_p90(times: Sequence[float]) -> tuple[float, float]:
    """(median, 90th percentile) of a list of timings, linearly interpolated by the
    benchmarks' own ``percentile`` (it was nearest rank here)."""
    return percentile(times, 50), percentile(times, 90)


def compare_float_int8(spec: MobileNetSpec, images: Sequence[str | os.PathLike[str]],
                       quant_dirs: Iterable[str | os.PathLike[str]] = (),
                       weights: Path | None = None, weights_dir: Path | None = None,
                       frames: int = 50, num_threads: int | None = None) -> Int8Comparison:
    """Run the float LiteRT engine and the int8 engine side by side on ``images``.

    Latency is measured on the first image's batch, ``frames`` calls each, interleaved
    float/int8 blocks so machine noise hits both alike.  Unreadable images raise ImageError.
    """
    from explorer.vision.engines import create_engine
    from explorer.vision.images import load_image_rgb
    from explorer.vision.labels import decode_top_k
    from explorer.vision.preprocess import preprocess

    if not images:
        raise ValueError("compare_float_int8 needs at least one image")
    batches = [preprocess(load_image_rgb(p), spec.resolution) for p in images]
    float_engine = create_engine(
        EngineRequest(spec=spec, weights=weights, weights_dir=weights_dir, engine="litert",
                      device="cpu"), num_threads=num_threads)
    int8_engine = create_int8_engine(spec, quant_dirs, weights, weights_dir, batches,
                                     num_threads)
    try:
        rows = []
        for path, batch in zip(images, batches, strict=True):
            f = decode_top_k(float_engine.predict(batch), 1)[0]
            q = decode_top_k(int8_engine.predict(batch), 1)[0]
            rows.append(ImageAgreement(Path(path).name, f.label, f.probability,
                                       q.label, q.probability))
        half = max(1, frames // 2)
        float_times = time_engine(float_engine, batches[0], half)
        int8_times = time_engine(int8_engine, batches[0], half)
        float_times += time_engine(float_engine, batches[0], half)
        int8_times += time_engine(int8_engine, batches[0], half)
        f_med, f_p90 = median_p90(float_times)
        q_med, q_p90 = median_p90(int8_times)
        return Int8Comparison(
            spec=float_engine.info.spec, float_engine=float_engine.info.engine_name,
            int8_engine=int8_engine.info.engine_name,
            float_ms_median=f_med, float_ms_p90=f_p90,
            int8_ms_median=q_med, int8_ms_p90=q_p90,
            agreement=sum(r.agree for r in rows), total=len(rows), images=tuple(rows),
            float_pretrained=float_engine.info.pretrained,
        )
    finally:
        float_engine.close()
        int8_engine.close()
