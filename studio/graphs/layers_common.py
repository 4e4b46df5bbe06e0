"""Parameter declarations shared by several layer types (one wording, one range, everywhere)."""

from __future__ import annotations

from .limits import MAX_KERNEL_SIZE
from .params import MISSING, BoolParam, ChoiceParam, FloatParam, IntParam, IntsParam

ACTIVATIONS: tuple[str, ...] = (
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "silu", "swish", "mish",
    "sigmoid", "hard_sigmoid", "hard_silu", "tanh", "softmax", "log_softmax", "softplus", "softsign",
    "exponential",
)  # fmt: skip


def activation(default: str = "linear", name: str = "activation", keras_default: object = None) -> ChoiceParam:
    return ChoiceParam(
        name,
        default,
        "Function applied to the output (linear: none).",
        choices=ACTIVATIONS,
        keras_default=default if keras_default is None else keras_default,
    )


def use_bias() -> BoolParam:
    return BoolParam("use_bias", True, "Add a learned bias to each output.", keras_default=True)


def padding(*, causal: bool = False) -> ChoiceParam:
    choices = ("valid", "same", "causal") if causal else ("valid", "same")
    return ChoiceParam(
        "padding", "valid", "valid: no padding (output shrinks); same: pad to keep the size.",
        choices=choices, keras_default="valid",
    )  # fmt: skip


def window(name: str, rank: int, default: int, help: str, *, keras_default: object = None) -> IntsParam:
    """kernel_size / strides / dilation_rate / pool_size / size: `rank` ints or one for all."""
    return IntsParam(
        name,
        default,
        help,
        lengths=(rank,),
        min=1,
        max=MAX_KERNEL_SIZE,
        limit="max_kernel_size",
        scalar_ok=True,
        keras_default=keras_default,
    )


def kernel_size(rank: int, default: int = 3) -> IntsParam:
    return window("kernel_size", rank, default, "Size of the convolution window.", keras_default=MISSING)


def strides(rank: int) -> IntsParam:
    return window("strides", rank, 1, "Step of the window (2 halves the size).", keras_default=1)


def dilation_rate(rank: int) -> IntsParam:
    return window("dilation_rate", rank, 1, "Spacing inside the window (atrous convolution).", keras_default=1)


def rate(name: str = "rate", default: float = 0.5) -> FloatParam:
    return FloatParam(name, default, "Fraction of inputs dropped during training.", min=0.0, max=0.99)


def seed() -> IntParam:
    return IntParam(
        "seed", None, "Random seed (empty: a different one each run).", optional=True, min=0, max=2**31 - 1,
        keras_default=None,
    )  # fmt: skip


def axis(default: int = -1, help: str = "Axis the layer works along (-1: the last).") -> IntParam:
    return IntParam("axis", default, help, min=-8, max=8, keras_default=default)


RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
AFFINE_INTERPOLATIONS = ("bilinear", "nearest")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
