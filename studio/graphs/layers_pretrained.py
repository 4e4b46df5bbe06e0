"""Registry entries for pre-trained backbones: one LayerSpec per `Backbone`, all built the same way."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .backbone_layers import INPUT_NAME, trace
from .backbones import BACKBONES, Backbone, preprocess_steps, preprocess_weights
from .params import BoolParam, ChoiceParam, LayersParam, WeightsParam
from .shapes import Shape, ShapeError, need_rank, show
from .spec import Call, LayerSpec, P, Step

POOLING_TYPES = {"avg": "GlobalAveragePooling2D", "max": "GlobalMaxPooling2D"}


def _check_input(backbone: Backbone, x: Shape, p: P) -> None:
    if not backbone.layers:
        raise ShapeError(f"{backbone.type} is not available here: its layer data is missing "
                         "(studio/graphs/backbone_data; see scripts/gen_backbone_data.py)")  # fmt: skip
    need_rank(x, 4, what=backbone.type)
    if x[3] is None or ((p["weights"] is not None or p["preprocess"]) and x[3] != 3):
        raise ShapeError(f"{backbone.type} needs 3-channel RGB images, got {show(x)}")
    for dim, smallest in zip(x[1:3], backbone.min_input, strict=True):
        if dim is not None and dim < smallest:
            size = "x".join(map(str, backbone.min_input))
            raise ShapeError(f"{backbone.type} needs images of at least {size} pixels, got {show(x)}")


def _walk(backbone: Backbone, x: Shape, p: P) -> tuple[list[dict[str, Any]], int]:
    """Every inner layer's shape and parameter count (from the registry's own functions), and the
    number of parameters that train.

    Layers that behave differently in training say how they will run: BatchNormalization rows carry
    `bn_inference` (a frozen one normalises with its moving statistics, as Keras 3 runs frozen BN
    layers; one listed in trainable_layers learns from batch statistics), Dropout rows `dropout_off`
    (compile sets an unlisted inner Dropout's rate to 0: a frozen block is a fixed feature extractor).
    """
    train = set(p["trainable_layers"])
    rows: list[dict[str, Any]] = [
        {"name": INPUT_NAME, "type": "Input", "group": "input", "shape": list(x), "params": 0, "trainable": False}
    ]
    trainable = 0
    for layer, params, ins, out in trace(backbone.layers, x):
        total, fixed = layer.spec.weights(ins, params)
        trains = layer.name in train and total > fixed
        trainable += total - fixed if trains else 0  # moving statistics never train
        row = {"name": layer.name, "type": layer.spec.type, "group": layer.group, "shape": list(out), "params": total}
        rows.append({**row, "trainable": trains})
        if layer.spec.type == "BatchNormalization":
            rows[-1]["bn_inference"] = not trains
        elif layer.spec.type == "Dropout":
            rows[-1]["dropout_off"] = layer.name not in train
        x = out
    if p["pooling"] is not None:
        pooled = [None, x[-1]]
        rows.append({"name": "pooling", "type": POOLING_TYPES[p["pooling"]], "group": "pooling",
                     "shape": pooled, "params": 0, "trainable": False})  # fmt: skip
    return rows, trainable


def pretrained_spec(backbone: Backbone) -> LayerSpec:
    def walk(p: P, ins: Sequence[Shape]) -> tuple[list[dict[str, Any]], int]:
        _check_input(backbone, ins[0], p)
        return _walk(backbone, ins[0], p)

    def inner(p: P, ins: Sequence[Shape]) -> list[dict[str, Any]]:
        return walk(p, ins)[0]

    def shape(ins: Sequence[Shape], p: P) -> Shape:
        return tuple(inner(p, ins)[-1]["shape"])

    def weights(ins: Sequence[Shape], p: P) -> tuple[int, int]:
        rows, trainable = walk(p, ins)
        total = sum(r["params"] for r in rows) + (preprocess_weights(backbone.preprocess) if p["preprocess"] else 0)
        return total, total - trainable

    def steps(p: P, ins: Sequence[Shape]) -> list[Step]:
        kwargs = {"include_top": False, "weights": None, "input_shape": tuple(ins[0][1:]), "pooling": p["pooling"]}
        base = Step(
            Call("applications." + backbone.application, kwargs),
            backbone=backbone,
            trainable_layers=tuple(p["trainable_layers"]),
            weights=p["weights"],
        )
        return [*(preprocess_steps(backbone.preprocess) if p["preprocess"] else []), base]

    return LayerSpec(
        backbone.type, "Pretrained", backbone.help,
        params=(
            WeightsParam("weights", "imagenet", 'Start from ImageNet weights ("imagenet"), your own file, or random.'),
            LayersParam("trainable_layers", [], "Layers that train; every other layer stays frozen.",
                        choices=backbone.layer_names),
            ChoiceParam("pooling", None, "Pool the last feature maps to one vector (empty: keep them).",
                        choices=(None, "avg", "max"), optional=True),
            BoolParam("preprocess", True,
                      "Apply the network's own input preprocessing inside the model (expects 0..255 RGB)."),
        ),
        shape=shape, weights=weights, steps=steps, inner=inner, backbone=backbone,
        summary=("weights", "trainable_layers"),
    )  # fmt: skip


SPECS = tuple(pretrained_spec(b) for b in BACKBONES)
