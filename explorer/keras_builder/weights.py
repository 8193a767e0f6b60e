"""Keras ImageNet weights for MobileNet v1: find the file, inspect it, load it by layer name.

Keras publishes one ``.h5`` file per (alpha, resolution),
``mobilenet_{1_0|7_5|5_0|2_5}_{res}_tf.h5``, but the weights do not depend on the input size
(the convolutions are size-agnostic and the classifier follows a global average pool), so any
of the four files for an alpha loads at any resolution.  The lookup therefore accepts every
resolution file for the alpha and prefers the matching one.

Files are inspected with h5py *before* TensorFlow sees them, so that every way a file can be
wrong (missing, not HDF5, truncated, another alpha, no classifier) becomes one readable
``WeightsError`` instead of a Keras traceback.  Loading is done here by layer name rather
than through ``model.load_weights``: it does not depend on the file extension or on private
Keras modules, and a shape mismatch names the layer.

Three file layouts are read:

* legacy HDF5 (Keras 2 and ``keras.applications`` downloads, also whole-model ``model.save
  ("x.h5")``): one group per layer *name*, arrays listed in the ``weight_names`` attribute;
* Keras 3 ``.weights.h5`` (``model.save_weights``): one group per layer under ``layers/``,
  named after the layer's *class* and counted per class in model order (``conv2d``,
  ``conv2d_1``, ...), arrays under ``vars/0``, ``vars/1``...;
* Keras 3 ``.keras`` archives (``model.save("x.keras")``): a zip holding the same
  ``model.weights.h5``.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.arch.spec import (
    PRETRAINED_ALPHAS,
    PRETRAINED_RESOLUTIONS,
    STEM_FILTERS,
    MobileNetSpec,
    format_alpha,
    scaled_channels,
)
from explorer.file_probe import is_reachable_dir, is_reachable_file

if TYPE_CHECKING:  # pragma: no cover
    import h5py
    import keras
    import numpy as np

#: Keras' spelling of each pretrained alpha in the weight file names.
ALPHA_FILE_TEXT: dict[float, str] = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}
#: Where keras.applications downloads MobileNet v1 files from.
KERAS_WEIGHTS_BASE_URL = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_LAST_POINTWISE = "conv_pw_13"
_LAST_POINTWISE_FILTERS = 1024

#: ``WeightsFileInfo.layout`` values.
LEGACY_LAYOUT = "legacy"
KERAS3_LAYOUT = "keras3"
#: File name endings offered and recognised as weights (file dialogs, drops on the view).
WEIGHTS_SUFFIXES = (".h5", ".hdf5", ".keras")
#: The file dialog filter for them.
WEIGHTS_FILE_FILTER = ("Keras weights (" + " ".join(f"*{x}" for x in WEIGHTS_SUFFIXES)
                       + ");;All files (*)")
#: The weights inside a Keras 3 ``.keras`` zip archive.
KERAS_ARCHIVE_WEIGHTS = "model.weights.h5"
#: The Keras class behind each layer kind that holds arrays, as Keras 3 names its groups.
_KERAS3_GROUP_PREFIX = {"conv": "conv2d", "pointwise": "conv2d", "classifier": "conv2d",
                        "depthwise": "depthwise_conv2d", "batchnorm": "batch_normalization"}
_KERAS3_GROUP = re.compile(r"^(conv2d|depthwise_conv2d|batch_normalization)(?:_(\d+))?$")


class WeightsError(ValueError):
    """A weights file that cannot be used; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class WeightsFileInfo:
    """What an HDF5 weights file holds, read without TensorFlow.

    ``alpha`` is the pretrained alpha whose channel counts match the file, or the value implied
    by the last pointwise layer (``channels / 1024``) for files of other widths.
    """

    path: Path
    size_bytes: int
    alpha: float
    stem_channels: int  # conv1 output channels = int(32 * alpha)
    include_top: bool  # a conv_preds classifier is present
    classes: int | None  # classifier outputs, None without top
    layer_names: tuple[str, ...]
    keras_version: str
    layout: str = LEGACY_LAYOUT  # LEGACY_LAYOUT or KERAS3_LAYOUT (see the module docstring)

    @property
    def alpha_text(self) -> str:
        return f"{self.alpha:.2f}"


