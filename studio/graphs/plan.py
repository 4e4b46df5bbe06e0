"""The build plan shared by compile_graph and to_python: node order, Keras names, inputs, steps.

Both consumers walk the same plan, so the exported script names and wires every layer exactly
as the compiled model does.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import GraphError
from .spec import Step
from .validate import analyze

_KERAS_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_RESERVED_VARS = {"keras", "layers", "build_model", "model", "layer", "inputs", "outputs"}


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    name: str  # the Keras layer (or sub-model) name


@dataclass(frozen=True)
class PlannedNode:
    id: str
    type: str
    inputs: tuple[str, ...]  # source node ids, in port order
    multi_input: bool  # the layer takes a list of tensors
    steps: tuple[PlannedStep, ...]


@dataclass(frozen=True)
class Plan:
    name: str
    nodes: tuple[PlannedNode, ...]  # topological order
    inputs: tuple[str, ...]  # Input node ids, document order
    outputs: tuple[str, ...]  # output node ids, document order


def unique_name(base: str, taken: set[str]) -> str:
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def sanitize_keras_name(text: str) -> str:
    """A deterministic valid Keras/TensorFlow scope name for any text."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", text)[:100]
    return name if _KERAS_NAME.fullmatch(name) else ("n" + name)[:100]


def keras_names(ids: Iterable[str], taken: set[str]) -> dict[str, str]:
    """Ids valid as Keras names keep themselves; the rest are sanitized and made unique."""
    ids = list(ids)
    names = {i: i for i in ids if _KERAS_NAME.fullmatch(i)}
    taken |= set(names.values())
    for i in ids:
        if i not in names:
            names[i] = unique_name(sanitize_keras_name(i), taken)
    return names


def python_names(ids: Iterable[str]) -> dict[str, str]:
    """A distinct Python identifier per node id, for the exported script."""
    taken: set[str] = set()
    out = {}
    for i in ids:
        name = re.sub(r"[^0-9A-Za-z_]", "_", i)
        if not name or name[0].isdigit():
            name = "n_" + name
        if keyword.iskeyword(name) or name in _RESERVED_VARS:
            name += "_"
        out[i] = unique_name(name, taken)
    return out


def build_plan(graph: Any) -> Plan:
    """The validated graph as an ordered build plan; raises GraphError when it is invalid."""
    analysis = analyze(graph)
    if not analysis.report.valid:
        raise GraphError(analysis.report.errors)
    nodes = analysis.nodes
    taken: set[str] = set()
    names = keras_names(nodes, taken)
    planned = []
    for node_id in analysis.order:
        node = nodes[node_id]
        spec, params = node.spec, node.params
        assert spec is not None and params is not None  # guaranteed by a valid report
        in_shapes = [nodes[s].shape for s in node.inputs]
        steps = spec.build_steps(params, in_shapes)  # type: ignore[arg-type]
        named = tuple(
            PlannedStep(s, unique_name(f"{names[node_id]}_{s.suffix}", taken) if s.suffix else names[node_id])
            for s in steps
        )
        planned.append(PlannedNode(node_id, spec.type, tuple(node.inputs), spec.inputs.max > 1, named))
    title = graph.get("name") if isinstance(graph.get("name"), str) and graph.get("name") else "model"
    model_name = unique_name(sanitize_keras_name(title), taken)
    return Plan(model_name, tuple(planned), tuple(analysis.inputs), tuple(analysis.outputs))
