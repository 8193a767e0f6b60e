"""Inference engines: one compiled model per (variant, weights, device), batch 1.

Two implementations of ``explorer.vision.types.InferenceEngine``:

- ``TfEngine``: the Keras model behind one ``tf.function`` with a fixed input signature
  (1, R, R, 3) float32, traced and warmed once at creation.  Never ``model.predict`` per frame
  (tens of ms of fixed overhead, reference.md).  Used on the GPU.
- ``LiteRtEngine``: the same network and weights as a float32 ``.tflite`` flatbuffer, run by
  ``ai_edge_litert.interpreter.Interpreter`` with XNNPACK and one thread per core; 2-20x
  faster than the tf.function at batch 1 on a CPU.  The flatbuffer is written directly from
  the Keras weights file by ``explorer.vision.litert_writer`` (no TensorFlow import: about
  0.1-0.3 s instead of 4-5 s in a fresh process) and cached on disk per (variant, weights
  file content).  ``convert_to_tflite`` (TensorFlow's converter) stays as the reference the
  writer is tested against.

``create_engine`` picks the engine ("auto": LiteRT on the CPU, TensorFlow on a GPU), finds
weights (random weights, flagged ``pretrained=False`` with a warning, when none exist),
reports progress per stage and honours a cancel flag between stages.

Classification always uses the ImageNet head: the spec is normalised to ``include_top=True,
classes=1000`` (``EngineInfo.spec`` holds the spec actually run).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import struct
import sys
import time
import warnings
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from explorer.arch.spec import (
    PRETRAINED_ALPHAS,
    PRETRAINED_RESOLUTIONS,
    STEM_FILTERS,
    MobileNetSpec,
    format_alpha,
    scaled_channels,
)
from explorer.atomic_write import write_bytes_atomic
from explorer.file_probe import is_reachable_file
from explorer.keras_builder.weights import (
    WeightsChoice,
    WeightsError,
    find_weights,
    keras_cache_dir,
    load_weights_into,
    read_layer_weights,
)
from explorer.vision.devices import DeviceSelection, select_device
from explorer.vision.types import EngineInfo, EngineRequest, InferenceEngine

if TYPE_CHECKING:  # pragma: no cover
    from explorer.vision.quantized import QuantizedEngine

#: progress(stage_text, fraction in [0, 1])
ProgressCallback = Callable[[str, float], None]
CancelCheck = Callable[[], bool]

CACHE_ENV = "MOBILENET_EXPLORER_CACHE"
#: Bumped whenever the conversion changes, so old cached flatbuffers are not reused.
#: 3: with a checksum trailer; 2: written by litert_writer; 1: TensorFlow's converter.
LITERT_CACHE_FORMAT = 3
#: The LiteRT cache is pruned (oldest first) above this size.
LITERT_CACHE_MAX_BYTES = 512 * 1024 * 1024


class Cancelled(Exception):
    """create_engine was cancelled between two stages; nothing was kept."""


class EngineError(RuntimeError):
    """The engine could not be built (conversion or runtime failure); the message says why."""


#: Top-level package -> (what to call it, how to install it, the engine that does without).
_RUNTIMES = {
    "tensorflow": ("TensorFlow", "pip install tensorflow", "LiteRT"),
    "keras": ("Keras", "pip install tensorflow", "LiteRT"),
    "ai_edge_litert": ("LiteRT (ai-edge-litert)", "pip install ai-edge-litert", "TensorFlow"),
}


def runtime_import_error(exc: ImportError) -> EngineError:
    """One clear line for a runtime that is missing or broken: a traceback from deep inside
    ``classify`` (or "could not write the LiteRT model: <import text>") told nobody what to
    install or which engine still works."""
    package = (exc.name or "").split(".")[0]
    tb = exc.__traceback__
    while package not in _RUNTIMES and tb is not None:  # raised inside the package itself
        path = tb.tb_frame.f_code.co_filename.replace("\\", "/")
        package = next((name for name in _RUNTIMES if f"/{name}/" in path), "")
        tb = tb.tb_next
    if package not in _RUNTIMES:
        return EngineError(f"a library the engine needs could not be imported: {exc}")
    label, install, other = _RUNTIMES[package]
    return EngineError(f"{label} could not be imported ({exc}): install it with '{install}',"
                       f" or choose the {other} engine")


# ---------------------------------------------------------------------------- helpers


class _Stages:
    """Progress reporting and cancel checks between the stages of create_engine."""

    def __init__(self, progress: ProgressCallback | None, cancel: CancelCheck | None) -> None:
        self._progress = progress
        self._cancel = cancel
        self.timings: dict[str, float] = {}
        self._current: str | None = None
        self._started = time.perf_counter()

    def enter(self, text: str, fraction: float) -> None:
        self._close_current()
        if self._cancel is not None and self._cancel():
            raise Cancelled(f"cancelled before: {text}")
        if self._progress is not None:
            self._progress(text, fraction)
        self._current = text
        self._started = time.perf_counter()

    def _close_current(self) -> None:
        if self._current is not None:
            self.timings[self._current] = time.perf_counter() - self._started
            self._current = None

    def done(self) -> None:
        self._close_current()
        if self._progress is not None:
            self._progress("Ready", 1.0)


def classification_spec(spec: MobileNetSpec) -> MobileNetSpec:
    """The spec an engine runs: same body/alpha/resolution with the 1000-class ImageNet head."""
    if spec.include_top and spec.classes == 1000:
        return spec
    return replace(spec, include_top=True, classes=1000)


def resolve_engine_kind(engine: str, device: DeviceSelection) -> str:
    """'auto' -> 'litert' on the CPU, 'tf' on a GPU; explicit choices pass through."""
    if engine == "auto":
        return "tf" if device.kind == "gpu" else "litert"
    if engine not in ("tf", "litert", "int8"):
        raise ValueError(f"engine must be auto, tf, litert or int8, got {engine!r}")
    return engine


def random_weights_warning(spec: MobileNetSpec, choice: WeightsChoice) -> str:
    """The warning shown whenever labels come from random weights."""
    nearest = format_alpha(spec.nearest_pretrained_alpha())
    reason = choice.message or "no pretrained weights file"
    if spec.has_pretrained_alpha:
        return (f"Random weights: {reason}. The ImageNet labels shown are meaningless until"
                " the weights file is loaded.")
    return (f"Random weights: {reason}. The ImageNet labels shown are meaningless; choose"
            f" alpha {nearest} for pretrained weights.")


def cache_dir() -> Path:
    """Where converted models are kept: $MOBILENET_EXPLORER_CACHE, else the user cache."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(os.path.expanduser(override))  # "~/x" made a folder named "~" here
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "mobilenet-explorer" / "cache"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path(os.path.expanduser("~")) / ".cache"
    return base / "mobilenet-explorer"