@dataclass(frozen=True)
class WeightsChoice:
    """The outcome of a weights lookup for one spec.

    ``path`` is None when no usable file was found; ``message`` then says where to put one.
    """

    path: Path | None
    info: WeightsFileInfo | None
    #: "--weights", "--weights-dir" (or the caller's name for that folder, see
    #: ``find_weights``), "Keras cache", or "" when not found
    source: str
    description: str  # one line for the UI/CLI: which file is in use, or why none
    searched: tuple[Path, ...] = ()
    message: str = ""

    @property
    def found(self) -> bool:
        return self.path is not None


def keras_weights_name(alpha: float, resolution: int, include_top: bool = True) -> str:
    """Keras' file name, e.g. ``mobilenet_7_5_192_tf.h5``; ValueError for other alphas."""
    try:
        alpha_text = ALPHA_FILE_TEXT[float(alpha)]
    except KeyError:
        raise ValueError(
            f"Keras publishes no ImageNet weights for alpha {format_alpha(alpha)}"
            f" (only {', '.join(format_alpha(a) for a in PRETRAINED_ALPHAS)})"
        ) from None
    suffix = "tf.h5" if include_top else "tf_no_top.h5"
    return f"mobilenet_{alpha_text}_{int(resolution)}_{suffix}"


def keras_weights_url(name: str) -> str:
    """The download URL keras.applications uses for ``name``."""
    return KERAS_WEIGHTS_BASE_URL + name


def keras_cache_dir() -> Path:
    """``$KERAS_HOME/models`` (default ``~/.keras/models``), where Keras keeps downloads."""
    home = os.environ.get("KERAS_HOME")
    base = Path(home) if home else Path(os.path.expanduser("~")) / ".keras"
    return base / "models"


def candidate_names(spec: MobileNetSpec) -> list[str]:
    """File names that fit ``spec``'s alpha, the matching resolution first."""
    if not spec.has_pretrained_alpha:
        return []
    resolutions = sorted(PRETRAINED_RESOLUTIONS,
                         key=lambda r: (r != spec.resolution, abs(r - spec.resolution)))
    return [keras_weights_name(spec.alpha, r) for r in resolutions]


def _decode(name: Any) -> str:
    return name.decode("utf-8") if isinstance(name, (bytes, bytearray)) else str(name)


def _weights_root(f: Any) -> Any:
    # Whole-model saves (model.save("x.h5")) keep the weights under "model_weights".
    return f["model_weights"] if "model_weights" in f else f


@lru_cache(maxsize=1)
def keras3_group_paths() -> dict[str, str]:
    """MobileNet layer name -> its group in a Keras 3 weights file, e.g. ``layers/conv2d_1``.

    Keras 3 numbers groups per class in ``model.layers`` order, which is the order of
    ``layer_rows`` (it reproduces Keras' own).  The body's names do not depend on alpha,
    resolution or the classifier, which only appends ``conv_preds`` as the last ``conv2d``.
    """
    from explorer.arch.layers import layer_rows

    counts: dict[str, int] = {}
    paths: dict[str, str] = {}
    for row in layer_rows(MobileNetSpec(1.0, 224)):
        prefix = _KERAS3_GROUP_PREFIX.get(row.kind)
        if prefix is None:
            continue
        n = counts.get(prefix, 0)
        counts[prefix] = n + 1
        paths[row.name] = f"layers/{prefix}_{n}" if n else f"layers/{prefix}"
    return paths


def _keras3_class_counts(group_names: Iterable[str]) -> dict[str, int]:
    """Groups per weight-carrying class among ``group_names`` (``conv2d_3`` counts as conv2d)."""
    counts: dict[str, int] = {}
    for key in group_names:
        match = _KERAS3_GROUP.match(key)
        if match:
            counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


def _keras3_counts(with_top: bool) -> dict[str, int]:
    """How many groups of each class a Keras 3 MobileNet v1 file holds."""
    return _keras3_class_counts(path.removeprefix("layers/")
                                for name, path in keras3_group_paths().items()
                                if with_top or name != "conv_preds")


def _alpha_for_channels(stem: int, last_pw: int | None) -> float:
    for alpha in PRETRAINED_ALPHAS:
        if scaled_channels(STEM_FILTERS, alpha) == stem and (
            last_pw is None or scaled_channels(_LAST_POINTWISE_FILTERS, alpha) == last_pw
        ):
            return alpha
    if last_pw is not None:
        return last_pw / _LAST_POINTWISE_FILTERS
    return stem / STEM_FILTERS


