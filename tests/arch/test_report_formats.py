"""Report serialisations agree with each other and with the cost model."""

import csv
import io
import json

import pytest

from explorer.arch import MobileNetSpec, block_costs, layer_rows, model_totals
from explorer.arch.export import render_report, report_dict


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
    totals = model_totals(spec)
    assert doc["totals"]["params"] == totals.params == 2_601_976
    assert doc["totals"]["macs"] == totals.macs
    assert doc["totals"]["non_trainable_params"] == totals.non_trainable_params


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
