"""A model as Spark ships it: the graph JSON, the weights file's bytes and the class names.

The driver makes a ModelBundle once (from a trained run, a project, or any Keras model built from a
graph) and broadcasts it; each executor's Python worker builds the Keras model from it the first
time a task needs it and keeps it for every later task (`build_cached`). Executors never see the
database, the data folder or the ImageNet weights file: the weights travel in the bundle, and the
graph is compiled with `load_pretrained=False` before they are set.

`part` chooses what runs on the executors: "full" (the whole model: predictions) or "prefix" (the
frozen front of the model up to the cut that studio.training.frozen finds: features).
"""
import hashlib
import json
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PARTS = ("full", "prefix")


class NoFrozenPrefix(ValueError):
    """The network has no frozen layers with weights at its front: there is nothing to featurize with."""


@dataclass(frozen=True)
class ModelBundle:
    graph: dict
    weights: bytes  # a Keras weights file (model.weights.h5) of compile_graph(graph)
    classes: tuple[str, ...] = ()
    name: str = "model"
    key: str = field(default="", compare=False)  # identifies graph + weights (the executors' cache key)

    def __post_init__(self) -> None:
        if not self.key:
            digest = hashlib.sha256(json.dumps(self.graph, sort_keys=True).encode() + self.weights).hexdigest()
            object.__setattr__(self, "key", digest[:24])

    # --- making one (driver) -------------------------------------------------------------------
    @classmethod
    def from_model(cls, graph: dict, model: Any, *, classes: list[str] | tuple[str, ...] = (),
                   name: str = "model") -> "ModelBundle":
        """The current weights of `model` (built by compile_graph(graph)), e.g. after training a head."""
        with tempfile.TemporaryDirectory(prefix="studio-bundle-") as folder:
            path = Path(folder) / "model.weights.h5"
            model.save_weights(path)
            return cls(graph=graph, weights=path.read_bytes(), classes=tuple(classes), name=name)

    @classmethod
    def from_weights_file(cls, graph: dict, path: str | Path, *, classes: list[str] | tuple[str, ...] = (),
                          name: str = "model") -> "ModelBundle":
        """A run's model.weights.h5 (or any weights file of compile_graph(graph))."""
        return cls(graph=graph, weights=Path(path).read_bytes(), classes=tuple(classes), name=name)

    # --- using one (driver and executors) --------------------------------------------------------
    def build(self) -> Any:
        """A fresh Keras model with the bundle's weights."""
        from studio.graphs import compile_graph

        model = compile_graph(self.graph, load_pretrained=False)
        with tempfile.TemporaryDirectory(prefix="studio-bundle-") as folder:
            path = Path(folder) / "model.weights.h5"
            path.write_bytes(self.weights)
            model.load_weights(path)
        return model

    def build_part(self, part: str) -> Any:
        if part not in PARTS:
            raise ValueError(f"part must be one of {PARTS}, not {part!r}")
        model = self.build()
        return model if part == "full" else frozen_prefix(model)

    def build_cached(self, part: str) -> Any:
        """The model part, built once per Python process (one Spark Python worker serves many tasks)."""
        cache_key = (self.key, part)
        with _cache_lock:
            model = _cache.pop(cache_key, None)
            if model is None:
                model = self.build_part(part)
            _cache[cache_key] = model  # most recently used last
            while len(_cache) > CACHED_MODELS:
                _cache.pop(next(iter(_cache)))
        return model


CACHED_MODELS = 3  # per Python worker: a long-lived worker may serve many jobs with many models
_cache: dict[tuple[str, str], Any] = {}
_cache_lock = threading.Lock()


def frozen_prefix(model: Any) -> Any:
    """The frozen front of `model` as its own model (studio.training.frozen's split, as the trainer uses it)."""
    from studio.training.frozen import find_frozen_cut

    cut = find_frozen_cut(model)
    if cut is None:
        raise NoFrozenPrefix("The network has no frozen layers with weights at its front, so there are no "
                             "features to compute: freeze the first layers (or the pre-trained backbone).")
    return cut.prefix


def input_spec(model: Any) -> tuple[tuple[int, int], str]:
    """((height, width), color mode) of a model's single image input, as the studio's predict loads images."""
    shape = model.inputs[0].shape
    if len(shape) != 4:
        raise ValueError(f"The model's input is not an image (shape {tuple(shape)}).")
    return (int(shape[1]), int(shape[2])), ("grayscale" if int(shape[3]) == 1 else "rgb")
