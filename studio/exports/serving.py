"""The inference function that every graph export (SavedModel, TFLite, ONNX) is traced from.

Why not ``model.export()`` or ``TFLiteConverter.from_keras_model``: measured on Keras 3.15 / TF 2.21,
- ``model.export`` calls the model without ``training=False``, so augmentation layers (RandomFlip,
  RandomRotation, ...) stay active in the served graph: predictions were random (diffs up to 6e-3);
- it names signature arguments after the Keras inputs, and an input named ``in`` (a Python keyword,
  as in the studio's example graphs) fails with "'in' is not a valid parameter name";
- ``from_keras_model`` depends on tf_keras internals and failed on a model with a nested VGG16.
So we trace one function ourselves: fixed argument names, ``training=False``, named outputs.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from typing import Any

import keras

_IDENTIFIER = re.compile(r"[^0-9A-Za-z_]")


@dataclass(frozen=True)
class ServingSignature:
    """Names and shapes of the exported inputs and outputs, in the model's order."""

    input_names: list[str]
    input_shapes: list[tuple[int | None, ...]]
    output_names: list[str]


def _identifier(name: str, fallback: str) -> str:
    cleaned = _IDENTIFIER.sub("_", name).strip("_") or fallback
    # Signature arguments become Python parameter names: no leading digit, no keyword ("in").
    if cleaned[0].isdigit() or keyword.iskeyword(cleaned):
        cleaned = f"{fallback}_{cleaned}"
    return cleaned


def serving_signature(model: keras.Model) -> ServingSignature:
    """One input is called ``input`` and one output ``output``; several keep their (sanitised) Keras names."""
    inputs = list(model.inputs)
    outputs = list(model.outputs)
    if len(inputs) == 1:
        input_names = ["input"]
    else:
        input_names = _unique([_identifier(t.name, f"input_{i}") for i, t in enumerate(inputs)])
    if len(outputs) == 1:
        output_names = ["output"]
    else:
        names = list(getattr(model, "output_names", None) or [])
        if len(names) != len(outputs):
            names = [f"output_{i}" for i in range(len(outputs))]
        output_names = _unique([_identifier(n, f"output_{i}") for i, n in enumerate(names)])
    return ServingSignature(
        input_names=input_names,
        input_shapes=[tuple(t.shape) for t in inputs],
        output_names=output_names,
    )


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}_{count}")
    return out


def tensor_specs(model: keras.Model, signature: ServingSignature) -> list[Any]:
    """tf.TensorSpecs with a free batch dimension, named as in the signature."""
    import tensorflow as tf

    specs = []
    for tensor, name, shape in zip(model.inputs, signature.input_names, signature.input_shapes, strict=True):
        dtype = tf.as_dtype(keras.backend.standardize_dtype(tensor.dtype))
        specs.append(tf.TensorSpec((None, *shape[1:]), dtype, name=name))
    return specs


def serving_function(model: keras.Model, signature: ServingSignature) -> Any:
    """A tf.function of the named inputs returning {output name: tensor}, with ``training=False``."""
    import tensorflow as tf

    specs = tensor_specs(model, signature)

    def _call(*args: Any) -> dict[str, Any]:
        inputs = args[0] if len(args) == 1 else list(args)
        outputs = model(inputs, training=False)
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        # Mixed-precision models may compute in (b)float16: serve float32 so every runtime agrees.
        return {
            name: tf.cast(out, tf.float32) if out.dtype.is_floating else out
            for name, out in zip(signature.output_names, outputs, strict=True)
        }

    return tf.function(_call, input_signature=specs, autograph=False)