class _LayerArrays:
    """Read access to one layer's arrays, by MobileNet layer name, in either layout."""

    def __init__(self, f: Any, layout: str) -> None:
        self._layout = layout
        self._root = _weights_root(f) if layout == LEGACY_LAYOUT else f

    def _group(self, name: str) -> Any:
        if self._layout == LEGACY_LAYOUT:
            return self._root[name] if name in self._root else None
        path = keras3_group_paths().get(name)
        return self._root[path] if path is not None and path in self._root else None

    def has(self, name: str) -> bool:
        return self._group(name) is not None

    def datasets(self, name: str) -> list[tuple[str, Any]]:
        """``(label, h5py.Dataset)`` per array in Keras' order; labels name the array."""
        group = self._group(name)
        if group is None:
            return []
        if self._layout == LEGACY_LAYOUT:
            labels = [_decode(n) for n in group.attrs.get("weight_names", [])]
            return [(label, group[label]) for label in labels]
        if "vars" not in group:
            return []
        keys = sorted(group["vars"].keys(), key=int)
        return [(f"{name} array {k} ({group.name.lstrip('/')}/vars/{k})", group["vars"][k])
                for k in keys]

    def kernel_shape(self, name: str) -> tuple[int, ...] | None:
        """The first array's shape (convolutions store their kernel first)."""
        arrays = self.datasets(name)
        if not arrays:
            return None
        label, data = arrays[0]
        if self._layout == LEGACY_LAYOUT and "kernel" not in label:
            return None
        return tuple(int(d) for d in data.shape)


def _detect_layout(f: Any, p: Path) -> str:
    root = _weights_root(f)
    if root.attrs.get("layer_names") is not None:
        return LEGACY_LAYOUT
    if "layers" in f and hasattr(f["layers"], "keys"):
        return KERAS3_LAYOUT
    raise WeightsError(
        f"{p} is an HDF5 file but not a Keras weights file (neither Keras 2's 'layer_names'"
        " nor Keras 3's 'layers' group)"
    )


def _check_keras3_groups(f: Any, p: Path) -> bool:
    """Whether the Keras 3 file is a MobileNet v1 with its classifier (raise if not one)."""
    counts = _keras3_class_counts(f["layers"].keys())
    for with_top in (True, False):
        if counts == _keras3_counts(with_top):
            return with_top
    expected = _keras3_counts(False)
    found = ", ".join(f"{counts.get(k, 0)} {k}" for k in expected)
    want = ", ".join(f"{v} {k}" for k, v in expected.items())
    raise WeightsError(
        f"{p} is a Keras 3 weights file but not of a MobileNet v1 model at its top level"
        f" (it has {found} layers; MobileNet v1 has {want}, plus conv2d for the classifier)"
    )


@contextmanager
def _open_weights(p: Path) -> Iterator[h5py.File]:
    """Open an HDF5 weights file, or the ``model.weights.h5`` inside a ``.keras`` archive."""
    import h5py

    if not h5py.is_hdf5(str(p)) and zipfile.is_zipfile(p):
        with zipfile.ZipFile(p) as archive:
            try:
                data = archive.read(KERAS_ARCHIVE_WEIGHTS)
            except KeyError:
                raise WeightsError(
                    f"{p} is a zip archive without {KERAS_ARCHIVE_WEIGHTS}; expected a Keras"
                    " .keras model file"
                ) from None
        with h5py.File(io.BytesIO(data), "r") as f:
            yield f
        return
    with h5py.File(p, "r") as f:
        yield f


def _keras_archive_version(p: Path) -> str:
    import json

    try:
        with zipfile.ZipFile(p) as archive:
            meta = json.loads(archive.read("metadata.json"))
        return str(meta.get("keras_version", ""))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return ""


