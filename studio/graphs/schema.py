"""Reads the graph document's structure (version, nodes, edges) without trusting any of it.

Everything that is not the expected JSON shape becomes an error pointing at the node or edge;
what is well formed is returned for the later checks, so one bad node does not hide the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import errors
from .errors import issue
from .limits import MAX_EDGES, MAX_ID_LENGTH, MAX_NODES

GRAPH_VERSION = 1


@dataclass(frozen=True)
class RawNode:
    index: int
    id: str
    type: str | None  # None when the node's type field is unusable (already reported)
    params: dict[str, Any]


@dataclass(frozen=True)
class RawEdge:
    index: int
    source: str
    target: str
    port: int | None


@dataclass
class Document:
    nodes: dict[str, RawNode]  # in document order
    edges: list[RawEdge]
    errors: list[dict[str, Any]]
    refused: bool = False  # too large to look at: no further checks


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_document(graph: Any) -> Document:
    doc = Document({}, [], [])
    if not isinstance(graph, dict):
        doc.errors.append(issue(errors.SCHEMA, f"a graph must be a JSON object, got {type(graph).__name__}"))
        return doc
    version = graph.get("version")
    if not _is_int(version) or version != GRAPH_VERSION:
        doc.errors.append(issue(errors.BAD_VERSION, f"version must be {GRAPH_VERSION}, got {_short(version)}"))
    if "name" in graph and graph["name"] is not None and not isinstance(graph["name"], str):
        doc.errors.append(issue(errors.SCHEMA, "name must be a string"))
    nodes, edges = graph.get("nodes"), graph.get("edges", [])
    if not isinstance(nodes, list):
        doc.errors.append(issue(errors.SCHEMA, "nodes must be a list"))
        nodes = []
    if not isinstance(edges, list):
        doc.errors.append(issue(errors.SCHEMA, "edges must be a list"))
        edges = []
    # Over-long lists are refused before any per-item work, so junk cannot cost time.
    for items, limit, what in ((nodes, MAX_NODES, "nodes"), (edges, MAX_EDGES, "edges")):
        if len(items) > limit:
            message = f"{len(items)} {what} is above the limit max_{what} = {limit}"
            doc.errors.append(issue(errors.LIMIT_EXCEEDED, message))
            doc.refused = True
            return doc
    for index, node in enumerate(nodes):
        _parse_node(doc, index, node)
    for index, edge in enumerate(edges):
        _parse_edge(doc, index, edge)
    return doc


def _parse_node(doc: Document, index: int, node: Any) -> None:
    where = f"nodes[{index}]"
    if not isinstance(node, dict):
        doc.errors.append(issue(errors.SCHEMA, f"{where} must be an object"))
        return
    node_id = node.get("id")
    if not isinstance(node_id, str) or not node_id:
        doc.errors.append(issue(errors.SCHEMA, f"{where} needs an id (a non-empty string), got {_short(node_id)}"))
        return
    if len(node_id) > MAX_ID_LENGTH:
        doc.errors.append(
            issue(errors.LIMIT_EXCEEDED, f"{where}: id is longer than max_id_length = {MAX_ID_LENGTH} characters")
        )
        return
    if node_id in doc.nodes:
        doc.errors.append(issue(errors.DUPLICATE_ID, f"{where}: id {node_id!r} is used twice", node=node_id))
        return
    node_type = node.get("type")
    if not isinstance(node_type, str):
        doc.errors.append(issue(errors.SCHEMA, f"type must be a string, got {_short(node_type)}", node=node_id))
        node_type = None
    params = node.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        doc.errors.append(issue(errors.SCHEMA, "params must be an object", node=node_id))
        params, node_type = {}, None
    doc.nodes[node_id] = RawNode(index, node_id, node_type, params)


def _parse_edge(doc: Document, index: int, edge: Any) -> None:
    if not isinstance(edge, dict):
        doc.errors.append(issue(errors.SCHEMA, f"edges[{index}] must be an object", edge=index))
        return
    ends = []
    for key in ("source", "target"):
        value = edge.get(key)
        if not isinstance(value, str):
            doc.errors.append(issue(errors.SCHEMA, f"edges[{index}].{key} must be a node id", edge=index))
            return
        if value not in doc.nodes:
            doc.errors.append(
                issue(errors.UNKNOWN_NODE, f"edges[{index}].{key} names no node: {_short(value)}", edge=index)
            )
            return
        ends.append(value)
    port = edge.get("port")
    if port is not None and (not _is_int(port) or port < 0):
        doc.errors.append(
            issue(errors.BAD_PORT, f"edges[{index}].port must be a whole number from 0, got {_short(port)}",
                  node=ends[1], edge=index)
        )  # fmt: skip
        return
    doc.edges.append(RawEdge(index, ends[0], ends[1], port))
