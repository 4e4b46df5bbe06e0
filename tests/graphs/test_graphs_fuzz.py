"""Hypothesis fuzzing: validate() never raises, and a graph it accepts is one Keras builds as inferred."""

from __future__ import annotations

import copy
import json
from typing import Any

from graph_factories import small_cnn
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from studio.graphs import REGISTRY, GraphError, compile_graph, errors, from_keras, validate

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)
type_names = st.sampled_from([*REGISTRY, "Lambda", "", "dense"])
param_values = st.one_of(
    json_values, st.integers(-3, 70), st.lists(st.one_of(st.none(), st.integers(-2, 40)), max_size=5)
)


def _assert_sound(report) -> None:
    assert errors.INTERNAL_ERROR not in [e["code"] for e in report.errors], report.errors
    json.dumps(report.as_dict())
    assert set(report.shapes) == set(report.node_params)


@FAST
@given(json_values)
def test_validate_never_raises_on_arbitrary_json(value):
    _assert_sound(validate(value))


@st.composite
def graph_like(draw) -> dict[str, Any]:
    ids = draw(st.lists(st.sampled_from(["in", "a", "b", "c", "d", "in2"]), max_size=7))
    nodes = []
    for node_id in ids:
        kind = "Input" if node_id.startswith("in") and draw(st.booleans()) else draw(type_names)
        params = draw(
            st.dictionaries(
                st.sampled_from(
                    ["shape", "units", "filters", "kernel_size", "strides", "axis", "padding", "rate", "x"]
                ),
                param_values,
                max_size=3,
            )
        )
        nodes.append({"id": node_id, "type": kind, "params": params})
    edges = draw(st.lists(st.fixed_dictionaries(
        {"source": st.sampled_from(ids or ["x"]), "target": st.sampled_from(ids or ["x"])},
        optional={"port": st.one_of(st.none(), st.integers(-1, 3), st.text(max_size=2))},
    ), max_size=8))  # fmt: skip
    return {"version": draw(st.sampled_from([1, 1, 2, "1"])), "nodes": nodes, "edges": edges}


@FAST
@given(graph_like())
def test_validate_never_raises_on_graph_shaped_junk(g):
    _assert_sound(validate(g))


layer_entries = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["InputLayer", "Dense", "Conv2D", "Add", "Bidirectional", "Functional", "Lambda"]),
     "name": st.sampled_from(["a", "b", "c"]),
     "config": st.dictionaries(st.sampled_from(["name", "units", "batch_shape", "layer", "layers", "padding",
                                                "trainable", "activation"]), json_values, max_size=4)},
    optional={"inbound_nodes": json_values},
)  # fmt: skip
keras_configs = st.fixed_dictionaries(
    {"class_name": st.sampled_from(["Functional", "Sequential", "Model", "Custom"]),
     "config": st.fixed_dictionaries({"layers": st.lists(layer_entries, max_size=4)},
                                     optional={"input_layers": json_values, "output_layers": json_values})},
)  # fmt: skip


@FAST
@given(st.one_of(json_values, keras_configs))
def test_from_keras_only_raises_graph_error_on_junk_configs(value):
    try:
        from_keras(value)
    except GraphError:
        pass


MUTATIONS = ("drop_node", "drop_edge", "junk_param", "retype", "add_edge", "reverse_edge", "junk_field")


@FAST
@given(st.lists(st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 50), json_values), max_size=4))
def test_validate_never_raises_on_mutated_valid_graphs(mutations):
    g = copy.deepcopy(small_cnn())
    for kind, index, junk in mutations:
        nodes, edges = g["nodes"], g["edges"]
        if not isinstance(nodes, list) or not isinstance(edges, list):
            break  # an earlier mutation replaced them with junk: nothing left to mutate
        if kind == "drop_node" and nodes:
            nodes.pop(index % len(nodes))
        elif kind == "drop_edge" and edges:
            edges.pop(index % len(edges))
        elif kind == "junk_param" and nodes and isinstance(nodes[index % len(nodes)]["params"], dict):
            nodes[index % len(nodes)]["params"][["units", "axis", "kernel_size", "shape"][index % 4]] = junk
        elif kind == "retype" and nodes:
            nodes[index % len(nodes)]["type"] = list(REGISTRY)[index % len(REGISTRY)]
        elif kind == "add_edge" and nodes:
            edges.append({"source": nodes[index % len(nodes)]["id"], "target": nodes[(index * 7) % len(nodes)]["id"]})
        elif kind == "reverse_edge" and edges and isinstance(edges[index % len(edges)], dict):
            e = edges[index % len(edges)]
            e["source"], e["target"] = e.get("target"), e.get("source")
        elif kind == "junk_field":
            (nodes[index % len(nodes)] if nodes and index % 2 else g)[["id", "params", "edges"][index % 3]] = junk
    _assert_sound(validate(g))


