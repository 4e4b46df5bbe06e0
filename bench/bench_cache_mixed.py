"""Frozen-prefix cache and mixed precision figures, printed (not a test):
run `python bench/bench_cache_mixed.py [--quick]`.

1. VGG16 (weights=None, built by compile_graph: Input -> VGG16 frozen -> GlobalAveragePooling2D ->
   Dense 64 relu -> Dense 3 softmax) on random images: seconds per epoch of plain fit vs the suffix
   trained on cached features (studio.training.frozen's find_frozen_cut + compute_features), and the
   10-epoch total (plain: 10 x the measured epoch; cached: the one feature pass + 10 cached epochs),
   at 64x64 and 224x224. Plain epochs are measured over 2 epochs (the first includes tracing; the
   second is the figure). At 224x224 plain fit and the feature pass run on a subset of the images and
   are scaled linearly to the full count (the cached suffix trains on the full count: the subset's
   features tiled).
2. VGG16 with block 5 trainable (cut at block4_pool) vs plain, per epoch at 64x64.
3. Mixed precision: "mixed_bfloat16" vs "float32" VGG16 (all layers trainable) forward+backward
   throughput (train_on_batch, after a warm-up batch) at 128x128 and 224x224; and val accuracy of a
   small CNN trained from scratch for 10 epochs at 64x64 on demo_data/demo-photos in each policy with
   the same seed and split.

Timings are wall-clock on whatever the machine is doing: compare the ratios of one run.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="bench-cache-mixed-"))
os.environ.update({"STUDIO_DATA_DIR": str(DATA), "DATABASE_URL": f"sqlite:///{DATA / 'bench.sqlite3'}",
                   "DJANGO_SETTINGS_MODULE": "studio.settings", "TF_CPP_MIN_LOG_LEVEL": "3",
                   "LOG_LEVEL": "WARNING"})

import django  # noqa: E402

django.setup()

import keras  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from studio.graphs import compile_graph  # noqa: E402
from studio.training.frozen import compute_features, find_frozen_cut  # noqa: E402
from studio.training.inputs import Rows, steps_per_epoch, training_dataset  # noqa: E402

BATCH = 32
CLASSES = 3
BLOCK5 = ("block5_conv1", "block5_conv2", "block5_conv3")


def vgg_graph(size: int, trainable: tuple[str, ...] = ()) -> dict:
    nodes = [{"id": "in", "type": "Input", "params": {"shape": [size, size, 3]}},
             {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": list(trainable)}},
             {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
             {"id": "hidden", "type": "Dense", "params": {"units": 64, "activation": "relu"}},
             {"id": "out", "type": "Dense", "params": {"units": CLASSES, "activation": "softmax"}}]
    return {"version": 1, "nodes": nodes,
            "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]}


def _fit_epochs(model: keras.Model, rows: Rows, labels: list[int], epochs: int) -> list[float]:
    """Seconds of each epoch of model.fit on the studio's training dataset."""
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    times: list[float] = []
    timer = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda *_: times.append(time.perf_counter()),
        on_epoch_end=lambda *_: times.append(time.perf_counter() - times.pop()))
    data = training_dataset(rows, labels, batch_size=BATCH, seed=1, first_epoch=0, epochs=epochs, binary=False)
    model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch(rows.count, BATCH), callbacks=[timer],
              shuffle=False, verbose=0)
    return times


def _steady(times: list[float]) -> float:
    return statistics.median(times[1:] or times)  # the first epoch includes tracing


def cache_figures(size: int, *, images: int, plain_subset: int, trainable: tuple[str, ...] = (),
                  cached_epochs: int = 4) -> dict:
    rng = np.random.default_rng(1)
    labels = [i % CLASSES for i in range(images)]
    out: dict = {"size": size, "images": images, "plain_images": plain_subset}

    # Plain fit: 2 epochs on `plain_subset` images (the whole set unless it is too slow), scaled.
    keras.utils.set_random_seed(1)
    model = compile_graph(vgg_graph(size, trainable))
    sub = Rows(table=rng.integers(0, 256, (plain_subset, size, size, 3), dtype=np.uint8))
    times = _fit_epochs(model, sub, labels[:plain_subset], 2)
    out["plain_epoch_s"] = times[-1] * images / plain_subset
    out["plain_first_epoch_s"] = times[0] * images / plain_subset

    # Cached: the one feature pass (on the subset, scaled), then the suffix on the full count.
    keras.utils.set_random_seed(1)
    model = compile_graph(vgg_graph(size, trainable))
    started = time.perf_counter()
    cut = find_frozen_cut(model)
    features = compute_features(cut.prefix, sub, batch_size=64)
    out["features_s"] = (time.perf_counter() - started) * images / plain_subset
    out["layer"] = cut.layer
    table = np.resize(features._table, (images, *features._table.shape[1:]))  # tiled to the full count
    times = _fit_epochs(cut.suffix, Rows(table=table), labels, cached_epochs)
    out["cached_epoch_s"] = _steady(times)
    out["cached_first_epoch_s"] = times[0]
    return out


