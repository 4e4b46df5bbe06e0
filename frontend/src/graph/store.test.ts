import { describe, expect, it } from "vitest";
import { chainGraph, spec, specs } from "../test/fixtures";
import {
  addNode,
  baseName,
  canRedo,
  canUndo,
  connect,
  connectionProblem,
  copySelection,
  createEditor,
  edgeIds,
  edgePorts,
  moveNodes,
  needsLayout,
  normalizeGraph,
  paste,
  redo,
  removeElements,
  renameNode,
  renameProblem,
  selectAll,
  setParam,
  setPositions,
  undo,
} from "./store";

describe("normalizeGraph", () => {
  it("fills in missing arrays and params", () => {
    const g = normalizeGraph({ nodes: [{ id: "a", type: "Dense" } as never] });
    expect(g).toEqual({ version: 1, nodes: [{ id: "a", type: "Dense", params: {} }], edges: [] });
  });

  it("does not share objects with its input", () => {
    const src = chainGraph();
    const g = normalizeGraph(src);
    g.nodes[0].params.shape = [1];
    expect(src.nodes[0].params.shape).toEqual([32, 32, 3]);
  });
});

describe("ids", () => {
  it("derives snake_case base names from layer types", () => {
    expect(baseName("GlobalAveragePooling2D")).toBe("global_average_pooling2d");
    expect(baseName("Conv2D")).toBe("conv2d");
    expect(baseName("VGG16")).toBe("vgg16");
    expect(baseName("Dense")).toBe("dense");
  });

  it("gives added layers the first free numbered id", () => {
    let s = createEditor(chainGraph());
    s = addNode(s, spec("Dense"), { x: 0, y: 0 });
    s = addNode(s, spec("Dense"), { x: 0, y: 0 });
    expect(s.graph.nodes.map((n) => n.id).slice(-2)).toEqual(["dense_1", "dense_2"]);
  });
});

describe("addNode", () => {
  it("adds a layer with its catalog defaults and selects it", () => {
    const s = addNode(createEditor(chainGraph()), spec("Conv2D"), { x: 10.4, y: 20.6 });
    const node = s.graph.nodes.at(-1)!;
    expect(node).toEqual({
      id: "conv2d_1",
      type: "Conv2D",
      params: { filters: 32, kernel_size: [3, 3], padding: "valid", activation: "linear" },
      position: { x: 10, y: 21 },
    });
    expect(s.selection).toEqual({ nodes: ["conv2d_1"], edges: [] });
    expect(s.revision).toBe(1);
  });

  it("copies defaults so that editing one node leaves the catalog untouched", () => {
    const s = addNode(createEditor(null), spec("Conv2D"), { x: 0, y: 0 });
    (s.graph.nodes[0].params.kernel_size as number[])[0] = 9;
    expect(spec("Conv2D").params[1].default).toEqual([3, 3]);
  });

  it("can connect the new layer after an existing one", () => {
    const s = addNode(createEditor(chainGraph()), spec("Dropout"), { x: 0, y: 0 }, { connectFrom: "fc" });
    expect(s.graph.edges.at(-1)).toEqual({ source: "fc", target: "dropout_1" });
  });

  it("connects into port 0 of a merge layer", () => {
    const s = addNode(createEditor(chainGraph()), spec("Concatenate"), { x: 0, y: 0 }, { connectFrom: "fc" });
    expect(s.graph.edges.at(-1)).toEqual({ source: "fc", target: "concatenate_1", port: 0 });
  });
});

describe("connect", () => {
  const withMerge = () => {
    let s = createEditor(chainGraph());
    s = addNode(s, spec("Concatenate"), { x: 0, y: 0 }, { id: "cat" });
    return s;
  };

  it("adds an edge between two layers", () => {
    let s = createEditor(chainGraph());
    s = addNode(s, spec("Dense"), { x: 0, y: 0 }, { id: "d2" });
    s = connect(s, specs, { source: "fc", target: "d2" });
    expect(s.graph.edges.at(-1)).toEqual({ source: "fc", target: "d2" });
  });

  it("replaces the edge already plugged into a single-input layer", () => {
    let s = createEditor(chainGraph());
    s = connect(s, specs, { source: "in", target: "fc" });
    expect(s.graph.edges).toEqual([
      { source: "in", target: "fl" },
      { source: "in", target: "fc" },
    ]);
  });

  it("records ordered ports on merge layers and keeps other ports", () => {
    let s = withMerge();
    s = connect(s, specs, { source: "fl", target: "cat", port: 0 });
    s = connect(s, specs, { source: "fc", target: "cat", port: 1 });
    expect(s.graph.edges.slice(-2)).toEqual([
      { source: "fl", target: "cat", port: 0 },
      { source: "fc", target: "cat", port: 1 },
    ]);
    s = connect(s, specs, { source: "in", target: "cat", port: 0 });
    expect(s.graph.edges.filter((e) => e.target === "cat")).toEqual([
      { source: "fc", target: "cat", port: 1 },
      { source: "in", target: "cat", port: 0 },
    ]);
  });

  it("allows cycles (validation reports them) but refuses self-loops and inputs into Input", () => {
    const s = createEditor(chainGraph());
    expect(connectionProblem(s.graph, specs, { source: "fc", target: "fl" })).toBeNull();
    expect(connectionProblem(s.graph, specs, { source: "fc", target: "fc" })).toMatch(/itself/);
    expect(connectionProblem(s.graph, specs, { source: "fc", target: "in" })).toMatch(/no inputs/);
    expect(connect(s, specs, { source: "fc", target: "fc" })).toBe(s);
  });

  it("refuses ports beyond what a layer takes", () => {
    const s = withMerge();
    expect(connectionProblem(s.graph, specs, { source: "fc", target: "cat", port: 16 })).toMatch(/at most 16/);
  });
});

