"""A small studio world in whatever database DATABASE_URL names: run as a script, it prints JSON.

The scale-out tests run the studio as real processes (workers, daphne) against a PostgreSQL
database of their own, so the objects those processes read are made here, in a process of the same
kind, rather than through the test session's own (SQLite) connection.

    python tests/scaleout/world.py seed --runs 12 --hp '{"epochs": 2}'   -> {"user", "password", "project", ...}
    python tests/scaleout/world.py runs --count 3 --hp '{...}'            -> {"runs": [ids]}
    python tests/scaleout/world.py claim --worker-id w1 [--devices 1]     -> {"claimed": [ids]} (queue only)
    python tests/scaleout/world.py api /api/runs/1/                       -> the answer, as the seeded user
"""
import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

USERNAME = "scale"
PASSWORD = "Scale-out-password-7"
# Each class is a colour with noise: a tiny network learns it in an epoch or two.
COLORS = {"red": (200, 40, 40), "blue": (40, 60, 200)}


def tiny_graph(size: int = 32) -> dict:
    """Frozen convolution (so the feature cache applies) and a trainable head: a second or two per run."""
    edges = [("in", "scale"), ("scale", "conv"), ("conv", "pool"), ("pool", "flat"), ("flat", "out")]
    return {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [size, size, 3]}},
            {"id": "scale", "type": "Rescaling", "params": {"scale": 1 / 255}},
            {"id": "conv", "type": "Conv2D", "params": {"filters": 4, "kernel_size": 3, "activation": "relu",
                                                         "trainable": False}},
            {"id": "pool", "type": "MaxPooling2D", "params": {"pool_size": 4}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": 2, "activation": "softmax"}},
        ],
        "edges": [{"source": a, "target": b} for a, b in edges],
    }


def _images(folder: Path, per_class: int) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    for label, color in COLORS.items():
        (folder / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            pixels = np.clip(np.array(color) + rng.normal(0, 25, (32, 40, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / label / f"{i}.png")
    return folder


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django

    django.setup()


def _queue(count: int, hp: dict) -> list[int]:
    from studio.datasets.models import Dataset
    from studio.projects.models import Project
    from studio.training import services

    project = Project.objects.filter(owner__username=USERNAME).order_by("id").first()
    dataset = Dataset.objects.filter(owner__username=USERNAME).order_by("id").first()
    return [services.run_create(owner=project.owner, project=project, dataset=dataset, name=f"run {i + 1}",
                                hyperparameters={"seed": i, **hp})[0].id for i in range(count)]


def seed(args) -> dict:
    from django.contrib.auth import get_user_model

    from studio.datasets.services import dataset_create_from_folder
    from studio.projects.models import Project

    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    folder = _images(Path(os.environ["STUDIO_DATA_DIR"]) / "upload" / "colors", args.per_class)
    dataset = dataset_create_from_folder(owner=user, name="colors", folder=folder)
    project = Project.objects.create(owner=user, name="tiny", graph=tiny_graph())
    runs = _queue(args.runs, json.loads(args.hp))
    return {"user": USERNAME, "password": PASSWORD, "project": project.id, "dataset": dataset.id, "runs": runs}


def claim(args) -> dict:
    """Claim runs until the queue is empty, training none of them (what a worker's loop does)."""
    from studio.training.queue import run_claim_next

    claimed = []
    while (run := run_claim_next(worker_id=args.worker_id, devices=["CPU"] * args.devices,
                                 capacity=args.devices)) is not None:
        claimed.append(run.id)
    return {"claimed": claimed}


def get(args) -> dict:
    """GET an API path as the seeded user, through Django's whole request stack."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    answer = client.get(args.path)
    return {"status": answer.status_code, "body": answer.json()}


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seed")
    p.add_argument("--runs", type=int, default=0)
    p.add_argument("--per-class", type=int, default=8)
    p.add_argument("--hp", default="{}")
    p = sub.add_parser("runs")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--hp", default="{}")
    p = sub.add_parser("claim")
    p.add_argument("--worker-id", required=True)
    p.add_argument("--devices", type=int, default=1)
    p = sub.add_parser("api")
    p.add_argument("path")
    args = parser.parse_args()
    _setup()
    if args.command == "seed":
        result = seed(args)
    elif args.command == "runs":
        result = {"runs": _queue(args.count, json.loads(args.hp))}
    elif args.command == "api":
        result = get(args)
    else:
        result = claim(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