def print_cache(label: str, r: dict) -> None:
    scaled = f" (plain fit and feature pass measured on {r['plain_images']} images, scaled x" \
             f"{r['images'] / r['plain_images']:.2f})" if r["plain_images"] != r["images"] else ""
    plain10 = 10 * r["plain_epoch_s"]
    cached10 = r["features_s"] + r["cached_first_epoch_s"] + 9 * r["cached_epoch_s"]
    print(f"{label}, {r['images']} images at {r['size']}x{r['size']}{scaled}:\n"
          f"  per epoch: plain {r['plain_epoch_s']:.2f} s (2nd of 2 measured epochs; 1st with tracing "
          f"{r['plain_first_epoch_s']:.2f} s), cached at {r['layer']} {r['cached_epoch_s']:.3f} s "
          f"-> {r['plain_epoch_s'] / r['cached_epoch_s']:.1f}x faster per epoch\n"
          f"  10 epochs: plain {plain10:.1f} s (10 x measured epoch) vs cached {cached10:.1f} s "
          f"(feature pass {r['features_s']:.2f} s + 1st epoch {r['cached_first_epoch_s']:.2f} s + 9 x "
          f"{r['cached_epoch_s']:.3f} s) -> {plain10 / cached10:.1f}x", flush=True)


def throughput(policy: str, size: int, *, batch: int, steps: int) -> float:
    """Images/s of train_on_batch (forward + backward + Adam update) of a fully trainable VGG16."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(1)
        base = keras.applications.VGG16(include_top=False, weights=None, input_shape=(size, size, 3),
                                        pooling="avg")
        x = keras.layers.Dense(CLASSES, activation="softmax", dtype="float32")(base.output)
        model = keras.Model(base.input, x)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        rng = np.random.default_rng(2)
        xs = rng.uniform(0, 255, (batch, size, size, 3)).astype(np.float32)
        ys = rng.integers(0, CLASSES, (batch,))
        model.train_on_batch(xs, ys)  # tracing
        started = time.perf_counter()
        for _ in range(steps):
            model.train_on_batch(xs, ys)
        return batch * steps / (time.perf_counter() - started)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def demo_photos(size: int = 64) -> tuple[np.ndarray, np.ndarray, list[str]]:
    folder = ROOT / "demo_data" / "demo-photos"
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    xs, ys = [], []
    for label, name in enumerate(classes):
        for path in sorted((folder / name).iterdir()):
            try:
                image = Image.open(path).convert("RGB").resize((size, size))
            except OSError:
                continue
            xs.append(np.asarray(image, dtype=np.float32))
            ys.append(label)
    return np.stack(xs), np.asarray(ys), classes


def small_cnn_accuracy(policy: str, x: np.ndarray, y: np.ndarray, classes: int, *, epochs: int) -> tuple[float, float]:
    """(val accuracy, seconds) of a small CNN trained from scratch with the same seed and split."""
    keras.mixed_precision.set_global_policy(policy)
    try:
        keras.utils.set_random_seed(7)
        rng = np.random.default_rng(7)
        order = rng.permutation(len(x))
        val = order[: len(x) // 5]
        train = order[len(x) // 5:]
        model = keras.Sequential([
            keras.Input(x.shape[1:]),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(classes, activation="softmax", dtype="float32"),
        ])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        started = time.perf_counter()
        model.fit(x[train], y[train], epochs=epochs, batch_size=16, shuffle=True, verbose=0)
        seconds = time.perf_counter() - started
        _, accuracy = model.evaluate(x[val], y[val], verbose=0)
        return float(accuracy), seconds
    finally:
        keras.mixed_precision.set_global_policy("float32")


def main() -> None:
    quick = "--quick" in sys.argv
    images = 128 if quick else 600
    subset_224 = 32 if quick else 64
    print(f"bench_cache_mixed ({'quick' if quick else 'full'}), {os.cpu_count()} CPUs, "
          f"load average at start {os.getloadavg()[0]:.2f}", flush=True)

    print("\n== 1. frozen VGG16 + head: plain fit vs cached features ==", flush=True)
    print_cache("frozen VGG16 + head", cache_figures(64, images=images, plain_subset=images))
    print_cache("frozen VGG16 + head", cache_figures(224, images=images, plain_subset=subset_224))

    print("\n== 2. block 5 trainable (cut at block4_pool) vs plain, 64x64 ==", flush=True)
    print_cache("VGG16 block 5 trainable", cache_figures(64, images=images, plain_subset=images, trainable=BLOCK5))

    print("\n== 3. mixed precision (mixed_bfloat16 vs float32) ==", flush=True)
    for size, batch, steps in ((128, 16, 2 if quick else 4), (224, 8, 2 if quick else 3)):
        f32 = throughput("float32", size, batch=batch, steps=steps)
        bf16 = throughput("mixed_bfloat16", size, batch=batch, steps=steps)
        print(f"VGG16 fully trainable, forward+backward at {size}x{size}, batch {batch}, {steps} timed batches: "
              f"float32 {f32:.1f} images/s, mixed_bfloat16 {bf16:.1f} images/s -> {bf16 / f32:.2f}x", flush=True)
    x, y, classes = demo_photos(64)
    epochs = 10
    acc32, s32 = small_cnn_accuracy("float32", x, y, len(classes), epochs=epochs)
    acc16, s16 = small_cnn_accuracy("mixed_bfloat16", x, y, len(classes), epochs=epochs)
    print(f"small CNN from scratch, demo photos ({len(x)} images, {len(classes)} classes: {', '.join(classes)}), "
          f"64x64, {epochs} epochs, seed 7, 80/20 split ({len(x) - len(x) // 5} train / {len(x) // 5} val):\n"
          f"  val accuracy float32 {acc32:.3f} ({s32:.1f} s), mixed_bfloat16 {acc16:.3f} ({s16:.1f} s), "
          f"difference {acc16 - acc32:+.3f} (chance {1 / len(classes):.2f})", flush=True)
    print(f"\nload average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