describe("edgePorts and edgeIds", () => {
  it("assigns free ports in edge order to edges without one", () => {
    const g = normalizeGraph({
      nodes: [],
      edges: [
        { source: "a", target: "m", port: 0 },
        { source: "b", target: "m" },
        { source: "c", target: "m" },
        { source: "a", target: "x" },
      ],
    });
    expect(edgePorts(g)).toEqual([0, 1, 2, 0]);
  });

  it("keeps ids unique when an edge is repeated", () => {
    expect(
      edgeIds([
        { source: "a", target: "b" },
        { source: "a", target: "b" },
        { source: "a", target: "m", port: 1 },
      ]),
    ).toEqual(["a->b", "a->b~1", "a->m#1"]);
  });
});

describe("removeElements", () => {
  it("removes nodes with their edges as one undo step", () => {
    let s = createEditor(chainGraph());
    s = removeElements(s, ["fl"], []);
    expect(s.graph.nodes.map((n) => n.id)).toEqual(["in", "fc"]);
    expect(s.graph.edges).toEqual([]);
    s = undo(s);
    expect(s.graph).toEqual(chainGraph());
  });

  it("removes edges by id", () => {
    const s = removeElements(createEditor(chainGraph()), [], ["in->fl"]);
    expect(s.graph.edges).toEqual([{ source: "fl", target: "fc" }]);
  });

  it("does nothing when nothing matches", () => {
    const s = createEditor(chainGraph());
    expect(removeElements(s, ["nope"], ["x->y"])).toBe(s);
  });
});

describe("undo and redo", () => {
  it("walks back and forth through edits", () => {
    let s = createEditor(chainGraph());
    expect(canUndo(s)).toBe(false);
    s = setParam(s, "fc", "units", 20);
    s = addNode(s, spec("Dense"), { x: 0, y: 0 });
    s = undo(s);
    expect(s.graph.nodes).toHaveLength(3);
    expect(s.graph.nodes[2].params.units).toBe(20);
    s = undo(s);
    expect(s.graph).toEqual(chainGraph());
    expect(canUndo(s)).toBe(false);
    s = redo(s);
    s = redo(s);
    expect(s.graph.nodes).toHaveLength(4);
    expect(canRedo(s)).toBe(false);
  });

  it("drops the redo future on a new edit", () => {
    let s = setParam(createEditor(chainGraph()), "fc", "units", 20);
    s = undo(s);
    s = setParam(s, "fc", "units", 30);
    expect(canRedo(s)).toBe(false);
  });

  it("joins consecutive edits of one field into one step", () => {
    let s = createEditor(chainGraph());
    s = setParam(s, "fc", "units", 1);
    s = setParam(s, "fc", "units", 12);
    s = setParam(s, "fc", "units", 128);
    expect(s.past).toHaveLength(1);
    s = setParam(s, "fc", "activation", "relu");
    expect(s.past).toHaveLength(2);
    s = undo(undo(s));
    expect(s.graph.nodes[2].params).toEqual({ units: 10, activation: "softmax" });
  });

  it("drops selected ids that no longer exist", () => {
    let s = addNode(createEditor(chainGraph()), spec("Dense"), { x: 0, y: 0 });
    expect(s.selection.nodes).toEqual(["dense_1"]);
    s = undo(s);
    expect(s.selection.nodes).toEqual([]);
  });

  it("bumps the revision on every change of the graph", () => {
    let s = createEditor(chainGraph());
    s = setParam(s, "fc", "units", 1);
    s = undo(s);
    s = redo(s);
    expect(s.revision).toBe(3);
  });
});