def inspect_weights(path: str | os.PathLike[str]) -> WeightsFileInfo:
    """Read alpha, top and classes of a Keras MobileNet weights file with h5py only.

    Accepts legacy ``.h5`` files, Keras 3 ``.weights.h5`` files and ``.keras`` archives.

    Raises:
        WeightsError: missing file, a folder, neither HDF5 nor a .keras archive,
            truncated/corrupt, or not MobileNet.
    """
    import h5py

    p = Path(path)
    if not p.exists():
        raise WeightsError(f"weights file {p} does not exist")
    if p.is_dir():
        raise WeightsError(f"weights path {p} is a folder, not a .h5 file")
    if not p.is_file():
        # A named pipe would block the read below forever; h5py needs to seek anyway.
        raise WeightsError(f"weights path {p} is not a regular file (a pipe or device);"
                           " save the weights to a file first")
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(len(_HDF5_SIGNATURE))
    except OSError as exc:
        raise WeightsError(f"cannot read weights file {p}: {exc.strerror or exc}") from None
    if size == 0:
        raise WeightsError(f"weights file {p} is empty (0 bytes); download it again")
    # h5py.is_hdf5 also accepts files with a user block; the plain signature is the common case.
    archive = head != _HDF5_SIGNATURE and not h5py.is_hdf5(str(p))
    if archive and head[4:8] == b"TFL3":  # a flatbuffer with TensorFlow Lite's identifier
        raise WeightsError(
            f"{p} is a TensorFlow Lite model, not Keras weights: Google's quantized"
            " mobilenet_v1_*_quant.tflite files run with engine int8 (--engine int8) when"
            " they sit next to the weights file, in its parent's tflite/ folder or in"
            " ~/.keras/models"
        )
    if archive and not zipfile.is_zipfile(p):
        raise WeightsError(
            f"{p} is not an HDF5 file or a .keras archive (expected Keras weights: .h5,"
            " .weights.h5 or .keras)"
        )
    try:
        with _open_weights(p) as f:
            layout = _detect_layout(f, p)
            layers = _LayerArrays(f, layout)
            if layout == LEGACY_LAYOUT:
                root = _weights_root(f)
                names = tuple(_decode(n) for n in root.attrs["layer_names"])
                if "conv1" not in names or not layers.has("conv1"):
                    raise WeightsError(f"{p} holds no MobileNet weights (no 'conv1' layer)")
                version = _decode(root.attrs.get("keras_version",
                                                 f.attrs.get("keras_version", "")))
            else:
                with_top = _check_keras3_groups(f, p)
                names = tuple(n for n in keras3_group_paths()
                              if with_top or n != "conv_preds")
                version = _keras_archive_version(p) if archive else ""
            stem_shape = layers.kernel_shape("conv1")
            if stem_shape is None or len(stem_shape) != 4 or stem_shape[:3] != (3, 3, 3):
                raise WeightsError(f"{p} has a 'conv1' layer without a 3x3 RGB kernel")
            stem = int(stem_shape[-1])
            last_pw = None
            if _LAST_POINTWISE in names and layers.has(_LAST_POINTWISE):
                shape = layers.kernel_shape(_LAST_POINTWISE)
                last_pw = int(shape[-1]) if shape else None
            include_top = "conv_preds" in names and layers.has("conv_preds")
            classes = None
            if include_top:
                shape = layers.kernel_shape("conv_preds")
                classes = int(shape[-1]) if shape else None
            # Touch one dataset: catches files cut off after the metadata was written.
            layers.datasets("conv1")[0][1][(0,) * len(stem_shape)]
    except WeightsError:
        raise
    except (OSError, KeyError, ValueError, RuntimeError, zipfile.BadZipFile) as exc:
        detail = str(exc).split("\n")[0]
        raise WeightsError(
            f"weights file {p} is truncated or corrupt ({detail}); download it again"
        ) from None
    return WeightsFileInfo(
        path=p, size_bytes=size, alpha=_alpha_for_channels(stem, last_pw), stem_channels=stem,
        include_top=include_top, classes=classes, layer_names=names, keras_version=version,
        layout=layout,
    )


def check_weights(info: WeightsFileInfo, spec: MobileNetSpec, need_top: bool = True) -> None:
    """Raise WeightsError when ``info`` cannot serve ``spec`` (alpha, classifier, classes)."""
    if info.stem_channels != scaled_channels(STEM_FILTERS, spec.alpha) or (
        abs(info.alpha - spec.alpha) > 1e-6 and info.alpha in PRETRAINED_ALPHAS
    ):
        raise WeightsError(
            f"{info.path.name}: this file holds alpha {info.alpha_text} weights;"
            f" the model is alpha {spec.alpha:.2f}. Set alpha to {info.alpha_text} (--alpha"
            " or the slider) or use a file for this alpha"
        )
    if spec.body != "separable":
        raise WeightsError(
            f"{info.path.name} holds separable MobileNet weights; the {spec.body} body has"
            " other layers"
        )
    if need_top and not info.include_top:
        instead = ("use mobilenet_<a>_<res>_tf.h5 instead" if info.layout == LEGACY_LAYOUT
                   else "save a MobileNet built with include_top=True")
        raise WeightsError(
            f"{info.path.name} is a no-top file (feature extractor without the conv_preds"
            f" classifier): it cannot classify; {instead}"
        )
    if need_top and spec.include_top and info.classes != spec.classes:
        raise WeightsError(
            f"{info.path.name} has a {info.classes}-class classifier; the model has"
            f" {spec.classes} classes"
        )


