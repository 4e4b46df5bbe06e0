"""The queue on the runs table (no training): claims, leases, fencing, and taking back lost runs."""
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from training_builders import make_dataset, make_project

from studio.training import services
from studio.training.events import LeaseLost, events_append
from studio.training.models import Run
from studio.training.queue import run_claim_next, run_finish, run_heartbeat, run_reap_expired, run_recover

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def queue_runs(alice):
    project, dataset = make_project(alice), make_dataset(alice)

    def make(n: int) -> list[Run]:
        return [services.run_create(owner=alice, project=project, dataset=dataset,
                                    hyperparameters={"epochs": 1})[0] for _ in range(n)]

    return make


def _statuses(run: Run) -> list[str]:
    return [e.payload["status"] for e in run.events.filter(type="status").order_by("seq")]


def test_runs_are_claimed_oldest_first_and_attempts_counted(queue_runs):
    first, second = queue_runs(2)
    claimed = run_claim_next(worker_id="w", devices=["CPU"])
    assert claimed.id == first.id and claimed.status == "running" and claimed.attempt == 1
    assert claimed.lease_expires > timezone.now() and claimed.started is not None
    assert run_claim_next(worker_id="w", devices=["CPU"]).id == second.id
    assert run_claim_next(worker_id="w", devices=["CPU"]) is None


def test_concurrent_claims_give_each_run_to_exactly_one_worker(queue_runs):
    runs = queue_runs(6)
    claims: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        mine = claims.setdefault(name, [])
        try:
            while (run := run_claim_next(worker_id=name, devices=["CPU"])) is not None:
                mine.append(run.id)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = sorted(run_id for ids in claims.values() for run_id in ids)
    assert claimed == sorted(r.id for r in runs)
    assert set(Run.objects.values_list("attempt", flat=True)) == {1}


def test_a_stale_attempt_can_no_longer_write(queue_runs):
    (run,) = queue_runs(1)
    claimed = run_claim_next(worker_id="w", devices=["CPU"])
    Run.objects.filter(id=run.id).update(attempt=2)  # another worker took over
    with pytest.raises(LeaseLost):
        events_append(run_id=run.id, events=[("log", {"message": "late"})], attempt=claimed.attempt)
    assert run_heartbeat(run_id=run.id, attempt=claimed.attempt) is None
    assert run_finish(run_id=run.id, attempt=claimed.attempt, status="succeeded") is False
    assert Run.objects.get(id=run.id).status == "running"


def test_a_lost_run_resumes_until_its_attempts_are_spent_then_fails(queue_runs, settings):
    settings.STUDIO_RUN_MAX_ATTEMPTS = 2
    (run,) = queue_runs(1)
    first = run_claim_next(worker_id="w", devices=["CPU"])
    Run.objects.filter(id=run.id).update(epoch=3)
    assert run_recover(run_id=run.id, attempt=first.attempt, reason="gone") == "queued"
    second = run_claim_next(worker_id="w", devices=["CPU"])
    assert second.attempt == 2
    assert run_recover(run_id=run.id, attempt=second.attempt, reason="gone again") == "failed"
    run.refresh_from_db()
    assert run.status == "failed" and "Gave up after 2 attempts" in run.error and run.finished
    messages = [e.payload.get("message", "") for e in run.events.filter(type="status")]
    assert any("Resuming from the checkpoint after epoch 3 (attempt 2 of 2)" in m for m in messages)


def test_a_run_that_was_stopping_when_its_worker_vanished_ends_stopped(queue_runs):
    (run,) = queue_runs(1)
    claimed = run_claim_next(worker_id="w", devices=["CPU"])
    services.run_request_stop(run=run)
    assert run_recover(run_id=run.id, attempt=claimed.attempt, reason="gone") == "stopped"
    assert _statuses(Run.objects.get(id=run.id)) == ["queued", "running", "stopping", "stopped"]


def test_expired_leases_are_reaped_and_live_ones_are_not(queue_runs):
    lost, alive = queue_runs(2)
    run_claim_next(worker_id="dead", devices=["CPU"])
    run_claim_next(worker_id="alive", devices=["CPU"])
    Run.objects.filter(id=lost.id).update(lease_expires=timezone.now() - timedelta(seconds=1))
    assert run_reap_expired() == [lost.id]
    lost.refresh_from_db()
    assert lost.status == "queued"
    assert "Worker dead stopped responding" in lost.events.order_by("-seq").first().payload["message"]
    assert Run.objects.get(id=alive.id).status == "running"
