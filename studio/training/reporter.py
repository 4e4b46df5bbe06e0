"""The training process's writes to its run, every one fenced by the attempt it was started for.

If another worker took the run over (this process's worker stopped heart-beating) or the run ended,
the write fails with LeaseLost and training ends without touching the run again.
"""
import math
import os
from typing import Any

from django.utils import timezone

from studio.training.events import LeaseLost, events_append, status_payload
from studio.training.models import Run


def finite(value: Any) -> Any:
    """JSON has no NaN or infinity: such values are stored as null (the status message names them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_logs(logs: dict | None) -> dict[str, float | None]:
    return {key: finite(float(value)) for key, value in (logs or {}).items()}


class Reporter:
    def __init__(self, *, run_id: int, attempt: int) -> None:
        self.run_id, self.attempt = run_id, attempt
        self._parent = os.getppid()

    def _held(self):
        return Run.objects.filter(id=self.run_id, attempt=self.attempt, status__in=Run.TRAINING)

    def emit(self, *events: tuple[str, dict]) -> None:
        events_append(run_id=self.run_id, events=events, attempt=self.attempt)

    def log(self, message: str, **extra: Any) -> None:
        self.emit(("log", {"message": message, **extra}))

    def update(self, **fields: Any) -> None:
        if not self._held().update(**fields):
            raise LeaseLost(f"run {self.run_id} attempt {self.attempt}")

    def mark_first_batch(self) -> None:
        Run.objects.filter(id=self.run_id, attempt=self.attempt, first_batch__isnull=True).update(
            first_batch=timezone.now())

    def poll(self) -> str:
        """The run's status ("running" or "stopping"); LeaseLost when it is no longer ours."""
        if os.getppid() != self._parent:
            # Our worker is gone (on Linux the kernel also kills us then: see child.py).
            raise LeaseLost(f"run {self.run_id}: the worker process exited")
        row = Run.objects.filter(id=self.run_id).values_list("status", "attempt").first()
        if row is None or row[1] != self.attempt or row[0] not in Run.TRAINING:
            raise LeaseLost(f"run {self.run_id} attempt {self.attempt}")
        return row[0]

    def status(self, status: str, message: str = "", **extra: Any) -> None:
        self.emit(("status", status_payload(status, message, **extra)))
