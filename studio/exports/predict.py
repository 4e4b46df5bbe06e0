"""Top-k prediction for images, and a zip of images scored into CSV rows.

Images come in as arrays from ``preprocess.load_image_for_model`` (float32, 0..255, model input size);
the model holds its own scaling layers.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from studio.exports.archive import DEFAULT_LIMITS, ZipLimits, iter_zip_files
from studio.exports.preprocess import DEFAULT_MAX_PIXELS, ImageError, load_image_for_model

logger = logging.getLogger(__name__)

Prediction = list[dict[str, Any]]  # [{"class": name, "probability": p}, ...] best first


def predict_images(
    model: Any,
    images: Sequence[np.ndarray],
    class_names: Sequence[str],
    top_k: int = 5,
    *,
    batch_size: int = 32,
) -> list[Prediction]:
    """For each image, its ``top_k`` classes with probabilities, most probable first."""
    if top_k < 1:
        raise ValueError("top_k must be at least 1")
    if not images:
        return []
    results: list[Prediction] = []
    for start in range(0, len(images), batch_size):
        batch = np.stack([np.asarray(image, dtype=np.float32) for image in images[start : start + batch_size]])
        probabilities = as_probabilities(_forward(model, batch), len(class_names))
        results.extend(top_k_classes(row, class_names, top_k) for row in probabilities)
    return results


def _forward(model: Any, batch: np.ndarray) -> np.ndarray:
    import keras

    # Calling the model directly avoids predict()'s per-call setup, which dominates for a few images.
    outputs = model(batch, training=False)
    if isinstance(outputs, (list, tuple)):
        outputs = outputs[0]  # several heads: the first output is the classifier, by convention
    return np.asarray(keras.ops.convert_to_numpy(outputs), dtype=np.float64)


def as_probabilities(outputs: np.ndarray, num_classes: int) -> np.ndarray:
    """Rows of class probabilities from a classifier's outputs.

    A single sigmoid unit with two class names gives [1 - p, p]. Outputs that are not already a
    distribution (a final Dense without softmax, trained with from_logits=True) get a softmax.
    """
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    if outputs.shape[1] == 1 and num_classes == 2:
        p = outputs[:, 0]
        if np.any((p < 0) | (p > 1)):
            p = 1.0 / (1.0 + np.exp(-p))
        return np.stack([1.0 - p, p], axis=1)
    if outputs.shape[1] != num_classes:
        raise ValueError(f"the model has {outputs.shape[1]} outputs but {num_classes} class names were given")
    is_distribution = np.all(outputs >= -1e-6) and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3)
    if is_distribution:
        return outputs
    logger.debug("Model outputs do not sum to 1: treating them as logits")
    shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def top_k_classes(probabilities: np.ndarray, class_names: Sequence[str], top_k: int) -> Prediction:
    # A stable sort keeps the lower class index first on ties, so results are reproducible.
    order = np.argsort(-probabilities, kind="stable")[:top_k]
    return [{"class": class_names[i], "probability": float(probabilities[i])} for i in order]


@dataclass
class BatchRow:
    """One file of a batch: its predictions, or why it has none."""

    file: str
    predictions: Prediction = field(default_factory=list)
    error: str | None = None


def predict_zip(
    model: Any,
    source: str | Path | bytes | BinaryIO,
    *,
    class_names: Sequence[str],
    size: tuple[int, int],
    color_mode: str = "rgb",
    top_k: int = 3,
    batch_size: int = 32,
    limits: ZipLimits = DEFAULT_LIMITS,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[BatchRow]:
    """Score every file of a zip, in archive order. Files that are not usable images become rows with an
    error; only an unreadable zip or one over the limits raises (BatchError).

    Images are decoded and predicted ``batch_size`` at a time, so memory stays bounded by one batch.
    """
    rows: list[BatchRow] = []
    pending: list[tuple[BatchRow, np.ndarray]] = []

    def flush() -> None:
        if not pending:
            return
        predictions = predict_images(model, [image for _, image in pending], class_names, top_k, batch_size=batch_size)
        for (row, _), prediction in zip(pending, predictions, strict=True):
            row.predictions = prediction
        pending.clear()

    for entry in iter_zip_files(source, limits):
        row = BatchRow(file=entry.name, error=entry.error)
        rows.append(row)
        if entry.data is None:
            continue
        try:
            image = load_image_for_model(
                entry.data, size=size, color_mode=color_mode, max_pixels=max_pixels, max_bytes=limits.max_file_bytes
            )
        except ImageError as exc:
            row.error = str(exc)
            continue
        pending.append((row, image))
        if len(pending) >= batch_size:
            flush()
    flush()
    logger.info("Scored a batch of %d files (%d errors)", len(rows), sum(row.error is not None for row in rows))
    return rows


def csv_header(top_k: int) -> list[str]:
    columns = ["file", "status"]
    for rank in range(1, top_k + 1):
        columns += [f"class_{rank}", f"probability_{rank}"]
    return [*columns, "error"]


def rows_to_csv(rows: Iterable[BatchRow], top_k: int) -> str:
    """The batch as CSV text: file, status (ok/error), class_1, probability_1, ..., error."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(csv_header(top_k))
    for row in rows:
        cells: list[Any] = [_cell(row.file), "error" if row.error else "ok"]
        for rank in range(top_k):
            if rank < len(row.predictions):
                cells += [_cell(row.predictions[rank]["class"]), f"{row.predictions[rank]['probability']:.6f}"]
            else:
                cells += ["", ""]
        writer.writerow([*cells, _cell(row.error or "")])
    return out.getvalue()


def _cell(text: str) -> str:
    # File and class names are user-chosen: a leading =, +, - or @ would run as a spreadsheet formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
