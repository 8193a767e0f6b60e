"""Load any still image file as RGB uint8 (H, W, 3), or fail with one clear ImageError.

Conversions, chosen so that odd files classify sensibly rather than crash:

- EXIF orientation is applied (phone photos are stored rotated; the user expects what a
  viewer shows).  Keras' ``load_img`` does not do this; none of the fixture photos carries a
  rotation, so the comparison with Keras is unaffected.
- Grayscale (L, 1-bit) is replicated to three channels; CMYK and YCbCr go through PIL's RGB
  conversion (PIL undoes Adobe's inverted CMYK JPEGs).
- Transparency (RGBA, LA, palette with a transparent colour) is composited on **white**:
  transparent logos and cut-outs are drawn on white backgrounds nearly everywhere, and black
  would turn a dark object's outline into a silhouette.
- 16-bit and 32-bit integer images (e.g. 16-bit PNG, mode ``I;16``/``I``) are scaled to
  8 bits by their nominal range (/257 for 16-bit, 2**31-1 for signed 32-bit), not clipped at
  255 (PIL's own conversion clips, which turns most 16-bit photos white).  Float images are
  scaled from [0, 1] when they fit in it, else clipped to [0, 255].
- Images are decoded at full size, as Keras' ``load_img`` does, up to a short side of
  ``2 * max_side`` (8192 px by default, so a 48 M pixel 8000x6000 phone photo is exact).
  Only beyond that (108 M pixel photos are real) they are decoded at a reduced size (JPEG DCT
  scaling through ``draft``, else ``Image.reduce``) that keeps at least ``max_side`` = 4096
  pixels, the largest model input, on the short side.  Reducing is not free of error: the
  reduced decode and the final resize round differently from one resize of the full image
  (top-1 probabilities moved by ~5e-4 when 3200 px photos were still reduced to ~1024 px).
- PIL's decompression-bomb limit (~179 M pixels) applies to the pixels actually decoded.  A
  JPEG (or MPO) above it, such as a 200 M pixel 16320x12240 phone photo, is opened anyway
  when ``draft`` brings it under the limit; its full size may be at most
  ``JPEG_FULL_SIZE_FACTOR`` times the limit (see there).  Other formats keep PIL's limit.
- Animated files give their first frame.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import struct
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image as PILImage

#: Big images keep at least this short side when decoded reduced, which happens only above
#: twice it: the largest input resolution, so every model sees at least its own size.
DEFAULT_MAX_SIDE = 4096
#: Files a folder source (window) or ``classify FOLDER`` (command line) treats as images.
IMAGE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm", ".pgm",
    ".pbm", ".jfif", ".avif",
})


#: A JPEG's full size may exceed PIL's pixel limit by this factor when ``draft`` decodes it
#: smaller (16320x12240, the 200 M pixel phone photos, is 1.1 times the limit).  Not more:
#: a progressive or multi-scan JPEG keeps every DCT coefficient of the full size in memory
#: (2 bytes a sample) whatever ``draft`` asks for, so a header claiming 65535x65535 (4.3 G
#: pixels, tens of GB) is still refused before any decoding.  At twice the limit that buffer
#: stays within ~1-3 GB (4:2:0 colour to CMYK), the order of what a PNG at PIL's own limit
#: costs here once decoded and converted.
JPEG_FULL_SIZE_FACTOR = 2


def _natural(text: str) -> list[object]:
    # isdecimal, not isdigit: "²" is a digit that int() refuses ("x10².png" crashed the sort).
    return [int(t) if t.isdecimal() else t.lower() for t in re.split(r"(\d+)", text)]


def _natural_key(path: Path) -> tuple[object, ...]:
    # The stem, then the suffix: keyed on the whole name, "photo.jpg" came after "photo2.jpg"
    # ("photo.jpg" > "photo").  The name last, so names differing only in case keep one order.
    return _natural(path.stem), path.suffix.lower(), path.name


def list_images(folder: str | Path) -> list[Path]:
    """Image files directly inside ``folder`` in natural order (img2 before img10, photo
    before photo2, as ``ls -v`` and file managers list them)."""
    entries = [p for p in Path(folder).iterdir()
               if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()]
    return sorted(entries, key=_natural_key)


class ImageError(ValueError):
    """An image file that cannot be used; the message names the file and the problem."""


def missing_reason(path: str | os.PathLike[str]) -> str | None:
    """Why nothing can be opened at ``path``: "no such file", "symlink loop" or "broken
    symlink to TARGET"; None when something is there (or it cannot be told: a folder on the
    way that may not be searched, which opening the file reports).

    ``Path.exists()`` is False for a symlink loop and a dangling symlink alike, and both
    were reported as "no such file" although ``ls`` lists the name."""
    try:
        os.stat(path)
    except ValueError:  # an embedded NUL: no file can have that name
        return "no such file"
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):
            return None
        try:
            return f"broken symlink to {os.readlink(path)}"
        except OSError:  # not a symlink itself (or a folder on the way is missing)
            return "no such file"
    return None


def _open_checked(path: Path) -> PILImage.Image:
    from PIL import Image, UnidentifiedImageError

    reason = missing_reason(path)
    if reason is not None:
        raise ImageError(f"{path}: {reason}")
    try:
        info = path.stat()
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise ImageError(f"{path}: is a folder, not an image file")
    if not stat.S_ISREG(info.st_mode):
        # /dev/zero, a named pipe, a socket: reading one could block or never end.
        raise ImageError(f"{path}: not a regular file (a device, pipe or socket)")
    if info.st_size == 0:
        raise ImageError(f"{path}: empty file (0 bytes), not an image")
    try:
        with warnings.catch_warnings():
            # PIL warns above ~89 M pixels and refuses above twice that.  Phone photos of
            # 108 M pixels are real; JPEGs decode at reduced scale below, so only the hard
            # limit stays.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not an image file PIL can read{_model_file_hint(path)}"
                         ) from None
    except Image.DecompressionBombError as exc:
        return _open_big_jpeg(path, exc)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except Exception as exc:  # noqa: BLE001 - damaged headers raise anything (KeyError...)
        raise ImageError(f"{path}: not an image file PIL can read ("
                         f"{type(exc).__name__}: {exc})") from None


def _open_big_jpeg(path: Path, refusal: Exception) -> PILImage.Image:
    """``path``, which PIL refused as over its pixel limit, opened anyway if it is a JPEG
    (or MPO) within ``JPEG_FULL_SIZE_FACTOR`` times the limit: ``load_image_rgb`` decodes it
    through ``draft`` and checks the limit on the reduced size.  Else the refusal, as an
    ImageError."""
    from PIL import Image, JpegImagePlugin

    too_large = ImageError(f"{path}: image too large to decode safely ({refusal})")
    try:
        with open(path, "rb") as f:
            if f.read(3) != b"\xff\xd8\xff":  # a JPEG's start, MPO included
                raise too_large
        # PIL checks the limit in Image.open, after the plugin: the plugin's factory alone
        # opens the file unchecked (and still tells an MPO from a plain JPEG).
        img = JpegImagePlugin.jpeg_factory(os.fspath(path))
    except ImageError:
        raise
    except Exception as exc:  # noqa: BLE001 - the same file opened a moment ago
        raise ImageError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from None
    limit = JPEG_FULL_SIZE_FACTOR * 2 * (Image.MAX_IMAGE_PIXELS or 0)
    width, height = img.size
    if width * height > limit:
        img.close()
        raise ImageError(f"{path}: image too large to decode safely ({width}x{height} ="
                         f" {width * height} pixels; JPEGs are decoded reduced up to"
                         f" {limit} pixels)")
    return img


def _check_decoded_size(path: Path, img: PILImage.Image) -> None:
    """PIL's pixel limit on the size about to be decoded (after ``draft`` for a big JPEG)."""
    from PIL import Image

    if Image.MAX_IMAGE_PIXELS is None:  # the user lifted the limit
        return
    width, height = img.size
    if width * height > 2 * Image.MAX_IMAGE_PIXELS:
        raise ImageError(f"{path}: image too large to decode safely ({width}x{height} ="
                         f" {width * height} pixels to decode, over PIL's limit of"
                         f" {2 * Image.MAX_IMAGE_PIXELS} pixels)")


