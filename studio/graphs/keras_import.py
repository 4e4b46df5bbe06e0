"""from_keras(model_or_config) -> graph: a Keras model's architecture mapped through the registry.

Only the JSON config is read (a model object is asked for its config first), each layer is mapped
to a registry type by class name, and the result is validated like any other graph. Lambda layers,
custom classes and settings the registry cannot express are refused with the layer's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import errors
from .backbones import BACKBONES, CAFFE_KERNEL, CAFFE_MEAN_BGR, Backbone, rescaling_preprocess_mode
from .errors import GraphError
from .layout import layered_positions
from .registry import KERAS_ALIASES, REGISTRY
from .schema import GRAPH_VERSION
from .spec import LayerSpec
from .validate import validate

MODEL_CLASSES = ("Functional", "Model", "Sequential")
_POOLING = {"GlobalAveragePooling2D": "avg", "GlobalMaxPooling2D": "max"}


def from_keras(model_or_config: Any) -> dict[str, Any]:
    """A graph (version 1) for a Keras functional or Sequential model, or its config dict."""
    config = _model_config(model_or_config)
    try:
        graph = _convert(config)
    except GraphError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise GraphError.single(errors.BAD_FILE, f"not a Keras model config ({exc.__class__.__name__}: {exc})") from exc
    report = validate(graph)
    if not report.valid:
        raise GraphError(report.errors)
    return graph


def _model_config(source: Any) -> dict[str, Any]:
    if isinstance(source, Mapping):
        if "class_name" in source and isinstance(source.get("config"), Mapping):
            return dict(source)
        kind = "Functional" if "input_layers" in source else "Sequential"
        return {"class_name": kind, "config": dict(source)}
    if hasattr(source, "get_config") and hasattr(source, "layers"):
        try:
            return {"class_name": type(source).__name__, "config": source.get_config()}
        except Exception as exc:  # subclassed models cannot describe themselves as a config
            message = f"{type(source).__name__} has no layer-by-layer config (a subclassed model?)"
            raise GraphError.single(errors.UNSUPPORTED_LAYER, message) from exc
    raise GraphError.single(errors.BAD_FILE, f"expected a Keras model or its config, got {type(source).__name__}")


def _convert(config: Mapping[str, Any]) -> dict[str, Any]:
    kind = config["class_name"]
    body = config["config"]
    if kind not in MODEL_CLASSES:
        raise GraphError.single(
            errors.UNSUPPORTED_LAYER, f"model class {kind!r} is not a functional or Sequential model"
        )
    builder = _GraphBuilder()
    if kind == "Sequential":
        builder.add_sequential(body)
    else:
        builder.add_functional(body)
    builder.fold_preprocessing()
    return builder.graph(body.get("name") if isinstance(body.get("name"), str) else None)


def _inbound(layer: Mapping[str, Any]) -> list[str]:
    """Names of the layers feeding `layer`, in call order (Keras 3 and Keras 2 config formats)."""
    nodes = layer.get("inbound_nodes") or []
    name = layer.get("name") or layer["config"]["name"]
    if len(nodes) > 1:
        raise GraphError.single(errors.UNSUPPORTED_CONFIG, f"layer {name} is called {len(nodes)} times (shared "
                                "weights); the studio builds each layer once", node=name)  # fmt: skip
    if not nodes:
        return []
    node = nodes[0]
    if isinstance(node, Mapping):  # Keras 3: {"args": [...], "kwargs": {...}}
        args, kwargs = node.get("args", []), node.get("kwargs", {})
        # Keras records training=False for layers that take it; anything else changes the call.
        if len(args) != 1 or any(v not in (None, False) or k not in ("mask", "training") for k, v in kwargs.items()):
            raise GraphError.single(errors.UNSUPPORTED_CONFIG, f"layer {name} is called with extra arguments",
                                    node=name)  # fmt: skip
        tensors = args[0] if isinstance(args[0], list) else [args[0]]
        history = [t["config"]["keras_history"] for t in tensors]
    else:  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]
        history = node
    out = []
    for source, node_index, tensor_index, *_rest in history:
        if node_index != 0 or tensor_index != 0:
            raise GraphError.single(errors.UNSUPPORTED_CONFIG, f"layer {name} reads output {tensor_index} of "
                                    f"{source} call {node_index}; only single-output layers called once are "
                                    "supported", node=name)  # fmt: skip
        out.append(source)
    return out


def _spec_for(layer: Mapping[str, Any]) -> LayerSpec:
    class_name = layer.get("class_name")
    name = layer.get("name") or (layer.get("config") or {}).get("name") or "?"
    module = layer.get("module")
    registered = layer.get("registered_name")
    if class_name == "Lambda":
        raise GraphError.single(errors.UNSUPPORTED_LAYER, f"layer {name} is a Lambda layer (arbitrary code); "
                                "Lambda layers are refused", node=name)  # fmt: skip
    custom = (registered not in (None, class_name)) or (module is not None and not str(module).startswith("keras"))
    spec = None if custom else REGISTRY.get(KERAS_ALIASES.get(class_name, class_name))
    if spec is None or spec.backbone is not None:
        what = "a custom class" if custom else "a layer type the studio does not support"
        raise GraphError.single(errors.UNSUPPORTED_LAYER, f"layer {name} ({class_name}) is {what}", node=name)
    return spec


def _activation_name(value: Any) -> Any:
    if isinstance(value, Mapping):  # {"module": "keras.activations", "config": "relu", ...}
        if str(value.get("module", "keras")).startswith("keras") and isinstance(value.get("config"), str):
            return value["config"]
    return value


def layer_params(spec: LayerSpec, config: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A Keras layer config as registry params; settings the registry cannot express are refused."""
    for key, allowed in spec.import_requires.items():
        if key in config and config[key] not in allowed:
            value = repr(config[key])[:60]
            message = f"layer {name} ({spec.type}) sets {key}={value}, which the studio cannot express"
            raise GraphError.single(errors.UNSUPPORTED_CONFIG, message, node=name)
    try:
        params = spec.from_config(config) if spec.from_config else {}
    except ValueError as exc:
        raise GraphError.single(errors.UNSUPPORTED_CONFIG, f"layer {name}: {exc}", node=name) from exc
    for p in spec.params:
        if p.name not in params and p.name in config and p.name != "trainable":
            params[p.name] = config[p.name]
    for key in ("activation", "recurrent_activation"):
        if key in params:
            params[key] = _activation_name(params[key])
    if spec.has_trainable:
        params["trainable"] = config.get("trainable", True) is not False
    return params