_DIGESTS: dict[tuple[str, int, int, int, int], str] = {}


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, memoised for this process per (path, size, mtime, inode,
    ctime): ``cp -p`` and ``rsync -t`` restore size and mtime with new contents, but the
    inode or the change time (which no tool can set back) moves."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def litert_cache_key(spec: MobileNetSpec, weights_path: Path | None) -> str:
    """Identity of a converted model: variant + weights content (+ format version).

    Random weights share one key per variant: any random weights are as meaningless as any
    other, and caching them keeps switching between untrained variants fast.
    """
    ident = {
        "format": LITERT_CACHE_FORMAT,
        "spec": [spec.alpha, spec.resolution, spec.classes, spec.include_top, spec.body],
        "weights": file_digest(weights_path) if weights_path is not None else "random",
    }
    digest = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]
    return f"mobilenet_{spec.alpha:.4f}_{spec.resolution}_{spec.body}_{digest}"


def looks_like_tflite(data: bytes) -> bool:
    """Whether ``data`` can be a TFLite flatbuffer: its file identifier "TFL3" at byte 4."""
    return len(data) > 8 and data[4:8] == b"TFL3"


#: Cached models end with this trailer: magic, CRC-32 and length of the flatbuffer before it.
#: Bytes after a flatbuffer do not bother TFLite (models with metadata append a zip), so a
#: cache file is still a .tflite any tool opens; the check catches damage that still parses
#: (flipped or zeroed weight bytes gave 0 of 12 photos right, NaN bytes a NaN output).
_TRAILER = struct.Struct("<4sIQ")
_TRAILER_MAGIC = b"MNXC"


def with_checksum(data: bytes) -> bytes:
    """``data`` followed by its checksum trailer (what the cache stores)."""
    return data + _TRAILER.pack(_TRAILER_MAGIC, zlib.crc32(data), len(data))


