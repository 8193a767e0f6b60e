"""Image loading: each odd file becomes RGB uint8 or raises ImageError with a clear message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer.vision.images import ImageError, load_image_rgb


def _check_rgb(arr: np.ndarray, shape: tuple[int, int]) -> None:
    assert arr.dtype == np.uint8
    assert arr.shape == (*shape, 3)
    assert arr.flags.c_contiguous


def test_rgb_jpeg_roundtrip(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 30), (200, 30, 60))
    img.save(tmp_path / "red.jpg", quality=95)
    arr = load_image_rgb(tmp_path / "red.jpg")
    _check_rgb(arr, (30, 40))
    assert abs(int(arr[15, 20, 0]) - 200) < 6 and arr[15, 20, 1] < 45


def test_grayscale_is_replicated(tmp_path: Path) -> None:
    Image.new("L", (20, 10), 77).save(tmp_path / "gray.png")
    arr = load_image_rgb(tmp_path / "gray.png")
    _check_rgb(arr, (10, 20))
    assert (arr == 77).all()


def test_cmyk_jpeg_becomes_rgb(tmp_path: Path) -> None:
    # Pure cyan in CMYK is (255, 0, 0, 0): RGB should be low red, high green and blue.
    Image.new("CMYK", (16, 16), (255, 0, 0, 0)).save(tmp_path / "cmyk.jpg", quality=95)
    with Image.open(tmp_path / "cmyk.jpg") as probe:
        assert probe.mode == "CMYK"
    arr = load_image_rgb(tmp_path / "cmyk.jpg")
    _check_rgb(arr, (16, 16))
    r, g, b = arr[8, 8].astype(int)
    assert r < 40 and g > 200 and b > 200


def test_png_alpha_composited_on_white(tmp_path: Path) -> None:
    img = Image.new("RGBA", (10, 10), (0, 0, 0, 0))  # fully transparent black
    img.putpixel((5, 5), (255, 0, 0, 255))  # one opaque red pixel
    img.putpixel((6, 5), (0, 0, 255, 128))  # half-transparent blue
    img.save(tmp_path / "alpha.png")
    arr = load_image_rgb(tmp_path / "alpha.png")
    _check_rgb(arr, (10, 10))
    assert tuple(arr[0, 0]) == (255, 255, 255)
    assert tuple(arr[5, 5]) == (255, 0, 0)
    r, g, b = arr[5, 6].astype(int)
    assert 120 < r < 135 and 120 < g < 135 and b == 255


def test_palette_with_transparency(tmp_path: Path) -> None:
    img = Image.new("P", (8, 8), 0)
    img.putpalette([0, 0, 0, 10, 200, 10] + [0] * 762)
    img.putpixel((1, 1), 1)
    img.save(tmp_path / "pal.png", transparency=0)
    arr = load_image_rgb(tmp_path / "pal.png")
    assert tuple(arr[0, 0]) == (255, 255, 255)
    assert tuple(arr[1, 1]) == (10, 200, 10)


def test_16bit_png_scaled_not_clipped(tmp_path: Path) -> None:
    data = np.array([[0, 32896, 65535]], dtype=np.uint16)  # 32896 = 128 * 257
    Image.fromarray(data).save(tmp_path / "deep.png")
    with Image.open(tmp_path / "deep.png") as probe:
        assert probe.mode.startswith("I")
    arr = load_image_rgb(tmp_path / "deep.png")
    _check_rgb(arr, (1, 3))
    assert list(arr[0, :, 0]) == [0, 128, 255]


def test_one_pixel(tmp_path: Path) -> None:
    Image.new("RGB", (1, 1), (1, 2, 3)).save(tmp_path / "dot.png")
    arr = load_image_rgb(tmp_path / "dot.png")
    _check_rgb(arr, (1, 1))
    assert tuple(arr[0, 0]) == (1, 2, 3)


def test_panorama_100_to_1(tmp_path: Path) -> None:
    Image.new("RGB", (3000, 30), (10, 20, 30)).save(tmp_path / "pano.png")
    arr = load_image_rgb(tmp_path / "pano.png")
    _check_rgb(arr, (30, 3000))
    from explorer.vision.preprocess import preprocess

    assert preprocess(arr, 64).shape == (1, 64, 64, 3)


def test_photos_up_to_8192_px_are_decoded_in_full(tmp_path: Path) -> None:
    """A 4800x3200 photo was decoded at a third of its size (short side over 2048), so its
    top-1 probability differed from Keras' by 5e-4, and --resolution 2048 saw ~1024 px."""
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)
    big = Image.fromarray(small).resize((3000, 2100))  # short side over the old 2048
    for name in ("big.jpg", "big.png"):
        big.save(tmp_path / name, compress_level=1)
        arr = load_image_rgb(tmp_path / name)
        assert arr.shape == (2100, 3000, 3), name
        np.testing.assert_array_equal(arr, load_image_rgb(tmp_path / name, max_side=None))


