"""layers_catalog(): the body of GET /api/layers/, generated from the registry."""

from __future__ import annotations

from typing import Any

from .backbone_weights import weighted_layer_names
from .backbones import PREPROCESS_HELP, Backbone, find_weights, weights_dirs
from .limits import LIMITS
from .registry import CATEGORIES, REGISTRY
from .schema import GRAPH_VERSION
from .spec import LayerSpec

BATCH_NORM_NOTE = (
    "Layers not in trainable_layers run as in inference: a frozen BatchNormalization normalises with its "
    "moving statistics (they stay as loaded) and a frozen Dropout inside the network passes its input "
    "through. A BatchNormalization layer listed in trainable_layers learns from batch statistics: with "
    "small batches, leave those frozen when fine-tuning."
)


def _pretrained(backbone: Backbone) -> dict[str, Any]:
    """A pre-trained entry's network: layers in order with their group (groups in order, so "train
    the last N blocks" is the layers of the last N groups), and where its ImageNet weights are."""
    found = find_weights(backbone)
    weighted = weighted_layer_names(backbone)
    return {
        "layers": [{"name": layer.name, "type": layer.spec.type, "group": layer.group} for layer in backbone.layers],
        "groups": list(backbone.groups),
        "weighted_layers": [name for name in backbone.layer_names if name in weighted],
        "min_input": list(backbone.min_input),
        "preprocess": backbone.preprocess,
        "preprocess_help": PREPROCESS_HELP[backbone.preprocess],
        "batch_norm": BATCH_NORM_NOTE,
        "weights_available": found is not None,
        "weights_path": str(found) if found else None,
        "weights_file": backbone.weights_file,
        "weights_url": backbone.weights_url,
        "weights_dir": str(weights_dirs()[0]),
        "fetch_command": f"python manage.py fetch_weights {backbone.type}",
    }


def _layer(spec: LayerSpec) -> dict[str, Any]:
    return {
        "type": spec.type,
        "category": spec.category,
        "help": spec.help,
        "inputs": spec.inputs.describe(),
        "summary": list(spec.summary),
        "params": [p.describe() for p in spec.params],
        "pretrained": _pretrained(spec.backbone) if spec.backbone else None,
    }


def layers_catalog() -> dict[str, Any]:
    """Every layer type with its category, params (kinds, defaults, ranges, help) and the limits."""
    return {
        "version": GRAPH_VERSION,
        "limits": dict(LIMITS),
        "categories": list(CATEGORIES),
        "layers": [_layer(spec) for spec in REGISTRY.values()],
    }
