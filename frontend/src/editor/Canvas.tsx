/**
 * The model canvas (React Flow, controlled): nodes and edges are derived from the graph, and
 * React Flow's events (drag, select, connect, drop from the palette) become store edits.
 */
import {
  Background,
  BackgroundVariant,
  ConnectionMode,
  MiniMap,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
  type Connection as FlowConnection,
  type EdgeChange,
  type NodeChange,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { LayerSpec } from "../api/types";
import { portFromHandle, toFlowEdges, toFlowNodes, type LayerFlowNode, type NodeDataCache } from "../graph/flow";
import { layoutGraph, overlapping } from "../graph/layout";
import type { IndexedReport } from "../graph/report";
import { connect, connectionProblem, moveNodes, setSelection, type EditorState, type Position } from "../graph/store";
import { categoryColor } from "./colors";
import { LayerNode } from "./LayerNode";
import { openView } from "./view";

export const LAYER_MIME = "application/x-keras-layer";

const nodeTypes = { layer: LayerNode };

type Dims = Record<string, { width: number; height: number }>;

interface Props {
  state: EditorState;
  specs: Map<string, LayerSpec>;
  report: IndexedReport;
  update: (fn: (s: EditorState) => EditorState) => void;
  onDropLayer: (type: string, position: Position) => void;
  layoutPending: boolean;
  settleLayout: (positions: Record<string, Position>) => void;
  onSizes: (dims: Dims) => void;
}

export function Canvas({ state, specs, report, update, onDropLayer, layoutPending, settleLayout, onSizes }: Props) {
  const flow = useReactFlow();
  const [dims, setDims] = useState<Dims>({});
  const initialized = useNodesInitialized();
  const box = useRef<HTMLDivElement>(null);

  const cache = useRef<NodeDataCache>(new Map());
  const derived = useMemo(
    () => toFlowNodes(state.graph, specs, report, state.selection, cache.current),
    [state.graph, specs, report, state.selection],
  );
  const nodes = useMemo<LayerFlowNode[]>(
    () => derived.map((n) => (dims[n.id] ? { ...n, measured: dims[n.id] } : n)),
    [derived, dims],
  );
  const edges = useMemo(() => toFlowEdges(state.graph, report, state.selection), [state.graph, report, state.selection]);

  useEffect(() => onSizes(dims), [dims, onSizes]);

  // Graphs without positions (imports), or whose cards overlap once their real sizes are known
  // (starters placed on a fixed grid), are laid out once when the canvas first shows them.
  // An empty canvas keeps its view when the first layer arrives: a jump after a drop disorients.
  const settled = useRef(state.graph.nodes.length === 0);
  const [viewReady, setViewReady] = useState(settled.current);
  useEffect(() => {
    if (settled.current || !initialized) return;
    settled.current = true;
    if (layoutPending || overlapping(state.graph, dims)) settleLayout(layoutGraph(state.graph, dims));
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        openView(flow, box.current);
        setViewReady(true);
      }),
    );
  }, [layoutPending, initialized]);

  const onNodesChange = useCallback(
    (changes: NodeChange<LayerFlowNode>[]) => {
      const moved: Record<string, Position> = {};
      let dragging = false;
      let anyMove = false;
      const select: Record<string, boolean> = {};
      const sized: Dims = {};
      for (const c of changes) {
        if (c.type === "position" && c.position) {
          moved[c.id] = c.position;
          dragging = dragging || !!c.dragging;
          anyMove = true;
        } else if (c.type === "position" && c.dragging === false) {
          anyMove = true;
        } else if (c.type === "select") select[c.id] = c.selected;
        else if (c.type === "dimensions" && c.dimensions) sized[c.id] = c.dimensions;
      }
      if (Object.keys(sized).length) setDims((d) => ({ ...d, ...sized }));
      if (anyMove) update((s) => moveNodes(s, moved, dragging));
      if (Object.keys(select).length) {
        update((s) => {
          const set = new Set(s.selection.nodes);
          for (const [id, on] of Object.entries(select)) {
            if (on) set.add(id);
            else set.delete(id);
          }
          const order = s.graph.nodes.map((n) => n.id).filter((id) => set.has(id));
          return setSelection(s, { nodes: order, edges: s.selection.edges });
        });
      }
    },
    [update],
  );

  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const select: Record<string, boolean> = {};
      for (const c of changes) if (c.type === "select") select[c.id] = c.selected;
      if (!Object.keys(select).length) return;
      update((s) => {
        const set = new Set(s.selection.edges);
        for (const [id, on] of Object.entries(select)) {
          if (on) set.add(id);
          else set.delete(id);
        }
        return setSelection(s, { nodes: s.selection.nodes, edges: [...set] });
      });
    },
    [update],
  );

  const toConnection = (c: FlowConnection | { source: string; target: string; targetHandle?: string | null }) => ({
    source: c.source,
    target: c.target,
    port: portFromHandle(c.targetHandle),
  });

  const onConnect = useCallback((c: FlowConnection) => update((s) => connect(s, specs, toConnection(c))), [update, specs]);
  const isValidConnection = useCallback(
    (c: FlowConnection | { source: string; target: string; targetHandle?: string | null }) =>
      connectionProblem(state.graph, specs, toConnection(c)) === null,
    [state.graph, specs],
  );

  const onDragOver = useCallback((e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes(LAYER_MIME)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "copy";
  }, []);

  const onDrop = useCallback(
    (e: React.DragEvent) => {
      const type = e.dataTransfer.getData(LAYER_MIME);
      if (!type) return;
      e.preventDefault();
      const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      onDropLayer(type, { x: p.x - 120, y: p.y - 30 });
    },
    [flow, onDropLayer],
  );

  return (
    <div className="canvas" ref={box} data-view-ready={viewReady} onDragOver={onDragOver} onDrop={onDrop} data-testid="canvas">
      <ReactFlow<LayerFlowNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        connectionMode={ConnectionMode.Strict}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={["Meta", "Control"]}
        minZoom={0.1}
        maxZoom={2}
        snapToGrid
        snapGrid={[8, 8]}
        proOptions={{ hideAttribution: true }}
        aria-label="Model canvas"
      >
        <Background variant={BackgroundVariant.Dots} gap={16} size={1} color="#cbd2d9" />
        <MiniMap
          pannable
          zoomable
          ariaLabel="Overview of the model"
          nodeColor={(n) => categoryColor((n as LayerFlowNode).data.spec?.category)}
          nodeStrokeWidth={2}
          maskColor="rgba(240, 242, 245, 0.7)"
        />
      </ReactFlow>
      {state.graph.nodes.length === 0 && (
        <div className="canvas-hint" aria-hidden="true">
          <p>Drag layers here from the palette</p>
          <p className="muted">or select one in the palette and press Enter. Start with an Input layer.</p>
        </div>
      )}
    </div>
  );
}
