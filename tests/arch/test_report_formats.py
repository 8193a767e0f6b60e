"""Report serialisations agree with each other and with the cost model."""

import csv
import io
import json

import pytest

from explorer.arch import MobileNetSpec, block_costs, layer_rows, model_totals
from explorer.arch.export import human_bytes, human_count, human_ratio, render_report, report_dict


def test_json_shape():
    spec = MobileNetSpec(0.75, 192)
    doc = json.loads(render_report(spec, "json"))
    assert (doc["model"], doc["alpha"], doc["resolution"], doc["classes"]) == (
        "mobilenet_v1", 0.75, 192, 1000)
    assert len(doc["layers"]) == len(layer_rows(spec))
    layer = doc["layers"][1]
    assert {"name", "kind", "block", "input_shape", "output_shape", "params",
            "trainable_params", "macs", "activations"} <= set(layer)
    assert layer["output_shape"] == [96, 96, 24]
    assert doc["layers"][-1]["output_shape"] == [1000]
    block = doc["blocks"][0]
    assert {"block", "separable_macs", "separable_params", "standard_macs", "standard_params",
            "ratio"} <= set(block)
    assert len(doc["blocks"]) == len(block_costs(spec))
    # everything the per-block table shows is in the JSON too
    assert block["input_size"] == 96 and block["output_size"] == 96
    assert block["depthwise_params"] + block["pointwise_params"] == block["separable_params"]
    assert doc["totals"]["blocks_separable_params"] == sum(
        b["separable_params"] for b in doc["blocks"])
    assert doc["totals"]["blocks_standard_params"] == sum(
        b["standard_params"] for b in doc["blocks"])
    totals = model_totals(spec)
    assert doc["totals"]["params"] == totals.params == 2_601_976
    assert doc["totals"]["macs"] == totals.macs
    assert doc["totals"]["non_trainable_params"] == totals.non_trainable_params
    # The JSON alone says what its numbers mean: shares are fractions (the text shows %),
    # the peak is one layer's input + output, block params are kernel weights.
    units = doc["units"]
    assert {"macs", "flops", "activations", "activations_peak", "shares",
            "block_params"} <= set(units)
    assert "0 to 1" in units["shares"] and "input + output" in units["activations_peak"]
    assert sum(layer["macs_share"] for layer in doc["layers"]) == pytest.approx(1.0)


def test_csv_sums_to_totals():
    spec = MobileNetSpec(0.5, 160)
    rows = list(csv.DictReader(io.StringIO(render_report(spec, "csv"))))
    body, total = rows[:-1], rows[-1]
    assert total["name"] == "TOTAL"
    assert sum(int(r["macs"]) for r in body) == int(total["macs"]) == model_totals(spec).macs
    assert sum(int(r["params"]) for r in body) == int(total["params"])
    assert [r["name"] for r in body] == [r.name for r in layer_rows(spec)]


def test_table_and_markdown_mention_totals_and_units():
    spec = MobileNetSpec()
    table = render_report(spec, "table")
    assert "4,253,864" in table and "568,740,352" in table and "FLOPs = 2 x MACs" in table
    md = render_report(spec, "markdown")
    assert md.count("\n| ") >= len(layer_rows(spec)) + 2
    assert "**4,253,864**" in md


def test_unknown_format():
    with pytest.raises(ValueError, match="unknown format"):
        render_report(MobileNetSpec(), "xml")


def test_report_dict_is_json_serialisable_for_odd_variants():
    json.dumps(report_dict(MobileNetSpec(1.3, 257, classes=7, include_top=True)))


def test_human_count_reaches_tera_and_never_prints_1e3():
    macs = model_totals(MobileNetSpec(4.0, 4096)).macs  # the spin boxes' largest variant
    assert human_count(macs) == "2.92 T"
    assert human_count(2 * macs) == "5.85 T"
    assert human_count(999_999) == "1 M"  # rounds up into the next unit, not "1e+03 k"
    assert human_count(999_999_999) == "1 G"
    assert human_count(1_234_567) == "1.23 M"
    assert human_count(-4_481_120) == "-4.48 M"
    assert human_count(999) == "999"
    # A table column of compact values keeps three figures; axis ticks keep "50 M".
    assert human_count(54_992_896, trailing_zeros=True) == "55.0 M"
    assert human_count(276_085_866_496, trailing_zeros=True) == "276 G"
    assert human_count(6_000, trailing_zeros=True) == "6.00 k"
    assert human_count(50_000_000) == "50 M"


def test_human_bytes_rounds_into_the_next_unit():
    assert human_bytes(1023) == "1023 B"
    assert human_bytes(2**20 - 1) == "1.00 MiB"  # not "1024.00 KiB"
    assert human_bytes(83.08 * 2**30) == "83.08 GiB"
    assert human_bytes(2 * 2**40) == "2.00 TiB"


