"""Layer-by-layer cost model of MobileNet v1, mirroring keras.applications.MobileNet.

Every layer Keras builds appears here, in the same order and with the same name, so rows
join 1:1 with ``model.layers``.  Counting rules (see shared reference):

* MACs (mult-adds) are counted for standard, depthwise and pointwise convolutions and the
  1x1 classifier; batch norm, ReLU6, padding, pooling, dropout, reshape and softmax count 0,
  as the paper, the TF profiler and keras-flops do.
* Batch norm holds 4 values per channel: gamma and beta are trainable, the moving mean and
  variance are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from explorer.arch.spec import (
    BLOCK_CONFIG,
    SHALLOW_DROPPED_BLOCKS,
    STEM_FILTERS,
    MobileNetSpec,
    scaled_channels,
)

LayerKind = Literal[
    "input",
    "conv",
    "depthwise",
    "pointwise",
    "batchnorm",
    "relu",
    "pad",
    "pool",
    "dropout",
    "classifier",
    "reshape",
    "softmax",
]
LAYER_KINDS: Final[tuple[str, ...]] = (
    "input",
    "conv",
    "depthwise",
    "pointwise",
    "batchnorm",
    "relu",
    "pad",
    "pool",
    "dropout",
    "classifier",
    "reshape",
    "softmax",
)
#: Kinds whose layers carry mult-adds.
MAC_KINDS: Final[frozenset[str]] = frozenset({"conv", "depthwise", "pointwise", "classifier"})

#: Keras' automatic names for the two layers MobileNet does not name itself.  Keras appends
#: "_1", "_2"... when several models exist in one session; compare with ``base_layer_name``.
INPUT_LAYER_NAME: Final = "input_layer"
POOL_LAYER_NAME: Final = "global_average_pooling2d"

Shape = tuple[int, ...]


@dataclass(frozen=True)
class LayerRow:
    """One Keras layer with its shapes and costs (batch dimension omitted)."""

    index: int
    name: str
    kind: LayerKind
    block: int | None
    kernel: int | None
    stride: int | None
    padding: str | None
    input_shape: Shape
    output_shape: Shape
    params: int
    trainable_params: int
    macs: int
    activations: int

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def flops(self) -> int:
        """FLOPs = 2 x MACs (one multiply and one add each)."""
        return 2 * self.macs

    @property
    def kernel_stride_text(self) -> str:
        """e.g. ``"3x3 / 2"`` for a strided 3x3 kernel, ``""`` for layers without one."""
        if self.kernel is None:
            return ""
        return f"{self.kernel}x{self.kernel} / {self.stride}"


@dataclass(frozen=True)
class ModelTotals:
    """Whole-model sums over ``LayerRow``s."""

    params: int
    trainable_params: int
    macs: int
    activations_total: int
    activations_peak: int
    layer_count: int

    @property
    def non_trainable_params(self) -> int:
        return self.params - self.trainable_params

    @property
    def flops(self) -> int:
        return 2 * self.macs

    @property
    def activation_bytes_peak(self) -> int:
        """Peak working set in bytes at float32."""
        return 4 * self.activations_peak

    @property
    def activation_bytes_total(self) -> int:
        """All layer outputs together in bytes at float32 (no buffer reuse)."""
        return 4 * self.activations_total

    @property
    def param_bytes(self) -> int:
        return 4 * self.params


def base_layer_name(name: str) -> str:
    """Strip Keras' uniquifying ``_N`` suffix from automatically named layers."""
    for auto in (INPUT_LAYER_NAME, POOL_LAYER_NAME):
        if name == auto or (name.startswith(auto + "_") and name[len(auto) + 1 :].isdigit()):
            return auto
    return name


def _elements(shape: Shape) -> int:
    n = 1
    for dim in shape:
        n *= dim
    return n


