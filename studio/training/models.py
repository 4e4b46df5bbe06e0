"""Runs (one training of a graph snapshot on a dataset) and their metric events (the durable store).

A run's life: queued -> running -> succeeded | failed | stopped, with stopping in between when a
person asks it to stop, and back to queued when its worker vanished and it resumes from its last
checkpoint. `attempt` counts the starts; it is the fencing token: a training process writes only
while the run's attempt is still its own, so a process that lost its lease cannot write over the
one that took over.

MetricEvent rows are the source of truth for everything the live stream shows; `seq` numbers them
per run without gaps (Run.last_seq is the counter, bumped in the same transaction as the insert).
"""
from django.conf import settings
from django.db import models


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        STOPPING = "stopping"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        STOPPED = "stopped"

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.STOPPING)
    TRAINING = (Status.RUNNING, Status.STOPPING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.STOPPED)

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    # A run keeps its own copy of the graph, so it outlives edits and even deletion of its project.
    project = models.ForeignKey("projects.Project", on_delete=models.SET_NULL, null=True, related_name="runs")
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.SET_NULL, null=True, related_name="runs")
    name = models.CharField(max_length=200)
    graph = models.JSONField()
    hyperparameters = models.JSONField()
    classes = models.JSONField(default=list)  # class names in label order, as the dataset had them
    preflight = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True, default="")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, default="")
    worker_id = models.CharField(max_length=200, blank=True, default="")
    devices = models.JSONField(default=list)
    attempt = models.PositiveIntegerField(default=0)
    heartbeat = models.DateTimeField(null=True, blank=True)
    lease_expires = models.DateTimeField(null=True, blank=True)

    epoch = models.PositiveIntegerField(default=0)  # epochs completed (and checkpointed)
    last_seq = models.PositiveIntegerField(default=0)
    best = models.JSONField(default=dict)
    final = models.JSONField(default=dict)
    cache = models.JSONField(default=dict)  # {"used": bool, "layer": str | None, "reason": str}

    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    first_batch = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["owner", "-created"]),
            models.Index(fields=["status", "created"]),
            models.Index(fields=["status", "lease_expires"]),
        ]
        constraints = [
            # A client's idempotency key: a double-clicked Train button queues one run.
            models.UniqueConstraint(fields=["owner", "request_id"], condition=~models.Q(request_id=""),
                                    name="unique_run_request_id"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class MetricEvent(models.Model):
    class Type(models.TextChoices):
        STATUS = "status"
        BATCH = "batch"
        EPOCH = "epoch"
        LOG = "log"

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    type = models.CharField(max_length=8, choices=Type.choices)
    payload = models.JSONField(default=dict)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "seq"]
        constraints = [models.UniqueConstraint(fields=["run", "seq"], name="unique_event_seq")]

    def __str__(self) -> str:
        return f"run {self.run_id} #{self.seq} {self.type}"
