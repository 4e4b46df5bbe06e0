"""One file in, a stored RGB JPEG and a thumbnail out, or a reason to skip it."""
import io

import numpy as np
import pytest
from dataset_builders import png_header_only
from PIL import Image

from studio.datasets.errors import ImageSkipped
from studio.datasets.images import normalise_image

LIMITS = {"max_side": 1024, "thumb_side": 16, "max_pixels": 10_000_000}


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def stored(result) -> Image.Image:
    return Image.open(io.BytesIO(result.data))


@pytest.mark.parametrize(
    ("mode", "fmt"),
    [("L", "PNG"), ("RGBA", "PNG"), ("LA", "PNG"), ("P", "PNG"), ("1", "PNG"), ("CMYK", "JPEG"), ("I;16", "PNG"),
     ("I", "TIFF"), ("F", "TIFF"), ("RGB", "BMP"), ("RGB", "GIF"), ("RGB", "WEBP")],
)
def test_every_mode_is_normalised_to_an_rgb_jpeg(mode, fmt):
    if mode == "I;16":
        image = Image.new("I;16", (20, 10), 30000)
    else:
        image = Image.new("RGB", (20, 10), (90, 90, 90)).convert(mode)
    result = normalise_image(encode(image, fmt), **LIMITS)
    out = stored(result)
    assert (out.format, out.mode, out.size) == ("JPEG", "RGB", (20, 10))
    original_mode = "P" if fmt == "GIF" else mode  # GIF stores a palette
    assert (result.width, result.height, result.mode, result.format) == (20, 10, original_mode, fmt)
    thumb = Image.open(io.BytesIO(result.thumbnail))
    assert thumb.format == "JPEG" and thumb.mode == "RGB" and max(thumb.size) == 16


def test_sixteen_bit_images_are_scaled_not_clipped_to_white():
    image = Image.new("I;16", (4, 4), 32768)  # mid grey in 16 bits
    value = np.asarray(stored(normalise_image(encode(image, "PNG"), **LIMITS)))[0, 0]
    assert 120 <= value[0] <= 136


def test_transparency_is_composited_over_white():
    image = Image.new("RGBA", (4, 4), (255, 0, 0, 0))  # fully transparent red
    pixel = np.asarray(stored(normalise_image(encode(image, "PNG"), **LIMITS)))[0, 0]
    assert pixel.min() > 245


def test_an_rgb_jpeg_that_needs_no_change_is_kept_byte_for_byte():
    data = encode(Image.new("RGB", (30, 20), (1, 2, 3)), "JPEG")
    assert normalise_image(data, **LIMITS).data == data


def test_big_images_are_downscaled_to_the_long_side_and_keep_their_original_size_on_record():
    data = encode(Image.new("RGB", (400, 200), (1, 2, 3)), "JPEG")
    result = normalise_image(data, **{**LIMITS, "max_side": 100})
    assert stored(result).size == (100, 50)
    assert (result.width, result.height) == (400, 200)


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (30, 10), (1, 2, 3))
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    result = normalise_image(encode(image, "JPEG", exif=exif), **LIMITS)
    assert stored(result).size == (10, 30)
    assert (result.width, result.height) == (10, 30)


def test_a_file_that_is_not_an_image_is_skipped():
    with pytest.raises(ImageSkipped, match="not an image"):
        normalise_image(b"just some notes\n", **LIMITS)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_truncated_image_is_skipped(fmt):
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), fmt)
    with pytest.raises(ImageSkipped, match="corrupt or truncated"):
        normalise_image(data[: len(data) // 2], **LIMITS)


def test_a_corrupt_image_is_skipped():
    noise = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
    data = bytearray(encode(Image.fromarray(noise), "PNG"))
    middle = len(data) // 2
    data[middle: middle + 200] = bytes(200)  # damage the compressed pixels, header intact
    with pytest.raises(ImageSkipped, match="corrupt or truncated"):
        normalise_image(bytes(data), **LIMITS)


def test_a_decompression_bomb_header_is_refused_before_decoding():
    # 30000 x 30000 claimed in 100 bytes: Pillow raises DecompressionBombError at open.
    with pytest.raises(ImageSkipped, match="decompression bomb"):
        normalise_image(png_header_only(30_000, 30_000), **{**LIMITS, "max_pixels": 10**12})


def test_pillow_bomb_warnings_are_refused_too(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 300)  # 400 pixels: Pillow only warns
    with pytest.raises(ImageSkipped, match="decompression bomb"):
        normalise_image(encode(Image.new("RGB", (20, 20)), "PNG"), **LIMITS)


def test_the_configured_pixel_limit_applies():
    with pytest.raises(ImageSkipped, match="over the limit of 100 "):
        normalise_image(encode(Image.new("RGB", (20, 20)), "PNG"), **{**LIMITS, "max_pixels": 100})


def test_only_common_photo_formats_are_decoded():
    # EPS would make Pillow run Ghostscript on uploaded bytes: never offered to it.
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    with pytest.raises(ImageSkipped, match="not an image"):
        normalise_image(eps, **LIMITS)


def test_an_unexpected_decoder_error_is_a_skip_not_a_crash(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("a decoder bug")

    monkeypatch.setattr(Image, "open", broken)
    with pytest.raises(ImageSkipped, match="could not be decoded .KeyError"):
        normalise_image(b"anything", **LIMITS)
