"""Helpers for driving the model canvas in browser tests."""

EMPTY = {"version": 1, "nodes": [], "edges": []}


def node(page, node_id: str):
    return page.locator(f'.react-flow__node[data-id="{node_id}"]')


def connect(page, source: str, target: str, port: int = 0):
    """Drag from a node's output handle to another node's input handle."""
    src = node(page, source).locator(".react-flow__handle.source").bounding_box()
    dst = node(page, target).locator(f'.react-flow__handle.target[data-handleid="in-{port}"]').bounding_box()
    page.mouse.move(src["x"] + src["width"] / 2, src["y"] + src["height"] / 2)
    page.mouse.down()
    page.mouse.move(dst["x"] + dst["width"] / 2, dst["y"] + dst["height"] / 2, steps=12)
    page.mouse.up()


def chain(*layers):
    """A graph whose layers follow each other, 160 px apart."""
    nodes = [
        {"id": node_id, "type": layer_type, "params": params, "position": {"x": 60, "y": 40 + 160 * i}}
        for i, (node_id, layer_type, params) in enumerate(layers)
    ]
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:], strict=False)]
    return {"version": 1, "nodes": nodes, "edges": edges}