def _describe(info: WeightsFileInfo, source: str, spec: MobileNetSpec) -> str:
    # sources are option names or "Keras cache" ("from ..."), or a phrase of their own
    where = f"from {source}" if source.startswith("--") or source == "Keras cache" else source
    text = f"{info.path} (alpha {info.alpha_text}, {where})"
    stem = info.path.name.rsplit("_tf", 1)[0]
    res_text = stem.rsplit("_", 1)[-1]
    if res_text.isdigit() and int(res_text) != spec.resolution:
        text += f"; made for {res_text} px (the weights load at any resolution)"
    low, high = min(PRETRAINED_RESOLUTIONS), max(PRETRAINED_RESOLUTIONS)
    if not low <= spec.resolution <= high:
        # They load, but nobody measured them there: 4096 px gave a 3 % "fox squirrel" for
        # the panda that 160 px calls 99.7 % giant panda.
        text += (f"; ImageNet accuracy is published for {low}-{high} px only, so labels at"
                 f" {spec.resolution} px are unmeasured")
    return text


def missing_weights_message(spec: MobileNetSpec, searched: Sequence[Path]) -> str:
    """Why no file was found and how to get one."""
    if not spec.has_pretrained_alpha:
        if spec.body != "separable":
            return (f"no ImageNet weights exist for the {spec.body} body; only the separable"
                    " MobileNet has published weights")
        return (
            f"no ImageNet weights exist for alpha {format_alpha(spec.alpha)}; pretrained alphas"
            f" are {', '.join(format_alpha(a) for a in PRETRAINED_ALPHAS)}"
            f" (nearest: {format_alpha(spec.nearest_pretrained_alpha())})"
        )
    names = candidate_names(spec)
    where = ", ".join(str(d) for d in searched) or str(keras_cache_dir())
    # A folder holding only the feature-extractor file looked empty ("no weights file").
    no_top = sorted(p.name for d in searched if is_reachable_dir(d)
                    for p in d.glob(f"mobilenet_{ALPHA_FILE_TEXT[spec.alpha]}_*_tf_no_top.h5"))
    found = (f" (only {no_top[0]}, a no-top file without the classifier, which cannot"
             " classify)" if no_top else "")
    return (
        f"no weights file for alpha {format_alpha(spec.alpha)} found in {where}{found}; put"
        f" {names[0]} (or any mobilenet_{ALPHA_FILE_TEXT[spec.alpha]}_<res>_tf.h5) there, pass"
        f" --weights FILE, or download it from {keras_weights_url(names[0])}"
    )


def _dirs_for(weights_dir: Path | None) -> list[Path]:
    dirs = [Path(weights_dir)] if weights_dir is not None else []
    cache = keras_cache_dir()
    if cache not in dirs:
        dirs.append(cache)
    return dirs


def find_weights(spec: MobileNetSpec, weights: str | os.PathLike[str] | None = None,
                 weights_dir: str | os.PathLike[str] | None = None,
                 need_top: bool = True,
                 weights_dir_source: str = "--weights-dir",
                 weights_source: str = "--weights") -> WeightsChoice:
    """Choose the weights file for ``spec``.

    Order: the explicit ``weights`` file; else ``weights_dir`` then the Keras cache, each
    searched for every resolution file of the alpha (matching resolution first).
    ``weights_dir_source`` names that folder in ``source`` and the description: the option
    by default, or e.g. "found next to x.h5" when the app chose the folder itself;
    ``weights_source`` likewise names where the explicit file came from.

    Raises:
        WeightsError: the explicit file is bad, or ``weights_dir`` is not a folder.
    Returns:
        A WeightsChoice; ``path`` is None (with ``message``) when nothing usable exists.
        Files found in the folders that are corrupt or wrong are skipped; if all candidates
        are bad, the first problem is reported in ``message``.
    """
    if weights is not None:
        info = inspect_weights(weights)
        check_weights(info, spec, need_top=need_top)
        return WeightsChoice(Path(weights), info, weights_source,
                             _describe(info, weights_source, spec))
    if weights_dir is not None and not Path(weights_dir).is_dir():
        raise WeightsError(f"--weights-dir {weights_dir} is not a folder")
    dirs = _dirs_for(Path(weights_dir) if weights_dir is not None else None)
    problems: list[str] = []
    for folder in dirs:
        source = weights_dir_source if weights_dir is not None \
            and folder == Path(weights_dir) else "Keras cache"
        for name in candidate_names(spec):
            path = folder / name
            if not is_reachable_file(path):
                continue
            try:
                info = inspect_weights(path)
                check_weights(info, spec, need_top=need_top)
            except WeightsError as exc:
                problems.append(str(exc))
                continue
            return WeightsChoice(path, info, source, _describe(info, source, spec), tuple(dirs))
    message = problems[0] if problems else missing_weights_message(spec, dirs)
    return WeightsChoice(None, None, "", "random weights (no pretrained file)", tuple(dirs),
                         message)