@pytest.mark.parametrize(("ratio", "text"), [
    (262_759 / 568_740_352, "0.000462x"),  # 0.1-32 vs 1.0-224 MACs: not "0.000x"
    (0.0336, "0.0336x"), (0.143, "0.143x"), (1.0, "1.00x"), (2.2857, "2.29x"),
    (9.996, "10.0x"), (11.54, "11.5x"), (286.4, "286x"), (5141.13, "5,141x"),
    (8.99e-8, "8.99e-8x"), (1.2e6, "1.20e6x"), (0.0, "0x"),
])
def test_human_ratio_keeps_three_significant_figures(ratio, text):
    assert human_ratio(ratio) == text


def test_table_and_markdown_end_with_the_per_block_comparison():
    """The chart's numbers as text: every block's standard and separable mult-adds and
    params, the counted ratio beside 1/N + 1/Dk^2, and totals equal to block_totals."""
    from explorer.arch.blocks import block_costs, block_totals
    from explorer.arch.export import BLOCK_COLUMNS, BLOCK_TABLE_TITLE, block_table_texts

    spec = MobileNetSpec(0.75, 192)
    costs = block_costs(spec)
    body, total = block_table_texts(costs)
    assert len(body) == len(costs) == 13 and all(len(r) == len(BLOCK_COLUMNS) for r in body)
    for row, c in zip(body, costs):
        assert row[1] == f"{c.in_channels} -> {c.out_channels}"
        assert row[2] == f"{c.output_size}x{c.output_size}"
        assert row[3] == f"{c.standard_macs:,}" and row[4] == f"{c.separable_macs:,}"
        # the counted ratio, which is the paper's 1/N + 1/Dk^2
        assert row[5] == f"{100 * c.ratio:.2f} %" == f"{100 * (1 / c.out_channels + 1 / 9):.2f} %"
        assert row[6] == f"{c.standard_macs / c.separable_macs:.2f}x"
        assert row[7] == f"{c.standard_params:,}" and row[8] == f"{c.separable_params:,}"
    b = block_totals(spec)
    assert total[3] == f"{b.standard_macs:,}" and total[4] == f"{b.separable_macs:,}"
    assert total[6] == f"{b.reduction:.2f}x"
    assert total[7] == f"{b.standard_params:,}" and total[8] == f"{b.separable_params:,}"
    table = render_report(spec, "table")
    assert BLOCK_TABLE_TITLE in table
    block_lines = table.split(BLOCK_TABLE_TITLE)[1].splitlines()
    assert [ln.split()[0] for ln in block_lines if ln[:5].strip().isdigit()] == [
        str(i) for i in range(1, 14)]
    assert "462,422,016" not in table.split(BLOCK_TABLE_TITLE)[0]  # only in the block part
    md = render_report(MobileNetSpec(), "markdown")
    part = md.split(BLOCK_TABLE_TITLE)[1]
    assert "| 7 | 512 -> 512 | 14x14 | 462,422,016 | 52,283,392 |" in part  # Table 3's layer
    assert "**4,855,431,168**" in part
    # The totals row's ratio is a cost-weighted one, not a 1/N + 1/Dk^2 value: both formats
    # say so right under the table.
    from explorer.arch.export import BLOCK_TOTAL_NOTE

    assert table.rstrip().endswith(BLOCK_TOTAL_NOTE) and md.rstrip().endswith(BLOCK_TOTAL_NOTE)
    assert "weights each block's" in BLOCK_TOTAL_NOTE


def test_shallow_body_lists_only_its_blocks():
    from explorer.arch.export import BLOCK_TABLE_TITLE

    table = render_report(MobileNetSpec(body="shallow"), "table").split(BLOCK_TABLE_TITLE)[1]
    blocks = [ln.split()[0] for ln in table.splitlines() if ln[:5].strip().isdigit()]
    assert blocks == ["1", "2", "3", "4", "5", "6", "12", "13"]
    summary = render_report(MobileNetSpec(body="shallow"), "table")
    assert "Blocks 1-6, 12-13: depthwise separable" in summary  # not "Blocks 1-13"


def test_a_tiny_non_zero_share_is_not_printed_as_zero():
    """At 1.0-4096 the classifier's 1,024,000 MACs printed "0.00" % beside layers with none."""
    from explorer.arch.export import percent_text

    assert percent_text(0.0) == "0.00" and percent_text(0.00004) == "<0.01"
    assert percent_text(0.00005) == "0.01" and percent_text(0.5) == "50.00"
    rows = {ln.split()[1]: ln.split() for ln in
            render_report(MobileNetSpec(1.0, 4096), "table").splitlines()
            if ln.split() and ln.split()[0].isdigit()}
    # ... % MACs, % params, activations: the last three columns
    assert rows["conv_preds"][-3] == "<0.01" and rows["conv1_bn"][-3] == "0.00"
