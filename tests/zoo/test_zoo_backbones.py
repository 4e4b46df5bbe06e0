"""Every pre-trained backbone against Keras: layer data, shapes, parameter counts, variables,
trainable flags, preprocessing inside the model, smallest input, catalog entry, import and export.

One generic test per behaviour over every registry backbone, so a new entry cannot arrive untested.
"""

import json

import numpy as np
import pytest
from zoo_builders import IDS, backbone_graph, last_group_layers, odd_size, small_size

from studio.graphs import compile_graph, errors, from_keras, layers_catalog, to_python, validate
from studio.graphs.backbone_keras import describe_application
from studio.graphs.backbone_layers import DATA_DIR
from studio.graphs.backbone_weights import expected_weights
from studio.graphs.backbones import BY_TYPE

PACKAGED = [t for t in IDS if (DATA_DIR / f"{t}.json").exists()]


def test_every_backbone_but_vgg_has_packaged_layer_data():
    assert sorted(PACKAGED) == sorted(t for t in IDS if not t.startswith("VGG"))


@pytest.mark.parametrize("backbone_type", PACKAGED)
def test_the_packaged_layer_data_is_what_keras_builds(backbone_type):
    packaged = json.loads((DATA_DIR / f"{backbone_type}.json").read_text())
    assert describe_application(BY_TYPE[backbone_type].application)["layers"] == packaged["layers"], (
        "regenerate with scripts/gen_backbone_data.py"
    )


@pytest.mark.parametrize("size_of", [small_size, odd_size], ids=["smallest", "odd"])
@pytest.mark.parametrize("backbone_type", IDS)
def test_inferred_shapes_and_parameters_match_keras_layer_by_layer(models, backbone_type, size_of):
    backbone = BY_TYPE[backbone_type]
    size = size_of(backbone)
    report = validate(backbone_graph(backbone_type, size, preprocess=False))
    assert report.valid, report.errors
    reference = models.reference(backbone_type, size)
    rows = report.inner["net"]
    assert [r["name"] for r in rows] == [layer.name for layer in reference.layers]
    for row, layer in zip(rows[1:], reference.layers[1:], strict=True):
        assert (row["shape"], row["params"]) == (list(layer.output.shape), layer.count_params()), row["name"]
    assert report.shapes["net"] == list(reference.output.shape)
    assert report.params_total == reference.count_params()


@pytest.mark.parametrize("backbone_type", IDS)
def test_the_expected_weight_variables_are_those_keras_creates(models, backbone_type):
    backbone = BY_TYPE[backbone_type]
    reference = models.reference(backbone_type, small_size(backbone))
    keras_side = [(layer.name, tuple((w.name, tuple(w.shape)) for w in layer.weights))
                  for layer in reference.layers if layer.weights]  # fmt: skip
    assert [(e.name, e.variables) for e in expected_weights(backbone)] == keras_side


@pytest.mark.parametrize("backbone_type", IDS)
def test_each_inner_layer_trains_only_when_listed(models, backbone_type):
    backbone = BY_TYPE[backbone_type]
    graph, model = models.studio(backbone_type)
    listed = set(last_group_layers(backbone))
    net = model.get_layer("net")
    assert [layer.name for layer in net.layers[1:]] == list(backbone.layer_names)
    for layer in net.layers[1:]:
        assert layer.trainable == (layer.name in listed), layer.name
    report = validate(graph)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    assert report.node_params["net"]["trainable"] == trainable == report.params_trainable > 0
    assert report.node_params["net"]["total"] == model.count_params()
    for row in report.inner["net"][1:]:
        assert row["trainable"] == (row["name"] in listed and row["params"] > 0 and row["type"] != "Normalization")
        if row["type"] == "BatchNormalization":
            assert row["bn_inference"] is not row["trainable"]


def _reference_input(backbone, keras, images):
    """What keras.applications expects for these 0..255 images (its own preprocess_input)."""
    module = getattr(keras.applications, backbone.keras_module)
    if backbone.preprocess != "efficientnet":
        return module.preprocess_input(images.copy())
    # EfficientNet's preprocess_input is a pass-through: its ImageNet model normalises inside
    # ((x / 255 - mean) / std, "torch" mode); the weights=None network only divides by 255.
    np.testing.assert_array_equal(module.preprocess_input(images.copy()), images)
    return keras.applications.imagenet_utils.preprocess_input(images.copy(), mode="torch") * 255.0