# Valid graphs drawn layer by layer must build in Keras with exactly the inferred shapes.
# Each entry: the ranks it accepts (batch included), its params, and the rank it outputs.
PADDING = st.sampled_from(["valid", "same"])
CHAIN_LAYERS: dict[str, tuple[set[int], dict[str, Any], Any]] = {
    "Dense": ({2, 3, 4}, {"units": st.integers(1, 6), "activation": st.sampled_from(["relu", "tanh"])}, None),
    "BatchNormalization": ({2, 3, 4}, {"center": st.booleans()}, None),
    "Reshape": ({2, 3, 4}, {"target_shape": st.sampled_from([[-1], [-1, 2], [2, -1]])},
                lambda p: 1 + len(p["target_shape"])),
    "Flatten": ({3, 4}, {}, lambda p: 2),
    "Conv2D": ({4}, {"filters": st.integers(1, 4), "kernel_size": st.integers(1, 4), "strides": st.integers(1, 3),
                     "padding": PADDING, "dilation_rate": st.sampled_from([1, 1, 2])}, None),
    "Conv2DTranspose": ({4}, {"filters": st.integers(1, 3), "kernel_size": st.integers(1, 4),
                              "strides": st.integers(1, 3), "padding": PADDING}, None),
    "SeparableConv2D": ({4}, {"filters": st.integers(1, 3), "kernel_size": st.integers(1, 3),
                              "depth_multiplier": st.integers(1, 2), "padding": PADDING}, None),
    "DepthwiseConv2D": ({4}, {"kernel_size": st.integers(1, 3), "strides": st.integers(1, 2), "padding": PADDING},
                        None),
    "MaxPooling2D": ({4}, {"pool_size": st.integers(1, 3), "strides": st.one_of(st.none(), st.integers(1, 3)),
                           "padding": PADDING}, None),
    "AveragePooling2D": ({4}, {"pool_size": st.integers(1, 3), "padding": PADDING}, None),
    "ZeroPadding2D": ({4}, {"padding": st.lists(st.integers(0, 2), min_size=4, max_size=4)}, None),
    "Cropping2D": ({4}, {"cropping": st.lists(st.integers(0, 2), min_size=2, max_size=2)}, None),
    "UpSampling2D": ({4}, {"size": st.integers(1, 2)}, None),
    "GlobalMaxPooling2D": ({4}, {"keepdims": st.booleans()}, lambda p: 4 if p["keepdims"] else 2),
    "Conv1D": ({3}, {"filters": st.integers(1, 3), "kernel_size": st.integers(1, 3), "strides": st.integers(1, 2),
                     "padding": st.sampled_from(["valid", "same", "causal"])}, None),
    "MaxPooling1D": ({3}, {"pool_size": st.integers(1, 3), "padding": PADDING}, None),
    "GRU": ({3}, {"units": st.integers(1, 3), "return_sequences": st.booleans()},
            lambda p: 3 if p["return_sequences"] else 2),
    "LSTM": ({3}, {"units": st.integers(1, 3), "return_sequences": st.booleans()},
             lambda p: 3 if p["return_sequences"] else 2),
}  # fmt: skip


@st.composite
def layer_chain(draw) -> dict[str, Any]:
    shape = draw(st.sampled_from([[11, 9, 2], [6, 7, 1], [8, 3], [5]]))
    rank = len(shape) + 1
    nodes = [{"id": "in", "type": "Input", "params": {"shape": shape}}]
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(sorted(k for k, (ranks, _, _) in CHAIN_LAYERS.items() if rank in ranks)))
        _ranks, strategies, next_rank = CHAIN_LAYERS[kind]
        params = {k: draw(v) for k, v in strategies.items()}
        rank = next_rank(params) if next_rank else rank
        nodes.append({"id": f"l{i}", "type": kind, "params": params})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"version": 1, "nodes": nodes, "edges": edges}


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(layer_chain())
def test_graphs_validate_accepts_build_with_the_inferred_shapes(keras, g):
    report = validate(g)
    assume(report.valid)
    model = compile_graph(g)
    for node in g["nodes"]:
        assert list(model.get_layer(node["id"]).output.shape) == report.shapes[node["id"]], node
    assert model.count_params() == report.params_total
