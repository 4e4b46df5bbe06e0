"""Reads of the weights library: always scoped to one owner."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from studio.weights.models import WeightsFile


def weights_list(*, owner: AbstractBaseUser, architecture: str | None = None) -> QuerySet[WeightsFile]:
    files = WeightsFile.objects.filter(owner=owner)
    return files.filter(architecture=architecture) if architecture else files


def weights_get(*, owner: AbstractBaseUser | int, pk: object) -> WeightsFile | None:
    """One of this person's weights files, or None (missing and not-yours look the same)."""
    try:
        key = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    owner_id = owner if isinstance(owner, int) else owner.pk
    return WeightsFile.objects.filter(owner_id=owner_id, pk=key).first()
