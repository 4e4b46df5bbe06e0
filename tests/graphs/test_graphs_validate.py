"""validate(): each check, what it reports, and that inference goes on around mistakes."""

from __future__ import annotations

import json
import time

import pytest
from graph_factories import chain, edge, graph, node, small_cnn

from studio.graphs import GraphError, compile_graph, errors, validate
from studio.graphs.limits import MAX_NODES, MAX_PARAMS_TOTAL


def codes(report) -> list[str]:
    return [e["code"] for e in report.errors]


def the_error(report, code: str) -> dict:
    found = [e for e in report.errors if e["code"] == code]
    assert found, report.errors
    return found[0]


def test_a_valid_graph_reports_every_shape_and_parameter_count():
    report = validate(small_cnn())
    assert report.valid, report.errors
    assert report.shapes["conv"] == [None, 16, 16, 8]
    assert report.shapes["pool"] == [None, 8, 8, 8]
    assert report.shapes["join"] == [None, 8 * 8 * 8 + 8]
    assert report.node_params["conv"] == {"total": 3 * 3 * 3 * 8 + 8, "trainable": 224}
    assert report.node_params["bn"] == {"total": 32, "trainable": 16}
    assert report.params_total == sum(c["total"] for c in report.node_params.values())


def test_report_as_dict_has_the_contract_keys_and_is_json():
    body = validate(small_cnn()).as_dict()
    assert set(body) == {
        "valid", "errors", "warnings", "shapes", "node_params", "params_total", "params_trainable", "inner",
    }  # fmt: skip
    json.dumps(body)


def test_errors_carry_code_message_node_edge_and_param():
    report = validate(chain(node("in", "Input", shape=[4]), node("fc", "Dense", units=0)))
    assert report.errors == [
        {"code": "param_out_of_range", "message": report.errors[0]["message"], "node": "fc", "edge": None,
         "param": "units"}
    ]  # fmt: skip


def test_it_reports_a_cycle_on_a_node_in_the_cycle_and_still_infers_the_rest():
    g = graph(
        [node("in", "Input", shape=[4]), node("a", "Dense", units=3), node("b", "Add"), node("c", "Dense", units=4)],
        [edge("in", "a"), edge("a", "b", 0), edge("c", "b", 1), edge("b", "c")],
    )
    report = validate(g)
    error = the_error(report, errors.CYCLE)
    assert error["node"] in {"b", "c"}
    assert report.shapes["a"] == [None, 3]


def test_it_reports_a_self_loop_as_a_cycle():
    g = graph([node("in", "Input", shape=[4]), node("a", "Add")], [edge("in", "a", 0), edge("a", "a", 1)])
    assert the_error(validate(g), errors.CYCLE)["node"] == "a"


def test_it_reports_disconnected_parts_and_still_infers_both():
    g = graph(
        [node("in", "Input", shape=[4]), node("fc", "Dense", units=2), node("in2", "Input", shape=[3]),
         node("fc2", "Dense", units=5), node("out2", "Dense", units=1)],
        [edge("in", "fc"), edge("in2", "fc2"), edge("fc2", "out2")],
    )  # fmt: skip
    report = validate(g)
    assert the_error(report, errors.DISCONNECTED)["node"] == "in"  # the smaller part
    assert report.shapes["fc"] == [None, 2] and report.shapes["out2"] == [None, 1]


def test_a_graph_without_input_or_output_is_refused():
    assert errors.NO_INPUT in codes(validate(graph([node("fc", "Dense")], [])))
    assert errors.NO_OUTPUT in codes(validate(graph([node("in", "Input", shape=[3])], [])))
    assert set(codes(validate(graph([], [])))) == {errors.NO_INPUT, errors.NO_OUTPUT}


def test_an_input_node_cannot_have_incoming_edges():
    g = graph([node("a", "Input", shape=[3]), node("b", "Input", shape=[3]), node("fc", "Dense")],
              [edge("a", "b"), edge("b", "fc")])  # fmt: skip
    assert the_error(validate(g), errors.INPUT_HAS_INCOMING)["node"] == "b"


@pytest.mark.parametrize(
    ("layer", "inputs"),
    [("Add", 1), ("Dense", 2), ("Subtract", 3), ("Concatenate", 17), ("Dense", 0)],
)
def test_it_refuses_the_wrong_number_of_inputs(layer, inputs):
    ins = [node(f"in{i}", "Input", shape=[4]) for i in range(inputs)]
    many = inputs > 1
    g = graph([*ins, node("x", layer)], [edge(n["id"], "x", i if many else None) for i, n in enumerate(ins)])
    assert the_error(validate(g), errors.ARITY)["node"] == "x"


def _two_inputs(ports: list, layer: str = "Concatenate"):
    ins = [node("a", "Input", shape=[4]), node("b", "Input", shape=[6])]
    return graph([*ins, node("x", layer)], [edge("a", "x", ports[0]), edge("b", "x", ports[1])])


@pytest.mark.parametrize("ports", [[0, 0], [0, None], [0, 2], [1, 2]])
def test_ports_must_number_every_input_once(ports):
    report = validate(_two_inputs(ports))
    assert the_error(report, errors.BAD_PORT)["node"] == "x"


