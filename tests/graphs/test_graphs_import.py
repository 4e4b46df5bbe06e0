"""from_keras(): Keras models (and their configs) become graphs that compile back to the same model."""

from __future__ import annotations

import numpy as np
import pytest
from graph_factories import chain, node

from studio.graphs import GraphError, compile_graph, errors, from_keras, validate


def assert_round_trip(keras_model, inputs):
    """Same layers, same parameter counts, and with the weights copied by name, the same outputs."""
    graph = from_keras(keras_model)
    rebuilt = compile_graph(graph)
    ours, theirs = (
        [la for la in m.layers if la.__class__.__name__ != "InputLayer"] for m in (rebuilt, keras_model)
    )  # Sequential models do not list their input layer
    assert [la.name for la in ours] == [la.name for la in theirs]
    assert [la.count_params() for la in ours] == [la.count_params() for la in theirs]
    assert validate(graph).params_total == keras_model.count_params()
    for layer in keras_model.layers:
        rebuilt.get_layer(layer.name).set_weights(layer.get_weights())
    expected = np.asarray(keras_model(inputs, training=False))  # eager: faster than predict() for one batch
    np.testing.assert_allclose(np.asarray(rebuilt(inputs, training=False)), expected, rtol=1e-5, atol=1e-5)
    return graph


def images(size: int, n: int = 2):
    return np.random.default_rng(size).uniform(0, 1, (n, size, size, 3)).astype("float32")


def test_vgg16_imports_layer_by_layer(keras):
    model = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    graph = assert_round_trip(model, images(32) * 255)
    assert {n["type"] for n in graph["nodes"]} == {"Input", "Conv2D", "MaxPooling2D"}


def test_mobilenetv2_imports_with_relu6_depthwise_and_residual_adds(keras):
    model = keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None, classes=5)
    graph = assert_round_trip(model, images(32))
    types = {n["type"] for n in graph["nodes"]}
    assert {"DepthwiseConv2D", "ZeroPadding2D", "BatchNormalization", "ReLU", "Add", "Dense"} <= types
    relu = next(n for n in graph["nodes"] if n["type"] == "ReLU")
    assert relu["params"]["max_value"] == 6.0


def test_resnet50_imports_with_its_projection_shortcuts(keras):
    model = keras.applications.ResNet50(input_shape=(32, 32, 3), include_top=False, weights=None, pooling="avg")
    graph = assert_round_trip(model, images(32, n=1))
    adds = [n for n in graph["nodes"] if n["type"] == "Add"]
    assert len(adds) == 16
    assert all(sorted(e.get("port") for e in graph["edges"] if e["target"] == a["id"]) == [0, 1] for a in adds)


