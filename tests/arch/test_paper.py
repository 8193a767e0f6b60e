"""The paper's tables: computed values, printed values and flagged discrepancies."""

from explorer.arch import MobileNetSpec, cost_by_type
from explorer.arch.paper import paper_params, paper_tables


def _table(key):
    return next(t for t in paper_tables() if t.key == key)


def _value(table, label_start, quantity):
    row = next(r for r in _table(table).rows if r.label.startswith(label_start))
    return next(v for v in row.values if v.quantity == quantity)


def test_table2_shares():
    shares = {s.label: s for s in cost_by_type(MobileNetSpec())}
    assert round(100 * shares["Conv 1x1"].macs_share, 2) == 94.86
    assert round(100 * shares["Conv DW 3x3"].macs_share, 2) == 3.06
    assert round(100 * shares["Conv 3x3"].macs_share, 2) == 1.91
    assert round(100 * shares["Fully Connected"].macs_share, 2) == 0.18
    assert round(100 * shares["Conv 1x1"].params_share, 2) == 74.59
    assert round(100 * shares["Fully Connected"].params_share, 2) == 24.33
    flagged = _value("table2", "Conv 3x3", "mult-adds %")
    assert flagged.printed == 1.19 and flagged.flagged and "swapped" in flagged.note


def test_table1_last_depthwise_stride_flagged():
    flagged = _table("table1").flagged_values
    assert len(flagged) == 1
    row, value = flagged[0]
    assert "7x7x1024" in row.label and value.printed == 2 and value.computed == 1


def test_table3_exact_values():
    assert _value("table3", "Convolution", "mult-adds (exact)").computed == 462_422_016
    assert _value("table3", "Depthwise", "params (exact)").computed == 266_752
    assert _value("table3", "alpha", "mult-adds (exact)").computed == 29_578_752
    assert _value("table3", "rho", "mult-adds (exact)").computed == 15_091_200
    assert not _table("table3").flagged_values


def test_tables_4_to_7_reproduce_printed_counts():
    assert paper_params(MobileNetSpec(body="standard")) == 29_281_120
    assert round(paper_params(MobileNetSpec()) / 1e6, 1) == 4.2
    for key in ("table5", "table6"):
        assert not _table(key).flagged_values, key
    # Only the truncated 290 M is flagged in Table 7; only Conv MobileNet's MACs in Table 4.
    assert [r.label for r, _ in _table("table7").flagged_values] == ["1.0 MobileNet-160"]
    assert [r.label for r, _ in _table("table4").flagged_values] == ["Conv MobileNet"]


def test_other_published_figures_flagged():
    other = _table("other")
    assert len(other.flagged_values) == 4
    keras_docs = _value("other", "Keras docs, MobileNet 1.0-128", "mult-adds (M)")
    assert keras_docs.printed == 529 and round(keras_docs.computed, 1) == 186.4


def test_tf_slim_macs_column_every_discrepancy_explained():
    """All 16 printed TF-slim mult-adds are shown; only 6 differ beyond rounding."""
    table = _table("accuracy")
    macs = [v for r in table.rows for v in r.values if v.quantity == "mult-adds (M)"]
    assert len(macs) == 16 and all(v.printed is not None for v in macs)
    flagged = {r.label: v for r, v in table.flagged_values}
    assert sorted(flagged) == ["0.25-192", "0.5-224", "0.75-128", "0.75-160", "0.75-192",
                               "0.75-224"]
    assert "typo for 30" in flagged["0.25-192"].note
    assert "149.497" in flagged["0.5-224"].note
    assert "2.6 % below" in flagged["0.75-224"].note
    for row in table.rows:
        value = next(v for v in row.values if v.quantity == "mult-adds (M)")
        if row.label not in flagged:
            assert round(value.computed) == value.printed, row.label
