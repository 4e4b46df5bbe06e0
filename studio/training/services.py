"""Writes to runs from the web side: check and queue a run, ask one to stop.

Double submissions: a client may send `request_id` (an idempotency key, e.g. a UUID the Train form
makes once and reuses until a run is created). A second POST with the same key answers the run the
first one created instead of queueing another; a database constraint makes this hold even for two
requests racing each other. Runs without a key are never merged: queueing the same settings twice
on purpose (to compare seeds, say) stays possible.
"""
import copy
import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from studio.datasets.models import Dataset
from studio.graphs import validate
from studio.projects.models import Project
from studio.training import conf
from studio.training.data import dataset_summary
from studio.training.events import events_append, status_payload
from studio.training.hyperparams import normalize_hyperparameters
from studio.training.models import Run
from studio.training.paths import final_weights_path
from studio.training.preflight import preflight

log = logging.getLogger(__name__)


class RunRejected(Exception):
    """A run that cannot be queued (or changed); `detail` says why and what to do."""

    def __init__(self, detail: str, *, errors: list | None = None, preflight: dict | None = None,
                 status: int = 400) -> None:
        super().__init__(detail)
        self.detail, self.errors, self.preflight, self.status = detail, errors or [], preflight, status

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"detail": self.detail, "errors": self.errors}
        if self.preflight is not None:
            body["preflight"] = self.preflight
        return body


def _messages(errors: list[dict]) -> str:
    return " ".join(
        f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors[:5]
    )


def run_check(*, owner: AbstractBaseUser, project: Project, dataset: Dataset,
              hyperparameters: Any) -> tuple[dict, dict, dict]:
    """(normalised hyper-parameters, graph snapshot, pre-flight result); raises RunRejected on bad input."""
    hp, problems = normalize_hyperparameters(hyperparameters)
    if problems:
        raise RunRejected(f"Some hyper-parameters are not valid. {_messages(problems)}", errors=problems)
    if hp["initial_run"] is not None:
        start = Run.objects.filter(owner=owner, id=hp["initial_run"]).first()
        if start is None or not final_weights_path(start.id).exists():
            raise RunRejected(f"hyperparameters.initial_run: run {hp['initial_run']} is not one of your runs with "
                              f"trained weights (it must have finished or been stopped after an epoch).")
    if dataset.status != Dataset.Status.READY:
        raise RunRejected(f"The dataset '{dataset.name}' is not ready (it is {dataset.status}).")
    graph = copy.deepcopy(project.graph)
    report = validate(graph).as_dict()
    if not report.get("valid"):
        errors = report.get("errors", [])
        summary = " ".join(e.get("message", "") for e in errors[:3])
        raise RunRejected(f"The project's graph is not valid: {summary}", errors=errors)
    result = preflight(graph=graph, report=report, dataset=dataset_summary(dataset=dataset, hp=hp), hp=hp,
                       memory_bytes=conf.worker_memory_bytes())
    return hp, graph, result


def run_create(*, owner: AbstractBaseUser, project: Project, dataset: Dataset, hyperparameters: Any,
               name: str = "", request_id: str = "") -> tuple[Run, bool]:
    """Check and queue a run: (run, created). An existing run with the same request_id is returned as is."""
    if request_id:
        existing = Run.objects.filter(owner=owner, request_id=request_id).first()
        if existing is not None:
            return existing, False
    hp, graph, result = run_check(owner=owner, project=project, dataset=dataset, hyperparameters=hyperparameters)
    if not result["ok"]:
        raise RunRejected(f"The pre-flight check failed. {_messages(result['errors'])}", errors=result["errors"],
                          preflight=result)
    name = name.strip() or f"{project.name} #{Run.objects.filter(owner=owner, project=project).count() + 1}"
    try:
        with transaction.atomic():
            run = Run.objects.create(owner=owner, project=project, dataset=dataset, name=name[:200], graph=graph,
                                     hyperparameters=hp, classes=dataset.class_names, preflight=result,
                                     request_id=request_id)
            events_append(run_id=run.id, events=[("status", status_payload(Run.Status.QUEUED,
                                                                           "Waiting for a worker."))])
    except IntegrityError:
        existing = Run.objects.filter(owner=owner, request_id=request_id).first() if request_id else None
        if existing is None:
            raise
        return existing, False
    log.info("Queued run %s (%s) for %s", run.id, run.name, owner)
    return run, True


def run_request_stop(*, run: Run) -> Run:
    """A queued run stops at once; a training one after its current batch. Finished runs are refused."""
    with transaction.atomic():
        now = timezone.now()
        if Run.objects.filter(id=run.id, status=Run.Status.QUEUED).update(status=Run.Status.STOPPED, finished=now):
            events_append(run_id=run.id, events=[("status", status_payload(
                Run.Status.STOPPED, "Stopped before training started."))])
        elif Run.objects.filter(id=run.id, status=Run.Status.RUNNING).update(status=Run.Status.STOPPING):
            events_append(run_id=run.id, events=[("status", status_payload(
                Run.Status.STOPPING, "Stopping after the current batch."))])
    run.refresh_from_db()
    if run.status in (Run.Status.SUCCEEDED, Run.Status.FAILED):
        raise RunRejected(f"The run has already finished ({run.status}).", status=409)
    return run
