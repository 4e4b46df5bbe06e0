"""The one image loader: what it returns, and a clear ImageError for everything that is not a usable image."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from export_builders import image_bytes, noise_image_bytes
from PIL import Image

from studio.exports.preprocess import ImageError, load_image_for_model


def test_it_returns_float32_rgb_0_to_255_at_the_model_size():
    array = load_image_for_model(image_bytes("PNG", (40, 30), (200, 30, 30)), size=(24, 16))
    assert array.shape == (24, 16, 3) and array.dtype == np.float32
    np.testing.assert_array_equal(array[0, 0], [200, 30, 30])  # no scaling: the model holds it


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "BMP", "WEBP", "TIFF"])
def test_it_reads_each_accepted_format(fmt):
    assert load_image_for_model(noise_image_bytes(fmt), size=(8, 8)).shape == (8, 8, 3)


def test_it_reads_a_path_and_a_file_object_like_bytes(tmp_path):
    data = noise_image_bytes("PNG")
    (tmp_path / "a.png").write_bytes(data)
    from_bytes = load_image_for_model(data, size=(10, 12))
    np.testing.assert_array_equal(load_image_for_model(tmp_path / "a.png", size=(10, 12)), from_bytes)
    np.testing.assert_array_equal(load_image_for_model(str(tmp_path / "a.png"), size=(10, 12)), from_bytes)
    np.testing.assert_array_equal(load_image_for_model(io.BytesIO(data), size=(10, 12)), from_bytes)


@pytest.mark.parametrize("mode", ["L", "RGBA", "P", "CMYK", "1"])
def test_it_converts_every_colour_mode_to_rgb(mode):
    out = io.BytesIO()
    Image.new(mode, (20, 20)).save(out, format="TIFF" if mode == "CMYK" else "PNG")
    assert load_image_for_model(out.getvalue(), size=(5, 5)).shape == (5, 5, 3)


def test_it_gives_one_channel_in_grayscale_mode():
    array = load_image_for_model(image_bytes("PNG", colour=(255, 255, 255)), size=(6, 6), color_mode="grayscale")
    assert array.shape == (6, 6, 1) and float(array.max()) == 255.0


def test_it_applies_the_exif_orientation_of_phone_photos():
    image = Image.new("RGB", (40, 20), (0, 0, 0))  # stored wide: 40 across, 20 down
    image.paste((255, 255, 255), (0, 0, 20, 20))  # its left half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display": shown tall, the white half on top
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    array = load_image_for_model(out.getvalue(), size=(40, 20))
    assert array[:20].mean() > 200 and array[20:].mean() < 50


def test_it_refuses_something_that_is_not_an_image():
    with pytest.raises(ImageError, match="not an image") as caught:
        load_image_for_model(b"%PDF-1.7 definitely not a picture", size=(8, 8))
    assert caught.value.code == "not_an_image"


def test_it_refuses_an_empty_file():
    with pytest.raises(ImageError) as caught:
        load_image_for_model(b"", size=(8, 8))
    assert caught.value.code == "not_an_image"


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(ImageError, match="cannot be read"):
        load_image_for_model(tmp_path / "nope.jpg", size=(8, 8))


def test_it_refuses_formats_outside_the_allow_list():
    # EPS would be handed to Ghostscript: Pillow's EPS plugin must never see the bytes.
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    with pytest.raises(ImageError) as caught:
        load_image_for_model(eps, size=(8, 8))
    assert caught.value.code == "not_an_image" and "JPEG" in str(caught.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_it_refuses_a_truncated_file(fmt):
    data = noise_image_bytes(fmt, size=(64, 64))
    with pytest.raises(ImageError, match="damaged or truncated") as caught:
        load_image_for_model(data[: len(data) // 2], size=(8, 8))
    assert caught.value.code == "corrupt"


def test_it_refuses_a_file_whose_pixel_data_is_garbage():
    data = bytearray(noise_image_bytes("PNG", size=(64, 64)))
    start = data.index(b"IDAT") + 8
    data[start : start + 200] = bytes(200)  # keep the header, wreck the compressed pixels
    with pytest.raises(ImageError) as caught:
        load_image_for_model(bytes(data), size=(8, 8))
    assert caught.value.code == "corrupt"


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels: a decompression bomb's calling card."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(("width", "height"), [(8000, 6000), (100_000, 100_000)])
def test_it_refuses_absurd_pixel_counts_before_decoding(width, height):
    # 48 MP is over our limit; 10 gigapixels is over Pillow's own bomb limit too: both are refused.
    with pytest.raises(ImageError, match="MP|too large") as caught:
        load_image_for_model(_png_claiming(width, height), size=(8, 8))
    assert caught.value.code == "too_many_pixels"


def test_the_pixel_limit_can_be_lowered():
    with pytest.raises(ImageError) as caught:
        load_image_for_model(image_bytes("PNG", (200, 100)), size=(8, 8), max_pixels=10_000)
    assert caught.value.code == "too_many_pixels" and "200x100" in str(caught.value)


def test_it_refuses_a_file_over_the_byte_limit():
    with pytest.raises(ImageError, match="larger than the limit") as caught:
        load_image_for_model(noise_image_bytes("PNG", size=(128, 128)), size=(8, 8), max_bytes=1024)
    assert caught.value.code == "too_large"


@pytest.mark.parametrize("size", [(0, 8), (8,), (8, 8, 3), (8.0, 8), (100_000, 8)])
def test_a_bad_target_size_is_a_programming_error(size):
    with pytest.raises(ValueError, match="height, width"):
        load_image_for_model(image_bytes(), size=size)


def test_an_unknown_colour_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="color_mode"):
        load_image_for_model(image_bytes(), size=(8, 8), color_mode="cmyk")
