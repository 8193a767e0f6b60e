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


def test_unknown_rate_is_not_taken_for_too_slow() -> None:
    """Qt's V4L2 listing often gives 0 fps (unknown): such a 640x480 mode was passed over
    for a 320x240 one known to reach 30 fps."""
    modes = [CameraMode(1280, 720, 0, "YUYV"), CameraMode(640, 480, 0, "YUYV"),
             CameraMode(320, 240, 30, "YUYV")]
    assert choose_camera_mode(modes) == 1


def test_known_video_rate_wins_over_unknown_at_the_same_size() -> None:
    modes = [CameraMode(640, 480, 0, "YUYV"), CameraMode(640, 480, 30, "Jpeg"),
             CameraMode(640, 480, 15, "NV12")]
    assert choose_camera_mode(modes) == 1
    # ... but an unknown rate still beats a known slow one.
    assert choose_camera_mode([modes[2], modes[0]]) == 1


def test_unknown_rate_is_described_as_unknown() -> None:
    assert CameraMode(640, 480, 0, "YUYV").describe() == "640x480 @ unknown fps (YUYV)"
    assert CameraMode(640, 480, -1, "YUYV").describe() == "640x480 @ unknown fps (YUYV)"
    assert CameraMode(640, 480, 0, "YUYV").fps_known is False
    modes = [CameraMode(1280, 720, 0, "YUYV"), CameraMode(640, 480, 0, "YUYV")]
    assert choose_camera_mode(modes) == 1
