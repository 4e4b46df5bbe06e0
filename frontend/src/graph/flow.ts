/**
 * Graph JSON -> React Flow nodes and edges. The graph stays the single source of truth: these
 * arrays are derived on every render from the graph, the indexed validation report and the
 * selection, and React Flow's change events are turned back into store edits by the Canvas.
 */
import type { Edge, Node } from "@xyflow/react";
import type { Graph, GraphIssue, GraphNode, LayerSpec } from "../api/types";
import { formatShape, nodeSummary } from "./params";
import type { IndexedReport } from "./report";
import { trainableCounts } from "./pretrained";
import { edgeIds, edgePorts, type Selection } from "./store";

export interface PortInfo {
  id: string;
  index: number;
  label: string;
  connected: boolean;
}

export interface LayerNodeData extends Record<string, unknown> {
  node: GraphNode;
  spec?: LayerSpec;
  summary: string[];
  shape: string;
  errors: GraphIssue[];
  warnings: GraphIssue[];
  params?: { total: number; trainable: number };
  ports: PortInfo[];
  hasOutput: boolean;
  /** For pre-trained nodes: how many of its trainable-capable layers train. */
  pretrained?: { trainable: number; total: number };
}

export type LayerFlowNode = Node<LayerNodeData, "layer">;

export interface EdgeData extends Record<string, unknown> {
  index: number;
  errors: GraphIssue[];
}

export const inputHandle = (port: number) => `in-${port}`;
export const OUTPUT_HANDLE = "out";

export function portFromHandle(handle: string | null | undefined): number {
  const m = /^in-(\d+)$/.exec(handle ?? "");
  return m ? Number(m[1]) : 0;
}

/** Input ports a node shows: every used port, plus one free one while the layer takes more. */
export function nodePorts(_node: GraphNode, spec: LayerSpec | undefined, usedPorts: number[]): PortInfo[] {
  const max = spec ? spec.inputs.max : 1;
  if (max <= 0) return [];
  const used = new Set(usedPorts);
  let count = 1;
  if (max > 1) {
    const highest = usedPorts.length ? Math.max(...usedPorts) : -1;
    count = Math.min(max, Math.max(spec?.inputs.min ?? 1, highest + 2));
  }
  const names = spec?.inputs.ports;
  return Array.from({ length: count }, (_, i) => ({
    id: inputHandle(i),
    index: i,
    label: names?.[i] ?? (max > 1 ? String(i + 1) : ""),
    connected: used.has(i),
  }));
}

/**
 * Remembers each node's card data between renders so that React Flow re-renders only the cards
 * whose inputs changed (while dragging one layer, only that one).
 */
export type NodeDataCache = Map<string, { inputs: unknown[]; data: LayerNodeData }>;

export function toFlowNodes(
  graph: Graph,
  specs: Map<string, LayerSpec>,
  report: IndexedReport,
  selection: Selection,
  cache?: NodeDataCache,
): LayerFlowNode[] {
  const ports = edgePorts(graph);
  const used = new Map<string, number[]>();
  graph.edges.forEach((e, i) => {
    if (!used.has(e.target)) used.set(e.target, []);
    used.get(e.target)!.push(ports[i]);
  });
  const selected = new Set(selection.nodes);
  const seen = new Set<string>();
  const nodes = graph.nodes.map((node) => {
    const spec = specs.get(node.type);
    const errors = report.nodeErrors.get(node.id) ?? [];
    const inputs = [node, spec, report, (used.get(node.id) ?? []).join(",")];
    const hit = cache?.get(node.id);
    let data: LayerNodeData;
    if (hit && hit.inputs.every((x, i) => x === inputs[i])) data = hit.data;
    else {
      data = {
        node,
        spec,
        summary: nodeSummary(node, spec),
        shape: formatShape(report.report?.shapes?.[node.id]),
        errors,
        warnings: report.nodeWarnings.get(node.id) ?? [],
        params: report.report?.node_params?.[node.id],
        ports: nodePorts(node, spec, used.get(node.id) ?? []),
        hasOutput: true,
        pretrained: spec?.pretrained ? trainableCounts(node, spec, report.report?.inner?.[node.id]) : undefined,
      };
      cache?.set(node.id, { inputs, data });
    }
    seen.add(node.id);
    return {
      id: node.id,
      type: "layer" as const,
      position: node.position ?? { x: 0, y: 0 },
      selected: selected.has(node.id),
      className: errors.length ? "has-error" : undefined,
      data,
    };
  });
  if (cache) for (const id of [...cache.keys()]) if (!seen.has(id)) cache.delete(id);
  return nodes;
}

export function toFlowEdges(graph: Graph, report: IndexedReport, selection: Selection): Edge<EdgeData>[] {
  const ids = edgeIds(graph.edges);
  const ports = edgePorts(graph);
  const selected = new Set(selection.edges);
  return graph.edges.map((e, i) => {
    const errors = report.edgeErrors.get(ids[i]) ?? [];
    return {
      id: ids[i],
      source: e.source,
      target: e.target,
      sourceHandle: OUTPUT_HANDLE,
      targetHandle: inputHandle(ports[i]),
      selected: selected.has(ids[i]),
      className: errors.length ? "edge-error" : undefined,
      label: errors.length ? `⚠ ${truncate(errors[0].message, 48)}` : undefined,
      ariaLabel: `Connection from ${e.source} to ${e.target}`,
      data: { index: i, errors },
    };
  });
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
