"""The MobileNet paper's tables (Howard et al. 2017, arXiv 1704.04861) recomputed.

Each table pairs the printed value with the value our cost model computes.  Where the two
differ by more than the printed rounding, the value carries a short note saying why, and the
app shows the computed number.  Paper conventions: MACs are mult-adds in millions, params are
kernel weights in millions (no biases, no batch norm: this reproduces every printed count).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from explorer.arch.accuracy import PUBLISHED_ACCURACY
from explorer.arch.blocks import KERNEL
from explorer.arch.breakdown import cost_by_type
from explorer.arch.layers import layer_rows, model_totals
from explorer.arch.spec import BLOCK_CONFIG, MobileNetSpec, format_alpha, scaled_channels


@dataclass(frozen=True)
class PaperValue:
    """One printed number and the number computed for it (either may be missing)."""

    quantity: str
    printed: float | None
    computed: float | None
    decimals: int = 1
    note: str | None = None

    @property
    def flagged(self) -> bool:
        """True when the printed value is known to be wrong or not reproducible."""
        return self.note is not None


@dataclass(frozen=True)
class PaperRow:
    label: str
    values: tuple[PaperValue, ...]


@dataclass(frozen=True)
class PaperTable:
    key: str
    title: str
    rows: tuple[PaperRow, ...]
    caption: str = ""

    @property
    def quantities(self) -> tuple[str, ...]:
        seen: list[str] = []
        for row in self.rows:
            for value in row.values:
                if value.quantity not in seen:
                    seen.append(value.quantity)
        return tuple(seen)

    @property
    def flagged_values(self) -> tuple[tuple[PaperRow, PaperValue], ...]:
        return tuple((r, v) for r in self.rows for v in r.values if v.flagged)


def standard_conv_macs(dk: int, m: int, n: int, df: int) -> int:
    """Dk*Dk*M*N*Df*Df: a full convolution producing an Df x Df x N output."""
    return dk * dk * m * n * df * df


def separable_conv_macs(dk: int, m: int, n: int, df: int) -> int:
    """Dk*Dk*M*Df*Df + M*N*Df*Df: depthwise then pointwise."""
    return dk * dk * m * df * df + m * n * df * df


def paper_params(spec: MobileNetSpec) -> int:
    """Kernel weights only (paper convention)."""
    return sum(share.params for share in cost_by_type(spec))


def _mega(x: int) -> float:
    return x / 1e6


def _value(quantity: str, printed: float | None, computed: float | None, decimals: int,
           note: str | None = None) -> PaperValue:
    if note is None and printed is not None and computed is not None:
        if round(computed, decimals) != round(printed, decimals):
            note = (f"printed {printed:.{decimals}f}, computed {computed:.{decimals + 1}f}:"
                    " differs beyond the printed rounding")
    return PaperValue(quantity, printed, computed, decimals, note)


def _network_row(label: str, spec: MobileNetSpec, top1: float, macs_m: float, params_m: float,
                 macs_note: str | None = None) -> PaperRow:
    return PaperRow(label, (
        _value("ImageNet top-1 %", top1, None, 1),
        _value("mult-adds (M)", macs_m, _mega(model_totals(spec).macs), 0, macs_note),
        _value("params (M)", params_m, _mega(paper_params(spec)), 1),
    ))


def _table1() -> PaperTable:
    rows: list[PaperRow] = []
    spec = MobileNetSpec()
    by_name = {row.name: row for row in layer_rows(spec)}
    conv1 = by_name["conv1"]
    rows.append(PaperRow(f"Conv / s2, 3x3x3x32, input {conv1.input_shape[0]}x"
                         f"{conv1.input_shape[1]}x3", (_value("stride", 2, 2, 0),)))
    for block, (filters, stride) in enumerate(BLOCK_CONFIG, start=1):
        dw = by_name[f"conv_dw_{block}"]
        pw = by_name[f"conv_pw_{block}"]
        h, _, c = dw.input_shape if stride == 1 else by_name[f"conv_pad_{block}"].input_shape
        note = None
        printed = stride
        if block == 13:
            printed = 2
            note = ("printed s2, but the input is already 7x7 and the output stays 7x7:"
                    " the stride is 1 (tensorflow/models#1997)")
        rows.append(PaperRow(f"Conv dw / s{printed}, 3x3x{c} dw, input {h}x{h}x{c}",
                             (_value("stride", printed, stride, 0, note),)))
        ph, _, pc = pw.input_shape
        rows.append(PaperRow(f"Conv / s1, 1x1x{pc}x{filters}, input {ph}x{ph}x{pc}",
                             (_value("stride", 1, 1, 0),)))
    return PaperTable("table1", "Table 1. MobileNet body architecture (strides)", tuple(rows),
                      "Strides as printed versus as built by Keras.")


def _table2() -> PaperTable:
    printed = {
        "Conv 1x1": (94.86, 74.59),
        "Conv DW 3x3": (3.06, 1.06),
        "Conv 3x3": (1.19, 0.02),
        "Fully Connected": (0.18, 24.33),
    }
    rows = []
    for share in cost_by_type(MobileNetSpec()):
        p_macs, p_params = printed[share.label]
        note = None
        if share.label == "Conv 3x3":
            note = ("digits swapped in print: conv1 is 10.8 M of 568.7 M mult-adds = 1.91 %;"
                    " the printed column sums to 99.29 %, with 1.91 it sums to 100.01 %")
        rows.append(PaperRow(share.label, (
            _value("mult-adds %", p_macs, 100 * share.macs_share, 2, note),
            _value("params %", p_params, 100 * share.params_share, 2),
        )))
    return PaperTable("table2", "Table 2. Resource per layer type (1.0 MobileNet-224)",
                      tuple(rows), "Params counted without biases and batch norm, as printed.")


def _table3() -> PaperTable:
    dk, m, df = KERNEL, 512, 14
    m75 = scaled_channels(m, 0.75)
    df_rho = round(df * 0.714)
    cases = (
        ("Convolution (standard)", standard_conv_macs(dk, m, m, df), dk * dk * m * m, 462, 2.36),
        ("Depthwise separable conv", separable_conv_macs(dk, m, m, df), dk * dk * m + m * m,
         52.3, 0.27),
        ("alpha = 0.75", separable_conv_macs(dk, m75, m75, df), dk * dk * m75 + m75 * m75,
         29.6, 0.15),
        (f"rho = 0.714 (Df = {df_rho})", separable_conv_macs(dk, m75, m75, df_rho),
         dk * dk * m75 + m75 * m75, 15.1, 0.15),
    )
    rows = []
    for label, macs, params, p_macs, p_params in cases:
        mac_dec = 0 if p_macs >= 100 else 1
        par_dec = 2
        rows.append(PaperRow(label, (
            _value("mult-adds (M)", p_macs, _mega(macs), mac_dec),
            _value("params (M)", p_params, _mega(params), par_dec),
            _value("mult-adds (exact)", None, float(macs), 0),
            _value("params (exact)", None, float(params), 0),
        )))
    return PaperTable("table3", "Table 3. One layer, Dk=3, M=N=512, Df=14", tuple(rows),
                      "alpha and rho rows are cumulative: alpha 0.75, then rho on top of it.")


def _table4() -> PaperTable:
    conv_note = ("printed 4866 M; this all-standard-conv topology counts 4867.3 M layer by"
                 " layer (0.03 % more); the paper does not say what it left out")
    return PaperTable("table4", "Table 4. Depthwise separable vs full convolution MobileNet", (
        _network_row("Conv MobileNet", MobileNetSpec(body="standard"), 71.7, 4866, 29.3,
                     conv_note),
        _network_row("MobileNet", MobileNetSpec(), 70.6, 569, 4.2),
    ))


def _table5() -> PaperTable:
    return PaperTable("table5", "Table 5. Narrow vs shallow MobileNet", (
        _network_row("0.75 MobileNet", MobileNetSpec(alpha=0.75), 68.4, 325, 2.6),
        _network_row("Shallow MobileNet", MobileNetSpec(body="shallow"), 65.3, 307, 2.9),
    ), "Shallow MobileNet drops the five 14x14x512 blocks (7-11).")


def _table6() -> PaperTable:
    printed = ((1.0, 70.6, 569, 4.2), (0.75, 68.4, 325, 2.6), (0.5, 63.7, 149, 1.3),
               (0.25, 50.6, 41, 0.5))
    return PaperTable("table6", "Table 6. MobileNet width multiplier (224)", tuple(
        _network_row(f"{format_alpha(a)} MobileNet-224", MobileNetSpec(alpha=a), t, m, p)
        for a, t, m, p in printed
    ))


def _table7() -> PaperTable:
    printed = ((224, 70.6, 569, 4.2), (192, 69.1, 418, 4.2), (160, 67.2, 290, 4.2),
               (128, 64.4, 186, 4.2))
    rows = []
    for r, t, m, p in printed:
        note = None
        if r == 160:
            note = "printed 290 M: the paper truncated 290.7 M instead of rounding to 291 M"
        rows.append(_network_row(f"1.0 MobileNet-{r}", MobileNetSpec(resolution=r), t, m, p,
                                 note))
    return PaperTable("table7", "Table 7. MobileNet resolution (alpha 1.0)", tuple(rows),
                      "Resolution changes mult-adds (about rho^2) and never params.")


def _other_sources() -> PaperTable:
    rows = []
    for r in (224, 192, 160, 128):
        macs = _mega(model_totals(MobileNetSpec(resolution=r)).macs)
        rows.append(PaperRow(f"Keras docs, MobileNet 1.0-{r}", (_value(
            "mult-adds (M)", 529, macs, 0,
            "the TF/Keras module docs print 529 M for 1.0 at every resolution; mult-adds"
            " scale with resolution squared, and Keras' own model counts"
            f" {macs:.1f} M here"),)))
    return PaperTable("other", "Other published figures", tuple(rows),
                      "Figures printed outside the paper that disagree with the model.")


#: TF-slim mobilenet_v1.md's "Million MACs" column, (alpha, resolution) -> printed value.
TF_SLIM_MACS: dict[tuple[float, int], int] = {
    (1.0, 224): 569, (1.0, 192): 418, (1.0, 160): 291, (1.0, 128): 186,
    (0.75, 224): 317, (0.75, 192): 233, (0.75, 160): 162, (0.75, 128): 104,
    (0.5, 224): 150, (0.5, 192): 110, (0.5, 160): 77, (0.5, 128): 49,
    (0.25, 224): 41, (0.25, 192): 34, (0.25, 160): 21, (0.25, 128): 14,
}


def _tf_slim_macs_note(alpha: float, resolution: int, printed: int, macs: float) -> str | None:
    """Why TF-slim's printed mult-adds differ from the count (None when they agree)."""
    if round(macs) == printed:
        return None
    gap = 100 * (printed / macs - 1)
    if alpha == 0.75:
        return (f"TF-slim lists {printed} M, {-gap:.1f} % below the layer-by-layer count of"
                " the Keras model (same channels) at all four resolutions; TF-slim does not"
                " document how it counted")
    if abs(printed - macs) < 1:
        return (f"TF-slim prints {printed} M; the count is {macs:.3f} M ({abs(gap):.1f} %"
                f" apart), so TF-slim's figure is the count rounded up, where rounding to"
                f" the nearest million gives {round(macs)}")
    neighbours = [r for r in (224, 160) if r != resolution]
    scaled = ", ".join(
        f"{TF_SLIM_MACS[(alpha, r)]} M x ({resolution}/{r})^2 = "
        f"{TF_SLIM_MACS[(alpha, r)] * (resolution / r) ** 2:.1f} M" for r in neighbours)
    return (f"TF-slim prints {printed} M, {gap:+.1f} % off the count {macs:.1f} M; its own"
            f" neighbours scaled by resolution squared agree with the count ({scaled}), so"
            f" {printed} is most likely a typo for {round(macs)}")


