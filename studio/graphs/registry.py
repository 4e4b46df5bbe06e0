"""The layer registry: every layer type the studio knows, declared once.

The palette, parameter forms, validation, shape inference, compilation, import and code export
all read from `REGISTRY`. Adding a layer type means adding one `LayerSpec` to one of the
`layers_*` modules (or one `Backbone` for a pre-trained network).
"""

from __future__ import annotations

from . import layers_conv, layers_core, layers_merge, layers_preprocessing, layers_pretrained, layers_recurrent
from .spec import LayerSpec

CATEGORIES: tuple[str, ...] = (
    "Input", "Core", "Convolution", "Pooling", "Normalization", "Regularization", "Activation", "Merge",
    "Reshaping", "Preprocessing", "Augmentation", "Recurrent", "Pretrained",
)  # fmt: skip

REGISTRY: dict[str, LayerSpec] = {
    spec.type: spec
    for spec in (
        *layers_core.SPECS,
        *layers_conv.SPECS,
        *layers_merge.SPECS,
        *layers_preprocessing.SPECS,
        *layers_recurrent.SPECS,
        *layers_pretrained.SPECS,
    )
}

# Keras class names that import as a registry type of another name.
KERAS_ALIASES: dict[str, str] = {"InputLayer": "Input"}


def get_spec(layer_type: str) -> LayerSpec | None:
    return REGISTRY.get(layer_type)
