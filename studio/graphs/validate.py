"""validate(graph) -> Report: every check a graph must pass before it is built, and what it infers.

The pipeline: document structure (schema.py), each node's type and params, topology with networkx
(cycles, connectivity, inputs/outputs, arity and ports), then shapes and parameter counts in
topological order. Each stage reports what it can and lets the next go on with what is sound, so a
mistake in one branch still leaves shapes for the rest. Nothing here imports Keras.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from . import errors
from .backbones import find_weights
from .errors import issue
from .limits import MAX_PARAMS_TOTAL, MAX_TENSOR_ELEMENTS
from .params import ParamError
from .registry import REGISTRY
from .schema import Document, RawEdge, RawNode, parse_document
from .shapes import Shape, ShapeError, elements
from .spec import LayerSpec

logger = logging.getLogger(__name__)


@dataclass
class Report:
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    shapes: dict[str, list[int | None]] = field(default_factory=dict)
    node_params: dict[str, dict[str, int]] = field(default_factory=dict)
    inner: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def params_total(self) -> int:
        """Sum over the nodes whose counts could be inferred (all of them in a valid graph)."""
        return sum(c["total"] for c in self.node_params.values())

    @property
    def params_trainable(self) -> int:
        return sum(c["trainable"] for c in self.node_params.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "errors": self.errors,
            "warnings": self.warnings,
            "shapes": self.shapes,
            "node_params": self.node_params,
            "params_total": self.params_total,
            "params_trainable": self.params_trainable,
            "inner": self.inner,
        }


@dataclass
class Node:
    """A node that passed the document checks, with what later stages learned about it."""

    raw: RawNode
    spec: LayerSpec | None = None
    params: dict[str, Any] | None = None  # parsed, defaults filled; None when any param is wrong
    inputs: list[str] = field(default_factory=list)  # source ids in port order
    wired: bool = True  # arity and ports are right
    shape: Shape | None = None


@dataclass
class Analysis:
    report: Report
    nodes: dict[str, Node]  # document order
    order: list[str]  # topological order (every node when the graph is valid)
    inputs: list[str]
    outputs: list[str]


def validate(graph: Any) -> Report:
    """Check a graph document; never raises, whatever it is given."""
    return analyze(graph).report


def analyze(graph: Any) -> Analysis:
    try:
        return _analyze(graph)
    except Exception:  # a bug here must not turn a user's graph into a 500
        logger.exception("validate failed on a graph")
        report = Report(errors=[issue(errors.INTERNAL_ERROR, "the graph could not be checked (internal error)")])
        return Analysis(report, {}, [], [], [])


def _analyze(graph: Any) -> Analysis:
    doc = parse_document(graph)
    report = Report(errors=list(doc.errors))
    if doc.refused:
        return Analysis(report, {}, [], [], [])
    nodes = {node_id: Node(raw) for node_id, raw in doc.nodes.items()}
    for node in nodes.values():
        _check_node(node, report)
    graph_nx, cyclic = _check_topology(doc, nodes, report)
    acyclic = graph_nx.subgraph(set(nodes) - cyclic) if cyclic else graph_nx
    order = list(nx.topological_sort(acyclic))
    _infer(nodes, order, report)
    inputs = [n for n, node in nodes.items() if node.raw.type == "Input"]
    outputs = [n for n in nodes if graph_nx.out_degree(n) == 0 and nodes[n].raw.type != "Input"]
    return Analysis(report, nodes, order, inputs, outputs)


# Nodes ------------------------------------------------------------------------------------------


def _check_node(node: Node, report: Report) -> None:
    raw = node.raw
    if raw.type is None:
        return
    spec = REGISTRY.get(raw.type)
    if spec is None:
        report.errors.append(issue(errors.UNKNOWN_TYPE, f"unknown layer type {raw.type[:60]!r}", node=raw.id))
        return
    node.spec = spec
    node.params = parse_params(spec, raw.params, raw.id, report.errors)


def parse_params(
    spec: LayerSpec, given: Mapping[str, Any], node_id: str | None, sink: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The node's params parsed and completed with defaults; errors go to `sink` (None if any)."""
    known = spec.param_map
    ok = True
    for name in given:
        if name not in known:
            sink.append(issue(errors.UNKNOWN_PARAM, f"{spec.type} has no parameter {str(name)[:60]!r}",
                              node=node_id, param=str(name)[:100]))  # fmt: skip
            ok = False
    parsed: dict[str, Any] = {}
    for name, param in known.items():
        if name not in given:
            if param.required:
                sink.append(issue(errors.MISSING_PARAM, f"{spec.type} needs {name}", node=node_id, param=name))
                ok = False
                continue
            value = param.default
        else:
            value = given[name]
        try:
            parsed[name] = param.parse(value)
        except ParamError as exc:
            sink.append(issue(exc.code, exc.message, node=node_id, param=name))
            ok = False
    if not ok:
        return None
    for name, message in spec.check(parsed) if spec.check else []:
        sink.append(issue(errors.INVALID_PARAM, message, node=node_id, param=name))
        ok = False
    return parsed if ok else None


# Topology ---------------------------------------------------------------------------------------