class _GraphBuilder:
    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.ids: set[str] = set()
        self.backbones: list[str] = []  # ids of pre-trained nodes
        self.preprocess_ids: dict[str, str] = {}  # layers that look like compile_graph's preprocessing: mode

    def graph(self, name: str | None) -> dict[str, Any]:
        positions = layered_positions([n["id"] for n in self.nodes], [(e["source"], e["target"]) for e in self.edges])
        for node in self.nodes:
            node["position"] = positions[node["id"]]
        return {"version": GRAPH_VERSION, "name": name or "imported", "nodes": self.nodes, "edges": self.edges}

    def _add(self, node_id: str, spec: LayerSpec, params: dict[str, Any], sources: list[str]) -> None:
        if node_id in self.ids:
            raise GraphError.single(errors.DUPLICATE_ID, f"two layers are named {node_id}", node=node_id)
        self.ids.add(node_id)
        self.nodes.append({"id": node_id, "type": spec.type, "params": params})
        ported = spec.inputs.max > 1
        for port, source in enumerate(sources):
            edge: dict[str, Any] = {"source": source, "target": node_id}
            if ported:
                edge["port"] = port
            self.edges.append(edge)

    def add_layer(self, layer: Mapping[str, Any], sources: list[str]) -> None:
        config = layer.get("config") or {}
        name = layer.get("name") or config.get("name")
        if not isinstance(name, str):
            raise GraphError.single(errors.BAD_FILE, "a layer has no name")
        if layer.get("class_name") in MODEL_CLASSES:
            self._add_nested(name, layer, sources)
            return
        spec = _spec_for(layer)
        if spec.type == "Conv2D" and is_caffe_preprocess(config):
            self.preprocess_ids[name] = "caffe"
        elif spec.type == "Rescaling" and (mode := rescaling_preprocess_mode(config)):
            self.preprocess_ids[name] = mode
        self._add(name, spec, layer_params(spec, config, name), sources)

    def add_functional(self, body: Mapping[str, Any]) -> None:
        for layer in body["layers"]:  # unsupported layers are the clearest error: report them first
            if layer.get("class_name") not in MODEL_CLASSES:
                _spec_for(layer)
        for layer in body["layers"]:
            self.add_layer(layer, _inbound(layer))
        inputs = body.get("input_layers") or []
        outputs = body.get("output_layers") or []
        inputs = [inputs] if inputs and not isinstance(inputs[0], list) else inputs
        outputs = [outputs] if outputs and not isinstance(outputs[0], list) else outputs
        # The studio orders model inputs and outputs by document order: follow Keras's order.
        first = [name for name, *_rest in inputs if name in self.ids]
        last = [name for name, *_rest in outputs if name in self.ids and name not in first]
        by_id = {n["id"]: n for n in self.nodes}
        middle = [n["id"] for n in self.nodes if n["id"] not in set(first) | set(last)]
        self.nodes = [by_id[i] for i in first + middle + last]
        consumed = {e["source"] for e in self.edges}
        for output in outputs:
            if output[0] in consumed:
                raise GraphError.single(errors.UNSUPPORTED_CONFIG, f"model output {output[0]} also feeds other "
                                        "layers; the studio's outputs are the layers no edge leaves",
                                        node=output[0])  # fmt: skip

    def add_sequential(self, body: Mapping[str, Any]) -> None:
        layers = list(body["layers"])
        previous: list[str] = []
        first = layers[0]["config"] if layers else {}
        if layers and layers[0].get("class_name") != "InputLayer":
            # Keras 2 Sequential configs keep the input shape on the first layer.
            if not (first.get("batch_input_shape") or first.get("batch_shape")):
                raise GraphError.single(errors.BAD_FILE, "the Sequential model has no input shape (build it first)")
            layers.insert(0, {"class_name": "InputLayer", "config": {**first, "name": "input"}})
        for layer in layers:
            name = layer.get("name") or layer["config"]["name"]
            self.add_layer(layer, previous)
            previous = [name]

    def _add_nested(self, name: str, layer: Mapping[str, Any], sources: list[str]) -> None:
        """A nested model: a pre-trained backbone the registry knows (else refused)."""
        body = layer["config"]
        inner = [entry for entry in body.get("layers", []) if entry.get("class_name") != "InputLayer"]
        backbone, pooling = _match_backbone(inner)
        if backbone is None:
            raise GraphError.single(errors.UNSUPPORTED_LAYER, f"layer {name} is a nested model the studio does not "
                                    "know as a pre-trained network", node=name)  # fmt: skip
        frozen = body.get("trainable") is False
        trainable = [
            e["config"]["name"] for e in inner[: len(backbone.layers)] if not frozen and e["config"].get("trainable")
        ]
        params = {"weights": None, "trainable_layers": trainable, "pooling": pooling, "preprocess": False}
        self._add(name, REGISTRY[backbone.type], params, sources)
        self.backbones.append(name)

    def fold_preprocessing(self) -> None:
        """Turn compile_graph's own preprocessing layer + backbone back into one node (preprocess on)."""
        by_id = {n["id"]: n for n in self.nodes}
        for node_id in self.backbones:
            node = by_id[node_id]
            feeding = [e for e in self.edges if e["target"] == node_id]
            if len(feeding) != 1:
                continue
            pre = feeding[0]["source"]
            mode = REGISTRY[node["type"]].backbone.preprocess  # type: ignore[union-attr]
            only_feeds_it = [e["target"] for e in self.edges if e["source"] == pre] == [node_id]
            if self.preprocess_ids.get(pre) != mode or not only_feeds_it:
                continue
            self.nodes.remove(by_id[pre])
            self.ids.discard(pre)
            self.edges = [e for e in self.edges if e["source"] != pre]
            for edge in self.edges:
                if edge["target"] == pre:
                    edge["target"] = node_id
            node["params"]["preprocess"] = True


