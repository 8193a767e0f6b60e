"""Camera format choice: smallest video-rate mode with a short side >= 480, uncompressed first."""

from __future__ import annotations

from explorer.vision.camera_format import CameraMode, choose_camera_mode

WEBCAM = [
    CameraMode(1920, 1080, 30, "Jpeg"),
    CameraMode(1920, 1080, 5, "YUYV"),
    CameraMode(1280, 720, 30, "Jpeg"),
    CameraMode(1280, 720, 10, "YUYV"),
    CameraMode(640, 480, 30, "Jpeg"),
    CameraMode(640, 480, 30, "YUYV"),
    CameraMode(320, 240, 30, "YUYV"),
]


def test_typical_webcam_gets_vga_uncompressed() -> None:
    chosen = WEBCAM[choose_camera_mode(WEBCAM)]
    assert chosen == CameraMode(640, 480, 30, "YUYV")
    assert chosen.describe() == "640x480 @ 30 fps (YUYV)"


def test_slow_modes_are_avoided_when_fast_ones_exist() -> None:
    modes = [CameraMode(800, 600, 10, "YUYV"), CameraMode(1280, 720, 30, "Jpeg")]
    assert choose_camera_mode(modes) == 1


def test_only_small_modes_take_the_largest() -> None:
    modes = [CameraMode(160, 120, 30, "YUYV"), CameraMode(352, 288, 30, "NV12")]
    assert choose_camera_mode(modes) == 1


def test_only_slow_modes_are_still_used() -> None:
    modes = [CameraMode(1280, 720, 15, "NV12"), CameraMode(640, 480, 15, "NV12")]
    assert choose_camera_mode(modes) == 1


def test_higher_rate_wins_a_tie_and_a_larger_minimum_is_honoured() -> None:
    modes = [CameraMode(640, 480, 25, "NV12"), CameraMode(640, 480, 60, "NV12"),
             CameraMode(1280, 720, 30, "NV12")]
    assert choose_camera_mode(modes) == 1
    assert choose_camera_mode(modes, min_short_side=512) == 2


def test_no_modes_keep_the_default() -> None:
    assert choose_camera_mode([]) is None
