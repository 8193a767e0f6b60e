"""``python main.py classify IMAGE ... --alpha A --resolution R``: top-k ImageNet labels per file.

Contract (issue 4/6):

- IMAGE is a file or a folder; a folder stands for the image files directly in it, picked and
  ordered as the window's folder source does (``explorer.vision.images.list_images``).  A
  folder without images or that cannot be read (a folder named ``x.jpg`` too) is reported
  like an unreadable image, in its place.  When no argument leaves a file to try (only
  missing files, empty or unreadable folders) it is a usage error (exit 2, no model built).

- stdout: text (a block per image) or JSON exactly
  ``[{"image": path, "predictions": [{"label", "class_index", "probability"}, ...]}, ...]``;
  an image that could not be read gets ``"predictions": []`` and an ``"error"`` key.
- stderr: one line per unreadable image (unless stdout and stderr are the same terminal or
  file: the image's text block or JSON entry already shows it, and with ``--format json >
  out.json 2>&1`` lines ahead of the JSON made the file unparseable); the other images are
  still classified; exit 1 when any image failed, 0 otherwise.
- Bad weights, no pretrained weights for the alpha, or an unavailable device: one line,
  exit 2, nothing on stdout.  The command never prints ImageNet labels from random weights.
- TensorFlow's and LiteRT's native start-up chatter on stderr is held back while the engine
  is built and shown only if the build fails, so stderr carries only our own lines.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from explorer.arch.spec import MobileNetSpec, format_alpha
from explorer.native_output import captured_native_stderr
from explorer.vision.images import IMAGE_SUFFIXES, MODEL_SUFFIXES, list_images, missing_reason
from explorer.vision.labels import ZERO_CLASSES_NOTE

PROG = "mobilenet-explorer classify"


class _Fail(Exception):
    """One-line error for exit status 2."""


def _native_problems(text: str) -> str:
    """The lines of captured native stderr worth showing beside an error: LiteRT's
    "INFO: Created TensorFlow Lite XNNPACK delegate" and absl's INFO lines ("I0000 ...") are
    left out, so a failed build still reads as one line."""
    keep = [line for line in text.splitlines(keepends=True)
            if line.strip() and not line.startswith("INFO: ")
            and not re.match(r"I\d{4} ", line)]
    return "".join(keep)


def printable(text: str) -> str:
    """``text`` as one line of valid UTF-8: bytes of a file name that are not UTF-8 (Python
    keeps them as lone surrogates, which a strict encoder refuses and a lenient one writes
    raw, breaking JSON) become ``\\xff``; control characters (a newline in a file name)
    become escapes such as ``\\n``."""
    try:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is not an escaped byte
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _error_line(stream: TextIO, message: str) -> None:
    text = " ".join(printable(str(message)).split())  # exactly one line
    stream.write(f"{PROG}: error: {text}\n")


def _check_request(args: argparse.Namespace, spec: MobileNetSpec) -> None:
    """Validate weights and device before anything heavy runs."""
    from explorer.keras_builder.weights import WeightsError, find_weights
    from explorer.vision.devices import DeviceError, select_device

    weights = getattr(args, "weights", None)
    weights_dir = getattr(args, "weights_dir", None)
    try:
        choice = find_weights(spec, weights, weights_dir)
    except WeightsError as exc:
        raise _Fail(str(exc)) from None
    device = getattr(args, "device", "auto")
    engine = getattr(args, "engine", "auto")
    # int8 runs Google's quantized file, which carries its own weights: no .h5 needed (the
    # engine says where to put the .tflite when there is none).
    if not choice.found and engine != "int8":
        model_files = [p for p in getattr(args, "images", ())
                       if Path(p).suffix.lower() in MODEL_SUFFIXES and os.path.isfile(p)]
        if model_files and weights is None:
            # `classify weights.h5 --alpha 0.5`: the missing --weights is the slip to name.
            raise _Fail(f"{model_files[0]} is a model file, not an image, and no weights were"
                        f" given: pass it with --weights {model_files[0]}")
        raise _Fail(
            f"{choice.message}. Without pretrained weights the labels would be meaningless,"
            " so nothing was classified"
        )
    if device == "gpu":
        if engine in ("litert", "int8"):
            raise _Fail(f"--engine {engine} runs on the CPU; use --engine tf (or auto) with"
                        " --device gpu")
        try:
            with captured_native_stderr():  # TensorFlow's import chatter
                select_device("gpu", strict=True)
        except DeviceError as exc:
            raise _Fail(str(exc)) from None
        except ImportError as exc:
            from explorer.vision.engines import runtime_import_error

            raise _Fail(str(runtime_import_error(exc))) from None


def _expand_folders(paths: list[Path]) -> list[tuple[Path, str | None]]:
    """Each folder in ``paths`` replaced by its image files (the window's rules and order),
    as (path, None); a folder that gives none stays, with the reason: (folder, message).

    An empty or unreadable folder next to good images is one bad argument, reported in its
    place like an unreadable image; it used to stop the whole run (exit 2)."""
    files: list[tuple[Path, str | None]] = []
    for path in paths:
        if not os.path.isdir(path):  # False, not an exception, in a folder we may not search
            files.append((path, None))
            continue
        try:
            found = list_images(path)
        except OSError as exc:
            files.append((path, f"cannot read folder {path}: {exc.strerror or exc}"))
            continue
        if not found:
            files.append((path, f"folder {path} holds no image files"
                                f" ({', '.join(sorted(IMAGE_SUFFIXES))})"))
            continue
        files += [(p, None) for p in found]
    return files


def _nothing_to_classify(images: list[tuple[Path, str | None]]) -> str | None:
    """The usage error when no argument leaves a file to try, else None.  With one file to
    try, the others are reported per image (exit 1)."""
    problems = [problem for _, problem in images if problem is not None]
    missing = []
    for path, problem in images:
        if problem is not None:
            continue
        reason = missing_reason(path)
        if reason is None:
            return None
        missing.append(str(path) if reason == "no such file" else f"{path} ({reason})")
    if missing:
        problems.append(f"no such image: {', '.join(missing)}")
    return "; ".join(problems) or "no image given"


def same_destination(out: TextIO, err: TextIO) -> bool:
    """Whether stdout and stderr end up in the same place (one terminal, or ``2>&1``): then
    the error line in the image's text block is enough, and a second copy on stderr only
    doubles it (and may land before the block's heading)."""
    try:
        a, b = os.fstat(out.fileno()), os.fstat(err.fileno())
    except (AttributeError, OSError, ValueError):  # StringIO in tests, closed streams
        return False
    return (a.st_dev, a.st_ino, a.st_rdev) == (b.st_dev, b.st_ino, b.st_rdev)


def _text_block(image: str, predictions: list[dict[str, Any]], error: str | None,
                top: int = 0) -> str:
    lines = [image]
    if error is not None:
        lines.append(f"  error: {error}")
    for rank, p in enumerate(predictions, 1):
        lines.append(f"  {rank}. {p['label']:<28} {100 * p['probability']:6.2f} %"
                     f"  (class {p['class_index']})")
    if error is None and len(predictions) < top:
        # decode_top_k leaves out classes at exactly 0 (int8 output): say so, or a shorter
        # list than --top asked for looks like a bug.
        lines.append(f"  ({ZERO_CLASSES_NOTE})")
    return "\n".join(lines) + "\n"


def run_classify(args: argparse.Namespace, stdout: TextIO | None = None,
                 stderr: TextIO | None = None) -> int:
    """Classify ``args.images``; returns the exit status (0 ok, 1 some image failed, 2 error).

    ``args`` fields: images (list[Path], files or folders), alpha, resolution, weights,
    weights_dir, top, device, engine, format.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    from explorer.keras_builder.weights import WeightsError
    from explorer.vision.engines import EngineError, create_engine
    from explorer.vision.images import ImageError, load_image_rgb
    from explorer.vision.labels import decode_top_k
    from explorer.vision.preprocess import preprocess
    from explorer.vision.types import EngineRequest

    try:
        spec = MobileNetSpec(float(args.alpha), int(args.resolution))
        # The images first: a mistyped path is the likelier slip, and telling someone with
        # no weights file about weights when they also named no existing image hides it.
        images = _expand_folders(list(args.images))
        nothing = _nothing_to_classify(images)
        if nothing is not None:
            # Nothing could be classified: a usage error (exit 2), before any model is built.
            # With some images present, missing ones are reported per image (exit 1).
            raise _Fail(nothing)
        _check_request(args, spec)
    except (_Fail, ValueError) as exc:
        _error_line(err, str(exc))
        return 2

    # The user's own --weights / --weights-dir (not the file found above): the engine looks
    # the file up again and names where it came from ("from --weights-dir", "Keras cache").
    request = EngineRequest(spec=spec, weights=getattr(args, "weights", None),
                            weights_dir=getattr(args, "weights_dir", None),
                            engine=getattr(args, "engine", "auto"),
                            device=getattr(args, "device", "auto"))
    native: list[str] = []
    try:
        with captured_native_stderr() as native:
            engine = create_engine(request)
    except (WeightsError, EngineError, ValueError, OSError) as exc:
        details = _native_problems(native[0] if native else "")
        if details:
            err.write(details)
        _error_line(err, str(exc))
        return 2

    top = int(getattr(args, "top", 5))
    fmt = getattr(args, "format", "text")
    results: list[dict[str, Any]] = []
    failed = 0
    try:
        if fmt == "text":
            info = engine.info
            out.write(f"# MobileNet alpha {format_alpha(spec.alpha)}, {spec.resolution} px;"
                      f" weights: {info.weights_description}\n"
                      f"# engine: {info.engine_name} on {info.device_name}\n")
        # Decided once: the text block or JSON entry already shows each error where stderr
        # joins stdout.
        errors_to_stderr = not same_destination(out, err)
        for path, problem in images:
            name = printable(str(path))
            try:
                if problem is not None:  # an empty or unreadable folder
                    raise ImageError(problem)
                rgb = load_image_rgb(path)
            except ImageError as exc:
                failed += 1
                if errors_to_stderr:
                    _error_line(err, str(exc))
                message = printable(str(exc))
                results.append({"image": name, "predictions": [], "error": message})
                if fmt == "text":
                    out.write(_text_block(name, [], message))
                continue
            probs = engine.predict(preprocess(rgb, spec.resolution))
            preds = [
                {"label": p.label, "class_index": p.class_index,
                 "probability": round(p.probability, 6)}
                for p in decode_top_k(probs, top)
            ]
            results.append({"image": name, "predictions": preds})
            if fmt == "text":
                out.write(_text_block(name, preds, None, top))
    finally:
        engine.close()
    if fmt == "json":
        out.write(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    out.flush()
    return 1 if failed else 0

