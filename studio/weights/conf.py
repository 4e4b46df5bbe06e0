"""Weights-library settings: a Django setting of the same name wins (tests), else the environment, else a default."""

from pathlib import Path

from django.conf import settings

from studio.env import env_int


def max_upload_bytes() -> int:
    """The largest weights upload accepted (413 above it); default: the model-file limit (600 MB)."""
    value = getattr(settings, "STUDIO_MAX_WEIGHTS_BYTES", None)
    if value is None:
        value = env_int("STUDIO_MAX_WEIGHTS_BYTES", settings.STUDIO_MAX_MODEL_FILE_BYTES)
    return int(value)


def library_dir(owner_id: int) -> Path:
    """DATA_DIR/weights/<owner id>/: one person's weights files (ImageNet files sit in DATA_DIR/weights)."""
    return Path(settings.DATA_DIR) / "weights" / str(int(owner_id))
