"""Validating a 1,000-node graph vs building the same Keras model: prints both times and the ratio.

The graph is a long chain of blocks with branches (Dense / Add / Concatenate). validate() must stay
at least 10x faster than building the model, so the canvas can check every edit. Not a test:
run `python bench/bench_validate.py [nodes]`.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from studio.graphs import compile_graph, validate  # noqa: E402


def branchy_graph(nodes: int = 1000, width: int = 32) -> dict[str, Any]:
    """Input, then blocks of 5 (two Dense branches, Add, Concatenate with the block input, Dense)."""
    graph_nodes = [{"id": "in", "type": "Input", "params": {"shape": [width]}}]
    edges: list[dict[str, Any]] = []
    x = "in"
    for block in range((nodes - 1) // 5):
        a, b, s, c, d = (f"b{block}_{k}" for k in ("left", "right", "sum", "join", "out"))
        graph_nodes += [
            {"id": a, "type": "Dense", "params": {"units": width, "activation": "relu"}},
            {"id": b, "type": "Dense", "params": {"units": width}},
            {"id": s, "type": "Add", "params": {}},
            {"id": c, "type": "Concatenate", "params": {}},
            {"id": d, "type": "Dense", "params": {"units": width}},
        ]
        edges += [
            {"source": x, "target": a},
            {"source": x, "target": b},
            {"source": a, "target": s, "port": 0},
            {"source": b, "target": s, "port": 1},
            {"source": s, "target": c, "port": 0},
            {"source": x, "target": c, "port": 1},
            {"source": c, "target": d},
        ]
        x = d
    for extra in range(nodes - len(graph_nodes)):  # a short tail to reach the exact size
        graph_nodes.append({"id": f"tail{extra}", "type": "Dense", "params": {"units": width}})
        edges.append({"source": x, "target": f"tail{extra}"})
        x = f"tail{extra}"
    return {"version": 1, "name": "bench", "nodes": graph_nodes, "edges": edges}


def timed(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    graph = branchy_graph(size)
    report = validate(graph)
    assert report.valid, report.errors[:3]
    validate_s = timed(lambda: validate(graph), repeat=20)
    import keras  # noqa: F401  (import time is not building time)

    compile_graph(graph)  # warm-up: first use of each layer class
    build_s = timed(lambda: compile_graph(graph), repeat=3)
    print(f"graph: {len(graph['nodes'])} nodes, {len(graph['edges'])} edges, {report.params_total:,} parameters")
    print(f"validate (shapes + parameter counts): {validate_s * 1000:8.1f} ms")
    print(f"build the Keras model (compile_graph): {build_s * 1000:8.1f} ms")
    print(f"ratio build / validate: {build_s / validate_s:.0f}x (must be >= 10x)")


if __name__ == "__main__":
    main()
