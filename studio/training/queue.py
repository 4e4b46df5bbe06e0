"""The job queue on the runs table: claim, heartbeat, finish, and take back runs whose worker vanished.

Claims are conditional UPDATEs (`... WHERE id = ? AND status = 'queued'`): of two workers that pick
the same run only one updates a row, the other moves on. On PostgreSQL the candidate is also read
with SELECT ... FOR UPDATE SKIP LOCKED so workers do not even queue behind each other; SQLite has
no row locks (it ignores select_for_update) and relies on the conditional update alone, inside the
IMMEDIATE transactions the settings configure.

A claim increments `attempt` and sets a lease; the worker extends the lease while its training
process lives. Every write for a run in training names the attempt it belongs to, so whoever lost a
run (a stalled worker whose lease expired) can no longer change it.
"""
import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from studio.training import conf
from studio.training.events import events_append, status_payload
from studio.training.models import Run

log = logging.getLogger(__name__)


def claimable(capacity: int | None = None):
    """Queued runs, oldest first; with `capacity`, only those a worker with that many devices can train
    (hyper-parameter `gpus` null, i.e. "all the worker has", or at most `capacity`)."""
    queued = Run.objects.filter(status=Run.Status.QUEUED)
    if capacity is not None:
        queued = queued.filter(Q(hyperparameters__gpus=None) | Q(hyperparameters__gpus__isnull=True)
                               | Q(hyperparameters__gpus__lte=capacity))
    return queued.order_by("created", "id")


def run_claim_next(*, worker_id: str, devices: list[str], lease_seconds: float | None = None,
                   capacity: int | None = None) -> Run | None:
    """Take the oldest queued run this worker can train (see `claimable`), or None when there is none."""
    lease = timedelta(seconds=lease_seconds or conf.lease_seconds())
    while True:
        with transaction.atomic():
            queued = claimable(capacity)
            if connection.features.has_select_for_update_skip_locked:
                queued = queued.select_for_update(skip_locked=True)
            candidate = queued.values_list("id", flat=True).first()
            if candidate is None:
                return None
            now = timezone.now()
            claimed = Run.objects.filter(id=candidate, status=Run.Status.QUEUED).update(
                status=Run.Status.RUNNING, worker_id=worker_id, devices=devices, attempt=F("attempt") + 1,
                heartbeat=now, lease_expires=now + lease, started=Coalesce(F("started"), Value(now)),
            )
            if claimed:
                run = Run.objects.get(id=candidate)
                start = f"from the checkpoint after epoch {run.epoch}" if run.epoch else "from the start"
                where = f"{worker_id} ({', '.join(devices)})" if devices else worker_id
                events_append(run_id=run.id, events=[("status", status_payload(
                    Run.Status.RUNNING, f"Training on {where}, {start}.", attempt=run.attempt, worker=worker_id,
                    devices=devices))])
                log.info("Worker %s claimed run %s (attempt %s)", worker_id, run.id, run.attempt)
                return run
        # Another worker took it between our read and our update: look again.


def run_heartbeat(*, run_id: int, attempt: int, lease_seconds: float | None = None) -> str | None:
    """Extend the lease; the run's status, or None when this attempt no longer holds the run."""
    now = timezone.now()
    lease = timedelta(seconds=lease_seconds or conf.lease_seconds())
    held = Run.objects.filter(id=run_id, attempt=attempt, status__in=Run.TRAINING)
    if not held.update(heartbeat=now, lease_expires=now + lease):
        return None
    return Run.objects.filter(id=run_id).values_list("status", flat=True).first()


def run_finish(*, run_id: int, attempt: int, status: str, message: str = "", best: dict | None = None,
               final: dict | None = None) -> bool:
    """End a run in training (succeeded, failed or stopped); False when this attempt no longer holds it."""
    fields = {"status": status, "finished": timezone.now(), "lease_expires": None}
    if status == Run.Status.FAILED:
        fields["error"] = message
    if best is not None:
        fields["best"] = best
    if final is not None:
        fields["final"] = final
    with transaction.atomic():
        if not Run.objects.filter(id=run_id, attempt=attempt, status__in=Run.TRAINING).update(**fields):
            return False
        events_append(run_id=run_id, events=[("status", status_payload(status, message))])
    return True


def run_recover(*, run_id: int, attempt: int, reason: str, expired_before=None) -> str | None:
    """The training process of this attempt is gone: resume the run from its checkpoint (queued again),
    or stop it (it was stopping anyway), or fail it once it has used all its attempts. Metrics stay.
    Returns the new status, or None when the attempt no longer held the run (someone else acted)."""
    with transaction.atomic():
        held = Run.objects.select_for_update().filter(id=run_id, attempt=attempt, status__in=Run.TRAINING)
        if expired_before is not None:
            held = held.filter(lease_expires__lt=expired_before)
        run = held.first()
        if run is None:
            return None
        now = timezone.now()
        limit = conf.max_attempts()
        if run.status == Run.Status.STOPPING:
            status, message, fields = Run.Status.STOPPED, f"{reason} while stopping; the run is stopped.", {}
        elif run.attempt < limit:
            where = f"the checkpoint after epoch {run.epoch}" if run.epoch else "the start"
            status = Run.Status.QUEUED
            message = f"{reason}. Resuming from {where} (attempt {run.attempt + 1} of {limit})."
            fields = {}
        else:
            status = Run.Status.FAILED
            message = f"{reason}. Gave up after {run.attempt} attempts."
            fields = {"error": message}
        if status != Run.Status.QUEUED:
            fields["finished"] = now
        Run.objects.filter(id=run_id, attempt=attempt).update(status=status, lease_expires=None, **fields)
        events_append(run_id=run_id, events=[("status", status_payload(status, message, attempt=attempt))])
    log.warning("Run %s attempt %s: %s -> %s", run_id, attempt, reason, status)
    return status


def run_reap_expired() -> list[int]:
    """Take back every run whose lease expired (its worker was killed, hung, or lost its machine)."""
    now = timezone.now()
    expired = Run.objects.filter(status__in=Run.TRAINING, lease_expires__lt=now).values_list(
        "id", "attempt", "worker_id", "heartbeat")
    recovered = []
    for run_id, attempt, worker_id, heartbeat in expired:
        silent = f" for {(now - heartbeat).total_seconds():.0f} s" if heartbeat else ""
        reason = f"Worker {worker_id or '?'} stopped responding (no heartbeat{silent})"
        if run_recover(run_id=run_id, attempt=attempt, reason=reason, expired_before=now):
            recovered.append(run_id)
    return recovered
