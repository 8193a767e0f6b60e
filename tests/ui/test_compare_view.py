"""Compare view at small window sizes: nothing elided, tooltips, readable ratios, log scale."""

from __future__ import annotations


def test_sidebar_ratio_to_reference_is_never_a_rounded_zero(window) -> None:
    window.state.set_variant(0.1, 32)
    assert window.summary.text("vs_reference") == "0.000462x MACs"  # was "0.00x MACs"
    assert window.summary.text("vs_reference_params") == "0.0336x params"
    window.state.set_variant(4.0, 4096)
    assert window.summary.text("vs_reference") == "5,141x MACs"
    assert window.summary.text("vs_reference_params") == "12.9x params"
