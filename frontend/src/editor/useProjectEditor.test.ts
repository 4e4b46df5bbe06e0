import { describe, expect, it } from "vitest";
import { chainGraph } from "../test/fixtures";
import { structureKey } from "./useProjectEditor";

describe("structureKey", () => {
  it("ignores where layers sit on the canvas", () => {
    const moved = chainGraph();
    moved.nodes[0].position = { x: 500, y: 500 };
    expect(structureKey(moved)).toBe(structureKey(chainGraph()));
  });

  it("changes with params, types, ids and edges", () => {
    const base = structureKey(chainGraph());
    const params = chainGraph();
    params.nodes[2].params.units = 11;
    const edges = chainGraph();
    edges.edges.pop();
    const ids = chainGraph();
    ids.nodes[1].id = "flat";
    expect(new Set([base, structureKey(params), structureKey(edges), structureKey(ids)]).size).toBe(4);
  });
});
