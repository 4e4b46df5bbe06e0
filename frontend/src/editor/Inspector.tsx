/** The property panel: what is selected, and a form for the selected layer's params. */
import { useEffect, useState } from "react";
import type { LayerSpec, Report } from "../api/types";
import { formatCount, paramValue } from "../graph/params";
import type { IndexedReport } from "../graph/report";
import { edgeIds, renameNode, renameProblem, setParam, type EditorState } from "../graph/store";
import { categoryColor } from "./colors";
import { ParamField } from "./ParamField";
import { PretrainedPanel } from "./PretrainedPanel";

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

interface NodeProps {
  state: EditorState;
  nodeId: string;
  specs: Map<string, LayerSpec>;
  report: IndexedReport;
  update: (fn: (s: EditorState) => EditorState) => void;
}

function NodeInspector({ state, nodeId, specs, report, update }: NodeProps) {
  const node = state.graph.nodes.find((n) => n.id === nodeId)!;
  const spec = specs.get(node.type);
  const [name, setName] = useState(node.id);
  useEffect(() => setName(node.id), [node.id]);
  const nameError = renameProblem(state.graph, node.id, name.trim());
  const errors = report.nodeErrors.get(node.id) ?? [];
  const paramErrors = report.paramErrors.get(node.id);
  const counts = report.report?.node_params?.[node.id];
  const known = new Set(spec?.params.map((p) => p.name) ?? []);
  const generalErrors = errors.filter((e) => !e.param || !known.has(e.param));

  return (
    <section className="inspector" aria-label={`Layer ${node.id}`}>
      <div className="inspector-head" style={{ "--cat": categoryColor(spec?.category) } as React.CSSProperties}>
        <h2 className="inspector-title">{node.type}</h2>
        {spec && <span className="chip">{spec.category}</span>}
      </div>
      {spec ? <p className="muted inspector-help">{spec.help}</p> : <p className="field-error">Unknown layer type: not in the catalog.</p>}
      {generalErrors.length > 0 && (
        <ul className="node-errors" aria-label="Problems with this layer">
          {generalErrors.map((e, i) => (
            <li key={i}>{e.message}</li>
          ))}
        </ul>
      )}
      <form className="param-form" onSubmit={(e) => e.preventDefault()} aria-label={`Parameters of ${node.id}`}>
        <div className={`field${nameError ? " has-error" : ""}`}>
          <label className="field-label" htmlFor="node-name">
            name
          </label>
          <input
            id="node-name"
            value={name}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={nameError ? true : undefined}
            aria-describedby="node-name-help"
            onChange={(e) => setName(e.target.value)}
            onBlur={() => {
              if (!nameError) update((s) => renameNode(s, node.id, name.trim()));
              else setName(node.id);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !nameError) update((s) => renameNode(s, node.id, name.trim()));
              if (e.key === "Escape") setName(node.id);
            }}
          />
          {nameError && <p className="field-error">{nameError}</p>}
          <p className="field-help" id="node-name-help">
            The layer's name in the model and in the exported code.
          </p>
        </div>
        {spec?.params
          .filter((p) => !(spec.pretrained && p.kind === "layers"))
          .map((p) => (
            <ParamField
              key={p.name}
              spec={p}
              value={paramValue(node, p)}
              serverError={paramErrors?.get(p.name)}
              onCommit={(v) => update((s) => setParam(s, node.id, p.name, v))}
            />
          ))}
        {spec && spec.params.length === 0 && <p className="muted">This layer has no parameters.</p>}
      </form>
      {counts && (
        <p className="muted node-counts">
          {formatCount(counts.total)} parameters, {formatCount(counts.trainable)} trainable
        </p>
      )}
      {spec?.pretrained && (
        <PretrainedPanel node={node} spec={spec} inner={report.report?.inner?.[node.id]} update={update} paramErrors={paramErrors} />
      )}
    </section>
  );
}
