import { describe, expect, it } from "vitest";
import type { Report } from "../api/types";
import { chainGraph, spec, specs } from "../test/fixtures";
import { nodePorts, portFromHandle, toFlowEdges, toFlowNodes } from "./flow";
import { indexReport, issueTarget } from "./report";
import { normalizeGraph } from "./store";

const report: Report = {
  valid: false,
  errors: [
    { code: "cycle", message: "The graph has a cycle through fc.", node: "fc", edge: null, param: null },
    { code: "param_range", message: "units must be at least 1.", node: "fc", edge: null, param: "units" },
    { code: "shape_mismatch", message: "Flatten gets a bad shape.", node: null, edge: 0, param: null },
    { code: "no_output", message: "The graph has no output.", node: null, edge: null, param: null },
    { code: "stale", message: "Refers to a node that is gone.", node: "gone", edge: null, param: null },
  ],
  warnings: [{ code: "big", message: "Large layer.", node: "fc" }],
  shapes: { in: [null, 32, 32, 3], fl: [null, 3072] },
  node_params: { fc: { total: 30730, trainable: 30730 } },
  params_total: 30730,
  params_trainable: 30730,
};

describe("indexReport", () => {
  const idx = indexReport(report, chainGraph());
  it("files errors under their node, edge and param", () => {
    expect(idx.nodeErrors.get("fc")!.map((e) => e.code)).toEqual(["cycle", "param_range"]);
    expect(idx.paramErrors.get("fc")!.get("units")).toBe("units must be at least 1.");
    expect(idx.edgeErrors.get("in->fl")!.map((e) => e.code)).toEqual(["shape_mismatch"]);
    expect(idx.nodeWarnings.get("fc")!.map((e) => e.code)).toEqual(["big"]);
  });
  it("keeps errors that point nowhere (or at vanished nodes) as general", () => {
    expect(idx.general.map((e) => e.code)).toEqual(["no_output", "stale"]);
  });
  it("finds the node to centre for an issue", () => {
    expect(issueTarget(report.errors[0], chainGraph())).toBe("fc");
    expect(issueTarget(report.errors[2], chainGraph())).toBe("fl");
    expect(issueTarget(report.errors[3], chainGraph())).toBeNull();
  });
  it("is empty without a report", () => {
    expect(indexReport(null, chainGraph()).general).toEqual([]);
  });
});

describe("toFlowNodes", () => {
  it("turns graph nodes into layer cards with shape, summary, errors and selection", () => {
    const idx = indexReport(report, chainGraph());
    const nodes = toFlowNodes(chainGraph(), specs, idx, { nodes: ["fc"], edges: [] });
    expect(nodes.map((n) => [n.id, n.type, n.selected, n.className])).toEqual([
      ["in", "layer", false, undefined],
      ["fl", "layer", false, undefined],
      ["fc", "layer", true, "has-error"],
    ]);
    expect(nodes[0].data.shape).toBe("(None, 32, 32, 3)");
    expect(nodes[0].data.ports).toEqual([]);
    expect(nodes[2].data.summary).toEqual(["units 10", "softmax"]);
    expect(nodes[2].data.params).toEqual({ total: 30730, trainable: 30730 });
    expect(nodes[2].data.errors).toHaveLength(2);
    expect(nodes[2].position).toEqual({ x: 0, y: 200 });
  });

  it("counts trainable layers of pre-trained nodes", () => {
    const g = normalizeGraph({ nodes: [{ id: "v", type: "VGG16", params: { trainable_layers: ["block5_conv1", "block5_conv2"] } }] });
    const [n] = toFlowNodes(g, specs, indexReport(null, g), { nodes: [], edges: [] });
    expect(n.data.pretrained).toEqual({ trainable: 2, total: 18 });
  });
});

describe("node data cache", () => {
  it("reuses a card's data while nothing it shows has changed", () => {
    const g = chainGraph();
    const idx = indexReport(report, g);
    const cache = new Map();
    const first = toFlowNodes(g, specs, idx, { nodes: [], edges: [] }, cache);
    const moved = { ...g, nodes: g.nodes.map((n) => (n.id === "fc" ? { ...n, position: { x: 9, y: 9 } } : n)) };
    const second = toFlowNodes(moved, specs, idx, { nodes: ["in"], edges: [] }, cache);
    expect(second[0].data).toBe(first[0].data);
    expect(second[1].data).toBe(first[1].data);
    expect(second[2].data).not.toBe(first[2].data);
    expect(second[2].position).toEqual({ x: 9, y: 9 });
    const third = toFlowNodes(g, specs, indexReport(report, g), { nodes: [], edges: [] }, cache);
    expect(third[0].data).not.toBe(first[0].data);
  });

  it("forgets removed nodes", () => {
    const cache = new Map();
    const g = chainGraph();
    toFlowNodes(g, specs, indexReport(null, g), { nodes: [], edges: [] }, cache);
    toFlowNodes({ ...g, nodes: g.nodes.slice(0, 1) }, specs, indexReport(null, g), { nodes: [], edges: [] }, cache);
    expect([...cache.keys()]).toEqual(["in"]);
  });
});

describe("ports", () => {
  it("shows one input for single-input layers and none for Input", () => {
    expect(nodePorts({ id: "d", type: "Dense", params: {} }, spec("Dense"), []).map((p) => p.id)).toEqual(["in-0"]);
    expect(nodePorts({ id: "i", type: "Input", params: {} }, spec("Input"), [])).toEqual([]);
  });
  it("shows merge layers' used ports plus one free port, at least the minimum", () => {
    const cat = spec("Concatenate");
    const n = { id: "c", type: "Concatenate", params: {} };
    expect(nodePorts(n, cat, []).map((p) => p.label)).toEqual(["1", "2"]);
    expect(nodePorts(n, cat, [0, 1]).map((p) => p.label)).toEqual(["1", "2", "3"]);
    expect(nodePorts(n, cat, [0, 1]).map((p) => p.connected)).toEqual([true, true, false]);
  });
  it("names ports where the layer names them and stops at the maximum", () => {
    const n = { id: "s", type: "Subtract", params: {} };
    expect(nodePorts(n, spec("Subtract"), [0, 1]).map((p) => p.label)).toEqual(["minuend", "subtrahend"]);
  });
  it("reads the port back from a handle id", () => {
    expect(portFromHandle("in-3")).toBe(3);
    expect(portFromHandle(null)).toBe(0);
  });
});

describe("toFlowEdges", () => {
  it("connects output handles to the right input port and marks edges with errors", () => {
    const g = normalizeGraph({
      nodes: [],
      edges: [
        { source: "a", target: "m", port: 1 },
        { source: "b", target: "m", port: 0 },
      ],
    });
    const r: Report = { ...report, errors: [{ code: "x", message: "bad edge", node: null, edge: 1, param: null }] };
    const edges = toFlowEdges(g, indexReport(r, g), { nodes: [], edges: ["a->m#1"] });
    expect(edges.map((e) => [e.id, e.sourceHandle, e.targetHandle, e.selected, e.className])).toEqual([
      ["a->m#1", "out", "in-1", true, undefined],
      ["b->m#0", "out", "in-0", false, "edge-error"],
    ]);
    expect(edges[1].label).toBe("⚠ bad edge");
  });
});