#: Endings of the model files users pass where a photo belongs (`classify weights.h5`).
MODEL_SUFFIXES = (".h5", ".hdf5", ".keras", ".tflite")


def _model_file_hint(path: Path) -> str:
    """"; a model file: ..." for a weights or model file given as an image, else ""."""
    if path.suffix.lower() not in MODEL_SUFFIXES:
        return ""
    return "; it looks like a model file: pass weights with --weights (or File > Load weights)"


def _to_uint8_rgb(img: PILImage.Image) -> np.ndarray:
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(img)
        # Mode "I" is signed 32-bit, but PIL also uses it for 16-bit data: 16-bit PGM/PPM
        # (Pillow 13), 16-bit PNG (older Pillow) and convert("I").  The image does not say
        # which, so the values decide: above 65535 they cannot be 16-bit and are scaled by
        # the signed 32-bit range (2**31-1 -> 255; 2**32-1 made a full-range image half as
        # bright); up to 65535 they are taken as 16-bit.  At the edge a 32-bit image whose
        # brightest pixel is 65535, or 65536, is near black either way (3e-5 of its range).
        if mode == "I" and arr.max(initial=0) > 65535:
            arr = np.clip(arr.astype(np.float64) * (255.0 / (2**31 - 1)), 0, 255)
        else:
            # 16-bit data: 65535 -> 255.
            arr = np.clip(arr.astype(np.float64) / 257.0, 0, 255)
        gray = np.rint(arr).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        finite = arr[np.isfinite(arr)]
        if finite.size and finite.min() >= 0 and finite.max() <= 1:
            arr = arr * 255.0
        gray = np.rint(np.clip(np.nan_to_num(arr), 0, 255)).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    has_alpha = mode in ("RGBA", "LA", "La", "RGBa", "PA") or (
        mode == "P" and "transparency" in img.info
    ) or (mode in ("L", "RGB") and "transparency" in img.info)
    if has_alpha:
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba).convert("RGB")
    elif mode != "RGB":
        img = img.convert("RGB")
    arr = np.asarray(img, dtype=np.uint8)
    return np.ascontiguousarray(arr)


