"""The runs API without training: input checks, ownership, idempotency, stop, metrics paging."""
import pytest
from training_builders import make_dataset, make_project, tiny_graph

from studio.training.events import events_append
from studio.training.models import Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice):
    return {"project": make_project(alice), "dataset": make_dataset(alice)}


def _post(client, world, path="/api/runs/", **overrides):
    body = {"project": world["project"].id, "dataset": world["dataset"].id, "name": "r",
            "hyperparameters": {"epochs": 2, "batch_size": 4}}
    body.update(overrides)
    return client.post(path, body, format="json")


def test_it_queues_a_run_with_a_snapshot_of_the_graph(alice_client, world):
    response = _post(alice_client, world)
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "queued" and body["epochs"] == 2
    assert body["preflight"]["ok"] is True and body["classes"] == ["blue", "red"]
    world["project"].graph = tiny_graph(units=5)
    world["project"].save()
    assert alice_client.get(f"/api/runs/{body['id']}/").json()["graph"]["nodes"][-1]["params"]["units"] == 2


def test_it_refuses_another_users_project_or_dataset_as_not_found(bob_client, bob, world):
    response = _post(bob_client, world, dataset=make_dataset(bob, name="bobs").id)
    assert response.status_code == 400 and "not yours" in response.json()["detail"]
    bobs_project = make_project(bob)
    response = _post(bob_client, world, project=bobs_project.id)
    assert response.status_code == 400 and "no dataset" in response.json()["detail"]
    assert Run.objects.count() == 0


@pytest.mark.parametrize("hyperparameters, field", [
    ({"batch_size": 0}, "batch_size"),
    ({"epochs": 10**9}, "epochs"),
    ({"learning_rate": -1}, "learning_rate"),
    ({"optimizer": "magic"}, "optimizer"),
])
def test_it_refuses_absurd_hyperparameters_with_the_field_named(alice_client, world, hyperparameters, field):
    response = _post(alice_client, world, hyperparameters=hyperparameters)
    assert response.status_code == 400
    assert field in response.json()["detail"]
    assert any(e["field"] == f"hyperparameters.{field}" for e in response.json()["errors"])


def test_it_refuses_an_invalid_graph_with_its_validation_errors(alice_client, world):
    world["project"].graph = {"version": 1, "nodes": [], "edges": []}
    world["project"].save()
    response = _post(alice_client, world)
    assert response.status_code == 400
    assert "graph is not valid" in response.json()["detail"] and response.json()["errors"]


def test_a_failed_preflight_is_a_400_with_the_report(alice_client, world):
    world["project"].graph = tiny_graph(units=3)
    world["project"].save()
    response = _post(alice_client, world)
    assert response.status_code == 400
    body = response.json()
    assert "set units to 2" in body["detail"]
    assert body["preflight"]["ok"] is False


def test_preflight_alone_queues_nothing(alice_client, world):
    response = _post(alice_client, world, path="/api/runs/preflight/")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["hyperparameters"]["epochs"] == 2
    assert Run.objects.count() == 0


def test_a_repeated_request_id_returns_the_first_run(alice_client, world):
    first = _post(alice_client, world, request_id="click-1")
    again = _post(alice_client, world, request_id="click-1")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert _post(alice_client, world, request_id="click-2").status_code == 201
    assert Run.objects.count() == 2


def test_only_the_owner_sees_a_run(alice_client, bob_client, world):
    run_id = _post(alice_client, world).json()["id"]
    for path in (f"/api/runs/{run_id}/", f"/api/runs/{run_id}/metrics/"):
        assert bob_client.get(path).status_code == 404
    assert bob_client.post(f"/api/runs/{run_id}/stop/").status_code == 404
    assert bob_client.get("/api/runs/").json() == []
    assert [r["id"] for r in alice_client.get("/api/runs/").json()] == [run_id]


def test_runs_can_be_listed_by_project(alice, alice_client, world):
    run_id = _post(alice_client, world).json()["id"]
    other = make_project(alice, name="other")
    assert [r["id"] for r in alice_client.get(f"/api/runs/?project={world['project'].id}").json()] == [run_id]
    assert alice_client.get(f"/api/runs/?project={other.id}").json() == []
    assert alice_client.get("/api/runs/?project=x").status_code == 400


def test_stopping_a_queued_run_stops_it_at_once(alice_client, world):
    run_id = _post(alice_client, world).json()["id"]
    response = alice_client.post(f"/api/runs/{run_id}/stop/")
    assert response.status_code == 200 and response.json()["status"] == "stopped"
    assert alice_client.post(f"/api/runs/{run_id}/stop/").json()["status"] == "stopped"  # a second click is fine
    statuses = [m["status"] for m in alice_client.get(f"/api/runs/{run_id}/metrics/").json()]
    assert statuses == ["queued", "stopped"]


def test_stopping_a_training_run_asks_it_to_stop(alice_client, world):
    run_id = _post(alice_client, world).json()["id"]
    Run.objects.filter(id=run_id).update(status="running", attempt=1)
    assert alice_client.post(f"/api/runs/{run_id}/stop/").json()["status"] == "stopping"


def test_a_finished_run_cannot_be_stopped(alice_client, world):
    run_id = _post(alice_client, world).json()["id"]
    Run.objects.filter(id=run_id).update(status="succeeded")
    response = alice_client.post(f"/api/runs/{run_id}/stop/")
    assert response.status_code == 409 and "already finished" in response.json()["detail"]


def test_metrics_can_be_read_after_a_seq(alice_client, world):
    run_id = _post(alice_client, world).json()["id"]
    events_append(run_id=run_id, events=[("log", {"message": str(i)}) for i in range(5)])
    messages = alice_client.get(f"/api/runs/{run_id}/metrics/?after=3").json()
    assert [m["seq"] for m in messages] == [4, 5, 6]
    assert messages[0] == {"seq": 4, "type": "log", "message": "2", "time": messages[0]["time"]}
    assert alice_client.get(f"/api/runs/{run_id}/metrics/?after=-1").status_code == 400
    assert alice_client.get(f"/api/runs/{run_id}/metrics/?limit=2").json()[-1]["seq"] == 2


def test_initial_run_must_be_one_of_your_runs_with_weights(alice_client, world):
    response = _post(alice_client, world, hyperparameters={"initial_run": 999})
    assert response.status_code == 400 and "initial_run" in response.json()["detail"]
