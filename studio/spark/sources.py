"""Model bundles from the studio's database: a trained run's model, or a project's network as it stands.

The only module of studio.spark that needs Django (the management commands call it on the driver);
executors get the bundle, never the database.
"""
from studio.spark.bundle import ModelBundle


class SourceError(Exception):
    """A run or project that cannot be used; the message says why and what to do."""


def bundle_for_run(run_id: int, *, owner=None) -> ModelBundle:
    """A run's kept model (model.weights.h5) with its class names; `owner` restricts to that person's runs."""
    from studio.training.models import Run
    from studio.training.paths import final_weights_path

    runs = Run.objects.filter(id=run_id)
    if owner is not None:
        runs = runs.filter(owner=owner)
    run = runs.first()
    if run is None:
        raise SourceError(f"There is no run {run_id}" + (" of yours." if owner is not None else "."))
    path = final_weights_path(run.id)
    if not path.exists():
        raise SourceError(f"Run {run.id} ({run.name}) has no trained weights yet (it is {run.status}); "
                          f"score a run that succeeded or was stopped after an epoch.")
    return ModelBundle.from_weights_file(run.graph, path, classes=run.classes, name=f"run-{run.id}")


def bundle_for_project(project_id: int, *, owner=None) -> ModelBundle:
    """A project's network with its initial weights (pre-trained backbones from ImageNet or the person's
    weights library, the rest as initialised with the seed 0): what featurizing needs, its frozen prefix."""
    import keras

    from studio.graphs import GraphError, compile_graph
    from studio.projects.models import Project
    from studio.weights.services import resolver_for

    projects = Project.objects.filter(id=project_id)
    if owner is not None:
        projects = projects.filter(owner=owner)
    project = projects.first()
    if project is None:
        raise SourceError(f"There is no project {project_id}" + (" of yours." if owner is not None else "."))
    keras.utils.set_random_seed(0)
    try:
        model = compile_graph(project.graph, weights_resolver=resolver_for(project.owner_id))
    except GraphError as exc:
        raise SourceError(f"Project {project.id} ({project.name}) cannot be built: {exc}") from None
    return ModelBundle.from_model(project.graph, model, name=f"project-{project.id}")