def test_a_sequential_model_and_its_config_import(keras):
    model = keras.Sequential(
        [keras.Input((12,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dropout(0.25),
         keras.layers.Dense(3, activation="softmax")]
    )  # fmt: skip
    assert_round_trip(model, np.ones((2, 12), "float32"))
    assert from_keras(model.get_config())["nodes"][1]["params"]["units"] == 8


def test_merge_order_and_frozen_layers_survive(keras):
    a, b = keras.Input((4,), name="a"), keras.Input((6,), name="b")
    frozen = keras.layers.Dense(5, name="frozen", trainable=False)
    joined = keras.layers.Concatenate(name="join")([frozen(b), a])
    model = keras.Model([a, b], keras.layers.Dense(2, name="out")(joined))
    graph = assert_round_trip(model, [np.ones((1, 4), "float32"), np.ones((1, 6), "float32")])
    join_edges = sorted((e["port"], e["source"]) for e in graph["edges"] if e["target"] == "join")
    assert join_edges == [(0, "frozen"), (1, "a")]
    assert next(n for n in graph["nodes"] if n["id"] == "frozen")["params"]["trainable"] is False


def test_recurrent_and_embedding_models_import(keras):
    tokens = keras.Input((7,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(50, 8, name="embed")(tokens)
    x = keras.layers.Bidirectional(keras.layers.GRU(4, return_sequences=True), name="bi")(x)
    x = keras.layers.LSTM(3, name="lstm")(x)
    model = keras.Model(tokens, x)
    graph = assert_round_trip(model, np.arange(14, dtype="int32").reshape(2, 7) % 50)
    bi = next(n for n in graph["nodes"] if n["id"] == "bi")
    assert (bi["params"]["layer"], bi["params"]["units"], bi["params"]["return_sequences"]) == ("GRU", 4, True)


def test_a_studio_model_imports_back_to_its_pretrained_node():
    g = chain(
        node("image", "Input", shape=[32, 32, 3]),
        node("vgg", "VGG16", weights=None, trainable_layers=["block5_conv3"]),
        node("gap", "GlobalAveragePooling2D"),
        node("out", "Dense", units=2),
    )
    back = from_keras(compile_graph(g))
    vgg = next(n for n in back["nodes"] if n["id"] == "vgg")
    assert vgg["type"] == "VGG16"
    assert vgg["params"] == {"weights": None, "trainable_layers": ["block5_conv3"], "pooling": None, "preprocess": True}
    assert validate(back).shapes == validate(g).shapes


def test_keras_2_style_configs_import():
    config = {
        "class_name": "Model",
        "config": {
            "name": "old",
            "layers": [
                {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
                 "config": {"batch_input_shape": [None, 5], "dtype": "float32", "name": "x"}},
                {"class_name": "Dense", "name": "d", "inbound_nodes": [[["x", 0, 0, {}]]],
                 "config": {"name": "d", "units": 3, "activation": "relu", "use_bias": True, "trainable": True}},
                {"class_name": "LeakyReLU", "name": "act", "inbound_nodes": [[["d", 0, 0, {}]]],
                 "config": {"name": "act", "alpha": 0.2}},
            ],
            "input_layers": [["x", 0, 0]],
            "output_layers": [["act", 0, 0]],
        },
    }  # fmt: skip
    graph = from_keras(config)
    assert [n["type"] for n in graph["nodes"]] == ["Input", "Dense", "LeakyReLU"]
    assert graph["nodes"][2]["params"]["negative_slope"] == 0.2
    assert validate(graph).shapes["act"] == [None, 3]


def refused(keras_model_or_config) -> dict:
    with pytest.raises(GraphError) as caught:
        from_keras(keras_model_or_config)
    return caught.value.errors[0]


def test_lambda_layers_are_refused_by_name(keras):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2, name="double")(inputs))
    error = refused(model)
    assert (error["code"], error["node"]) == (errors.UNSUPPORTED_LAYER, "double")
    assert "Lambda" in error["message"]


def test_custom_classes_are_refused_by_name(keras):
    @keras.saving.register_keras_serializable(package="tests")
    class Twice(keras.layers.Layer):
        def call(self, x):
            return x * 2

    inputs = keras.Input((3,))
    error = refused(keras.Model(inputs, Twice(name="twice")(inputs)))
    assert (error["code"], error["node"]) == (errors.UNSUPPORTED_LAYER, "twice")


def test_keras_layers_without_a_registry_entry_are_refused_by_name(keras):
    inputs = keras.Input((3,))
    error = refused(keras.Model(inputs, keras.layers.GaussianNoise(0.1, name="noise")(inputs)))
    assert (error["code"], error["node"]) == (errors.UNSUPPORTED_LAYER, "noise")
    assert "GaussianNoise" in error["message"]


def test_shared_layers_are_refused(keras):
    a, b = keras.Input((3,)), keras.Input((3,))
    shared = keras.layers.Dense(2, name="shared")
    model = keras.Model([a, b], keras.layers.Add()([shared(a), shared(b)]))
    assert refused(model)["code"] == errors.UNSUPPORTED_CONFIG


def test_settings_the_studio_cannot_express_are_refused(keras):
    inputs = keras.Input((8, 8, 4))
    model = keras.Model(inputs, keras.layers.Conv2D(4, 3, groups=2, name="grouped")(inputs))
    error = refused(model)
    assert (error["code"], error["node"]) == (errors.UNSUPPORTED_CONFIG, "grouped")
    assert "groups" in error["message"]


@pytest.mark.parametrize("junk", [None, [], {"class_name": "Functional", "config": {"layers": 5}}, {"layers": [{}]}])
def test_junk_configs_are_refused_cleanly(junk):
    with pytest.raises(GraphError):
        from_keras(junk)
