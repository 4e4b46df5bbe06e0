"""Results figures, printed (not a test): run `python bench/bench_results.py [--quick]`.

For a tiny CNN (32x32) and a VGG16 classifier (224x224, random weights, block5 trainable; --quick
skips it), one run each is trained in this process on random-noise images in a throw-away data
folder, then through the HTTP API (Django's test client, the real views):
1. /predict/: the first call (model rebuilt and loaded) and later calls (the cached model), 1 and 8 images.
2. /evaluation/: the first computation and the cached answer.
3. /model/?format=...: the first download of each format (export + check in its own runtime), its
   size, and a second download (served from the cache).
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = Path(tempfile.mkdtemp(prefix="bench-results-"))
os.environ.update(STUDIO_DATA_DIR=str(DATA), DATABASE_URL=f"sqlite:///{DATA / 'bench.sqlite3'}",
                  DJANGO_SETTINGS_MODULE="studio.settings", TF_CPP_MIN_LOG_LEVEL="3", SECRET_KEY="bench-only",
                  ALLOWED_HOSTS="testserver,localhost")
QUICK = "--quick" in sys.argv


def tiny_graph() -> dict:
    steps = [("in", "Input", {"shape": [32, 32, 3]}), ("scale", "Rescaling", {"scale": 1 / 255}),
             ("conv", "Conv2D", {"filters": 8, "kernel_size": 3, "activation": "relu"}),
             ("gap", "GlobalAveragePooling2D", {}), ("out", "Dense", {"units": 3, "activation": "softmax"})]
    return _chain(steps)


def vgg_graph() -> dict:
    steps = [("in", "Input", {"shape": [224, 224, 3]}),
             ("vgg", "VGG16", {"weights": None, "trainable_layers": ["block5_conv1", "block5_conv2", "block5_conv3"]}),
             ("gap", "GlobalAveragePooling2D", {}), ("fc", "Dense", {"units": 256, "activation": "relu"}),
             ("out", "Dense", {"units": 3, "activation": "softmax"})]
    return _chain(steps)


def _chain(steps) -> dict:
    nodes = [{"id": i, "type": t, "params": p} for i, t, p in steps]
    return {"version": 1, "nodes": nodes,
            "edges": [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]}


def png(seed: int, size=(320, 240)) -> bytes:
    import numpy as np
    from PIL import Image

    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


def make_run(owner, name: str, graph: dict):
    from PIL import Image

    from studio.datasets.services import dataset_create_from_folder
    from studio.projects.models import Project
    from studio.training import services
    from studio.training.queue import run_claim_next
    from studio.training.trainer import train_run

    folder = DATA / "upload" / name
    for label in ("a", "b", "c"):
        (folder / label).mkdir(parents=True)
        for i in range(12):
            Image.open(io.BytesIO(png(hash((label, i)) % 1000))).save(folder / label / f"{i}.jpg")
    dataset = dataset_create_from_folder(owner=owner, name=name, folder=folder)
    project = Project.objects.create(owner=owner, name=name, graph=graph)
    run, _ = services.run_create(owner=owner, project=project, dataset=dataset,
                                 hyperparameters={"epochs": 1, "batch_size": 8, "seed": 1,
                                                  "split": {"validation": 0.25, "test": 0.25}})
    claimed = run_claim_next(worker_id="bench", devices=["CPU"])
    started = time.perf_counter()
    train_run(run_id=run.id, attempt=claimed.attempt)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    print(f"\n== {name}: trained 1 epoch in {time.perf_counter() - started:.1f} s")
    return run


def timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def bench(client, run) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from studio.exports import model_cache
    from studio.exports.run_downloads import download_formats

    def predict(n: int):
        files = [SimpleUploadedFile(f"{i}.png", png(100 + i)) for i in range(n)]
        response = client.post(f"/api/runs/{run.id}/predict/", {"file": files}, format="multipart")
        assert response.status_code == 200, response.content
        return response.json()

    model_cache.clear()
    cold, _ = timed(lambda: predict(1))
    print(f"predict 1 image, cold (rebuild + load weights): {cold * 1000:.0f} ms")
    for n in (1, 8):
        times, model_times = [], []
        for _ in range(7):
            seconds, body = timed(lambda n=n: predict(n))
            times.append(seconds)
            model_times.append(body["seconds"])
        print(f"predict {n} image{'s' if n > 1 else ''}, warm: {statistics.median(times) * 1000:.0f} ms per request "
              f"(model {statistics.median(model_times) * 1000:.0f} ms), median of 7")

    first, body = timed(lambda: client.get(f"/api/runs/{run.id}/evaluation/?split=test").json())
    again, _ = timed(lambda: client.get(f"/api/runs/{run.id}/evaluation/?split=test").json())
    print(f"evaluation on {body['total']} test images: first {first:.2f} s, cached {again * 1000:.0f} ms")

    for fmt in download_formats():
        seconds, response = timed(lambda fmt=fmt: client.get(f"/api/runs/{run.id}/model/?format={fmt}"))
        assert response.status_code == 200, response.content
        size = sum(len(chunk) for chunk in response.streaming_content)
        cached, response = timed(lambda fmt=fmt: client.get(f"/api/runs/{run.id}/model/?format={fmt}"))
        b"".join(response.streaming_content)
        record = client.get(f"/api/runs/{run.id}/model/formats/").json()
        exported = next(f["exported"] for f in record["formats"] if f["name"] == fmt)
        print(f"download {fmt:10s} {size / 1e6:8.2f} MB: first {seconds:6.2f} s "
              f"(export {exported['export_seconds']:.2f} s + check {exported['verify_seconds']:.2f} s, "
              f"max diff {exported['max_difference']:.1e}), cached {cached * 1000:.0f} ms")


def main() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.test import APIClient

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("bench", password="bench-password-1")
    client = APIClient()
    client.force_authenticate(owner)
    cases = [("tiny-cnn-32", tiny_graph())] + ([] if QUICK else [("vgg16-224", vgg_graph())])
    try:
        for name, graph in cases:
            bench(client, make_run(owner, name, graph))
    finally:
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
