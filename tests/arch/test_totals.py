"""Totals of the cost model against the reference numbers (Keras and the paper)."""

import math

import pytest

from explorer.arch import MobileNetSpec, block_costs, layer_rows, model_totals

TOTAL_PARAMS = {1.0: 4_253_864, 0.75: 2_601_976, 0.5: 1_342_536, 0.25: 475_544}
NO_TOP_PARAMS = {1.0: 3_228_864, 0.75: 1_832_976, 0.5: 829_536, 0.25: 218_544}
MACS_M = {  # alpha -> MACs in millions at 224/192/160/128 (reference.md)
    1.0: (568.7, 418.1, 290.7, 186.4),
    0.75: (325.4, 239.3, 166.4, 106.8),
    0.5: (149.5, 110.0, 76.5, 49.2),
    0.25: (41.0, 30.2, 21.1, 13.6),
}


@pytest.mark.parametrize("alpha", sorted(TOTAL_PARAMS))
def test_total_params_match_keras(alpha):
    for res in (224, 192, 160, 128):
        assert model_totals(MobileNetSpec(alpha, res)).params == TOTAL_PARAMS[alpha]
        no_top = MobileNetSpec(alpha, res, include_top=False)
        assert model_totals(no_top).params == NO_TOP_PARAMS[alpha]


def test_trainable_split_at_alpha_1():
    totals = model_totals(MobileNetSpec())
    assert totals.trainable_params == 4_231_976
    assert totals.non_trainable_params == 21_888


def test_exact_macs_at_224():
    assert model_totals(MobileNetSpec()).macs == 568_740_352
    assert model_totals(MobileNetSpec()).flops == 2 * 568_740_352


@pytest.mark.parametrize("alpha", sorted(MACS_M))
def test_macs_table(alpha):
    for res, expected in zip((224, 192, 160, 128), MACS_M[alpha]):
        assert round(model_totals(MobileNetSpec(alpha, res)).macs / 1e6, 1) == expected


def test_resolution_changes_macs_not_params():
    a, b = MobileNetSpec(0.6, 200), MobileNetSpec(0.6, 320)
    assert model_totals(a).params == model_totals(b).params
    assert model_totals(b).macs > 2 * model_totals(a).macs


def test_block_ratio_equals_paper_formula_everywhere():
    for spec in (MobileNetSpec(), MobileNetSpec(0.35, 96), MobileNetSpec(1.3, 257)):
        for cost in block_costs(spec):
            assert math.isclose(cost.ratio, cost.paper_ratio, rel_tol=1e-12)
            assert cost.standard_params == 9 * cost.in_channels * cost.out_channels


def test_table3_layer_from_block_costs():
    # Blocks 7..11 of 1.0-224 are exactly the paper's Table 3 layer (M=N=512, Df=14).
    cost = block_costs(MobileNetSpec())[7]
    assert cost.block == 8
    assert (cost.standard_macs, cost.standard_params) == (462_422_016, 2_359_296)
    assert (cost.separable_macs, cost.separable_params) == (52_283_392, 266_752)


def test_activation_totals():
    totals = model_totals(MobileNetSpec())
    rows = layer_rows(MobileNetSpec())
    assert totals.activations_total == sum(r.activations for r in rows)
    # Largest working set: conv_pad_2 reads 112x112x64 and writes 113x113x64.
    assert totals.activations_peak == 112 * 112 * 64 + 113 * 113 * 64
    assert totals.activation_bytes_peak == 4 * totals.activations_peak


def test_standard_and_shallow_bodies():
    conv = model_totals(MobileNetSpec(body="standard"))
    assert round(conv.macs / 1e6, 1) == 4867.3
    shallow = model_totals(MobileNetSpec(body="shallow"))
    assert round(shallow.macs / 1e6) == 307
    assert not any(r.block in {7, 8, 9, 10, 11} for r in layer_rows(MobileNetSpec(body="shallow")))


def test_block_span_names_the_blocks_present():
    from explorer.arch.blocks import block_costs, block_span

    assert block_span([c.block for c in block_costs(MobileNetSpec())]) == "1-13"
    assert block_span([c.block for c in block_costs(MobileNetSpec(body="shallow"))]) == \
        "1-6, 12-13"
    assert block_span([5]) == "5" and block_span([]) == ""