@pytest.mark.slow
def test_huge_jpeg_is_decoded_reduced(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    small = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    Image.fromarray(small).resize((12000, 9000)).save(tmp_path / "huge.jpg", quality=80)
    arr = load_image_rgb(tmp_path / "huge.jpg")
    assert arr.dtype == np.uint8 and arr.shape[2] == 3
    assert 4096 <= min(arr.shape[:2]) < 9000  # reduced, never below the largest model input
    assert arr.shape[1] / arr.shape[0] == pytest.approx(12000 / 9000, rel=0.01)


def test_huge_png_uses_reduce(tmp_path: Path) -> None:
    Image.new("RGB", (5000, 2500), (9, 99, 199)).save(tmp_path / "big.png")
    arr = load_image_rgb(tmp_path / "big.png", max_side=1000)
    assert arr.shape == (1250, 2500, 3)
    assert tuple(arr[0, 0]) == (9, 99, 199)


def test_non_ascii_path_with_spaces(tmp_path: Path) -> None:
    folder = tmp_path / "Fotos von Zoë" / "été 2024"
    folder.mkdir(parents=True)
    path = folder / "パンダ の 写真.jpg"
    Image.new("RGB", (12, 9), (0, 128, 0)).save(path)
    _check_rgb(load_image_rgb(path), (9, 12))
    _check_rgb(load_image_rgb(str(path)), (9, 12))


def test_exif_orientation_applied(tmp_path: Path) -> None:
    img = Image.new("RGB", (40, 20), (0, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    img.save(tmp_path / "rot.jpg", exif=exif)
    _check_rgb(load_image_rgb(tmp_path / "rot.jpg"), (40, 20))


def test_animated_gif_gives_first_frame(tmp_path: Path) -> None:
    frames = [Image.new("RGB", (6, 6), c) for c in ((250, 0, 0), (0, 0, 250))]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    arr = load_image_rgb(tmp_path / "anim.gif")
    assert arr[3, 3, 0] > 200 and arr[3, 3, 2] < 50


def test_zero_byte_file(tmp_path: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(ImageError, match=r"empty\.jpg: empty file \(0 bytes\)"):
        load_image_rgb(tmp_path / "empty.jpg")


def test_truncated_jpeg(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 256, (200, 200, 3), dtype=np.uint8)).save(
        tmp_path / "full.jpg", quality=90)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match=r"cut\.jpg: truncated or damaged"):
        load_image_rgb(tmp_path / "cut.jpg")


def test_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "notes.jpg").write_text("this is text, not a JPEG\n")
    with pytest.raises(ImageError, match=r"notes\.jpg: not an image file"):
        load_image_rgb(tmp_path / "notes.jpg")


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such file"):
        load_image_rgb(tmp_path / "nope.png")
    with pytest.raises(ImageError, match="is a folder"):
        load_image_rgb(tmp_path)


def test_image_error_is_a_value_error() -> None:
    assert issubclass(ImageError, ValueError)


def _tiff_with_broken_second_frame(path: Path) -> None:
    """Two frames; the second IFD loses its width and height tags (PIL: TypeError)."""
    import io
    import struct

    buf = io.BytesIO()
    frames = [Image.new("RGB", (8, 6), (1, 2, 3)), Image.new("RGB", (8, 6), (9, 9, 9))]
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:])
    data = bytearray(buf.getvalue())
    first = struct.unpack_from("<I", data, 4)[0]
    count = struct.unpack_from("<H", data, first)[0]
    second = struct.unpack_from("<I", data, first + 2 + 12 * count)[0]
    for i in range(struct.unpack_from("<H", data, second)[0]):
        entry = second + 2 + 12 * i
        if struct.unpack_from("<H", data, entry)[0] in (256, 257):
            struct.pack_into("<H", data, entry, 65000 + i)  # unknown tags instead
    path.write_bytes(bytes(data))


