"""Starter designs offered when a person creates a project."""
from typing import Any


def _chain(name: str, layers: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """A graph whose nodes are connected one after another, laid out top to bottom."""
    nodes = [
        {"id": node_id, "type": layer_type, "params": params, "position": {"x": 80, "y": 40 + 110 * i}}
        for i, (node_id, layer_type, params) in enumerate(layers)
    ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"version": 1, "name": name, "nodes": nodes, "edges": edges}


STARTERS: dict[str, dict[str, Any]] = {
    "vgg16-transfer": {
        "name": "VGG16 transfer learning",
        "description": "A frozen ImageNet VGG16 base and a small dense head: the classic first step "
        "(91-93% on a 3-class vegetable set). Train block 5 next to fine-tune.",
        "graph": _chain(
            "VGG16 transfer learning",
            [
                ("input", "Input", {"shape": [224, 224, 3]}),
                ("vgg16", "VGG16", {"weights": "imagenet", "trainable_layers": []}),
                ("gap", "GlobalAveragePooling2D", {}),
                ("fc", "Dense", {"units": 256, "activation": "relu"}),
                ("dropout", "Dropout", {"rate": 0.5}),
                ("output", "Dense", {"units": 3, "activation": "softmax"}),
            ],
        ),
    },
    "small-cnn": {
        "name": "Small CNN from scratch",
        "description": "Three convolution blocks trained from random weights on 64x64 images.",
        "graph": _chain(
            "Small CNN from scratch",
            [
                ("input", "Input", {"shape": [64, 64, 3]}),
                ("scale", "Rescaling", {"scale": 1 / 255}),
                ("conv1", "Conv2D", {"filters": 32, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}),
                ("pool1", "MaxPooling2D", {}),
                ("conv2", "Conv2D", {"filters": 64, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}),
                ("pool2", "MaxPooling2D", {}),
                ("conv3", "Conv2D", {"filters": 128, "kernel_size": [3, 3], "activation": "relu", "padding": "same"}),
                ("gap", "GlobalAveragePooling2D", {}),
                ("dropout", "Dropout", {"rate": 0.3}),
                ("output", "Dense", {"units": 4, "activation": "softmax"}),
            ],
        ),
    },
    "mlp": {
        "name": "MLP",
        "description": "A multi-layer perceptron on flattened 32x32 images: the simplest baseline.",
        "graph": _chain(
            "MLP",
            [
                ("input", "Input", {"shape": [32, 32, 3]}),
                ("scale", "Rescaling", {"scale": 1 / 255}),
                ("flatten", "Flatten", {}),
                ("fc1", "Dense", {"units": 256, "activation": "relu"}),
                ("dropout", "Dropout", {"rate": 0.2}),
                ("fc2", "Dense", {"units": 128, "activation": "relu"}),
                ("output", "Dense", {"units": 4, "activation": "softmax"}),
            ],
        ),
    },
    "blank": {
        "name": "Blank",
        "description": "Just an input: build your own network.",
        "graph": _chain("Blank", [("input", "Input", {"shape": [64, 64, 3]})]),
    },
}
