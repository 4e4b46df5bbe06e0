"""Pre-trained backbones (keras.applications networks) described as data: one `Backbone` entry each.

An entry lists the network's inner layers as registry layers (so shapes and parameter counts come
from the same functions as everywhere else), how they group into blocks, its input preprocessing,
its smallest input and the Keras ImageNet weights file. VGG's layers are written out below; the
bigger networks' layers come from packaged JSON (see backbone_layers.py). Adding a network of the
same kind is one more entry here (plus its JSON, from scripts/gen_backbone_data.py).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .backbone_layers import InnerLayer, by_boundaries, by_prefix, load_layers
from .layers_conv import CONV2D, POOLING
from .spec import Call, Step

__all__ = ["BACKBONES", "Backbone", "InnerLayer", "find_weights", "missing_weights_message", "weights_dirs"]

MAX_POOLING_2D = next(s for s in POOLING if s.type == "MaxPooling2D")

# keras.applications.imagenet_utils "caffe" mode: RGB -> BGR, then subtract the ImageNet means.
CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
CAFFE_KERNEL = [[[[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]]]  # 1x1 conv swapping R and B
# imagenet_utils "torch" mode: scale to 0..1, then normalise each channel with the ImageNet statistics.
IMAGENET_MEAN_RGB = (0.485, 0.456, 0.406)
IMAGENET_STD_RGB = (0.229, 0.224, 0.225)
KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"

# What each preprocessing mode does to 0..255 RGB pixels (served in the catalog).
PREPROCESS_HELP: dict[str, str] = {
    "caffe": "RGB to BGR, then the ImageNet mean pixel subtracted (no scaling).",
    "tf": "Scaled to -1..1 (x / 127.5 - 1).",
    "torch": "Scaled to 0..1, then normalised with the ImageNet mean and standard deviation per channel.",
    "efficientnet": "Normalised with the ImageNet mean and standard deviation per channel, in the 0..255 "
    "range the network's own first layers expect (they divide by 255; its Normalization layer is left as "
    "an identity and never loaded from weights files).",
}


@dataclass(frozen=True)
class Backbone:
    type: str  # the registry type, e.g. "VGG16"
    help: str
    application: str  # keras.applications.<application>
    keras_module: str  # keras.applications.<keras_module>.preprocess_input is the reference preprocessing
    preprocess: str  # a PREPROCESS_HELP mode
    layers: tuple[InnerLayer, ...]  # in Keras's model.layers order (input excluded)
    min_input: tuple[int, int]
    weights_file: str  # the include_top=False file Keras caches under ~/.keras/models
    weights_url: str
    weights_hash: str | None = None  # the hash keras.applications checks (None where Keras has none)
    # Inner layers whose variables are preprocessing constants, not learned weights: never loaded
    # from (or stored in) weights files.
    preprocessing_layers: tuple[str, ...] = ()

    @property
    def layer_names(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(layer.group for layer in self.layers))


def _rescaling(scale: Any, offset: Any) -> list[Step]:
    return [Step(Call("layers.Rescaling", {"scale": scale, "offset": offset}), suffix="preprocess")]


def preprocess_steps(mode: str) -> list[Step]:
    """Built-in layers that reproduce keras.applications preprocessing inside the model.

    Built-in (not Lambda, not a custom class) so a downloaded .keras file loads anywhere in safe
    mode. Caffe mode is a frozen 1x1 Conv2D: the channel swap and the mean subtraction in one
    layer with constant initializers, so even re-initialising it keeps the values. The others are
    one Rescaling layer (per-channel lists where the channels differ): it has no weights at all.
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
    if mode == "tf":  # scale to -1..1 (MobileNetV2, InceptionV3, Xception, ResNet50V2)
        return _rescaling(1 / 127.5, -1.0)
    if mode == "torch":  # (x / 255 - mean) / std, as one multiply-add per channel
        pairs = list(zip(IMAGENET_MEAN_RGB, IMAGENET_STD_RGB, strict=True))
        return _rescaling([1 / (255 * s) for _, s in pairs], [-m / s for m, s in pairs])
    if mode == "efficientnet":  # torch mode times 255: the network divides by 255 itself
        pairs = list(zip(IMAGENET_MEAN_RGB, IMAGENET_STD_RGB, strict=True))
        return _rescaling([1 / s for _, s in pairs], [-255 * m / s for m, s in pairs])
    raise ValueError(f"unknown preprocessing mode {mode!r}")


