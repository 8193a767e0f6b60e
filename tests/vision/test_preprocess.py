"""Preprocessing: crop geometry, scaling, buffer reuse, equality with Keras' preprocess_input."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.vision.preprocess import (
    center_square_box,
    crop_and_resize,
    preprocess,
    scale_to_unit_range,
)

PHOTOS = ("panda.jpg", "cat_720p.jpg", "grace_hopper.jpg", "soccer_ball.jpg", "koala.jpg")


def test_center_square_box_landscape_portrait_square() -> None:
    assert center_square_box(100, 300) == (100, 0, 200, 100)
    assert center_square_box(301, 100) == (0, 100, 100, 200)
    assert center_square_box(7, 7) == (0, 0, 7, 7)
    # odd leftovers go right/bottom
    assert center_square_box(10, 13) == (1, 0, 11, 10)


def test_crop_keeps_the_centre() -> None:
    # A wide image whose left and right thirds are red and the middle green: the crop is green.
    img = np.zeros((30, 90, 3), np.uint8)
    img[:, :30, 0] = 255
    img[:, 60:, 0] = 255
    img[:, 30:60, 1] = 255
    small = crop_and_resize(img, 16)
    assert small.shape == (16, 16, 3) and small.dtype == np.uint8
    assert (small[:, :, 1] == 255).all() and (small[:, :, 0] == 0).all()


def test_scale_maps_0_and_255_to_minus_one_and_one() -> None:
    x = scale_to_unit_range(np.array([0, 127, 255], np.uint8))
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, [-1.0, 127 / 127.5 - 1, 1.0], rtol=0, atol=1e-7)


def test_preprocess_shape_dtype_and_buffer_reuse() -> None:
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    x = preprocess(img, 32)
    assert x.shape == (1, 32, 32, 3) and x.dtype == np.float32
    assert x.min() >= -1.0 and x.max() <= 1.0
    buf = np.full((1, 32, 32, 3), 9.0, np.float32)
    y = preprocess(img, 32, out=buf)
    assert y is buf
    np.testing.assert_array_equal(y, x)


def test_preprocess_upscales_a_single_pixel() -> None:
    x = preprocess(np.array([[[255, 0, 127]]], np.uint8), 40)
    assert x.shape == (1, 40, 40, 3)
    np.testing.assert_allclose(x[0, 17, 23], [1.0, -1.0, 127 / 127.5 - 1], atol=1e-6)


@pytest.mark.parametrize("bad", [
    np.zeros((10, 10), np.uint8),
    np.zeros((10, 10, 4), np.uint8),
    np.zeros((10, 10, 3), np.float32),
    np.zeros((0, 10, 3), np.uint8),
])
def test_preprocess_rejects_non_rgb_uint8(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        preprocess(bad, 32)


def test_preprocess_rejects_wrong_out_buffer() -> None:
    with pytest.raises(ValueError):
        preprocess(np.zeros((8, 8, 3), np.uint8), 32, out=np.zeros((1, 16, 16, 3), np.float32))


@pytest.mark.tf
@pytest.mark.fixtures
@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("resolution", [128, 224])
def test_matches_keras_preprocess_input(fixtures_dir, name: str, resolution: int) -> None:
    """Reference written independently: PIL crop then bilinear resize, then Keras' function."""
    from keras.applications.mobilenet import preprocess_input
    from PIL import Image

    from explorer.vision.images import load_image_rgb

    path = fixtures_dir / "images" / name
    img = Image.open(path).convert("RGB")
    w, h = img.size
    side = min(w, h)
    left, top = (w - side) // 2, (h - side) // 2
    ref_pixels = img.crop((left, top, left + side, top + side)).resize(
        (resolution, resolution), Image.BILINEAR)
    expected = preprocess_input(np.asarray(ref_pixels, np.float32)[None].copy())
    ours = preprocess(load_image_rgb(path), resolution)
    assert ours.dtype == np.float32
    np.testing.assert_array_equal(ours, np.asarray(expected, np.float32))
