"""Hyper-parameter checking (pure): defaults filled in, absurd values refused with the field named."""
import pytest

from studio.training.hyperparams import normalize_hyperparameters


def _fields(raw):
    return {p["field"] for p in normalize_hyperparameters(raw)[1]}


def test_defaults_fill_in_everything_and_a_seed_is_chosen():
    hp, problems = normalize_hyperparameters({})
    assert problems == []
    assert hp["epochs"] == 10 and hp["batch_size"] == 32 and hp["optimizer"] == "adam"
    assert hp["keep"] == "best" and hp["cache_frozen"] is True and hp["split"] == "dataset"
    assert isinstance(hp["seed"], int)


def test_sgd_gets_momentum_and_its_own_learning_rate():
    hp, _ = normalize_hyperparameters({"optimizer": "sgd"})
    assert hp["momentum"] == 0.9 and hp["learning_rate"] == 0.01


@pytest.mark.parametrize("raw, field", [
    ({"batch_size": 0}, "hyperparameters.batch_size"),
    ({"epochs": 10**9}, "hyperparameters.epochs"),
    ({"learning_rate": 0}, "hyperparameters.learning_rate"),
    ({"learning_rate": -0.1}, "hyperparameters.learning_rate"),
    ({"learning_rate": "fast"}, "hyperparameters.learning_rate"),
    ({"optimizer": "adadelta"}, "hyperparameters.optimizer"),
    ({"epochs": True}, "hyperparameters.epochs"),
    ({"momentum": 0.9}, "hyperparameters.momentum"),  # adam has no momentum
    ({"early_stopping": {"patience": 0}}, "hyperparameters.early_stopping.patience"),
    ({"augmentation": {"spin": 1}}, "hyperparameters.augmentation"),
    ({"split": {"validation": 0.6, "test": 0.5}}, "hyperparameters.split"),
    ({"epoch": 3}, "hyperparameters"),  # a typo is not silently ignored
    ({"class_weight": "balanced"}, "hyperparameters.class_weight"),
    ({"keep": "first"}, "hyperparameters.keep"),
])
def test_it_refuses_absurd_or_unknown_settings(raw, field):
    assert field in _fields(raw)


def test_it_lists_every_problem_at_once():
    assert len(normalize_hyperparameters({"batch_size": 0, "epochs": 0, "optimizer": "x"})[1]) == 3