def rescaling_preprocess_mode(config: Mapping[str, Any]) -> str | None:
    """The preprocessing mode a Rescaling layer's config reproduces, if any (for importing models back)."""

    def values(x: Any) -> list[float] | None:
        if isinstance(x, bool):
            return None
        if isinstance(x, (int, float)):
            return [float(x)] * 3
        if isinstance(x, (list, tuple)) and len(x) == 3 and all(isinstance(v, (int, float)) for v in x):
            return [float(v) for v in x]
        return None

    scale, offset = values(config.get("scale")), values(config.get("offset", 0.0))
    if scale is None or offset is None:
        return None
    for mode in ("tf", "torch", "efficientnet"):
        kwargs = preprocess_steps(mode)[0].call.kwargs
        want = (values(kwargs["scale"]) or []) + (values(kwargs["offset"]) or [])
        if all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9) for a, b in zip(scale + offset, want, strict=True)):
            return mode
    return None


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


def _notop(folder: str, file: str) -> tuple[str, str]:
    return file, f"{KERAS_WEIGHTS_URL}{folder}/{file}"


VGG16 = Backbone(
    type="VGG16",
    help="VGG16 convolutional base (13 convolutions in 5 blocks), pre-trained on ImageNet.",
    application="VGG16",
    keras_module="vgg16",
    preprocess="caffe",
    layers=_vgg_layers((2, 2, 3, 3, 3)),
    min_input=(32, 32),
    weights_file="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_url=KERAS_WEIGHTS_URL + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_hash="6d6bbae143d832006294945121d1f1fc",
)

VGG19 = Backbone(
    type="VGG19",
    help="VGG19 convolutional base (16 convolutions in 5 blocks), pre-trained on ImageNet.",
    application="VGG19",
    keras_module="vgg19",
    preprocess="caffe",
    layers=_vgg_layers((2, 2, 4, 4, 4)),
    min_input=(32, 32),
    weights_file="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_url=KERAS_WEIGHTS_URL + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    weights_hash="253f8cb515780f3b799900260a226db6",
)

