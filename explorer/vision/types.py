"""Value types shared by the inference engines, the worker and the views (no Qt, no TF)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from explorer.arch.spec import MobileNetSpec

EngineKind = Literal["auto", "tf", "litert", "int8"]
DeviceChoice = Literal["auto", "cpu", "gpu"]


@dataclass(frozen=True)
class Prediction:
    """One of the top-k classes for a frame."""

    label: str  # Keras-style ImageNet name, e.g. "giant_panda"
    class_index: int  # 0..999 in Keras' order
    probability: float


@dataclass(frozen=True)
class EngineRequest:
    """What the user asked for: variant, weights and where to run it."""

    spec: MobileNetSpec
    weights: Path | None = None  # explicit .h5 file; None = look up the Keras cache / --weights-dir
    weights_dir: Path | None = None
    #: How a file found in ``weights_dir`` is described: the option, or the app's own reason
    #: for that folder (the Classify view looks next to a loaded file for other alphas).
    weights_dir_source: str = "--weights-dir"
    #: How the explicit ``weights`` file is described: the option, or a phrase for a
    #: file the user picked in the window ("loaded with Load weights").
    weights_source: str = "--weights"
    engine: EngineKind = "auto"
    device: DeviceChoice = "auto"


@dataclass(frozen=True)
class EngineInfo:
    """What actually runs, for the view to show honestly."""

    spec: MobileNetSpec
    engine_name: str  # e.g. "LiteRT float32 (XNNPACK, 2 threads)" or "TensorFlow tf.function"
    device_name: str  # e.g. "CPU" or "GPU:0 NVIDIA H200"
    weights_description: str  # file in use, or "random weights (no pretrained file)"
    pretrained: bool  # False: labels are meaningless, the view must warn
    warnings: tuple[str, ...] = field(default_factory=tuple)


class InferenceEngine(Protocol):
    """A compiled model for one (spec, device): preprocessed batch in, probabilities out."""

    info: EngineInfo

    def predict(self, batch: np.ndarray) -> np.ndarray:
        """float32 (1, R, R, 3) scaled to [-1, 1] -> float32 (1, classes) softmax output."""
        ...

    def close(self) -> None:
        """Release the model; the engine is unusable afterwards."""
        ...
