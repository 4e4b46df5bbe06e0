"""The one image loader for prediction: the studio's predict endpoint and the download bundle's predict.py.

It depends on numpy and Pillow only, because ``bundle.make_bundle`` copies this very file into every
download bundle: a model gets the same pixels in the studio and on the user's machine.

The array it returns is float32 RGB (or grayscale) in 0..255 at the model's input size; any scaling or
backbone preprocessing (Rescaling, VGG16's mean subtraction) lives inside the model itself.
"""

from __future__ import annotations

import io
import os
import struct
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

ImageSource = str | os.PathLike[str] | bytes | bytearray | memoryview | BinaryIO

# Decoders we accept. No other Pillow plugin even sees the bytes: some hand data to external programs
# (EPS goes to Ghostscript), others are rarely exercised parsers.
ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF")
DEFAULT_MAX_PIXELS = 40_000_000  # a 8000x5000 photo; a decompression bomb declares far more
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
COLOR_MODES = {"rgb": ("RGB", 3), "grayscale": ("L", 1)}
RESAMPLE = Image.Resampling.BILINEAR


class ImageError(ValueError):
    """The input is not an image we can use; ``code`` is a stable reason, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def load_image_for_model(
    source: ImageSource,
    *,
    size: tuple[int, int],
    color_mode: str = "rgb",
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """Decode, orient, convert and resize one image: a float32 array of shape (h, w, channels), 0..255.

    ``size`` is (height, width), as in Keras input shapes. Raises ImageError for anything that is not a
    readable image within the limits; its ``code`` is one of ``too_large``, ``not_an_image``,
    ``too_many_pixels``, ``corrupt``.
    """
    height, width = _check_size(size)
    if color_mode not in COLOR_MODES:
        raise ValueError(f"color_mode must be one of {sorted(COLOR_MODES)}, not {color_mode!r}")
    mode, _channels = COLOR_MODES[color_mode]
    data = _read_bytes(source, max_bytes)
    try:
        # formats= limits which decoders may even look at the bytes.
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
            # Image.open reads only the header: refuse absurd sizes before anything is decoded.
            pixels = image.width * image.height
            if pixels > max_pixels:
                raise ImageError(
                    "too_many_pixels",
                    f"The image is {image.width}x{image.height} pixels ({pixels / 1e6:.1f} MP); "
                    f"the limit is {max_pixels / 1e6:.1f} MP.",
                )
            image.load()  # a truncated or damaged file fails here, not later in a resize
            # Phone photos store their rotation in EXIF; apply it so the model sees what people see.
            oriented = ImageOps.exif_transpose(image)
            resized = oriented.convert(mode).resize((width, height), RESAMPLE)
    except ImageError:
        raise
    except Image.UnidentifiedImageError as exc:
        raise ImageError(
            "not_an_image", f"The file is not an image in a format we accept ({', '.join(ALLOWED_FORMATS)})."
        ) from exc
    except Image.DecompressionBombError as exc:
        raise ImageError("too_many_pixels", f"The image is too large to decode safely ({exc}).") from exc
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        # Pillow reports damaged or truncated data with any of these, depending on the decoder.
        raise ImageError("corrupt", f"The image is damaged or truncated and cannot be decoded ({exc}).") from exc
    array = np.asarray(resized, dtype=np.float32)
    if array.ndim == 2:
        array = array[..., np.newaxis]
    return array


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    if len(size) != 2 or not all(isinstance(v, (int, np.integer)) and 0 < v <= 8192 for v in size):
        raise ValueError(f"size must be (height, width) with each in 1..8192, not {size!r}")
    return int(size[0]), int(size[1])


def _read_bytes(source: ImageSource, max_bytes: int) -> bytes:
    """All bytes of the source, refusing more than max_bytes without reading them all first."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise ImageError("not_an_image", f"The file cannot be read ({exc.strerror or exc}).") from exc
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageError("too_large", f"The file is larger than the limit of {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise ImageError("not_an_image", "The file is empty.")
    return data
