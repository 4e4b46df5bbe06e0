"""A batch of image bytes through a model, as pandas frames: what every Spark UDF here does per Arrow batch.

Images are decoded, oriented and resized by studio.exports.preprocess.load_image_for_model, the
loader of the studio's predict endpoint and of the downloadable bundle (Pillow, bilinear, no aspect
preservation, 0..255 floats), and go through the model the way studio.exports.predict calls it
(`model(batch, training=False)`), so a Spark prediction equals the studio's own for the same file.
An image that cannot be used gives a null result and its reason in `error`; it never fails the job.
"""
from collections.abc import Sequence

import numpy as np
import pandas as pd

from studio.exports.predict import as_probabilities
from studio.exports.preprocess import ImageError, load_image_for_model
from studio.spark.bundle import input_spec


def _decode(images: pd.Series, size: tuple[int, int], color_mode: str) -> tuple[list, list]:
    arrays: list[np.ndarray | None] = []
    errors: list[str | None] = []
    for data in images:
        if data is None:
            arrays.append(None)
            errors.append("no image bytes")
            continue
        try:
            arrays.append(load_image_for_model(bytes(data), size=size, color_mode=color_mode))
            errors.append(None)
        except ImageError as exc:
            arrays.append(None)
            errors.append(f"{exc.code}: {exc}")
    return arrays, errors


def _forward(model, arrays: Sequence[np.ndarray | None], batch_size: int) -> list[np.ndarray | None]:
    """The model's (first) output for each decoded image, None where there is none; batch_size at a time."""
    import keras

    results: list[np.ndarray | None] = [None] * len(arrays)
    valid = [i for i, a in enumerate(arrays) if a is not None]
    for start in range(0, len(valid), batch_size):
        chunk = valid[start:start + batch_size]
        outputs = model(np.stack([arrays[i] for i in chunk]).astype(np.float32), training=False)
        if isinstance(outputs, (list, tuple)):
            outputs = outputs[0]
        outputs = keras.ops.convert_to_numpy(outputs)
        for i, row in zip(chunk, outputs, strict=True):
            results[i] = row
    return results


def features_frame(prefix, images: pd.Series, *, batch_size: int = 32) -> pd.DataFrame:
    """Columns `features` (the prefix's output, flattened float32) and `error`."""
    size, color_mode = input_spec(prefix)
    arrays, errors = _decode(images, size, color_mode)
    outputs = _forward(prefix, arrays, batch_size)
    features = [None if o is None else np.asarray(o, dtype=np.float32).reshape(-1) for o in outputs]
    return pd.DataFrame({"features": features, "error": errors})


def predictions_frame(model, images: pd.Series, classes: Sequence[str], *, batch_size: int = 32) -> pd.DataFrame:
    """Columns `label` (the most probable class), `probability`, `probabilities` (in class order), `error`."""
    size, color_mode = input_spec(model)
    arrays, errors = _decode(images, size, color_mode)
    outputs = _forward(model, arrays, batch_size)
    labels, best, rows = [], [], []
    for output in outputs:
        if output is None:
            labels.append(None)
            best.append(None)
            rows.append(None)
            continue
        names = list(classes) or [str(i) for i in range(np.asarray(output).size)]
        probabilities = as_probabilities(np.asarray(output)[np.newaxis], len(names))[0]
        top = int(np.argmax(probabilities))
        labels.append(names[top])
        best.append(float(probabilities[top]))
        rows.append(probabilities.astype(np.float64))
    return pd.DataFrame({"label": labels, "probability": best, "probabilities": rows, "error": errors})
