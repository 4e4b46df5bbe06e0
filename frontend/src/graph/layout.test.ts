import { describe, expect, it } from "vitest";
import { chainGraph } from "../test/fixtures";
import { layoutGraph, overlapping } from "./layout";
import { normalizeGraph } from "./store";

describe("layoutGraph", () => {
  it("places a chain top to bottom in data order", () => {
    const p = layoutGraph(chainGraph());
    expect(p.in.y).toBeLessThan(p.fl.y);
    expect(p.fl.y).toBeLessThan(p.fc.y);
    expect(p.in.x).toBe(p.fc.x);
  });

  it("puts the branches of a merge side by side without overlap", () => {
    const g = normalizeGraph({
      nodes: ["in", "a", "b", "m"].map((id) => ({ id, type: "Dense", params: {} })),
      edges: [
        { source: "in", target: "a" },
        { source: "in", target: "b" },
        { source: "a", target: "m", port: 0 },
        { source: "b", target: "m", port: 1 },
      ],
    });
    const p = layoutGraph(g);
    expect(p.a.y).toBe(p.b.y);
    expect(Math.abs(p.a.x - p.b.x)).toBeGreaterThanOrEqual(240);
  });

  it("copes with cycles and unknown edge ends", () => {
    const g = chainGraph();
    g.edges.push({ source: "fc", target: "fl" }, { source: "fc", target: "ghost" });
    expect(Object.keys(layoutGraph(g))).toEqual(["in", "fl", "fc"]);
  });
});

describe("overlapping", () => {
  it("sees cards that overlap or nearly touch", () => {
    const g = chainGraph(); // cards 100 px apart vertically
    expect(overlapping(g, {})).toBe(true);
    expect(overlapping(g, { in: { width: 240, height: 60 }, fl: { width: 240, height: 60 }, fc: { width: 240, height: 60 } })).toBe(false);
  });

  it("finds no overlap after a layout", () => {
    const g = chainGraph();
    const p = layoutGraph(g);
    g.nodes.forEach((n) => (n.position = p[n.id]));
    expect(overlapping(g, {})).toBe(false);
  });
});
