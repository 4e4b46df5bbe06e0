"""Canvas positions for graphs that arrive without them (imports): layers by depth, left to right."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import networkx as nx

X_STEP, Y_STEP, MARGIN = 220, 100, 40


def layered_positions(nodes: Sequence[str], edges: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """{node: {"x", "y"}}: y grows with the longest path from an input, x spreads each row."""
    g = nx.DiGraph()
    g.add_nodes_from(nodes)
    g.add_edges_from((a, b) for a, b in edges if a in g and b in g)
    depth: dict[str, int] = dict.fromkeys(nodes, 0)
    if nx.is_directed_acyclic_graph(g):  # otherwise validation reports the cycle; keep one row
        for node in nx.topological_sort(g):
            depth[node] = max((depth[p] + 1 for p in g.predecessors(node)), default=0)
    column: dict[int, int] = {}
    out = {}
    for node in nodes:
        row = depth[node]
        col = column.get(row, 0)
        column[row] = col + 1
        out[node] = {"x": MARGIN + X_STEP * col, "y": MARGIN + Y_STEP * row}
    return out
