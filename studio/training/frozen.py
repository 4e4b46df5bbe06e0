"""Frozen-prefix caching: find where a model's frozen front ends, and split it there.

When every layer between the input and some tensor is frozen and deterministic, that front part
(the prefix) maps each image to the same features in every epoch. The trainer then computes the
features once per image and trains only the rest (the suffix) on them. The suffix is built from the
very same layer objects, so training it trains the full model's weights.

A cut is valid at a tensor that every path from the input to the outputs passes through, with only
frozen layers before it. Frozen means no trainable weights and not in training mode: a layer with
weights counts when `trainable` is False (a frozen BatchNormalization then runs in inference mode,
as it does during the prefix's prediction); a layer without weights counts unless it is random
(Dropout, noise, Random* augmentation), which would give other outputs in training. The search goes
inside a nested pre-trained model (VGG16 with only block 5 trainable cuts at block4_pool).
"""
import logging
from dataclasses import dataclass

import keras

from studio.training.inputs import Rows

log = logging.getLogger(__name__)

RANDOM_LAYERS = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
                 "GaussianDropout", "AlphaDropout")


@dataclass
class FrozenCut:
    prefix: keras.Model  # model input -> features
    suffix: keras.Model  # features -> model outputs, sharing the model's layers
    layer: str  # where the cut is: "block4_pool", or "vgg16/block4_pool" inside a nested model
    feature_shape: tuple


def _is_nested(layer) -> bool:
    return isinstance(layer, keras.Model) and hasattr(layer, "_nodes_by_depth")


def _is_random(layer) -> bool:
    name = type(layer).__name__
    if name in RANDOM_LAYERS:
        return getattr(layer, "rate", None) != 0  # a frozen backbone's dropout is switched off with rate 0
    return name.startswith("Random")


def is_frozen(layer) -> bool:
    if isinstance(layer, keras.Model):
        return all(is_frozen(inner) for inner in layer.layers)
    if _is_random(layer):
        return False
    return not layer.trainable or not layer.weights


def _ordered_nodes(model: keras.Model) -> list:
    """The model's own nodes (not those of other models sharing a layer), inputs first."""
    return [node for depth in sorted(model._nodes_by_depth, reverse=True) for node in model._nodes_by_depth[depth]]


@dataclass
class _Candidate:
    tensor: object  # a KerasTensor of `model`'s graph
    layer: str
    weighted: bool  # the prefix up to here holds weights (worth caching)
    nested: "tuple | None" = None  # (nested model, node in the outer graph, inner candidate)


def _candidates(model: keras.Model) -> list[_Candidate]:
    """Valid cut points in order, deepest last."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        return []
    nodes = [n for n in _ordered_nodes(model) if not isinstance(n.operation, keras.layers.InputLayer)]
    consumers: dict[int, set[int]] = {}
    for index, node in enumerate(nodes):
        for tensor in node.input_tensors:
            consumers.setdefault(id(tensor), set()).add(index)
    outputs = {id(t) for t in model.outputs}
    live = {id(model.inputs[0]): model.inputs[0]}
    found: list[_Candidate] = []
    weighted = False
    for index, node in enumerate(nodes):
        layer = node.operation
        sole_input = len(live) == 1 and len(node.input_tensors) == 1 and id(node.input_tensors[0]) in live
        if not is_frozen(layer):
            # Not frozen as a whole: a nested model may still be frozen at its front.
            if _is_nested(layer) and sole_input and len(node.output_tensors) == 1:
                inner = [c for c in _candidates(layer) if c.weighted]
                if inner:
                    found.append(_Candidate(inner[-1].tensor, f"{layer.name}/{inner[-1].layer}", True,
                                            (layer, node, inner[-1])))
            break
        weighted = weighted or bool(layer.weights)
        for tensor in node.input_tensors:
            users = consumers.get(id(tensor), set())
            if all(user <= index for user in users) and id(tensor) not in outputs:
                live.pop(id(tensor), None)
        for tensor in node.output_tensors:
            live[id(tensor)] = tensor
        if len(live) == 1 and not outputs & set(live):
            found.append(_Candidate(next(iter(live.values())), layer.name, weighted))
    return found


def _split(model: keras.Model, candidate: _Candidate) -> tuple[keras.Model, keras.Model]:
    if candidate.nested is None:
        # Keras builds a model between intermediate tensors by cloning only the graph nodes;
        # the layers (and their weights) are shared with `model`.
        # (Single tensors, not lists: the trainer calls them with one tensor.)
        return keras.Model(model.inputs[0], candidate.tensor), keras.Model(candidate.tensor, model.outputs[0])
    nested, node, inner = candidate.nested
    inner_prefix, inner_suffix = _split(nested, inner)
    before = node.input_tensors[0]
    outer_in = model.inputs[0]
    x = outer_in if before is outer_in else keras.Model(outer_in, before)(outer_in)
    prefix = keras.Model(outer_in, inner_prefix(x))
    features = keras.Input(shape=inner_suffix.inputs[0].shape[1:], dtype=inner_suffix.inputs[0].dtype)
    y = inner_suffix(features)
    after = node.output_tensors[0]
    if after is model.outputs[0]:
        return prefix, keras.Model(features, y)
    tail = keras.Model(after, model.outputs[0])
    return prefix, keras.Model(features, tail(y))


def find_frozen_cut(model: keras.Model) -> FrozenCut | None:
    """The deepest cut after at least one frozen layer with weights, or None when there is none."""
    usable = [c for c in _candidates(model) if c.weighted]
    if not usable:
        return None
    candidate = usable[-1]
    prefix, suffix = _split(model, candidate)
    return FrozenCut(prefix=prefix, suffix=suffix, layer=candidate.layer,
                     feature_shape=tuple(prefix.outputs[0].shape[1:]))


def compute_features(prefix: keras.Model, rows: Rows, *, batch_size: int) -> Rows:
    """The prefix's output for every row, in row order: what the suffix trains on."""
    return Rows(table=prefix.predict(rows.all_batches(batch_size), verbose=0))
