"""Evaluation of a finished run on its held-out split (test or validation), computed once and cached.

The images are read exactly as training read them (``studio.training.inputs.Rows``: the datasets
app's decode and resize, rounded to bytes), from the split the run trained with (the dataset's own,
or the run's fractions with its seed), so the numbers here are the trainer's test metrics with the
same weights. The JSON is cached under ``DATA_DIR/runs/<id>/evaluation/<split>-<checkpoint>.json``
with a fingerprint of the weights file and the split's images: a changed split is evaluated again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from django.utils import timezone

from studio.exports import evaluation
from studio.exports.model_cache import cached_model
from studio.exports.predict import as_probabilities
from studio.exports.run_weights import Checkpoint, ResultsUnavailable, resolve_checkpoint, results_dir
from studio.training.models import Run

logger = logging.getLogger(__name__)

SPLITS = ("test", "validation")
GALLERY_LIMIT = 24  # misclassified and difficult images shown
BATCH_SIZE = 32
_EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] in its cross-entropies


def split_images(run: Run, split: str) -> tuple[list[str], list[int], list[int]]:
    """(absolute paths, labels, DatasetImage ids) of the run's split, in file order."""
    from studio.datasets import storage
    from studio.training.data import split_files

    if run.dataset is None:
        raise ResultsUnavailable("The run's dataset was deleted: evaluation needs its images.")
    hp = run.hyperparameters
    paths, labels = split_files(dataset=run.dataset, split=hp["split"], seed=hp["seed"])[split]
    folder = storage.dataset_dir(run.dataset.id)
    ids = {str(folder / Path(rel)): pk for pk, rel in run.dataset.images.values_list("id", "path")}
    return paths, labels, [ids[p] for p in paths]


def _fingerprint(checkpoint: Checkpoint, labels: list[int], ids: list[int]) -> str:
    stat = checkpoint.path.stat()
    payload = json.dumps([checkpoint.path.name, stat.st_size, stat.st_mtime_ns, ids, labels])
    return hashlib.sha256(payload.encode()).hexdigest()


def _cache_path(run: Run, split: str, checkpoint: str) -> Path:
    return results_dir(run, "evaluation") / f"{split}-{checkpoint}.json"


def run_evaluate(*, run: Run, split: str = "test", checkpoint: str | None = None, refresh: bool = False) -> dict:
    """The evaluation of ``run`` on ``split`` with its ``checkpoint`` weights (None: the kept ones).

    Raises ResultsUnavailable: the run is not finished, the checkpoint or the dataset is missing, or
    the split holds no images.
    """
    if split not in SPLITS:
        raise ResultsUnavailable(f"split must be one of {', '.join(SPLITS)}, not {split!r}.", status=400)
    chosen = resolve_checkpoint(run, checkpoint)
    paths, labels, ids = split_images(run, split)
    if not paths:
        other = "validation" if split == "test" else "test"
        raise ResultsUnavailable(f"Run {run.id} has no {split} images (its split holds none out): evaluate on the "
                                 f"{other} split, or train with a {split} fraction.")
    fingerprint = _fingerprint(chosen, labels, ids)
    cache = _cache_path(run, split, chosen.name)
    if not refresh:
        cached = _read_cache(cache, fingerprint)
        if cached is not None:
            return {**cached, "cached": True}
    result = _compute(run, chosen, split, paths, labels, ids)
    result["fingerprint"] = fingerprint
    _write_cache(cache, result)
    return {**result, "cached": False}


def _read_cache(path: Path, fingerprint: str) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if data.get("fingerprint") == fingerprint else None


def _write_cache(path: Path, result: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(result, out)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one


def split_probabilities(model: Any, paths: list[str], num_classes: int) -> np.ndarray:
    """Class probabilities of every image, decoded and resized as training decodes them."""
    from studio.training.inputs import Rows

    shape = model.inputs[0].shape
    size, channels = (int(shape[1]), int(shape[2])), int(shape[3])
    # memory_budget=0: stream from disk in batches; nothing is kept once it has been scored.
    rows = Rows.from_files(paths, size=size, channels=channels, memory_budget=0)
    chunks = []
    for batch in rows.all_batches(BATCH_SIZE):
        outputs = model(batch, training=False)
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[0]
        chunks.append(as_probabilities(np.asarray(outputs, dtype=np.float64), num_classes))
    return np.concatenate(chunks)


def _compute(run: Run, checkpoint: Checkpoint, split: str, paths: list[str], labels: list[int],
             ids: list[int]) -> dict:
    started = time.perf_counter()
    model = cached_model(run.graph, checkpoint.path)
    probabilities = split_probabilities(model, paths, len(run.classes))
    result = evaluation.evaluate(labels, probabilities, run.classes, limit=GALLERY_LIMIT, ids=ids)
    true_probability = probabilities[np.arange(len(labels)), np.asarray(labels)]
    result["loss"] = float(np.mean(-np.log(np.clip(true_probability, _EPSILON, 1 - _EPSILON))))
    for item in (*result["misclassified"], *result["difficult"]):
        item["image_id"] = item.pop("id")
        item["true_class"] = run.classes[item["true"]]
        item["predicted_class"] = run.classes[item["predicted"]]
    seconds = time.perf_counter() - started
    logger.info("Evaluated run %s on %d %s images (%s weights) in %.2f s", run.id, len(paths), split,
                checkpoint.name, seconds)
    return {
        "run": run.id,
        "split": split,
        "checkpoint": checkpoint.name,
        "epoch": checkpoint.epoch,
        "kept": checkpoint.kept,
        **result,
        "warnings": _warnings(run, split, len(paths)),
        "seconds": round(seconds, 3),
        "computed": timezone.now().isoformat(),
    }


def _warnings(run: Run, split: str, count: int) -> list[str]:
    trained = ((run.preflight or {}).get("figures") or {}).get("split_counts", {}).get(split)
    if isinstance(trained, int) and trained != count:
        return [f"The {split} split now holds {count} images, {trained} when the run trained: the dataset's split "
                f"changed since, so some of these images may be ones the run trained on."]
    return []
