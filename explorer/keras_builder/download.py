"""Download Keras' MobileNet weight files into the Keras cache, safely and cancellably.

The file is streamed into a temporary file in the destination folder and renamed only after
the whole body arrived and passed ``inspect_weights``; on any failure or cancel the temporary
file is removed, so the cache never holds a partial ``.h5`` that would later look corrupt.
Only the standard library is used (urllib), so this works wherever Python does.
"""

from __future__ import annotations

import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from explorer.keras_builder.weights import (
    WeightsError,
    WeightsFileInfo,
    inspect_weights,
    keras_cache_dir,
    keras_weights_name,
    keras_weights_url,
)

#: progress(bytes_done, bytes_total or None when the server sends no length)
DownloadProgress = Callable[[int, "int | None"], None]
CHUNK_BYTES = 64 * 1024


class DownloadError(WeightsError):
    """The download failed (offline, HTTP error, bad file); nothing was left behind."""


class DownloadCancelled(DownloadError):
    """The user cancelled; nothing was left behind."""


def _offline_message(url: str, reason: object) -> str:
    return (
        f"cannot download {url}: no network connection ({reason}). Download the file on a"
        f" machine with internet access and copy it into {keras_cache_dir()}, or pass"
        " --weights FILE"
    )


def download_file(url: str, dest: Path, progress: DownloadProgress | None = None,
                  cancel: Callable[[], bool] | None = None, timeout: float = 30.0) -> Path:
    """Fetch ``url`` into ``dest`` atomically.

    Args:
        url: http(s) URL.
        dest: final path; its folder is created if needed.
        progress: called after every chunk with (done, total).
        cancel: polled between chunks; returning True aborts with DownloadCancelled.
        timeout: seconds for connecting and for each read.

    Raises:
        DownloadError: offline, refused, HTTP error, short body, or the folder is not writable.
        DownloadCancelled: ``cancel()`` returned True.
    """
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    except OSError as exc:
        raise DownloadError(
            f"cannot write into {dest.parent}: {exc.strerror or exc}"
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                response = urllib.request.urlopen(url, timeout=timeout)  # noqa: S310 (http(s) only)
            except urllib.error.HTTPError as exc:
                raise DownloadError(f"cannot download {url}: HTTP {exc.code} {exc.reason}") \
                    from None
            except urllib.error.URLError as exc:
                raise DownloadError(_offline_message(url, exc.reason)) from None
            except (TimeoutError, OSError) as exc:
                raise DownloadError(_offline_message(url, exc)) from None
            with response:
                length = response.headers.get("Content-Length")
                total = int(length) if length and length.isdigit() else None
                done = 0
                if progress:
                    progress(0, total)
                while True:
                    if cancel is not None and cancel():
                        raise DownloadCancelled(f"download of {dest.name} cancelled")
                    try:
                        chunk = response.read(CHUNK_BYTES)
                    except (TimeoutError, OSError) as exc:
                        raise DownloadError(
                            f"download of {url} broke off after {done} bytes ({exc})"
                        ) from None
                    if not chunk:
                        break
                    out.write(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
                if total is not None and done != total:
                    raise DownloadError(
                        f"download of {url} broke off after {done} of {total} bytes"
                    )
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest


def download_weights(alpha: float, resolution: int = 224, dest_dir: Path | None = None,
                     progress: DownloadProgress | None = None,
                     cancel: Callable[[], bool] | None = None, base_url: str | None = None,
                     timeout: float = 30.0) -> WeightsFileInfo:
    """Download Keras' ``mobilenet_<a>_<res>_tf.h5`` into ``dest_dir`` (default: Keras cache).

    The file is checked with ``inspect_weights`` before it takes its final name, so a server
    answering with an HTML error page does not leave a bogus ``.h5`` behind.

    Args:
        alpha: one of 0.25, 0.5, 0.75, 1.0.
        resolution: 128, 160, 192 or 224 (all hold the same weights).
        base_url: replaces Keras' storage URL (tests serve a local folder).

    Returns:
        The inspected file.
    """
    name = keras_weights_name(alpha, resolution)
    url = (base_url.rstrip("/") + "/" + name) if base_url else keras_weights_url(name)
    folder = Path(dest_dir) if dest_dir is not None else keras_cache_dir()
    final = folder / name
    staging = folder / f".{name}.download"
    download_file(url, staging, progress=progress, cancel=cancel, timeout=timeout)
    try:
        inspect_weights(staging)
    except WeightsError as exc:
        staging.unlink(missing_ok=True)
        raise DownloadError(f"downloaded {url} but it is not usable: {exc}") from None
    os.replace(staging, final)
    return inspect_weights(final)
