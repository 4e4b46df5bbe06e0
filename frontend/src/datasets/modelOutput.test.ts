import { describe, expect, it } from "vitest";
import type { Graph, Report } from "../api/types";
import { chainGraph } from "../test/fixtures";
import { modelOutput, outputHint } from "./modelOutput";

const report = (shapes: Report["shapes"]): Report => ({ valid: true, errors: [], warnings: [], shapes });

describe("modelOutput", () => {
  it("reads the single output's units from the inferred shape", () => {
    const out = modelOutput(chainGraph(), report({ in: [null, 32, 32, 3], fl: [null, 3072], fc: [null, 10] }));
    expect(out).toMatchObject({ node: "fc", units: 10, activation: "softmax", inputShape: [32, 32, 3] });
  });

  it("falls back to a Dense node's units before the first report", () => {
    expect(modelOutput(chainGraph(), null).units).toBe(10);
  });

  it("has no units when the output is not one vector per image", () => {
    const out = modelOutput(chainGraph(), report({ fc: [null, 4, 4, 10] }));
    expect(out.units).toBeNull();
  });

  it("lists several outputs and takes Softmax layers as softmax", () => {
    const g: Graph = {
      version: 1,
      nodes: [
        { id: "in", type: "Input", params: { shape: [8] } },
        { id: "a", type: "Dense", params: { units: 2 } },
        { id: "b", type: "Softmax", params: {} },
      ],
      edges: [
        { source: "in", target: "a" },
        { source: "in", target: "b" },
      ],
    };
    expect(modelOutput(g, null)).toMatchObject({ outputs: ["a", "b"], node: null, units: null });
    const single = { ...g, nodes: g.nodes.slice(0, 1).concat(g.nodes[2]), edges: [g.edges[1]] };
    expect(modelOutput(single, report({ b: [null, 8] }))).toMatchObject({ node: "b", units: 8, activation: "softmax" });
  });
});

describe("outputHint", () => {
  const out = (units: number | null, outputs = ["out"]) => ({
    outputs,
    node: outputs.length === 1 ? outputs[0] : null,
    units,
    activation: "softmax",
    inputShape: null,
  });
  it("is happy when units match the classes, or 1 unit for 2 classes", () => {
    expect(outputHint(out(4), 4).kind).toBe("ok");
    expect(outputHint(out(1), 2)).toMatchObject({ kind: "ok", message: expect.stringContaining("binary") });
  });
  it("says what to change when they differ", () => {
    expect(outputHint(out(3), 4)).toEqual({
      kind: "mismatch",
      message: "The output layer “out” has 3 units but this dataset has 4 classes.",
      fix: "Set its units to 4 in the Model tab.",
    });
    expect(outputHint(out(1), 4).message).toContain("has 1 unit but");
  });
  it("flags several outputs and admits when it cannot tell", () => {
    expect(outputHint(out(null, ["a", "b"]), 4).kind).toBe("mismatch");
    expect(outputHint(out(null), 4).kind).toBe("unknown");
    expect(outputHint(out(null, []), 4).kind).toBe("unknown");
  });
});
