"""Writes to projects (the views stay thin)."""
import copy
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from studio.projects.models import Project
from studio.projects.starters import STARTERS


def project_create(*, owner: AbstractBaseUser, name: str, graph: dict[str, Any] | None = None,
                   template: str | None = None) -> Project:
    if template is not None:
        graph = copy.deepcopy(STARTERS[template]["graph"])
    graph = dict(graph or {"version": 1, "nodes": [], "edges": []})
    graph["name"] = name
    return Project.objects.create(owner=owner, name=name, graph=graph)


@transaction.atomic
def project_duplicate(*, project: Project) -> Project:
    base = f"{project.name} (copy)"
    name, n = base, 2
    while Project.objects.filter(owner=project.owner, name=name).exists():
        name, n = f"{base} {n}", n + 1
    return project_create(owner=project.owner, name=name[:200], graph=copy.deepcopy(project.graph))
