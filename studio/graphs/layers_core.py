"""Core, normalization, activation and regularization layers (plus the graph's Input)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from .layers_common import activation, axis, rate, use_bias
from .limits import (
    MAX_EMBEDDING_INPUT_DIM,
    MAX_EMBEDDING_OUTPUT_DIM,
    MAX_INPUT_DIM,
    MAX_INPUT_RANK,
    MAX_TENSOR_ELEMENTS,
    MAX_UNITS,
)
from .params import MISSING, BoolParam, ChoiceParam, FloatParam, IntParam, IntsParam
from .shapes import Shape, ShapeError, axis_index, need_known, need_rank, show
from .spec import Arity, Call, LayerSpec, P, Step

DTYPES = ("float32", "float16", "bfloat16", "int32", "int64", "uint8")


def _same(ins: Sequence[Shape], _p: P) -> Shape:
    return ins[0]


# Input ------------------------------------------------------------------------------------------


def _input_shape(_ins: Sequence[Shape], p: P) -> Shape:
    return (None, *p["shape"])


def _input_steps(p: P, _ins: Sequence[Shape]) -> list[Step]:
    kwargs: dict[str, Any] = {"shape": tuple(p["shape"])}
    if p["dtype"] != "float32":
        kwargs["dtype"] = p["dtype"]
    return [Step(Call("Input", kwargs), apply=False)]


def _input_from_config(config: Mapping[str, Any]) -> dict[str, Any]:
    batch_shape = config.get("batch_shape") or config.get("batch_input_shape")
    if not isinstance(batch_shape, (list, tuple)) or len(batch_shape) < 2:
        raise ValueError("the input layer has no known shape")
    dtype = config.get("dtype") or "float32"
    return {"shape": list(batch_shape[1:]), "dtype": dtype}


INPUT = LayerSpec(
    "Input", "Input", "A model input: one sample's shape, without the batch dimension.",
    params=(
        IntsParam(
            "shape", [224, 224, 3], "One sample's shape, e.g. [224, 224, 3] (height, width, channels).",
            lengths=tuple(range(1, MAX_INPUT_RANK + 1)), min=1, max=MAX_INPUT_DIM, limit="max_input_dim",
            null_items=True, required=True,
        ),
        ChoiceParam("dtype", "float32", "Type of the values (int32 for token ids).", choices=DTYPES),
    ),
    shape=_input_shape, inputs=Arity(0, 0), summary=("shape",), steps=_input_steps,
    from_config=_input_from_config,
)  # fmt: skip


# Core -------------------------------------------------------------------------------------------


def _dense_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, min_rank=2, what="Dense")
    need_known(x[-1], "last dimension of Dense's input", x)
    return (*x[:-1], p["units"])


def _dense_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    last = ins[0][-1] or 0
    return last * p["units"] + (p["units"] if p["use_bias"] else 0), 0


DENSE = LayerSpec(
    "Dense", "Core", "Fully connected layer: every input feeds every unit (applies to the last axis).",
    params=(
        IntParam("units", 64, "Number of output units.", min=1, max=MAX_UNITS, limit="max_units"),
        activation(), use_bias(),
    ),
    shape=_dense_shape, weights=_dense_weights, summary=("units", "activation"),
)  # fmt: skip


def _flatten_shape(ins: Sequence[Shape], _p: P) -> Shape:
    (x,) = ins
    need_rank(x, min_rank=2, what="Flatten")
    dims = x[1:]
    return (None, None if any(d is None for d in dims) else math.prod(dims))  # type: ignore[arg-type]


FLATTEN = LayerSpec("Flatten", "Reshaping", "Flattens each sample to one dimension.", params=(), shape=_flatten_shape)


def _reshape_check(p: P) -> list[tuple[str, str]]:
    target = p["target_shape"]
    if 0 in target or target.count(-1) > 1:
        return [("target_shape", "target_shape takes positive sizes and at most one -1 (inferred)")]
    return []


def _reshape_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    target = list(p["target_shape"])
    dims = x[1:]
    if any(d is None for d in dims):
        return (None, *(None if d == -1 else d for d in target))
    size = math.prod(dims)  # type: ignore[arg-type]
    known = math.prod(d for d in target if d != -1)
    if -1 in target:
        if size % known:
            raise ShapeError(f"cannot reshape {show(x)} to {target}: sizes do not divide", "target_shape")
        target[target.index(-1)] = size // known
    elif known != size:
        raise ShapeError(f"cannot reshape {show(x)} ({size} values) to {target} ({known} values)", "target_shape")
    return (None, *target)


RESHAPE = LayerSpec(
    "Reshape", "Reshaping", "Gives each sample a new shape with the same number of values.",
    params=(
        IntsParam(
            "target_shape", [-1], "New shape without the batch dimension; one -1 is inferred.",
            lengths=(1, 2, 3, 4), min=-1, max=MAX_TENSOR_ELEMENTS, limit="max_tensor_elements", required=True,
        ),
    ),
    shape=_reshape_shape, check=_reshape_check, summary=("target_shape",),
)  # fmt: skip


def _activation_import(config: Mapping[str, Any]) -> dict[str, Any]:
    return {"activation": config.get("activation")}


ACTIVATION = LayerSpec(
    "Activation", "Activation", "Applies an activation function element-wise.",
    params=(activation("relu", keras_default=MISSING),),
    shape=_same, summary=("activation",), from_config=_activation_import,
)  # fmt: skip

RELU = LayerSpec(
    "ReLU", "Activation", "Rectified linear unit, optionally capped (max_value 6 is ReLU6).",
    params=(
        FloatParam("max_value", None, "Cap on the output (empty: none).", optional=True, min=0.0, keras_default=None),
        FloatParam("negative_slope", 0.0, "Slope below the threshold.", min=0.0, keras_default=0.0),
        FloatParam("threshold", 0.0, "Values below this are damped.", min=0.0, keras_default=0.0),
    ),
    shape=_same, summary=("max_value",),
)  # fmt: skip


def _leaky_import(config: Mapping[str, Any]) -> dict[str, Any]:
    slope = config.get("negative_slope", config.get("alpha", 0.3))  # Keras 2 named it alpha
    return {"negative_slope": slope}


LEAKY_RELU = LayerSpec(
    "LeakyReLU", "Activation", "ReLU with a small slope for negative inputs.",
    params=(FloatParam("negative_slope", 0.3, "Slope for negative inputs.", min=0.0, keras_default=0.3),),
    shape=_same, summary=("negative_slope",), from_config=_leaky_import,
)  # fmt: skip


def _softmax_shape(ins: Sequence[Shape], p: P) -> Shape:
    axis_index(p["axis"], len(ins[0]))
    return ins[0]


SOFTMAX = LayerSpec(
    "Softmax", "Activation", "Turns scores into probabilities along an axis.",
    params=(axis(),), shape=_softmax_shape,
)  # fmt: skip


# Regularization ---------------------------------------------------------------------------------

DROPOUT = LayerSpec(
    "Dropout", "Regularization", "Randomly zeroes a fraction of inputs while training.",
    params=(rate(),), shape=_same, summary=("rate",),
)  # fmt: skip


def _image_same(ins: Sequence[Shape], _p: P) -> Shape:
    need_rank(ins[0], 4)
    return ins[0]


SPATIAL_DROPOUT_2D = LayerSpec(
    "SpatialDropout2D", "Regularization", "Drops whole feature maps (channels) while training.",
    params=(rate(),), shape=_image_same, summary=("rate",),
)  # fmt: skip


# Normalization ----------------------------------------------------------------------------------


def _norm_axis_size(ins: Sequence[Shape], p: P, what: str) -> int:
    x = ins[0]
    index = axis_index(p["axis"], len(x))
    return need_known(x[index], f"size of {what}'s axis", x)


def _norm_axis_import(config: Mapping[str, Any]) -> int:
    value = config.get("axis", -1)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]  # Keras 2 stored [3]
    return value  # type: ignore[no-any-return]


def _batchnorm_shape(ins: Sequence[Shape], p: P) -> Shape:
    _norm_axis_size(ins, p, "BatchNormalization")
    return ins[0]


def _batchnorm_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    size = _norm_axis_size(ins, p, "BatchNormalization")
    return size * (2 + int(p["center"]) + int(p["scale"])), 2 * size


def _norm_import(config: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("momentum", "epsilon", "center", "scale")
    return {"axis": _norm_axis_import(config), **{k: config[k] for k in keys if k in config}}


def _center_scale() -> tuple[BoolParam, BoolParam]:
    return (
        BoolParam("center", True, "Learn an offset (beta).", keras_default=True),
        BoolParam("scale", True, "Learn a scale (gamma).", keras_default=True),
    )


BATCH_NORMALIZATION = LayerSpec(
    "BatchNormalization", "Normalization",
    "Normalizes with batch statistics while training and moving averages when predicting.",
    params=(
        axis(-1, "Axis of the features (-1: channels)."),
        FloatParam("momentum", 0.99, "Momentum of the moving averages.", min=0.0, max=1.0, keras_default=0.99),
        FloatParam("epsilon", 0.001, "Small value added to the variance.", min=0.0, max=1.0, keras_default=0.001),
        *_center_scale(),
    ),
    shape=_batchnorm_shape, weights=_batchnorm_weights, from_config=_norm_import,
    import_requires={"renorm": (False,), "synchronized": (False,)},
)  # fmt: skip


def _layernorm_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    size = _norm_axis_size(ins, p, "LayerNormalization")
    return size * (int(p["center"]) + int(p["scale"])), 0


def _layernorm_shape(ins: Sequence[Shape], p: P) -> Shape:
    _norm_axis_size(ins, p, "LayerNormalization")
    return ins[0]


LAYER_NORMALIZATION = LayerSpec(
    "LayerNormalization", "Normalization", "Normalizes each sample over its features.",
    params=(
        axis(),
        FloatParam("epsilon", 0.001, "Small value added to the variance.", min=0.0, max=1.0, keras_default=0.001),
        *_center_scale(),
    ),
    shape=_layernorm_shape, weights=_layernorm_weights, from_config=_norm_import,
    import_requires={"rms_scaling": (False,)},
)  # fmt: skip


# Embedding --------------------------------------------------------------------------------------


def _embedding_weights(_ins: Sequence[Shape], p: P) -> tuple[int, int]:
    return p["input_dim"] * p["output_dim"], 0


EMBEDDING = LayerSpec(
    "Embedding", "Core", "Maps integer token ids to learned vectors.",
    params=(
        IntParam(
            "input_dim", 1000, "Vocabulary size (largest token id + 1).",
            min=1, max=MAX_EMBEDDING_INPUT_DIM, limit="max_embedding_input_dim",
        ),
        IntParam(
            "output_dim", 64, "Size of each token's vector.",
            min=1, max=MAX_EMBEDDING_OUTPUT_DIM, limit="max_embedding_output_dim",
        ),
        BoolParam("mask_zero", False, "Treat id 0 as padding and mask it downstream.", keras_default=False),
    ),
    shape=lambda ins, p: (*ins[0], p["output_dim"]), weights=_embedding_weights,
    summary=("input_dim", "output_dim"),
)  # fmt: skip

SPECS = (
    INPUT, DENSE, EMBEDDING, FLATTEN, RESHAPE, DROPOUT, SPATIAL_DROPOUT_2D, BATCH_NORMALIZATION,
    LAYER_NORMALIZATION, ACTIVATION, RELU, LEAKY_RELU, SOFTMAX,
)  # fmt: skip