def checked_flatbuffer(stored: bytes) -> bytes | None:
    """A cache file's bytes if its trailer matches (7 ms for 17 MB), else None.  The trailer
    stays on: the interpreter ignores it, and cutting it off would copy 17 MB (9 ms)."""
    if len(stored) <= _TRAILER.size:
        return None
    size = len(stored) - _TRAILER.size
    magic, crc, length = _TRAILER.unpack_from(stored, size)
    if magic != _TRAILER_MAGIC or length != size or zlib.crc32(memoryview(stored)[:size]) != crc:
        return None
    return stored if looks_like_tflite(stored) else None


def _drop_cached(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _litert_cache_path(key: str) -> Path:
    return cache_dir() / "litert" / f"{key}.tflite"


def _write_atomic(path: Path, data: bytes) -> bool:
    """Write bytes via a temp file + rename; False (no exception) when the cache is unusable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, data)
    except OSError:
        return False
    return True


def prune_litert_cache(max_bytes: int = LITERT_CACHE_MAX_BYTES) -> int:
    """Delete the least recently used cached models above ``max_bytes``; returns files removed."""
    folder = cache_dir() / "litert"
    try:
        files = [(p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*.tflite")]
    except OSError:
        return 0
    files.sort()
    total = sum(size for _, size, _ in files)
    removed = 0
    for _, size, path in files:
        if total <= max_bytes:
            break
        try:
            path.unlink()
        except OSError:
            continue
        total -= size
        removed += 1
    return removed


# ---------------------------------------------------------------------------- Keras side


def import_tensorflow() -> Any:
    """Import TensorFlow quietly (C++ info/warning logs off unless the user set them)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf


def build_keras_model(spec: MobileNetSpec, choice: WeightsChoice, tf_device: str = "/CPU:0",
                      ) -> Any:
    """Build ``spec`` on ``tf_device`` and load the chosen weights (random when none)."""
    tf = import_tensorflow()
    from explorer.keras_builder.model import build_model

    with tf.device(tf_device):
        model = build_model(spec)
        if choice.info is not None:
            load_weights_into(model, choice.info)
    return model


def make_inference_function(model: Any, resolution: int, tf_device: str) -> Any:
    """One tf.function with a fixed (1, R, R, 3) float32 signature: traced once, never again."""
    tf = import_tensorflow()
    signature = [tf.TensorSpec((1, resolution, resolution, 3), tf.float32, name="image")]

    @tf.function(input_signature=signature, reduce_retracing=False)  # type: ignore[untyped-decorator]
    def infer(x: Any) -> Any:
        with tf.device(tf_device):
            return model(x, training=False)

    return infer


def convert_to_tflite(model: Any, resolution: int) -> bytes:
    """Float32 TFLite flatbuffer of ``model`` (batch 1).

    Converts a frozen concrete function (variables inlined as constants): about twice as fast
    as ``TFLiteConverter.from_keras_model``, which first writes a SavedModel, and it gives the
    same operators (BatchNorm folded into the convolutions) and bit-identical outputs.
    """
    tf = import_tensorflow()
    infer = make_inference_function(model, resolution, "/CPU:0")
    concrete = infer.get_concrete_function()
    try:
        from tensorflow.python.framework.convert_to_constants import (
            convert_variables_to_constants_v2,
        )
    except ImportError:  # pragma: no cover - private module moved: take the slower public path
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
    else:
        frozen = convert_variables_to_constants_v2(concrete)
        converter = tf.lite.TFLiteConverter.from_concrete_functions([frozen])
    try:
        with quiet_converter_logs():
            return bytes(converter.convert())
    except Exception as exc:  # the converter raises many types (ConverterError, RuntimeError)
        raise EngineError(f"TFLite conversion failed: {str(exc).splitlines()[0]}") from exc


@contextlib.contextmanager
def quiet_converter_logs() -> Iterator[None]:
    """Silence the converter's advice to pass ``trackable_obj`` while converting.

    Passing it makes the converter take its SavedModel path, 3-4x slower for MobileNet
    (measured 4.0-4.6 s vs 1.0-1.4 s at 1.0/224) with bit-identical output, so we keep the
    frozen-graph path and drop the log line; TensorFlow's Python warnings are dropped too.
    """
    absl_logger = logging.getLogger("absl")
    level = absl_logger.level
    absl_logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        absl_logger.setLevel(level)


# ---------------------------------------------------------------------------- engines


class TfEngine:
    """TensorFlow engine: one traced, warmed ``tf.function`` on one device."""

    def __init__(self, model: Any, info: EngineInfo, tf_device: str) -> None:
        self.info = info
        self._model = model
        self._shape = (1, info.spec.resolution, info.spec.resolution, 3)
        self._fn = make_inference_function(model, info.spec.resolution, tf_device)
        self._closed = False
        self.timings: dict[str, float] = {}
        self.device: DeviceSelection | None = None

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(1, R, R, 3): the batch ``predict`` takes."""
        return self._shape

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """float32 (1, R, R, 3) in [-1, 1] -> float32 (1, 1000) probabilities."""
        if self._closed:
            raise EngineError("engine is closed")
        if batch.shape != self._shape:
            raise ValueError(f"expected a batch of shape {self._shape}, got {batch.shape}")
        out: np.ndarray = self._fn(batch).numpy()
        return out

    def close(self) -> None:
        self._closed = True
        self._fn = None
        self._model = None


def open_litert(model_bytes: bytes, num_threads: int | None,
                what: str) -> tuple[Any, dict[str, Any], dict[str, Any], int]:
    """A LiteRT interpreter (XNNPACK, one thread per core) with tensors allocated.

    Returns (interpreter, input details, output details, threads); EngineError names ``what``.
    """
    from ai_edge_litert.interpreter import Interpreter

    threads = num_threads or os.cpu_count() or 1
    if not model_bytes:  # LiteRT would say "`model_path` or `model_content` must be specified"
        raise EngineError(f"LiteRT could not load {what}: the file is empty (0 bytes)")
    try:
        interp = Interpreter(model_content=model_bytes, num_threads=threads)
        interp.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise EngineError(f"LiteRT could not load {what}: {exc}") from exc
    return interp, interp.get_input_details()[0], interp.get_output_details()[0], threads


class LiteRtEngine:
    """LiteRT (TFLite) float32 engine: XNNPACK, one thread per core, tensors set up once."""

    def __init__(self, model_bytes: bytes, info_without_engine_name: EngineInfo,
                 num_threads: int | None = None) -> None:
        self._interp, inp, out, threads = open_litert(model_bytes, num_threads, "the model")
        self._in = int(inp["index"])
        self._out = int(out["index"])
        self._shape = tuple(int(d) for d in inp["shape"])
        self.output_shape = tuple(int(d) for d in out["shape"])
        self._bytes = model_bytes  # the interpreter reads the buffer in place: keep it alive
        self.num_threads = threads
        self.info = replace(info_without_engine_name,
                            engine_name=f"LiteRT float32 (XNNPACK, {threads} threads)")
        self.timings: dict[str, float] = {}
        self.device: DeviceSelection | None = None
        self.from_cache = False

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(1, R, R, 3): the batch ``predict`` takes."""
        return self._shape

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """float32 (1, R, R, 3) in [-1, 1] -> float32 (1, 1000) probabilities.

        set_tensor copies into the interpreter's own input buffer (no Python allocation);
        get_tensor returns a 4 KB copy of the output that the caller may keep.
        """
        if self._interp is None:
            raise EngineError("engine is closed")
        if batch.dtype != np.float32 or batch.shape != self._shape:
            raise ValueError(f"expected a float32 batch of shape {self._shape},"
                             f" got {batch.dtype} {batch.shape}")
        self._interp.set_tensor(self._in, batch)
        self._interp.invoke()
        out: np.ndarray = self._interp.get_tensor(self._out)
        return out

    def close(self) -> None:
        self._interp = None
        self._bytes = b""


#: GPUs (by name) that failed at first use in this process; "auto" skips them afterwards.
_FAILED_GPUS: set[str] = set()


def _after_gpu_failure(request: EngineRequest, device: DeviceSelection, exc: BaseException,
                       progress: ProgressCallback | None, cancel: CancelCheck | None,
                       use_cache: bool, num_threads: int | None) -> InferenceEngine:
    """A GPU TensorFlow listed failed at first use (driver, kernels for another compute
    capability, out of memory): on "auto" run on the CPU and say so, else one clear error."""
    first_line = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    _FAILED_GPUS.add(device.name)
    if request.device != "auto":
        raise EngineError(f"{device.name} failed at first use ({first_line}); pick the CPU"
                          " device") from exc
    engine = create_engine(replace(request, device="cpu"), progress, cancel, use_cache,
                           num_threads)
    note = f"{device.name} failed at first use ({first_line}); running on the CPU instead"
    engine.info = replace(engine.info, warnings=(*engine.info.warnings, note))
    return engine


def _warm(engine: InferenceEngine, resolution: int) -> None:
    engine.predict(np.zeros((1, resolution, resolution, 3), np.float32))


def _serves(engine: LiteRtEngine, spec: MobileNetSpec) -> bool:
    """True when ``engine`` takes ``spec``'s input and (with a top) gives its classes."""
    if engine.input_shape != (1, spec.resolution, spec.resolution, 3):
        return False
    return not spec.include_top or engine.output_shape[-1:] == (spec.classes,)


def _litert_bytes(spec: MobileNetSpec, choice: WeightsChoice, stages: _Stages,
                  use_cache: bool, read_cache: bool = True) -> tuple[bytes, bool]:
    """The flatbuffer for (spec, weights): from the disk cache, else written directly.

    No TensorFlow: the weights are read with h5py (or drawn at random like Keras would) and
    ``explorer.vision.litert_writer`` writes the model, about 0.1-0.3 s in all.
    """
    from explorer.vision.litert_writer import (
        WriterError,
        build_litert_model,
        expected_weight_shapes,
        random_layer_weights,
    )

    key = litert_cache_key(spec, choice.path)
    path = _litert_cache_path(key)
    if use_cache and read_cache and is_reachable_file(path):
        stages.enter("Loading cached LiteRT model", 0.5)
        try:
            data = checked_flatbuffer(path.read_bytes())
            if data is not None:
                with contextlib.suppress(OSError):  # a read-only cache still serves
                    os.utime(path)  # most recently used, for pruning
                return data, True
            path.unlink()  # empty or damaged (a crash mid-copy, an edit): write it anew
        except OSError:
            pass  # unreadable cache entry: rebuild below
    if choice.info is not None:
        stages.enter("Reading weights", 0.2)
        weights = read_layer_weights(choice.info, expected_weight_shapes(spec))
    else:
        stages.enter("Drawing random weights", 0.2)
        weights = random_layer_weights(spec)
    stages.enter("Writing LiteRT model", 0.5)
    try:
        data = build_litert_model(spec, weights)
    except WriterError as exc:  # an ImportError goes up to create_engine, which names it
        raise EngineError(f"could not write the LiteRT model: {exc}") from exc
    if use_cache and _write_atomic(path, with_checksum(data)):
        prune_litert_cache()
    return data, False


def int8_search_dirs(request: EngineRequest, choice: WeightsChoice) -> list[Path]:
    """Where an int8 model is looked for: next to the weights file (and its parent, whose
    ``tflite/`` subfolder is searched too), the weights folder and its parent, the Keras
    cache and ``<cache_dir>/int8``.

    The weights folder's parent is searched whether or not the folder holds a float file for
    this alpha: the int8 engine needs none, and with ``float/`` and ``tflite/`` side by side
    Google's 0.25-128 model was found only when a 0.25 ``.h5`` happened to be there too."""
    dirs: list[Path] = []
    for path in (request.weights, choice.path):
        if path is not None:
            dirs += [Path(path).parent, Path(path).parent.parent]
    if request.weights_dir is not None:
        dirs += [Path(request.weights_dir), Path(request.weights_dir).parent]
    dirs.append(keras_cache_dir())
    return list(dict.fromkeys(dirs))


def _int8_engine(spec: MobileNetSpec, request: EngineRequest, choice: WeightsChoice,
                 base_info: EngineInfo, num_threads: int | None) -> QuantizedEngine:
    """Google's quantization-aware-trained uint8 model for ``spec``, under LiteRT."""
    from explorer.vision.quantized import (
        GOOGLE_QAT_ENGINE_NAME,
        QuantizedEngine,
        find_google_quant_model,
        missing_google_quant_message,
    )

    dirs = int8_search_dirs(request, choice)
    found = find_google_quant_model(spec, dirs)
    if found is None:
        if not spec.is_pretrained:
            alphas = "/".join(format_alpha(a) for a in sorted(PRETRAINED_ALPHAS))
            sizes = "/".join(str(r) for r in sorted(PRETRAINED_RESOLUTIONS))
            raise EngineError(
                f"no int8 model for alpha {format_alpha(spec.alpha)} at {spec.resolution}: Google"
                f" published quantized MobileNet v1 only for alpha {alphas} at {sizes}; pick one"
                " of those or the float engine")
        raise EngineError(missing_google_quant_message(spec, dirs))
    try:
        data = found.read_bytes()
    except OSError as exc:
        raise EngineError(f"cannot read {found}: {exc.strerror or exc}") from exc
    info = replace(base_info, engine_name=GOOGLE_QAT_ENGINE_NAME,
                   weights_description=f"{found.name} (in {found.parent})", pretrained=True,
                   warnings=tuple(w for w in base_info.warnings
                                  if not w.startswith("Random weights")))
    engine = QuantizedEngine(data, info, num_threads, what=str(found))
    # A file under the right name can still hold another variant (copied, renamed): say so
    # now, naming it, rather than fail on every frame with a shape error.
    want = (1, spec.resolution, spec.resolution, 3)
    stem = scaled_channels(STEM_FILTERS, spec.alpha)
    problem = ""
    if engine.input_shape != want or engine.classes not in (1000, 1001):
        got = "x".join(str(d) for d in engine.input_shape[1:3])
        problem = f"it takes {got} images and gives {engine.classes} classes"
    elif engine.stem_channels is not None and engine.stem_channels != stem:
        problem = (f"its first convolution has {engine.stem_channels} filters where alpha"
                   f" {format_alpha(spec.alpha)} has {stem} (alpha"
                   f" {format_alpha(engine.stem_channels / STEM_FILTERS)} would)")
    if problem:
        engine.close()
        raise EngineError(f"{found} is not MobileNet {spec.label}'s int8 model: {problem}")
    return engine


#: Largest activation memory (the biggest layer's input + output, float32) a variant may
#: need to be run.  MobileNet 4.0-4096 needs 8.3 GiB: LiteRT allocated 7.7 GB and held
#: Python's lock for 16 s while doing it, freezing the window; 2.0-2048 (1 GiB) starts in
#: well under a second.
MAX_ACTIVATION_BYTES = 2 * 1024**3


def check_runnable_size(spec: MobileNetSpec) -> None:
    """Raise EngineError, before anything is built, for a variant too large to run here."""
    from explorer.arch.layers import model_totals

    need = 4 * model_totals(spec).activations_peak
    if need > MAX_ACTIVATION_BYTES:
        raise EngineError(
            f"MobileNet {spec.label} needs {need / 1024**3:.1f} GiB for its largest layer's"
            f" input and output (float32); classifying runs variants up to"
            f" {MAX_ACTIVATION_BYTES / 1024**3:g} GiB. Lower alpha or the resolution (its"
            " costs are all shown in the other views)")


def create_engine(request: EngineRequest, progress: ProgressCallback | None = None,
                  cancel: CancelCheck | None = None, use_cache: bool = True,
                  num_threads: int | None = None) -> InferenceEngine:
    """Build, load, compile/convert and warm up an engine for ``request``.

    Args:
        request: spec, weights (file/dir), engine ("auto" | "tf" | "litert" | "int8"),
            device.  "int8" runs Google's quantized model for the variant (EngineError when
            there is none); its weights come from that file, not from the ``.h5``.
        progress: called with (stage text, fraction) at each stage; runs on the caller's thread.
        cancel: polled between stages; True raises Cancelled.
        use_cache: LiteRT only: read/write the converted-model cache (``cache_dir()``).
        num_threads: LiteRT only: interpreter threads (default: ``os.cpu_count()``).

    Raises:
        WeightsError: an explicit weights file (or folder) is unusable.
        Cancelled: ``cancel()`` returned True.
        EngineError: conversion or the runtime failed.

    The returned engine has ``timings`` (seconds per stage) besides ``info``.  A runtime
    that cannot be imported is an EngineError naming it (``runtime_import_error``).
    """
    try:
        return _create_engine(request, progress, cancel, use_cache, num_threads)
    except ImportError as exc:
        raise runtime_import_error(exc) from exc


def _create_engine(request: EngineRequest, progress: ProgressCallback | None,
                   cancel: CancelCheck | None, use_cache: bool,
                   num_threads: int | None) -> InferenceEngine:
    started = time.perf_counter()
    stages = _Stages(progress, cancel)
    spec = classification_spec(request.spec)
    check_runnable_size(spec)

    stages.enter("Finding weights", 0.0)
    choice = find_weights(spec, request.weights, request.weights_dir,
                          weights_dir_source=request.weights_dir_source,
                          weights_source=request.weights_source)
    warnings: list[str] = []
    pretrained = choice.found
    if not pretrained:
        warnings.append(random_weights_warning(spec, choice))

    stages.enter("Choosing device", 0.05)
    device = select_device(request.device, strict=False, quick=request.engine != "tf")
    if device.kind == "gpu" and request.device == "auto" and device.name in _FAILED_GPUS:
        # It failed at first use earlier in this process: straight to the CPU, not a
        # second failed try for every variant.
        failed = device.name
        device = replace(select_device("cpu"), hint=device.hint)
        warnings.append(f"{failed} failed at first use earlier; running on the CPU")
    kind = resolve_engine_kind(request.engine, device)
    if device.warning:
        warnings.append(device.warning)
    if kind in ("litert", "int8"):
        if device.kind == "gpu" and request.device == "gpu":
            warnings.append("the LiteRT engine runs on the CPU; pick TensorFlow to use the GPU")
        # LiteRT runs on the CPU; keep the no-GPU hint for the view.
        device = replace(select_device("cpu"), hint=device.hint)
    elif device.hint and device.kind == "cpu" and request.device != "cpu":
        warnings.append(device.hint)

    base_info = EngineInfo(spec=spec, engine_name="", device_name=device.name,
                           weights_description=choice.description, pretrained=pretrained,
                           warnings=tuple(warnings))
    engine: TfEngine | LiteRtEngine | QuantizedEngine
    if kind == "int8":
        stages.enter("Finding the int8 model", 0.3)
        engine = _int8_engine(spec, request, choice, base_info, num_threads)
    elif kind == "litert":
        data, from_cache = _litert_bytes(spec, choice, stages, use_cache)
        stages.enter("Starting LiteRT", 0.85)
        try:
            engine = LiteRtEngine(data, base_info, num_threads)
            if from_cache and not _serves(engine, spec):
                engine.close()
                raise EngineError("the cached model is another variant's")
        except EngineError:
            if not from_cache:
                raise
            # The cached file passed the header check but LiteRT refuses it, or it holds
            # another variant (a copied or edited cache): drop it and write the model
            # again, instead of failing this variant on every run.
            _drop_cached(_litert_cache_path(litert_cache_key(spec, choice.path)))
            # Not from the cache again: a read-only cache keeps the bad file.
            data, from_cache = _litert_bytes(spec, choice, stages, use_cache, read_cache=False)
            engine = LiteRtEngine(data, base_info, num_threads)
        engine.from_cache = from_cache
    else:
        stages.enter("Importing TensorFlow", 0.1)
        import_tensorflow()
        try:
            stages.enter("Building model", 0.3)
            model = build_keras_model(spec, choice, device.tf_device)
            stages.enter("Compiling tf.function", 0.7)
            engine = TfEngine(model, replace(base_info, engine_name="TensorFlow tf.function"),
                              device.tf_device)
            stages.enter("Warming up", 0.9)
            _warm(engine, spec.resolution)
        except (Cancelled, WeightsError):
            raise
        except Exception as exc:  # noqa: BLE001 - a GPU fails in many ways (CUDA, OOM, kernels)
            if device.kind != "gpu":
                raise
            return _after_gpu_failure(request, device, exc, progress, cancel, use_cache,
                                      num_threads)
    if not isinstance(engine, TfEngine):
        stages.enter("Warming up", 0.9)
        _warm(engine, spec.resolution)
    if cancel is not None and cancel():
        engine.close()
        raise Cancelled("cancelled after warm-up")
    stages.done()
    engine.device = device
    engine.timings = dict(stages.timings, total=time.perf_counter() - started)
    return engine


__all__ = [
    "Cancelled",
    "CancelCheck",
    "EngineError",
    "LiteRtEngine",
    "ProgressCallback",
    "TfEngine",
    "WeightsError",
    "cache_dir",
    "classification_spec",
    "convert_to_tflite",
    "create_engine",
    "litert_cache_key",
    "prune_litert_cache",
    "resolve_engine_kind",
]
