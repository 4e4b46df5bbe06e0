"""Predictions with a finished run's model: uploaded images to top-k classes, a zip of images to CSV.

Images are prepared by ``preprocess.load_image_for_model`` at the model's input size and colour mode
(the loader the download bundle ships; it matches the training pipeline's decode and resize, see
``studio.datasets.pipeline.decode_and_resize``). The model comes from the per-process cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from studio.exports.archive import ZipLimits
from studio.exports.model_cache import cached_model
from studio.exports.predict import predict_images, predict_zip, rows_to_csv
from studio.exports.preprocess import DEFAULT_MAX_BYTES, ImageError, load_image_for_model
from studio.exports.run_weights import Checkpoint, ResultsUnavailable, resolve_checkpoint
from studio.training.models import Run

logger = logging.getLogger(__name__)

MAX_FILES = 32  # images per predict request; a zip takes more


@dataclass(frozen=True)
class Upload:
    name: str
    size: int
    file: BinaryIO


def model_input(model: Any) -> tuple[tuple[int, int], str]:
    """((height, width), colour mode) of an image classifier; ResultsUnavailable for other models."""
    from studio.exports.bundle import preprocessing_spec

    try:
        spec = preprocessing_spec(model)
    except ValueError as exc:
        raise ResultsUnavailable(f"This model does not take images: {exc}.") from exc
    return (spec["input_size"][0], spec["input_size"][1]), spec["color_mode"]


def _model(run: Run, checkpoint: str | None) -> tuple[Checkpoint, Any]:
    chosen = resolve_checkpoint(run, checkpoint)
    return chosen, cached_model(run.graph, chosen.path)


def run_predict(*, run: Run, uploads: Sequence[Upload], top_k: int = 3, checkpoint: str | None = None) -> dict:
    """Top-k classes for each upload, in order; a file that is not a usable image gets an error instead.

    The answer: ``{"run", "checkpoint", "k", "input_size", "color_mode", "seconds", "results": [{"file",
    "predictions": [{"class", "probability"}]} | {"file", "error", "code"}]}``.
    """
    if not uploads:
        raise ResultsUnavailable("Send one or more images as multipart fields named 'file'.", status=400)
    if len(uploads) > MAX_FILES:
        raise ResultsUnavailable(f"{len(uploads)} files sent; the limit is {MAX_FILES} per request. Send a zip to "
                                 f"predict-batch for more.", status=400)
    chosen, model = _model(run, checkpoint)
    size, color_mode = model_input(model)
    k = max(1, min(top_k, len(run.classes)))
    results: list[dict[str, Any]] = []
    images, slots = [], []
    for upload in uploads:
        try:
            if upload.size > DEFAULT_MAX_BYTES:
                raise ImageError("too_large", f"The file is {upload.size:,} bytes; the limit is "
                                              f"{DEFAULT_MAX_BYTES // (1024 * 1024)} MB.")
            images.append(load_image_for_model(upload.file, size=size, color_mode=color_mode))
        except ImageError as exc:
            results.append({"file": upload.name, "error": str(exc), "code": exc.code})
            continue
        slots.append(len(results))
        results.append({"file": upload.name})
    started = time.perf_counter()
    for slot, predictions in zip(slots, predict_images(model, images, run.classes, k), strict=True):
        results[slot]["predictions"] = predictions
    seconds = time.perf_counter() - started
    logger.info("Run %s: predicted %d images in %.3f s", run.id, len(images), seconds)
    return {"run": run.id, "checkpoint": chosen.name, "k": k, "input_size": list(size), "color_mode": color_mode,
            "seconds": round(seconds, 4), "results": results}


@dataclass(frozen=True)
class BatchResult:
    csv: str
    files: int
    errors: int
    checkpoint: str


def run_predict_zip(*, run: Run, source: BinaryIO, top_k: int = 3, checkpoint: str | None = None,
                    limits: ZipLimits | None = None) -> BatchResult:
    """Every file of the zip scored into CSV rows (file, status, class_1, probability_1, ..., error).

    Raises BatchError when the upload is not a zip or is over the limits; bad entries become rows.
    """
    chosen, model = _model(run, checkpoint)
    size, color_mode = model_input(model)
    k = max(1, min(top_k, len(run.classes)))
    started = time.perf_counter()
    rows = predict_zip(model, source, class_names=run.classes, size=size, color_mode=color_mode, top_k=k,
                       **({"limits": limits} if limits else {}))
    logger.info("Run %s: scored a zip of %d files in %.2f s", run.id, len(rows), time.perf_counter() - started)
    return BatchResult(csv=rows_to_csv(rows, k), files=len(rows), errors=sum(r.error is not None for r in rows),
                       checkpoint=chosen.name)
