"""Training settings: a Django setting of the same name wins (tests), else the environment, else a default.

Kept here rather than in studio/settings.py so the training app owns its knobs; every one can be
set per deploy through the environment variable of the same name.
"""
import os

from django.conf import settings

from studio.env import env_int, env_str


def _int(name: str, default: int) -> int:
    return int(getattr(settings, name, env_int(name, default)))


def _float(name: str, default: float) -> float:
    value = getattr(settings, name, None)
    if value is None:
        raw = env_str(name, "")
        value = float(raw) if raw.strip() else default
    return float(value)


def lease_seconds() -> float:
    """How long a run stays owned by a worker without a heartbeat before another worker takes it back."""
    return _float("STUDIO_RUN_LEASE_SECONDS", 30.0)


def max_attempts() -> int:
    """How many times a run is started in all (the first start plus resumes after a lost worker)."""
    return _int("STUDIO_RUN_MAX_ATTEMPTS", 3)


def stop_poll_seconds() -> float:
    """How often the training process reads the run's status to notice a stop request."""
    return _float("STUDIO_RUN_STOP_POLL_SECONDS", 0.5)


def batch_events_per_second() -> float:
    return _float("STUDIO_BATCH_EVENTS_PER_SECOND", 10.0)


def stop_grace_seconds() -> float:
    """After this long in "stopping" the worker ends the training process itself (a stuck batch)."""
    return _float("STUDIO_RUN_STOP_GRACE_SECONDS", 120.0)


def in_memory_images_bytes() -> int:
    """Decoded images up to this size are kept in memory for the whole run; larger sets stream from disk."""
    return _int("STUDIO_IN_MEMORY_IMAGES_BYTES", 1024**3)


def feature_cache_bytes() -> int:
    """The frozen-prefix feature cache is used only when the features fit in this many bytes."""
    return _int("STUDIO_FEATURE_CACHE_BYTES", 2 * 1024**3)


def worker_memory_bytes() -> int:
    """Memory of the machines that train (for the pre-flight check); default: this machine's memory."""
    configured = _int("STUDIO_WORKER_MEMORY_BYTES", 0)
    if configured > 0:
        return configured
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 1024**3
