"""Convolution, pooling and spatial reshaping layers (channels last, as Keras defaults)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .layers_common import (
    RESIZE_INTERPOLATIONS,
    activation,
    dilation_rate,
    kernel_size,
    padding,
    strides,
    use_bias,
    window,
)
from .limits import MAX_DEPTH_MULTIPLIER, MAX_FILTERS, MAX_INPUT_DIM, MAX_KERNEL_SIZE
from .params import MISSING, BoolParam, ChoiceParam, IntParam, IntsParam
from .shapes import Shape, ShapeError, conv_length, deconv_length, need_known, need_rank, show
from .spec import LayerSpec, P

DATA_FORMAT = {"data_format": ("channels_last", None)}


def _filters(default: int = 32) -> IntParam:
    return IntParam("filters", default, "Number of output channels (feature maps).",
                    min=1, max=MAX_FILTERS, limit="max_filters")  # fmt: skip


def _depth_multiplier() -> IntParam:
    return IntParam(
        "depth_multiplier", 1, "Output channels per input channel in the depthwise step.",
        min=1, max=MAX_DEPTH_MULTIPLIER, limit="max_depth_multiplier", keras_default=1,
    )  # fmt: skip


def _no_strided_dilation(p: P) -> list[tuple[str, str]]:
    if max(p["strides"]) > 1 and max(p["dilation_rate"]) > 1:
        return [("dilation_rate", "strides > 1 cannot be combined with dilation_rate > 1")]
    return []


def _spatial(x: Shape, p: P, rank: int, *, window_param: str = "kernel_size") -> tuple[int | None, ...]:
    dilation = p.get("dilation_rate") or [1] * rank
    steps = p["strides"] if p.get("strides") is not None else p[window_param]
    return tuple(
        conv_length(x[1 + i], p[window_param][i], steps[i], dilation[i], p["padding"], window_param)
        for i in range(rank)
    )


def _channels(x: Shape) -> int:
    return need_known(x[-1], "number of input channels", x)


def _conv_shape(rank: int, *, depthwise: bool = False):  # type: ignore[no-untyped-def]
    def shape(ins: Sequence[Shape], p: P) -> Shape:
        (x,) = ins
        need_rank(x, rank + 2)
        channels = _channels(x)
        out = channels * p["depth_multiplier"] if depthwise else p["filters"]
        return (None, *_spatial(x, p, rank), out)

    return shape


def _conv_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    channels = ins[0][-1] or 0
    window_size = 1
    for k in p["kernel_size"]:
        window_size *= k
    return window_size * channels * p["filters"] + (p["filters"] if p["use_bias"] else 0), 0


def _separable_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    channels = ins[0][-1] or 0
    kh, kw = p["kernel_size"]
    mid = channels * p["depth_multiplier"]
    return kh * kw * mid + mid * p["filters"] + (p["filters"] if p["use_bias"] else 0), 0


def _depthwise_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    channels = ins[0][-1] or 0
    kh, kw = p["kernel_size"]
    out = channels * p["depth_multiplier"]
    return kh * kw * out + (out if p["use_bias"] else 0), 0


CONV_REQUIRES = {**DATA_FORMAT, "groups": (1,)}

CONV1D = LayerSpec(
    "Conv1D", "Convolution", "1D convolution over sequences (batch, steps, channels).",
    params=(_filters(), kernel_size(1), strides(1), padding(causal=True), dilation_rate(1), activation(), use_bias()),
    shape=_conv_shape(1), weights=_conv_weights, check=_no_strided_dilation,
    summary=("filters", "kernel_size", "activation"), import_requires=CONV_REQUIRES,
)  # fmt: skip

CONV2D = LayerSpec(
    "Conv2D", "Convolution", "2D convolution over images: learns local filters.",
    params=(_filters(), kernel_size(2), strides(2), padding(), dilation_rate(2), activation(), use_bias()),
    shape=_conv_shape(2), weights=_conv_weights, check=_no_strided_dilation,
    summary=("filters", "kernel_size", "strides", "activation"), import_requires=CONV_REQUIRES,
)  # fmt: skip

SEPARABLE_CONV2D = LayerSpec(
    "SeparableConv2D", "Convolution",
    "Depthwise then pointwise convolution: fewer weights than Conv2D for the same window.",
    params=(
        _filters(), kernel_size(2), strides(2), padding(), dilation_rate(2), _depth_multiplier(),
        activation(), use_bias(),
    ),
    shape=_conv_shape(2), weights=_separable_weights, check=_no_strided_dilation,
    summary=("filters", "kernel_size", "activation"), import_requires=DATA_FORMAT,
)  # fmt: skip

DEPTHWISE_CONV2D = LayerSpec(
    "DepthwiseConv2D", "Convolution", "Convolves each input channel with its own filters.",
    params=(kernel_size(2), strides(2), padding(), _depth_multiplier(), dilation_rate(2), activation(), use_bias()),
    shape=_conv_shape(2, depthwise=True), weights=_depthwise_weights, check=_no_strided_dilation,
    summary=("kernel_size", "strides"), import_requires=DATA_FORMAT,
)  # fmt: skip


def _transpose_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, 4)
    _channels(x)
    spatial = (
        deconv_length(x[1 + i], p["kernel_size"][i], p["strides"][i], p["dilation_rate"][i], p["padding"])
        for i in range(2)
    )
    return (None, *spatial, p["filters"])


def _transpose_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    return _conv_weights(ins, p)


CONV2D_TRANSPOSE = LayerSpec(
    "Conv2DTranspose", "Convolution", "Transposed convolution: learns to up-sample (strides 2 doubles the size).",
    params=(_filters(), kernel_size(2), strides(2), padding(), dilation_rate(2), activation(), use_bias()),
    shape=_transpose_shape, weights=_transpose_weights, check=_no_strided_dilation,
    summary=("filters", "kernel_size", "strides"), import_requires={**DATA_FORMAT, "output_padding": (None,)},
)  # fmt: skip


# Pooling ----------------------------------------------------------------------------------------


def _pool_params(rank: int) -> tuple[Any, ...]:
    return (
        window("pool_size", rank, 2, "Size of the pooling window.", keras_default=MISSING),
        IntsParam(
            "strides", None, "Step of the window (empty: the pool size).", lengths=(rank,), min=1,
            max=MAX_KERNEL_SIZE, limit="max_kernel_size", scalar_ok=True, optional=True, keras_default=None,
        ),
        padding(),
    )  # fmt: skip


def _pool_shape(rank: int):  # type: ignore[no-untyped-def]
    def shape(ins: Sequence[Shape], p: P) -> Shape:
        (x,) = ins
        need_rank(x, rank + 2)
        return (None, *_spatial(x, p, rank, window_param="pool_size"), x[-1])

    return shape


def _pool(type_: str, help: str, rank: int) -> LayerSpec:
    return LayerSpec(
        type_, "Pooling", help, params=_pool_params(rank), shape=_pool_shape(rank),
        summary=("pool_size",), import_requires=DATA_FORMAT,
    )  # fmt: skip


def _global_pool(type_: str, help: str, rank: int) -> LayerSpec:
    def shape(ins: Sequence[Shape], p: P) -> Shape:
        (x,) = ins
        need_rank(x, rank + 2)
        return (None, *([1] * rank), x[-1]) if p["keepdims"] else (None, x[-1])

    keepdims = BoolParam("keepdims", False, "Keep the spatial axes (as size 1).", keras_default=False)
    return LayerSpec(type_, "Pooling", help, params=(keepdims,), shape=shape, import_requires=DATA_FORMAT)


POOLING = (
    _pool("MaxPooling2D", "Keeps the largest value of each window (halves the size by default).", 2),
    _pool("AveragePooling2D", "Averages each window (halves the size by default).", 2),
    _pool("MaxPooling1D", "Keeps the largest value of each window along the steps.", 1),
    _pool("AveragePooling1D", "Averages each window along the steps.", 1),
    _global_pool("GlobalAveragePooling2D", "Averages each feature map to one value.", 2),
    _global_pool("GlobalMaxPooling2D", "Keeps the largest value of each feature map.", 2),
    _global_pool("GlobalAveragePooling1D", "Averages over the steps of a sequence.", 1),
    _global_pool("GlobalMaxPooling1D", "Keeps the largest value over the steps of a sequence.", 1),
)


# Padding, cropping, up-sampling ----------------------------------------------------------------


def _sides(values: list[int]) -> tuple[int, int, int, int]:
    """[all] / [height, width] / [top, bottom, left, right] -> (top, bottom, left, right)."""
    if len(values) == 1:
        return (values[0],) * 4  # type: ignore[return-value]
    if len(values) == 2:
        return values[0], values[0], values[1], values[1]
    return tuple(values)  # type: ignore[return-value]


def _sides_kwargs(name: str):  # type: ignore[no-untyped-def]
    def kwargs(p: P) -> dict[str, Any]:
        top, bottom, left, right = _sides(p[name])
        return {name: ((top, bottom), (left, right))}

    return kwargs


def _sides_import(name: str):  # type: ignore[no-untyped-def]
    def from_config(config: Mapping[str, Any]) -> dict[str, Any]:
        value = config.get(name)
        if isinstance(value, (list, tuple)) and all(isinstance(v, (list, tuple)) for v in value):
            value = [int(v) for pair in value for v in pair]
        return {name: value}

    return from_config


def _sides_param(name: str, help: str) -> IntsParam:
    return IntsParam(
        name, 1 if name == "padding" else 0, help, lengths=(1, 2, 4), min=0, max=MAX_INPUT_DIM,
        limit="max_input_dim", scalar_ok=True,
    )  # fmt: skip


def _pad_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, 4)
    top, bottom, left, right = _sides(p["padding"])
    h, w = x[1], x[2]
    return (None, None if h is None else h + top + bottom, None if w is None else w + left + right, x[3])


def _crop_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, 4)
    top, bottom, left, right = _sides(p["cropping"])
    h, w = x[1], x[2]
    if (h is not None and top + bottom >= h) or (w is not None and left + right >= w):
        raise ShapeError(f"cropping {p['cropping']} leaves nothing of {show(x)}", "cropping")
    return (None, None if h is None else h - top - bottom, None if w is None else w - left - right, x[3])


ZERO_PADDING_2D = LayerSpec(
    "ZeroPadding2D", "Reshaping", "Adds rows and columns of zeros around each image.",
    params=(_sides_param("padding", "Zeros to add: [all], [height, width] or [top, bottom, left, right]."),),
    shape=_pad_shape, kwargs=_sides_kwargs("padding"), from_config=_sides_import("padding"),
    summary=("padding",), import_requires=DATA_FORMAT,
)  # fmt: skip

CROPPING_2D = LayerSpec(
    "Cropping2D", "Reshaping", "Cuts rows and columns off the edges of each image.",
    params=(_sides_param("cropping", "Pixels to cut: [all], [height, width] or [top, bottom, left, right]."),),
    shape=_crop_shape, kwargs=_sides_kwargs("cropping"), from_config=_sides_import("cropping"),
    summary=("cropping",), import_requires=DATA_FORMAT,
)  # fmt: skip


def _upsample_shape(ins: Sequence[Shape], p: P) -> Shape:
    (x,) = ins
    need_rank(x, 4)
    sh, sw = p["size"]
    return (None, None if x[1] is None else x[1] * sh, None if x[2] is None else x[2] * sw, x[3])


UP_SAMPLING_2D = LayerSpec(
    "UpSampling2D", "Reshaping", "Repeats rows and columns to enlarge each image.",
    params=(
        window("size", 2, 2, "Up-sampling factors (height, width).", keras_default=2),
        ChoiceParam("interpolation", "nearest", "How new pixels are filled.", choices=RESIZE_INTERPOLATIONS,
                    keras_default="nearest"),
    ),
    shape=_upsample_shape, summary=("size",), import_requires=DATA_FORMAT,
)  # fmt: skip

SPECS = (
    CONV1D, CONV2D, SEPARABLE_CONV2D, DEPTHWISE_CONV2D, CONV2D_TRANSPOSE, *POOLING, ZERO_PADDING_2D,
    CROPPING_2D, UP_SAMPLING_2D,
)  # fmt: skip
