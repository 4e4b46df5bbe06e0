"""A finished run, trained once per module (a few seconds, in this process), and its owner and a stranger.

The world is created outside the per-test transactions (and removed after the module), so every
test of a module sees the same run, its weights and its cached exports. Tests here must not be
transactional: a transactional test's flush would empty the tables under the module's run.
"""
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import override_settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
TESTS = Path(__file__).resolve().parents[1]
for folder in ("training", "exports"):  # their builders, imported by name as their own tests do
    if str(TESTS / folder) not in sys.path:
        sys.path.insert(0, str(TESTS / folder))

from training_builders import make_dataset, make_project, tiny_graph  # noqa: E402

CLASSES = {"red": 10, "blue": 10, "green": 10}
HYPERPARAMETERS = {"epochs": 3, "batch_size": 4, "seed": 5, "learning_rate": 0.01, "keep": "best",
                   "split": {"validation": 0.2, "test": 0.3}}


@dataclass
class World:
    alice: object
    bob: object
    run: object
    data_dir: Path


def train_inline(owner, project, dataset, **hp):
    """Queue a run and train it in this process, as the training process would."""
    from studio.training import services
    from studio.training.queue import run_claim_next
    from studio.training.trainer import train_run

    run, _ = services.run_create(owner=owner, project=project, dataset=dataset,
                                 hyperparameters={**HYPERPARAMETERS, **hp})
    claimed = run_claim_next(worker_id="inline", devices=["CPU"])
    assert claimed is not None and claimed.id == run.id
    train_run(run_id=run.id, attempt=claimed.attempt)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    import keras
    from django.contrib.auth import get_user_model

    from studio.exports import model_cache

    data_dir = tmp_path_factory.mktemp("results-data")
    settings = override_settings(DATA_DIR=data_dir)
    settings.enable()
    users = get_user_model().objects
    with django_db_blocker.unblock():
        alice = users.create_user("alice", password="alice-password-1")
        bob = users.create_user("bob", password="bob-password-1")
        dataset = make_dataset(alice, classes=CLASSES, name="colours")
        project = make_project(alice, tiny_graph(units=len(CLASSES)), name="Veg VGG16")
        run = train_inline(alice, project, dataset)
    keras.mixed_precision.set_global_policy("float32")
    try:
        yield World(alice=alice, bob=bob, run=run, data_dir=data_dir)
    finally:
        model_cache.clear()
        with django_db_blocker.unblock():
            users.filter(id__in=[alice.id, bob.id]).delete()  # their runs, projects and datasets go with them
        settings.disable()


@pytest.fixture
def alice(world, db):
    return world.alice


@pytest.fixture
def bob(world, db):
    return world.bob


@pytest.fixture
def run(world, db):
    world.run.refresh_from_db()
    return world.run
