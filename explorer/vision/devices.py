"""Which device TensorFlow can run on, described honestly, with a hint when no GPU is seen.

TensorFlow is imported inside the functions (this module is imported by the UI at startup).
"""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from explorer.vision.types import DeviceChoice


class DeviceError(ValueError):
    """The requested device is not available (e.g. ``--device gpu`` with no GPU)."""


@dataclass(frozen=True)
class GpuInfo:
    """One GPU as TensorFlow lists it."""

    tf_name: str  # "/physical_device:GPU:0"
    index: int
    model: str  # "NVIDIA H200" when TensorFlow reports it, else ""

    @property
    def label(self) -> str:
        return f"GPU:{self.index} {self.model}".rstrip()


@dataclass(frozen=True)
class DeviceSelection:
    """The device to use and how to describe it."""

    kind: Literal["cpu", "gpu"]
    tf_device: str  # for tf.device(): "/CPU:0" or "/GPU:0"
    name: str  # for the view: "CPU (x86_64, 2 cores)" or "GPU:0 NVIDIA H200"
    hint: str = ""  # why there is no GPU / what to install; empty when nothing to say
    warning: str = ""  # the request could not be honoured (forced fallback)


def no_gpu_hint() -> str:
    """What a user can do when TensorFlow sees no GPU on this platform."""
    if sys.platform == "win32":
        return ("TensorFlow sees no GPU: native Windows has no TensorFlow GPU support since"
                " TF 2.11; run under WSL2 with pip install \"tensorflow[and-cuda]\"")
    if sys.platform == "darwin":
        return ("TensorFlow sees no GPU: on macOS, GPU use needs the tensorflow-metal plugin"
                " (pip install tensorflow-metal)")
    return ("TensorFlow sees no GPU: install the CUDA build with"
            " pip install \"tensorflow[and-cuda]\" and check the NVIDIA driver (nvidia-smi)")


def list_gpus() -> list[GpuInfo]:
    """GPUs visible to TensorFlow (``tf.config.list_physical_devices('GPU')``)."""
    import tensorflow as tf

    gpus = []
    for index, dev in enumerate(tf.config.list_physical_devices("GPU")):
        model = ""
        try:
            details = tf.config.experimental.get_device_details(dev)
            model = str(details.get("device_name", ""))
        except (ValueError, RuntimeError, AttributeError):
            pass  # details are optional; the index still identifies the device
        gpus.append(GpuInfo(tf_name=dev.name, index=index, model=model))
    return gpus


def cpu_description() -> str:
    import os

    cores = os.cpu_count() or 1
    return f"CPU ({platform.machine() or 'unknown'}, {cores} core{'s' if cores != 1 else ''})"


def gpu_impossible() -> bool:
    """True when no GPU can be visible to TensorFlow, decided without importing TensorFlow.

    On Linux a CUDA GPU needs the NVIDIA device nodes (/dev/nvidia0...), WSL2 needs /dev/dxg;
    TensorFlow's pip wheels support no GPU on native Windows (since 2.11) or macOS (without
    the metal plugin, which we do not use).  Lets a cached LiteRT engine start without the
    ~2 s TensorFlow import.  When unsure, returns False (then TensorFlow is asked).
    """
    if "tensorflow" in sys.modules:
        return False  # already paid for: ask TensorFlow itself
    if sys.platform.startswith("linux"):
        dev = Path("/dev")
        try:
            nodes = [p.name for p in dev.iterdir()]
        except OSError:
            return False
        return not any(n.startswith("nvidia") and n[6:].isdigit() for n in nodes) and \
            "dxg" not in nodes
    return sys.platform == "win32"


def select_device(choice: DeviceChoice = "auto", strict: bool = False,
                  quick: bool = False) -> DeviceSelection:
    """Resolve 'auto' | 'cpu' | 'gpu' to a concrete device.

    'auto' takes the first GPU when TensorFlow lists one, else the CPU (with a hint).
    'gpu' without a GPU falls back to the CPU with a warning, or raises DeviceError when
    ``strict`` (the command line uses strict, the UI falls back and shows the warning).
    ``quick`` skips importing TensorFlow when ``gpu_impossible()`` already says no.
    """
    if choice not in ("auto", "cpu", "gpu"):
        raise DeviceError(f"device must be auto, cpu or gpu, got {choice!r}")
    cpu_name = cpu_description()
    if choice == "cpu":
        return DeviceSelection("cpu", "/CPU:0", cpu_name)
    gpus = [] if quick and gpu_impossible() else list_gpus()
    if gpus:
        gpu = gpus[0]
        return DeviceSelection("gpu", f"/GPU:{gpu.index}", gpu.label)
    hint = no_gpu_hint()
    if choice == "gpu":
        if strict:
            raise DeviceError(f"--device gpu: {hint}")
        return DeviceSelection("cpu", "/CPU:0", cpu_name, hint,
                               warning="GPU requested but none is visible; running on the CPU")
    return DeviceSelection("cpu", "/CPU:0", cpu_name, hint)
