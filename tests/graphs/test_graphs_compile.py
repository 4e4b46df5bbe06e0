"""compile_graph(): functional models in topological order, names, ports, VGG16 toggles and weights."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
from graph_factories import chain, edge, graph, node, small_cnn

from studio.graphs import GraphError, compile_graph, errors, validate

VGG16_FILE = "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
VGG16_LAYERS = [
    name
    for block, convs in enumerate((2, 2, 3, 3, 3), 1)
    for name in [*(f"block{block}_conv{i}" for i in range(1, convs + 1)), f"block{block}_pool"]
]


def vgg_graph(**params) -> dict:
    vgg = node("vgg", "VGG16", **{"weights": None, **params})
    return chain(node("image", "Input", shape=[32, 32, 3]), vgg, node("gap", "GlobalAveragePooling2D"),
                 node("out", "Dense", units=3, activation="softmax"))  # fmt: skip


def test_layers_are_named_after_nodes_with_the_inferred_shapes_and_counts():
    g = small_cnn()
    model = compile_graph(g)
    report = validate(g)
    assert {layer.name for layer in model.layers} == {n["id"] for n in g["nodes"]}
    for layer in model.layers:
        assert list(layer.output.shape) == report.shapes[layer.name]
        assert layer.count_params() == report.node_params[layer.name]["total"]
    assert model.count_params() == report.params_total


def test_an_invalid_graph_raises_graph_error_with_the_reports_errors():
    g = chain(node("in", "Input", shape=[4]), node("fc", "Dense", units=-1))
    with pytest.raises(GraphError) as caught:
        compile_graph(g)
    assert caught.value.errors == validate(g).errors
    assert "fc" in str(caught.value)


def test_ports_decide_the_order_of_inputs():
    g = graph([node("a", "Input", shape=[2]), node("b", "Input", shape=[2]), node("diff", "Subtract")],
              [edge("a", "diff", 1), edge("b", "diff", 0)])  # fmt: skip
    model = compile_graph(g)
    a, b = np.array([[5.0, 7.0]]), np.array([[1.0, 2.0]])
    np.testing.assert_allclose(model.predict([a, b], verbose=0), b - a)


def test_several_inputs_and_outputs_keep_document_order():
    g = graph(
        [node("x2", "Input", shape=[3]), node("x1", "Input", shape=[4]), node("join", "Concatenate"),
         node("head_b", "Dense", units=2), node("head_a", "Dense", units=1)],
        [edge("x1", "join", 0), edge("x2", "join", 1), edge("join", "head_b"), edge("join", "head_a")],
    )  # fmt: skip
    model = compile_graph(g)
    assert [t.name for t in model.inputs] == ["x2", "x1"]
    assert [tuple(t.shape) for t in model.outputs] == [(None, 2), (None, 1)]


def test_ids_that_are_not_keras_names_are_sanitized_deterministically():
    ids = ["in", "my layer", "my_layer", "é/ü", "1st", "a.b-c"]
    nodes = [node(ids[0], "Input", shape=[3])] + [node(i, "Dense", units=2) for i in ids[1:]]
    names = [layer.name for layer in compile_graph(chain(*nodes)).layers]
    assert names == [layer.name for layer in compile_graph(chain(*nodes)).layers]
    assert names[0] == "in" and names[2] == "my_layer" and names[4] == "1st" and names[5] == "a.b-c"
    assert names[1] == "my_layer_2" and len(set(names)) == len(names)


def test_vgg16_trainable_flags_follow_trainable_layers_layer_by_layer():
    train = ["block4_conv3", "block5_conv1", "block5_conv3"]
    model = compile_graph(vgg_graph(trainable_layers=train))
    vgg = model.get_layer("vgg")
    assert [layer.name for layer in vgg.layers[1:]] == VGG16_LAYERS
    for layer in vgg.layers:
        assert layer.trainable == (layer.name in train), layer.name
    report = validate(vgg_graph(trainable_layers=train))
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert trainable == report.params_trainable
    assert model.count_params() == report.params_total


def test_vgg16_is_frozen_by_default():
    model = compile_graph(vgg_graph())
    assert not any(layer.trainable for layer in model.get_layer("vgg").layers)
    assert not model.get_layer("vgg_preprocess").trainable


def test_vgg16_preprocessing_inside_the_model_matches_keras_preprocess_input(keras):
    model = compile_graph(chain(node("image", "Input", shape=[32, 32, 3]), node("vgg", "VGG16", weights=None)))
    reference = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    inner = model.get_layer("vgg")
    for layer in reference.layers[1:]:  # copied by name; the input layer has no weights
        inner.get_layer(layer.name).set_weights(layer.get_weights())
    images = np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    expected = reference.predict(keras.applications.vgg16.preprocess_input(images.copy()), verbose=0)
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, rtol=1e-4, atol=1e-3)


def test_vgg16_without_preprocessing_is_the_bare_network():
    g = chain(node("image", "Input", shape=[32, 32, 3]), node("vgg", "VGG16", weights=None, preprocess=False,
                                                             pooling="max"))  # fmt: skip
    model = compile_graph(g)
    assert [layer.name for layer in model.layers] == ["image", "vgg"]
    assert model.count_params() == 14_714_688 == validate(g).params_total
    assert tuple(model.output.shape) == (None, 512)


def test_missing_imagenet_weights_name_the_file_and_the_folder_and_build_nothing(no_weights_dirs, monkeypatch):
    monkeypatch.setattr("studio.graphs.compile.evaluate", lambda *a, **k: pytest.fail("it tried to build"))
    with pytest.raises(GraphError) as caught:
        compile_graph(vgg_graph(weights="imagenet"))
    (error,) = caught.value.errors
    assert (error["code"], error["node"], error["param"]) == (errors.WEIGHTS_MISSING, "vgg", "weights")
    assert VGG16_FILE in error["message"] and str(no_weights_dirs) in error["message"]


def _write_legacy_weights(path, model) -> dict:
    """An ImageNet-style weights file: Keras 2 layout, one group per layer with weight_names."""
    arrays = {}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        for layer in model.layers:
            group = f.create_group(layer.name)
            names = [f"{layer.name}_{i}:0".encode() for i in range(len(layer.weights))]
            group.attrs["weight_names"] = names
            for name, value in zip(names, layer.get_weights(), strict=True):
                group.create_dataset(name.decode(), data=value)
            if layer.weights:
                arrays[layer.name] = layer.get_weights()
    return arrays


def test_imagenet_weights_are_loaded_from_the_weights_folder(keras, no_weights_dirs):
    no_weights_dirs.mkdir()
    source = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    arrays = _write_legacy_weights(no_weights_dirs / VGG16_FILE, source)
    assert validate(vgg_graph(weights="imagenet")).warnings == []
    model = compile_graph(vgg_graph(weights="imagenet", trainable_layers=["block5_conv3"]))
    for name, expected in arrays.items():
        for got, want in zip(model.get_layer("vgg").get_layer(name).get_weights(), expected, strict=True):
            np.testing.assert_array_equal(got, want)
    assert model.get_layer("vgg").get_layer("block5_conv3").trainable


def test_weights_from_the_library_need_a_resolver(keras, tmp_path):
    source = keras.applications.VGG16(include_top=False, weights=None, input_shape=(32, 32, 3))
    arrays = _write_legacy_weights(tmp_path / "mine.h5", source)
    g = vgg_graph(weights={"file": 7})
    with pytest.raises(GraphError) as caught:
        compile_graph(g)
    assert caught.value.codes == [errors.WEIGHTS_MISSING]
    model = compile_graph(g, weights_resolver=lambda ref: tmp_path / "mine.h5" if ref == 7 else None)
    got = model.get_layer("vgg").get_layer("block1_conv1").get_weights()[0]
    np.testing.assert_array_equal(got, arrays["block1_conv1"][0])


def test_weights_of_another_network_are_a_mismatch(keras, tmp_path):
    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="block1_conv1")])
    _write_legacy_weights(tmp_path / "wrong.h5", other)
    with pytest.raises(GraphError) as caught:
        compile_graph(vgg_graph(weights={"file": 1}), weights_resolver=lambda ref: tmp_path / "wrong.h5")
    assert caught.value.codes == [errors.WEIGHTS_MISMATCH]


def test_a_frozen_layer_compiles_frozen():
    g = chain(node("in", "Input", shape=[4]), node("fc", "Dense", units=3, trainable=False))
    model = compile_graph(g)
    assert not model.get_layer("fc").trainable
    assert validate(g).params_trainable == 0 == len(model.trainable_weights)
