"""A run's hyper-parameters: defaults, limits and strict checking. Pure (no Django, no Keras).

`normalize_hyperparameters` turns what a client sent into the complete settings a run trains with
(every default filled in), or lists every problem at once. Unknown keys are errors so a typo never
trains silently with a default. The normalised dict is what a run stores and what the trainer reads.
"""
import math
import random
from dataclasses import dataclass
from typing import Any

from studio.datasets.augmentation import AugmentationError, check_augmentation

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw")
DEFAULT_LEARNING_RATE = {"adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "sgd": 1e-2}
LR_SCHEDULES = ("none", "cosine", "step", "reduce_on_plateau")
LOSSES = ("auto", "sparse_categorical_crossentropy", "binary_crossentropy")
METRICS = ("accuracy", "top_5_accuracy")
MONITORS = ("val_loss", "val_accuracy", "loss", "accuracy")
KEEP = ("best", "last")
MAX_SEED = 2**31 - 1

LIMITS = {
    "epochs": (1, 1000),
    "batch_size": (1, 4096),
    "learning_rate": (0.0, 10.0),  # exclusive at 0
    "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 1.0),
    "lr_step_epochs": (1, 1000),
    "lr_decay_factor": (0.0, 1.0),  # exclusive at both ends
    "lr_patience": (1, 1000),
    "patience": (1, 1000),
}

_TOP_KEYS = {
    "epochs", "batch_size", "optimizer", "learning_rate", "momentum", "weight_decay", "lr_schedule",
    "lr_step_epochs", "lr_decay_factor", "lr_patience", "loss", "metrics", "early_stopping", "augmentation",
    "mixed_precision", "seed", "cache_frozen", "split", "keep", "initial_run", "class_weight", "gpus",
}
MAX_GPUS = 64


@dataclass
class Problems:
    """Collects field errors as [{"field", "message"}] so the client sees all of them at once."""

    items: list[dict[str, str]]

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": f"hyperparameters.{field}" if field else "hyperparameters", "message": message})


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _int_in(raw: dict, key: str, default: int, problems: Problems) -> int:
    value = raw.get(key, default)
    low, high = LIMITS[key]
    if not _is_int(value) or not low <= value <= high:
        problems.add(key, f"must be a whole number from {low} to {high} (got {value!r}).")
        return default
    return value


def _float_in(raw: dict, key: str, default: float, problems: Problems, *, open_low: bool = False,
              open_high: bool = False) -> float:
    value = raw.get(key, default)
    low, high = LIMITS[key]
    ok = _is_number(value) and (value > low if open_low else value >= low) and (
        value < high if open_high else value <= high)
    if not ok:
        bounds = f"{'above' if open_low else 'from'} {low} {'and below' if open_high else 'up to'} {high}"
        problems.add(key, f"must be a number {bounds} (got {value!r}).")
        return default
    return float(value)


def _choice(raw: dict, key: str, default: str, choices: tuple[str, ...], problems: Problems) -> str:
    value = raw.get(key, default)
    if value not in choices:
        problems.add(key, f"must be one of {', '.join(choices)} (got {value!r}).")
        return default
    return value


def _early_stopping(value: Any, problems: Problems) -> dict | None:
    if value in (None, False):
        return None
    if value is True:
        value = {}
    if not isinstance(value, dict):
        problems.add("early_stopping", 'must be null or an object like {"patience": 5, "monitor": "val_loss"}.')
        return None
    unknown = set(value) - {"patience", "monitor", "min_delta"}
    if unknown:
        problems.add("early_stopping",
                     f"unknown keys: {', '.join(sorted(unknown))} (use patience, monitor, min_delta).")
    patience = value.get("patience", 5)
    if not _is_int(patience) or not 1 <= patience <= LIMITS["patience"][1]:
        problems.add("early_stopping.patience", f"must be a whole number from 1 to {LIMITS['patience'][1]}.")
        patience = 5
    monitor = value.get("monitor", "val_loss")
    if monitor not in MONITORS:
        problems.add("early_stopping.monitor", f"must be one of {', '.join(MONITORS)} (got {monitor!r}).")
        monitor = "val_loss"
    min_delta = value.get("min_delta", 0.0)
    if not _is_number(min_delta) or min_delta < 0:
        problems.add("early_stopping.min_delta", "must be a number of 0 or more.")
        min_delta = 0.0
    return {"patience": patience, "monitor": monitor, "min_delta": float(min_delta)}


def _augmentation(value: Any, problems: Problems) -> dict:
    # The datasets app owns augmentation (its pipeline builds the layers); its check is the one rule.
    try:
        return check_augmentation(value if value is not False else None)
    except AugmentationError as exc:
        problems.add("augmentation", str(exc))
        return {}


def _split(value: Any, problems: Problems) -> str | dict:
    if value in (None, "dataset"):
        return "dataset"
    if not isinstance(value, dict) or set(value) - {"validation", "test"}:
        problems.add("split", 'must be "dataset" (the dataset\'s own split) or {"validation": 0.2, "test": 0.1}.')
        return "dataset"
    fractions = {}
    for key in ("validation", "test"):
        fraction = value.get(key, 0.0)
        if not _is_number(fraction) or not 0 <= fraction <= 0.9:
            problems.add(f"split.{key}", f"must be a fraction from 0 to 0.9 (got {fraction!r}).")
            fraction = 0.0
        fractions[key] = round(float(fraction), 2)
    if fractions["validation"] + fractions["test"] > 0.9:
        problems.add("split", "validation + test must leave at least 10% of the images for training.")
    return fractions


def normalize_hyperparameters(raw: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(complete hyper-parameters, problems). Problems empty means the settings can train."""
    problems = Problems([])
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add("", "must be a JSON object.")
        raw = {}
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        problems.add("", f"unknown keys: {', '.join(sorted(unknown))}.")

    hp: dict[str, Any] = {
        "epochs": _int_in(raw, "epochs", 10, problems),
        "batch_size": _int_in(raw, "batch_size", 32, problems),
        "optimizer": _choice(raw, "optimizer", "adam", OPTIMIZERS, problems),
    }
    hp["learning_rate"] = _float_in(raw, "learning_rate", DEFAULT_LEARNING_RATE[hp["optimizer"]], problems,
                                    open_low=True)
    hp["momentum"] = _float_in(raw, "momentum", 0.9 if hp["optimizer"] == "sgd" else 0.0, problems)
    if hp["optimizer"] not in ("sgd", "rmsprop") and raw.get("momentum") not in (None, 0, 0.0):
        problems.add("momentum", f"applies to sgd and rmsprop only, not {hp['optimizer']}.")
    hp["weight_decay"] = _float_in(raw, "weight_decay", 0.004 if hp["optimizer"] == "adamw" else 0.0, problems,
                                   open_high=True)
    hp["lr_schedule"] = _choice(raw, "lr_schedule", "none", LR_SCHEDULES, problems)
    hp["lr_step_epochs"] = _int_in(raw, "lr_step_epochs", max(1, hp["epochs"] // 3), problems)
    hp["lr_decay_factor"] = _float_in(raw, "lr_decay_factor", 0.1 if hp["lr_schedule"] == "step" else 0.5,
                                      problems, open_low=True, open_high=True)
    hp["lr_patience"] = _int_in(raw, "lr_patience", 2, problems)
    hp["loss"] = _choice(raw, "loss", "auto", LOSSES, problems)
    metrics = raw.get("metrics", ["accuracy"])
    if not isinstance(metrics, list) or any(m not in METRICS for m in metrics):
        problems.add("metrics", f"must be a list drawn from {', '.join(METRICS)} (got {metrics!r}).")
        metrics = ["accuracy"]
    hp["metrics"] = list(dict.fromkeys(metrics))
    hp["early_stopping"] = _early_stopping(raw.get("early_stopping"), problems)
    hp["augmentation"] = _augmentation(raw.get("augmentation"), problems)
    for key, default in (("mixed_precision", False), ("cache_frozen", True)):
        value = raw.get(key, default)
        if not isinstance(value, bool):
            problems.add(key, f"must be true or false (got {value!r}).")
            value = default
        hp[key] = value
    seed = raw.get("seed")
    if seed is None:
        # Chosen now and stored, so every run can be repeated exactly.
        seed = random.randint(0, MAX_SEED)
    elif not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        problems.add("seed", f"must be a whole number from 0 to {MAX_SEED} or null (got {seed!r}).")
        seed = 0
    hp["seed"] = seed
    hp["split"] = _split(raw.get("split"), problems)
    hp["keep"] = _choice(raw, "keep", "best", KEEP, problems)
    initial_run = raw.get("initial_run")
    if initial_run is not None and (not _is_int(initial_run) or initial_run < 1):
        problems.add("initial_run", f"must be the id of one of your earlier runs, or null (got {initial_run!r}).")
        initial_run = None
    hp["initial_run"] = initial_run
    class_weight = raw.get("class_weight")
    if class_weight not in (None, "auto"):
        problems.add("class_weight", f'must be "auto" or null (got {class_weight!r}).')
        class_weight = None
    hp["class_weight"] = class_weight
    hp["gpus"] = _gpus(raw.get("gpus"), problems)
    return hp, problems.items


def _gpus(value: Any, problems: Problems) -> int | None:
    """Devices of one worker the run trains on, mirrored when several: null = all the worker has."""
    if value is None or (_is_int(value) and 1 <= value <= MAX_GPUS):
        return value
    problems.add("gpus", f"must be null (all of the worker's GPUs) or a whole number from 1 to {MAX_GPUS} "
                         f"(got {value!r}).")
    return None


def has_augmentation(hp: dict[str, Any]) -> bool:
    """Random augmentation is on (settings that are off were removed by normalisation)."""
    return bool(hp.get("augmentation"))
