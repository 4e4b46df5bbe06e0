"""The trainer's options, run in this process (no worker): schedules, early stopping, caching, kept weights.

A claimed run is trained by calling train_run directly, as the training process would.
"""
import keras
import pytest
from training_builders import make_dataset, make_project, tiny_graph

from studio.training import services
from studio.training.models import Run
from studio.training.queue import run_claim_next
from studio.training.trainer import train_run

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def float32_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")  # mixed precision is per process: undo it here


@pytest.fixture
def train(alice):
    dataset = make_dataset(alice, classes={"red": 10, "blue": 10, "green": 10})

    def run_with(graph=None, **hp) -> Run:
        run, _ = services.run_create(owner=alice, project=make_project(alice, graph or tiny_graph(units=3)),
                                     dataset=dataset, hyperparameters={"batch_size": 4, "seed": 5, **hp})
        claimed = run_claim_next(worker_id="inline", devices=["CPU"])
        assert claimed.id == run.id
        train_run(run_id=run.id, attempt=claimed.attempt)
        run.refresh_from_db()
        assert run.status == "succeeded", run.error
        return run

    return run_with


def _logs(run: Run) -> list[str]:
    return [e.payload["message"] for e in run.events.filter(type="log")]


def _epochs(run: Run) -> list[dict]:
    return [e.payload for e in run.events.filter(type="epoch").order_by("seq")]


def test_frozen_layers_are_cached_and_the_run_says_where(train):
    run = train(tiny_graph(units=3, conv_trainable=False), epochs=2)
    assert run.cache["used"] is True and run.cache["layer"] == "flat"
    assert any("Frozen layers up to flat" in line for line in _logs(run))


def test_augmentation_turns_the_cache_off_and_says_why(train):
    run = train(tiny_graph(units=3, conv_trainable=False), epochs=1, augmentation={"flip": "horizontal"})
    assert run.cache["used"] is False and "augmentation" in run.cache["reason"]


def test_a_test_split_is_evaluated_with_the_kept_weights(train):
    run = train(epochs=2, keep="last", optimizer="adamw", lr_schedule="cosine", class_weight="auto",
                split={"validation": 0.2, "test": 0.2})
    assert {"test_loss", "test_accuracy"} <= set(run.final)
    rates = [m["learning_rate"] for m in _epochs(run)]
    assert rates[1] < rates[0]  # cosine decay


def test_early_stopping_ends_the_run_and_says_so(train):
    run = train(epochs=10, optimizer="sgd", learning_rate=1e-9,
                early_stopping={"patience": 1, "monitor": "loss", "min_delta": 1.0})
    assert run.epoch == 2
    assert "Early stopping: loss has not improved for 1 epochs" in run.events.order_by("-seq").first().payload[
        "message"]


def test_keep_best_keeps_the_best_epochs_weights(train):
    run = train(epochs=3, keep="best", lr_schedule="reduce_on_plateau")
    best_epoch = run.best["epoch"]
    assert run.best["monitor"] == "val_loss"
    assert run.best["val_loss"] == min(m["val_loss"] for m in _epochs(run))
    assert 1 <= best_epoch <= 3


def test_a_run_can_start_from_an_earlier_runs_weights(train):
    first = train(epochs=1)
    second = train(epochs=1, initial_run=first.id, lr_schedule="step", lr_step_epochs=1)
    assert any(f"Started from the weights of run {first.id}" in line for line in _logs(second))


def test_mixed_precision_trains_in_bfloat16_on_the_cpu(train):
    run = train(tiny_graph(units=3, conv_trainable=False), epochs=1, mixed_precision=True)
    assert run.final["loss"] is not None and run.devices == ["CPU"]


def test_the_kept_weights_load_into_a_model_built_from_the_graph(train):
    """What exports and predictions do: compile_graph(run.graph), then load_weights (no optimizer inside)."""
    import warnings

    import numpy as np

    from studio.graphs import compile_graph
    from studio.training.paths import checkpoint_dir, final_weights_path

    run = train(tiny_graph(units=3, conv_trainable=False), epochs=2, keep="last")
    assert not checkpoint_dir(run.id).exists()  # an ended run keeps only its weights
    keras.backend.clear_session()
    keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])  # other models first: names shift
    keras.utils.set_random_seed(run.hyperparameters["seed"])
    model = compile_graph(run.graph)
    initial = {layer.name: layer.get_weights() for layer in model.layers}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_weights(final_weights_path(run.id))
    np.testing.assert_array_equal(model.get_layer("conv").get_weights()[0], initial["conv"][0])  # frozen
    assert not np.allclose(model.get_layer("out").get_weights()[0], initial["out"][0])  # trained
