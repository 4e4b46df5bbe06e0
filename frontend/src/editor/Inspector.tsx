/** The property panel: what is selected, and a form for the selected layer's params. */
import type { LayerSpec, Report } from "../api/types";
import { formatCount } from "../graph/params";
import type { IndexedReport } from "../graph/report";
import { edgeIds, type EditorState } from "../graph/store";
import { NodeInspector } from "./NodeInspector";

interface Props {
  state: EditorState;
  specs: Map<string, LayerSpec>;
  report: IndexedReport;
  update: (fn: (s: EditorState) => EditorState) => void;
  onDelete: () => void;
}

export function Inspector({ state, specs, report, update, onDelete }: Props) {
  const { nodes: selNodes, edges: selEdges } = state.selection;
  if (selNodes.length === 1 && selEdges.length === 0) {
    const node = state.graph.nodes.find((n) => n.id === selNodes[0]);
    if (node) return <NodeInspector key={node.id} state={state} nodeId={node.id} specs={specs} report={report} update={update} />;
  }
  if (selNodes.length === 0 && selEdges.length === 1) {
    const i = edgeIds(state.graph.edges).indexOf(selEdges[0]);
    const e = state.graph.edges[i];
    if (e) {
      const errors = report.edgeErrors.get(selEdges[0]) ?? [];
      return (
        <section className="inspector" aria-label="Selected connection">
          <h2 className="inspector-title">Connection</h2>
          <p>
            <code>{e.source}</code> → <code>{e.target}</code>
            {e.port !== undefined && <> (input {e.port + 1})</>}
          </p>
          {errors.map((x, k) => (
            <p key={k} className="field-error">
              {x.message}
            </p>
          ))}
          <button type="button" className="btn btn-danger btn-sm" onClick={onDelete}>
            Delete connection
          </button>
        </section>
      );
    }
  }
  if (selNodes.length + selEdges.length > 1) {
    return (
      <section className="inspector" aria-label="Selection">
        <h2 className="inspector-title">
          {selNodes.length} layer{selNodes.length === 1 ? "" : "s"}
          {selEdges.length > 0 && `, ${selEdges.length} connection${selEdges.length === 1 ? "" : "s"}`} selected
        </h2>
        <p className="muted">Drag to move them together; Ctrl+C / Ctrl+V to duplicate.</p>
        <button type="button" className="btn btn-danger btn-sm" onClick={onDelete}>
          Delete selection
        </button>
      </section>
    );
  }
  return <ModelSummary state={state} report={report.report} />;
}

function ModelSummary({ state, report }: { state: EditorState; report: Report | null }) {
  return (
    <section className="inspector" aria-label="Model">
      <h2 className="inspector-title">Model</h2>
      <dl className="facts">
        <dt>Layers</dt>
        <dd>{state.graph.nodes.length}</dd>
        <dt>Connections</dt>
        <dd>{state.graph.edges.length}</dd>
        <dt>Parameters</dt>
        <dd>{formatCount(report?.params_total)}</dd>
        <dt>Trainable</dt>
        <dd>{formatCount(report?.params_trainable)}</dd>
      </dl>
      <p className="muted">Select a layer to edit its parameters.</p>
      <details className="shortcuts">
        <summary>Keyboard shortcuts</summary>
        <dl>
          <dt>Ctrl+Z / Ctrl+Shift+Z, Ctrl+Y</dt>
          <dd>Undo / redo</dd>
          <dt>Ctrl+C / Ctrl+X / Ctrl+V</dt>
          <dd>Copy / cut / paste layers</dd>
          <dt>Delete, Backspace</dt>
          <dd>Delete selection</dd>
          <dt>Ctrl+A</dt>
          <dd>Select all</dd>
          <dt>Ctrl+S</dt>
          <dd>Save</dd>
          <dt>Shift+drag, Ctrl+click</dt>
          <dd>Select several</dd>
        </dl>
      </details>
    </section>
  );
}
