"""Reading Keras weight files as plain arrays with h5py, never through Keras's loaders.

Weights come out as {layer name: [arrays in layer.get_weights() order]}. Files may be uploaded
by anyone, so only hard links to numeric datasets inside the file are followed: external links,
soft links, external storage and virtual datasets are refused (they can point at other files).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import errors
from .errors import GraphError

Arrays = dict[str, list[Any]]  # numpy arrays; numpy is imported lazily with h5py


def _refuse(message: str) -> GraphError:
    return GraphError.single(errors.BAD_FILE, message)


def open_h5(source: str | Path | bytes) -> Any:
    import h5py

    try:
        handle = io.BytesIO(source) if isinstance(source, bytes) else source
        return h5py.File(handle, "r")
    except OSError as exc:
        raise _refuse("not a readable HDF5 file") from exc


def _child(group: Any, name: str) -> Any:
    """group[name], following hard links only."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        raise _refuse(f"the file has no entry {name!r}")
    if not isinstance(link, h5py.HardLink):
        raise _refuse(f"the file links {name!r} elsewhere ({type(link).__name__}); links are not accepted")
    return group[name]


def _path(group: Any, path: str) -> Any:
    node = group
    for part in path.strip("/").split("/"):
        node = _child(node, part)
    return node


def checked_dataset(dataset: Any) -> Any:
    """The dataset itself, once it is known to be numeric data stored inside this file."""
    import h5py

    if not isinstance(dataset, h5py.Dataset):
        raise _refuse(f"{dataset.name} is not a dataset")
    if dataset.is_virtual or dataset.external:
        raise _refuse(f"{dataset.name} stores its data outside the file; not accepted")
    if dataset.dtype.kind not in "fiub":
        raise _refuse(f"{dataset.name} is not numeric")
    return dataset


def _array(dataset: Any) -> Any:
    return checked_dataset(dataset)[()]


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def h5_attr_json(source: str | Path | bytes, attr: str) -> Any:
    """A JSON attribute of an HDF5 file's root (e.g. a legacy .h5 model's `model_config`)."""
    with open_h5(source) as f:
        if attr not in f.attrs:
            raise _refuse(f"the file has no {attr} (is it a whole model saved by Keras?)")
        try:
            return json.loads(_text(f.attrs[attr]))
        except (ValueError, UnicodeDecodeError) as exc:
            raise _refuse(f"the file's {attr} is not JSON") from exc


def legacy_h5_weights(source: str | Path | bytes) -> Arrays:
    """Weights of a Keras 2 style .h5 file (a whole model, or weights only like the ImageNet files)."""
    with open_h5(source) as f:
        root = f
        if "layer_names" not in f.attrs and "model_weights" in f:
            root = _child(f, "model_weights")
        if "layer_names" not in root.attrs:
            raise _refuse("the file holds no Keras weights (no layer_names)")
        out: Arrays = {}
        for layer_name in map(_text, root.attrs["layer_names"]):
            group = _child(root, layer_name)
            names = [_text(n) for n in group.attrs.get("weight_names", [])]
            if names:
                out[layer_name] = [_array(_path(group, n)) for n in names]
        return out


def _snake(name: str) -> str:
    """keras.src.utils.naming.to_snake_case: how Keras 3 names each layer's group in .weights.h5."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


_CHILD_ORDER = {"vars": 0, "forward_layer": 1, "backward_layer": 2, "cell": 3}


def _group_arrays(group: Any, read: Callable[[Any], Any] = _array) -> Iterator[Any]:
    """A layer's variables: its own `vars`, then those of its sub-layers (RNN cells, wrappers).

    `read` turns each dataset into what is collected (the array; or the checked dataset itself,
    for callers that compare shapes before reading anything)."""
    import h5py

    names = sorted(group.keys(), key=lambda n: (_CHILD_ORDER.get(n, 9), n))
    for name in names:
        child = _child(group, name)
        if name == "vars":
            yield from (read(_child(child, k)) for k in sorted(child.keys(), key=int))
        elif isinstance(child, h5py.Group):
            yield from _group_arrays(child, read)


def keras3_weights(source: str | Path | bytes, config: Mapping[str, Any]) -> Arrays:
    """Weights of a Keras 3 `model.weights.h5`, named with the model config they were saved with.

    Keras 3 files key each layer by its class name in model.layers order (dense, dense_1, ...),
    so the config says which layer each group belongs to.
    """
    with open_h5(source) as f:
        out: Arrays = {}
        _collect_keras3(_child(f, "layers"), config, "", out)
        return out


def _collect_keras3(
    group: Any, config: Mapping[str, Any], prefix: str, out: Arrays, read: Callable[[Any], Any] = _array
) -> None:
    model_config = config.get("config", config)
    layers = model_config.get("layers", [])
    sequential = config.get("class_name") == "Sequential"
    used: dict[str, int] = {}
    for layer in layers:
        class_name = layer.get("class_name", "")
        if sequential and class_name == "InputLayer":
            continue  # Sequential does not list its input layer in model.layers
        key = _snake(class_name)
        used[key] = used.get(key, -1) + 1
        if used[key]:
            key = f"{key}_{used[key]}"
        name = (layer.get("config") or {}).get("name") or layer.get("name") or key
        if key not in group:
            continue
        sub = _child(group, key)
        if class_name in ("Functional", "Sequential", "Model"):
            _collect_keras3(_child(sub, "layers"), layer, f"{prefix}{name}/", out, read)
            continue
        arrays = list(_group_arrays(sub, read))
        if arrays:
            out[prefix + name] = arrays
