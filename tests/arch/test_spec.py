"""MobileNetSpec validation and helpers."""

import math

import pytest

from explorer.arch import MobileNetSpec, pretrained_specs
from explorer.arch.spec import CLASSES_MAX, format_alpha


@pytest.mark.parametrize("alpha", [0, -0.5, 4.01, math.nan, math.inf, "abc", None, True, 0.01])
def test_bad_alpha_rejected_with_message(alpha):
    with pytest.raises(ValueError, match="alpha"):
        MobileNetSpec(alpha=alpha)


@pytest.mark.parametrize("res", [31, 0, -224, 32.5, "224", None, 5000])
def test_bad_resolution_rejected_with_message(res):
    with pytest.raises(ValueError, match="resolution") as info:
        MobileNetSpec(resolution=res)
    assert repr(res) in str(info.value)


def test_bad_classes_and_body():
    with pytest.raises(ValueError, match="classes"):
        MobileNetSpec(classes=0)
    with pytest.raises(ValueError, match="1,000,000"):
        MobileNetSpec(classes=CLASSES_MAX + 1)
    assert MobileNetSpec(4.0, 4096, classes=CLASSES_MAX).classes == CLASSES_MAX
    with pytest.raises(ValueError, match="body"):
        MobileNetSpec(body="wide")


def test_spec_equality_and_labels():
    assert MobileNetSpec(1, 224) == MobileNetSpec(1.0, 224)
    assert hash(MobileNetSpec(1, 224)) == hash(MobileNetSpec(1.0, 224))
    assert MobileNetSpec(0.75, 192).label == "0.75-192"
    assert MobileNetSpec(0.5, 160).keras_name == "mobilenet_0.50_160"
    assert format_alpha(1.0) == "1.0" and format_alpha(0.25) == "0.25"


def test_pretrained_flags():
    specs = pretrained_specs()
    assert len(specs) == 16 and all(s.is_pretrained for s in specs)
    odd = MobileNetSpec(0.6, 224)
    assert not odd.is_pretrained and not odd.has_pretrained_alpha
    assert odd.nearest_pretrained_alpha() == 0.5
    assert MobileNetSpec(0.75, 200).has_pretrained_alpha
    assert MobileNetSpec(0.875).nearest_pretrained_alpha() == 1.0  # tie goes to the larger


def test_min_alpha_message_suggests_a_valid_alpha():
    with pytest.raises(ValueError, match="no channels") as info:
        MobileNetSpec(alpha=0.0312)
    suggested = str(info.value).rsplit(">= ", 1)[1]
    assert suggested == "0.03125"
    assert MobileNetSpec(alpha=float(suggested)).alpha == 0.03125


def _channels(alpha: float) -> list[int]:
    from explorer.arch.spec import BLOCK_CONFIG, STEM_FILTERS, scaled_channels

    return [scaled_channels(f, alpha) for f in (STEM_FILTERS, *(f for f, _ in BLOCK_CONFIG))]


@pytest.mark.parametrize("alpha, text", [
    (1.0, "1.0"), (0.75, "0.75"), (0.5, "0.5"), (0.25, "0.25"), (0.35, "0.35"), (1.3, "1.3"),
    (4.0, "4.0"), (0.1, "0.1"), (1.5, "1.5"), (0.03125, "0.03125"), (3.99999999, "3.99999999"),
])
def test_format_alpha_common_values_and_exact_when_needed(alpha, text):
    assert format_alpha(alpha) == text


@pytest.mark.parametrize("alpha", [3.99999999, 0.03125, 1 / 3, 0.99999, 2.0000001, 0.0625 - 1e-12,
                                   1.9999999999999, 0.12345678901234])
def test_format_alpha_parses_back_to_the_same_channels(alpha):
    assert _channels(float(format_alpha(alpha))) == _channels(alpha)