def _check_topology(doc: Document, nodes: dict[str, Node], report: Report) -> tuple[nx.DiGraph, set[str]]:
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    incoming: dict[str, list[RawEdge]] = {n: [] for n in nodes}
    for edge in doc.edges:
        g.add_edge(edge.source, edge.target)
        incoming[edge.target].append(edge)

    cyclic: set[str] = set()
    if not nx.is_directed_acyclic_graph(g):
        for component in nx.strongly_connected_components(g):
            first = min(component, key=lambda n: nodes[n].raw.index)
            if len(component) > 1 or g.has_edge(first, first):
                cyclic |= component
                members = sorted(component, key=lambda n: nodes[n].raw.index)
                shown = " -> ".join(members[:5]) + (" ..." if len(members) > 5 else "")
                report.errors.append(issue(errors.CYCLE, f"part of a cycle ({shown})", node=first))

    if len(nodes) > 1:
        components = sorted(
            (sorted(c, key=lambda n: nodes[n].raw.index) for c in nx.weakly_connected_components(g)),
            key=lambda c: (-len(c), nodes[c[0]].raw.index),
        )
        for component in components[1:]:
            size = f"these {len(component)} nodes are" if len(component) > 1 else "this node is"
            report.errors.append(
                issue(errors.DISCONNECTED, f"{size} not connected to the rest of the graph", node=component[0])
            )

    kinds = [node.raw.type for node in nodes.values()]
    if "Input" not in kinds:
        report.errors.append(issue(errors.NO_INPUT, "the graph needs an Input node"))
    if not any(g.out_degree(n) == 0 and nodes[n].raw.type != "Input" for n in nodes):
        report.errors.append(issue(errors.NO_OUTPUT, "the graph needs an output: a layer no edge leaves"))

    for node_id, node in nodes.items():
        _wire(node, incoming[node_id], report)
    return g, cyclic


def _wire(node: Node, edges: list[RawEdge], report: Report) -> None:
    """Check the node's input count and ports, and record its inputs in port order."""
    node_id, spec = node.raw.id, node.spec
    if node.raw.type == "Input" and edges:
        report.errors.append(issue(errors.INPUT_HAS_INCOMING, "an Input node cannot have incoming edges",
                                   node=node_id, edge=edges[0].index))  # fmt: skip
        node.wired = False
        return
    if spec is None:
        node.wired = False
        return
    arity = spec.inputs
    if not arity.min <= len(edges) <= arity.max:
        need = str(arity.min) if arity.min == arity.max else f"{arity.min} to {arity.max}"
        report.errors.append(
            issue(errors.ARITY, f"{spec.type} takes {need} input(s), it has {len(edges)}", node=node_id)
        )
        node.wired = False
        return
    ports = [e.port for e in edges]
    if all(p is None for p in ports) or (len(edges) == 1 and ports == [0]):
        node.inputs = [e.source for e in edges]
        return
    seen: set[int] = set()
    bad = None
    for e in edges:
        if e.port is None or e.port >= len(edges) or e.port in seen:
            bad = e
            break
        seen.add(e.port)
    if bad is not None:
        report.errors.append(
            issue(errors.BAD_PORT, f"give each of the {len(edges)} inputs of {spec.type} its own port "
                  f"0..{len(edges) - 1} (or none of them)", node=node_id, edge=bad.index)
        )  # fmt: skip
        node.wired = False
        return
    node.inputs = [e.source for e in sorted(edges, key=lambda e: e.port)]  # type: ignore[arg-type, return-value]


# Shapes and parameter counts --------------------------------------------------------------------


def _infer(nodes: dict[str, Node], order: list[str], report: Report) -> None:
    for node_id in order:
        node = nodes[node_id]
        if node.spec is None or node.params is None or not node.wired:
            continue
        in_shapes = [nodes[s].shape for s in node.inputs]
        if any(s is None for s in in_shapes):
            continue  # an upstream node could not be inferred; its error is already reported
        try:
            shape = node.spec.shape(in_shapes, node.params)  # type: ignore[arg-type]
            total, fixed = node.spec.weights(in_shapes, node.params)  # type: ignore[arg-type]
            inner = node.spec.inner(node.params, in_shapes) if node.spec.inner else None  # type: ignore[arg-type]
        except ShapeError as exc:
            report.errors.append(issue(errors.SHAPE_MISMATCH, exc.message, node=node_id, param=exc.param))
            continue
        size = elements(shape)
        if size is not None and size > MAX_TENSOR_ELEMENTS:
            message = f"the output has {size:,} values per sample, above max_tensor_elements = {MAX_TENSOR_ELEMENTS:,}"
            report.errors.append(issue(errors.LIMIT_EXCEEDED, message, node=node_id))
        node.shape = shape
        report.shapes[node_id] = list(shape)
        trainable = 0 if node.params.get("trainable") is False else total - fixed
        report.node_params[node_id] = {"total": total, "trainable": trainable}
        if inner is not None:
            report.inner[node_id] = inner
        backbone = node.spec.backbone
        if backbone and node.params["weights"] == "imagenet" and find_weights(backbone) is None:
            message = f"{backbone.weights_file} is not on this machine yet; building this model fails until it is"
            report.warnings.append(issue(errors.WEIGHTS_UNAVAILABLE, message, node=node_id, param="weights"))
    if report.params_total > MAX_PARAMS_TOTAL:
        report.errors.append(issue(errors.LIMIT_EXCEEDED, f"{report.params_total:,} parameters is above the limit "
                                   f"max_params_total = {MAX_PARAMS_TOTAL:,}"))  # fmt: skip
