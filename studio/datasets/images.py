"""Turn the bytes of one uploaded file into a stored RGB JPEG and a thumbnail, or a reason to skip it.

Every stored image is an 8-bit RGB JPEG no larger than the configured long side, so the training
pipeline decodes one format with one channel count. Whatever the original mode (grayscale, RGBA,
palette, CMYK, 16-bit), it is converted here once. An RGB JPEG that needs no change is kept byte for
byte (no second lossy encode). Pure: no Django, no disk.
"""
import io
import logging
import struct
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.datasets.errors import ImageSkipped

log = logging.getLogger(__name__)

JPEG_QUALITY = 92
THUMB_QUALITY = 80
_EXIF_ORIENTATION = 0x0112
_ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
_WHITE = (255, 255, 255)
# Only these decoders ever see uploaded bytes: common photo formats, and none of Pillow's plugins
# that shell out (EPS runs Ghostscript) or parse rarely used, less hardened formats.
FORMATS = ("JPEG", "PNG", "GIF", "BMP", "TIFF", "WEBP", "PPM")  # JPEG includes multi-picture MPO


@dataclass(frozen=True)
class NormalisedImage:
    data: bytes  # the stored file: an RGB JPEG
    thumbnail: bytes  # a small RGB JPEG for the datasets page
    width: int  # the original's size as displayed (EXIF orientation applied)
    height: int
    mode: str  # the original Pillow mode ("RGB", "L", "RGBA", "CMYK", "I;16", "P", ...)
    format: str  # the original file format ("JPEG", "PNG", ...)


def normalise_image(data: bytes, *, max_side: int, thumb_side: int, max_pixels: int) -> NormalisedImage:
    """Decode, check and normalise one image; raises ImageSkipped with a human reason."""
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; a bomb is a bomb.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            return _normalise_open(image, data, max_side=max_side, thumb_side=thumb_side, max_pixels=max_pixels)
    except ImageSkipped:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageSkipped(f"too many pixels, refused as a possible decompression bomb ({exc})") from None
    except UnidentifiedImageError:
        raise ImageSkipped("not an image (or not JPEG, PNG, GIF, BMP, TIFF, WebP or PPM)") from None
    except (OSError, SyntaxError, ValueError, EOFError, TypeError, IndexError, struct.error) as exc:
        # Pillow reports truncated and corrupt data through these, depending on the codec.
        raise ImageSkipped(f"corrupt or truncated image ({exc})") from None
    except MemoryError:
        raise ImageSkipped("too large to decode in memory") from None
    except Exception as exc:
        # Decoders fed crafted files raise odd things (KeyError, AttributeError...): one bad file is a
        # skip with a reason, never a failed upload; logged in case it is a bug on our side.
        log.warning("Unexpected %s while decoding an image", type(exc).__name__, exc_info=True)
        raise ImageSkipped(f"could not be decoded ({type(exc).__name__}: {exc})") from None


def _normalise_open(image: Image.Image, data: bytes, *, max_side: int, thumb_side: int,
                    max_pixels: int) -> NormalisedImage:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise ImageSkipped("the image has no pixels")
    if width * height > max_pixels:
        raise ImageSkipped(
            f"{width}x{height} is {width * height:,} pixels, over the limit of {max_pixels:,} "
            "(STUDIO_DATASET_MAX_IMAGE_PIXELS); refused as a possible decompression bomb"
        )
    original_mode, original_format = image.mode, image.format or "unknown"
    orientation = image.getexif().get(_EXIF_ORIENTATION, 1) if hasattr(image, "getexif") else 1
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    scale = min(1.0, max_side / max(width, height)) if max_side else 1.0
    target = (max(1, round(width * scale)), max(1, round(height * scale)))

    keep_bytes = original_format == "JPEG" and original_mode == "RGB" and orientation == 1 and scale == 1.0
    if original_format == "JPEG" and scale < 1.0:
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale (still at least the target): much faster.
        image.draft("RGB", target if orientation == 1 else (target[1], target[0]))
    image.load()  # full decode: truncated or corrupt data fails here
    if orientation != 1:
        image = ImageOps.exif_transpose(image)
    rgb = _to_rgb(image)
    if rgb.size != target:
        rgb = rgb.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    stored = data if keep_bytes else _jpeg(rgb, JPEG_QUALITY)
    thumb = rgb.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return NormalisedImage(stored, _jpeg(thumb, THUMB_QUALITY), width, height, original_mode, original_format)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode as 8-bit RGB; transparency over white, 16/32-bit and float scaled to 8 bits."""
    mode = image.mode
    if mode == "RGB":
        return image
    if mode == "P" and "transparency" in image.info:
        image, mode = image.convert("RGBA"), "RGBA"
    if mode in _ALPHA_MODES:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, _WHITE)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if mode.startswith("I") or mode == "F":
        return Image.fromarray(_to_uint8(np.asarray(image)), mode="L").convert("RGB")
    return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, LAB, HSV


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Scale a 16-bit, 32-bit or float single-channel array into 0..255 without clipping it white."""
    values = array.astype(np.float64)
    if array.dtype.kind == "f":
        top = 1.0 if values.size and np.nanmax(values) <= 1.0 else max(float(np.nanmax(values)), 1.0)
        values = np.nan_to_num(values) / top * 255.0
    elif values.size and values.max() > 255:
        top = 65535.0 if values.max() <= 65535 else float(values.max())
        values = values / top * 255.0
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality, optimize=False)
    return out.getvalue()
