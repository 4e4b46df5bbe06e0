"""What the worker does when training goes wrong: a diverging loss, a killed training process, a lost worker."""
import os
import signal
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from training_builders import make_dataset, make_project, start_worker, tiny_graph, wait_for

from studio.training import services
from studio.training.models import Run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _queue(owner, graph=None, **hp) -> Run:
    run, _ = services.run_create(owner=owner, project=make_project(owner, graph), dataset=make_dataset(owner),
                                 hyperparameters={"batch_size": 4, "seed": 3, **hp})
    return run


def _messages(run: Run, kind: str) -> list[dict]:
    return [e.payload for e in run.events.filter(type=kind).order_by("seq")]


def _training_pid(run: Run) -> int:
    return next(m["pid"] for m in _messages(run, "log") if "pid" in m)


def _assert_clean_history(run: Run, epochs: int) -> None:
    seqs = list(run.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert sorted(m["epoch"] for m in _messages(run, "epoch")) == list(range(1, epochs + 1))


def _exploding_graph() -> dict:
    """Inputs scaled by 10^12 and linear logits: one SGD step sends the weights past float32's range."""
    graph = tiny_graph(activation="linear")
    graph["nodes"][1]["params"] = {"scale": 1e6}
    graph["nodes"].insert(2, {"id": "scale2", "type": "Rescaling", "params": {"scale": 1e6}})
    graph["edges"][1] = {"source": "scale", "target": "scale2"}
    graph["edges"].insert(2, {"source": "scale2", "target": "conv"})
    return graph


def test_a_diverging_loss_fails_the_run_naming_epoch_and_batch(alice):
    run = _queue(alice, _exploding_graph(), epochs=3, optimizer="sgd", learning_rate=10.0)
    call_command("trainworker", once=True, poll=0.1)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "loss became" in run.error and "at epoch 1, batch" in run.error and "learning rate" in run.error
    assert _messages(run, "status")[-1]["status"] == "failed"


def test_a_killed_training_process_resumes_from_its_checkpoint(alice, fast_worker):
    run = _queue(alice, epochs=30)
    worker = start_worker("--once", "--worker-id", "w1")
    try:
        wait_for(lambda: Run.objects.get(id=run.id).epoch >= 2, timeout=60, interval=0.05, what="two epochs")
        os.kill(_training_pid(run), signal.SIGKILL)
        assert worker.wait(timeout=120) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempt == 2 and run.epoch == 30
    messages = [m.get("message", "") for m in _messages(run, "status")]
    assert any("killed by SIGKILL" in m and "Resuming from the checkpoint after epoch" in m for m in messages)
    assert any("Resumed from the checkpoint" in m.get("message", "") for m in _messages(run, "log"))
    _assert_clean_history(run, 30)


def test_a_vanished_worker_is_noticed_by_another_worker_after_its_lease(alice, fast_worker):
    run = _queue(alice, epochs=30)
    worker = start_worker("--worker-id", "doomed")
    try:
        wait_for(lambda: Run.objects.get(id=run.id).epoch >= 1, timeout=60, interval=0.05, what="an epoch")
        pid = _training_pid(run)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    # The training process dies with its worker (no orphan keeps writing).
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2],
             timeout=10, what="the training process to end")
    lease = Run.objects.get(id=run.id).lease_expires
    time.sleep(max(0.0, (lease - timezone.now()).total_seconds()) + 0.2)
    call_command("trainworker", once=True, poll=0.1, worker_id="rescuer")
    run.refresh_from_db()
    assert run.status == "succeeded" and run.attempt == 2 and run.worker_id == "rescuer"
    assert any("Worker doomed stopped responding" in m.get("message", "") for m in _messages(run, "status"))
    _assert_clean_history(run, 30)


def test_a_worker_asked_to_shut_down_puts_its_run_back_in_the_queue(alice, fast_worker):
    run = _queue(alice, epochs=200)
    worker = start_worker("--worker-id", "leaving")
    try:
        wait_for(lambda: Run.objects.get(id=run.id).epoch >= 1, timeout=60, interval=0.05, what="an epoch")
        pid = _training_pid(run)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    run.refresh_from_db()
    assert run.status == "queued" and run.attempt == 1
    assert "Worker leaving shut down. Resuming from the checkpoint after epoch" in _messages(run, "status")[-1][
        "message"]
    assert not os.path.exists(f"/proc/{pid}") or "Z" in open(f"/proc/{pid}/stat").read().split()[2]


def test_a_training_process_that_cannot_start_fails_the_run_with_its_error(alice, settings, monkeypatch):
    settings.STUDIO_RUN_MAX_ATTEMPTS = 1
    run = _queue(alice, epochs=1)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "studio.no_such_settings")  # only the children read it now
    call_command("trainworker", once=True, poll=0.1, no_prewarm=True)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "exited with status 1 before the run ended" in run.error
    assert "ModuleNotFoundError: No module named 'studio.no_such_settings'" in run.error