_RESNET50_FILE = _notop("resnet", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5")
RESNET50 = Backbone(
    type="ResNet50",
    help="ResNet50 convolutional base (16 residual bottleneck blocks in stages conv2..conv5), pre-trained on ImageNet.",
    application="ResNet50",
    keras_module="resnet",
    preprocess="caffe",
    layers=load_layers("ResNet50", by_prefix((r"^(conv\d)_", r"\1"), (r"^pool1_", "conv1"))),
    min_input=(32, 32),
    weights_file=_RESNET50_FILE[0],
    weights_url=_RESNET50_FILE[1],
    weights_hash="4d473c1dd8becc155b73f8504c6f6626",
)

_RESNET50V2_FILE = _notop("resnet", "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5")
RESNET50V2 = Backbone(
    type="ResNet50V2",
    help="ResNet50 v2 convolutional base (pre-activation residual blocks in stages conv2..conv5), "
    "pre-trained on ImageNet.",
    application="ResNet50V2",
    keras_module="resnet_v2",
    preprocess="tf",
    layers=load_layers("ResNet50V2", by_prefix((r"^(conv\d)_", r"\1"), (r"^pool1_", "conv1"), (r"^post_", "top"))),
    min_input=(32, 32),
    weights_file=_RESNET50V2_FILE[0],
    weights_url=_RESNET50V2_FILE[1],
    weights_hash="fac2f116257151a9d068a22e544a4917",
)

# Keras ships MobileNetV2 weights per input size (96..224); the 224 file fits every size (as Keras
# itself uses it for other sizes), so the studio asks for that one file.
_MOBILENETV2_FILE = _notop("mobilenet_v2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5")
MOBILENETV2 = Backbone(
    type="MobileNetV2",
    help="MobileNetV2 convolutional base (17 inverted residual blocks, width 1.0), pre-trained on ImageNet.",
    application="MobileNetV2",
    keras_module="mobilenet_v2",
    preprocess="tf",
    layers=load_layers(
        "MobileNetV2",
        by_prefix((r"^expanded_conv_", "block_0"), (r"^(block_\d+)_", r"\1"), (r"^(Conv_1|out_relu)", "top")),
    ),
    min_input=(32, 32),
    weights_file=_MOBILENETV2_FILE[0],
    weights_url=_MOBILENETV2_FILE[1],
)

_INCEPTIONV3_FILE = _notop("inception_v3", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5")
INCEPTIONV3 = Backbone(
    type="InceptionV3",
    help="InceptionV3 convolutional base (a stem and 11 inception modules mixed0..mixed10), pre-trained on ImageNet.",
    application="InceptionV3",
    keras_module="inception_v3",
    preprocess="tf",
    # Its layers are auto-named (conv2d_7, ...): a module ends at its concatenation, mixedN.
    layers=load_layers(
        "InceptionV3", by_boundaries(("max_pooling2d_1", "stem"), *((f"mixed{i}", f"mixed{i}") for i in range(11)))
    ),
    min_input=(75, 75),
    weights_file=_INCEPTIONV3_FILE[0],
    weights_url=_INCEPTIONV3_FILE[1],
    weights_hash="bcbd6486424b2319ff4ef7d526e38f63",
)

EFFICIENTNETB0 = Backbone(
    type="EfficientNetB0",
    help="EfficientNetB0 convolutional base (MBConv blocks with squeeze-and-excitation in stages "
    "block1..block7), pre-trained on ImageNet.",
    application="EfficientNetB0",
    keras_module="efficientnet",
    preprocess="efficientnet",
    layers=load_layers("EfficientNetB0", by_prefix((r"^block(\d)[a-z]_", r"block\1"), (r"^top_", "top"))),
    min_input=(32, 32),
    weights_file="efficientnetb0_notop.h5",
    weights_url="https://storage.googleapis.com/keras-applications/efficientnetb0_notop.h5",
    weights_hash="50bc09e76180e00e4465e1a485ddc09d",
    preprocessing_layers=("normalization",),
)

_DENSENET121_FILE = _notop("densenet", "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5")
DENSENET121 = Backbone(
    type="DenseNet121",
    help="DenseNet121 convolutional base (4 dense blocks conv2..conv5 joined by transitions), pre-trained on ImageNet.",
    application="DenseNet121",
    keras_module="densenet",
    preprocess="torch",
    layers=load_layers(
        "DenseNet121",
        by_prefix(
            (r"^(conv\d)_", r"\1"),
            (r"^pool1$", "conv1"),
            (r"^pool(\d)_", r"conv\1"),
            (r"^(bn|relu)$", "top"),
            first="conv1",
        ),
    ),  # fmt: skip
    min_input=(32, 32),
    weights_file=_DENSENET121_FILE[0],
    weights_url=_DENSENET121_FILE[1],
    weights_hash="30ee3e1110167f948a6b9946edeeb738",
)

_XCEPTION_FILE = _notop("xception", "xception_weights_tf_dim_ordering_tf_kernels_notop.h5")
XCEPTION = Backbone(
    type="Xception",
    help="Xception convolutional base (depthwise separable convolutions in 14 blocks), pre-trained on ImageNet.",
    application="Xception",
    keras_module="xception",
    preprocess="tf",
    layers=load_layers("Xception", by_prefix((r"^(block\d+)_", r"\1"))),
    min_input=(71, 71),
    weights_file=_XCEPTION_FILE[0],
    weights_url=_XCEPTION_FILE[1],
    weights_hash="b0042744bf5b25fce3cb969f33bebb97",
)

BACKBONES: tuple[Backbone, ...] = (
    VGG16, VGG19, RESNET50, RESNET50V2, MOBILENETV2, INCEPTIONV3, EFFICIENTNETB0, DENSENET121, XCEPTION,
)  # fmt: skip
BY_TYPE: Mapping[str, Backbone] = {b.type: b for b in BACKBONES}


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
        f"(from {backbone.weights_url}) in {where} (or run `python manage.py fetch_weights {backbone.type}` "
        "where the machine is online), or choose weights: null to start from random weights"
    )
