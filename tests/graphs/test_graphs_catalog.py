"""layers_catalog(): the GET /api/layers/ body, generated from the registry, without importing Keras."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from studio.graphs import REGISTRY, errors, layers_catalog
from studio.graphs.limits import LIMITS

KINDS = {"int", "float", "bool", "choice", "ints", "layers", "weights"}
CONTRACT_CATEGORIES = [
    "Input", "Core", "Convolution", "Pooling", "Normalization", "Regularization", "Activation", "Merge",
    "Reshaping", "Preprocessing", "Augmentation", "Recurrent", "Pretrained",
]  # fmt: skip
REQUIRED_TYPES = {
    "Input", "Dense", "Conv1D", "Conv2D", "SeparableConv2D", "Conv2DTranspose", "MaxPooling2D", "AveragePooling2D",
    "GlobalAveragePooling2D", "GlobalMaxPooling2D", "Flatten", "Reshape", "Dropout", "SpatialDropout2D",
    "BatchNormalization", "LayerNormalization", "Activation", "ReLU", "LeakyReLU", "Softmax", "Add", "Subtract",
    "Multiply", "Average", "Concatenate", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Rescaling", "Resizing",
    "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast", "Embedding", "LSTM", "GRU",
    "Bidirectional", "VGG16", "DepthwiseConv2D",
}  # fmt: skip


def test_the_catalog_lists_every_registry_type_once_and_is_json():
    catalog = layers_catalog()
    json.dumps(catalog)
    types = [layer["type"] for layer in catalog["layers"]]
    assert types == list(REGISTRY) and len(set(types)) == len(types)
    assert REQUIRED_TYPES <= set(types)
    assert catalog["version"] == 1
    assert catalog["categories"] == CONTRACT_CATEGORIES
    assert catalog["limits"] == LIMITS
    assert catalog["limits"]["max_nodes"] == 2000 and catalog["limits"]["max_params_total"] == 200_000_000


def test_every_param_declares_kind_default_and_help():
    for layer in layers_catalog()["layers"]:
        assert layer["category"] in CONTRACT_CATEGORIES and layer["help"]
        assert {"min", "max"} <= set(layer["inputs"])
        names = [p["name"] for p in layer["params"]]
        assert len(set(names)) == len(names)
        assert set(layer["summary"]) <= set(names)
        for param in layer["params"]:
            assert {"name", "kind", "default", "help"} <= set(param), (layer["type"], param)
            assert param["kind"] in KINDS
            if param["kind"] in ("choice", "layers", "weights"):
                assert param["choices"]
            spec = REGISTRY[layer["type"]].param_map[param["name"]]
            spec.parse(param["default"])  # every default is a value the param accepts


def test_merge_layers_declare_their_arity_and_named_ports():
    layers = {layer["type"]: layer for layer in layers_catalog()["layers"]}
    assert layers["Input"]["inputs"] == {"min": 0, "max": 0}
    assert layers["Dense"]["inputs"] == {"min": 1, "max": 1}
    assert layers["Concatenate"]["inputs"] == {"min": 2, "max": 16}
    assert layers["Subtract"]["inputs"] == {"min": 2, "max": 2, "ports": ["minuend", "subtrahend"]}


def test_the_vgg16_entry_describes_its_layers_groups_and_weights(no_weights_dirs):
    vgg = next(layer for layer in layers_catalog()["layers"] if layer["type"] == "VGG16")
    pretrained = vgg["pretrained"]
    assert len(pretrained["layers"]) == 18
    assert pretrained["layers"][0] == {"name": "block1_conv1", "type": "Conv2D", "group": "block1"}
    assert pretrained["groups"] == ["block1", "block2", "block3", "block4", "block5"]
    assert pretrained["min_input"] == [32, 32]
    assert pretrained["weights_available"] is False
    assert pretrained["weights_file"] == "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    params = {p["name"]: p for p in vgg["params"]}
    assert params["trainable_layers"]["kind"] == "layers" and params["trainable_layers"]["default"] == []
    assert params["weights"]["kind"] == "weights" and params["weights"]["choices"] == ["imagenet", None]


def test_error_codes_are_stable_snake_case():
    for code in errors.ERROR_CODES | errors.WARNING_CODES:
        assert code.isidentifier() and code == code.lower()


def test_validate_and_the_catalog_do_not_import_keras_or_tensorflow():
    root = Path(__file__).resolve().parents[2]
    script = (
        "import sys; from studio.graphs import validate, layers_catalog; layers_catalog(); "
        "validate({'version': 1, 'nodes': [{'id': 'i', 'type': 'Input', 'params': {'shape': [3]}}], 'edges': []}); "
        "print(sorted(m for m in ('keras', 'tensorflow', 'h5py') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
