"""Keras's ImageNet weights files: which are on this machine, and fetching them where it is online.

The files are the include_top=False ("notop") files keras.applications downloads, from the URLs and
with the hashes its source names (kept in studio.graphs.backbones). They go into Keras's own cache,
$KERAS_HOME/models, where compile_graph looks for them (after STUDIO_WEIGHTS_DIR and DATA_DIR/weights).
"""

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.graphs.backbones import BACKBONES, Backbone, find_weights, weights_dirs

log = logging.getLogger(__name__)


def keras_home() -> Path:
    """Keras's cache folder, as studio.graphs.backbones.weights_dirs() sees it (KERAS_HOME or ~/.keras)."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def availability(backbone: Backbone) -> dict[str, Any]:
    found = find_weights(backbone)
    return {
        "architecture": backbone.type,
        "weights_available": found is not None,
        "weights_path": str(found) if found else None,
        "weights_file": backbone.weights_file,
        "weights_url": backbone.weights_url,
        "weights_dir": str(weights_dirs()[0]),
        "fetch_command": f"python manage.py fetch_weights {backbone.type}",
    }


def availability_all() -> list[dict[str, Any]]:
    return [availability(b) for b in BACKBONES]


def placement_hint(backbone: Backbone) -> str:
    """Exactly which file goes where, for a machine that cannot download it."""
    return f"{backbone.weights_file} (from {backbone.weights_url}) -> {weights_dirs()[0]}/"


@dataclass
class Fetched:
    backbone: Backbone
    path: Path | None
    downloaded: bool
    error: str = ""


def fetch(backbone: Backbone, *, mirror: str | None = None) -> Fetched:
    """The backbone's ImageNet file: found where it already is, else downloaded (hash-checked) by Keras."""
    found = find_weights(backbone)
    if found is not None:
        return Fetched(backbone, found, downloaded=False)
    import keras

    origin = f"{mirror.rstrip('/')}/{backbone.weights_file}" if mirror else backbone.weights_url
    try:
        path = keras.utils.get_file(
            backbone.weights_file, origin, cache_subdir="models", cache_dir=str(keras_home()),
            file_hash=backbone.weights_hash,
        )  # fmt: skip
    except Exception as exc:  # Keras wraps every network failure in a bare Exception
        log.warning("Could not fetch %s: %s", origin, exc)
        return Fetched(backbone, None, downloaded=False, error=str(exc).splitlines()[0][:300])
    return Fetched(backbone, Path(path), downloaded=True)
