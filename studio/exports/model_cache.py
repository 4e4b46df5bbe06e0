"""Trained models loaded once per process: a small LRU of rebuilt models, so repeated predictions
skip the rebuild (a VGG16 takes about a second to build and load; a prediction far less).

A model is the run's graph compiled without pre-trained weights (every weight is set next from the
run's weights file, so neither the ImageNet file nor the weights library is needed here) plus
``load_weights``. Entries are keyed by the weights file's path, size and modification time: a file
that changes is loaded again. ``STUDIO_MODEL_CACHE_SIZE`` (default 4) bounds how many stay loaded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from studio.env import env_int

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_models: OrderedDict[tuple[str, int, int], Any] = OrderedDict()


def cache_size() -> int:
    return max(1, env_int("STUDIO_MODEL_CACHE_SIZE", 4))


def build_trained_model(graph: dict[str, Any], weights: Path) -> Any:
    """A fresh model of ``graph`` holding the weights in ``weights`` (not cached: callers may compile it)."""
    from studio.graphs import compile_graph

    started = time.perf_counter()
    model = compile_graph(graph, load_pretrained=False)
    model.load_weights(weights)
    logger.info("Built %s from %s in %.2f s", model.name, weights, time.perf_counter() - started)
    return model


def _key(weights: Path) -> tuple[str, int, int]:
    stat = weights.stat()
    return str(weights.resolve()), stat.st_size, stat.st_mtime_ns


def cached_model(graph: dict[str, Any], weights: Path) -> Any:
    """The model for ``weights`` from the cache, built (and the least recently used one dropped) if needed.

    Callers must not compile or change the returned model: other requests share it.
    """
    key = _key(Path(weights))
    with _lock:  # one build at a time: two requests for the same new model build it once
        model = _models.get(key)
        if model is not None:
            _models.move_to_end(key)
            return model
        model = build_trained_model(graph, Path(weights))
        _models[key] = model
        while len(_models) > cache_size():
            dropped, _ = _models.popitem(last=False)
            logger.info("Dropped model %s from the cache", dropped[0])
        return model


def clear() -> None:
    with _lock:
        _models.clear()