def _accuracy_table() -> PaperTable:
    rows = []
    for acc in PUBLISHED_ACCURACY:
        macs = _mega(model_totals(MobileNetSpec(acc.alpha, acc.resolution)).macs)
        printed = TF_SLIM_MACS[(acc.alpha, acc.resolution)]
        rows.append(PaperRow(f"{format_alpha(acc.alpha)}-{acc.resolution}", (
            _value("TF-slim float top-1 %", acc.top1_float, None, 1),
            _value("TF-slim quant top-1 %", acc.top1_quant, None, 1),
            _value("Keras top-1 %", acc.top1_keras, None, 1),
            _value("mult-adds (M)", printed, macs, 0,
                   _tf_slim_macs_note(acc.alpha, acc.resolution, printed, macs)),
        )))
    return PaperTable("accuracy", "TF-slim table: the 16 pretrained variants", tuple(rows),
                      "TF-slim mobilenet_v1.md: top-1 (float / quantized) and its Million MACs"
                      " column; Keras measured top-1 at 224 only.")


@lru_cache(maxsize=1)
def paper_tables() -> tuple[PaperTable, ...]:
    """Tables 1-7 of the paper plus other published figures, printed beside computed."""
    return (_table1(), _table2(), _table3(), _table4(), _table5(), _table6(), _table7(),
            _other_sources(), _accuracy_table())
