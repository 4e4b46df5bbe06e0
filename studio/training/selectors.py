"""Reads of runs and their stored messages, always scoped to an owner."""
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from studio.training.events import event_message
from studio.training.models import MetricEvent, Run

MAX_EVENTS_PER_PAGE = 5000


def run_list(*, owner: AbstractBaseUser, project_id: int | None = None) -> QuerySet[Run]:
    runs = Run.objects.filter(owner=owner)
    if project_id is not None:
        runs = runs.filter(project_id=project_id)
    return runs


def run_get(*, owner: AbstractBaseUser, run_id: int) -> Run:
    """The owner's run; raises Run.DoesNotExist for a missing or someone else's id."""
    return Run.objects.get(owner=owner, id=run_id)


def run_messages_after(*, run_id: int, after: int = 0, limit: int = MAX_EVENTS_PER_PAGE) -> list[dict]:
    """Stored messages with seq > after, in order (at most `limit`)."""
    events = MetricEvent.objects.filter(run_id=run_id, seq__gt=after).order_by("seq")[:limit]
    return [event_message(event) for event in events]
