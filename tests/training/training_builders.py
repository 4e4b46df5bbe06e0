"""Builders for the training tests: datasets of simple coloured images, tiny graphs, projects.

(Imported by name: pytest puts this folder on sys.path, as it does for conftest.py.)"""
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from PIL import Image

from studio.datasets.models import Dataset
from studio.datasets.services import dataset_create_from_folder
from studio.projects.models import Project

# Each class is a colour with noise, so a tiny network learns it in a few epochs.
COLORS = {"red": (200, 40, 40), "green": (40, 180, 60), "blue": (40, 60, 200), "gray": (128, 128, 128)}


def make_dataset(owner, *, classes: dict[str, int] | None = None, size=(40, 32), name="colors",
                 seed: int = 0) -> Dataset:
    classes = classes or {"red": 8, "blue": 8}
    rng = np.random.default_rng(seed)
    folder = Path(settings.DATA_DIR) / "upload" / name
    for label, count in classes.items():
        (folder / label).mkdir(parents=True)
        base = np.array(COLORS[label], dtype=np.float64)
        for i in range(count):
            pixels = np.clip(base + rng.normal(0, 25, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / label / f"{i}.png")
    return dataset_create_from_folder(owner=owner, name=name, folder=folder)


def tiny_graph(*, units: int = 2, size: int = 32, activation: str = "softmax", filters: int = 4,
               conv_trainable: bool = True) -> dict:
    conv = {"filters": filters, "kernel_size": 3, "activation": "relu"}
    if not conv_trainable:
        conv["trainable"] = False
    return {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [size, size, 3]}},
            {"id": "scale", "type": "Rescaling", "params": {"scale": 1 / 255}},
            {"id": "conv", "type": "Conv2D", "params": conv},
            {"id": "pool", "type": "MaxPooling2D", "params": {"pool_size": 4}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": units, "activation": activation}},
        ],
        "edges": [{"source": a, "target": b} for a, b in
                  [("in", "scale"), ("scale", "conv"), ("conv", "pool"), ("pool", "flat"), ("flat", "out")]],
    }


def vgg_graph(*, units: int = 2, trainable_layers=("block5_conv1", "block5_conv2", "block5_conv3")) -> dict:
    return {
        "version": 1,
        "nodes": [
            {"id": "in", "type": "Input", "params": {"shape": [32, 32, 3]}},
            {"id": "vgg", "type": "VGG16", "params": {"weights": None, "trainable_layers": list(trainable_layers)}},
            {"id": "flat", "type": "Flatten", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": units, "activation": "softmax"}},
        ],
        "edges": [{"source": "in", "target": "vgg"}, {"source": "vgg", "target": "flat"},
                  {"source": "flat", "target": "out"}],
    }


def make_project(owner, graph: dict | None = None, name: str = "tiny") -> Project:
    return Project.objects.create(owner=owner, name=name, graph=graph or tiny_graph())


def start_worker(*args: str) -> subprocess.Popen:
    """`manage.py trainworker` as its own process (same settings, database file and data folder)."""
    return subprocess.Popen([sys.executable, "manage.py", "trainworker", "--poll", "0.2", *args],
                            cwd=str(settings.BASE_DIR))


def wait_for(predicate, *, timeout: float = 60.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def session_cookie(user) -> bytes:
    """A signed-in browser session's cookie header, for sockets."""
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def socket_for(run_id: int, cookie: bytes | None, query: str = "") -> WebsocketCommunicator:
    """A socket to /ws/runs/{id}/ through the real ASGI application (origin check, session, routing)."""
    from studio.asgi import application

    headers = [(b"origin", b"http://localhost")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, f"/ws/runs/{run_id}/{query}", headers=headers)
