"""A real run of a tiny network, from POST /api/runs/ through a worker to stored metrics and weights."""
import pytest
from django.core.management import call_command
from training_builders import make_dataset, make_project

from studio.training.models import Run
from studio.training.paths import final_weights_path

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_trains_a_queued_run_and_stores_every_message(alice, alice_client):
    dataset = make_dataset(alice, classes={"red": 8, "blue": 8})
    project = make_project(alice)
    response = alice_client.post("/api/runs/", {
        "project": project.id, "dataset": dataset.id, "name": "first",
        "hyperparameters": {"epochs": 3, "batch_size": 4, "learning_rate": 0.01, "seed": 7,
                            "split": {"validation": 0.25, "test": 0.0}},
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued"
    assert body["preflight"]["ok"] is True

    call_command("trainworker", once=True, poll=0.1, worker_id="test-worker")

    run = alice_client.get(f"/api/runs/{body['id']}/").json()
    assert run["status"] == "succeeded", run["error"]
    assert run["epoch"] == 3 and run["attempt"] == 1 and run["worker"] == "test-worker"
    assert run["devices"] == ["CPU"]
    assert set(run["final"]) >= {"loss", "accuracy", "val_loss", "val_accuracy", "epoch"}
    assert run["best"]["monitor"] == "val_loss" and run["best"]["val_loss"] <= run["final"]["val_loss"]
    assert final_weights_path(body["id"]).exists()

    messages = alice_client.get(f"/api/runs/{body['id']}/metrics/").json()
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    statuses = [m["status"] for m in messages if m["type"] == "status"]
    assert statuses == ["queued", "running", "succeeded"]
    epochs = [m for m in messages if m["type"] == "epoch"]
    assert [m["epoch"] for m in epochs] == [1, 2, 3]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds",
            "samples_per_second"} <= set(epochs[0])
    batches = [m for m in messages if m["type"] == "batch"]
    steps = batches[0]["steps"]
    # The last batch of every epoch is always stored.
    assert {(m["epoch"], m["step"]) for m in batches} >= {(e, steps) for e in (1, 2, 3)}
    assert Run.objects.get(id=body["id"]).first_batch is not None
