"""ImageNet weights: where each backbone's file is looked for, what is said when it is missing, the
fetch_weights command (offline here: it must say which file goes where), and loading a file laid
out like Keras's (old layer names: by order, as Keras loads them)."""

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from zoo_builders import IDS, backbone_graph, randomize, small_size, write_legacy_weights

from studio.graphs import GraphError, compile_graph, errors, validate
from studio.graphs.backbone_keras import fresh_names
from studio.graphs.backbones import BY_TYPE

# Nothing listens on port 9 (discard): a download fails at once, as on a machine without internet.
OFFLINE_MIRROR = "http://127.0.0.1:9/keras-applications"


@pytest.mark.parametrize("backbone_type", IDS)
def test_missing_imagenet_weights_warn_in_validation_and_name_file_and_folder_in_compile(
    backbone_type, no_weights_dirs
):
    backbone = BY_TYPE[backbone_type]
    graph = backbone_graph(backbone_type, small_size(backbone), weights="imagenet")
    report = validate(graph)
    assert report.valid
    (warning,) = report.warnings
    assert warning["code"] == errors.WEIGHTS_UNAVAILABLE and backbone.weights_file in warning["message"]
    with pytest.raises(GraphError) as caught:
        compile_graph(graph)
    (error,) = caught.value.errors
    assert (error["code"], error["node"], error["param"]) == (errors.WEIGHTS_MISSING, "net", "weights")
    message = error["message"]
    assert backbone.weights_file in message and str(no_weights_dirs) in message
    assert backbone.weights_url in message and f"fetch_weights {backbone_type}" in message


def test_an_imagenet_file_with_old_layer_names_loads_by_order_like_keras(keras, no_weights_dirs):
    """Keras 2 wrote DenseNet's names with slashes (conv1/conv) and numbered unnamed layers from 1."""
    no_weights_dirs.mkdir()
    backbone = BY_TYPE["DenseNet121"]
    with fresh_names():
        source = keras.applications.DenseNet121(include_top=False, weights=None, input_shape=(32, 32, 3))
    randomize(source)
    weighted = [layer for layer in source.layers if layer.weights]
    arrays = write_legacy_weights(
        no_weights_dirs / backbone.weights_file,
        source,
        names=[f"old_{i + 1}/{layer.name}" for i, layer in enumerate(weighted)],
    )
    model = compile_graph(backbone_graph("DenseNet121", (32, 32), weights="imagenet"))
    for name, want in arrays.items():
        for got, expected in zip(model.get_layer("net").get_layer(name).get_weights(), want, strict=True):
            np.testing.assert_array_equal(got, expected)


def test_efficientnet_keeps_its_normalization_an_identity_whatever_the_file_holds(keras, no_weights_dirs):
    """Keras's EfficientNet file stores ImageNet means in its Normalization layer; the studio's
    preprocessing layer does that work, so those values must not be applied a second time."""
    no_weights_dirs.mkdir()
    backbone = BY_TYPE["EfficientNetB0"]
    with fresh_names():
        source = keras.applications.EfficientNetB0(include_top=False, weights=None, input_shape=(32, 32, 3))
    randomize(source)
    write_legacy_weights(no_weights_dirs / backbone.weights_file, source)
    model = compile_graph(backbone_graph("EfficientNetB0", (32, 32), weights="imagenet"))
    mean, variance, _count = model.get_layer("net").get_layer("normalization").get_weights()
    np.testing.assert_array_equal(mean, 0.0)
    np.testing.assert_array_equal(variance, 1.0)
    np.testing.assert_array_equal(
        model.get_layer("net").get_layer("stem_conv").get_weights()[0], source.get_layer("stem_conv").get_weights()[0]
    )


def test_fetch_weights_offline_lists_each_file_and_where_to_put_it(no_weights_dirs, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("fetch_weights", "ResNet50", "MobileNetV2", mirror=OFFLINE_MIRROR)
    message = str(caught.value)
    assert "could not be downloaded" in message
    for name in ("ResNet50", "MobileNetV2"):
        backbone = BY_TYPE[name]
        assert f"{backbone.weights_file} (from {backbone.weights_url}) -> {no_weights_dirs}/" in message
    assert "ResNet50: could not download" in capsys.readouterr().err
    assert not any(no_weights_dirs.parent.rglob("*.h5"))  # no partial file left behind


def test_fetch_weights_leaves_a_file_that_is_already_there(no_weights_dirs, capsys):
    """(The file here is a stand-in: the command only looks for it, it never reads it.)"""
    no_weights_dirs.mkdir()
    (no_weights_dirs / BY_TYPE["Xception"].weights_file).write_bytes(b"stand-in")
    call_command("fetch_weights", "Xception", mirror=OFFLINE_MIRROR)
    assert "Xception: already here" in capsys.readouterr().out


def test_fetch_weights_refuses_unknown_names(no_weights_dirs):
    with pytest.raises(CommandError, match="Unknown backbone"):
        call_command("fetch_weights", "AlexNet")


@pytest.mark.django_db
def test_the_api_says_which_backbones_have_imagenet_weights_here(alice_client, no_weights_dirs):
    no_weights_dirs.mkdir()
    (no_weights_dirs / BY_TYPE["VGG16"].weights_file).write_bytes(b"stand-in")
    body = alice_client.get("/api/weights/available/").json()
    assert [row["architecture"] for row in body] == IDS
    by_type = {row["architecture"]: row for row in body}
    assert by_type["VGG16"]["weights_available"] is True
    assert by_type["ResNet50"] == {
        "architecture": "ResNet50", "weights_available": False, "weights_path": None,
        "weights_file": "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "weights_url": BY_TYPE["ResNet50"].weights_url, "weights_dir": str(no_weights_dirs),
        "fetch_command": "python manage.py fetch_weights ResNet50",
    }  # fmt: skip
