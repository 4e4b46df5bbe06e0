"""Training figures, printed (not a test): run `python bench/bench_training.py [--quick]`.

1. Latency from POST to the first trained batch, with a worker that starts a fresh training process
   per run (cold: Django + TensorFlow imported after the claim) and with one that keeps a process
   warm (the default). Each run is a tiny network on a few images, so the figure is the overhead.
2. The frozen-prefix cache: seconds per epoch of VGG16 (weights=None, 64x64) trained plainly vs on
   cached features, frozen with a Dense head and with block 5 trainable; the one-off feature time.

Everything happens in a temporary data folder with its own SQLite database.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="bench-training-"))
os.environ.update({"STUDIO_DATA_DIR": str(DATA), "DATABASE_URL": f"sqlite:///{DATA / 'bench.sqlite3'}",
                   "DJANGO_SETTINGS_MODULE": "studio.settings", "TF_CPP_MIN_LOG_LEVEL": "3",
                   "LOG_LEVEL": "WARNING"})

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from studio.datasets.services import dataset_create_from_folder  # noqa: E402
from studio.projects.models import Project  # noqa: E402
from studio.training import services  # noqa: E402
from studio.training.models import Run  # noqa: E402


def _dataset(owner, count: int = 8):
    folder = DATA / "upload"
    rng = np.random.default_rng(0)
    for name, colour in (("red", (200, 40, 40)), ("blue", (40, 60, 200))):
        (folder / name).mkdir(parents=True)
        for i in range(count):
            pixels = np.clip(np.array(colour) + rng.normal(0, 25, (32, 32, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / name / f"{i}.png")
    return dataset_create_from_folder(owner=owner, name="colors", folder=folder)


def _tiny_graph() -> dict:
    nodes = [{"id": "in", "type": "Input", "params": {"shape": [32, 32, 3]}},
             {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu"}},
             {"id": "flat", "type": "Flatten", "params": {}},
             {"id": "out", "type": "Dense", "params": {"units": 2, "activation": "softmax"}}]
    return {"version": 1, "nodes": nodes,
            "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]}


def _wait(run: Run, predicate, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    run.refresh_from_db()
    raise TimeoutError(f"run {run.id} is {run.status} {run.error} (worker logs in {DATA})")


def first_batch_latency(*, warm: bool, runs: int) -> list[tuple[float, float]]:
    """[(POST -> claimed, POST -> first batch)] in seconds."""
    owner = get_user_model().objects.get(username="bench")
    project, dataset = Project.objects.get(owner=owner), owner.datasets.get()
    args = [sys.executable, "manage.py", "trainworker", "--poll", "0.05"] + ([] if warm else ["--no-prewarm"])
    log_file = open(DATA / f"worker-{'warm' if warm else 'cold'}.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(args, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    figures = []
    try:
        time.sleep(10)  # the worker (and its warm process) start up while the queue is empty
        for _ in range(runs):
            run, _ = services.run_create(owner=owner, project=project, dataset=dataset,
                                         hyperparameters={"epochs": 1, "batch_size": 4})
            _wait(run, lambda run=run: Run.objects.filter(id=run.id, first_batch__isnull=False).exists())
            run.refresh_from_db()
            figures.append(((run.started - run.created).total_seconds(),
                            (run.first_batch - run.created).total_seconds()))
            _wait(run, lambda run=run: Run.objects.filter(id=run.id, status="succeeded").exists())
            time.sleep(8)  # the next warm process gets ready
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log_file.close()
    return figures


def cache_speedup(trainable: tuple[str, ...], *, images: int, epochs: int) -> dict[str, float]:
    import keras

    from studio.graphs import compile_graph
    from studio.training.frozen import compute_features, find_frozen_cut
    from studio.training.inputs import Rows, steps_per_epoch, training_dataset

    graph = {"version": 1, "nodes": [
        {"id": "in", "type": "Input", "params": {"shape": [64, 64, 3]}},
        {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": list(trainable)}},
        {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
        {"id": "out", "type": "Dense", "params": {"units": 4, "activation": "softmax"}}],
        "edges": [{"source": "in", "target": "vgg"}, {"source": "vgg", "target": "gap"},
                  {"source": "gap", "target": "out"}]}
    rng = np.random.default_rng(1)
    rows = Rows(table=rng.integers(0, 256, (images, 64, 64, 3), dtype=np.uint8))
    labels = [int(i % 4) for i in range(images)]
    result = {}
    for mode in ("plain", "cached"):
        keras.utils.set_random_seed(1)
        model = compile_graph(graph)
        train_model, train_rows = model, rows
        if mode == "cached":
            started = time.perf_counter()
            cut = find_frozen_cut(model)
            train_rows, train_model = compute_features(cut.prefix, rows, batch_size=64), cut.suffix
            result["features_s"] = time.perf_counter() - started
            result["layer"] = cut.layer
        train_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        times: list[float] = []
        timer = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda *_, times=times: times.append(time.perf_counter()),
            on_epoch_end=lambda *_, times=times: times.append(time.perf_counter() - times.pop()))
        data = training_dataset(train_rows, labels, batch_size=32, seed=1, first_epoch=0, epochs=epochs, binary=False)
        train_model.fit(data, epochs=epochs, steps_per_epoch=steps_per_epoch(images, 32), callbacks=[timer],
                        shuffle=False, verbose=0)
        result[f"{mode}_epoch_s"] = statistics.median(times[1:] or times)  # the first epoch includes tracing
    return result


def main() -> None:
    quick = "--quick" in sys.argv
    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench", password="bench-password-1")
    Project.objects.create(owner=owner, name="tiny", graph=_tiny_graph())
    _dataset(owner)
    runs = 2 if quick else 3
    for warm in (False, True):
        figures = first_batch_latency(warm=warm, runs=runs)
        claims = ", ".join(f"{c:.2f}" for c, _ in figures)
        firsts = ", ".join(f"{f:.2f}" for _, f in figures)
        print(f"{'warm' if warm else 'cold'} worker: POST -> claimed {claims} s; POST -> first batch {firsts} s "
              f"(median {statistics.median(f for _, f in figures):.2f} s)")
    images = 128 if quick else 512
    for label, trainable in (("frozen VGG16 + head", ()),
                             ("VGG16 block 5 trainable", ("block5_conv1", "block5_conv2", "block5_conv3"))):
        r = cache_speedup(trainable, images=images, epochs=3)
        print(f"{label}, {images} images at 64x64: plain {r['plain_epoch_s']:.2f} s/epoch, cached at {r['layer']} "
              f"{r['cached_epoch_s']:.3f} s/epoch ({r['plain_epoch_s'] / r['cached_epoch_s']:.1f}x), "
              f"features once {r['features_s']:.2f} s")


if __name__ == "__main__":
    main()