describe("moveNodes", () => {
  it("records one undo step per drag, going back to where it started", () => {
    let s = createEditor(chainGraph());
    s = moveNodes(s, { fc: { x: 10, y: 200 } }, true);
    s = moveNodes(s, { fc: { x: 20, y: 210 } }, true);
    expect(s.past).toHaveLength(0);
    s = moveNodes(s, { fc: { x: 30, y: 220 } }, false);
    expect(s.past).toHaveLength(1);
    expect(s.graph.nodes[2].position).toEqual({ x: 30, y: 220 });
    s = undo(s);
    expect(s.graph.nodes[2].position).toEqual({ x: 0, y: 200 });
  });

  it("records nothing for a click without movement", () => {
    const s = createEditor(chainGraph());
    const t = moveNodes(s, { fc: { x: 0, y: 200 } }, false);
    expect(t.past).toHaveLength(0);
  });

  it("lays out all nodes as one step", () => {
    let s = createEditor(chainGraph());
    s = setPositions(s, { in: { x: 1, y: 1 }, fc: { x: 2, y: 2 } });
    expect(s.graph.nodes.map((n) => n.position)).toEqual([{ x: 1, y: 1 }, { x: 0, y: 100 }, { x: 2, y: 2 }]);
    expect(undo(s).graph).toEqual(chainGraph());
  });
});

describe("setParam", () => {
  it("changes one param of one node", () => {
    const s = setParam(createEditor(chainGraph()), "fc", "activation", "relu");
    expect(s.graph.nodes[2].params).toEqual({ units: 10, activation: "relu" });
  });

  it("ignores a value equal to the current one", () => {
    const s = createEditor(chainGraph());
    expect(setParam(s, "fc", "units", 10)).toBe(s);
  });
});

describe("renameNode", () => {
  it("renames a node and its edges", () => {
    let s = createEditor(chainGraph());
    s = { ...s, selection: { nodes: ["fl"], edges: [] } };
    s = renameNode(s, "fl", "flatten");
    expect(s.graph.edges).toEqual([
      { source: "in", target: "flatten" },
      { source: "flatten", target: "fc" },
    ]);
    expect(s.selection.nodes).toEqual(["flatten"]);
  });

  it("refuses names in use and bad names", () => {
    const g = chainGraph();
    expect(renameProblem(g, "fl", "fc")).toMatch(/already/);
    expect(renameProblem(g, "fl", "9 lives")).toMatch(/letters/);
    expect(renameProblem(g, "fl", "fl")).toBeNull();
  });
});

describe("copy and paste", () => {
  it("copies the selected nodes and only the edges between them", () => {
    let s = createEditor(chainGraph());
    s = { ...s, selection: { nodes: ["fl", "fc"], edges: [] } };
    expect(copySelection(s)).toEqual({
      nodes: chainGraph().nodes.slice(1),
      edges: [{ source: "fl", target: "fc" }],
    });
  });

  it("pastes with fresh ids, remapped edges and offset positions, selecting the copy", () => {
    let s = createEditor(chainGraph());
    s = { ...s, selection: { nodes: ["fl", "fc"], edges: [] } };
    const clip = copySelection(s)!;
    s = paste(s, clip);
    expect(s.graph.nodes.slice(3)).toEqual([
      { id: "fl_1", type: "Flatten", params: {}, position: { x: 40, y: 140 } },
      { id: "fc_1", type: "Dense", params: { units: 10, activation: "softmax" }, position: { x: 40, y: 240 } },
    ]);
    expect(s.graph.edges.at(-1)).toEqual({ source: "fl_1", target: "fc_1" });
    expect(s.selection.nodes).toEqual(["fl_1", "fc_1"]);
    s = paste(s, clip);
    expect(s.graph.nodes.slice(5).map((n) => n.id)).toEqual(["fl_2", "fc_2"]);
  });

  it("keeps pasted params independent of the clipboard", () => {
    let s = createEditor(chainGraph());
    s = { ...s, selection: { nodes: ["in"], edges: [] } };
    const clip = copySelection(s)!;
    s = paste(s, clip);
    (s.graph.nodes[3].params.shape as number[])[0] = 1;
    expect(clip.nodes[0].params.shape).toEqual([32, 32, 3]);
  });

  it("copies nothing without a selection", () => {
    expect(copySelection(createEditor(chainGraph()))).toBeNull();
  });
});

describe("selection", () => {
  it("selects every node and edge", () => {
    const s = selectAll(createEditor(chainGraph()));
    expect(s.selection).toEqual({ nodes: ["in", "fl", "fc"], edges: ["in->fl", "fl->fc"] });
  });
});

describe("needsLayout", () => {
  it("is true when a node has no position", () => {
    expect(needsLayout(chainGraph())).toBe(false);
    expect(needsLayout(normalizeGraph({ nodes: [{ id: "a", type: "Dense", params: {} }], edges: [] }))).toBe(true);
  });
});
