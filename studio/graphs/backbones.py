"""Pre-trained backbones (keras.applications networks) described as data.

A `Backbone` lists its inner layers as registry layers (so shapes and parameter counts come from
the same functions as everywhere else), its preprocessing, its smallest input and the Keras weights
file. Adding VGG19, ResNet50 or MobileNetV2 later is one more `Backbone(...)` entry here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layers_conv import CONV2D, POOLING
from .spec import Call, LayerSpec, Step

MAX_POOLING_2D = next(s for s in POOLING if s.type == "MaxPooling2D")

# keras.applications.imagenet_utils "caffe" mode: RGB -> BGR, then subtract the ImageNet means.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
CAFFE_KERNEL = [[[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]]]  # 1x1 conv swapping R and B
KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"


@dataclass(frozen=True)
class InnerLayer:
    name: str
    spec: LayerSpec
    group: str
    params: Mapping[str, Any]  # full (parsed) params of the registry layer


@dataclass(frozen=True)
class Backbone:
    type: str  # the registry type, e.g. "VGG16"
    help: str
    application: str  # keras.applications.<application>
    preprocess: str  # keras.applications preprocessing mode: "caffe" (others: "tf", "torch")
    layers: tuple[InnerLayer, ...]  # a chain, in order (input excluded)
    min_input: tuple[int, int]
    weights_file: str  # the include_top=False file Keras caches under ~/.keras/models
    weights_url: str

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(layer.group for layer in self.layers))


def preprocess_steps(mode: str) -> list[Step]:
    """Built-in layers that reproduce keras.applications preprocessing inside the model.

    Built-in (not Lambda, not a custom class) so a downloaded .keras file loads anywhere in safe
    mode. Caffe mode is a frozen 1x1 Conv2D: the channel swap and the mean subtraction in one
    layer with constant initializers, so even re-initialising it keeps the values.
    """
    if mode == "caffe":
        bias = [-m for m in CAFFE_MEAN_BGR]
        conv = Call(
            "layers.Conv2D",
            {
                "filters": 3,
                "kernel_size": 1,
                "trainable": False,
                "kernel_initializer": Call("initializers.Constant", {"value": CAFFE_KERNEL}),
                "bias_initializer": Call("initializers.Constant", {"value": bias}),
            },
        )
        return [Step(conv, suffix="preprocess")]
    if mode == "tf":  # scale to -1..1 (MobileNetV2, Xception, ...)
        return [Step(Call("layers.Rescaling", {"scale": 1 / 127.5, "offset": -1.0}), suffix="preprocess")]
    raise ValueError(f"unknown preprocessing mode {mode!r}")


def preprocess_weights(mode: str) -> int:
    return 12 if mode == "caffe" else 0


def _vgg_layers(convs_per_block: tuple[int, ...]) -> tuple[InnerLayer, ...]:
    conv_defaults = {p.name: p.parse(p.default) for p in CONV2D.params}
    pool_defaults = {p.name: p.parse(p.default) for p in MAX_POOLING_2D.params}
    out: list[InnerLayer] = []
    for block, (convs, filters) in enumerate(zip(convs_per_block, (64, 128, 256, 512, 512), strict=True), 1):
        group = f"block{block}"
        conv = {**conv_defaults, "filters": filters, "padding": "same", "activation": "relu"}
        out += [InnerLayer(f"{group}_conv{i}", CONV2D, group, conv) for i in range(1, convs + 1)]
        pool = {**pool_defaults, "strides": [2, 2]}
        out.append(InnerLayer(f"{group}_pool", MAX_POOLING_2D, group, pool))
    return tuple(out)


VGG16 = Backbone(
    type="VGG16",
    help="VGG16 convolutional base (13 convolutions in 5 blocks), pre-trained on ImageNet.",
    application="VGG16",
    preprocess="caffe",
    layers=_vgg_layers((2, 2, 3, 3, 3)),
    min_input=(32, 32),
    weights_file="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_url=KERAS_WEIGHTS_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
)

VGG19 = Backbone(
    type="VGG19",
    help="VGG19 convolutional base (16 convolutions in 5 blocks), pre-trained on ImageNet.",
    application="VGG19",
    preprocess="caffe",
    layers=_vgg_layers((2, 2, 4, 4, 4)),
    min_input=(32, 32),
    weights_file="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_url=KERAS_WEIGHTS_URL + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
)

BACKBONES: tuple[Backbone, ...] = (VGG16, VGG19)


def weights_dirs() -> list[Path]:
    """Where "imagenet" weights files are looked up, in order.

    STUDIO_WEIGHTS_DIR (the configured folder), STUDIO_DATA_DIR/weights, then Keras's own cache
    ($KERAS_HOME/models, or ~/.keras/models), so a file Keras downloaded once is found too.
    """
    dirs: list[Path] = []
    if os.environ.get("STUDIO_WEIGHTS_DIR"):
        dirs.append(Path(os.environ["STUDIO_WEIGHTS_DIR"]))
    if os.environ.get("STUDIO_DATA_DIR"):
        dirs.append(Path(os.environ["STUDIO_DATA_DIR"]) / "weights")
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    dirs.append(Path(keras_home) / "models")
    return dirs


def find_weights(backbone: Backbone) -> Path | None:
    for folder in weights_dirs():
        path = folder / backbone.weights_file
        if path.is_file():
            return path
    return None


def missing_weights_message(backbone: Backbone) -> str:
    where = weights_dirs()[0]
    return (
        f"{backbone.type} ImageNet weights are not on this machine: place {backbone.weights_file} "
        f"(from {backbone.weights_url}) in {where}, or choose weights: null to start from random weights"
    )