def read_layer_weights(info: WeightsFileInfo, expected: Mapping[str, Sequence[tuple[int, ...]]],
                       ) -> dict[str, list[np.ndarray]]:
    """Read each named layer's arrays from the file, in Keras' order, checking their shapes.

    Args:
        info: the inspected file.
        expected: layer name -> the shapes Keras expects, in Keras' order.
    Returns:
        layer name -> its arrays (the file's dtype, normally float32).
    Raises:
        WeightsError: a layer is missing from the file, the number of arrays or a shape does
            not match, or the file cannot be read.
    """
    import numpy as np

    arrays: dict[str, list[np.ndarray]] = {}
    try:
        with _open_weights(info.path) as f:
            layers = _LayerArrays(f, info.layout)
            for name, shapes in expected.items():
                if not layers.has(name):
                    raise WeightsError(f"{info.path.name} has no weights for layer {name!r}")
                datasets = layers.datasets(name)
                if len(datasets) != len(shapes):
                    raise WeightsError(
                        f"{info.path.name}: layer {name!r} has {len(datasets)} arrays in the"
                        f" file, the model expects {len(shapes)}"
                    )
                values = [data[()] for _, data in datasets]
                for (label, _), v, shape in zip(datasets, values, shapes, strict=True):
                    if tuple(v.shape) != tuple(shape):
                        raise WeightsError(
                            f"{info.path.name}: {label} has shape {v.shape}, the model expects"
                            f" {tuple(shape)}"
                        )
                    if not np.isfinite(v).all():
                        # NaN or inf weights (damaged data inside an intact HDF5 file) make
                        # every prediction NaN: refuse the file, not each frame.
                        raise WeightsError(
                            f"{info.path.name}: {label} holds non-finite values (NaN or inf);"
                            " the file is damaged, download it again"
                        )
                arrays[name] = values
    except WeightsError:
        raise
    except KeyError as exc:
        detail = str(exc).split("\n")[0]
        raise WeightsError(
            f"weights file {info.path} lacks data the model needs ({detail}); it is not a"
            " complete MobileNet weights file"
        ) from None
    except (OSError, RuntimeError, zipfile.BadZipFile) as exc:
        detail = str(exc).split("\n")[0]
        raise WeightsError(
            f"weights file {info.path} is truncated or corrupt ({detail}); download it again"
        ) from None
    return arrays


def load_weights_into(model: keras.Model, info: WeightsFileInfo) -> int:
    """Copy every layer's weights from the file into ``model``, matching layers by name.

    Returns:
        The number of layers loaded.
    Raises:
        WeightsError: a layer is missing from the file, or a shape does not match.
    """
    expected = {layer.name: [tuple(w.shape) for w in layer.get_weights()]
                for layer in model.layers if layer.get_weights()}
    arrays = read_layer_weights(info, expected)
    for layer in model.layers:
        if layer.name in arrays:
            layer.set_weights(arrays[layer.name])
    return len(arrays)


def iter_cached_weights(folders: Iterable[Path] | None = None) -> list[tuple[Path, float, int]]:
    """Keras MobileNet files present in ``folders`` (default: Keras cache) as (path, alpha, res)."""
    out: list[tuple[Path, float, int]] = []
    for folder in folders if folders is not None else [keras_cache_dir()]:
        for alpha, text in ALPHA_FILE_TEXT.items():
            for res in PRETRAINED_RESOLUTIONS:
                path = Path(folder) / f"mobilenet_{text}_{res}_tf.h5"
                if is_reachable_file(path):
                    out.append((path, alpha, res))
    return out