@pytest.mark.parametrize("backbone_type", IDS)
def test_the_preprocessing_inside_the_model_equals_keras_preprocess_input(keras, models, backbone_type):
    backbone = BY_TYPE[backbone_type]
    _graph, model = models.studio(backbone_type)
    images = np.random.default_rng(3).uniform(0, 255, (2, *small_size(backbone), 3)).astype("float32")
    expected = _reference_input(backbone, keras, images)
    preprocess = keras.Model(model.inputs, model.get_layer("net_preprocess").output)
    np.testing.assert_allclose(preprocess.predict(images, verbose=0), expected, rtol=1e-5, atol=1e-4)
    # Built-in layers only: the model serialises without Lambda or custom objects.
    assert {layer["class_name"] for layer in model.get_config()["layers"]} <= {
        "InputLayer",
        "Conv2D",
        "Rescaling",
        "Functional",
    }


@pytest.mark.parametrize("backbone_type", IDS)
def test_the_whole_network_computes_what_keras_computes_on_preprocessed_input(keras, models, backbone_type):
    backbone = BY_TYPE[backbone_type]
    _graph, model = models.studio(backbone_type)
    reference = models.reference(backbone_type, small_size(backbone))
    reference.set_weights(model.get_layer("net").get_weights())
    images = np.random.default_rng(4).uniform(0, 255, (2, *small_size(backbone), 3)).astype("float32")
    ours = model.predict(images, verbose=0)
    theirs = reference.predict(_reference_input(backbone, keras, images), verbose=0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-4 * float(np.abs(theirs).max()))


@pytest.mark.parametrize("backbone_type", IDS)
def test_an_input_below_the_smallest_size_is_refused_with_that_size(backbone_type):
    height, width = BY_TYPE[backbone_type].min_input
    report = validate(backbone_graph(backbone_type, (height, width - 1)))
    (error,) = report.errors
    assert (error["code"], error["node"]) == (errors.SHAPE_MISMATCH, "net")
    assert f"at least {height}x{width} pixels" in error["message"]
    assert validate(backbone_graph(backbone_type, (height, width))).valid


@pytest.mark.parametrize("backbone_type", IDS)
def test_the_catalog_lists_layers_by_group_in_order_and_the_smallest_input(backbone_type, no_weights_dirs):
    backbone = BY_TYPE[backbone_type]
    entry = next(layer for layer in layers_catalog()["layers"] if layer["type"] == backbone_type)
    pretrained = entry["pretrained"]
    names = [row["name"] for row in pretrained["layers"]]
    assert names == list(backbone.layer_names) and len(set(names)) == len(names)
    groups = [row["group"] for row in pretrained["layers"]]
    assert pretrained["groups"] == list(dict.fromkeys(groups)) and len(pretrained["groups"]) >= 5
    # Each group is one run of consecutive layers: "the last N groups" is a tail of the layer list.
    assert [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g] == pretrained["groups"]
    assert set(pretrained["weighted_layers"]) <= set(names)
    assert pretrained["min_input"] == list(backbone.min_input)
    assert pretrained["preprocess"] == backbone.preprocess and pretrained["preprocess_help"]
    assert "moving statistics" in pretrained["batch_norm"]
    assert (pretrained["weights_available"], pretrained["weights_file"]) == (False, backbone.weights_file)
    assert pretrained["weights_dir"] == str(no_weights_dirs)
    params = {p["name"]: p for p in entry["params"]}
    assert params["trainable_layers"]["choices"] == names


BLOCK_GROUPS = {
    "ResNet50": ["conv2", "conv3", "conv4", "conv5"],
    "MobileNetV2": [f"block_{i}" for i in range(1, 17)],
    "EfficientNetB0": [f"block{i}" for i in range(1, 8)],
    "InceptionV3": [f"mixed{i}" for i in range(11)],
}


