"""Builders for the results tests: encoded images like the training set's, zips, and broken files.

(Imported by name: pytest puts this folder on sys.path, as it does for conftest.py.)"""
import io
import struct
import zipfile
import zlib

import numpy as np
from PIL import Image
from training_builders import COLORS


def colour_png(name: str, *, size=(48, 36), seed: int = 1) -> bytes:
    """A noisy image of one of the training colours (size is Pillow's (width, height))."""
    rng = np.random.default_rng(seed)
    base = np.array(COLORS[name], dtype=np.float64)
    pixels = np.clip(base + rng.normal(0, 25, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def colour_jpeg(name: str, *, size=(40, 32), seed: int = 2) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(colour_png(name, size=size, seed=seed))).save(out, format="JPEG", quality=90)
    return out.getvalue()


def truncated_png() -> bytes:
    data = colour_png("red", size=(64, 64))
    return data[: len(data) // 2]


def huge_png(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header announcing width x height pixels (10 gigapixels), with almost no data."""
    data = bytearray(colour_png("blue", size=(8, 8)))
    ihdr = data.index(b"IHDR")
    data[ihdr + 4: ihdr + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr: ihdr + 17])) & 0xFFFFFFFF
    data[ihdr + 17: ihdr + 21] = struct.pack(">I", crc)
    return bytes(data)


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()
