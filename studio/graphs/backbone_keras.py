"""The Keras side of pre-trained backbones: stable layer names, weights, trainable flags, and the data.

Imported only where Keras is (compile, tests, scripts/gen_backbone_data.py), never by validate().
"""

from __future__ import annotations

import collections
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from . import errors
from .backbone_layers import INNER_SPECS, INPUT_NAME
from .backbone_weights import Expected, read_backbone_weights
from .errors import GraphError

if TYPE_CHECKING:
    from .backbones import Backbone
    from .spec import Step

log = logging.getLogger(__name__)


@contextmanager
def fresh_names() -> Iterator[None]:
    """Build inside a fresh Keras auto-name scope (conv2d, conv2d_1, ... counted from zero).

    InceptionV3, DenseNet and Xception leave some layers unnamed, and Keras numbers unnamed layers
    per process: the second InceptionV3 built in a process would have conv2d_94 where the first
    had conv2d. Building each backbone from a fresh count gives its layers the names the catalog
    lists (and trainable_layers uses), whatever was built before. The count is restored after.
    """
    try:
        from keras.src.backend.common import global_state
    except ImportError:  # another Keras layout: names are checked after building anyway
        yield
        return
    saved = global_state.get_global_attribute("object_name_uids")
    global_state.set_global_attribute("object_name_uids", collections.defaultdict(int))
    try:
        yield
    finally:
        global_state.set_global_attribute("object_name_uids", saved or collections.defaultdict(int))


def check_names(model: Any, backbone: Backbone, node_id: str) -> None:
    """The built network has the layers the studio's data lists (else the data is stale for this Keras)."""
    names = [layer.name for layer in model.layers[1 : 1 + len(backbone.layers)]]
    for index, expected in enumerate(backbone.layer_names):
        got = names[index] if index < len(names) else "(none)"
        if got != expected:
            message = (
                f"this Keras builds {backbone.type} differently from the studio's layer data (layer {index + 1} "
                f"is {got}, not {expected}); regenerate studio/graphs/backbone_data with scripts/gen_backbone_data.py"
            )
            raise GraphError.single(errors.UNSUPPORTED_CONFIG, message, node=node_id)


def expected_from_model(model: Any, backbone: Backbone) -> list[Expected]:
    return [
        Expected(layer.name, tuple((w.name, tuple(w.shape)) for w in layer.weights),
                 layer.name not in backbone.preprocessing_layers)
        for layer in model.layers
        if layer.weights
    ]  # fmt: skip


def load_weights(model: Any, backbone: Backbone, path: str | os.PathLike[str], node_id: str) -> None:
    """Set the network's weights from an ImageNet file or a weights-library file (read as arrays)."""
    try:
        arrays = read_backbone_weights(path, backbone, expected=expected_from_model(model, backbone))
    except GraphError as exc:
        first = exc.errors[0]
        message = f"{os.path.basename(os.fspath(path))} does not fit {backbone.type}: {first['message']}"
        raise GraphError.single(first["code"], message, node=node_id, param="weights") from exc
    for layer in model.layers:
        if layer.name in arrays:
            layer.set_weights(arrays[layer.name])
    log.info("Loaded %s weights for %s from %s", backbone.type, node_id, path)


def prepare(model: Any, step: Step, weights_path: str | None, node_id: str) -> None:
    """Names checked, weights loaded, then each layer's trainable flag (before any compile()).

    An inner layer not in trainable_layers behaves as in inference, layer by layer: a frozen
    BatchNormalization normalises with its moving statistics (Keras 3 does this for trainable=False),
    and a Dropout (EfficientNet's stochastic depth) passes its input through (rate 0, which its saved
    config keeps). Calling the backbone with training=False would not do it: in Keras 3 the training
    flag of fit() overrides the one recorded on a node of a functional model.
    """
    backbone = step.backbone
    assert backbone is not None
    check_names(model, backbone, node_id)
    if weights_path is not None:
        load_weights(model, backbone, weights_path, node_id)
    train = set(step.trainable_layers)
    for layer in model.layers:
        layer.trainable = layer.name in train
        if type(layer).__name__ == "Dropout" and not layer.trainable:
            layer.rate = 0.0


# Describing keras.applications networks as data (scripts/gen_backbone_data.py, tests) ----------

# Two input sizes, one even and one odd: ZeroPadding2D layers whose padding differs between them
# follow imagenet_utils.correct_pad. Both are above every backbone's smallest input.
_DESCRIBE_SIZES = (96, 97)


def _inbound(layer: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    for node in layer.get("inbound_nodes", []):
        for arg in node["args"]:
            tensors = arg if isinstance(arg, list) else [arg]
            names += [t["config"]["keras_history"][0] for t in tensors]
    return names


def _params(spec_type: str, config: Mapping[str, Any]) -> dict[str, Any]:
    spec = INNER_SPECS[spec_type]
    raw = dict(spec.from_config(config)) if spec.from_config else {}
    for param in spec.params:
        if param.name not in raw and param.name in config:
            raw[param.name] = config[param.name]
        value = raw.get(param.name)
        if isinstance(value, Mapping) and isinstance(value.get("config"), str):  # an activation object
            raw[param.name] = value["config"]
    return {p.name: p.parse(raw.get(p.name, p.default)) for p in spec.params if p.name != "trainable"}


def describe_application(application: str) -> dict[str, Any]:
    """keras.applications.<application> (include_top=False) as the studio's layer data."""
    import keras

    configs = []
    for size in _DESCRIBE_SIZES:
        with fresh_names():
            model = getattr(keras.applications, application)(
                include_top=False, weights=None, input_shape=(size, size, 3)
            )
        configs.append(model.get_config()["layers"])
    rows = []
    for layer, odd in zip(*configs, strict=True):
        kind, name = layer["class_name"], layer["config"]["name"]
        if kind == "InputLayer":
            assert name == INPUT_NAME, name
            continue
        if kind not in INNER_SPECS:
            raise ValueError(f"{application}: layer {name} is a {kind}, which the studio cannot describe")
        row: dict[str, Any] = {"name": name, "type": kind, "params": _params(kind, layer["config"]),
                               "inputs": _inbound(layer)}  # fmt: skip
        if kind == "ZeroPadding2D" and odd["config"]["padding"] != layer["config"]["padding"]:
            row["correct_pad"] = 2 * row["params"]["padding"][1] + 1  # bottom = kernel // 2
        rows.append(row)
    return {"application": application, "keras_version": keras.__version__, "layers": rows}