@pytest.mark.parametrize("backbone_type", BLOCK_GROUPS)
def test_the_named_blocks_are_groups(backbone_type):
    groups = BY_TYPE[backbone_type].groups
    assert [g for g in groups if g in BLOCK_GROUPS[backbone_type]] == BLOCK_GROUPS[backbone_type]


@pytest.mark.parametrize("backbone_type", IDS)
def test_a_studio_model_imports_back_to_its_backbone_node(models, backbone_type):
    graph, model = models.studio(backbone_type)
    back = from_keras(model)
    (net,) = [n for n in back["nodes"] if n["id"] == "net"]
    assert net["type"] == backbone_type
    assert net["params"]["preprocess"] is True  # the preprocessing layer folded back into the node
    assert net["params"]["trainable_layers"] == last_group_layers(BY_TYPE[backbone_type])
    assert [n["id"] for n in back["nodes"]] == ["image", "net"]


def test_a_frozen_block_runs_as_in_inference_even_while_the_model_trains(keras):
    """EfficientNet has dropout (stochastic depth) inside: frozen, it gives the same features in training."""
    graph = backbone_graph("EfficientNetB0", (32, 32), pooling="avg")
    model = compile_graph(graph)
    images = np.random.default_rng(5).uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    first, second = model(images, training=True), model(images, training=True)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(second))
    rows = [r for r in validate(graph).inner["net"] if r["type"] == "Dropout"]
    assert rows and all(r["dropout_off"] for r in rows)
    assert "layer.rate = 0.0" in to_python(graph)
    # Listed (its block trains): the dropout is back.
    block7 = [layer.name for layer in BY_TYPE["EfficientNetB0"].layers if layer.group in ("block6", "block7")]
    trained = compile_graph(backbone_graph("EfficientNetB0", (32, 32), pooling="avg", trainable_layers=block7))
    assert any(layer.rate > 0 for layer in trained.get_layer("net").layers if type(layer).__name__ == "Dropout")


def test_frozen_batch_norm_keeps_its_statistics_while_the_trainable_block_learns(keras, models):
    _graph, studio = models.studio("MobileNetV2")
    model = keras.Sequential([studio, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(2)])
    net = studio.get_layer("net")
    frozen, trained = net.get_layer("block_1_expand_BN"), net.get_layer("Conv_1_bn")  # top: the last group
    before = [frozen.moving_variance.numpy().copy(), trained.moving_variance.numpy().copy()]
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    images = np.random.default_rng(6).uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    model.train_on_batch(images, np.array([0, 1, 0, 1]))
    np.testing.assert_array_equal(frozen.moving_variance.numpy(), before[0])
    assert not np.array_equal(trained.moving_variance.numpy(), before[1])


@pytest.mark.parametrize("backbone_type", ["MobileNetV2", "InceptionV3"])
def test_the_exported_script_builds_the_same_network(keras, models, backbone_type):
    graph, model = models.studio(backbone_type)
    namespace: dict = {}
    exec(compile(to_python(graph), "exported.py", "exec"), namespace)  # noqa: S102 (our own generated code)
    from studio.graphs.backbone_keras import fresh_names

    with fresh_names():
        rebuilt = namespace["build_model"]()
    assert rebuilt.count_params() == model.count_params()
    flags = [[la.trainable for la in m.get_layer("net").layers] for m in (rebuilt, model)]
    assert flags[0] == flags[1]


@pytest.mark.parametrize("backbone_type", ["EfficientNetB0", "DenseNet121", "ResNet50"])
def test_a_saved_model_loads_in_safe_mode_and_computes_the_same(keras, models, backbone_type, tmp_path):
    """Per-channel Rescaling, the caffe conv and rate-0 inner dropout are plain built-in layer configs."""
    _graph, model = models.studio(backbone_type)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras", safe_mode=True)
    images = np.random.default_rng(8).uniform(0, 255, (2, *small_size(BY_TYPE[backbone_type]), 3)).astype("float32")
    np.testing.assert_allclose(
        loaded.predict(images, verbose=0), model.predict(images, verbose=0), rtol=1e-5, atol=1e-6
    )
    flags = [[la.trainable for la in m.get_layer("net").layers[1:]] for m in (loaded, model)]
    assert flags[0] == flags[1]
