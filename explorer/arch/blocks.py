"""Per-block comparison: a depthwise-separable pair versus the standard 3x3 conv it replaces.

For block i with M input channels, N output channels, kernel Dk = 3 and output size Df:
standard = Dk*Dk*M*N*Df*Df mult-adds, separable = Dk*Dk*M*Df*Df + M*N*Df*Df, and their ratio
is exactly 1/N + 1/Dk^2 (paper section 3.1).  Params are kernel weights only (no batch norm),
as in the paper's Table 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from explorer.arch.layers import layer_rows
from explorer.arch.spec import MobileNetSpec

KERNEL = 3


@dataclass(frozen=True)
class BlockCost:
    """Costs of one MobileNet block and of its standard-convolution counterpart."""

    block: int
    stride: int
    input_size: int  # spatial size entering the block (before any padding)
    output_size: int  # Df: spatial size of the block's output
    in_channels: int  # M
    out_channels: int  # N
    depthwise_macs: int
    pointwise_macs: int
    depthwise_params: int
    pointwise_params: int
    standard_macs: int
    standard_params: int

    @property
    def separable_macs(self) -> int:
        return self.depthwise_macs + self.pointwise_macs

    @property
    def separable_params(self) -> int:
        return self.depthwise_params + self.pointwise_params

    @property
    def ratio(self) -> float:
        """Separable / standard mult-adds (< 1)."""
        return self.separable_macs / self.standard_macs

    @property
    def params_ratio(self) -> float:
        return self.separable_params / self.standard_params

    @property
    def reduction(self) -> float:
        """Standard / separable mult-adds: "N.Nx fewer"."""
        return self.standard_macs / self.separable_macs

    @property
    def paper_ratio(self) -> float:
        """The paper's closed form 1/N + 1/Dk^2."""
        return 1.0 / self.out_channels + 1.0 / (KERNEL * KERNEL)


@lru_cache(maxsize=512)
def block_costs(spec: MobileNetSpec) -> tuple[BlockCost, ...]:
    """One ``BlockCost`` per block present in ``spec`` (blocks 7..11 are absent when shallow).

    The standard-conv side is computed for the same spec whatever ``spec.body`` says, so the
    comparison is always "this block as a full 3x3 conv" versus "this block separable".
    """
    sep_spec = spec if spec.body == "separable" else MobileNetSpec(
        spec.alpha, spec.resolution, spec.classes, spec.include_top, "separable"
    )
    present = {row.block for row in layer_rows(spec) if row.block is not None}
    by_name = {row.name: row for row in layer_rows(sep_spec)}
    costs = []
    for block in sorted(present):
        dw = by_name[f"conv_dw_{block}"]
        pw = by_name[f"conv_pw_{block}"]
        m = dw.output_shape[-1]
        n = pw.output_shape[-1]
        df_h, df_w = pw.output_shape[0], pw.output_shape[1]
        std_params = KERNEL * KERNEL * m * n
        costs.append(
            BlockCost(
                block=block,
                stride=dw.stride or 1,
                input_size=by_name[f"conv_pad_{block}"].input_shape[0]
                if dw.stride == 2
                else dw.input_shape[0],
                output_size=df_h,
                in_channels=m,
                out_channels=n,
                depthwise_macs=dw.macs,
                pointwise_macs=pw.macs,
                depthwise_params=dw.params,
                pointwise_params=pw.params,
                standard_macs=std_params * df_h * df_w,
                standard_params=std_params,
            )
        )
    return tuple(costs)


@dataclass(frozen=True)
class BlockTotals:
    """Sums over all blocks (the network body without conv1 and the classifier)."""

    separable_macs: int
    standard_macs: int
    separable_params: int
    standard_params: int

    @property
    def reduction(self) -> float:
        return self.standard_macs / self.separable_macs if self.separable_macs else 0.0

    @property
    def params_reduction(self) -> float:
        return self.standard_params / self.separable_params if self.separable_params else 0.0


def block_totals(spec: MobileNetSpec) -> BlockTotals:
    return totals_of(block_costs(spec))


def totals_of(costs: Sequence[BlockCost]) -> BlockTotals:
    """Sums over ``costs`` (all blocks of a variant, or any selection of them)."""
    return BlockTotals(
        separable_macs=sum(c.separable_macs for c in costs),
        standard_macs=sum(c.standard_macs for c in costs),
        separable_params=sum(c.separable_params for c in costs),
        standard_params=sum(c.standard_params for c in costs),
    )


def block_span(blocks: Sequence[int]) -> str:
    """Block numbers as ranges: "1-13", or "1-6, 12-13" for the shallow body."""
    runs: list[list[int]] = []
    for b in blocks:
        if runs and b == runs[-1][1] + 1:
            runs[-1][1] = b
        else:
            runs.append([b, b])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in runs)
