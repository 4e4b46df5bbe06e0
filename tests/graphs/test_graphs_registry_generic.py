"""One generic test over every registry entry: what validate infers is what Keras builds.

Cases are generated from the registry itself (defaults, then each parameter moved on its own to
other values it accepts), so a new layer type is tested the day it is declared.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from graph_factories import single_layer

from studio.graphs import REGISTRY, compile_graph, errors, validate
from studio.graphs.compile import evaluate
from studio.graphs.export import concise_kwargs
from studio.graphs.params import (
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    IntsParam,
    LayersParam,
    Param,
    WeightsParam,
)
from studio.graphs.spec import LayerSpec

# Inputs tried in order; each layer type is tested with the first one its defaults accept.
CANDIDATE_INPUTS: list[list[int | None]] = [[10, 9, 3], [7, 6], [5], [32, 32, 3], [75, 75, 3]]  # 75: InceptionV3

# Where the studio is deliberately stricter than Keras: (type, param) refused although Keras builds it.
STRICTER_THAN_KERAS = {
    ("Softmax", "axis"),  # Keras defers a bad axis to call time, or normalises over the batch
    ("Concatenate", "axis"),  # Keras joins along the batch axis
    ("DepthwiseConv2D", "dilation_rate"),  # strides > 1 with dilation > 1 fails later in TensorFlow
    ("SeparableConv2D", "dilation_rate"),
}


def _alternatives(param: Param) -> list[Any]:
    """Other accepted values of a parameter, taken from its declaration."""
    default = param.default
    if isinstance(param, WeightsParam):
        return []  # ImageNet files are not on this machine; the base case uses random weights
    if isinstance(param, BoolParam):
        return [not default]
    if isinstance(param, ChoiceParam):
        choices = list(param.choices) + ([None] if param.optional and None not in param.choices else [])
        return [c for c in choices if c != default]
    if isinstance(param, IntParam):
        start = 0 if default is None else default
        lo = param.min if param.min is not None else start - 2
        hi = param.max if param.max is not None else start + 2
        values = {lo, min(lo + 1, hi), max(min(start + 1, hi), lo), max(min(start - 1, hi), lo)}
        values |= {None} if param.optional else set()
        return sorted((v for v in values if v != default), key=lambda v: (v is None, v or 0))
    if isinstance(param, FloatParam):
        start = 0.5 if default is None else default
        lo = param.min if param.min is not None else start - 1.0
        values = [lo, (lo + param.max) / 2] if param.max is not None else [lo, start + 0.5]
        return [v for v in values if v != default] + ([None] if param.optional and default is not None else [])
    if isinstance(param, IntsParam):
        first = max(param.min if param.min is not None else 1, 1)
        values: list[Any] = [[first + i for i in range(n)] for n in param.lengths]
        if param.scalar_ok:
            values.append(first + 1)
        if param.null_items:
            values.append([None] * max(param.lengths[0], 2) if 2 in param.lengths else [None])
        if param.optional:
            values.append(None)
        return [v for v in values if v != default]
    if isinstance(param, LayersParam):
        return [list(param.choices[-2:]), list(param.choices)]
    raise AssertionError(f"no alternatives for {type(param).__name__}; extend this test")


def _base_params(spec: LayerSpec) -> dict[str, Any]:
    required = {p.name: p.default for p in spec.params if p.required}
    return {**required, "weights": None} if spec.backbone else required


def _input_shapes(spec: LayerSpec) -> list[list[int | None]] | None:
    if spec.type == "Input":
        return []
    for shape in CANDIDATE_INPUTS:
        shapes = [shape] * spec.inputs.min
        if validate(single_layer(spec.type, _base_params(spec), shapes)).valid:
            return shapes
    return None


def _cases() -> list[Any]:
    cases = []
    for spec in REGISTRY.values():
        variants: list[dict[str, Any]] = [{}]
        alternatives = {p.name: _alternatives(p) for p in spec.params}
        for name, values in alternatives.items():
            variants += [{name: value} for value in values]
        # Pairs catch interactions (strides with padding, kernel with dilation) on odd-sized inputs.
        moved = [(name, values[-1]) for name, values in alternatives.items() if values]
        variants += [dict(pair) for pair in itertools.combinations(moved, 2)]
        for variant in variants:
            label = ",".join(f"{k}={v}" for k, v in variant.items()) or "defaults"
            cases.append(pytest.param(spec.type, variant, id=f"{spec.type}[{label}]"[:120]))
    return cases


def test_every_layer_type_accepts_one_of_the_candidate_inputs():
    assert [t for t, s in REGISTRY.items() if _input_shapes(s) is None] == []


def _keras_builds(keras, spec: LayerSpec, params: dict[str, Any], shapes: list[list[int | None]]) -> bool:
    """Does Keras itself build this layer on these inputs? (our validation said no)"""
    parsed = {p.name: p.parse(params.get(p.name, p.default)) for p in spec.params}
    try:
        inputs = [keras.Input(shape=tuple(s)) for s in shapes]
        x: Any = inputs if spec.inputs.max > 1 else inputs[0]
        for step in spec.build_steps(parsed, [(None, *s) for s in shapes]):
            x = evaluate(keras, step.call)(x)
    except Exception:
        return False
    return True


def _trainable_count(model) -> int:
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


@pytest.mark.parametrize(("layer_type", "variant"), _cases())
def test_inferred_shape_and_params_match_keras(keras, layer_type, variant):
    spec = REGISTRY[layer_type]
    shapes = _input_shapes(spec)
    params = {**_base_params(spec), **variant}
    graph = single_layer(layer_type, params, shapes)
    report = validate(graph)
    if not report.valid:
        codes = {e["code"] for e in report.errors}
        assert codes <= {errors.SHAPE_MISMATCH, errors.INVALID_PARAM, errors.PARAM_OUT_OF_RANGE}, report.errors
        stricter = any((layer_type, e["param"]) in STRICTER_THAN_KERAS for e in report.errors)
        if codes <= {errors.SHAPE_MISMATCH, errors.INVALID_PARAM} and not stricter:
            assert not _keras_builds(keras, spec, params, shapes), (
                f"Keras builds what validate refuses: {report.errors}"
            )
        return
    model = compile_graph(graph)
    layer = model.get_layer("x")
    assert tuple(layer.output.shape) == tuple(report.shapes["x"])
    assert model.count_params() == report.params_total == report.node_params["x"]["total"]
    assert _trainable_count(model) == report.params_trainable == report.node_params["x"]["trainable"]


@pytest.mark.parametrize(("layer_type", "variant"), _cases())
def test_exported_arguments_leave_out_only_keras_defaults(keras, layer_type, variant):
    """to_python drops arguments equal to Keras's defaults: the layer must come out the same."""
    spec = REGISTRY[layer_type]
    params = {**_base_params(spec), **variant}
    shapes = _input_shapes(spec)
    if not validate(single_layer(layer_type, params, shapes)).valid or spec.steps is not None:
        return
    parsed = {p.name: p.parse(params.get(p.name, p.default)) for p in spec.params}
    (step,) = spec.build_steps(parsed, [(None, *s) for s in shapes])
    full = evaluate(keras, step.call, name="x").get_config()
    concise_call = type(step.call)(step.call.ctor, concise_kwargs(step.call))
    assert _without_names(evaluate(keras, concise_call, name="x").get_config()) == _without_names(full)


def _without_names(config: Any) -> Any:
    """A layer config minus the names Keras generates for inner layers (lstm, lstm_1, ...)."""
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_without_names(v) for v in config]
    return config
