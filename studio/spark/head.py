"""Train the rest of a network (its head) on features Spark computed, in this process.

The features DataFrame (studio.spark.featurize) is collected to the driver as numpy; the network is
split exactly as the studio's trainer splits it (studio.training.frozen.find_frozen_cut), and the
suffix, which shares its layers with the full model, is fitted with the run settings the studio
uses (studio.training.hyperparams + keras_options: optimizer, loss and metrics alike). The result
holds the full model with its trained head: `result.bundle()` scores it on Spark, `result.save()`
writes a model.weights.h5 that compile_graph(graph) + load_weights() rebuilds.
"""
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.spark.bundle import ModelBundle, NoFrozenPrefix
from studio.spark.featurize import features_to_numpy

log = logging.getLogger(__name__)


@dataclass
class HeadResult:
    model: Any  # the full keras.Model, head trained
    graph: dict
    classes: list[str]
    history: dict[str, list[float]] = field(default_factory=dict)
    skipped: int = 0  # rows without features (images that could not be decoded)

    def bundle(self, name: str = "head") -> ModelBundle:
        return ModelBundle.from_model(self.graph, self.model, classes=self.classes, name=name)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        self.model.save_weights(path)
        return path


def _labels(values: list[str], classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
    names = list(classes) if classes else sorted(set(values))
    index = {name: i for i, name in enumerate(names)}
    unknown = sorted(set(values) - set(index))
    if unknown:
        raise ValueError(f"Labels {unknown[:5]} are not among the classes {names}.")
    return np.asarray([index[v] for v in values], dtype=np.int32), names


def train_head(features, bundle: ModelBundle, *, label_col: str = "label", features_col: str = "features",
               classes: list[str] | None = None, hyperparameters: dict | None = None) -> HeadResult:
    """Fit the network's trainable rest on the collected features (a Spark or pandas DataFrame).

    `classes` fixes the label order (default: the bundle's classes, else the labels sorted);
    `hyperparameters` are a run's (epochs, batch_size, optimizer, learning_rate, seed, ...).
    """
    import keras

    from studio.graphs import validate
    from studio.training.frozen import find_frozen_cut
    from studio.training.hyperparams import normalize_hyperparameters
    from studio.training.inputs import steps_per_epoch
    from studio.training.keras_options import build_loss, build_metrics, build_optimizer, loss_spec

    hp, problems = normalize_hyperparameters(hyperparameters or {})
    if problems:
        raise ValueError("; ".join(f"{p['field']}: {p['message']}" for p in problems))
    rows = features if hasattr(features, "columns") and hasattr(features, "iloc") else \
        features.select(features_col, label_col).toPandas()
    usable = rows[rows[features_col].notna()]
    skipped = len(rows) - len(usable)
    if usable.empty:
        raise ValueError("No rows with features to train on.")
    y, names = _labels([str(v) for v in usable[label_col]], classes or list(bundle.classes) or None)

    keras.utils.set_random_seed(hp["seed"])
    model = bundle.build()
    cut = find_frozen_cut(model)
    if cut is None:
        raise NoFrozenPrefix("The network has no frozen prefix: there is no head to train on features.")
    x = features_to_numpy(usable, tuple(int(d) for d in cut.feature_shape), column=features_col)
    spec = loss_spec(bundle.graph, validate(bundle.graph).as_dict(), hp, len(names))
    suffix = cut.suffix
    suffix.compile(optimizer=build_optimizer(hp, steps_per_epoch=steps_per_epoch(len(x), hp["batch_size"])),
                   loss=build_loss(spec), metrics=build_metrics(hp, spec))
    targets = y.astype(np.float32).reshape(-1, 1) if spec["name"] == "binary_crossentropy" else y
    history = suffix.fit(x, targets, epochs=hp["epochs"], batch_size=hp["batch_size"], shuffle=True, verbose=0)
    log.info("Trained the head on %d feature rows (%d skipped) for %d epochs", len(x), skipped, hp["epochs"])
    return HeadResult(model=model, graph=bundle.graph, classes=names, skipped=skipped,
                      history={k: [float(v) for v in vs] for k, vs in history.history.items()})