def _same_out(size: int, stride: int) -> int:
    return -(-size // stride)  # ceil: 'same' padding


def _valid_out(size: int, kernel: int, stride: int) -> int:
    return (size - kernel) // stride + 1


class _RowBuilder:
    """Appends rows while tracking the running tensor shape."""

    def __init__(self, input_shape: Shape) -> None:
        self.rows: list[LayerRow] = []
        self.shape: Shape = input_shape
        self._add(INPUT_LAYER_NAME, "input", None, input_shape, 0, 0, 0)

    def _add(
        self,
        name: str,
        kind: LayerKind,
        block: int | None,
        out: Shape,
        params: int,
        trainable: int,
        macs: int,
        kernel: int | None = None,
        stride: int | None = None,
        padding: str | None = None,
    ) -> None:
        in_shape = self.shape if self.rows else out
        self.rows.append(
            LayerRow(
                index=len(self.rows),
                name=name,
                kind=kind,
                block=block,
                kernel=kernel,
                stride=stride,
                padding=padding,
                input_shape=in_shape,
                output_shape=out,
                params=params,
                trainable_params=trainable,
                macs=macs,
                activations=_elements(out),
            )
        )
        self.shape = out

    def conv(
        self,
        name: str,
        kind: LayerKind,
        block: int | None,
        filters: int,
        kernel: int,
        stride: int,
        padding: str,
        bias: bool = False,
    ) -> None:
        h, w, c_in = self.shape
        if padding == "same":
            ho, wo = _same_out(h, stride), _same_out(w, stride)
        else:
            ho, wo = _valid_out(h, kernel, stride), _valid_out(w, kernel, stride)
        weights = kernel * kernel * c_in * filters
        params = weights + (filters if bias else 0)
        self._add(name, kind, block, (ho, wo, filters), params, params, weights * ho * wo,
                  kernel, stride, padding)

    def depthwise(self, name: str, block: int, stride: int, padding: str) -> None:
        h, w, c = self.shape
        if padding == "same":
            ho, wo = _same_out(h, stride), _same_out(w, stride)
        else:
            ho, wo = _valid_out(h, 3, stride), _valid_out(w, 3, stride)
        weights = 9 * c
        self._add(name, "depthwise", block, (ho, wo, c), weights, weights, weights * ho * wo,
                  3, stride, padding)

    def batchnorm(self, name: str, block: int | None) -> None:
        c = self.shape[-1]
        self._add(name, "batchnorm", block, self.shape, 4 * c, 2 * c, 0)

    def relu(self, name: str, block: int | None) -> None:
        self._add(name, "relu", block, self.shape, 0, 0, 0)

    def pad(self, name: str, block: int) -> None:
        h, w, c = self.shape
        # Keras pads ((0, 1), (0, 1)): one row at the bottom, one column at the right.
        self._add(name, "pad", block, (h + 1, w + 1, c), 0, 0, 0)

    def passthrough(self, name: str, kind: LayerKind, out: Shape) -> None:
        self._add(name, kind, None, out, 0, 0, 0)


def _add_block(b: _RowBuilder, spec: MobileNetSpec, block: int, filters: int, stride: int) -> None:
    out_channels = scaled_channels(filters, spec.alpha)
    padding = "same" if stride == 1 else "valid"
    if stride != 1:
        b.pad(f"conv_pad_{block}", block)
    if spec.body == "standard":
        # Paper Table 4's "Conv MobileNet": one full 3x3 conv with the block's in/out
        # channels and stride, followed by BN + ReLU6 like every conv in the network.
        b.conv(f"conv_std_{block}", "conv", block, out_channels, 3, stride, padding)
        b.batchnorm(f"conv_std_{block}_bn", block)
        b.relu(f"conv_std_{block}_relu", block)
        return
    b.depthwise(f"conv_dw_{block}", block, stride, padding)
    b.batchnorm(f"conv_dw_{block}_bn", block)
    b.relu(f"conv_dw_{block}_relu", block)
    b.conv(f"conv_pw_{block}", "pointwise", block, out_channels, 1, 1, "same")
    b.batchnorm(f"conv_pw_{block}_bn", block)
    b.relu(f"conv_pw_{block}_relu", block)


@lru_cache(maxsize=512)
def layer_rows(spec: MobileNetSpec) -> tuple[LayerRow, ...]:
    """Every layer of ``keras.applications.MobileNet`` for ``spec``, in Keras' order."""
    r = spec.resolution
    b = _RowBuilder((r, r, 3))
    b.conv("conv1", "conv", None, scaled_channels(STEM_FILTERS, spec.alpha), 3, 2, "same")
    b.batchnorm("conv1_bn", None)
    b.relu("conv1_relu", None)
    for block, (filters, stride) in enumerate(BLOCK_CONFIG, start=1):
        if spec.body == "shallow" and block in SHALLOW_DROPPED_BLOCKS:
            continue
        _add_block(b, spec, block, filters, stride)
    if spec.include_top:
        c = b.shape[-1]
        b.passthrough(POOL_LAYER_NAME, "pool", (1, 1, c))
        b.passthrough("dropout", "dropout", (1, 1, c))
        b.conv("conv_preds", "classifier", None, spec.classes, 1, 1, "same", bias=True)
        b.passthrough("reshape_2", "reshape", (spec.classes,))
        b.passthrough("predictions", "softmax", (spec.classes,))
    return tuple(b.rows)


def keras_weight_shapes(row: LayerRow) -> tuple[Shape, ...]:
    """The arrays Keras stores for ``row``'s layer, in Keras' order (empty for weightless ones).

    Convolutions hold ``(k, k, in, out)`` kernels (depthwise: ``(k, k, in, 1)``), the
    classifier adds its bias, and batch norm holds gamma, beta, moving mean and moving
    variance.  Their element counts add up to ``row.params``.
    """
    c_in = row.input_shape[-1]
    c_out = row.output_shape[-1]
    if row.kind in ("conv", "pointwise"):
        assert row.kernel is not None
        return ((row.kernel, row.kernel, c_in, c_out),)
    if row.kind == "depthwise":
        assert row.kernel is not None
        return ((row.kernel, row.kernel, c_in, 1),)
    if row.kind == "classifier":
        return ((1, 1, c_in, c_out), (c_out,))
    if row.kind == "batchnorm":
        return ((c_out,),) * 4
    return ()


@lru_cache(maxsize=512)
def model_totals(spec: MobileNetSpec) -> ModelTotals:
    """Totals over ``layer_rows(spec)``.

    ``activations_peak`` is the largest input + output element count of any single layer:
    the working set a sequential runtime must hold at once (no in-place tricks assumed).
    """
    rows = layer_rows(spec)
    peak = max(
        (row.activations + (_elements(row.input_shape) if row.kind != "input" else 0))
        for row in rows
    )
    return ModelTotals(
        params=sum(row.params for row in rows),
        trainable_params=sum(row.trainable_params for row in rows),
        macs=sum(row.macs for row in rows),
        activations_total=sum(row.activations for row in rows),
        activations_peak=peak,
        layer_count=len(rows),
    )
