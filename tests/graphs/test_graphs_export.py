"""to_python(): the exported script builds the same model as compile_graph."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

import numpy as np
import pytest
from graph_factories import chain, edge, graph, node, small_cnn

from studio.graphs import GraphError, compile_graph, to_python


def build_from_script(source: str, tmp_path):
    """Run the script as a module (not as __main__) and call its build_model()."""
    namespace: dict = {}
    exec(compile(source, str(tmp_path / "model.py"), "exec"), namespace)  # noqa: S102 - our own generated code
    return namespace["build_model"]()


def assert_same_model(ours, theirs, inputs):
    assert [layer.name for layer in theirs.layers] == [layer.name for layer in ours.layers]
    assert [layer.count_params() for layer in theirs.layers] == [layer.count_params() for layer in ours.layers]
    assert [layer.trainable for layer in theirs.layers] == [layer.trainable for layer in ours.layers]
    for layer in ours.layers:  # same weights in ...
        theirs.get_layer(layer.name).set_weights(layer.get_weights())
    np.testing.assert_allclose(theirs.predict(inputs, verbose=0), ours.predict(inputs, verbose=0), rtol=1e-5)


def test_the_script_builds_the_same_branchy_model(tmp_path):
    g = small_cnn()
    images = np.random.default_rng(1).normal(size=(2, 16, 16, 3)).astype("float32")
    assert_same_model(compile_graph(g), build_from_script(to_python(g), tmp_path), images)


def test_the_script_builds_the_same_vgg16_with_its_frozen_layers(tmp_path):
    g = chain(
        node("image", "Input", shape=[32, 32, 3]),
        node("vgg", "VGG16", weights=None, trainable_layers=["block5_conv2", "block5_conv3"], pooling="avg"),
        node("out", "Dense", units=2, activation="softmax"),
    )
    ours, theirs = compile_graph(g), build_from_script(to_python(g), tmp_path)
    assert [la.trainable for la in theirs.get_layer("vgg").layers] == [
        la.trainable for la in ours.get_layer("vgg").layers
    ]
    images = np.random.default_rng(2).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    assert_same_model(ours, theirs, images)


def test_the_script_imports_keras_only_and_has_build_model_and_a_main():
    tree = ast.parse(to_python(small_cnn()))
    imported = {alias.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported == {"keras"}
    assert any(isinstance(n, ast.FunctionDef) and n.name == "build_model" for n in tree.body)
    assert 'if __name__ == "__main__":' in to_python(small_cnn())


def test_odd_node_ids_become_valid_python(tmp_path):
    ids = ["in", "class", "1st", "a-b", "a_b", "x y"]
    g = chain(node(ids[0], "Input", shape=[3]), *(node(i, "Dense", units=2) for i in ids[1:]))
    model = build_from_script(to_python(g), tmp_path)
    assert [layer.name for layer in model.layers] == [layer.name for layer in compile_graph(g).layers]


def test_merge_inputs_keep_their_port_order_in_the_script(tmp_path):
    g = graph([node("a", "Input", shape=[2]), node("b", "Input", shape=[2]), node("diff", "Subtract")],
              [edge("a", "diff", 1), edge("b", "diff", 0)])  # fmt: skip
    model = build_from_script(to_python(g), tmp_path)
    a, b = np.array([[5.0, 7.0]]), np.array([[1.0, 2.0]])
    np.testing.assert_allclose(model.predict([a, b], verbose=0), b - a)


def test_imagenet_weights_and_library_files_are_spelled_out():
    def script(weights):
        return to_python(chain(node("i", "Input", shape=[32, 32, 3]), node("vgg", "VGG16", weights=weights)))

    assert 'weights="imagenet"' in script("imagenet")
    assert "weights=None" in script({"file": 3}) and "load_weights" in script({"file": 3})


def test_running_the_script_prints_the_summary(tmp_path):
    path = tmp_path / "model.py"
    path.write_text(to_python(chain(node("in", "Input", shape=[4]), node("fc", "Dense", units=3))))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "fc (Dense)" in done.stdout and "Total params: 15" in done.stdout


def test_an_invalid_graph_has_no_script():
    with pytest.raises(GraphError):
        to_python(chain(node("in", "Input", shape=[4]), node("fc", "Conv2D")))