def test_port_order_decides_the_input_order():
    assert validate(_two_inputs([0, 1])).valid
    assert validate(_two_inputs([1, 0])).shapes["x"] == [None, 10]


def test_a_negative_or_non_integer_port_is_refused_on_its_edge():
    g = _two_inputs([0, 1])
    g["edges"][1]["port"] = -1
    assert the_error(validate(g), errors.BAD_PORT)["edge"] == 1
    g["edges"][1]["port"] = "1"
    assert the_error(validate(g), errors.BAD_PORT)["edge"] == 1


@pytest.mark.parametrize(
    ("input_shape", "layer", "params"),
    [
        ([8], "Conv2D", {}),
        ([8, 8, 3], "Conv2D", {"kernel_size": 9}),
        ([8], "LSTM", {"units": 4}),
        ([8, 3], "MaxPooling2D", {}),
        ([10], "Reshape", {"target_shape": [3, 3]}),
        ([4, 4, 3], "Cropping2D", {"cropping": 2}),
        ([None], "Dense", {}),
    ],
)
def test_it_refuses_shapes_keras_would_refuse(input_shape, layer, params):
    report = validate(chain(node("in", "Input", shape=input_shape), node("x", layer, **params)))
    error = the_error(report, errors.SHAPE_MISMATCH)
    assert error["node"] == "x"
    assert report.shapes["in"] == [None, *input_shape]


def test_merge_layers_need_matching_shapes():
    add = _two_inputs([0, 1], "Add")
    assert the_error(validate(add), errors.SHAPE_MISMATCH)["node"] == "x"
    g = graph([node("a", "Input", shape=[4, 3]), node("b", "Input", shape=[5, 2]), node("x", "Concatenate")],
              [edge("a", "x", 0), edge("b", "x", 1)])  # fmt: skip
    assert the_error(validate(g), errors.SHAPE_MISMATCH)["node"] == "x"
    g["nodes"][1]["params"]["shape"] = [4, 5]
    assert validate(g).shapes["x"] == [None, 4, 8]


def test_dense_applies_to_the_last_axis_of_an_image_like_keras():
    report = validate(chain(node("in", "Input", shape=[8, 8, 3]), node("fc", "Dense", units=5)))
    assert report.valid
    assert report.shapes["fc"] == [None, 8, 8, 5]
    assert report.node_params["fc"]["total"] == 3 * 5 + 5


def test_it_names_unknown_types_and_keeps_inferring_other_branches():
    g = graph(
        [node("in", "Input", shape=[4]), node("x", "Magic"), node("fc", "Dense", units=2)],
        [edge("in", "x"), edge("in", "fc")],
    )
    report = validate(g)
    assert the_error(report, errors.UNKNOWN_TYPE)["node"] == "x"
    assert report.shapes["fc"] == [None, 2]


@pytest.mark.parametrize(
    ("params", "code", "param"),
    [
        ({"units": 4, "colour": "red"}, errors.UNKNOWN_PARAM, "colour"),
        ({"units": 0}, errors.PARAM_OUT_OF_RANGE, "units"),
        ({"units": "many"}, errors.INVALID_PARAM, "units"),
        ({"units": 4, "activation": "sparkle"}, errors.INVALID_PARAM, "activation"),
        ({"units": 4, "use_bias": 1}, errors.INVALID_PARAM, "use_bias"),
        ({"units": 10**6}, errors.LIMIT_EXCEEDED, "units"),
    ],
)
def test_param_errors_point_at_the_node_and_the_param(params, code, param):
    report = validate(chain(node("in", "Input", shape=[4]), node("fc", "Dense", **params)))
    error = the_error(report, code)
    assert (error["node"], error["param"]) == ("fc", param)


def test_a_required_param_that_is_missing_is_named():
    error = the_error(validate(chain(node("in", "Input"), node("fc", "Dense"))), errors.MISSING_PARAM)
    assert (error["node"], error["param"]) == ("in", "shape")


def test_keras_incompatible_param_combinations_are_refused():
    conv = node("c", "Conv2D", strides=2, dilation_rate=2)
    error = the_error(validate(chain(node("in", "Input", shape=[9, 9, 3]), conv)), errors.INVALID_PARAM)
    assert error["param"] == "dilation_rate"


def test_a_five_billion_parameter_dense_is_refused_quickly_and_never_built(monkeypatch):
    g = chain(node("in", "Input", shape=[8192]), node("a", "Dense", units=65536), node("b", "Dense", units=65536))
    monkeypatch.setattr("studio.graphs.compile.evaluate", lambda *a, **k: pytest.fail("it tried to build"))
    start = time.perf_counter()
    report = validate(g)
    with pytest.raises(GraphError) as caught:
        compile_graph(g)
    assert time.perf_counter() - start < 1.0
    assert report.params_total > 4.8e9 > MAX_PARAMS_TOTAL
    error = the_error(report, errors.LIMIT_EXCEEDED)
    assert "max_params_total" in error["message"]
    assert errors.LIMIT_EXCEEDED in caught.value.codes