def _match_backbone(inner: list[Mapping[str, Any]]) -> tuple[Backbone | None, str | None]:
    names = [(e.get("config") or {}).get("name") for e in inner]
    classes = [e.get("class_name") for e in inner]
    for backbone in BACKBONES:
        count = len(backbone.layers)
        expected = (list(backbone.layer_names), [layer.spec.type for layer in backbone.layers])
        if (names[:count], classes[:count]) != expected:
            continue
        rest = classes[count:]
        if not rest:
            return backbone, None
        if len(rest) == 1 and rest[0] in _POOLING:
            return backbone, _POOLING[rest[0]]
    return None, None


def is_caffe_preprocess(config: Mapping[str, Any]) -> bool:
    """The frozen Conv2D with constant channel-swap kernel and mean bias that compile_graph emits."""

    def constant(key: str) -> Any:
        init = config.get(key) or {}
        return init.get("config", {}).get("value") if init.get("class_name") == "Constant" else None

    bias = constant("bias_initializer")
    return (
        config.get("filters") == 3
        and list(config.get("kernel_size") or []) in ([1, 1], (1, 1))
        and config.get("trainable") is False
        and constant("kernel_initializer") == CAFFE_KERNEL
        and isinstance(bias, list)
        and len(bias) == 3
        and all(abs(b + m) < 1e-6 for b, m in zip(bias, CAFFE_MEAN_BGR, strict=True))
    )
