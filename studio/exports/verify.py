"""Check an exported file against the model it came from, in the file's own runtime."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from studio.exports.errors import ExportError
from studio.exports.formats import get_format
from studio.exports.model_copies import float32_model, uses_reduced_precision
from studio.exports.serving import serving_signature

logger = logging.getLogger(__name__)

# Measured on float32 models: 0.0 (keras, h5, savedmodel), up to ~1e-7 (tflite, onnx).
DEFAULT_ATOL = 1e-4
# A bfloat16 graph and the same model run eagerly fuse ops differently (measured 1e-4 on a tiny model);
# bfloat16 keeps ~3 significant digits, so compare probabilities to 2e-2.
REDUCED_PRECISION_ATOL = 2e-2


def sample_inputs(model, *, batch: int = 2, seed: int = 0) -> list[np.ndarray]:
    """Random 0..255 inputs of the model's input shapes (free dimensions other than batch set to 32)."""
    rng = np.random.default_rng(seed)
    return [
        rng.uniform(0, 255, (batch, *[d if d is not None else 32 for d in tensor.shape[1:]])).astype(np.float32)
        for tensor in model.inputs
    ]


def max_difference(model, path: Path, fmt: str, inputs: list[np.ndarray]) -> float:
    """The largest absolute difference between the model's outputs and the exported file's."""
    spec = get_format(fmt)
    # TFLite and ONNX hold the float32 arithmetic of a mixed-precision model: compare like with like.
    reference = float32_model(model) if spec.float32_only else model
    signature = serving_signature(reference)
    expected = reference(inputs[0] if len(inputs) == 1 else inputs, training=False)
    if not isinstance(expected, (list, tuple)):
        expected = [expected]
    feeds = dict(zip(signature.input_names, inputs, strict=True))
    actual = spec.runner(Path(path), feeds, signature.output_names)
    return max(
        float(np.max(np.abs(np.asarray(want, dtype=np.float32) - got)))
        for want, got in zip(expected, actual, strict=True)
    )


def verify_export(
    model, path: Path, fmt: str, *, atol: float | None = None, inputs: list[np.ndarray] | None = None
) -> float:
    """Run the file in its own runtime; ExportError when it disagrees with the model beyond ``atol``.

    Cheap for the models here (one small batch), so a download endpoint can afford it before it
    serves a freshly converted file. Returns the measured maximum difference.
    """
    if atol is None:
        reduced = uses_reduced_precision(model) and not get_format(fmt).float32_only
        atol = REDUCED_PRECISION_ATOL if reduced else DEFAULT_ATOL
    diff = max_difference(model, path, fmt, inputs if inputs is not None else sample_inputs(model))
    logger.info("Verified %s export %s: max difference %.3g", fmt, Path(path).name, diff)
    if not np.isfinite(diff) or diff > atol:
        raise ExportError(f"The {fmt} export does not reproduce the model (max difference {diff:.3g} > {atol:g}).")
    return diff
