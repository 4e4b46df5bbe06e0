"""compile_graph(graph) -> keras.Model: the validated graph built with the functional API."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import backbone_keras, errors
from .backbones import find_weights, missing_weights_message
from .errors import GraphError
from .plan import Plan, PlannedStep, build_plan
from .spec import Call

if TYPE_CHECKING:
    import keras

WeightsResolver = Callable[[Any], "str | os.PathLike[str] | None"]


def compile_graph(
    graph: dict[str, Any], *, weights_resolver: WeightsResolver | None = None, load_pretrained: bool = True
) -> keras.Model:
    """Build the Keras model a graph describes; raises GraphError (the report's errors) when invalid.

    `weights_resolver` maps a pre-trained node's {"file": id} to a path (the weights library
    lives in the database, which this package does not know). `load_pretrained=False` builds the
    architecture only, every backbone with random weights: for callers that set all the weights
    next (a trained run's model.weights.h5), so neither the ImageNet file nor the library is needed.
    """
    plan = build_plan(graph)
    # Before building anything heavy: a missing file fails fast.
    weights = _resolve_weights(plan, weights_resolver) if load_pretrained else {}
    import keras

    tensors: dict[str, Any] = {}
    for node in plan.nodes:
        sources = [tensors[s] for s in node.inputs]
        x: Any = sources if node.multi_input else (sources[0] if sources else None)
        for planned in node.steps:
            x = _apply(keras, node.id, planned, x, weights.get(planned.name))
        tensors[node.id] = x
    inputs = [tensors[i] for i in plan.inputs]
    outputs = [tensors[o] for o in plan.outputs]
    return keras.Model(
        inputs=inputs[0] if len(inputs) == 1 else inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=plan.name,
    )


def evaluate(keras_module: Any, call: Call, name: str | None = None) -> Any:
    """Run a Call: keras.<ctor>(**kwargs), nested Calls first."""
    target = keras_module
    for part in call.ctor.split("."):
        target = getattr(target, part)
    kwargs = {k: evaluate(keras_module, v) if isinstance(v, Call) else v for k, v in call.kwargs.items()}
    if name is not None:
        kwargs["name"] = name
    return target(**kwargs)


def _apply(keras_module: Any, node_id: str, planned: PlannedStep, x: Any, weights_path: str | None) -> Any:
    step = planned.step
    if step.backbone is None:
        built = evaluate(keras_module, step.call, planned.name)
        return built(x) if step.apply else built
    with backbone_keras.fresh_names():  # auto-named inner layers get the catalog's names
        built = evaluate(keras_module, step.call, planned.name)
    backbone_keras.prepare(built, step, weights_path, node_id)  # weights, then trainable flags
    return built(x)


def _resolve_weights(plan: Plan, resolver: WeightsResolver | None) -> dict[str, str]:
    """Paths of the weights files every pre-trained step needs, by step name; all checked upfront."""
    out: dict[str, str] = {}
    problems = []
    for node in plan.nodes:
        for planned in node.steps:
            step = planned.step
            if step.backbone is None or step.weights is None:
                continue
            if step.weights == "imagenet":
                path = find_weights(step.backbone)
                message = missing_weights_message(step.backbone)
            else:
                ref = step.weights["file"]
                path = resolver(ref) if resolver is not None else None
                message = f"weights file {ref!r} is not available; upload it again or choose other weights"
            if path is None or not os.path.isfile(path):
                problems.append(errors.issue(errors.WEIGHTS_MISSING, message, node=node.id, param="weights"))
            else:
                out[planned.name] = os.fspath(path)
    if problems:
        raise GraphError(problems)
    return out
