"""layers_catalog(): the body of GET /api/layers/, generated from the registry."""

from __future__ import annotations

from typing import Any

from .backbones import Backbone, find_weights
from .limits import LIMITS
from .registry import CATEGORIES, REGISTRY
from .schema import GRAPH_VERSION
from .spec import LayerSpec


def _pretrained(backbone: Backbone) -> dict[str, Any]:
    return {
        "layers": [{"name": layer.name, "type": layer.spec.type, "group": layer.group} for layer in backbone.layers],
        "groups": list(backbone.groups),
        "min_input": list(backbone.min_input),
        "preprocess": backbone.preprocess,
        "weights_available": find_weights(backbone) is not None,
        "weights_file": backbone.weights_file,
        "weights_url": backbone.weights_url,
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
