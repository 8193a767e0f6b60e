"""Preprocessing identical to Keras' MobileNet pipeline: RGB -> square crop -> resize -> [-1, 1].

Steps, in this order:

1. Center crop to a square of side ``min(H, W)``: the top-left corner is
   ``((H - side) // 2, (W - side) // 2)``, so odd leftovers go to the bottom/right.
2. Resize to ``R x R`` with PIL's bilinear filter.  PIL's bilinear filter widens its support
   when shrinking (it antialiases), unlike ``tf.image.resize``'s default; this is what the
   fixtures' verification run (VERIFY_OUTPUT.txt) used, so our numbers reproduce it.
3. ``x / 127.5 - 1`` in float32, exactly ``keras.applications.mobilenet.preprocess_input``
   (mode "tf": divide, then subtract, in float32).

The input must already be RGB; BGR frames silently ruin predictions (reference.md).
"""

from __future__ import annotations

import numpy as np


def center_square_box(height: int, width: int) -> tuple[int, int, int, int]:
    """PIL box (left, top, right, bottom) of the centred square crop."""
    side = min(height, width)
    top = (height - side) // 2
    left = (width - side) // 2
    return left, top, left + side, top + side


def _check_rgb(rgb: np.ndarray) -> np.ndarray:
    if not isinstance(rgb, np.ndarray):
        raise TypeError(f"expected a numpy array, got {type(rgb).__name__}")
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an RGB image of shape (H, W, 3), got {rgb.shape}")
    if rgb.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {rgb.dtype}")
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"empty image {rgb.shape}")
    return rgb


def crop_and_resize(rgb: np.ndarray, resolution: int) -> np.ndarray:
    """uint8 (H, W, 3) -> uint8 (R, R, 3): centred square crop, PIL bilinear resize."""
    from PIL import Image

    rgb = _check_rgb(rgb)
    h, w = rgb.shape[:2]
    box = center_square_box(h, w)
    side = box[2] - box[0]
    if side == resolution:
        return np.ascontiguousarray(rgb[box[1]:box[3], box[0]:box[2]])
    # Crop with numpy first (a view, copied once by fromarray): resize(box=...) would let the
    # filter read pixels outside the square and so differ slightly from crop-then-resize.
    # uint8 (H, W, 3) is always read as mode "RGB" (no mode argument: deprecated in Pillow 11).
    img = Image.fromarray(np.ascontiguousarray(rgb[box[1]:box[3], box[0]:box[2]]))
    resized = img.resize((resolution, resolution), Image.Resampling.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


def scale_to_unit_range(pixels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """uint8 pixels -> float32 ``x / 127.5 - 1`` (Keras ``preprocess_input``, mode "tf").

    ``out`` (float32, same shape) is reused when given, so a live loop allocates nothing.
    """
    if out is None:
        out = pixels.astype(np.float32)
    else:
        np.copyto(out, pixels, casting="unsafe")
    out /= np.float32(127.5)
    out -= np.float32(1.0)
    return out


def preprocess(rgb: np.ndarray, resolution: int, out: np.ndarray | None = None) -> np.ndarray:
    """RGB uint8 (H, W, 3) -> float32 batch (1, R, R, 3) in [-1, 1], ready for an engine.

    Args:
        rgb: the frame or photo, RGB order.
        resolution: the model's input size R.
        out: optional float32 (1, R, R, 3) buffer to write into (reused between frames).
    """
    small = crop_and_resize(rgb, resolution)
    if out is not None:
        if out.shape != (1, resolution, resolution, 3) or out.dtype != np.float32:
            raise ValueError(f"out must be float32 (1, {resolution}, {resolution}, 3)")
        scale_to_unit_range(small, out[0])
        return out
    return scale_to_unit_range(small)[None, ...]

