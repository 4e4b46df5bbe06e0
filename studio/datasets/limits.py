"""Ingestion limits, read from settings at call time (tests and deployments override them).

Every limit has a default here so the studio needs no configuration; a deployment can set any of
them in settings (or the environment, where settings map it). Reading them at call time, never at
import time, lets `override_settings` and per-test DATA_DIR changes take effect.
"""
from dataclasses import dataclass

from django.conf import settings
from PIL import Image

DEFAULTS = {
    "STUDIO_MAX_UPLOAD_BYTES": 2 * 1024**3,
    # Sum of the uncompressed sizes of all archive members (declared and counted while reading).
    "STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES": 10 * 1024**3,
    "STUDIO_DATASET_MAX_FILES": 100_000,
    "STUDIO_DATASET_MAX_FILE_BYTES": 64 * 1024**2,
    # Images are already compressed, so a member that expands more than this is a bomb, not a photo.
    "STUDIO_DATASET_MAX_RATIO": 100,
    "STUDIO_DATASET_MAX_IMAGE_PIXELS": Image.MAX_IMAGE_PIXELS or 89_478_485,
    "STUDIO_DATASET_MAX_CLASSES": 1000,
    # Stored images are downscaled to this long side: training inputs are far smaller, and decoding
    # 12-megapixel photos every epoch would dominate training time. 0 keeps the original size.
    "STUDIO_DATASET_MAX_SIDE": 1024,
    "STUDIO_DATASET_THUMB_SIDE": 128,
}

# Ratios are only judged on members at least this big: tiny files compress oddly without harm.
RATIO_MIN_BYTES = 1024 * 1024
MAX_CSV_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class IngestLimits:
    max_upload_bytes: int
    max_uncompressed_bytes: int
    max_files: int
    max_file_bytes: int
    max_ratio: float
    max_image_pixels: int
    max_classes: int
    max_side: int
    thumb_side: int

    @classmethod
    def from_settings(cls) -> "IngestLimits":
        def get(name: str) -> int:
            return int(getattr(settings, name, DEFAULTS[name]))

        return cls(
            max_upload_bytes=get("STUDIO_MAX_UPLOAD_BYTES"),
            max_uncompressed_bytes=get("STUDIO_DATASET_MAX_UNCOMPRESSED_BYTES"),
            max_files=get("STUDIO_DATASET_MAX_FILES"),
            max_file_bytes=get("STUDIO_DATASET_MAX_FILE_BYTES"),
            max_ratio=float(getattr(settings, "STUDIO_DATASET_MAX_RATIO", DEFAULTS["STUDIO_DATASET_MAX_RATIO"])),
            max_image_pixels=get("STUDIO_DATASET_MAX_IMAGE_PIXELS"),
            max_classes=get("STUDIO_DATASET_MAX_CLASSES"),
            max_side=get("STUDIO_DATASET_MAX_SIDE"),
            thumb_side=get("STUDIO_DATASET_THUMB_SIDE"),
        )


def human_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # unreachable; keeps type checkers content
