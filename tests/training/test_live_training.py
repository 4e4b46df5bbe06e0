"""Live: a socket follows a run a worker trains in another process, the run is stopped, two workers share a queue."""
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from training_builders import make_dataset, make_project, session_cookie, socket_for, start_worker

from studio.streaming import consumers
from studio.training import services
from studio.training.models import Run
from studio.training.paths import final_weights_path

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_socket_follows_a_run_until_it_is_stopped(alice, fast_worker, monkeypatch):
    monkeypatch.setattr(consumers, "POLL_SECONDS", 0.2)
    run, _ = services.run_create(owner=alice, project=make_project(alice), dataset=make_dataset(alice),
                                 hyperparameters={"epochs": 200, "batch_size": 4, "seed": 1})
    cookie = session_cookie(alice)
    worker = start_worker("--once")

    async def scenario() -> list[dict]:
        socket = socket_for(run.id, cookie)
        assert (await socket.connect())[0]
        received: list[dict] = []
        while True:
            message = await socket.receive_json_from(timeout=60)
            received.append(message)
            if message["type"] == "epoch" and message["epoch"] == 2:
                await sync_to_async(services.run_request_stop)(run=run)
            if message["type"] == "status" and message["status"] in ("stopped", "failed", "succeeded"):
                break
        await socket.disconnect()
        return received

    try:
        received = async_to_sync(scenario)()
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    run.refresh_from_db()
    assert run.status == "stopped" and run.epoch < 200
    assert [m["seq"] for m in received] == list(range(1, len(received) + 1))
    assert [m["status"] for m in received if m["type"] == "status"] == ["queued", "running", "stopping", "stopped"]
    assert len(received) == run.events.count()
    assert final_weights_path(run.id).exists() and run.final["loss"] is not None


def test_two_workers_train_every_queued_run_exactly_once(alice, fast_worker):
    project, dataset = make_project(alice), make_dataset(alice)
    runs = [services.run_create(owner=alice, project=project, dataset=dataset,
                                hyperparameters={"epochs": 1, "batch_size": 8, "seed": i})[0] for i in range(4)]
    workers = [start_worker("--once", "--no-prewarm", "--worker-id", name) for name in ("w1", "w2")]
    try:
        assert [w.wait(timeout=180) for w in workers] == [0, 0]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    trained = Run.objects.filter(id__in=[r.id for r in runs])
    assert set(trained.values_list("status", flat=True)) == {"succeeded"}
    assert set(trained.values_list("attempt", flat=True)) == {1}
    for run in trained:
        assert [e.payload["status"] for e in run.events.filter(type="status")].count("running") == 1
    assert set(trained.values_list("worker_id", flat=True)) == {"w1", "w2"}
