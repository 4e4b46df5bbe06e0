"""Copies of a trained model that differ in one respect: no optimizer, or float32 compute.

Both rebuild the model from its own serialized config (the same objects Keras would save, so the
safe-mode registry applies) and copy the weights across, leaving the caller's model untouched.
"""

from __future__ import annotations

import logging
from typing import Any

import keras

logger = logging.getLogger(__name__)

# Policies whose compute dtype TFLite and ONNX Runtime (CPU) cannot run through every op.
_REDUCED_PRECISION = frozenset({"mixed_float16", "mixed_bfloat16", "float16", "bfloat16"})


def _rebuild(model: keras.Model, config: dict[str, Any]) -> keras.Model:
    config = dict(config)
    # Without compile_config the copy has no optimizer: nothing of its state is created or saved.
    config.pop("compile_config", None)
    copy = keras.saving.deserialize_keras_object(config)
    copy.set_weights(model.get_weights())
    return copy


def without_optimizer(model: keras.Model) -> keras.Model:
    """The model itself when it carries no optimizer, else an uncompiled copy with the same weights.

    Keras 3's ``model.save`` has no ``include_optimizer`` flag, and a clone compiled anew still saves a
    (zero) optimizer state of the same size, so the copy must not be compiled at all.
    """
    if getattr(model, "optimizer", None) is None:
        return model
    return _rebuild(model, keras.saving.serialize_keras_object(model))


def uses_reduced_precision(model: keras.Model) -> bool:
    """True when any layer (nested models included) computes in float16 or bfloat16."""
    return any(
        getattr(getattr(layer, "dtype_policy", None), "name", "float32") in _REDUCED_PRECISION
        for layer in _all_layers(model)
    )


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    layers: list[keras.layers.Layer] = []
    for layer in model.layers:
        layers.append(layer)
        if isinstance(layer, keras.Model):
            layers.extend(_all_layers(layer))
    return layers


def float32_model(model: keras.Model) -> keras.Model:
    """The model itself when it computes in float32, else a float32 copy (for TFLite and ONNX).

    Mixed precision keeps float32 variables, so the copy holds exactly the trained weights; only the
    arithmetic differs (measured: TFLite conversion and ONNX Runtime both fail on bfloat16 graphs).
    """
    if not uses_reduced_precision(model):
        return model
    logger.info("Exporting a float32 copy of mixed-precision model %s", model.name)
    return _rebuild(model, _float32_policies(keras.saving.serialize_keras_object(model)))


def _float32_policies(node: Any) -> Any:
    """Rewrite every reduced-precision dtype policy in a serialized config to float32."""
    if isinstance(node, list):
        return [_float32_policies(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("class_name") in ("DTypePolicy", "FloatDTypePolicy") and isinstance(node.get("config"), dict):
        if node["config"].get("name") in _REDUCED_PRECISION:
            return {**node, "config": {**node["config"], "name": "float32"}}
        return node
    out = {}
    for key, value in node.items():
        if key == "dtype" and isinstance(value, str) and value in _REDUCED_PRECISION:
            out[key] = "float32"
        else:
            out[key] = _float32_policies(value)
    return out
