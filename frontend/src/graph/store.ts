/**
 * The editor's state, kept pure: the graph being edited with its undo/redo history, the current
 * selection, and every edit as a function from one state to the next. React only renders this
 * state and dispatches edits; nothing here touches the DOM, the network or React Flow itself
 * (see ./flow.ts for the conversion to React Flow nodes and edges).
 */
import type { Graph, GraphEdge, GraphNode, LayerSpec } from "../api/types";
import { clone, defaultParams } from "./params";

export const HISTORY_LIMIT = 200;

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface EditorState {
  graph: Graph;
  past: Graph[];
  future: Graph[];
  /** Key of the last recorded edit; a following edit with the same key joins it (typing in one field). */
  lastKey: string | null;
  /** The graph as it was when the current drag started; recorded in history when the drag ends. */
  dragBase: Graph | null;
  selection: Selection;
  /** Bumped on every change of the graph (edits, undo, redo): drives validation and autosave. */
  revision: number;
}

export interface Clipboard {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type Position = { x: number; y: number };

const EMPTY_SELECTION: Selection = { nodes: [], edges: [] };

export function emptyGraph(name = ""): Graph {
  return { version: 1, name, nodes: [], edges: [] };
}

/** A well-formed copy of a graph as loaded from the server (missing arrays become empty). */
export function normalizeGraph(input: Partial<Graph> | null | undefined): Graph {
  const g = clone(input ?? {}) as Partial<Graph>;
  return {
    ...g,
    version: 1,
    nodes: (Array.isArray(g.nodes) ? g.nodes : []).map((n) => ({ ...n, params: n.params ?? {} })),
    edges: Array.isArray(g.edges) ? g.edges : [],
  };
}

export function createEditor(graph: Partial<Graph> | null | undefined): EditorState {
  return {
    graph: normalizeGraph(graph),
    past: [],
    future: [],
    lastKey: null,
    dragBase: null,
    selection: EMPTY_SELECTION,
    revision: 0,
  };
}

/** Replace the graph with a new one and record the old one for undo. */
export function commit(state: EditorState, graph: Graph, key: string | null = null): EditorState {
  if (graph === state.graph) return state;
  const joins = key !== null && key === state.lastKey && state.past.length > 0;
  const past = joins ? state.past : [...state.past, state.graph].slice(-HISTORY_LIMIT);
  return { ...state, graph, past, future: [], lastKey: key, dragBase: null, revision: state.revision + 1 };
}

export function canUndo(state: EditorState): boolean {
  return state.past.length > 0;
}

export function canRedo(state: EditorState): boolean {
  return state.future.length > 0;
}

export function undo(state: EditorState): EditorState {
  if (!state.past.length) return state;
  const graph = state.past[state.past.length - 1];
  return {
    ...state,
    graph,
    past: state.past.slice(0, -1),
    future: [state.graph, ...state.future],
    lastKey: null,
    dragBase: null,
    selection: pruneSelection(state.selection, graph),
    revision: state.revision + 1,
  };
}

export function redo(state: EditorState): EditorState {
  if (!state.future.length) return state;
  const graph = state.future[0];
  return {
    ...state,
    graph,
    past: [...state.past, state.graph],
    future: state.future.slice(1),
    lastKey: null,
    dragBase: null,
    selection: pruneSelection(state.selection, graph),
    revision: state.revision + 1,
  };
}

/** Forget the history (after loading a different project). */
export function resetHistory(state: EditorState): EditorState {
  return { ...state, past: [], future: [], lastKey: null, dragBase: null };
}

// ---------------------------------------------------------------- ids

/** "GlobalAveragePooling2D" -> "global_average_pooling2d". */
export function baseName(type: string): string {
  return type
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** `base_N` with the smallest N >= 1 that no node (nor `taken`) uses. */
export function uniqueId(graph: Graph, base: string, taken: Set<string> = new Set()): string {
  const used = new Set(graph.nodes.map((n) => n.id));
  for (let i = 1; ; i++) {
    const id = `${base}_${i}`;
    if (!used.has(id) && !taken.has(id)) return id;
  }
}

export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

// ---------------------------------------------------------------- edges

/** Stable id of an edge for React Flow and the selection; repeated edges get a suffix. */
export function edgeIds(edges: GraphEdge[]): string[] {
  const seen = new Map<string, number>();
  return edges.map((e) => {
    const base = `${e.source}->${e.target}${e.port !== undefined ? `#${e.port}` : ""}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}~${n}`;
  });
}

export function takesManyInputs(spec: LayerSpec | undefined): boolean {
  return !!spec && spec.inputs.max > 1;
}

/**
 * Which input port each edge arrives at. Edges into multi-input layers carry `port`; one without
 * (an imported or hand-written graph) takes the next free port in edge order.
 */
export function edgePorts(graph: Graph): number[] {
  const used = new Map<string, Set<number>>();
  for (const e of graph.edges) {
    if (e.port !== undefined) {
      if (!used.has(e.target)) used.set(e.target, new Set());
      used.get(e.target)!.add(e.port);
    }
  }
  return graph.edges.map((e) => {
    if (e.port !== undefined) return e.port;
    if (!used.has(e.target)) used.set(e.target, new Set());
    const ports = used.get(e.target)!;
    let p = 0;
    while (ports.has(p)) p++;
    ports.add(p);
    return p;
  });
}

export interface Connection {
  source: string;
  target: string;
  port?: number;
}

/** Why a connection may not be drawn, or null when it may (cycles are allowed: validation flags them). */
export function connectionProblem(graph: Graph, specs: Map<string, LayerSpec>, c: Connection): string | null {
  if (c.source === c.target) return "A layer cannot feed itself.";
  const target = graph.nodes.find((n) => n.id === c.target);
  const source = graph.nodes.find((n) => n.id === c.source);
  if (!target || !source) return "Unknown layer.";
  const spec = specs.get(target.type);
  if (spec && spec.inputs.max === 0) return `${target.type} takes no inputs.`;
  if (spec && c.port !== undefined && c.port >= spec.inputs.max) return `${target.type} takes at most ${spec.inputs.max} inputs.`;
  return null;
}

/**
 * Draw an edge from an output to an input port. A port holds one edge: connecting onto an
 * occupied port replaces the edge that was there. Multi-input layers record the port on the edge.
 */
export function connect(state: EditorState, specs: Map<string, LayerSpec>, c: Connection): EditorState {
  const { graph } = state;
  if (connectionProblem(graph, specs, c)) return state;
  const target = graph.nodes.find((n) => n.id === c.target)!;
  const many = takesManyInputs(specs.get(target.type));
  const port = many ? (c.port ?? 0) : 0;
  const ports = edgePorts(graph);
  const edges = graph.edges.filter((e, i) => !(e.target === c.target && (many ? ports[i] === port : true)));
  const edge: GraphEdge = many ? { source: c.source, target: c.target, port } : { source: c.source, target: c.target };
  return commit(state, { ...graph, edges: [...edges, edge] });
}

// ---------------------------------------------------------------- nodes

export interface AddOptions {
  /** Connect this node's output to the new node's first input. */
  connectFrom?: string;
  id?: string;
}

/** Add a layer with its catalog defaults at a position; the new node becomes the selection. */
export function addNode(state: EditorState, spec: LayerSpec, position: Position, opts: AddOptions = {}): EditorState {
  const id = opts.id ?? uniqueId(state.graph, baseName(spec.type));
  const node: GraphNode = { id, type: spec.type, params: defaultParams(spec), position: roundPos(position) };
  const edges = [...state.graph.edges];
  const from = opts.connectFrom && state.graph.nodes.find((n) => n.id === opts.connectFrom);
  if (from && spec.inputs.max > 0) {
    edges.push(spec.inputs.max > 1 ? { source: from.id, target: id, port: 0 } : { source: from.id, target: id });
  }
  const next = commit(state, { ...state.graph, nodes: [...state.graph.nodes, node], edges });
  return { ...next, selection: { nodes: [id], edges: [] } };
}

/** Remove nodes (with every edge touching them) and edges (by id) as one undo step. */
export function removeElements(state: EditorState, nodeIds: string[], edgeIdList: string[]): EditorState {
  const drop = new Set(nodeIds);
  const dropEdges = new Set(edgeIdList);
  const ids = edgeIds(state.graph.edges);
  const nodes = state.graph.nodes.filter((n) => !drop.has(n.id));
  const edges = state.graph.edges.filter(
    (e, i) => !dropEdges.has(ids[i]) && !drop.has(e.source) && !drop.has(e.target),
  );
  if (nodes.length === state.graph.nodes.length && edges.length === state.graph.edges.length) return state;
  const next = commit(state, { ...state.graph, nodes, edges });
  return { ...next, selection: EMPTY_SELECTION };
}

export function removeSelection(state: EditorState): EditorState {
  return removeElements(state, state.selection.nodes, state.selection.edges);
}

function roundPos(p: Position): Position {
  return { x: Math.round(p.x), y: Math.round(p.y) };
}

/**
 * Move nodes. While `dragging`, the moves change the graph without recording history; the drag's
 * end records one undo step that goes back to where the drag started.
 */
export function moveNodes(state: EditorState, positions: Record<string, Position>, dragging: boolean): EditorState {
  let changed = false;
  const nodes = state.graph.nodes.map((n) => {
    const p = positions[n.id];
    if (!p) return n;
    const r = roundPos(p);
    if (n.position && n.position.x === r.x && n.position.y === r.y) return n;
    changed = true;
    return { ...n, position: r };
  });
  const graph = changed ? { ...state.graph, nodes } : state.graph;
  if (dragging) {
    if (!changed) return state;
    return { ...state, graph, dragBase: state.dragBase ?? state.graph, revision: state.revision + 1 };
  }
  const base = state.dragBase ?? state.graph;
  if (base === graph) return { ...state, dragBase: null };
  const past = [...state.past, base].slice(-HISTORY_LIMIT);
  return { ...state, graph, past, future: [], lastKey: null, dragBase: null, revision: state.revision + 1 };
}

/** Set positions of all nodes (auto-layout) as one undo step. */
export function setPositions(state: EditorState, positions: Record<string, Position>): EditorState {
  const nodes = state.graph.nodes.map((n) => (positions[n.id] ? { ...n, position: roundPos(positions[n.id]) } : n));
  return commit(state, { ...state.graph, nodes });
}

/** Change one param; consecutive changes of the same field are one undo step. */
export function setParam(state: EditorState, nodeId: string, name: string, value: unknown): EditorState {
  const node = state.graph.nodes.find((n) => n.id === nodeId);
  if (!node) return state;
  if (JSON.stringify(node.params[name]) === JSON.stringify(value) && name in node.params) return state;
  const nodes = state.graph.nodes.map((n) => (n.id === nodeId ? { ...n, params: { ...n.params, [name]: value } } : n));
  return commit(state, { ...state.graph, nodes }, `param:${nodeId}:${name}`);
}

/** Why a node may not be renamed to `id`, or null. */
export function renameProblem(graph: Graph, oldId: string, id: string): string | null {
  if (id === oldId) return null;
  if (!NODE_ID_PATTERN.test(id)) return "Use letters, digits, _ . or - (start with a letter or _), at most 64 characters.";
  if (graph.nodes.some((n) => n.id === id)) return `Another layer is already called ${id}.`;
  return null;
}

/** Rename a node (its id) and every edge that names it. */
export function renameNode(state: EditorState, oldId: string, id: string): EditorState {
  if (id === oldId || renameProblem(state.graph, oldId, id)) return state;
  const r = (x: string) => (x === oldId ? id : x);
  const graph = {
    ...state.graph,
    nodes: state.graph.nodes.map((n) => (n.id === oldId ? { ...n, id } : n)),
    edges: state.graph.edges.map((e) => ({ ...e, source: r(e.source), target: r(e.target) })),
  };
  const next = commit(state, graph);
  return { ...next, selection: { nodes: state.selection.nodes.map(r), edges: [] } };
}

// ---------------------------------------------------------------- selection

export function setSelection(state: EditorState, selection: Selection): EditorState {
  const same =
    selection.nodes.length === state.selection.nodes.length &&
    selection.edges.length === state.selection.edges.length &&
    selection.nodes.every((id, i) => id === state.selection.nodes[i]) &&
    selection.edges.every((id, i) => id === state.selection.edges[i]);
  return same ? state : { ...state, selection };
}

export function selectAll(state: EditorState): EditorState {
  return { ...state, selection: { nodes: state.graph.nodes.map((n) => n.id), edges: edgeIds(state.graph.edges) } };
}

function pruneSelection(selection: Selection, graph: Graph): Selection {
  const nodes = new Set(graph.nodes.map((n) => n.id));
  const edges = new Set(edgeIds(graph.edges));
  return { nodes: selection.nodes.filter((id) => nodes.has(id)), edges: selection.edges.filter((id) => edges.has(id)) };
}

// ---------------------------------------------------------------- copy / paste

/** The selected nodes and the edges between them. */
export function copySelection(state: EditorState): Clipboard | null {
  const ids = new Set(state.selection.nodes);
  if (!ids.size) return null;
  return clone({
    nodes: state.graph.nodes.filter((n) => ids.has(n.id)),
    edges: state.graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  });
}

/**
 * Paste a clipboard: every node gets a fresh id (edges follow), positions shift by `offset` so
 * the copy does not hide the original, and the pasted nodes become the selection.
 */
export function paste(state: EditorState, clip: Clipboard, offset: Position = { x: 40, y: 40 }): EditorState {
  if (!clip.nodes.length) return state;
  const taken = new Set<string>();
  const map = new Map<string, string>();
  for (const n of clip.nodes) {
    const id = uniqueId(state.graph, n.id.replace(/_\d+$/, "") || baseName(n.type), taken);
    taken.add(id);
    map.set(n.id, id);
  }
  const nodes = clip.nodes.map((n) => ({
    ...clone(n),
    id: map.get(n.id)!,
    position: roundPos({ x: (n.position?.x ?? 0) + offset.x, y: (n.position?.y ?? 0) + offset.y }),
  }));
  const edges = clip.edges
    .filter((e) => map.has(e.source) && map.has(e.target))
    .map((e) => ({ ...e, source: map.get(e.source)!, target: map.get(e.target)! }));
  const next = commit(state, { ...state.graph, nodes: [...state.graph.nodes, ...nodes], edges: [...state.graph.edges, ...edges] });
  return { ...next, selection: { nodes: nodes.map((n) => n.id), edges: [] } };
}

/** Nodes without a position (templates, imports) need an automatic layout. */
export function needsLayout(graph: Graph): boolean {
  return graph.nodes.some((n) => !n.position || !Number.isFinite(n.position.x) || !Number.isFinite(n.position.y));
}
