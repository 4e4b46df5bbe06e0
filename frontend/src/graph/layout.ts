/**
 * Automatic layout (dagre): layers flow top to bottom in the order data passes through them.
 * Works with cycles too (dagre breaks them), so a half-wired graph can still be tidied.
 */
import { Graph as DagreGraph, layout as dagreLayout } from "@dagrejs/dagre";
import type { Graph } from "../api/types";
import type { Position } from "./store";

export const DEFAULT_NODE_SIZE = { width: 240, height: 92 };

export type Sizes = Record<string, { width?: number; height?: number } | undefined>;

/** Top-left positions for every node, for React Flow (whose positions are top-left corners). */
export function layoutGraph(graph: Graph, sizes: Sizes = {}, origin: Position = { x: 40, y: 40 }): Record<string, Position> {
  const g = new DagreGraph({ multigraph: true });
  g.setGraph({ rankdir: "TB", nodesep: 48, ranksep: 56, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const size = (id: string) => ({
    width: sizes[id]?.width || DEFAULT_NODE_SIZE.width,
    height: sizes[id]?.height || DEFAULT_NODE_SIZE.height,
  });
  for (const n of graph.nodes) g.setNode(n.id, size(n.id));
  const ids = new Set(graph.nodes.map((n) => n.id));
  graph.edges.forEach((e, i) => {
    if (ids.has(e.source) && ids.has(e.target)) g.setEdge(e.source, e.target, {}, `e${i}`);
  });
  dagreLayout(g);
  const out: Record<string, Position> = {};
  for (const n of graph.nodes) {
    const { x, y } = g.node(n.id) as { x: number; y: number };
    const s = size(n.id);
    out[n.id] = { x: Math.round(origin.x + x - s.width / 2), y: Math.round(origin.y + y - s.height / 2) };
  }
  return out;
}

/** Whether any two cards overlap (or nearly touch), given their measured sizes. */
export function overlapping(graph: Graph, sizes: Sizes, gap = 24): boolean {
  const boxes = graph.nodes
    .filter((n) => n.position)
    .map((n) => ({
      x: n.position!.x,
      y: n.position!.y,
      w: sizes[n.id]?.width || DEFAULT_NODE_SIZE.width,
      h: sizes[n.id]?.height || DEFAULT_NODE_SIZE.height,
    }));
  if (boxes.length > 400) return false; // big imports keep their positions; Auto-layout is a click away
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      if (a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap) return true;
    }
  }
  return false;
}
