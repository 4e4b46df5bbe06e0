/** Fixtures that follow docs/internal-contracts.md, for unit tests. */
import type { Catalog, Graph, LayerSpec } from "../api/types";
import catalogJson from "./catalog.json";

export const catalog = catalogJson as unknown as Catalog;
export const specs = new Map<string, LayerSpec>(catalog.layers.map((l) => [l.type, l]));
export const spec = (type: string): LayerSpec => specs.get(type)!;

export function chainGraph(): Graph {
  return {
    version: 1,
    name: "chain",
    nodes: [
      { id: "in", type: "Input", params: { shape: [32, 32, 3] }, position: { x: 0, y: 0 } },
      { id: "fl", type: "Flatten", params: {}, position: { x: 0, y: 100 } },
      { id: "fc", type: "Dense", params: { units: 10, activation: "softmax" }, position: { x: 0, y: 200 } },
    ],
    edges: [
      { source: "in", target: "fl" },
      { source: "fl", target: "fc" },
    ],
  };
}