def test_damaged_tiff_is_an_image_error_not_a_crash(tmp_path: Path, recwarn) -> None:
    """Found by fuzzing: PIL raised TypeError("Missing dimensions") from n_frames."""
    path = tmp_path / "damaged.tiff"
    _tiff_with_broken_second_frame(path)
    with pytest.raises(ImageError, match="damaged.tiff: cannot decode image .*Missing"):
        load_image_rgb(path)
    assert not [w for w in recwarn if "TiffImagePlugin" in str(w.filename)]


def test_devices_and_pipes_are_refused_without_reading(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)  # opening it for reading would block forever
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ImageError, match="not a regular file"):
            load_image_rgb(path)


def test_phone_photo_over_pils_warning_limit_loads(tmp_path: Path) -> None:
    """108 M pixels (12000x9000, a phone camera's full size) is above PIL's 89 M warning:
    it loads, decoded at reduced scale."""
    Image.new("RGB", (1200, 900), (200, 30, 30)).resize((12000, 9000)).save(
        tmp_path / "phone.jpg", quality=70)
    arr = load_image_rgb(tmp_path / "phone.jpg")
    assert 4096 <= min(arr.shape[:2]) < 9000
    assert tuple(arr[arr.shape[0] // 2, arr.shape[1] // 2]) == pytest.approx((200, 30, 30),
                                                                              abs=8)


@pytest.mark.parametrize("name, header", [("weights.h5", b"\x89HDF\r\n\x1a\n" + bytes(600)),
                                          ("model.tflite", b"\x1c\x00\x00\x00TFL3" + bytes(64)),
                                          ("model.keras", b"PK\x03\x04" + bytes(64))])
def test_model_file_given_as_a_photo_says_where_it_goes(tmp_path: Path, name, header) -> None:
    """`classify weights.h5` said "cannot decode image (cannot find loader for this HDF5
    file)", PIL's words."""
    path = tmp_path / name
    path.write_bytes(header)
    with pytest.raises(ImageError, match="looks like a model file: pass weights with --weights"):
        load_image_rgb(path)


def test_natural_order_puts_the_plain_name_first(tmp_path: Path) -> None:
    """Keyed on the whole name, "photo.jpg" sorted after "photo2.jpg" and "photo10.jpg"
    ("photo.jpg" > "photo"); ``ls -v`` and file managers list it first."""
    from explorer.vision.images import list_images

    names = ["photo_1.jpg", "photo10.jpg", "photo (1).jpg", "photo.jpg", "photo2.jpg",
             "img2.png", "img2.jpg", "img10.jpg", "IMG1.jpg"]
    for name in names:
        Image.new("RGB", (2, 2)).save(tmp_path / name)
    assert [p.name for p in list_images(tmp_path)] == [
        "IMG1.jpg", "img2.jpg", "img2.png", "img10.jpg",
        "photo.jpg", "photo2.jpg", "photo10.jpg", "photo (1).jpg", "photo_1.jpg"]


def test_symlink_loop_and_broken_symlink_are_named(tmp_path: Path) -> None:
    """Both were "no such file" (Path.exists() is False for either) although ls lists them."""
    (tmp_path / "loop.jpg").symlink_to("loop.jpg")
    (tmp_path / "a.jpg").symlink_to("b.jpg")
    (tmp_path / "b.jpg").symlink_to("a.jpg")
    (tmp_path / "dead.jpg").symlink_to("gone/photo.jpg")
    for name in ("loop.jpg", "a.jpg"):
        with pytest.raises(ImageError, match=rf"{name}: symlink loop$"):
            load_image_rgb(tmp_path / name)
    with pytest.raises(ImageError, match=r"dead\.jpg: broken symlink to gone/photo\.jpg$"):
        load_image_rgb(tmp_path / "dead.jpg")
    with pytest.raises(ImageError, match=r"nope\.jpg: no such file$"):
        load_image_rgb(tmp_path / "nope.jpg")
    with pytest.raises(ImageError, match=r"photo\.jpg: symlink loop$"):  # loop on the way
        load_image_rgb(tmp_path / "loop.jpg" / "photo.jpg")
    Image.new("RGB", (4, 3), (1, 2, 3)).save(tmp_path / "real.png")
    (tmp_path / "link.png").symlink_to("real.png")  # a working link still loads
    _check_rgb(load_image_rgb(tmp_path / "link.png"), (3, 4))


def _gray_ramp() -> np.ndarray:
    return np.tile(np.arange(256, dtype=np.int64), (4, 1))  # 0..255 on each row


def test_16bit_and_32bit_gray_come_out_as_bright_as_8bit(tmp_path: Path) -> None:
    """Mode "I" is signed: a full-range 32-bit image was scaled by 2**32-1 and came out at
    half brightness.  16-bit data that PIL opens as mode "I" (16-bit PGM) stays /257."""
    ramp = _gray_ramp()
    Image.fromarray(ramp.astype(np.uint8)).save(tmp_path / "g8.png")
    Image.fromarray((ramp * 257).astype(np.uint16)).save(tmp_path / "g16.png")
    Image.fromarray((ramp * 257).astype(np.uint16)).save(tmp_path / "g16.pgm")
    full = np.rint(ramp * ((2**31 - 1) / 255)).astype(np.int32)
    Image.fromarray(full).save(tmp_path / "g32.tif")
    with Image.open(tmp_path / "g32.tif") as probe:
        assert probe.mode == "I" and np.asarray(probe).max() == 2**31 - 1
    with Image.open(tmp_path / "g16.pgm") as probe:
        assert probe.mode == "I"  # 16-bit data in PIL's 32-bit mode
    want = load_image_rgb(tmp_path / "g8.png")
    for name in ("g16.png", "g16.pgm", "g32.tif"):
        np.testing.assert_array_equal(load_image_rgb(tmp_path / name), want, err_msg=name)


@pytest.mark.parametrize("values, expected", [
    ([0, 32896, 65535], [0, 128, 255]),  # all <= 65535: 16-bit data, /257
    ([0, 65535, 65536], [0, 0, 0]),  # one value above: 32-bit, 65536 of 2**31-1 is black
    ([-5, 2**30, 2**31 - 1], [0, 128, 255]),  # signed range; negative clipped to 0
    ([-70000, 0, 300], [0, 0, 1]),  # negative only: the max (300) is 16-bit, 300/257
])
def test_mode_i_scale_edges(tmp_path: Path, values, expected) -> None:
    """The 16- or 32-bit choice for mode "I" is made on the largest value (above 65535:
    32-bit); the edges of that choice."""
    Image.fromarray(np.array([values], dtype=np.int32)).save(tmp_path / "i.tif")
    assert list(load_image_rgb(tmp_path / "i.tif")[0, :, 0]) == expected


def _big_jpeg(path: Path, size: tuple[int, int], fmt: str = "JPEG") -> None:
    img = Image.new("RGB", size, (200, 30, 30))
    if fmt == "MPO":  # a phone photo with a second, embedded image
        img.save(path, "MPO", save_all=True, append_images=[Image.new("RGB", size)])
    else:
        img.save(path, fmt, quality=70)


def test_jpeg_over_pils_pixel_limit_decodes_reduced(tmp_path: Path, monkeypatch) -> None:
    """A 200 M pixel phone photo (16320x12240) was refused as a decompression bomb, PIL's
    limit being checked on open, before draft() would decode it at 1/2 scale.  Scaled down
    here: a limit of 2 M pixels and a 3 M pixel JPEG."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)  # refused above 2 M pixels
    _big_jpeg(tmp_path / "phone.jpg", (2000, 1500))
    arr = load_image_rgb(tmp_path / "phone.jpg", max_side=256)
    assert arr.shape == (375, 500, 3)  # draft at 1/4: 0.19 M pixels decoded
    assert arr[100, 100].tolist() == pytest.approx([200, 30, 30], abs=8)
    # At full size (no draft) the limit holds: 3 M pixels would be decoded.
    with pytest.raises(ImageError, match=r"phone\.jpg: image too large to decode safely "
                                         r"\(2000x1500 = 3000000 pixels to decode"):
        load_image_rgb(tmp_path / "phone.jpg", max_side=None)
    # Other formats keep PIL's limit on the full size.
    Image.new("RGB", (2000, 1500)).save(tmp_path / "big.png")
    with pytest.raises(ImageError, match=r"big\.png: image too large to decode safely"):
        load_image_rgb(tmp_path / "big.png", max_side=256)


def test_jpeg_full_size_cap_edges(tmp_path: Path, monkeypatch) -> None:
    """JPEGs open up to JPEG_FULL_SIZE_FACTOR x PIL's limit (progressive ones buffer every
    coefficient at full size whatever draft() asks), not one pixel more."""
    from explorer.vision.images import JPEG_FULL_SIZE_FACTOR

    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)
    cap = JPEG_FULL_SIZE_FACTOR * 2_000_000
    _big_jpeg(tmp_path / "at.jpg", (cap // 2000, 2000))
    assert cap == 4_000_000  # 2000x2000 is at the cap: opened, decoded at 1/4
    assert load_image_rgb(tmp_path / "at.jpg", max_side=256).shape == (500, 500, 3)
    _big_jpeg(tmp_path / "over.jpg", (cap // 2000 + 1, 2000))
    with pytest.raises(ImageError, match=rf"over\.jpg: image too large to decode safely "
                                         rf"\({cap // 2000 + 1}x2000 = {cap + 2000} pixels"):
        load_image_rgb(tmp_path / "over.jpg", max_side=256)


def test_jpeg_header_claiming_65535_squared_is_refused(tmp_path: Path) -> None:
    """The largest size a JPEG header can claim (4.3 G pixels; draft() could reduce it to
    8192x8192 at most) on a tiny file: still refused on open, before anything is decoded."""
    import struct

    Image.new("RGB", (16, 16), (9, 9, 9)).save(tmp_path / "bomb.jpg")
    data = bytearray((tmp_path / "bomb.jpg").read_bytes())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 65535, 65535)  # height, width
    (tmp_path / "bomb.jpg").write_bytes(bytes(data))
    with pytest.raises(ImageError, match=r"bomb\.jpg: image too large to decode safely "
                                         r"\(.*4294836225 pixels"):
        load_image_rgb(tmp_path / "bomb.jpg")


def test_mpo_jpeg_is_decoded_reduced_like_jpeg(tmp_path: Path) -> None:
    """PIL calls a phone JPEG with an embedded second image "MPO"; it skipped the draft()
    decode (0.59 s and 804 MB against 0.29 s and 391 MB for the same 108 M pixel JPEG)."""
    _big_jpeg(tmp_path / "two.jpg", (2000, 1500), "MPO")
    with Image.open(tmp_path / "two.jpg") as probe:
        assert probe.format == "MPO"
    arr = load_image_rgb(tmp_path / "two.jpg", max_side=256)
    assert arr.shape == (375, 500, 3)  # draft at 1/4 (reduce(5) gave 300x400)
    assert arr[100, 100].tolist() == pytest.approx([200, 30, 30], abs=8)


@pytest.mark.slow
def test_200_megapixel_phone_photo_loads(tmp_path: Path) -> None:
    """16320x12240, the size of the 200 M pixel phone cameras, at PIL's real limit."""
    Image.new("RGB", (1632, 1224), (30, 90, 200)).resize((16320, 12240)).save(
        tmp_path / "hp3.jpg", quality=60)
    arr = load_image_rgb(tmp_path / "hp3.jpg")
    assert arr.shape == (6120, 8160, 3)  # draft at 1/2
    assert arr[3000, 4000].tolist() == pytest.approx([30, 90, 200], abs=8)


def test_a_gif_cut_short_is_called_truncated(tmp_path) -> None:
    """PIL raises IndexError or struct.error for it: "cannot decode image (IndexError: index
    out of range)" told the user nothing."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    frames = [Image.new("RGB", (8, 8), (v, v, v)) for v in (0, 120, 240)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100)
    for cut in (84, 90):
        path = tmp_path / f"cut{cut}.gif"
        path.write_bytes(buffer.getvalue()[:cut])
        with pytest.raises(ImageError, match="truncated or damaged image data"):
            load_image_rgb(path)


def test_natural_order_survives_digits_int_refuses(tmp_path) -> None:
    """"x10².png": "²" is a digit to str.isdigit but not to int(), and the sort crashed."""
    from explorer.vision.images import list_images

    for name in ("x10².png", "x2.png", "x10.png"):
        (tmp_path / name).write_bytes(b"")
    assert [p.name for p in list_images(tmp_path)] == ["x2.png", "x10.png", "x10².png"]