def test_too_many_nodes_is_a_limit_error_without_further_work():
    nodes = [node(f"n{i}", "Dense") for i in range(MAX_NODES + 1)]
    start = time.perf_counter()
    report = validate(graph(nodes, []))
    assert time.perf_counter() - start < 0.5
    assert codes(report) == [errors.LIMIT_EXCEEDED]
    assert "max_nodes" in report.errors[0]["message"]


def test_huge_activations_are_a_limit_error():
    report = validate(chain(node("in", "Input", shape=[8192, 8192, 3]), node("x", "Flatten")))
    error = the_error(report, errors.LIMIT_EXCEEDED)
    assert "max_tensor_elements" in error["message"] and error["node"] == "in"


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (None, errors.SCHEMA),
        ([], errors.SCHEMA),
        ({"nodes": [], "edges": []}, errors.BAD_VERSION),
        ({"version": 1, "nodes": {}, "edges": []}, errors.SCHEMA),
        ({"version": 1, "nodes": [{"type": "Dense"}], "edges": []}, errors.SCHEMA),
        ({"version": 1, "nodes": [{"id": "a" * 500, "type": "Dense"}], "edges": []}, errors.LIMIT_EXCEEDED),
        ({"version": 1, "nodes": [{"id": "a", "type": 5}], "edges": []}, errors.SCHEMA),
        ({"version": 1, "nodes": [{"id": "a", "type": "Dense", "params": []}], "edges": []}, errors.SCHEMA),
    ],
)
def test_malformed_documents_are_reported_not_raised(document, code):
    assert code in codes(validate(document))


def test_duplicate_ids_and_dangling_edges_are_reported():
    g = graph([node("in", "Input", shape=[2]), node("in", "Dense"), node("fc", "Dense")],
              [edge("in", "fc"), edge("fc", "nowhere")])  # fmt: skip
    report = validate(g)
    assert the_error(report, errors.DUPLICATE_ID)["node"] == "in"
    assert the_error(report, errors.UNKNOWN_NODE)["edge"] == 1


def test_shapes_survive_an_unrelated_error_elsewhere():
    g = small_cnn()
    g["nodes"].append(node("stray", "Dense"))  # no input: arity and disconnected errors
    report = validate(g)
    assert not report.valid
    assert len(report.shapes) == len(g["nodes"]) - 1
    assert report.params_total == validate(small_cnn()).params_total


def test_vgg16_inner_layers_come_out_with_shapes_params_and_trainability():
    vgg = node("vgg", "VGG16", weights=None, trainable_layers=["block5_conv1", "block5_conv2"])
    report = validate(chain(node("in", "Input", shape=[32, 32, 3]), vgg, node("gap", "GlobalAveragePooling2D")))
    inner = report.inner["vgg"]
    assert len(inner) == 19 and inner[0]["type"] == "Input"
    assert [r["type"] for r in inner[1:]].count("Conv2D") == 13
    assert [r["type"] for r in inner[1:]].count("MaxPooling2D") == 5
    rows = {r["name"]: r for r in inner}
    assert rows["block1_conv1"]["params"] == 1792 and rows["block1_conv1"]["shape"] == [None, 32, 32, 64]
    assert rows["block5_pool"]["shape"] == [None, 1, 1, 512]
    assert [r["name"] for r in inner if r["trainable"]] == ["block5_conv1", "block5_conv2"]
    assert sum(r["params"] for r in inner) == 14_714_688
    assert report.node_params["vgg"]["trainable"] == 2 * 2_359_808


@pytest.mark.parametrize("shape", [[16, 16, 3], [64, 64, 1], [64, 64]])
def test_vgg16_refuses_inputs_it_cannot_take(shape):
    vgg = node("vgg", "VGG16", weights=None)
    assert the_error(validate(chain(node("in", "Input", shape=shape), vgg)), errors.SHAPE_MISMATCH)["node"] == "vgg"


def test_vgg16_trainable_layers_must_be_vgg16_layers():
    vgg = node("vgg", "VGG16", weights=None, trainable_layers=["block9_conv1"])
    error = the_error(validate(chain(node("in", "Input", shape=[32, 32, 3]), vgg)), errors.INVALID_PARAM)
    assert error["param"] == "trainable_layers"


def test_imagenet_weights_missing_is_a_warning_for_validation(no_weights_dirs):
    vgg = node("vgg", "VGG16", weights="imagenet")
    report = validate(chain(node("in", "Input", shape=[32, 32, 3]), vgg))
    assert report.valid
    assert report.warnings[0]["code"] == errors.WEIGHTS_UNAVAILABLE


def test_validating_a_thousand_nodes_takes_milliseconds():
    nodes = [node("in", "Input", shape=[16])] + [node(f"d{i}", "Dense", units=16) for i in range(999)]
    g = chain(*nodes)
    validate(g)
    start = time.perf_counter()
    report = validate(g)
    assert report.valid and len(report.shapes) == 1000
    assert time.perf_counter() - start < 0.25  # typically ~10 ms; generous for loaded CI machines
