"""Serialise the cost model: report dict (JSON), CSV, Markdown and a plain-text table.

The UI's File > Export and ``python main.py report`` both use these functions, so the numbers
round-trip exactly between them.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any, Final

from explorer.arch.blocks import BlockCost, block_costs, block_span, block_totals, totals_of
from explorer.arch.layers import LayerRow, layer_rows, model_totals
from explorer.arch.paper import PaperTable, paper_tables
from explorer.arch.spec import MobileNetSpec, format_alpha

REPORT_FORMATS: Final[tuple[str, ...]] = ("table", "json", "csv", "markdown")
CSV_COLUMNS: Final[tuple[str, ...]] = (
    "index", "name", "kind", "block", "kernel", "stride", "padding", "input_shape",
    "output_shape", "params", "trainable_params", "non_trainable_params", "macs",
    "macs_share", "params_share", "activations",
)


def shape_text(shape: tuple[int, ...]) -> str:
    return "x".join(str(d) for d in shape)


def _scaled(n: float, scales: tuple[tuple[float, str], ...], fmt: str) -> tuple[str, str] | None:
    """``n`` in the largest unit it reaches *after* rounding (999,999 is "1 M", not "1e+03 k")."""
    for scale, suffix in scales:
        text = format(n / scale, fmt)
        if abs(float(text)) >= 1:
            return text, suffix
    return None


def percent_text(share: float) -> str:
    """A share (0..1) as a percentage with 2 decimals; a non-zero share below 0.005 % is
    "<0.01", not "0.00" (the classifier's 1,024,000 MACs at 4096 px read as nothing)."""
    if 0 < share < 0.00005:
        return "<0.01"
    return f"{100 * share:.2f}"


def human_count(n: float, unit: str = "", trailing_zeros: bool = False) -> str:
    """1234567 -> "1.23 M"; keeps three significant figures, up to P (10^15).

    T is reached by the spin boxes' largest variant (4.0-4096: 2.92 T mult-adds); P is there so
    nothing prints as "1e+03 T".  ``trailing_zeros`` writes 54,992,896 as "55.0 M" rather
    than "55 M", so a column of values reads alike (axis ticks want the short "50 M").
    """
    fmt = "#.3g" if trailing_zeros else ".3g"
    scaled = _scaled(n, ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")), fmt)
    if scaled is not None:
        return f"{scaled[0].rstrip('.')} {scaled[1]}{unit}"
    return f"{n:g} {unit}".rstrip()


def human_bytes(n: float) -> str:
    """1536 -> "1.50 KiB"; two decimals, up to TiB."""
    scaled = _scaled(n, ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")), ".2f")
    if scaled is None or abs(n) < 2**10:  # 1023 B stays exact rather than "1.00 KiB"
        return f"{int(n)} B"
    return f"{scaled[0]} {scaled[1]}"


def human_ratio(r: float) -> str:
    """A ratio such as B / A with three significant figures and an "x": never a rounded zero.

    0.000462 -> "0.000462x", 0.0336 -> "0.0336x", 1 -> "1.00x", 11.54 -> "11.5x",
    5141.1 -> "5,141x"; below 0.0001 or from a million on it switches to "4.62e-5x" / "1.23e6x"
    (more zeros than that are unreadable).
    """
    if r == 0 or not math.isfinite(r):
        return f"{r:g}x"
    rounded = float(f"{r:.3g}")
    size = abs(rounded)
    if size < 1e-4 or size >= 1e6:
        mantissa, exponent = f"{r:.2e}".split("e")
        return f"{mantissa}e{int(exponent)}x"
    if size >= 100:
        return f"{r:,.0f}x"
    decimals = 2 - math.floor(math.log10(size))
    return f"{rounded:.{decimals}f}x"


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def layer_dict(row: LayerRow, total_macs: int, total_params: int) -> dict[str, Any]:
    return {
        "index": row.index,
        "name": row.name,
        "kind": row.kind,
        "block": row.block,
        "kernel": row.kernel,
        "stride": row.stride,
        "padding": row.padding,
        "input_shape": list(row.input_shape),
        "output_shape": list(row.output_shape),
        "params": row.params,
        "trainable_params": row.trainable_params,
        "non_trainable_params": row.non_trainable_params,
        "macs": row.macs,
        "macs_share": _share(row.macs, total_macs),
        "params_share": _share(row.params, total_params),
        "activations": row.activations,
    }


def report_dict(spec: MobileNetSpec) -> dict[str, Any]:
    """The ``report --format json`` document for ``spec``."""
    totals = model_totals(spec)
    btot = block_totals(spec)
    return {
        "model": "mobilenet_v1",
        "alpha": spec.alpha,
        "resolution": spec.resolution,
        # without the top there is no classifier: null, as the text header says "no top"
        "classes": spec.classes if spec.include_top else None,
        "include_top": spec.include_top,
        "body": spec.body,
        "layers": [layer_dict(r, totals.macs, totals.params) for r in layer_rows(spec)],
        "blocks": [
            {
                "block": c.block,
                "stride": c.stride,
                "in_channels": c.in_channels,
                "out_channels": c.out_channels,
                "input_size": c.input_size,
                "output_size": c.output_size,
                "depthwise_macs": c.depthwise_macs,
                "pointwise_macs": c.pointwise_macs,
                "separable_macs": c.separable_macs,
                "depthwise_params": c.depthwise_params,
                "pointwise_params": c.pointwise_params,
                "separable_params": c.separable_params,
                "standard_macs": c.standard_macs,
                "standard_params": c.standard_params,
                "ratio": c.ratio,
                "paper_ratio": c.paper_ratio,
            }
            for c in block_costs(spec)
        ],
        "totals": {
            "params": totals.params,
            "trainable_params": totals.trainable_params,
            "non_trainable_params": totals.non_trainable_params,
            "macs": totals.macs,
            "flops": totals.flops,
            "activations_total": totals.activations_total,
            "activations_peak": totals.activations_peak,
            "blocks_separable_macs": btot.separable_macs,
            "blocks_standard_macs": btot.standard_macs,
            "blocks_separable_params": btot.separable_params,
            "blocks_standard_params": btot.standard_params,
        },
        "units": {"macs": "mult-adds (1 multiply + 1 add)", "flops": "2 x MACs",
                  "activations": "float32 elements, batch 1",
                  "activations_peak": "the largest input + output of one layer, float32"
                                      " elements, batch 1",
                  "shares": "macs_share and params_share: fraction of the model's total,"
                            " 0 to 1",
                  "block_params": "blocks' params: convolution kernel weights (MobileNet's"
                                  " convolutions have no bias; batch norm is its own layer)"},
    }


def report_json(spec: MobileNetSpec) -> str:
    return json.dumps(report_dict(spec), indent=2) + "\n"


def report_csv(spec: MobileNetSpec) -> str:
    """One row per layer (shapes as ``HxWxC``) plus a final TOTAL row."""
    doc = report_dict(spec)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for layer in doc["layers"]:
        values = dict(layer)
        values["input_shape"] = "x".join(map(str, layer["input_shape"]))
        values["output_shape"] = "x".join(map(str, layer["output_shape"]))
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    t = doc["totals"]
    writer.writerow(["", "TOTAL", "", "", "", "", "", "", "", t["params"], t["trainable_params"],
                     t["non_trainable_params"], t["macs"], 1.0, 1.0, t["activations_total"]])
    return out.getvalue()


def _title(spec: MobileNetSpec) -> str:
    # Without the classifier head the class count changes nothing, so it is not shown.
    top = f", {spec.classes} classes" if spec.include_top else ", no top"
    body = "" if spec.body == "separable" else f", {spec.body} body"
    return (f"MobileNet v1, width multiplier alpha {format_alpha(spec.alpha)}, input resolution"
            f" {spec.resolution}{top}{body}")


def _table_cells(spec: MobileNetSpec) -> tuple[list[str], list[list[str]], list[str]]:
    totals = model_totals(spec)
    header = ["#", "Layer", "Kind", "Block", "Kernel/stride", "Output", "Params", "MACs",
              "% MACs", "% params", "Activations"]
    body = []
    for r in layer_rows(spec):
        body.append([
            str(r.index), r.name, r.kind, "" if r.block is None else str(r.block),
            r.kernel_stride_text, shape_text(r.output_shape), f"{r.params:,}", f"{r.macs:,}",
            percent_text(_share(r.macs, totals.macs)),
            percent_text(_share(r.params, totals.params)), f"{r.activations:,}",
        ])
    foot = ["", "Total", "", "", "", "", f"{totals.params:,}", f"{totals.macs:,}", "100.00",
            "100.00", f"{totals.activations_total:,}"]
    return header, body, foot


BLOCK_TABLE_TITLE = "Per block: standard 3x3 convolution vs depthwise separable"
#: Columns of the per-block table (report text/Markdown and the Standard vs separable view).
#: One ratio column: counted separable / standard mult-adds, which per block equals the
#: paper's closed form 1/N + 1/Dk^2 exactly (the view's tooltips show both computations).
BLOCK_COLUMNS = ("Block", "Channels M -> N", "Output Df x Df", "Standard MACs",
                 "Separable MACs", "Ratio = 1/N + 1/Dk^2", "Fewer MACs", "Standard params",
                 "Separable params")
BLOCK_TOTAL_LABEL = "Total"
#: Printed under the per-block table: its totals row is not one of the formula's values.
BLOCK_TOTAL_NOTE = ("Total row: sums over the blocks; its ratio is total separable / total"
                    " standard mult-adds, which weights each block's 1/N + 1/Dk^2 by its"
                    " standard cost.")


def _ratio_percent(x: float) -> str:
    return f"{100 * x:.2f} %"


def block_table_texts(costs: Sequence[BlockCost]) -> tuple[list[list[str]], list[str]]:
    """(one row per block, the totals row) of the per-block comparison, as text.

    Per block: channels in and out (the paper's M and N), the output size Df (the input is
    the previous block's output; after a stride-2 block Df = floor(input / 2)), a full 3x3
    convolution's mult-adds, the depthwise separable pair's, their ratio (equal to the
    paper's 1/N + 1/Dk^2: the formula is exact per block), how many times fewer mult-adds,
    and both params counts (kernel weights, as the paper counts).  Totals: sums, and the
    ratio of the sums.
    """
    rows = [[
        str(c.block), f"{c.in_channels} -> {c.out_channels}",
        f"{c.output_size}x{c.output_size}",
        f"{c.standard_macs:,}", f"{c.separable_macs:,}", _ratio_percent(c.ratio),
        f"{c.reduction:.2f}x", f"{c.standard_params:,}", f"{c.separable_params:,}",
    ] for c in costs]
    t = totals_of(costs)
    total = [
        BLOCK_TOTAL_LABEL, "", "", f"{t.standard_macs:,}", f"{t.separable_macs:,}",
        _ratio_percent(t.separable_macs / t.standard_macs) if t.standard_macs else "",
        f"{t.reduction:.2f}x" if t.separable_macs else "",
        f"{t.standard_params:,}", f"{t.separable_params:,}",
    ]
    return rows, total


def _summary_lines(spec: MobileNetSpec) -> list[str]:
    t = model_totals(spec)
    b = block_totals(spec)
    return [
        f"Params: {t.params:,} (trainable {t.trainable_params:,},"
        f" non-trainable {t.non_trainable_params:,})",
        f"Mult-adds (MACs): {t.macs:,} ({human_count(t.macs)});"
        f" FLOPs = 2 x MACs = {t.flops:,}",
        f"Activations (float32, batch 1): peak layer in+out {human_bytes(4 * t.activations_peak)},"
        f" all outputs {human_bytes(4 * t.activations_total)}",
        f"Blocks {block_span([c.block for c in block_costs(spec)])}: depthwise separable"
        f" {human_count(b.separable_macs)} MACs vs standard 3x3"
        f" {human_count(b.standard_macs)} MACs ({b.reduction:.1f}x fewer mult-adds)",
    ]


def report_table(spec: MobileNetSpec) -> str:
    """A Keras-summary-like fixed-width table with totals."""
    header, body, foot = _table_cells(spec)
    block_body, block_total = block_table_texts(block_costs(spec))
    parts = [_title(spec), *_text_table(header, body, foot, _LAYER_NUMERIC),
             *_summary_lines(spec), "", BLOCK_TABLE_TITLE,
             *_text_table(list(BLOCK_COLUMNS), block_body, block_total,
                          set(range(len(BLOCK_COLUMNS)))), BLOCK_TOTAL_NOTE]
    return "\n".join(parts) + "\n"


#: Columns of the layer table aligned right (numbers).
_LAYER_NUMERIC = {0, 3, 6, 7, 8, 9, 10}


def _text_table(header: list[str], body: list[list[str]], foot: list[str],
                right: set[int]) -> list[str]:
    """Fixed-width lines: rule, header, rule, body, rule, foot, rule; ``right`` columns are
    right-aligned, the others left-aligned."""
    widths = [max(len(row[i]) for row in [header, foot, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    rule = "-" * len(line(header))
    return [rule, line(header), rule, *(line(r) for r in body), rule, line(foot), rule]


def _markdown_table(header: list[str], body: list[list[str]], foot: list[str],
                    right: set[int]) -> list[str]:
    """A Markdown table whose last row (the totals) is bold."""
    align = ["---:" if i in right else "---" for i in range(len(header))]
    bold_foot = [f"**{c}**" if c else "" for c in foot]
    return ["| " + " | ".join(r) + " |" for r in [header, align, *body, bold_foot]]


def report_markdown(spec: MobileNetSpec) -> str:
    header, body, foot = _table_cells(spec)
    block_body, block_total = block_table_texts(block_costs(spec))
    lines = [f"## {_title(spec)}", "", *_markdown_table(header, body, foot, _LAYER_NUMERIC),
             "", *[f"- {s}" for s in _summary_lines(spec)],
             "", f"### {BLOCK_TABLE_TITLE}", "",
             *_markdown_table(list(BLOCK_COLUMNS), block_body, block_total,
                              set(range(len(BLOCK_COLUMNS)))), "", BLOCK_TOTAL_NOTE]
    return "\n".join(lines) + "\n"


def render_report(spec: MobileNetSpec, fmt: str) -> str:
    if fmt == "table":
        return report_table(spec)
    if fmt == "json":
        return report_json(spec)
    if fmt == "csv":
        return report_csv(spec)
    if fmt == "markdown":
        return report_markdown(spec)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(REPORT_FORMATS)}")


# --- paper tables -------------------------------------------------------------------------

def _num(x: float | None, decimals: int) -> str:
    if x is None:
        return "-"
    return f"{x:,.{decimals}f}"


def paper_dict() -> dict[str, Any]:
    return {"paper": "Howard et al. 2017, MobileNets, arXiv 1704.04861", "tables": [
        {
            "key": t.key, "title": t.title, "caption": t.caption,
            "rows": [
                {"label": r.label, "values": [
                    {"quantity": v.quantity, "printed": v.printed, "computed": v.computed,
                     "flagged": v.flagged, "note": v.note}
                    for v in r.values
                ]}
                for r in t.rows
            ],
        }
        for t in paper_tables()
    ]}


def paper_table_text(table: PaperTable) -> str:
    quantities = table.quantities
    header = ["", *(f"{q} printed / computed" for q in quantities)]
    rows = [header]
    for r in table.rows:
        by_q = {v.quantity: v for v in r.values}
        cells = [r.label]
        for q in quantities:
            v = by_q.get(q)
            if v is None:
                cells.append("")
                continue
            computed_dec = v.decimals + (1 if v.decimals < 2 and v.quantity != "stride" else 0)
            if "exact" in v.quantity:
                computed_dec = 0
            text = f"{_num(v.printed, v.decimals)} / {_num(v.computed, computed_dec)}"
            cells.append(text + (" *" if v.flagged else ""))
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [table.title]
    if table.caption:
        lines.append(table.caption)
    for i, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if j == 0 else c.rjust(w)
                               for j, (c, w) in enumerate(zip(row, widths))).rstrip())
        if i == 0:
            lines.append("-" * len(lines[-1]))
    for flagged_row, value in table.flagged_values:
        lines.append(f"  * {flagged_row.label}, {value.quantity}: {value.note}")
    return "\n".join(lines) + "\n"


def paper_text() -> str:
    intro = ("MobileNets (Howard et al. 2017): printed value / value computed by this tool's"
             " cost model.\nMACs are mult-adds (FLOPs = 2 x MACs); params are kernel weights"
             " without biases or batch norm, as the paper counts them. * = discrepancy.\n")
    return intro + "\n" + "\n".join(paper_table_text(t) for t in paper_tables())