def load_image_rgb(path: str | os.PathLike[str], max_side: int | None = DEFAULT_MAX_SIDE,
                   ) -> np.ndarray:
    """Read an image file as a C-contiguous uint8 array (H, W, 3) in RGB order.

    Args:
        path: file path (any characters; opened by Python, not by a C library's fopen).
        max_side: decode images whose short side exceeds twice this at a reduced scale
            (never below ``max_side``); None decodes at full size.

    Raises:
        ImageError: missing, empty, truncated, not an image, or undecodable.
    """
    from PIL import Image, ImageOps

    p = Path(path)
    img = _open_checked(p)
    try:
        with img, warnings.catch_warnings():
            # Damaged files make PIL's plugins warn ("Tag data larger than file"): the
            # ImageError below is the one message the user gets.
            warnings.simplefilter("ignore")
            if getattr(img, "n_frames", 1) > 1:
                img.seek(0)
            reduce_by = 1
            if max_side is not None and min(img.size) > 2 * max_side:
                factor = min(img.size) // max_side
                # MPO (a phone photo carrying a second image) is a JPEG to PIL: same decoder.
                if img.format in ("JPEG", "MPO"):
                    # DCT scaling: decodes 1/2, 1/4 or 1/8 of the pixels, the big speed-up.
                    want = (max(1, img.size[0] // factor), max(1, img.size[1] // factor))
                    img.draft(img.mode if img.mode in ("RGB", "L") else None, want)
                else:
                    reduce_by = factor
            _check_decoded_size(p, img)  # after draft(): the size about to be decoded
            img.load()
            if reduce_by > 1:
                try:
                    img = img.reduce(reduce_by)
                except (ValueError, NotImplementedError):
                    pass  # a mode reduce() does not support: keep the full size
            img = ImageOps.exif_transpose(img) or img
            arr = _to_uint8_rgb(img)
    except ImageError:
        raise
    except OSError as exc:
        text = str(exc)
        if "truncated" in text or "broken data stream" in text or "premature end" in text:
            raise ImageError(f"{p}: truncated or damaged image data ({text})") from None
        if _model_file_hint(p):  # PIL knows HDF5 by its header but cannot decode it
            raise ImageError(f"{p}: not an image{_model_file_hint(p)}") from None
        raise ImageError(f"{p}: cannot decode image ({text})") from None
    except (IndexError, struct.error, EOFError) as exc:
        # What PIL's GIF and TIFF readers raise on a file cut short (a GIF truncated after
        # its first frame said "cannot decode image (IndexError: index out of range)").
        raise ImageError(f"{p}: truncated or damaged image data ({type(exc).__name__}:"
                         f" {exc})") from None
    except (ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(f"{p}: cannot decode image ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - a damaged file can fail in any plugin code
        # (a TIFF without dimensions raises TypeError): one bad file, one clear line.
        raise ImageError(f"{p}: cannot decode image ({type(exc).__name__}: {exc})") from None
    if arr.ndim != 3 or arr.shape[2] != 3 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ImageError(f"{p}: unexpected image shape {arr.shape}")
    return arr
