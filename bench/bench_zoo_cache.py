"""Model-zoo figures, printed (not a test): run `python bench/bench_zoo_cache.py [--quick]`.

1. validate() time of a graph holding each pre-trained backbone at 224x224 (no TensorFlow import:
   the inner layers are packaged data), and the catalog's first and later builds.
2. The frozen-prefix cache (studio.training.frozen) on the new backbones: where it cuts a frozen
   backbone + Dense head, and seconds per epoch trained plainly vs on cached features, plus the
   one-off feature time. Random weights (weights=None) and random images: the figures are speed only.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")

QUICK = "--quick" in sys.argv
CASES = [("MobileNetV2", 96), ("ResNet50", 64), ("EfficientNetB0", 64), ("InceptionV3", 75)]
IMAGES, EPOCHS, BATCH = (64, 2, 16) if QUICK else (256, 3, 32)


def graph(backbone: str, size: int) -> dict:
    nodes = [
        {"id": "image", "type": "Input", "params": {"shape": [size, size, 3]}},
        {"id": "net", "type": backbone, "params": {"weights": None, "pooling": "avg"}},
        {"id": "out", "type": "Dense", "params": {"units": 4, "activation": "softmax"}},
    ]
    edges = [{"source": "image", "target": "net"}, {"source": "net", "target": "out"}]
    return {"version": 1, "nodes": nodes, "edges": edges}


def bench_validate() -> None:
    from studio.graphs import layers_catalog, validate
    from studio.graphs.backbones import BACKBONES

    assert "tensorflow" not in sys.modules
    started = time.perf_counter()
    layers_catalog()
    first = time.perf_counter() - started
    started = time.perf_counter()
    layers_catalog()
    print(f"catalog: first {first * 1000:.1f} ms, then {(time.perf_counter() - started) * 1000:.1f} ms")
    for backbone in BACKBONES:
        g = graph(backbone.type, 224)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            assert validate(g).valid
            times.append(time.perf_counter() - started)
        print(
            f"validate {backbone.type:15s} at 224x224: {statistics.median(times) * 1000:6.1f} ms "
            f"({len(backbone.layers)} inner layers)"
        )
    assert "tensorflow" not in sys.modules, "validate imported TensorFlow"


def _epoch_seconds(model, x, y) -> float:
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0)  # trace once
    started = time.perf_counter()
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0)
    return (time.perf_counter() - started) / EPOCHS


def bench_cache() -> None:
    import django

    django.setup()
    import keras
    import numpy as np

    from studio.graphs import compile_graph
    from studio.training.frozen import find_frozen_cut

    rng = np.random.default_rng(0)
    for backbone, size in CASES:
        x = rng.uniform(0, 255, (IMAGES, size, size, 3)).astype("float32")
        y = rng.integers(0, 4, IMAGES)
        model = compile_graph(graph(backbone, size))
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        plain = _epoch_seconds(model, x, y)
        cut = find_frozen_cut(compile_graph(graph(backbone, size)))
        if cut is None:
            print(f"{backbone:15s} {size}px: plain {plain:.2f} s/epoch; no frozen cut")
            continue
        started = time.perf_counter()
        features = cut.prefix.predict(x, batch_size=64, verbose=0)
        feature_seconds = time.perf_counter() - started
        cut.suffix.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        cached = _epoch_seconds(cut.suffix, features, y)
        print(
            f"{backbone:15s} {size}px, {IMAGES} images: plain {plain:.3f} s/epoch, cut at {cut.layer} "
            f"{cut.feature_shape}: features once {feature_seconds:.2f} s, then {cached:.4f} s/epoch "
            f"({plain / cached:.0f}x per epoch)"
        )
        keras.backend.clear_session()


if __name__ == "__main__":
    bench_validate()
    bench_cache()
