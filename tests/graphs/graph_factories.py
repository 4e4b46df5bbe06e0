"""Small builders for graph documents used across the studio.graphs tests."""

from __future__ import annotations

import itertools
from typing import Any


def node(node_id: str, type_: str, **params: Any) -> dict[str, Any]:
    return {"id": node_id, "type": type_, "params": params}


def graph(nodes: list[dict[str, Any]], edges: list[dict[str, Any]], name: str = "test") -> dict[str, Any]:
    return {"version": 1, "name": name, "nodes": nodes, "edges": edges}


def edge(source: str, target: str, port: int | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"source": source, "target": target}
    if port is not None:
        out["port"] = port
    return out


def chain(*nodes: dict[str, Any], name: str = "test") -> dict[str, Any]:
    """Nodes wired one after the other."""
    edges = [edge(a["id"], b["id"]) for a, b in itertools.pairwise(nodes)]
    return graph(list(nodes), edges, name)


def single_layer(type_: str, params: dict[str, Any], input_shapes: list[list[int | None]]) -> dict[str, Any]:
    """Input node(s) `in0`, `in1`, ... feeding one layer `x` (ports in order when several)."""
    if type_ == "Input":
        return chain(node("x", "Input", **params), node("out", "Dropout", rate=0.0))
    inputs = [node(f"in{i}", "Input", shape=shape) for i, shape in enumerate(input_shapes)]
    many = len(inputs) > 1
    edges = [edge(n["id"], "x", i if many else None) for i, n in enumerate(inputs)]
    return graph([*inputs, node("x", type_, **params)], edges)


def small_cnn(name: str = "cnn") -> dict[str, Any]:
    """A branchy image model touching merges, ports, normalization and pooling."""
    nodes = [
        node("image", "Input", shape=[16, 16, 3]),
        node("conv", "Conv2D", filters=8, kernel_size=3, padding="same", activation="relu"),
        node("bn", "BatchNormalization"),
        node("left", "Conv2D", filters=8, kernel_size=1),
        node("right", "SeparableConv2D", filters=8, kernel_size=3, padding="same"),
        node("sum", "Add"),
        node("pool", "MaxPooling2D"),
        node("flat", "GlobalAveragePooling2D"),
        node("side", "Flatten"),
        node("join", "Concatenate"),
        node("out", "Dense", units=4, activation="softmax"),
    ]
    edges = [
        edge("image", "conv"), edge("conv", "bn"), edge("bn", "left"), edge("bn", "right"),
        edge("left", "sum", 0), edge("right", "sum", 1), edge("sum", "pool"), edge("pool", "flat"),
        edge("pool", "side"), edge("flat", "join", 1), edge("side", "join", 0), edge("join", "out"),
    ]  # fmt: skip
    return graph(nodes, edges, name)
