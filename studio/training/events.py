"""Appending metric events: per-run sequence numbers without gaps, fenced by the run's attempt.

Every message a run shows (status changes, batch and epoch metrics, log lines) is stored here first
and published to the live stream only after its transaction commits, so a listener can never see a
message the database does not have. The counter row (Run.last_seq) is updated in the same
transaction as the insert: concurrent writers queue on that row, so sequence numbers commit in order
and a reader that sees seq N has already been able to see every seq below N.
"""
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from studio.streaming.publish import publish
from studio.training.models import MetricEvent, Run

log = logging.getLogger(__name__)

RESERVED_KEYS = {"seq", "type", "time"}


class LeaseLost(Exception):
    """The run is no longer this process's to write: another attempt took it over, or it finished."""


def event_message(event: MetricEvent) -> dict:
    """The JSON shape of one stored message, the same on the socket and in GET /api/runs/{id}/metrics/."""
    return {"seq": event.seq, "type": event.type, "time": event.created.isoformat(), **event.payload}


def events_append(*, run_id: int, events: Iterable[tuple[str, dict]], attempt: int | None = None) -> list[MetricEvent]:
    """Store (type, payload) messages in order and publish them after commit.

    With `attempt`, the write happens only while that attempt still trains the run (else LeaseLost).
    Call inside a status change's transaction to make the change and its message one unit.
    """
    events = list(events)
    if not events:
        return []
    for kind, payload in events:
        if kind not in MetricEvent.Type.values or RESERVED_KEYS & set(payload):
            raise ValueError(f"bad event {kind!r}: payload keys {sorted(RESERVED_KEYS & set(payload))} are reserved")
    with transaction.atomic():
        runs = Run.objects.filter(id=run_id)
        if attempt is not None:
            runs = runs.filter(attempt=attempt, status__in=Run.TRAINING)
        if not runs.update(last_seq=F("last_seq") + len(events)):
            raise LeaseLost(f"run {run_id} attempt {attempt} no longer owns the run")
        last = Run.objects.filter(id=run_id).values_list("last_seq", flat=True).get()
        first = last - len(events) + 1
        rows = MetricEvent.objects.bulk_create(
            MetricEvent(run_id=run_id, seq=first + i, type=kind, payload=payload)
            for i, (kind, payload) in enumerate(events)
        )
        messages = [event_message(row) for row in rows]
        transaction.on_commit(lambda: publish(run_id=run_id, messages=messages))
    return rows


def status_payload(status: str, message: str = "", **extra) -> dict:
    payload = {"status": status, **extra}
    if message:
        payload["message"] = message
    return payload
