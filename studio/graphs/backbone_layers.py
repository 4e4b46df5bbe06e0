"""Inner layers of pre-trained backbones: how each is described, grouped, traced and weighed.

A backbone's layers are registry layers (so shapes and parameter counts come from the same
functions as every other node) wired as a DAG by name. Small networks (VGG) are listed in Python;
big ones are read from `backbone_data/<type>.json`, generated once from keras.applications by
scripts/gen_backbone_data.py and checked against Keras by tests/zoo, so validate() stays fast and
never imports TensorFlow. Nothing here imports Keras.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import layers_conv, layers_core, layers_merge, layers_preprocessing
from .layers_common import axis
from .shapes import Shape, axis_index, need_known
from .spec import LayerSpec, P

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "backbone_data"
INPUT_NAME = "input_layer"  # the name keras.applications gives its Input


@dataclass(frozen=True)
class InnerLayer:
    name: str
    spec: LayerSpec
    group: str
    params: Mapping[str, Any]  # full (parsed) params of the registry layer
    inputs: tuple[str, ...] = ()  # the layers feeding it, by name; empty: the previous layer
    # ZeroPadding2D whose padding Keras derives from the input size (imagenet_utils.correct_pad with
    # this kernel size): odd and even sizes pad differently, so the shape walk recomputes it.
    correct_pad: int | None = None


# Normalization is not a palette layer (it needs adapt() or constants); backbones use it inside
# (EfficientNet). Its mean, variance and count are weights that never train.
def _normalization_weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
    size = need_known(ins[0][axis_index(p["axis"], len(ins[0]))], "size of Normalization's axis", ins[0])
    return 2 * size + 1, 2 * size + 1


NORMALIZATION = LayerSpec(
    "Normalization", "Preprocessing", "Subtracts a mean and divides by a standard deviation per channel.",
    params=(axis(-1, "Axis of the features (-1: channels)."),),
    shape=lambda ins, p: ins[0], weights=_normalization_weights,
    from_config=lambda c: {"axis": c["axis"][0] if isinstance(c.get("axis"), (list, tuple)) else c.get("axis", -1)},
)  # fmt: skip

INNER_SPECS: dict[str, LayerSpec] = {
    spec.type: spec
    for spec in (
        *layers_core.SPECS,
        *layers_conv.SPECS,
        *layers_merge.SPECS,
        *layers_preprocessing.SPECS,
        NORMALIZATION,
    )
}


# Groups -----------------------------------------------------------------------------------------

Grouping = Callable[[Sequence[str]], list[str]]


def by_prefix(*rules: tuple[str, str], first: str = "stem") -> Grouping:
    """Each layer's group from the first rule whose regex matches its name (the group may use \\1).

    A layer no rule matches joins the group of the layer before it (Keras orders layers by depth,
    so an unnamed residual branch sits among the block it belongs to), or `first` at the start.
    """
    compiled = [(re.compile(pattern), group) for pattern, group in rules]

    def grouping(names: Sequence[str]) -> list[str]:
        out: list[str] = []
        for name in names:
            group = next((m.expand(g) for r, g in compiled if (m := r.match(name))), None)
            out.append(group or (out[-1] if out else first))
        return out

    return grouping


def by_boundaries(*closing: tuple[str, str], last: str = "top") -> Grouping:
    """Groups that end at named layers: (layer, group) puts every layer up to that one in the group.

    For networks whose layers are mostly auto-named (InceptionV3): a module ends where its branches
    are concatenated (mixed0 ... mixed10), and Keras's depth order keeps each module together.
    """

    def grouping(names: Sequence[str]) -> list[str]:
        ends = dict(closing)
        out, pending = [], 0
        for index, name in enumerate(names):
            if name in ends:
                out += [ends[name]] * (index + 1 - pending)
                pending = index + 1
        return out + [last] * (len(names) - pending)

    return grouping


# Data files -------------------------------------------------------------------------------------


def load_layers(type_: str, grouping: Grouping) -> tuple[InnerLayer, ...]:
    """A backbone's layers from its packaged JSON (written by scripts/gen_backbone_data.py)."""
    path = DATA_DIR / f"{type_}.json"
    if not path.is_file():  # validate then refuses the node; scripts/gen_backbone_data.py writes it
        logger.error("%s has no layer data (%s is missing)", type_, path)
        return ()
    data = json.loads(path.read_text())
    rows = data["layers"]
    groups = grouping([row["name"] for row in rows])
    return tuple(
        InnerLayer(
            name=row["name"],
            spec=INNER_SPECS[row["type"]],
            group=group,
            params=row["params"],
            inputs=tuple(row["inputs"]),
            correct_pad=row.get("correct_pad"),
        )
        for row, group in zip(rows, groups, strict=True)
    )


# Shapes and weights -----------------------------------------------------------------------------


def _params_at(layer: InnerLayer, x: Shape) -> Mapping[str, Any]:
    """The layer's params for this input (correct_pad paddings depend on the input size)."""
    if layer.correct_pad is None:
        return layer.params
    half = layer.correct_pad // 2
    height, width = x[1], x[2]
    # imagenet_utils.correct_pad: one pixel less on the leading side for even sizes (and unknown ones).
    top = half - (1 if height is None else 1 - height % 2)
    left = half - (1 if width is None or height is None else 1 - width % 2)
    return {**layer.params, "padding": [top, half, left, half]}


def trace(layers: Sequence[InnerLayer], x: Shape) -> Iterator[tuple[InnerLayer, Mapping[str, Any], list[Shape], Shape]]:
    """Walk the layers in order: (layer, its params at this size, input shapes, output shape).

    Raises ShapeError (from the registry's shape functions) where Keras would refuse the input.
    """
    shapes: dict[str, Shape] = {INPUT_NAME: x}
    previous = INPUT_NAME
    for layer in layers:
        ins = [shapes[name] for name in (layer.inputs or (previous,))]
        params = _params_at(layer, ins[0])
        out = layer.spec.shape(ins, params)
        shapes[layer.name] = out
        previous = layer.name
        yield layer, params, ins, out


def variables(layer: InnerLayer, ins: Sequence[Shape]) -> list[tuple[str, tuple[int, ...]]]:
    """The layer's Keras variables (name, shape) in layer.weights order, from its params.

    Upload checks compare files with these without building the network in Keras.
    """
    p, kind = layer.params, layer.spec.type
    channels = ins[0][-1] or 0
    if kind in ("Conv2D", "DepthwiseConv2D", "SeparableConv2D"):
        kh, kw = p["kernel_size"]
        if kind == "Conv2D":
            out = [("kernel", (kh, kw, channels, p["filters"]))]
            width = p["filters"]
        elif kind == "DepthwiseConv2D":
            width = channels * p["depth_multiplier"]
            out = [("kernel", (kh, kw, channels, p["depth_multiplier"]))]
        else:
            mid = channels * p["depth_multiplier"]
            out = [("depthwise_kernel", (kh, kw, channels, p["depth_multiplier"])),
                   ("pointwise_kernel", (1, 1, mid, p["filters"]))]  # fmt: skip
            width = p["filters"]
        return out + ([("bias", (width,))] if p["use_bias"] else [])
    if kind == "BatchNormalization":
        size = ins[0][axis_index(p["axis"], len(ins[0]))] or 0
        named = [("gamma", p["scale"]), ("beta", p["center"]), ("moving_mean", True), ("moving_variance", True)]
        return [(name, (size,)) for name, present in named if present]
    if kind == "Normalization":
        size = ins[0][axis_index(p["axis"], len(ins[0]))] or 0
        return [("mean", (size,)), ("variance", (size,)), ("count", ())]
    return []
